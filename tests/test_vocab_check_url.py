"""The shortcuts for plain URLs (check_url, origin) give the same answers as their full urlsplit checks, on every
shape."""
import itertools

import pytest

from federation.urls import _origin_of, origin
from federation.vocab.values import _parsed_url_ok, check_url

SCHEMES = ["https", "http", "HTTPS", "Http", "ftp", "", "https:", "javascript"]
HOSTS = ["remote.example", "REMOTE.Example", "localhost", "a", ".", "-", "ex_ample.org", "user@host",
         "user:pw@host", "[::1]", "[::1", "::1]", "exa mple.org", "ex%41mple", "xn--bcher-kva.example",
         "bücher.example", ""]
PORTS = ["", ":0", ":1", ":443", ":8080", ":65535", ":65536", ":99999", ":123456", ":", ":x", ":-1", ": 80", ":٣"]
TAILS = ["", "/", "/users/a", "/@alice", "/a@b", "?q=1", "#main-key", "/a b", "/a%20b", "//x", "/users/a#k",
         "/a\\b", "@x", ":80/x"]


@pytest.mark.parametrize("allow_http", [True, False])
def test_plain_url_shortcut_agrees_with_the_full_check(allow_http):
    for scheme, host, port, tail in itertools.product(SCHEMES, HOSTS, PORTS, TAILS):
        url = f"{scheme}://{host}{port}{tail}"
        expected = _parsed_url_ok(url, allow_http=allow_http) if url.isprintable() else None
        assert check_url(url, allow_http=allow_http) == expected, url


def test_what_the_check_refuses():
    assert check_url("http://remote.example/a", allow_http=False) is None
    assert check_url("https://remote.example:0/a", allow_http=True) is None
    assert check_url("https://user@remote.example/a", allow_http=True) is None
    assert check_url("https://remote.example/a\n", allow_http=True) is None
    assert check_url("https://remote.example/" + "a" * 2048, allow_http=True) is None
    assert check_url(42, allow_http=True) is None
    assert check_url("https://remote.example:8080/@alice", allow_http=False) == "https://remote.example:8080/@alice"


def _origin_or_error(function, url: str) -> str:
    try:
        return function(url)
    except ValueError:
        return "ValueError"


def test_origin_shortcut_agrees_with_urlsplit():
    for scheme, host, port, tail in itertools.product(SCHEMES, HOSTS, PORTS, TAILS):
        url = f"{scheme}://{host}{port}{tail}"
        assert _origin_or_error(origin, url) == _origin_or_error(_origin_of.__wrapped__, url), url
    assert origin("https://remote.example:0443/x") == "https://remote.example"
    assert origin("http://localhost:8080/users/a") == "http://localhost:8080"
