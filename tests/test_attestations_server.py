"""Verification that travels: our instance actor's Multikey, the attestation a verified member's actor
carries (checkable by anyone), the revocation list; and on receipt, remote attestations checked, shown as a
badge only for trusted issuers, refused when tampered with, and gone once revoked, expired or withdrawn."""
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update

from federation.attestation import build_attestation, build_revocation_list, sign_attestation, verify_attestation
from federation.integrity import verify_proof
from federation.multikey import multikey_document, parse_multikey_document
from server.db.models import RemoteAttestation
from server.services.federation.remote_actors import fetch_actor
from server.services.instance.settings import trust_verifier
from tests.support.fake_remote import deliver, drain
from tests.support.members import ALL_SCOPES, bearer, member

pytestmark = pytest.mark.anyio
AS = {"Accept": "application/activity+json"}
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def _resolver(instance_doc: dict):
    async def resolve(method):
        for entry in instance_doc.get("assertionMethod", []):
            if entry["id"] == method:
                key_id, controller, key = parse_multikey_document(entry)
                return controller, key
        return None
    return resolve


# --- issuing ---------------------------------------------------------------------------------

async def test_instance_actor_publishes_a_stable_ed25519_multikey(client):
    first = (await client.get("/actor", headers=AS)).json()
    second = (await client.get("/actor", headers=AS)).json()
    [method] = first["assertionMethod"]
    assert method == second["assertionMethod"][0]
    assert method["type"] == "Multikey" and method["controller"] == first["id"]
    assert method["id"] == first["id"] + "#ed25519-key" and method["publicKeyMultibase"].startswith("z6Mk")
    assert "assertionMethod" in str(first["@context"])


async def test_verified_member_actor_carries_a_checkable_attestation_and_a_plain_field(app, client):
    ada = (await member(app, "ada", scopes=ALL_SCOPES)).token
    mod = (await member(app, "mod", role="moderator", scopes=ALL_SCOPES)).token
    await client.patch("/api/v1/accounts/update_credentials", headers=bearer(ada),
                       json={"real_name": "Ada Lovelace", "pseudonymous": True, "display_name": "Dr A"})
    made = (await client.post("/api/v1/curbside/verification_requests", headers=bearer(ada), data={
        "profession": "physician", "specialty": "207RC0000X", "credential_type": "npi",
        "credential_number": "1234567893", "jurisdiction": "US-CA"})).json()
    await client.post(f"/api/v1/curbside/admin/verification_requests/{made['id']}/approve", headers=bearer(mod))
    document = (await client.get("/users/ada", headers=AS)).json()
    attestation = (await client.get(document["curbside:attestation"], headers=AS)).json()
    assert attestation["id"] == document["curbside:attestation"]
    instance = (await client.get("/actor", headers=AS)).json()
    claims = await verify_attestation(attestation, actor_id=document["id"], resolve_key=_resolver(instance),
                                      now=datetime.now(timezone.utc))
    assert (claims.profession, claims.specialty_code, claims.jurisdiction) == ("physician", "207RC0000X", "US-CA")
    assert claims.issuer == instance["id"] and claims.valid_until - claims.valid_from == timedelta(days=365)
    assert document["attachment"][0] == {"type": "PropertyValue", "name": "Verified",
                                         "value": "Physician, Cardiovascular Disease — by curbside.test"}
    serialised = str(document)
    assert "1234567893" not in serialised and "Lovelace" not in serialised
    revoked = (await client.get("/credentials/revoked", headers=AS)).json()
    assert revoked["revoked"] == [] and (await verify_proof(revoked, _resolver(instance))).controller == instance["id"]


PRELOADED = {"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"}


def _contexts(document) -> list:
    """Every @context entry anywhere in a document: URLs a JSON-LD processor must fetch, or inline maps."""
    if isinstance(document, list):
        return [c for item in document for c in _contexts(item)]
    if not isinstance(document, dict):
        return []
    own = document.get("@context", [])
    return [*(own if isinstance(own, list) else [own]),
            *(c for key, value in document.items() if key != "@context" for c in _contexts(value))]


