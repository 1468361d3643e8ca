"""GET /metrics: the Prometheus text of the instance (server.metrics), for a scraper holding CURBSIDE_METRICS_TOKEN.

Without the setting the page does not exist (404); without the token as bearer, or with another, 401. Queue
figures and the verification requests waiting are read from the database now; the rest is counted as it happens."""
from __future__ import annotations

import hmac

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.db.models import Host, VerificationRequest
from server.db.types import utcnow
from server.metrics import exposition, gauge
from server.services.instance.queues import queue_states

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _authorised(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


async def _read_at_scrape(request: Request) -> list:
    async with request.app.state.sessions() as session:
        queues = await queue_states(session, utcnow())
        waiting = await session.scalar(select(func.count()).select_from(VerificationRequest)
                                       .where(VerificationRequest.state == "pending"))
        parked = await session.scalar(select(func.count()).select_from(Host).where(Host.unavailable_since.is_not(None)))
    return [
        gauge("curbside_queue_jobs", "Jobs waiting in a queue (due or backing off)",
              {name: state.queued for name, state in queues.items()}, "queue"),
        gauge("curbside_queue_oldest_due_seconds", "How long the oldest due job of a queue has waited",
              {name: state.oldest_due_seconds for name, state in queues.items()}, "queue"),
        gauge("curbside_verification_requests_pending", "Verification requests waiting for a reviewer", waiting),
        gauge("curbside_parked_hosts", "Remote hosts marked unavailable: their deliveries are parked until a probe "
              "gets through", parked),
    ]


async def metrics(request: Request) -> Response:
    token = request.app.state.settings.metrics_token
    if not token:
        return JSONResponse({"error": "Not Found"}, status_code=404)
    if not _authorised(request, token):
        return JSONResponse({"error": "a bearer token is needed (CURBSIDE_METRICS_TOKEN)"}, status_code=401,
                            headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    return Response(exposition(await _read_at_scrape(request)), media_type=CONTENT_TYPE)
