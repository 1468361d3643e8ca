"""Mail over SMTP: the URL setting, sending to a real server on loopback, failures as MailError."""
import dataclasses

import pytest

from server.services.instance.mail import MailError, Message, SmtpConfig, send_mail, send_quietly
from server.settings import SettingsError, load_settings
from tests.support.postgres import free_port

pytestmark = pytest.mark.anyio


def test_mail_smtp_url_forms():
    assert SmtpConfig.parse("smtp://u%40x:p%3Ass@mail.example:587?starttls=true") == \
        SmtpConfig("mail.example", 587, "u@x", "p:ss", "starttls")
    assert SmtpConfig.parse("smtps://mail.example").port == 465
    assert SmtpConfig.parse("smtp://mail.example") == SmtpConfig("mail.example", 25, None, None, "plain")


@pytest.mark.parametrize("name,value", [("SMTP_URL", "http://mail.example"), ("SMTP_URL", "smtp://"),
                                        ("SMTP_FROM", "not an address"), ("VERIFICATION_VALID_DAYS", "0"),
                                        ("EVIDENCE_RETENTION_DAYS", "-1")])
def test_mail_settings_refuse_bad_values(tmp_path, name, value):
    with pytest.raises(SettingsError) as error:
        load_settings({"CURBSIDE_DATA_DIR": str(tmp_path), f"CURBSIDE_{name}": value})
    assert error.value.name == f"CURBSIDE_{name}"


async def test_mail_is_delivered_to_a_real_smtp_server(tmp_path, smtp):
    settings = dataclasses.replace(load_settings({"CURBSIDE_DATA_DIR": str(tmp_path)}), smtp_url=smtp.url,
                                   instance_name="Cardiology Society")
    sent = await send_mail(settings, [Message("a@example.org", "Hello", "Body one"),
                                      Message("b@example.org", "Hi", "Body two")])
    assert sent == 2
    [first] = smtp.mailbox.wait_for("a@example.org")
    assert first["Subject"] == "Hello" and first.get_content().strip() == "Body one"
    assert first["From"] == "Cardiology Society <noreply@localhost>"


async def test_mail_failure_is_a_mail_error_or_logged_quietly(tmp_path, caplog):
    base = load_settings({"CURBSIDE_DATA_DIR": str(tmp_path)})
    assert await send_mail(base, [Message("a@example.org", "s", "b")]) == 0  # no SMTP: logged only
    down = dataclasses.replace(base, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    with pytest.raises(MailError):
        await send_mail(down, [Message("a@example.org", "s", "b")])
    assert await send_quietly(down, [Message("a@example.org", "s", "b")]) == 0
    assert "sending mail failed" in caplog.text
