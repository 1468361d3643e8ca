"""Checks shared by the client API tests."""
from __future__ import annotations


async def check_auth(client, method: str, path: str, wrong_scope_headers: dict, **kwargs) -> None:
    """No token: 401; a token without the scope: 403."""
    response = await client.request(method, path, **kwargs)
    assert response.status_code == 401, (path, response.status_code, response.text)
    response = await client.request(method, path, headers=wrong_scope_headers, **kwargs)
    assert response.status_code == 403, (path, response.status_code, response.text)
