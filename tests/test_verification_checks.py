"""Online credential checkers: off by default; the NPPES checker, against a local server standing in for
the NPI Registry, attaches found / not found / mismatch for the reviewer and never decides; a failing or
slow registry is recorded as an error and the request goes on; every check is audited."""
import asyncio
import dataclasses
import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from loopback_server import Reply, serve
from sqlalchemy import select

from server.app import create_app
from server.db.models import Actor, MemberProfile, VerificationAudit, VerificationRequest
from server.services.verification.online_checks.nppes import compare, parse_response
from server.services.verification.online_checks.result import CheckError, Claim
from tests.support.members import ALL_SCOPES, bearer, member

NPI = "1234567893"
REQUESTS = "/api/v1/curbside/verification_requests"
ADMIN = "/api/v1/curbside/admin"
CLAIM = Claim("npi", NPI, "physician", "207RC0000X", "US-CA", "Dr. Jane Q. Doe")


def record(**changes) -> dict:
    base = {"number": NPI, "enumeration_type": "NPI-1",
            "basic": {"first_name": "JANE", "last_name": "DOE", "status": "A"},
            "taxonomies": [{"code": "207RC0000X", "desc": "Internal Medicine, Cardiovascular Disease",
                            "primary": True, "state": "CA", "license": "A12345"}]}
    return {**base, **changes}


def answer(*records: dict) -> bytes:
    return json.dumps({"result_count": len(records), "results": list(records)}).encode()


def test_nppes_compare_found_when_everything_agrees():
    result = compare(CLAIM, parse_response(answer(record())))
    assert result.outcome == "found" and set(result.details["checks"].values()) == {"match"}
    assert result.details["taxonomies"][0]["license"] == "A12345"


def test_nppes_compare_names_each_mismatch():
    other = record(basic={"first_name": "JOHN", "last_name": "ROE", "status": "D"}, enumeration_type="NPI-2",
                   taxonomies=[{"code": "207Q00000X", "desc": "Family Medicine", "primary": True, "state": "NY"}])
    result = compare(CLAIM, parse_response(answer(other)))
    assert result.outcome == "mismatch"
    assert result.details["checks"] == {"type": "mismatch", "status": "mismatch", "name": "mismatch",
                                        "specialty": "mismatch", "jurisdiction": "mismatch"}
    assert "name" in result.summary and "specialty" in result.summary


def test_nppes_compare_not_found_and_unknown_name_without_a_real_name():
    assert compare(CLAIM, parse_response(answer())).outcome == "not_found"
    nameless = compare(dataclasses.replace(CLAIM, real_name=""), parse_response(answer(record())))
    assert nameless.outcome == "found" and nameless.details["checks"]["name"] == "unknown"


def test_nppes_compare_accents_and_hyphens_in_names():
    claim = dataclasses.replace(CLAIM, real_name="José García-López")
    found = record(basic={"first_name": "JOSE", "last_name": "GARCIA-LOPEZ", "status": "A"})
    assert compare(claim, parse_response(answer(found))).details["checks"]["name"] == "match"


@pytest.mark.parametrize("body", [b"<html>", b"[]", b'{"results": "x"}', b'{"Errors": [{"description": "bad"}]}'])
def test_nppes_parse_refuses_what_is_not_the_documented_shape(body):
    with pytest.raises(CheckError):
        parse_response(body)


class Registry:
    """A stand-in for the NPI Registry: answers in turn, then the last answer forever."""

    def __init__(self, *replies) -> None:
        self.replies, self.queries = list(replies), []

    async def __call__(self, request) -> Reply:
        self.queries.append(parse_qs(urlsplit(request.target).query))
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if reply == "slow":
            await asyncio.sleep(2.5)
            return Reply(200, body=answer(record()))
        return reply


async def _app_with(settings, registry_url: str):
    return create_app(dataclasses.replace(settings, verification_checkers=("nppes",), nppes_url=registry_url,
                                          allow_private_addresses=True, verification_check_timeout=1))


async def _submit(app, client) -> tuple[str, dict]:
    ada = (await member(app, "ada", scopes=ALL_SCOPES)).token
    async with app.state.sessions() as session:
        actor = (await session.execute(select(Actor).where(Actor.username == "ada"))).scalar_one()
        profile = await session.get(MemberProfile, actor.id) or MemberProfile(actor_id=actor.id)
        profile.real_name = "Jane Doe"
        session.add(profile)
        await session.commit()
    response = await client.post(REQUESTS, headers=bearer(ada), data={
        "profession": "physician", "specialty": "207RC0000X", "credential_type": "npi", "credential_number": NPI,
        "jurisdiction": "US-CA"})
    assert response.status_code == 201, response.text
    assert "online_checks" not in response.json()  # for reviewers only
    return response.json()["id"], (await member(app, "mod", role="moderator", scopes=ALL_SCOPES)).headers


async def test_verification_checks_attach_the_registry_answer_for_the_reviewer(settings):
    registry = Registry(Reply(200, body=answer(record())))
    async with serve(registry) as server:
        app = await _app_with(settings, server.url("/api/"))
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=settings.base_url) as client:
            request_id, mod = await _submit(app, client)
            shown = (await client.get(f"{ADMIN}/verification_requests/{request_id}", headers=mod)).json()
            async with app.state.sessions() as session:
                audit = (await session.execute(select(VerificationAudit)
                                               .order_by(VerificationAudit.id))).scalars().all()
    assert registry.queries == [{"version": ["2.1"], "number": [NPI]}]
    [check] = shown["online_checks"]
    assert (check["checker"], check["outcome"]) == ("nppes", "found") and shown["state"] == "pending"
    assert check["details"]["name"] == "JANE DOE"
    assert [(a.action, a.detail.get("outcome")) for a in audit] == [("submitted", None), ("checked", "found")]


async def test_verification_checks_record_failures_and_can_run_again(settings):
    registry = Registry("slow", Reply(503), Reply(200, body=answer(record(taxonomies=[]))))
    async with serve(registry) as server:
        app = await _app_with(settings, server.url("/api/"))
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=settings.base_url) as client:
            request_id, mod = await _submit(app, client)
            again = f"{ADMIN}/verification_requests/{request_id}/check"
            assert (await client.post(again, headers=mod)).status_code == 200
            shown = (await client.post(again, headers=mod)).json()
    outcomes = [(c["outcome"], c["summary"]) for c in shown["online_checks"]]
    assert outcomes[0] == ("error", "no answer within 1 s; check by hand")
    assert outcomes[1][0] == "error" and "HTTP 503" in outcomes[1][1]
    assert outcomes[2][0] == "mismatch" and "specialty" in outcomes[2][1]
    assert shown["state"] == "pending"


async def test_verification_checks_are_off_by_default(app, client):
    request_id, mod = await _submit(app, client)
    async with app.state.sessions() as session:
        assert (await session.get(VerificationRequest, int(request_id))).online_checks is None
    refused = await client.post(f"{ADMIN}/verification_requests/{request_id}/check", headers=mod)
    assert refused.status_code == 422 and "CURBSIDE_VERIFICATION_CHECKERS" in refused.json()["error"]
