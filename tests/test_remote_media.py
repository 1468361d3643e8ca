"""Other servers' media served from our storage (server.services.federation.remote_media): the client API gives
local URLs (the original in `remote_url`), the first view fetches the file from the fake remote through the SSRF
guard and stores a stripped copy (local disk, or a real S3-protocol server), later views are served from the copy,
reject-media hosts are never fetched, and `curbside media prune --remote-older-than DAYS` removes old copies,
which the next view fetches again."""
import asyncio
import dataclasses
import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy import select, update

from moderation.domains import Severity
from server.db.models import Post, RemoteMedia
from server.db.types import utcnow
from tests.support import s3
from tests.support.apps import client_of, running_app
from tests.support.fake_remote import create, deliver, drain
from tests.support.images import camera_jpeg
from tests.support.members import member
from tests.support.moderation import host_of, set_policy
from tests.support.web import member_session

ROOT = Path(__file__).resolve().parent.parent
PHOTO, AVATAR = "/files/photo.jpg", "/files/avatar.jpg"


def _path(url: str) -> str:
    return urlsplit(url).path


async def _remote_post(app, client, remote) -> tuple[Post, dict]:
    """A public remote post with a photo, by an author with an avatar; the status as a member's app sees it."""
    author = remote.actor("rhea")
    remote.docs[_path(author.uri)]["icon"] = {"type": "Image", "mediaType": "image/jpeg", "url": remote.base + AVATAR}
    for path in (PHOTO, AVATAR):
        remote.files[path] = ("image/jpeg", camera_jpeg(600, 400))
    note = remote.note(author, 1, attachment=[{"type": "Document", "mediaType": "image/jpeg",
                                               "url": remote.base + PHOTO, "name": "an X-ray"}])
    assert (await deliver(client, author, create(note))).status_code == 202
    await drain(app)
    async with app.state.sessions() as session:
        post = (await session.execute(select(Post).where(Post.uri == note["id"]))).scalar_one()
    reader = await member(app, "reader")
    response = await client.get(f"/api/v1/statuses/{post.id}", headers=reader.headers)
    assert response.status_code == 200, response.text
    return post, response.json()


async def _rows(app) -> list[RemoteMedia]:
    async with app.state.sessions() as session:
        return list((await session.execute(select(RemoteMedia))).scalars())


def _fetches(remote, path: str) -> int:
    return remote.requested.count(path)


def _prune(settings, days: int, **env) -> subprocess.CompletedProcess:
    env = {**os.environ, "CURBSIDE_DATA_DIR": str(settings.data_dir), "CURBSIDE_DATABASE_URL": settings.database_url,
           "CURBSIDE_DOMAIN": settings.domain, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-m", "server.cli", "media", "prune", "--remote-older-than", str(days)],
                          env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)


async def _age(app, days: int) -> None:
    async with app.state.sessions() as session:
        await session.execute(update(RemoteMedia).values(fetched_at=utcnow() - timedelta(days=days)))
        await session.commit()


async def test_remote_media_api_gives_local_urls_and_the_first_view_stores_a_stripped_copy(fed_app, fed_client,
                                                                                          remote):
    _post, status = await _remote_post(fed_app, fed_client, remote)
    [photo] = status["media_attachments"]
    base = fed_app.state.settings.base_url
    assert photo["remote_url"] == remote.base + PHOTO
    assert photo["url"].startswith(base + "/media/remote/") and photo["preview_url"] == photo["url"]
    assert status["account"]["avatar"].startswith(base + "/media/remote/")
    assert _fetches(remote, PHOTO) == 0  # taking the post in fetched no media

    first = await fed_client.get(_path(photo["url"]))
    assert first.status_code == 200 and first.headers["content-type"] == "image/jpeg"
    assert first.headers["x-content-type-options"] == "nosniff"
    image = Image.open(io.BytesIO(first.content))
    assert image.size == (400, 600)  # turned upright (EXIF orientation 6), then stripped
    assert not image.getexif() and "icc_profile" not in image.info and b"Ward 7" not in first.content
    again = await fed_client.get(_path(photo["url"]))
    assert again.content == first.content and _fetches(remote, PHOTO) == 1  # the second view is our copy

    [row] = await _rows(fed_app)
    assert row.url == remote.base + PHOTO and row.size == len(first.content)
    assert abs((utcnow() - row.fetched_at).total_seconds()) < 60
    assert await fed_app.state.runtime.storage.get(row.file_key) == first.content
    assert (await fed_client.get(_path(status["account"]["avatar"]))).status_code == 200


async def test_remote_media_viewers_at_once_share_one_fetch(fed_app, fed_client, remote):
    remote.files[PHOTO] = ("image/jpeg", camera_jpeg(600, 400))
    local = _path(fed_app.state.urls.remote_media(remote.base + PHOTO))
    served = await asyncio.gather(*(fed_client.get(local) for _ in range(5)))
    assert {r.status_code for r in served} == {200} and len({r.content for r in served}) == 1
    assert _fetches(remote, PHOTO) == 1 and len(await _rows(fed_app)) == 1


