"""The web UI's foundation: sessions, CSRF on every form, what each page needs, security headers, themes."""
import pytest

from moderation.errors import ServiceError
from server.services.instance.site import check_accent, contrast
from server.web.page import safe_next
from server.web.routes import WEB_ROUTES
from tests.support.members import PASSWORD, member
from tests.support.web import csrf_of, form_token, log_in, member_session


async def test_web_login_sets_a_session_cookie_and_logout_ends_it(app, client):
    await member(app, "alice")
    done = await log_in(client, "alice")
    assert done.status_code == 303 and done.headers["location"] == "/home"
    cookie = done.headers["set-cookie"]
    assert "curbside_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    front = await client.get("/?about")
    assert 'action="/logout"' in front.text
    token = csrf_of(front.text)
    out = await client.post("/logout", data={"csrf_token": token})
    assert out.status_code == 303
    assert 'action="/logout"' not in (await client.get("/")).text


async def test_web_session_cookie_is_secure_on_https(app, client):
    assert app.state.settings.scheme == "https"
    await member(app, "bob")
    assert "Secure" in (await log_in(client, "bob")).headers["set-cookie"]


async def test_web_login_wrong_password_says_so_without_saying_which(app, client):
    await member(app, "carol")
    wrong = await log_in(client, "carol", "not the password")
    assert wrong.status_code == 400 and "invalid username or password" in wrong.text
    assert "curbside_session" not in wrong.headers.get("set-cookie", "")
    unknown = await log_in(client, "nobody", PASSWORD)
    assert unknown.status_code == 400 and "invalid username or password" in unknown.text


async def test_web_form_without_csrf_token_is_refused(app, client):
    await member(app, "dave")
    missing = await client.post("/login", data={"username": "dave", "password": PASSWORD})
    assert missing.status_code == 403 and "expired" in missing.text
    await form_token(client, "/login")
    forged = await client.post("/login", data={"csrf_token": "x" * 43, "username": "dave", "password": PASSWORD})
    assert forged.status_code == 403


async def test_web_form_from_another_origin_is_refused(app, client):
    await member(app, "erin")
    token = await form_token(client, "/login")
    cross = await client.post("/login", data={"csrf_token": token, "username": "erin", "password": PASSWORD},
                              headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403 and "another site" in cross.text
    same = await client.post("/login", data={"csrf_token": token, "username": "erin", "password": PASSWORD},
                             headers={"Origin": app.state.settings.base_url})
    assert same.status_code == 303


async def test_web_every_form_route_refuses_a_post_without_csrf(app, client):
    await member_session(app, client, "admin1", role="admin")
    for route in WEB_ROUTES:
        if "POST" not in route.methods or "{" in route.path:
            continue
        response = await client.post(route.path, data={"anything": "1"})
        assert response.status_code == 403, route.path


async def test_web_member_pages_send_visitors_to_login(app, client):
    for route in WEB_ROUTES:
        if route.need == "anyone" or "GET" not in route.methods or "{" in route.path:
            continue
        response = await client.get(route.path)
        assert response.status_code == 303, route.path
        assert response.headers["location"].startswith("/login?next="), route.path


async def test_web_staff_pages_refuse_members(app, client):
    await member_session(app, client, "plain")
    staff_routes = [r for r in WEB_ROUTES
                    if r.need in ("moderator", "admin") and "GET" in r.methods and "{" not in r.path]
    for route in staff_routes:
        assert (await client.get(route.path)).status_code == 403, route.path


async def test_web_pages_carry_security_headers(client):
    page = await client.get("/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert page.headers["x-frame-options"] == "DENY" and page.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in page.text and " style=" not in page.text


async def test_web_login_returns_to_a_local_page_only(app, client):
    assert safe_next("/settings?tab=1") == "/settings?tab=1"
    for hostile in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", ""):
        assert safe_next(hostile) == "/home"
    await member(app, "frank")
    token = await form_token(client, "/login")
    response = await client.post("/login", data={"csrf_token": token, "username": "frank", "password": PASSWORD,
                                                 "next": "//evil.example/x"})
    assert response.headers["location"] == "/home"


async def test_web_static_files_fall_back_to_the_default_theme(app, client):
    theme = app.state.settings.data_dir / "themes" / "society"
    (theme / "static").mkdir(parents=True)
    (theme / "static" / "style.css").write_text("body { color: #123456; }")
    assert "society" in app.state.themes.available()
    async with app.state.sessions() as session:
        from server.services.instance import site
        await site.update(session, app.state.themes.available(), theme="society")
        await session.commit()
    assert "#123456" in (await client.get("/static/style.css")).text
    assert (await client.get("/static/app.js")).status_code == 200  # not overridden: the default's
    assert (await client.get("/static/../secret_key")).status_code == 404
    assert (await client.get("/static/%2e%2e/%2e%2e/secret_key")).status_code == 404


async def test_web_theme_css_carries_the_admins_accent(app, client):
    async with app.state.sessions() as session:
        from server.services.instance import site
        await site.update(session, ["default"], accent_color="#7A1F5C")
        await session.commit()
    css = (await client.get("/theme.css")).text
    assert "--accent: #7a1f5c" in css and "--on-accent: #ffffff" in css


def test_site_accent_colour_must_be_readable():
    assert check_accent("#0B5CAB") == "#0b5cab"
    with pytest.raises(ServiceError, match="too light"):
        check_accent("#ffd700")
    with pytest.raises(ServiceError, match="#0b5cab"):
        check_accent("blue")
    assert round(contrast("#000000", "#ffffff")) == 21


async def test_web_unknown_page_is_a_themed_404(client):
    page = await client.get("/no/such/page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "Not found" in page.text and "/static/style.css" in page.text
