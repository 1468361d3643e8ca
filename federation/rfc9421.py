"""RFC 9421 HTTP Message Signatures for requests: verification under Curbside's policy, and signing.

Only what requests need: the derived components @method, @target-uri, @authority, @scheme,
@request-target, @path, @query and @query-param, plain header fields, and the algorithms
rsa-v1_5-sha256, rsa-pss-sha512 and ed25519. Content-Digest is RFC 9530's.
"""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, quote

from cryptography.hazmat.primitives.asymmetric import ed25519

from federation.signature_primitives import (
    MAX_HEADER_LENGTH,
    KeyResolver,
    LowerHeaders,
    PublicKey,
    SignatureError,
    VerifiedRequest,
    check_digest_header,
    check_digests,
    check_freshness,
    check_signature,
    digest_required,
    header_value,
    http_date_timestamp,
    load_private_key,
    lower_headers,
    sign_bytes,
    split_url,
    utcnow,
    verify_with_key_refresh,
    without,
)
from federation.structured_fields import (
    KEY,
    InnerList,
    Params,
    parse_dictionary,
    serialize_inner_list,
    serialize_item,
    serialize_params,
)

ALGORITHMS = ("rsa-v1_5-sha256", "rsa-pss-sha512", "ed25519")


# --- components and the signature base -------------------------------------------------------

@dataclass(frozen=True)
class _Request:
    method: str
    scheme: str
    target: str  # path and query, as on the request line
    headers: LowerHeaders

    @property
    def authority(self) -> str:
        host = header_value(self.headers, "host").lower()
        if not host:
            raise SignatureError("empty Host header")
        default = {"https": ":443", "http": ":80"}.get(self.scheme)
        return host[:-len(default)] if default and host.endswith(default) else host


def _query_param(req: _Request, params: Params) -> str:
    name = params.get("name")
    if set(params) != {"name"} or not isinstance(name, str):
        raise SignatureError("@query-param needs one name parameter")
    pairs = parse_qsl(req.target.partition("?")[2], keep_blank_values=True)
    values = [v for k, v in pairs if k == name]
    if len(values) != 1:
        raise SignatureError(f"query parameter {name[:40]} is absent or repeated")
    return quote(values[0], safe="*").replace("~", "%7E")


def _parse_field(text: str, field: str) -> dict:
    if len(text) > MAX_HEADER_LENGTH:
        raise SignatureError(f"{field} too long")
    try:
        return parse_dictionary(text)
    except ValueError:
        raise SignatureError(f"malformed {field}") from None


_DERIVED = {
    "@method": lambda req: req.method,
    "@scheme": lambda req: req.scheme,
    "@authority": lambda req: req.authority,
    "@target-uri": lambda req: f"{req.scheme}://{req.authority}{req.target}",
    "@request-target": lambda req: req.target,
    "@path": lambda req: req.target.partition("?")[0] or "/",
    "@query": lambda req: "?" + req.target.partition("?")[2],
}


def _component_value(name: str, params: Params, req: _Request) -> str:
    if name == "@query-param":
        return _query_param(req, params)
    if params:
        raise SignatureError(f"unsupported parameters on component {name[:40]}")
    if derive := _DERIVED.get(name):
        return derive(req)
    if name.startswith("@") or name != name.lower() or not name:
        raise SignatureError(f"unsupported component {name[:40]}")
    return header_value(req.headers, name)


def _base(req: _Request, items: InnerList, params: Params) -> bytes:
    lines, seen = [], set()
    for name, component_params in items:
        if type(name) is not str:
            raise SignatureError("component identifiers must be strings")
        ident = serialize_item(name) + serialize_params(component_params)
        if ident in seen:
            raise SignatureError("component covered twice")
        seen.add(ident)
        lines.append(f"{ident}: {_component_value(name, component_params, req)}")
    lines.append(f'"@signature-params": {serialize_inner_list(items, params)}')
    try:
        return "\n".join(lines).encode("latin-1")
    except UnicodeEncodeError:
        raise SignatureError("component value is not Latin-1") from None


