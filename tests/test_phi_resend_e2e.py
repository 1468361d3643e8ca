"""A real Mastodon app (Mastodon.py, which cannot send `phi_confirmed`) confirms a post the patient-privacy
guard flags by sending it again, as a physician on Ivory, Tusky or Elk would after reading the error."""
import pytest
from mastodon import Mastodon, MastodonAPIError

from tests.support.images import labelled_xray
from tests.support.instances import Instance

pytestmark = pytest.mark.integration
PASSWORD = "a long enough password for alice"
PHI = "Saw Mrs. Okafor in clinic today, 58F with refractory HTN on 4 agents."


@pytest.fixture(scope="module")
def alice(tmp_path_factory):
    instance = Instance(tmp_path_factory.mktemp("phi") / "a").start()
    try:
        instance.cli("accounts", "create", "alice", "--email", "alice@example.org", "--password-stdin",
                     input=PASSWORD + "\n")
        client_id, secret = Mastodon.create_app("Curbside tests", scopes=["read", "write"],
                                                api_base_url=instance.base_url)
        api = Mastodon(client_id=client_id, client_secret=secret, api_base_url=instance.base_url)
        api.log_in("alice", PASSWORD, scopes=["read", "write"], allow_http=True)
        yield api
    finally:
        instance.stop()


def test_phi_resend_e2e_mastodon_py_confirms_by_sending_the_same_post_again(alice):
    with pytest.raises(MastodonAPIError) as refused:
        alice.status_post(PHI)
    assert refused.value.args[1] == 422
    assert 'name "Okafor"' in str(refused.value) and "send the same post again within 10 minutes" in str(refused.value)
    status = alice.status_post(PHI)
    assert "Okafor" in alice.status(status.id).content


def test_phi_resend_e2e_mastodon_py_image_with_a_burned_in_label_gets_422_with_findings(alice):
    media = alice.media_post(labelled_xray(), mime_type="image/png", synchronous=True)
    assert media.url and media.curbside["phi_status"] == "found"
    with pytest.raises(MastodonAPIError) as refused:
        alice.status_post("Old film, new question", media_ids=[media.id])
    assert refused.value.args[1] == 422
    assert 'record number "4482913" in an image' in str(refused.value)
    status = alice.status_post("Old film, new question", media_ids=[media.id])  # sent again: confirmed
    assert [a.id for a in alice.status(status.id).media_attachments] == [media.id]
