"""The NPPES NPI Registry checker: looks a claimed NPI up (API version 2.1) and compares the record with
the claim: an individual's NPI (NPI-1), active, the member's real name, the claimed NUCC specialty among
the record's taxonomies, the claimed state among their licence states. Reading and comparing are plain
functions over the JSON; only `NppesChecker.check` does I/O."""
from __future__ import annotations

import json
import re
import unicodedata

import httpx

from server.services.verification.online_checks.result import CheckError, CheckResult, Claim
from server.settings import Settings

MAX_BYTES = 256_000
_WORD = re.compile(r"[a-z]+")


def _text(value: object, limit: int = 200) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def parse_response(body: bytes) -> list[dict]:
    """The `results` of an NPPES answer; CheckError when it is not the documented shape."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CheckError("the registry did not answer JSON") from None
    if not isinstance(document, dict):
        raise CheckError("the registry's answer is not a JSON object")
    if document.get("Errors"):
        raise CheckError(f"the registry refused the query: {_text(str(document['Errors']))}")
    results = document.get("results", [])
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise CheckError("the registry's results are not a list of records")
    return results


def _words(name: str) -> set[str]:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return set(_WORD.findall(plain))


def name_check(record_first: str, record_last: str, real_name: str) -> str:
    """match when the record's first and last names are among the real name's words; unknown without one."""
    if not real_name.strip() or not record_last:
        return "unknown"
    words = _words(real_name)
    return "match" if _words(record_last) <= words and _words(record_first) <= words else "mismatch"


def _taxonomies(record: dict) -> list[dict]:
    items = record.get("taxonomies")
    return [{"code": _text(t.get("code"), 16).upper(), "desc": _text(t.get("desc")),
             "primary": t.get("primary") is True, "state": _text(t.get("state"), 8).upper(),
             "license": _text(t.get("license"), 40)}
            for t in (items if isinstance(items, list) else []) if isinstance(t, dict)][:20]


def compare(claim: Claim, results: list[dict]) -> CheckResult:
    """found (every comparison agrees or cannot be made), mismatch (naming what differs) or not_found."""
    record = next((r for r in results if _text(r.get("number"), 10) == claim.number), None)
    if record is None:
        return CheckResult("nppes", "not_found", f"no NPI {claim.number} in the NPPES registry", {"npi": claim.number})
    basic = record.get("basic") if isinstance(record.get("basic"), dict) else {}
    first, last = _text(basic.get("first_name")), _text(basic.get("last_name"))
    taxonomies = _taxonomies(record)
    states = {t["state"] for t in taxonomies if t["state"]}
    claimed_state = claim.jurisdiction.removeprefix("US-") if claim.jurisdiction.startswith("US-") else ""
    checks = {
        "type": "match" if record.get("enumeration_type") == "NPI-1" else "mismatch",
        "status": "match" if basic.get("status") == "A" else "mismatch",
        "name": name_check(first, last, claim.real_name),
        "specialty": "match" if claim.specialty_code.upper() in {t["code"] for t in taxonomies} else "mismatch",
        "jurisdiction": "unknown" if not claimed_state or not states else
                        "match" if claimed_state in states else "mismatch",
    }
    details = {"npi": claim.number, "enumeration_type": _text(record.get("enumeration_type"), 8),
               "status": _text(basic.get("status"), 4), "name": f"{first} {last}".strip(),
               "taxonomies": taxonomies, "checks": checks}
    differing = [what for what, verdict in checks.items() if verdict == "mismatch"]
    if differing:
        return CheckResult("nppes", "mismatch", f"NPI {claim.number} found; differs in: {', '.join(differing)}",
                           details)
    return CheckResult("nppes", "found", f"NPI {claim.number} found and agrees with the claim", details)


class NppesChecker:
    name = "nppes"
    credential_types = ("npi",)

    async def check(self, http: httpx.AsyncClient, settings: Settings, claim: Claim) -> CheckResult:
        """One GET of the registry (settings.nppes_url); HTTP and shape failures raise CheckError/httpx errors."""
        params = {"version": "2.1", "number": claim.number}
        async with http.stream("GET", settings.nppes_url, params=params, headers={"Accept": "application/json"},
                               timeout=settings.verification_check_timeout) as response:
            if response.status_code != 200:
                raise CheckError(f"the registry answered HTTP {response.status_code}")
            body = b""
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_BYTES:
                    raise CheckError("the registry's answer is too large")
        return compare(claim, parse_response(body))
