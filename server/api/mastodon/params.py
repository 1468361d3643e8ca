"""Request parameters as Mastodon clients send them: JSON, form-encoded or multipart, or the query string.

Checked at the edge, before any handler sees them: text holding NUL or a lone surrogate and JSON nested
deeper than any parameter goes are refused whole (federation.json_input's rule), and handlers read each
value through a typed reader of `Params` (text, flag, id, ids, integer, texts, moment) that answers 422 naming
the parameter when a client sends the wrong type."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from starlette.datastructures import QueryParams, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from federation.json_input import JsonRefused, parse_json, refusal, valid_text
from server.db.ids import MAX_ID, as_id  # noqa: F401 - the API's readers and handlers take them from here

MAX_DEPTH = 4  # parameters go two levels deep at most: keywords_attributes: [{"keyword": ...}]
_INTEGER = re.compile(r"-?[0-9]{1,18}")
TRUE = ("1", "true", "on", "yes")
FALSE = ("0", "false", "off", "no", "")


def flag(value) -> bool:
    """Mastodon's boolean parameters: true/1/on as well as JSON true."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in TRUE


def invalid(name: str, what: str) -> HTTPException:
    return HTTPException(422, f"Validation failed: {name} must be {what}")


class Params(dict):
    """Parameters by name; handlers read them through the typed readers below."""

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.get(name)
        if value is None:
            return default
        if not isinstance(value, str):
            raise invalid(name, "text")
        return value

    def flag(self, name: str, default: bool | None = None) -> bool | None:
        value = self.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, (str, int)) and str(value).strip().lower() in TRUE + FALSE:
            return str(value).strip().lower() in TRUE
        raise invalid(name, "true or false")

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_ID:
            return value
        if isinstance(value, float) and value.is_integer() and abs(value) <= MAX_ID:
            return int(value)
        raise invalid(name, "a whole number")

    def id(self, name: str) -> int | None:
        """None when absent; 422 for what cannot be a stored id (wrong type, not digits, beyond 64 bits)."""
        value = self.get(name)
        if value is None or value == "":
            return None
        found = as_id(value)
        if found is None:
            raise invalid(name, "an id")
        return found

    def ids(self, name: str) -> list[int]:
        """A list of ids (`name[]` in forms and query strings, an array in JSON); a single id counts as one."""
        value = self.get(name)
        values = value if isinstance(value, list) else [] if value is None or value == "" else [value]
        found = [as_id(v) for v in values]
        if None in found:
            raise invalid(name, "a list of ids")
        return found

    def texts(self, name: str) -> list[str] | None:
        """A list of strings (a single string counts as one); None when absent."""
        value = self.get(name)
        if value is None:
            return None
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values):
            raise invalid(name, "a list of text")
        return values

    def moment(self, name: str) -> datetime | None:
        """An ISO 8601 date and time (UTC when it names no offset); None when absent."""
        value = self.text(name)
        if value is None or value == "":
            return None
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
            return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
        except (ValueError, OverflowError):
            raise invalid(name, "an ISO 8601 date and time") from None

    def object(self, name: str) -> dict | None:
        value = self.get(name)
        if value is not None and not isinstance(value, dict):
            raise invalid(name, "an object")
        return value


def _check(name: Any, value: Any) -> None:
    if not isinstance(name, str) or not valid_text(name):
        raise HTTPException(422, "Validation failed: a parameter name is not valid text")
    if isinstance(value, UploadFile):
        value = value.filename or ""
    reason = refusal(value, MAX_DEPTH)
    if reason:
        raise HTTPException(422, f"Validation failed: {name} {reason}")


async def _json_body(request: Request) -> dict:
    try:
        body = parse_json((await request.body() or b"{}").decode("utf-8"))
    except (JsonRefused, UnicodeDecodeError) as exc:
        raise HTTPException(400, f"malformed JSON body: {getattr(exc, 'reason', 'not UTF-8')}") from None
    if not isinstance(body, dict):
        raise HTTPException(400, "the JSON body must be an object")
    return body


async def read_params(request: Request) -> Params:
    """Merge query and body parameters; `key[]` fields become lists under `key`."""
    params = query(request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        params.update(await _json_body(request))
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        for key in form.keys():
            values = form.getlist(key)
            if key.endswith("[]"):
                params[key[:-2]] = values
            else:
                params[key] = values[-1]
    for name, value in params.items():
        _check(name, value)
    return params


def check_query(query_params: QueryParams) -> None:
    """422 for a query string holding NUL (%00); undecodable bytes arrive replaced, never as lone surrogates."""
    for name, value in query_params.multi_items():
        _check(name, value)


def query(request: Request) -> Params:
    """The query string's parameters (checked by ApiRoute), with the same readers; `key[]` becomes a list
    under `key`."""
    params = Params(request.query_params)
    for key in {k for k in request.query_params if k.endswith("[]")}:
        params[key[:-2]] = request.query_params.getlist(key)
    return params


def query_list(request: Request, name: str) -> list[str]:
    """A list from the query string, as `name[]=a&name[]=b` or `name=a&name=b`."""
    return request.query_params.getlist(f"{name}[]") or request.query_params.getlist(name)


def query_ids(request: Request, name: str, maximum: int | None = None) -> list[int]:
    """The distinct ids of `name[]` in the query string, in the order given; a value that cannot name a row is left
    out (Mastodon finds nothing for it). More than `maximum` is a 422, as Mastodon answers."""
    values = query_list(request, name)
    if maximum is not None and len(values) > maximum:
        raise invalid(name, f"at most {maximum} ids")
    return list(dict.fromkeys(found for found in map(as_id, values) if found is not None))
