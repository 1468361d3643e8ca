"""Media in object storage (server/storage) against a real S3-protocol server on loopback: uploads, previews,
avatars and headers land in the bucket and are served; deletes reach it; evidence stays private and reaches
staff only through the application; `curbside media migrate --to s3` copies the local disk resumably while
reads fall back to it."""
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from server.db.models import Account, MediaAttachment, VerificationRequest
from server.db.types import utcnow
from server.services.accounts.deletion import delete_account
from server.services.posts import media as media_service
from tests.support import s3
from tests.support.apps import client_of, running_app
from tests.support.images import camera_jpeg, plain
from tests.support.members import ALL_SCOPES, member

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://curbside.test"
PDF = b"%PDF-1.4\n% a licence scan\n"
FORM = {"profession": "physician", "specialty": "207RC0000X", "credential_type": "npi",
        "credential_number": "1234567893", "jurisdiction": "US-CA"}
ADMIN = "/api/v1/curbside/admin/verification_requests"


@pytest.fixture(scope="module")
def endpoint():
    with s3.s3_server() as url:
        yield url


@pytest.fixture
def bucket(endpoint):
    return s3.new_bucket(endpoint)


@pytest.fixture
async def s3_app(settings, endpoint, bucket):
    async with running_app(s3.with_bucket(settings, endpoint, bucket)) as application:
        yield application


@pytest.fixture
async def s3_client(s3_app):
    async with client_of(s3_app) as c:
        yield c


