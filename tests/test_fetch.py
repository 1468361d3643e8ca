"""Safe fetching: real HTTP servers on 127.0.0.1, real sockets, no mocks of httpx."""
import datetime
import json
import ssl
import time

import httpcore
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from loopback_server import Reply, json_reply, never, redirect, serve

from federation.fetch import AP_ACCEPT, Fetcher, FetchError, parse_object
from federation.netguard import address_refusal, make_client
from federation.urls import origin, same_origin

ACTOR = json.dumps({"id": "https://remote.example/users/bob", "type": "Person"}).encode()
# Module-level marker: conftest adds it too late for parametrized async tests (their params get lost).
pytestmark = pytest.mark.anyio
PUBLIC_IP = "93.184.216.34"  # a global address; FakeInternet routes it to a loopback server


def lax_fetcher(**kw) -> Fetcher:
    return Fetcher(allow_http=True, allow_private=True, **kw)


def strict_fetcher(**kw) -> Fetcher:
    return Fetcher(allow_http=True, allow_private=False, **kw)


def routes(table: dict[str, Reply]):
    async def handler(request):
        return table.get(request.target, Reply(404))

    return handler


class FakeInternet(httpcore.AsyncNetworkBackend):
    """Stands in for the internet: dialing a listed public IP reaches a loopback port."""

    def __init__(self, ports: dict[str, int]) -> None:
        self.ports = ports
        self.dialed: list[str] = []

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.dialed.append(host)
        if host not in self.ports:
            raise httpcore.ConnectError(f"unreachable {host}")
        return await httpcore.AnyIOBackend().connect_tcp("127.0.0.1", self.ports[host], timeout)

    async def sleep(self, seconds):
        pass


def fake_dns(table: dict[str, list[str]], calls: list[str] | None = None):
    async def resolve(host, port):
        if calls is not None:
            calls.append(host)
        answer = table.get(host, [host])  # IP literals resolve to themselves
        return answer.pop(0) if isinstance(answer[0], list) else answer

    return resolve


# --- success, redirects ---------------------------------------------------------------


async def test_fetch_get_json_returns_object_and_sends_accept():
    async with serve(routes({"/bob": json_reply(ACTOR)})) as server, lax_fetcher() as fetcher:
        data = await fetcher.get_json(server.url("/bob"))
    assert data["id"] == "https://remote.example/users/bob"
    assert server.requests[0].headers["accept"] == AP_ACCEPT


async def test_fetch_follows_three_redirects_and_reports_final_url():
    table = {"/r3": redirect("/r2"), "/r2": redirect("/r1", 301), "/r1": redirect("/bob", 308)}
    table["/bob"] = json_reply(ACTOR)
    async with serve(routes(table)) as server, lax_fetcher() as fetcher:
        fetched = await fetcher.fetch_json(server.url("/r3"))
    assert fetched.data["type"] == "Person"
    assert fetched.url == server.url("/bob")
    assert [r.target for r in server.requests] == ["/r3", "/r2", "/r1", "/bob"]


async def test_fetch_refuses_a_fourth_redirect():
    table = {f"/r{i}": redirect(f"/r{i - 1}") for i in range(1, 5)}
    table["/r0"] = json_reply(ACTOR)
    async with serve(routes(table)) as server, lax_fetcher() as fetcher:
        with pytest.raises(FetchError, match="redirects"):
            await fetcher.get_json(server.url("/r4"))
    assert "/r0" not in [r.target for r in server.requests]


async def test_fetch_redirect_to_other_scheme_is_refused():
    async with serve(routes({"/r": redirect("file:///etc/passwd")})) as server:
        async with lax_fetcher() as fetcher:
            with pytest.raises(FetchError, match="only"):
                await fetcher.get_json(server.url("/r"))


async def test_fetch_refuses_http_unless_allowed():
    async with serve(routes({"/bob": json_reply(ACTOR)})) as server:
        async with Fetcher(allow_private=True) as fetcher:
            with pytest.raises(FetchError, match="only https"):
                await fetcher.get_json(server.url("/bob"))
    assert server.connections == 0


