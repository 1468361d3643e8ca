import asyncio

import httpx
from starlette.routing import Route

from server.app import create_app


async def test_healthz_answers_200_when_database_reachable(client):
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_healthz_answers_503_when_database_unreachable(settings, tmp_path):
    from dataclasses import replace
    broken = replace(settings, database_url=(
        f"sqlite+aiosqlite:///{tmp_path}/missing-dir/x.db" if settings.is_sqlite
        else "postgresql+asyncpg://postgres@127.0.0.1:1/none"))
    app = create_app(broken)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                     base_url="https://t") as c:
            response = await c.get("/healthz")
    await asyncio.sleep(0.1)  # let aiosqlite's worker thread finish closing the failed connection
    assert response.status_code == 503 and response.json()["status"] == "unavailable"


async def test_errors_are_json_for_api_clients_and_carry_request_id(client):
    response = await client.get("/no/such/page")
    assert response.status_code == 404 and response.json() == {"error": "Not Found"}
    assert len(response.headers["x-request-id"]) == 16
    assert (await client.put("/healthz")).status_code == 405


async def test_errors_are_pages_for_browsers(client):
    response = await client.get("/missing", headers={"accept": "text/html"})
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")


async def test_request_id_from_client_is_echoed(client):
    response = await client.get("/healthz", headers={"x-request-id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


async def test_body_over_limit_is_413_by_length_and_by_stream(client, app):
    limit = app.state.settings.max_body_bytes
    response = await client.post("/healthz", content=b"x" * (limit + 1))
    assert response.status_code == 413 and "too large" in response.json()["error"]

    async def chunks():
        for _ in range(limit // 65536 + 2):
            yield b"y" * 65536

    async def echo_length(request):
        from starlette.responses import JSONResponse
        return JSONResponse({"n": len(await request.body())})

    app.router.routes.append(Route("/echo", echo_length, methods=["POST"]))
    streamed = await client.post("/echo", content=chunks())
    assert streamed.status_code == 413
    assert (await client.post("/echo", content=b"z" * 10)).json() == {"n": 10}


async def test_unhandled_error_is_500_without_traceback(client, app, caplog):
    async def boom(request):
        raise RuntimeError("secret internals")

    app.router.routes.append(Route("/boom", boom))
    response = await client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert response.headers["x-request-id"] in response.json()["error"]
    assert "secret internals" in caplog.text