async def _upload(client, who, data: bytes) -> dict:
    response = await client.post("/api/v1/media", files={"file": ("photo.png", data, "image/png")},
                                 headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


def _key(url: str, base: str = BASE) -> str:
    return url.removeprefix(base + "/")


def _local_files(settings) -> list[Path]:
    return [p for folder in ("media", "evidence") for p in (settings.data_dir / folder).rglob("*") if p.is_file()]


async def _submit_evidence(client, who) -> dict:
    made = await client.post("/api/v1/curbside/verification_requests", data=FORM, headers=who.headers,
                             files={"evidence": ("licence.pdf", PDF, "application/pdf")})
    assert made.status_code == 201, made.text
    return made.json()


async def test_media_storage_upload_and_preview_land_in_the_bucket_and_are_served(s3_app, s3_client, endpoint,
                                                                                   bucket):
    alice = await member(s3_app, "alice")
    entity = await _upload(s3_client, alice, plain("PNG", (800, 600)))
    stored = s3.objects(endpoint, bucket)
    assert sorted(stored) == sorted([_key(entity["url"]), _key(entity["preview_url"])])
    assert _local_files(s3_app.state.settings) == []
    for url in (entity["url"], entity["preview_url"]):
        served = await s3_client.get(url.removeprefix(BASE))
        assert served.status_code == 200 and served.content == stored[_key(url)]
        assert served.headers["content-type"] == "image/png" and "immutable" in served.headers["cache-control"]
        assert served.headers["content-security-policy"] == "default-src 'none'; sandbox"


async def test_media_storage_avatar_and_header_go_to_the_bucket_and_leave_with_the_account(s3_app, s3_client,
                                                                                           endpoint, bucket):
    alice = await member(s3_app, "alice")
    files = {"avatar": ("me.jpg", camera_jpeg(300, 200, orientation=1), "image/jpeg"),
             "header": ("ward.png", plain("PNG", (600, 200)), "image/png")}
    account = (await s3_client.patch("/api/v1/accounts/update_credentials", files=files,
                                     headers=alice.headers)).json()
    upload = await _upload(s3_client, alice, plain())
    keys = {_key(account["avatar"]), _key(account["header"]), _key(upload["url"]), _key(upload["preview_url"])}
    assert set(s3.objects(endpoint, bucket)) == keys
    assert (await s3_client.get(account["avatar"].removeprefix(BASE))).status_code == 200
    async with s3_app.state.sessions() as session:
        found = (await session.execute(select(Account).where(Account.actor_id == alice.id))).scalar_one()
        await delete_account(s3_app.state.runtime, session, found)
        await session.commit()
    assert s3.objects(endpoint, bucket) == {}


async def test_media_storage_expired_uploads_are_deleted_from_the_bucket(s3_app, s3_client, endpoint, bucket):
    alice = await member(s3_app, "alice")
    kept, expired = await _upload(s3_client, alice, plain()), await _upload(s3_client, alice, plain())
    runtime = s3_app.state.runtime
    async with runtime.sessions() as session:
        await session.execute(update(MediaAttachment).where(MediaAttachment.id == int(expired["id"]))
                              .values(created_at=utcnow() - timedelta(days=2)))
        assert await media_service.remove_stale(runtime, session) == 1
        await session.commit()
    assert set(s3.objects(endpoint, bucket)) == {_key(kept["url"]), _key(kept["preview_url"])}
    assert (await s3_client.get(expired["url"].removeprefix(BASE))).status_code == 404


async def test_media_storage_public_url_serves_media_but_never_evidence(settings, endpoint, bucket):
    public = f"{endpoint}/{bucket}"  # the bucket itself, as a bucket website or a CDN in front of it would be
    async with running_app(s3.with_bucket(settings, endpoint, bucket, public_url=public)) as app:
        async with client_of(app) as client:
            ada = await member(app, "ada", scopes=ALL_SCOPES)
            entity = await _upload(client, ada, plain())
            assert entity["url"].startswith(f"{public}/media/") and entity["preview_url"].startswith(public)
            made = await _submit_evidence(client, ada)
            async with app.state.sessions() as session:
                key = (await session.get(VerificationRequest, int(made["id"]))).evidence_path
            assert key.startswith("evidence/") and key in s3.objects(endpoint, bucket)
            assert app.state.runtime.storage.public_url(key) is None
            assert public not in str(made) and key not in str(made)
            avatar = (await client.patch("/api/v1/accounts/update_credentials", headers=ada.headers,
                                         files={"avatar": ("me.png", plain(), "image/png")})).json()["avatar"]
            assert avatar.startswith(f"{public}/media/") and _key(avatar, public) in s3.objects(endpoint, bucket)
            async with app.state.sessions() as session:
                found = (await session.execute(select(Account).where(Account.actor_id == ada.id))).scalar_one()
                await delete_account(app.state.runtime, session, found)
                await session.commit()
            assert s3.objects(endpoint, bucket) == {}  # her upload, avatar and evidence


async def test_media_storage_evidence_reaches_staff_only_through_the_app(s3_app, s3_client, endpoint, bucket):
    ada = await member(s3_app, "ada", scopes=ALL_SCOPES)
    mod = await member(s3_app, "mod", role="moderator", scopes=ALL_SCOPES)
    made = await _submit_evidence(s3_client, ada)
    async with s3_app.state.sessions() as session:
        key = (await session.get(VerificationRequest, int(made["id"]))).evidence_path
    assert s3.objects(endpoint, bucket, "evidence/") == {key: PDF}
    assert (await s3_client.get(f"{ADMIN}/{made['id']}/evidence", headers=ada.headers)).status_code == 403
    for path in (f"/media/{key}", f"/media/../{key}", f"/media/%2e%2e/{key}", f"/{key}", "/media/" + "a/" * 600):
        assert (await s3_client.get(path)).status_code == 404, path
    download = await s3_client.get(f"{ADMIN}/{made['id']}/evidence", headers=mod.headers)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["cache-control"] == "no-store"
    assert download.headers["content-disposition"] == 'attachment; filename="licence.pdf"'
    approved = await s3_client.post(f"{ADMIN}/{made['id']}/approve", headers=mod.headers)
    assert approved.status_code == 200 and approved.json()["evidence"]["deleted"] is True
    assert s3.objects(endpoint, bucket, "evidence/") == {}


def _migrate(settings, endpoint: str, bucket: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **s3.env(endpoint, bucket), "CURBSIDE_DATA_DIR": str(settings.data_dir),
           "CURBSIDE_DATABASE_URL": settings.database_url, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "server.cli", "media", "migrate", "--to", "s3"], env=env,
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result


async def test_media_storage_migration_copies_resumably_while_reads_fall_back(settings, endpoint, bucket):
    async with running_app(settings) as app:  # an instance on the local disk, as every one was before
        async with client_of(app) as client:
            ada = await member(app, "ada", scopes=ALL_SCOPES)
            await member(app, "mod", role="moderator", scopes=ALL_SCOPES)
            entity = await _upload(client, ada, plain())
            made = await _submit_evidence(client, ada)
    local = {p.relative_to(settings.data_dir).as_posix(): p.read_bytes() for p in _local_files(settings)}
    assert len(local) == 3 and _key(entity["url"]) in local
    async with running_app(s3.with_bucket(settings, endpoint, bucket)) as app:
        async with client_of(app) as client:
            mod = await member(app, "mod2", role="moderator", scopes=ALL_SCOPES)

            async def readable() -> bool:
                media = await client.get(entity["url"].removeprefix(BASE))
                evidence = await client.get(f"{ADMIN}/{made['id']}/evidence", headers=mod.headers)
                return (media.content, evidence.content) == (local[_key(entity["url"])], PDF)

            assert s3.objects(endpoint, bucket) == {} and await readable()  # not copied yet: read from the disk
            first = _migrate(settings, endpoint, bucket)
            assert s3.objects(endpoint, bucket) == local
            assert "done: 3 copied" in first.stdout and "0 already in the bucket" in first.stdout
            progress = [line.split()[0] for line in first.stdout.splitlines() if line.endswith("bytes)")]
            assert progress == ["1/2", "2/2", "1/1"]  # the media, then the evidence
            s3.client(endpoint).delete_object(Bucket=bucket, Key=_key(entity["url"]))  # a copy cut short
            again = _migrate(settings, endpoint, bucket)
            assert "done: 1 copied" in again.stdout and "2 already in the bucket" in again.stdout
            assert s3.objects(endpoint, bucket) == local
            for path in _local_files(settings):
                path.unlink()
            assert await readable()  # from the bucket alone now


async def test_media_storage_local_keeps_evidence_private_on_disk(app, client):
    ada = await member(app, "ada", scopes=ALL_SCOPES)
    made = await _submit_evidence(client, ada)
    async with app.state.sessions() as session:
        key = (await session.get(VerificationRequest, int(made["id"]))).evidence_path
    path = app.state.settings.data_dir / key
    assert path.read_bytes() == PDF and path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700 and app.state.runtime.storage.public_url(key) is None
    assert (await client.get(f"/media/../{key}")).status_code == 404


def test_media_storage_migrate_without_a_bucket_is_one_line_exit_2(tmp_path):
    env = {**os.environ, "CURBSIDE_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "server.cli", "media", "migrate", "--to", "s3"], env=env,
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 2 and result.stderr.startswith("curbside: set CURBSIDE_S3_BUCKET")
    assert result.stderr.strip().count("\n") == 0


def test_media_storage_migrate_to_an_unreachable_store_is_one_line_exit_1(tmp_path):
    (tmp_path / "media" / "ab").mkdir(parents=True)
    (tmp_path / "media" / "ab" / f"ab{'0' * 30}.png").write_bytes(b"x")
    env = {**os.environ, **s3.env("http://127.0.0.1:1", "nowhere"), "CURBSIDE_DATA_DIR": str(tmp_path),
           "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "server.cli", "media", "migrate", "--to", "s3"], env=env,
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 1, result.stderr
    assert "copy to bucket nowhere stopped: EndpointConnectionError" in result.stderr
    assert result.stderr.strip().count("\n") == 0