async def test_actors_need_only_the_contexts_every_implementation_preloads(app, client):
    await member(app, "ada")
    root = (await member(app, "root", role="admin", scopes=ALL_SCOPES)).token
    granted = await client.post("/api/v1/curbside/admin/verifications", headers=bearer(root), json={
        "username": "ada", "profession": "physician", "specialty": "207RC0000X", "jurisdiction": "US-CA"})
    assert granted.status_code == 201
    actor, instance = [(await client.get(path, headers=AS)).json() for path in ("/users/ada", "/actor")]
    for document in (actor, instance):
        urls = [c for c in _contexts(document) if not isinstance(c, dict)]
        assert set(urls) <= PRELOADED, urls
    assert actor["curbside:attestation"] == granted.json()["credential_id"]
    terms = actor["@context"][2]
    assert terms["curbside"] == "https://curbside.test/ns#" and terms["curbside:attestation"] == {"@type": "@id"}
    namespace = await client.get("/ns")
    assert namespace.status_code == 200 and namespace.headers["content-type"].startswith("application/ld+json")
    assert namespace.json()["@context"]["curbside"] == terms["curbside"]
    assert namespace.json()["@context"]["attestation"] == {"@id": "curbside:attestation", "@type": "@id"}


async def test_attestation_url_answers_while_it_is_the_members_current_one(app, client):
    await member(app, "ada")
    root = (await member(app, "root", role="admin", scopes=ALL_SCOPES)).token
    granted = (await client.post("/api/v1/curbside/admin/verifications", headers=bearer(root), json={
        "username": "ada", "profession": "physician", "specialty": "207RC0000X", "jurisdiction": "US-CA"})).json()
    credential = await client.get(granted["credential_id"], headers=AS)
    assert credential.status_code == 200 and credential.json()["credentialSubject"]["id"].endswith("/users/ada")
    ada = (await client.get("/api/v1/accounts/lookup", params={"acct": "ada"})).json()
    await client.post(f"/api/v1/curbside/admin/accounts/{ada['id']}/revoke_verification", json={"reason": "lapsed"},
                      headers=bearer(root))
    assert (await client.get(granted["credential_id"], headers=AS)).status_code == 404
    assert (await client.get("/credentials/12345", headers=AS)).status_code == 404
    assert (await client.get(f"/credentials/{2**64}", headers=AS)).status_code == 404


# --- receiving -------------------------------------------------------------------------------

class Issuer:
    """A remote Curbside-like issuer served by the fake remote: instance actor, members, revocation list."""

    def __init__(self, remote, key: Ed25519PrivateKey | None = None):
        self.remote, self.key = remote, key or Ed25519PrivateKey.generate()
        self.id = remote.base + "/actor"
        self.method = self.id + "#ed25519-key"
        self.revocation_list = remote.base + "/credentials/revoked"
        remote.publish({"id": self.id, "type": "Application", "inbox": self.id + "/inbox",
                        "assertionMethod": [multikey_document(self.method, self.id, self.key.public_key())]})
        self.revoke()

    def revoke(self, *ids: str) -> None:
        self.remote.publish(build_revocation_list(list_id=self.revocation_list, issuer=self.id, revoked=ids))

    def attest(self, actor, *, n: int = 1, key=None, method=None, **claims) -> dict:
        fields = dict(issuer=self.id, subject=actor.uri, profession="physician", specialty_code="207RC0000X",
                      specialty_name="Cardiovascular Disease", jurisdiction="US-CA", valid_from=NOW - timedelta(days=1),
                      valid_until=NOW + timedelta(days=300), credential_id=f"{self.remote.base}/credentials/{n}",
                      revocation_list=self.revocation_list)
        return sign_attestation(build_attestation(**{**fields, **claims}), key or self.key, method or self.method)

    def member(self, actor, attestation: dict | None, *, embedded: bool = False) -> dict:
        """The member's actor naming `attestation`, published at its id (older Curbsides: `embedded`)."""
        document = actor.document()
        document["attachment"] = [{"type": "PropertyValue", "name": "Verified", "value": "Physician — by x"}]
        if attestation is not None:
            self.remote.publish(attestation)
            document["curbside:attestation"] = attestation if embedded else attestation["id"]
        self.remote.publish(document)
        return document


async def _fetch(app, uri: str):
    app.state.runtime.caches.clear()
    async with app.state.sessions() as session:
        row = await fetch_actor(app.state.runtime, session, uri, refresh=True)
        await session.commit()
        return row.id, await session.get(RemoteAttestation, row.id)