# --- hostile responses ----------------------------------------------------------------


@pytest.mark.parametrize("send_length", [True, False])
async def test_fetch_aborts_body_over_max_bytes(send_length):
    body = json.dumps({"pad": "x" * 5000}).encode()
    reply = json_reply(body, send_length=send_length, chunk_size=1000)
    async with serve(routes({"/big": reply})) as server, lax_fetcher(max_bytes=4000) as fetcher:
        with pytest.raises(FetchError, match="larger than 4000"):
            await fetcher.get_json(server.url("/big"))


async def test_fetch_accepts_body_of_exactly_max_bytes():
    body = json.dumps({"pad": "x" * 100}).encode()
    async with serve(routes({"/o": json_reply(body, send_length=False)})) as server:
        async with lax_fetcher(max_bytes=len(body)) as fetcher:
            assert (await fetcher.get_json(server.url("/o")))["pad"] == "x" * 100


@pytest.mark.parametrize("content_type", ["text/html", "application/xml", ""])
async def test_fetch_refuses_non_json_content_type(content_type):
    reply = Reply(200, {"Content-Type": content_type} if content_type else {}, ACTOR)
    async with serve(routes({"/o": reply})) as server, lax_fetcher() as fetcher:
        with pytest.raises(FetchError, match="content type"):
            await fetcher.get_json(server.url("/o"))


@pytest.mark.parametrize(
    "content_type",
    ["application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
     "application/json; charset=utf-8", "Application/Activity+JSON"],
)
async def test_fetch_accepts_json_content_types(content_type):
    async with serve(routes({"/o": json_reply(ACTOR, content_type)})) as server:
        async with lax_fetcher() as fetcher:
            assert (await fetcher.get_json(server.url("/o")))["type"] == "Person"


@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"null", b"{not json", b"[" * 100_000])
async def test_fetch_refuses_non_object_json(body):
    async with serve(routes({"/o": json_reply(body)})) as server, lax_fetcher() as fetcher:
        with pytest.raises(FetchError, match="JSON"):
            await fetcher.get_json(server.url("/o"))


@pytest.mark.parametrize("status", [404, 410, 500])
async def test_fetch_error_carries_http_status(status):
    async with serve(routes({})) as server, lax_fetcher() as fetcher:
        server.handler = lambda request: _reply(Reply(status))
        with pytest.raises(FetchError) as caught:
            await fetcher.get_json(server.url("/o"))
    assert caught.value.status == status


async def _reply(reply):
    return reply


async def test_fetch_times_out_on_silent_server():
    async with serve(never) as server, lax_fetcher(timeout=0.3) as fetcher:
        started = time.monotonic()
        with pytest.raises(FetchError, match="timed out"):
            await fetcher.get_json(server.url("/o"))
    assert time.monotonic() - started < 2


async def test_fetch_total_deadline_stops_a_dripping_server():
    body = json.dumps({"pad": "x" * 200}).encode()
    reply = json_reply(body, chunk_size=10, chunk_delay=0.1)  # each read is quick, the whole is not
    async with serve(routes({"/o": reply})) as server, lax_fetcher(timeout=0.5) as fetcher:
        with pytest.raises(FetchError, match="timed out"):
            await fetcher.get_json(server.url("/o"))


def test_fetch_parse_object_refuses_nesting_bomb():
    with pytest.raises(FetchError):
        parse_object(b'{"a":' * 50_000)


# --- signing ---------------------------------------------------------------------------


async def test_fetch_sign_callback_gets_request_and_its_headers_are_sent():
    calls = []

    def sign(method, url, headers, body):
        calls.append((method, url, dict(headers), body))
        return {**headers, "Signature": f'keyId="k",signature="{len(calls)}"'}

    table = {"/r": redirect("/bob"), "/bob": json_reply(ACTOR)}
    async with serve(routes(table)) as server, lax_fetcher(sign=sign) as fetcher:
        await fetcher.get_json(server.url("/r"))
    assert [(c[0], c[1], c[3]) for c in calls] == [
        ("GET", server.url("/r"), None),
        ("GET", server.url("/bob"), None),
    ]
    assert calls[0][2]["Accept"] == AP_ACCEPT
    assert [r.headers["signature"] for r in server.requests] == [
        'keyId="k",signature="1"', 'keyId="k",signature="2"']


