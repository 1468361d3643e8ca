"""A service's refusal (ServiceError) reaches every surface once mapped: the client API as {"error": message}
with the kind's status, the web pages as the error page, ActivityPub endpoints as JSON, the command line as
one line and exit code 1."""
from __future__ import annotations

import argparse

import pytest

from moderation.errors import Kind, ServiceError
from server.cli import database
from server.cli import main as cli
from server.services.reading import timelines as reading
from tests.support.members import member

STATUSES = [(Kind.INVALID, 422), (Kind.NOT_FOUND, 404), (Kind.FORBIDDEN, 403), (Kind.CONFLICT, 409),
            (Kind.RATE_LIMITED, 429), (Kind.EXPIRED, 400)]


def _refusing(kind: Kind):
    async def refuse(*args, **kwargs):
        raise ServiceError(f"refused as {kind.value}", kind, retry_after=7)
    return refuse


@pytest.mark.parametrize(("kind", "status"), STATUSES)
async def test_service_error_reaches_the_client_api_as_its_status(app, client, monkeypatch, kind, status):
    ada = await member(app, "ada")
    monkeypatch.setattr(reading, "public", _refusing(kind))
    response = await client.get("/api/v1/timelines/public", headers=ada.headers)
    assert response.status_code == status
    assert response.json() == {"error": f"refused as {kind.value}"}
    assert response.headers.get("retry-after") == "7"


@pytest.mark.parametrize(("kind", "status"), STATUSES)
async def test_service_error_reaches_a_web_page_as_the_error_page(client, monkeypatch, kind, status):
    monkeypatch.setattr(reading, "public", _refusing(kind))
    response = await client.get("/public", headers={"accept": "text/html"})
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert f"refused as {kind.value}" in response.text


@pytest.mark.parametrize(("kind", "status"), STATUSES)
async def test_service_error_reaches_activitypub_as_its_status(app, client, monkeypatch, kind, status):
    await member(app, "ada")
    monkeypatch.setattr(reading, "admit", _refusing(kind))
    response = await client.get("/users/ada/outbox", headers={"accept": "application/activity+json"})
    assert response.status_code == status
    assert response.json() == {"error": f"refused as {kind.value}"}


@pytest.mark.parametrize("kind", list(Kind))
def test_service_error_reaches_the_command_line_as_one_line(capsys, monkeypatch, kind):
    def command(settings, args):
        raise ServiceError(f"refused as {kind.value}", kind)

    monkeypatch.setattr(database, "check", command)
    settings = argparse.Namespace(log_level="WARNING", log_format="text", metrics_token="")
    monkeypatch.setattr(cli, "load_settings", lambda: settings)
    monkeypatch.setattr(cli, "configure_logging", lambda *args: None)
    assert cli.main(["check"]) == 1
    assert capsys.readouterr().err == f"curbside: refused as {kind.value}\n"
