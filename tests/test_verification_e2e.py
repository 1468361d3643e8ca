"""Issue 4, done when: a member registers on a real instance (confirming by mail from a real SMTP server),
is told why an NPI with a wrong check digit is refused, submits a valid one, a moderator approves; the badge
shows locally and, on a second real instance, once it trusts the issuer; revocation takes it away there."""
import httpx
import pytest

from tests.support.instances import Instance
from tests.support.mastodon_client import Client, eventually
from tests.support.smtp import SmtpServer, link_in

pytestmark = pytest.mark.integration
STAFF_SCOPES = ("read", "write", "follow", "admin:read", "admin:write")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("verification")
    with SmtpServer() as smtp:
        a = Instance(root / "a", env={"CURBSIDE_REGISTRATION_MODE": "open", "CURBSIDE_SMTP_URL": smtp.url,
                                      "CURBSIDE_SMTP_FROM": "verify@society-a.test"}).start()
        b = Instance(root / "b").start()
        try:
            yield {"A": a, "B": b, "smtp": smtp, "mod": a.member("mod", "moderator", STAFF_SCOPES),
                   "bob": b.member("bob")}
        finally:
            a.stop()
            b.stop()


def register(instance: Instance, smtp: SmtpServer, username: str) -> Client:
    """As an app does it: register the app, get an app token, create the account; then confirm by mail."""
    with httpx.Client(base_url=instance.base_url, timeout=30) as http:
        app = http.post("/api/v1/apps", data={"client_name": "Stethoscope", "scopes": "read write follow",
                                              "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}).json()
        app_token = http.post("/oauth/token", data={"grant_type": "client_credentials", "scope": "read write follow",
                                                    "client_id": app["client_id"],
                                                    "client_secret": app["client_secret"]}).json()["access_token"]
        created = http.post("/api/v1/accounts", headers={"Authorization": f"Bearer {app_token}"}, data={
            "username": username, "email": f"{username}@example.org", "password": "a long passphrase here",
            "agreement": "true", "locale": "en"})
        assert created.status_code == 200, created.text
        [mail] = smtp.mailbox.wait_for(f"{username}@example.org")
        confirmed = http.get("/auth/confirmation", params={"confirmation_token": link_in(mail, "/confirm/")})
        assert confirmed.status_code == 200
    return Client(instance.base_url, created.json()["access_token"])


def _cli_audit(instance) -> list[str]:
    """The actions the command line took, from `curbside audit` (newest first)."""
    lines = [line.split()[2:4] for line in instance.cli("audit").stdout.splitlines()]
    return [action for who, action in lines if who.startswith("cli")]


def test_verification_travels_between_two_instances(world):
    a, b, smtp, mod, bob = world["A"], world["B"], world["smtp"], world["mod"], world["bob"]
    alice = register(a, smtp, "alice")
    request = {"profession": "physician", "specialty": "207RC0000X", "credential_type": "npi",
               "jurisdiction": "US-CA"}
    wrong = alice.http.post("/api/v1/curbside/verification_requests",
                            data={**request, "credential_number": "1234567890"})
    assert wrong.status_code == 422
    assert wrong.json()["error"] == "This NPI's check digit does not match; please check the number."
    made = alice.http.post("/api/v1/curbside/verification_requests",
                           data={**request, "credential_number": "1234567893"},
                           files={"evidence": ("npi.pdf", b"%PDF-1.4 letter", "application/pdf")})
    assert made.status_code == 201, made.text
    [queued] = mod.get("/api/v1/curbside/admin/verification_requests")
    assert queued["account"]["username"] == "alice" and queued["credential_number"] == "1234567893"
    mod.post(f"/api/v1/curbside/admin/verification_requests/{queued['id']}/approve")
    me = alice.get("/api/v1/accounts/verify_credentials")
    assert me["curbside"]["badge"] == "Verified physician · Cardiovascular Disease"
    assert "You are verified" in smtp.mailbox.wait_for("alice@example.org", 2)[1]["Subject"]

    alice_on_b = bob.resolve(f"alice@{a.domain}")
    assert alice_on_b["curbside"]["status"] == "unverified_claim"
    assert [f["name"] for f in alice_on_b["fields"]] == []
    bob.post(f"/api/v1/accounts/{alice_on_b['id']}/follow")
    eventually(lambda: bob.get("/api/v1/accounts/relationships", **{"id[]": alice_on_b["id"]})[0]["following"])
    b.cli("verifiers", "trust", a.domain)
    shown = bob.get(f"/api/v1/accounts/{alice_on_b['id']}")["curbside"]
    assert (shown["verified"] is True
            and shown["badge"] == f"Verified physician · Cardiovascular Disease — by {a.domain}")

    revoked = mod.post(f"/api/v1/curbside/admin/accounts/{me['id']}/revoke_verification", reason="licence lapsed")
    assert revoked["revoke_reason"] == "licence lapsed"
    eventually(lambda: bob.get(f"/api/v1/accounts/{alice_on_b['id']}")["curbside"]["verified"] is False)
    assert alice.get("/api/v1/accounts/verify_credentials")["curbside"]["verified"] is False
    listed = httpx.get(f"{a.base_url}/credentials/revoked", headers={"Accept": "application/activity+json"}).json()
    assert len(listed["revoked"]) == 1


def test_verification_cli_as_admins_run_it(world):
    a = world["A"]
    a.cli("accounts", "create", "carol", "--email", "carol@example.org")
    refused = a.cli("verifications", "grant", "carol", "--profession", "physician", "--specialty", "nonsense",
                    "--jurisdiction", "US-CA", check=False)
    assert refused.returncode == 1 and "unknown specialty" in refused.stderr
    granted = a.cli("verifications", "grant", "carol", "--profession", "physician", "--specialty", "207RC0000X",
                    "--jurisdiction", "US-CA")
    assert "verified @carol until" in granted.stdout
    carol = Client(a.base_url, a.cli("tokens", "create", "carol").stdout.strip())
    made = carol.http.post("/api/v1/curbside/verification_requests", data={
        "profession": "physician", "specialty": "207RC0000X", "credential_type": "gmc", "credential_number": "7654321",
        "jurisdiction": "GB"})
    assert made.status_code == 201
    listing = a.cli("verifications", "list").stdout
    assert "carol" in listing and "gmc:7654321" in listing
    rejected = a.cli("verifications", "reject", made.json()["id"], "--reason", "GMC number not found")
    assert "rejected" in rejected.stdout
    assert carol.get("/api/v1/curbside/verification_requests")[0]["reviewer_note"] == "GMC number not found"
    invite = a.cli("invites", "create", "--uses", "2", "--expires-in", "7").stdout.strip()
    assert invite.startswith(f"{a.base_url}/invite/")
    assert a.cli("verifiers", "list").stdout.strip() == "no trusted verifiers"
    a.cli("registrations", "mode", "invite")
    a.cli("verifiers", "trust", "hospital.example")
    a.cli("verifiers", "untrust", "hospital.example")
    assert _cli_audit(a)[:4] == ["settings.untrust_verifier", "settings.trust_verifier", "settings.update",
                                 "invite.create"]  # the admin's commands are in the audit log, as cli:<user>