async def _curbside(client, actor_id: int) -> dict:
    return (await client.get(f"/api/v1/accounts/{actor_id}")).json()["curbside"]


async def test_remote_attestation_is_a_claim_until_the_issuer_is_trusted(fed_app, fed_client, remote):
    issuer = Issuer(remote)
    doc = remote.actor("doc")
    issuer.member(doc, issuer.attest(doc))
    actor_id, stored = await _fetch(fed_app, doc.uri)
    assert stored.state == "valid" and stored.issuer == issuer.id
    claim = await _curbside(fed_client, actor_id)
    domain = remote.base.split("://")[1]
    assert claim["verified"] is False and claim["status"] == "unverified_claim"
    assert claim["claim"] == f"Verified physician · Cardiovascular Disease — by {domain} (unverified claim)"
    account = (await fed_client.get(f"/api/v1/accounts/{actor_id}")).json()
    assert [f["name"] for f in account["fields"]] == []  # the typed "Verified" field gives way to the checked one
    async with fed_app.state.sessions() as session:
        await trust_verifier(session, domain)
        await session.commit()
    badge = await _curbside(fed_client, actor_id)
    assert badge["verified"] is True and badge["verified_by"] == domain
    assert badge["badge"] == f"Verified physician · Cardiovascular Disease — by {domain}"


@pytest.mark.parametrize("claim,value", [("profession", "pharmacist"), ("specialtyCode", "207RE0101X"),
                                         ("jurisdiction", "US-NY"), ("specialtyName", "Neurosurgery")])
async def test_remote_attestation_tampered_claim_is_refused(fed_app, fed_client, remote, claim, value):
    issuer = Issuer(remote)
    doc = remote.actor("doc")
    attestation = issuer.attest(doc)
    attestation["credentialSubject"][claim] = value
    issuer.member(doc, attestation)
    async with fed_app.state.sessions() as session:
        await trust_verifier(session, remote.base.split("://")[1])
        await session.commit()
    actor_id, stored = await _fetch(fed_app, doc.uri)
    assert (stored.state, stored.reason) == ("refused", "bad_signature")
    assert (await _curbside(fed_client, actor_id))["verified"] is False


async def test_remote_attestation_refusals(fed_app, fed_client, remote):
    issuer = Issuer(remote)
    cases = {
        "expired": dict(valid_from=NOW - timedelta(days=400), valid_until=NOW - timedelta(days=35)),
        "wrong_subject": dict(subject=remote.base + "/users/someone-else"),
        "foreign_key": dict(method="https://elsewhere.example/actor#ed25519-key"),
        "unknown_key": dict(method=issuer.id + "#other-key"),
        "bad_signature": dict(key=Ed25519PrivateKey.generate()),
    }
    for n, (reason, change) in enumerate(cases.items()):
        doc = remote.actor(f"doc{n}")
        issuer.member(doc, issuer.attest(doc, n=n, **change))
        _, stored = await _fetch(fed_app, doc.uri)
        assert (stored.state, stored.reason) == ("refused", reason)


async def test_remote_attestation_revoked_by_list_or_withdrawn_by_update_or_expired(fed_app, fed_client, remote):
    issuer = Issuer(remote)
    async with fed_app.state.sessions() as session:
        await trust_verifier(session, remote.base.split("://")[1])
        await session.commit()
    doc = remote.actor("doc")
    attestation = issuer.attest(doc, n=7)
    issuer.member(doc, attestation)
    actor_id, stored = await _fetch(fed_app, doc.uri)
    assert stored.state == "valid" and (await _curbside(fed_client, actor_id))["verified"] is True
    issuer.revoke(attestation["id"])
    _, stored = await _fetch(fed_app, doc.uri)
    assert stored.state == "revoked" and (await _curbside(fed_client, actor_id))["verified"] is False
    issuer.revoke()
    await _fetch(fed_app, doc.uri)
    assert (await _curbside(fed_client, actor_id))["verified"] is True
    async with fed_app.state.sessions() as session:  # time passes: never shown once expired
        await session.execute(update(RemoteAttestation).values(valid_until=NOW - timedelta(seconds=1)))
        await session.commit()
    assert (await _curbside(fed_client, actor_id))["verified"] is False
    await _fetch(fed_app, doc.uri)
    withdrawn = issuer.member(doc, None)
    update_activity = {"@context": "https://www.w3.org/ns/activitystreams", "id": doc.uri + "#updates/1",
                       "type": "Update", "actor": doc.uri, "object": withdrawn}
    assert (await deliver(fed_client, doc, update_activity)).status_code == 202
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        assert (await session.execute(select(RemoteAttestation))).first() is None
    assert (await _curbside(fed_client, actor_id))["status"] == "none"