# --- WebFinger -------------------------------------------------------------------------


async def test_fetch_webfinger_queries_the_handle_domain():
    jrd = json.dumps({"subject": "acct:alice@x", "links": []}).encode()

    async def handler(request):
        return json_reply(jrd, "application/jrd+json")

    async with serve(handler) as server, lax_fetcher() as fetcher:
        result = await fetcher.webfinger(f"@alice@localhost:{server.port}")
    assert result["subject"] == "acct:alice@x"
    target = server.requests[0].target
    assert target == f"/.well-known/webfinger?resource=acct:alice@localhost:{server.port}"
    assert server.requests[0].headers["host"] == f"localhost:{server.port}"


async def test_fetch_get_jrd_refuses_activity_json():
    async with serve(routes({"/wf": json_reply(ACTOR)})) as server, lax_fetcher() as fetcher:
        with pytest.raises(FetchError, match="content type"):
            await fetcher.get_jrd(server.url("/wf"))


async def test_fetch_webfinger_uses_https_unless_http_allowed():
    async with serve(never) as server, Fetcher(allow_private=True, timeout=0.5) as fetcher:
        with pytest.raises(FetchError):
            await fetcher.webfinger(f"alice@127.0.0.1:{server.port}")
    # the TLS handshake fails against a plain-HTTP server: it was https
    assert server.requests == []


# --- refusing our own network ----------------------------------------------------------

BLOCKED_HOSTS = [
    ("localhost", "loopback"),
    ("127.0.0.1", "loopback"),
    ("127.1.2.3", "loopback"),
    ("[::1]", "loopback"),
    ("[::ffff:127.0.0.1]", "loopback"),
    ("0.0.0.0", "unspecified"),
    ("10.1.2.3", "private"),
    ("192.168.0.1", "private"),
    ("169.254.169.254", "link-local"),
    ("[fe80::1]", "link-local"),
    ("[fd12:3456::1]", "private"),
    ("[::ffff:10.0.0.1]", "private"),
]


@pytest.mark.parametrize(("host", "why"), BLOCKED_HOSTS)
async def test_fetch_refuses_non_public_address_before_connecting(host, why):
    async with serve(routes({"/o": json_reply(ACTOR)})) as server, strict_fetcher() as fetcher:
        started = time.monotonic()
        with pytest.raises(FetchError, match=why):
            await fetcher.get_json(f"http://{host}:{server.port}/o")
    assert server.connections == 0
    assert time.monotonic() - started < 1


async def test_fetch_refuses_private_address_with_a_caller_supplied_client():
    async with serve(routes({"/o": json_reply(ACTOR)})) as server:
        async with httpx.AsyncClient() as client:
            fetcher = Fetcher(client, allow_http=True)
            with pytest.raises(FetchError, match="loopback"):
                await fetcher.get_json(server.url("/o", host="localhost"))
    assert server.connections == 0


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:8.8.8.8", None),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:192.168.1.1", "IPv4-embedded private"),
        ("2002:7f00:1::1", "IPv4-embedded loopback"),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a00:1", "IPv4-embedded private"),  # NAT64 wrapping 10.0.0.1
        ("100.64.0.1", "non-global"),  # carrier-grade NAT
        ("224.0.0.1", "multicast"),
        ("ff0e::1", "multicast"),
        ("240.0.0.1", "private"),
        ("fe80::1%eth0", "link-local"),
        ("::", "unspecified"),
    ],
)
def test_fetch_address_refusal_judges_addresses(address, why):
    assert address_refusal(address) == why


