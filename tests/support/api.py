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