async def test_remote_media_web_pages_show_the_local_copies(fed_app, fed_client, remote):
    _post, status = await _remote_post(fed_app, fed_client, remote)
    await member_session(fed_app, fed_client, "viewer")
    page = await fed_client.get("/federated")
    assert page.status_code == 200
    assert f'src="{status["media_attachments"][0]["url"]}"' in page.text
    assert status["account"]["avatar"] in page.text and remote.base + PHOTO not in page.text


async def test_remote_media_prune_deletes_old_copies_and_the_next_view_fetches_again(fed_app, fed_client, remote):
    _post, status = await _remote_post(fed_app, fed_client, remote)
    photo = _path(status["media_attachments"][0]["url"])
    await fed_client.get(photo)
    await fed_client.get(_path(status["account"]["avatar"]))
    [old, new] = await _rows(fed_app)
    await _age(fed_app, 10)
    async with fed_app.state.sessions() as session:  # one copy is recent: prune leaves it
        await session.execute(update(RemoteMedia).where(RemoteMedia.url_hash == new.url_hash)
                              .values(fetched_at=utcnow() - timedelta(days=1)))
        await session.commit()

    done = _prune(fed_app.state.settings, 7)
    assert done.returncode == 0, done.stderr
    assert f"pruned 1 cached remote media file fetched more than 7 days ago, {old.size} bytes freed" in done.stdout
    assert [r.url_hash for r in await _rows(fed_app)] == [new.url_hash]
    assert await fed_app.state.runtime.storage.get(old.file_key) is None
    assert await fed_app.state.runtime.storage.get(new.file_key) is not None

    before = _fetches(remote, _path(old.url))
    assert (await fed_client.get(photo if old.url.endswith(PHOTO) else _path(status["account"]["avatar"]))
            ).status_code == 200
    assert _fetches(remote, _path(old.url)) == before + 1 and len(await _rows(fed_app)) == 2


async def test_remote_media_from_a_reject_media_host_is_never_fetched_nor_served(fed_app, fed_client, remote):
    _post, status = await _remote_post(fed_app, fed_client, remote)
    photo = _path(status["media_attachments"][0]["url"])
    assert (await fed_client.get(photo)).status_code == 200
    await set_policy(fed_app, host_of(remote), Severity.NOOP, reject_media=True)
    avatar = await fed_client.get(_path(status["account"]["avatar"]))
    assert avatar.status_code == 403 and "not accepted" in avatar.text
    assert _fetches(remote, AVATAR) == 0
    assert (await fed_client.get(photo)).status_code == 403  # nor from the copy made before the policy


async def test_remote_media_only_urls_we_signed_are_fetched(fed_app, fed_client, remote):
    remote.files[PHOTO] = ("image/jpeg", camera_jpeg(60, 40))
    local = _path(fed_app.state.urls.remote_media(remote.base + PHOTO))
    signature, encoded = local.split("/")[3:5]
    other = _path(fed_app.state.urls.remote_media(remote.base + "/files/other.jpg")).split("/")[4]
    for forged in (f"/media/remote/{signature}/{other}", f"/media/remote/{'A' * 24}/{encoded}",
                   f"/media/remote/{signature}/%%%", "/media/remote/x/y"):
        response = await fed_client.get(forged)
        assert response.status_code == 404, forged
    assert _fetches(remote, PHOTO) == 0 and (await fed_client.get(local)).status_code == 200


async def test_remote_media_refuses_other_types_and_oversized_files(fed_settings, remote):
    async with running_app(dataclasses.replace(fed_settings, max_upload_bytes=20_000)) as app:
        async with client_of(app) as client:
            remote.files["/files/page.jpg"] = ("text/html", b"<script>alert(1)</script>")
            remote.files["/files/logo.svg"] = ("image/svg+xml", b"<svg onload='alert(1)'/>")
            remote.files["/files/big.gif"] = ("image/gif", b"GIF89a" + b"\0" * 30_000)
            remote.files["/files/fake.png"] = ("image/png", b"not a png at all")
            for path, why in (("/files/page.jpg", "unexpected content type 'text/html'"),
                              ("/files/logo.svg", "unexpected content type 'image/svg+xml'"),
                              ("/files/big.gif", "larger than 20000 bytes"), ("/files/fake.png", "not a usable image")):
                response = await client.get(_path(app.state.urls.remote_media(remote.base + path)))
                assert response.status_code == 502 and why in response.text, (path, response.text)
            assert await _rows(app) == []


async def test_remote_media_fetch_goes_through_the_ssrf_guard(settings, remote):
    async with running_app(dataclasses.replace(settings, allow_http=True)) as app:  # loopback not allowed
        async with client_of(app) as client:
            remote.files[PHOTO] = ("image/jpeg", camera_jpeg(60, 40))
            response = await client.get(_path(app.state.urls.remote_media(remote.base + PHOTO)))
            assert response.status_code == 502 and remote.server.connections == 0
            assert await _rows(app) == []