async def test_fetch_pins_the_checked_address_against_dns_rebinding():
    # First answer public, every later one loopback: a client resolving twice would be fooled.
    calls: list[str] = []
    async with serve(routes({"/o": json_reply(ACTOR)})) as public, serve(
        routes({"/o": json_reply(b'{"id": "internal"}')})
    ) as internal:
        answers = [[PUBLIC_IP]] + [["127.0.0.1"]] * 5
        internet = FakeInternet({PUBLIC_IP: public.port, "127.0.0.1": internal.port})
        client = make_client(resolver=fake_dns({"rebind.test": answers}, calls), connector=internet)
        async with Fetcher(client, allow_http=True) as fetcher:
            data = await fetcher.get_json(f"http://rebind.test:{public.port}/o")
        await client.aclose()
    assert data["type"] == "Person"
    assert calls == ["rebind.test"]
    assert internet.dialed == [PUBLIC_IP]
    assert public.requests[0].headers["host"] == f"rebind.test:{public.port}"
    assert internal.connections == 0


async def test_fetch_refuses_name_with_any_private_answer():
    async with serve(routes({"/o": json_reply(ACTOR)})) as server:
        internet = FakeInternet({PUBLIC_IP: server.port})
        dns = fake_dns({"mixed.test": [PUBLIC_IP, "10.0.0.5"]})
        client = make_client(resolver=dns, connector=internet)
        with pytest.raises(FetchError, match="private"):
            await Fetcher(client, allow_http=True).get_json(f"http://mixed.test:{server.port}/o")
        await client.aclose()
    assert internet.dialed == []


async def test_fetch_rechecks_each_redirect_target():
    async with serve(routes({})) as server:
        server.handler = routes({"/r": redirect(f"http://127.0.0.1:{server.port}/o")})
        internet = FakeInternet({PUBLIC_IP: server.port})
        client = make_client(resolver=fake_dns({"pub.test": [PUBLIC_IP]}), connector=internet)
        with pytest.raises(FetchError, match="loopback"):
            await Fetcher(client, allow_http=True).get_json(f"http://pub.test:{server.port}/r")
        await client.aclose()
    assert [r.target for r in server.requests] == ["/r"]
    assert internet.dialed == [PUBLIC_IP]


def _self_signed(hostname: str) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


async def test_fetch_https_to_pinned_address_keeps_sni_and_verifies_hostname(tmp_path, monkeypatch):
    cert_pem, key_pem = _self_signed("actor.test")
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    (tmp_path / "key.pem").write_bytes(key_pem)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "cert.pem"))
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    seen_sni = []
    server_tls.sni_callback = lambda sock, name, ctx: seen_sni.append(name)
    dns = fake_dns({"actor.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    async with serve(routes({"/o": json_reply(ACTOR)}), ssl_context=server_tls) as server:
        client = make_client(allow_private=True, resolver=dns)
        async with Fetcher(client, allow_private=True) as fetcher:
            data = await fetcher.get_json(f"https://actor.test:{server.port}/o")
            with pytest.raises(FetchError, match="network error"):  # cert is not for other.test
                await fetcher.get_json(f"https://other.test:{server.port}/o")
        await client.aclose()
    assert data["type"] == "Person"
    assert seen_sni[0] == "actor.test"
    assert server.requests[0].headers["host"] == f"actor.test:{server.port}"


# --- origins ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Example.COM/users/a", "https://example.com"),
        ("https://example.com:443/x", "https://example.com"),
        ("http://localhost:8001/u?x=1", "http://localhost:8001"),
        ("HTTPS://user:pw@Example.com:8443", "https://example.com:8443"),
        ("http://[::1]:80/", "http://[::1]"),
    ],
)
def test_fetch_origin_normalises(url, expected):
    assert origin(url) == expected


def test_fetch_same_origin_compares_scheme_host_and_port():
    assert same_origin("https://a.example/users/x", "https://A.example:443/notes/1")
    assert not same_origin("https://a.example/x", "http://a.example/x")
    assert not same_origin("https://a.example/x", "https://a.example:8443/x")
    assert not same_origin("https://a.example/x", "https://b.a.example/x")
    assert not same_origin("not a url", "not a url")
