"""Shared domain blocklists: parse, export and compare them, all or nothing.

Formats (``fmt``):

- ``"csv"``: Mastodon's export, header ``#domain,#severity,#reject_media,#reject_reports,
  #public_comment,#obfuscate`` (columns found by name; unknown ones ignored; ``#private_comment``
  understood). Without a header, columns are read in that order, so the older ``domain`` or
  ``domain,severity`` files work. Other rows starting with ``#`` are comments.
- ``"json"``: a list of objects: GoToSocial's export (``domain``, ``public_comment``,
  ``private_comment``, ``obfuscate``...), Mastodon's admin API, and Mastodon's public
  ``/api/v1/instance/domain_blocks`` (``domain``, ``digest``, ``severity``, ``comment``). An
  obfuscated name there (``*`` inside it) cannot be recovered, so it is kept as a hash-only
  entry: ``DomainPolicy.digest`` is set, ``domain`` holds the obfuscated display form, and
  `PolicySet` matches it by SHA-256. Unknown keys are ignored.
- ``"plain"``: one domain per line; ``#`` starts a comment.

Missing severity means ``suspend``; ``silence`` means ``limit``. A list naming one domain twice
is not an error (shared lists often do): the entries are merged into the stricter one
(`moderation.domains.stricter`), where Mastodon would keep whichever it imported first.
A blank document is refused: an empty body is far likelier a broken fetch than a real list.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace

from federation.json_input import valid_text
from moderation.domains import (
    DomainPolicy,
    InvalidDomain,
    Severity,
    domain_digest,
    is_digest,
    normalize_domain,
    obfuscate_domain,
    stricter,
)
from moderation.errors import N_, ServiceError

__all__ = [
    "FORMATS", "BlocklistError", "PolicyDiff", "detect_format", "diff_policies",
    "export_blocklist", "format_diff", "parse_blocklist",
]

FORMATS = ("csv", "json", "plain")
MAX_ENTRIES = 200_000
_CSV_COLUMNS = ("#domain", "#severity", "#reject_media", "#reject_reports", "#public_comment",
                "#obfuscate", "#private_comment")
_EXPORT_SEVERITY = {Severity.SUSPEND: "suspend", Severity.LIMIT: "silence", Severity.NOOP: "noop"}


class BlocklistError(ServiceError, ValueError):
    """A list refused as a whole (a ServiceError, kind INVALID). `.line` is the 1-based line (the 1-based entry
    for JSON lists)."""

    def __init__(self, line: int, reason: str | ServiceError, unit: str = "line", **values: object) -> None:
        why = reason if isinstance(reason, ServiceError) else ServiceError(reason, values=values)
        at = N_("entry %(line)s: %(reason)s") if unit == "entry" else N_("line %(line)s: %(reason)s")
        super().__init__(at, values={"line": line, "reason": why})
        self.line = line
        self.reason = why.message


class _Bad(Exception):
    """Raised inside one entry; the caller attaches the line number. `.why` is the reason as a refusal (a msgid
    and its values), so the page that shows it can translate it."""

    def __init__(self, reason: str | ServiceError, **values: object) -> None:
        self.why = reason if isinstance(reason, ServiceError) else ServiceError(reason, values=values)
        super().__init__(self.why.message)


def parse_blocklist(data: bytes | str, fmt: str | None = None, *,
                    max_entries: int = MAX_ENTRIES) -> list[DomainPolicy]:
    """Parse a shared list into local block policies (``source`` None, ``allow`` False).

    `fmt` is ``"csv"``, ``"json"``, ``"plain"`` or None to detect it. Raises `BlocklistError`
    on the first malformed entry, so a list is taken whole or not at all.
    """
    text = _decode(data)
    if not text.strip():
        raise BlocklistError(1, N_("empty document"))
    fmt = fmt or detect_format(text)
    parsers = {"csv": _parse_csv, "json": _parse_json, "plain": _parse_plain}
    if fmt not in parsers:
        raise ValueError(f"unknown blocklist format {fmt!r}; expected one of {FORMATS}")
    entries = parsers[fmt](text)
    if len(entries) > max_entries:
        raise BlocklistError(entries[max_entries][0], N_("more than %(limit)s entries"), limit=max_entries)
    return _merge_duplicates(policy for _, policy in entries)


def detect_format(text: str) -> str:
    """Guess ``"json"``, ``"csv"`` or ``"plain"`` from the text of a list."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:1] in ("[", "{"):
        return "json"
    lines = [line.strip() for line in stripped.splitlines() if line.strip()]
    if lines and _is_header(lines[0].split(",")):
        return "csv"
    if any("," in line.split("#", 1)[0] for line in lines):
        return "csv"
    return "plain"


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BlocklistError(data.count(b"\n", 0, exc.start) + 1, N_("not valid UTF-8")) from None


def _merge_duplicates(policies: Iterable[DomainPolicy]) -> list[DomainPolicy]:
    merged: dict[str, DomainPolicy] = {}
    for policy in policies:
        seen = merged.get(policy.key)
        merged[policy.key] = stricter(seen, policy) if seen else policy
    return list(merged.values())


def _policy(domain: str, severity: str = "", reject_media: bool = False, reject_reports: bool = False,
            public_comment: str = "", private_comment: str = "", obfuscate: bool = False,
            digest: str | None = None) -> DomainPolicy:
    # With a digest, `domain` is only the obfuscated display form and is kept as given.
    try:
        name = domain if digest else normalize_domain(domain)
    except InvalidDomain as exc:
        raise _Bad(exc) from None
    return DomainPolicy(name, _severity(severity), reject_media, reject_reports,
                        public_comment, private_comment, obfuscate, digest=digest)


def _severity(text: str) -> Severity:
    try:
        return Severity(text.strip() or "suspend")
    except ValueError:
        raise _Bad(N_("unknown severity %(value)s"), value=repr(text[:40])) from None


# CSV ----------------------------------------------------------------------------------------

def _parse_csv(text: str) -> list[tuple[int, DomainPolicy]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    columns: tuple[str, ...] | None = None
    out: list[tuple[int, DomainPolicy]] = []
    end = 0
    try:
        for row in reader:
            line, end = end + 1, reader.line_num
            if not any(field.strip() for field in row):
                continue
            if row[0].strip().startswith("#"):
                if columns is None and not out and _is_header(row):
                    columns = _csv_header(row, line)
                continue
            try:
                out.append((line, _csv_row(row, columns)))
            except _Bad as exc:
                raise BlocklistError(line, exc.why) from None
    except csv.Error as exc:
        raise BlocklistError(reader.line_num, N_("malformed CSV (%(problem)s)"), problem=str(exc)) from None
    return out


def _is_header(row: list[str]) -> bool:
    return "#domain" in (field.strip().lower() for field in row)


def _csv_header(row: list[str], line: int) -> tuple[str, ...]:
    names = tuple(name.strip().lower() for name in row)
    repeated = {name for name in names if name and names.count(name) > 1}
    if repeated:
        raise BlocklistError(line, N_("column %(column)s appears twice"), column=sorted(repeated)[0])
    return names


def _csv_row(row: list[str], columns: tuple[str, ...] | None) -> DomainPolicy:
    if columns is None:
        if len(row) > len(_CSV_COLUMNS):
            raise _Bad(N_("%(count)s fields, at most %(limit)s without a header"), count=len(row),
                       limit=len(_CSV_COLUMNS))
        columns = _CSV_COLUMNS[:len(row)]
    elif len(row) != len(columns):
        raise _Bad(N_("%(count)s fields where the header has %(limit)s"), count=len(row), limit=len(columns))
    fields = dict(zip(columns, row))
    return _policy(
        fields["#domain"], fields.get("#severity", ""),
        _csv_bool(fields, "#reject_media"), _csv_bool(fields, "#reject_reports"),
        fields.get("#public_comment", ""), fields.get("#private_comment", ""),
        _csv_bool(fields, "#obfuscate"),
    )


def _csv_bool(fields: dict[str, str], column: str) -> bool:
    text = fields.get(column, "").strip().lower()
    if text in ("", "false", "0", "no"):
        return False
    if text in ("true", "1", "yes"):
        return True
    raise _Bad(N_("%(column)s must be true or false, not %(value)s"), column=column[1:], value=repr(text[:20]))


# JSON ---------------------------------------------------------------------------------------

def _parse_json(text: str) -> list[tuple[int, DomainPolicy]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BlocklistError(exc.lineno, N_("invalid JSON (%(problem)s)"), problem=exc.msg) from None
    except RecursionError:
        raise BlocklistError(1, N_("JSON nested too deeply")) from None
    if not isinstance(data, list):
        raise BlocklistError(1, N_("a JSON list must be an array of objects"))
    out = []
    for index, item in enumerate(data, 1):
        try:
            out.append((index, _json_entry(item)))
        except _Bad as exc:
            raise BlocklistError(index, exc.why, unit="entry") from None
    return out


def _json_entry(item: object) -> DomainPolicy:
    if not isinstance(item, dict):
        raise _Bad(N_("not an object"))
    domain = _json_str(item, "domain")
    comment = _json_str(item, "public_comment") or _json_str(item, "comment")
    fields = dict(severity=_json_str(item, "severity"), reject_media=_json_bool(item, "reject_media"),
                  reject_reports=_json_bool(item, "reject_reports"), public_comment=comment,
                  private_comment=_json_str(item, "private_comment"),
                  obfuscate=_json_bool(item, "obfuscate"))
    if "*" not in domain.strip().removeprefix("*."):
        return _policy(domain, **fields)
    digest = _json_str(item, "digest").strip().lower()
    if not is_digest(digest):
        raise _Bad(N_("obfuscated domain without a SHA-256 digest"))
    display = domain.strip().lower()
    if not 0 < len(display) <= 253 or not set(display) <= set("abcdefghijklmnopqrstuvwxyz0123456789.-_:*"):
        raise _Bad(N_("bad obfuscated domain %(value)s"), value=repr(display[:70]))
    return _policy(display, **{**fields, "obfuscate": True}, digest=digest)


def _json_str(item: dict, key: str) -> str:
    value = item.get(key)
    if value is None:
        if key == "domain":
            raise _Bad(N_("missing domain"))
        return ""
    if not isinstance(value, str):
        raise _Bad(N_("%(key)s must be a string"), key=key)
    if not valid_text(value):
        raise _Bad(N_("%(key)s is not valid text (NUL or a lone surrogate)"), key=key)
    return value


def _json_bool(item: dict, key: str) -> bool:
    value = item.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _Bad(N_("%(key)s must be true or false"), key=key)
    return value


# Plain text ---------------------------------------------------------------------------------

def _parse_plain(text: str) -> list[tuple[int, DomainPolicy]]:
    out = []
    for line, raw in enumerate(text.splitlines(), 1):
        domain = raw.split("#", 1)[0].strip()
        if domain:
            try:
                out.append((line, _policy(domain)))
            except _Bad as exc:
                raise BlocklistError(line, exc.why) from None
    return out


# Export -------------------------------------------------------------------------------------

def export_blocklist(policies: Iterable[DomainPolicy], fmt: str, *, public: bool = True) -> str:
    """Write `policies` as a ``"csv"``, ``"json"`` or ``"plain"`` list.

    Severity ``limit`` is written as Mastodon's ``silence`` so Mastodon can import the file.
    A public export never carries private comments and honours ``obfuscate``: JSON then takes the
    shape of Mastodon's ``/api/v1/instance/domain_blocks`` (obfuscated name plus digest), while
    CSV and plain text, which have no digest column, leave obfuscated entries out. Hash-only
    entries can only be written as JSON. The ``allow`` flag and ``source`` are not written: a
    list is a list; whoever imports it decides whether it blocks or allows.
    """
    policies = list(policies)
    if fmt == "json":
        return json.dumps([_json_out(p, public) for p in policies], indent=2, ensure_ascii=False) + "\n"
    shown = [p for p in policies if not p.digest and not (public and p.obfuscate)]
    if fmt == "plain":
        return "".join(f"{p.domain}\n" for p in shown)
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(_CSV_COLUMNS if not public else _CSV_COLUMNS[:-1])
        for p in shown:
            row = [p.domain, _EXPORT_SEVERITY[p.severity], _flag(p.reject_media),
                   _flag(p.reject_reports), p.public_comment, _flag(p.obfuscate)]
            writer.writerow(row if public else [*row, p.private_comment])
        return buffer.getvalue()
    raise ValueError(f"unknown blocklist format {fmt!r}; expected one of {FORMATS}")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _json_out(p: DomainPolicy, public: bool) -> dict[str, object]:
    if public:
        hidden = p.obfuscate and not p.digest
        return {"domain": obfuscate_domain(p.domain) if hidden else p.domain,
                "digest": p.digest or domain_digest(p.domain),
                "severity": _EXPORT_SEVERITY[p.severity], "comment": p.public_comment}
    out: dict[str, object] = {
        "domain": p.domain, "severity": _EXPORT_SEVERITY[p.severity],
        "reject_media": p.reject_media, "reject_reports": p.reject_reports,
        "public_comment": p.public_comment, "private_comment": p.private_comment,
        "obfuscate": p.obfuscate,
    }
    if p.digest:
        out["digest"] = p.digest
    return out


# Diff ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PolicyDiff:
    """What applying `incoming` over `current` would do; entries sorted by domain."""

    added: tuple[DomainPolicy, ...]
    changed: tuple[tuple[DomainPolicy, DomainPolicy], ...]
    removed: tuple[DomainPolicy, ...]
    unchanged: tuple[DomainPolicy, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


def diff_policies(current: Iterable[DomainPolicy], incoming: Iterable[DomainPolicy]) -> PolicyDiff:
    """Compare two policy lists by (allow, domain or digest), ignoring provenance (`source`).

    Each list should hold at most one policy per key (one source's policies, or a parsed list).
    """
    old = {(p.allow, p.key): p for p in current}
    new = {(p.allow, p.key): p for p in incoming}

    def ordered(keys: Iterable[tuple[bool, str]]) -> list[tuple[bool, str]]:
        return sorted(keys, key=lambda k: (k[1], k[0]))

    changed = [(old[k], new[k]) for k in ordered(old.keys() & new.keys())
               if replace(old[k], source=None) != replace(new[k], source=None)]
    unchanged = [new[k] for k in ordered(old.keys() & new.keys())
                 if replace(old[k], source=None) == replace(new[k], source=None)]
    return PolicyDiff(
        added=tuple(new[k] for k in ordered(new.keys() - old.keys())),
        changed=tuple(changed),
        removed=tuple(old[k] for k in ordered(old.keys() - new.keys())),
        unchanged=tuple(unchanged),
    )


def format_diff(diff: PolicyDiff) -> str:
    """A plain-text preview of `diff` for an admin deciding whether to apply it."""
    lines = [f"{len(diff.added)} to add, {len(diff.changed)} to change, "
             f"{len(diff.removed)} to remove, {len(diff.unchanged)} unchanged"]
    lines += [f"+ {p.domain}  {_describe(p)}" for p in diff.added]
    lines += [f"~ {new.domain}  {_changes(old, new)}" for old, new in diff.changed]
    lines += [f"- {p.domain}  {_describe(p)}" for p in diff.removed]
    return "\n".join(lines) + "\n"


def _describe(p: DomainPolicy) -> str:
    words = ["allow"] if p.allow else [p.severity.value]
    words += [flag for flag in ("reject_media", "reject_reports", "obfuscate") if getattr(p, flag)]
    if p.public_comment:
        words.append(json.dumps(p.public_comment[:80], ensure_ascii=False))
    return " ".join(words)


def _changes(old: DomainPolicy, new: DomainPolicy) -> str:
    fields = ("severity", "reject_media", "reject_reports", "public_comment", "private_comment",
              "obfuscate")
    parts = []
    for name in fields:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            parts.append(f"{name}: {_show(before)} -> {_show(after)}")
    return "; ".join(parts)


def _show(value: object) -> str:
    return value.value if isinstance(value, Severity) else json.dumps(value, ensure_ascii=False)[:80]