@pytest.fixture(scope="module")
def endpoint():
    with s3.s3_server() as url:
        yield url


async def test_remote_media_cache_in_the_bucket_and_pruned_from_it(fed_settings, endpoint, remote):
    bucket = s3.new_bucket(endpoint)
    async with running_app(s3.with_bucket(fed_settings, endpoint, bucket)) as app:
        async with client_of(app) as client:
            _post, status = await _remote_post(app, client, remote)
            photo = _path(status["media_attachments"][0]["url"])
            served = await client.get(photo)
            assert served.status_code == 200
            [row] = await _rows(app)
            assert s3.objects(endpoint, bucket, "media/remote/") == {row.file_key: served.content}
            assert not (app.state.settings.data_dir / row.file_key).exists()

            await _age(app, 3)
            done = _prune(app.state.settings, 2, **s3.env(endpoint, bucket))
            assert done.returncode == 0 and "pruned 1 cached remote media file" in done.stdout, done.stderr
            assert s3.objects(endpoint, bucket, "media/remote/") == {} and await _rows(app) == []
            assert (await client.get(photo)).content == served.content and _fetches(remote, PHOTO) == 2
            assert list(s3.objects(endpoint, bucket, "media/remote/")) == [row.file_key]


async def test_remote_media_with_a_public_bucket_url_redirects_to_the_copy(fed_settings, endpoint, remote):
    bucket = s3.new_bucket(endpoint)
    cdn = "https://cdn.society.example"
    async with running_app(s3.with_bucket(fed_settings, endpoint, bucket, public_url=cdn)) as app:
        async with client_of(app) as client:
            remote.files[PHOTO] = ("image/jpeg", camera_jpeg(60, 40))
            local = _path(app.state.urls.remote_media(remote.base + PHOTO))
            assert (await client.get(local)).status_code == 200  # fetched, stored, and served this once
            [row] = await _rows(app)
            again = await client.get(local)
            assert again.status_code == 302 and again.headers["location"] == f"{cdn}/{row.file_key}"
            assert _fetches(remote, PHOTO) == 1


def test_remote_media_prune_wants_a_whole_number_of_days(tmp_path):
    env = {**os.environ, "CURBSIDE_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "server.cli", "media", "prune", "--remote-older-than", "-3"],
                            env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 2 and "whole number of days" in result.stderr


async def test_remote_media_of_a_deleted_post_are_no_longer_served_and_prune_removes_their_files(
        fed_app, fed_client, remote):
    post, status = await _remote_post(fed_app, fed_client, remote)
    [photo] = status["media_attachments"]
    shown = await fed_client.get(_path(photo["url"]))
    assert shown.status_code == 200
    assert shown.headers["cache-control"] == "public, max-age=86400"  # not immutable: a deletion takes effect
    [row] = await _rows(fed_app)
    author = remote.actor("rhea")
    delete = {"@context": "https://www.w3.org/ns/activitystreams", "id": post.uri + "#delete", "type": "Delete",
              "actor": author.uri, "object": {"id": post.uri, "type": "Tombstone"}}
    assert (await deliver(fed_client, author, delete)).status_code == 202
    await drain(fed_app)
    async with fed_app.state.sessions() as session:
        assert await session.get(Post, post.id) is None
    gone = await fed_client.get(_path(photo["url"]))
    assert gone.status_code == 404 and _fetches(remote, PHOTO) == 1  # neither served nor fetched again
    done = _prune(fed_app.state.settings, 30)
    assert done.returncode == 0 and "pruned 1 cached remote media file" in done.stdout, done.stderr
    assert await fed_app.state.runtime.storage.get(row.file_key) is None
    assert (await fed_client.get(_path(photo["url"]))).status_code == 404
    assert (await fed_client.get(_path(status["account"]["avatar"]))).status_code == 200  # the author's stay


async def test_remote_media_of_a_suspended_domain_are_withdrawn_with_its_posts_and_pruned(fed_app, fed_client,
                                                                                      remote):
    post, status = await _remote_post(fed_app, fed_client, remote)
    assert (await fed_client.get(_path(status["media_attachments"][0]["url"]))).status_code == 200
    [row] = await _rows(fed_app)
    await set_policy(fed_app, host_of(remote), Severity.SUSPEND)
    async with fed_app.state.sessions() as session:
        assert await session.get(Post, post.id) is None
    assert [r.media_type for r in await _rows(fed_app)] == ["gone"]  # whichever host served the file
    done = _prune(fed_app.state.settings, 30)
    assert done.returncode == 0 and "pruned 1 cached remote media file" in done.stdout, done.stderr
    assert await fed_app.state.runtime.storage.get(row.file_key) is None
