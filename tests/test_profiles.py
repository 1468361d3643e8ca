"""The professional profile through update_credentials, pseudonyms, and the member directories."""
import pytest

from tests.support.members import ALL_SCOPES, bearer, member

pytestmark = pytest.mark.anyio
AS = {"Accept": "application/activity+json"}


async def _grant(client, admin: str, username: str, specialty: str = "207RC0000X") -> None:
    granted = await client.post("/api/v1/curbside/admin/verifications", headers=bearer(admin), json={
        "username": username, "profession": "physician", "specialty": specialty, "jurisdiction": "US-NY"})
    assert granted.status_code == 201, granted.text


async def test_profile_update_credentials_sets_the_professional_profile(app, client):
    token = (await member(app, "ada", scopes=ALL_SCOPES)).token
    changed = await client.patch("/api/v1/accounts/update_credentials", headers=bearer(token), data={
        "display_name": "Dr Ada", "note": "Heart rhythm\n\nand #EP", "real_name": "Ada Lovelace",
        "profession": "physician", "specialty": "207RC0000X", "institution": "St Elsewhere",
        "jurisdiction": "gb", "fields_attributes[0][name]": "ORCID", "fields_attributes[0][value]": "0000-0001"})
    assert changed.status_code == 200, changed.text
    me = changed.json()
    assert me["display_name"] == "Dr Ada" and me["note"].startswith("<p>Heart rhythm</p>")
    assert me["fields"][0]["name"] == "ORCID"
    assert me["curbside"] == {"verified": False, "status": "unverified", "badge": None, "pseudonymous": False,
                              "profession": "physician", "specialty_code": "207RC0000X",
                              "specialty": "Cardiovascular Disease", "institution": "St Elsewhere",
                              "jurisdiction": "GB"}
    own = (await client.get("/api/v1/curbside/profile", headers=bearer(token))).json()
    assert own["real_name"] == "Ada Lovelace"


async def test_profile_pseudonym_keeps_the_real_name_and_institution_private(app, client):
    token = (await member(app, "nightowl", scopes=ALL_SCOPES)).token
    await client.patch("/api/v1/accounts/update_credentials", headers=bearer(token), json={
        "display_name": "Night Owl", "real_name": "Jane Q Doctor", "pseudonymous": True,
        "institution": "Mercy General"})
    public = (await client.get("/api/v1/accounts/lookup", params={"acct": "nightowl"})).json()
    assert public["display_name"] == "Night Owl" and public["curbside"]["pseudonymous"] is True
    assert public["curbside"]["institution"] is None
    document = (await client.get("/users/nightowl", headers=AS)).text
    for secret in ("Jane Q Doctor", "Mercy General"):
        assert secret not in public.__repr__() and secret not in document
    admin = (await member(app, "root", role="admin", scopes=ALL_SCOPES)).token
    await client.post("/api/v1/curbside/verification_requests", headers=bearer(token), data={
        "profession": "nurse", "specialty": "163W00000X", "credential_type": "gmc", "credential_number": "1234567",
        "jurisdiction": "GB"})
    queue = (await client.get("/api/v1/curbside/admin/verification_requests", headers=bearer(admin))).json()
    assert queue[0]["real_name"] == "Jane Q Doctor"  # the verifiers see it


async def test_profile_refuses_bad_values(app, client):
    token = (await member(app, "ada", scopes=ALL_SCOPES)).token
    for body, reason in (({"profession": "wizard"}, "profession must be one of"),
                         ({"profession": "nurse", "specialty": "207RC0000X"}, "not one of the nurse specialties"),
                         ({"jurisdiction": "California"}, "country code"),
                         ({"fields_attributes": [{"name": "Verified", "value": "yes, trust me"}]}, "reserved"),
                         ({"display_name": "x" * 101}, "at most 100")):
        refused = await client.patch("/api/v1/accounts/update_credentials", headers=bearer(token), json=body)
        assert refused.status_code == 422 and reason in refused.json()["error"], (body, refused.text)


async def test_directory_lists_verified_discoverable_members_by_specialty(app, client):
    admin = (await member(app, "root", role="admin", scopes=ALL_SCOPES)).token
    for name in ("ada", "bob", "hidden"):
        await member(app, name)
    await member(app, "carol")  # not verified
    await _grant(client, admin, "ada")
    await _grant(client, admin, "bob", specialty="207RE0101X")
    await _grant(client, admin, "hidden")
    hidden_token = (await member(app, "hider", scopes=ALL_SCOPES)).token
    await client.patch("/api/v1/accounts/update_credentials", headers=bearer(hidden_token),
                       json={"discoverable": False})
    await _grant(client, admin, "hider")
    cardiology = (await client.get("/api/v1/curbside/directory", params={"specialty": "207RC0000X"})).json()
    assert sorted(a["username"] for a in cardiology) == ["ada", "hidden"]
    assert all(a["curbside"]["badge"] == "Verified physician · Cardiovascular Disease" for a in cardiology)
    everyone = (await client.get("/api/v1/curbside/directory")).json()
    assert sorted(a["username"] for a in everyone) == ["ada", "bob", "hidden"]
    bad = await client.get("/api/v1/curbside/directory", params={"specialty": "nope"})
    assert bad.status_code == 422
    local = (await client.get("/api/v1/directory", params={"local": "true"})).json()
    assert {"ada", "bob", "carol", "hidden"} <= {a["username"] for a in local} and "hider" not in \
        {a["username"] for a in local}


async def test_specialties_by_profession(client):
    nurses = (await client.get("/api/v1/curbside/specialties", params={"profession": "nurse"})).json()
    assert {"code": "163W00000X", "name": "Registered Nurse"} in nurses
    assert (await client.get("/api/v1/curbside/specialties", params={"profession": "wizard"})).status_code == 422