def signature_base(method: str, path: str, headers: Mapping[str, str], label: str, *,
                   scheme: str = "https") -> bytes:
    """The signature base (RFC 9421 section 2.5) of the `label` signature in a request's
    Signature-Input, without any policy checks: for tests and debugging."""
    h = lower_headers(headers)
    inputs = _parse_field(h.get("signature-input", ""), "Signature-Input")
    value, params = inputs.get(label, (None, {}))
    if not isinstance(value, list):
        raise SignatureError(f"no signature labelled {label[:40]}")
    return _base(_Request(method, scheme, path, h), value, params)


# --- verification ----------------------------------------------------------------------------

def content_digest_header(body: bytes) -> str:
    """The RFC 9530 `Content-Digest` value for `body`: "sha-256=:<base64>:"."""
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii") + ":"


def _check_content_digest(value: str | None, body: bytes) -> None:
    if value is None:
        raise SignatureError("missing Content-Digest header")
    pairs = []
    for alg, (digest, _) in _parse_field(value, "Content-Digest").items():
        if not isinstance(digest, bytes):
            raise SignatureError("malformed Content-Digest")
        pairs.append((alg, digest))
    check_digests(pairs, body, "Content-Digest")


def _coverage_problem(names: set[str], target: str, need_digest: bool) -> str | None:
    if "@method" not in names:
        return "signature must cover @method"
    if not names & {"@target-uri", "@authority", "host"}:
        return "signature must cover @authority"
    path_covered = "@path" in names and ("@query" in names or "?" not in target)
    if not (names & {"@target-uri", "@request-target"} or path_covered):
        return "signature must cover @target-uri, or @path and @query"
    if need_digest and not names & {"content-digest", "digest"}:
        return "Content-Digest is not signed"
    return None


def _pick(inputs: dict, target: str, need_digest: bool) -> tuple[str, InnerList, Params]:
    """The first signature whose coverage meets our policy: only one is ever checked."""
    first_problem = None
    for label, (items, params) in inputs.items():
        if not isinstance(items, list):
            continue
        names = {n for n, _ in items if isinstance(n, str)}
        problem = _coverage_problem(names, target, need_digest)
        if problem is None:
            return label, items, params
        first_problem = first_problem or problem
    raise SignatureError(first_problem or "Signature-Input holds no signature")


def _check_params(params: Params, now: datetime) -> tuple[str, str | None]:
    key_id, alg = params.get("keyid"), params.get("alg")
    created, expires = params.get("created"), params.get("expires")
    if not isinstance(key_id, str) or not key_id:
        raise SignatureError("signature has no keyid")
    if type(created) is not int:
        raise SignatureError("signature has no created time")
    if alg is not None and alg not in ALGORITHMS:
        raise SignatureError(f"unsupported algorithm {str(alg)[:40]}")
    check_freshness(created, now, "signature")
    if expires is not None and (type(expires) is not int or expires < now.timestamp()):
        raise SignatureError("signature expired")
    return key_id, alg


def _check_body(names: set[str], headers: LowerHeaders, body: bytes | None, need: bool) -> None:
    if body is None and not need:
        return
    if "content-digest" in names:
        _check_content_digest(headers.get("content-digest"), body or b"")
    if "digest" in names:
        check_digest_header(headers.get("digest"), body or b"")


def _signature_bytes(headers: LowerHeaders, label: str) -> bytes:
    signatures = _parse_field(headers.get("signature", ""), "Signature")
    value = signatures.get(label, (None, {}))[0]
    if not isinstance(value, bytes) or not value:
        raise SignatureError(f"no Signature for label {label[:40]}")
    return value


