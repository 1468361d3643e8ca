"""GET /healthz: 200 when the database answers, 503 when it does not. GET /readyz: also 503 when a queue is not
being worked (its oldest due job waited longer than CURBSIDE_READY_MAX_QUEUE_AGE), with the reason in JSON."""
from __future__ import annotations

import asyncio

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.db.types import utcnow
from server.services.instance.queues import queue_states

TIMEOUT = 5  # seconds


def _unavailable(**reason: object) -> JSONResponse:
    return JSONResponse({"status": "unavailable", **reason}, status_code=503)


async def healthz(request: Request) -> JSONResponse:
    try:
        async with request.app.state.engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=TIMEOUT)
    except Exception as exc:  # any database failure means unhealthy, and says which
        return _unavailable(database=type(exc).__name__)
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    try:
        async with request.app.state.sessions() as session:
            states = await asyncio.wait_for(queue_states(session, utcnow()), timeout=TIMEOUT)
    except Exception as exc:  # as /healthz
        return _unavailable(database=type(exc).__name__)
    limit = request.app.state.settings.ready_max_queue_age
    late = {name: round(state.oldest_due_seconds) for name, state in states.items() if state.oldest_due_seconds > limit}
    if late:
        waits = ", ".join(f"{name} {seconds} s" for name, seconds in late.items())
        return _unavailable(reason=f"queue not being worked: oldest due job waited {waits} (limit {limit} s)",
                            oldest_due_seconds=late)
    return JSONResponse({"status": "ok"})
