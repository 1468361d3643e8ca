"""Request parameters as Mastodon clients send them: JSON, form-encoded or multipart, or the query string."""
from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.requests import Request


async def read_params(request: Request) -> dict:
    """Merge query and body parameters; `key[]` form fields become lists under `key`."""
    params: dict = dict(request.query_params)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            body = json.loads(await request.body() or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise HTTPException(400, "malformed JSON body") from None
        if not isinstance(body, dict):
            raise HTTPException(400, "the JSON body must be an object")
        params.update(body)
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        for key in form.keys():
            values = form.getlist(key)
            if key.endswith("[]"):
                params[key[:-2]] = values
            else:
                params[key] = values[-1]
    return params


def flag(value) -> bool:
    """Mastodon's boolean parameters: true/1/on as well as JSON true."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "on", "yes")