async def verify_rfc9421(method: str, path: str, headers: Mapping[str, str], body: bytes | None,
                         resolve_key: KeyResolver, *, now: datetime | None = None,
                         require_digest: bool | None = None,
                         scheme: str = "https") -> VerifiedRequest:
    """Verify an RFC 9421 signed request (Signature-Input + Signature).

    The signature must cover @method, the authority (@authority, host or @target-uri), the
    target (@target-uri, @request-target, or @path plus @query when there is a query) and, when
    a digest is required, content-digest (or digest) matching the body; `created` must be within
    12 h back and 1 h ahead and `expires`, if any, not past. Without `alg`, RSA keys are tried
    with rsa-v1_5-sha256 then rsa-pss-sha512. Raises SignatureError for every bad request.
    """
    h = lower_headers(headers)
    need_digest = digest_required(body, require_digest)
    inputs = _parse_field(h.get("signature-input", ""), "Signature-Input")
    label, items, params = _pick(inputs, path, need_digest)
    signature = _signature_bytes(h, label)
    key_id, alg = _check_params(params, utcnow(now))
    names = {n for n, _ in items}
    if "date" in names:
        check_freshness(http_date_timestamp(h.get("date", "")), utcnow(now), "Date")
    _check_body(names, h, body, need_digest)
    base = _base(_Request(method, scheme, path, h), items, params)

    def check(key: PublicKey) -> bool:
        if alg:
            return check_signature(key, alg, base, signature)
        if isinstance(key, ed25519.Ed25519PublicKey):
            return check_signature(key, "ed25519", base, signature)
        return any(check_signature(key, a, base, signature) for a in ALGORITHMS[:2])

    info = await verify_with_key_refresh(key_id, resolve_key, check)
    return VerifiedRequest(key_id=key_id, owner=info.owner, scheme="rfc9421")


# --- signing ---------------------------------------------------------------------------------

def _outgoing_digest(out: dict[str, str], body: bytes) -> dict[str, str]:
    given = next((v for k, v in out.items() if k.lower() == "content-digest"), None)
    if given is None:
        return {**out, "Content-Digest": content_digest_header(body)}
    try:
        _check_content_digest(given, body)
    except SignatureError as exc:
        raise ValueError(exc.reason) from None
    return out


def sign_request_rfc9421(method: str, url: str, headers: Mapping[str, str], body: bytes | None,
                         key_id: str, private_key_pem: str | bytes, *,
                         components: tuple[str, ...] | None = None, now: datetime | None = None,
                         label: str = "sig1", algorithm: str | None = None,
                         expires_in: int | None = None, include_alg: bool = True) -> dict[str, str]:
    """Sign a request with RFC 9421 and return the headers to send (the given ones plus Host,
    Content-Digest when there is a body and none was given, Signature-Input and Signature).

    `components` defaults to @method and @target-uri, plus content-digest with a body and
    content-type when that header is given. `algorithm` defaults to rsa-v1_5-sha256 for RSA keys
    and ed25519 for Ed25519 keys; `expires_in` adds an `expires` that many seconds after created.
    """
    key = load_private_key(private_key_pem)
    if algorithm is None:
        algorithm = "ed25519" if isinstance(key, ed25519.Ed25519PrivateKey) else "rsa-v1_5-sha256"
    if not KEY.fullmatch(label) or not (key_id.isascii() and key_id.isprintable()):
        raise ValueError(f"unusable label {label!r} or key id {key_id!r}")
    scheme, host, target = split_url(url)
    out = without(headers, {"host", "signature", "signature-input"})
    out["Host"] = host
    if body is not None:
        out = _outgoing_digest(out, body)
    h = lower_headers(out)
    if components is None:
        components = ("@method", "@target-uri")
        components += ("content-digest",) if body is not None else ()
        components += ("content-type",) if "content-type" in h else ()
    created = int(utcnow(now).timestamp())
    params: Params = {"created": created, "keyid": key_id}
    if include_alg:
        params["alg"] = algorithm
    if expires_in is not None:
        params["expires"] = created + expires_in
    items: InnerList = [(name, {}) for name in components]
    base = _base(_Request(method.upper(), scheme, target, h), items, params)
    signature = sign_bytes(key, algorithm, base)
    out["Signature-Input"] = f"{label}={serialize_inner_list(items, params)}"
    out["Signature"] = f"{label}={serialize_item(signature)}"
    return out
