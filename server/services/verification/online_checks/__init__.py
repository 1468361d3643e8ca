"""Online credential checkers, off unless CURBSIDE_VERIFICATION_CHECKERS names them (no credential leaves
the instance by default). Each looks the claimed credential up in a public registry and its result
(found, not_found, mismatch, or error) is attached to the verification request for the reviewer: a
checker never approves or rejects. When a registry fails or is slow, the failure is recorded and the
review goes on offline, as without checkers. Every run is in the verification audit log."""
from __future__ import annotations

import asyncio
from typing import Protocol

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from federation.netguard import AddressRefused
from server.db.models import Account, MemberProfile, VerificationRequest
from server.db.types import utcnow
from server.runtime import Runtime
from server.services.verification.audit import audit
from server.services.verification.online_checks.nppes import NppesChecker
from server.services.verification.online_checks.result import CheckError, CheckResult, Claim
from server.settings import Settings

__all__ = ["CHECKERS", "CheckResult", "Claim", "check_request"]


class Checker(Protocol):
    name: str
    credential_types: tuple[str, ...]

    async def check(self, http: httpx.AsyncClient, settings: Settings, claim: Claim) -> CheckResult: ...


CHECKERS: dict[str, Checker] = {c.name: c for c in (NppesChecker(),)}
MAX_KEPT = 10  # results kept per request (re-runs append; the oldest go)


async def _claim(session: AsyncSession, request: VerificationRequest) -> Claim:
    account = await session.get(Account, request.account_id)
    profile = await session.get(MemberProfile, account.actor_id) if account is not None else None
    return Claim(request.credential_type, request.credential_number, request.profession, request.specialty_code,
                 request.jurisdiction, profile.real_name if profile is not None else "")


async def _run(runtime: Runtime, checker: Checker, claim: Claim) -> CheckResult:
    timeout = runtime.settings.verification_check_timeout
    try:
        return await asyncio.wait_for(checker.check(runtime.http, runtime.settings, claim), timeout + 1)
    except (asyncio.TimeoutError, httpx.TimeoutException):
        return CheckResult(checker.name, "error", f"no answer within {timeout} s; check by hand")
    except (httpx.HTTPError, AddressRefused, CheckError) as exc:
        return CheckResult(checker.name, "error", f"{type(exc).__name__}: {exc}"[:300] + "; check by hand")


async def check_request(runtime: Runtime, session: AsyncSession, request: VerificationRequest) -> list[dict]:
    """Run the enabled checkers that handle the request's credential type; attach and audit each result.
    Returns the new results (none when no checker applies). The caller commits."""
    wanted = [CHECKERS[n] for n in runtime.settings.verification_checkers
              if n in CHECKERS and request.credential_type in CHECKERS[n].credential_types]
    if not wanted:
        return []
    claim = await _claim(session, request)
    results = [(await _run(runtime, checker, claim)).to_json(utcnow()) for checker in wanted]
    request.online_checks = [*(request.online_checks or []), *results][-MAX_KEPT:]
    subject = await session.get(Account, request.account_id)
    for result in results:
        await audit(session, "checked", by=None, subject=subject, request_id=request.id,
                    checker=result["checker"], outcome=result["outcome"], summary=result["summary"])
    return results

