"""Steps and checks shared by the client API tests."""
from __future__ import annotations

from tests.support.members import Member


async def status(client, who: Member, text: str = "hello", **extra) -> dict:
    """`who` posts `text` through the client API (`extra`: visibility, in_reply_to_id, poll...); the Status."""
    response = await client.post("/api/v1/statuses", json={"status": text, **extra}, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def check_auth(client, method: str, path: str, wrong_scope_headers: dict, **kwargs) -> None:
    """No token: 401; a token without the scope: 403."""
    response = await client.request(method, path, **kwargs)
    assert response.status_code == 401, (path, response.status_code, response.text)
    response = await client.request(method, path, headers=wrong_scope_headers, **kwargs)
    assert response.status_code == 403, (path, response.status_code, response.text)


async def media_ready(client, headers: dict[str, str], response, timeout: float = 30.0) -> dict:
    """The upload's entity once the privacy guard has looked at it: v2 answers 202 while it looks, and
    GET /api/v1/media/:id answers 206 until the verdict is in, then 200."""
    import anyio

    assert response.status_code in (200, 202), response.text
    entity = response.json()
    with anyio.fail_after(timeout):
        while entity["curbside"]["phi_status"] == "queued":
            await anyio.sleep(0.05)
            polled = await client.get(f"/api/v1/media/{entity['id']}", headers=headers)
            entity = polled.json()
            assert polled.status_code == (206 if entity["curbside"]["phi_status"] == "queued" else 200), polled.text
    return entity