async def test_remote_attestation_arriving_by_update_is_checked(fed_app, fed_client, remote):
    issuer = Issuer(remote)
    doc = remote.actor("doc")
    issuer.member(doc, None)
    actor_id, stored = await _fetch(fed_app, doc.uri)
    assert stored is None
    tampered = issuer.attest(doc)
    tampered["validUntil"] = (NOW + timedelta(days=3000)).strftime("%Y-%m-%dT%H:%M:%SZ")
    update_activity = {"@context": "https://www.w3.org/ns/activitystreams", "id": doc.uri + "#updates/2",
                       "type": "Update", "actor": doc.uri, "object": issuer.member(doc, tampered)}
    await deliver(fed_client, doc, update_activity)
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        stored = await session.get(RemoteAttestation, actor_id)
    assert (stored.state, stored.reason) == ("refused", "bad_signature")


async def test_remote_attestation_embedded_by_an_older_curbside_is_still_checked(fed_app, fed_client, remote):
    issuer = Issuer(remote)
    doc = remote.actor("doc")
    attestation = issuer.attest(doc)
    issuer.member(doc, attestation, embedded=True)
    remote.docs.pop(attestation["id"].removeprefix(remote.base))  # nowhere else to be had
    _, stored = await _fetch(fed_app, doc.uri)
    assert stored.state == "valid" and stored.issuer == issuer.id


async def test_remote_attestation_named_by_url_must_be_there_on_the_actors_origin(fed_app, fed_client, remote):
    issuer = Issuer(remote)
    gone, elsewhere, mislabelled = remote.actor("gone"), remote.actor("elsewhere"), remote.actor("mislabelled")
    issuer.member(gone, issuer.attest(gone, n=1))
    remote.docs.pop("/credentials/1")
    issuer.member(elsewhere, None)
    remote.docs[elsewhere.uri.removeprefix(remote.base)]["curbside:attestation"] = "https://elsewhere.example/c/2"
    issuer.member(mislabelled, issuer.attest(mislabelled, n=3))
    remote.docs["/credentials/3"] = {**remote.docs["/credentials/3"], "id": remote.base + "/credentials/4"}
    reasons = {name: (await _fetch(fed_app, actor.uri))[1].reason
               for name, actor in (("gone", gone), ("elsewhere", elsewhere), ("mislabelled", mislabelled))}
    assert reasons == {"gone": "attestation_unavailable", "elsewhere": "foreign_attestation",
                       "mislabelled": "foreign_attestation"}


async def test_remote_attestation_kept_while_its_attestation_or_revocation_list_cannot_be_fetched(
        fed_app, fed_client, remote):
    """A fetch that fails for now is no refusal: the badge stays; a first check still records the refusal."""
    issuer = Issuer(remote)
    async with fed_app.state.sessions() as session:
        await trust_verifier(session, remote.base.split("://")[1])
        await session.commit()
    doc = remote.actor("doc")
    attestation = issuer.attest(doc, n=8)
    issuer.member(doc, attestation)
    actor_id, stored = await _fetch(fed_app, doc.uri)
    assert stored.state == "valid"
    remote.docs.pop("/credentials/revoked")
    _, stored = await _fetch(fed_app, doc.uri)
    assert (stored.state, stored.reason) == ("valid", None)
    remote.docs.pop("/credentials/8")
    _, stored = await _fetch(fed_app, doc.uri)
    assert (stored.state, stored.reason) == ("valid", None)
    assert (await _curbside(fed_client, actor_id))["verified"] is True
    newcomer = remote.actor("newcomer")
    issuer.member(newcomer, issuer.attest(newcomer, n=9))
    remote.docs.pop("/credentials/9")
    _, stored = await _fetch(fed_app, newcomer.uri)
    assert (stored.state, stored.reason) == ("refused", "attestation_unavailable")
