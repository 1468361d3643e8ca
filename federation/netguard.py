"""Outbound-request guard: never let a remote server make us connect to our own network.

The check runs inside the connection itself: the guarded client resolves a host name once,
refuses it when any address is not public, and connects to the address it checked. The URL's
host name still travels in the Host header and in TLS SNI, and the certificate is verified
against it. A second lookup (the trick behind DNS rebinding) never happens.
"""
from __future__ import annotations

import ipaddress
import socket
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpcore
import httpx

Resolver = Callable[[str, int], Awaitable[list[str]]]

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_CHECKS = (
    ("is_loopback", "loopback"),
    ("is_unspecified", "unspecified"),
    ("is_link_local", "link-local"),
    ("is_multicast", "multicast"),
    ("is_private", "private"),
    ("is_reserved", "reserved"),
)
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5)
# Clients built by make_client, with the allow_private they enforce.
_GUARDED: weakref.WeakKeyDictionary[httpx.AsyncClient, bool] = weakref.WeakKeyDictionary()


class AddressRefused(Exception):
    """A host resolved to an address we must not contact."""

    def __init__(self, host: str, address: str, why: str) -> None:
        super().__init__(f"{host} resolves to {why} address {address}")
        self.host, self.address, self.why = host, address, why
        self.reason = str(self)


def address_refusal(ip: str) -> str | None:
    """Why `ip` must not be contacted ("loopback", "private", ...), or None if it is public."""
    addr = ipaddress.ip_address(ip.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(addr, ipaddress.IPv6Address):
        # An IPv4 address inside IPv6 reaches the IPv4 host: judge that one.
        embedded = addr.ipv4_mapped or addr.sixtofour
        if embedded is None and addr in _NAT64:
            embedded = ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
        if embedded is not None:
            why = address_refusal(str(embedded))
            return f"IPv4-embedded {why}" if why else None
    for attribute, why in _CHECKS:
        if getattr(addr, attribute):
            return why
    return None if addr.is_global else "non-global"


async def system_resolve(host: str, port: int) -> list[str]:
    """Resolve `host` with the system resolver; the addresses, in its order, without repeats."""
    infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def resolve_allowed(
    host: str, port: int, *, allow_private: bool, resolver: Resolver = system_resolve
) -> list[str]:
    """Resolve `host`; raise AddressRefused if any address is not public (unless allowed).

    One bad address refuses the whole name: a mix of public and private answers is how
    rebinding attacks hedge. Resolution failures raise OSError.
    """
    addresses = await resolver(host, port)
    if not addresses:
        raise OSError(f"{host} has no address")
    if not allow_private:
        for address in addresses:
            why = address_refusal(address)
            if why:
                raise AddressRefused(host, address, why)
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that connects only to addresses resolve_allowed accepted.

    `connector` opens the connections to the checked addresses (default: anyio sockets).
    """

    def __init__(
        self,
        *,
        allow_private: bool,
        resolver: Resolver = system_resolve,
        connector: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._inner = connector or httpcore.AnyIOBackend()
        self._allow_private = allow_private
        self._resolver = resolver

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                addresses = await resolve_allowed(
                    host, port, allow_private=self._allow_private, resolver=self._resolver
                )
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx transport whose connections go through a GuardedBackend."""

    def __init__(self, backend: GuardedBackend, limits: httpx.Limits = DEFAULT_LIMITS) -> None:
        ssl_context = httpx.create_ssl_context()  # one per client: loading the CA bundle costs ~0.2 s
        super().__init__(verify=ssl_context, trust_env=False)
        # httpx exposes no network_backend option; swap in an equivalent pool that has one.
        # tests/test_fetch.py fails loudly if an httpx upgrade stops routing through it.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            network_backend=backend,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
        )


def make_client(
    *,
    allow_private: bool = False,
    timeout: float = 10.0,
    user_agent: str | None = None,
    resolver: Resolver = system_resolve,
    connector: httpcore.AsyncNetworkBackend | None = None,
    limits: httpx.Limits = DEFAULT_LIMITS,
) -> httpx.AsyncClient:
    """An httpx.AsyncClient that refuses non-public addresses at connect time.

    It ignores proxy environment variables (a proxy would connect on our behalf, unchecked)
    and never follows redirects itself. AddressRefused propagates out of its requests.
    """
    client = httpx.AsyncClient(
        transport=GuardedTransport(
            GuardedBackend(allow_private=allow_private, resolver=resolver, connector=connector),
            limits,
        ),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": user_agent} if user_agent else None,
    )
    _GUARDED[client] = allow_private
    return client


async def check_before_connect(
    client: httpx.AsyncClient, url: httpx.URL, *, allow_private: bool
) -> None:
    """For a client not built by make_client (or built laxer): resolve and check up front.

    This is the weaker check (the client resolves again when it connects), kept so that a
    caller-supplied client never goes unchecked. Guarded clients skip it.
    """
    if allow_private or _GUARDED.get(client) is False:
        return
    port = url.port or (443 if url.scheme == "https" else 80)
    await resolve_allowed(url.host, port, allow_private=False)
