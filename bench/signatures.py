"""Sign and verify rates of federation.signatures, per core and on all cores.

    python bench/signatures.py [--seconds 2]

Each verify cycles through 2,000 distinct Mastodon-shaped inbox POSTs (distinct Date headers and
bodies, so the Date cache misses as in real traffic), passed as starlette Headers; the key
resolver answers from memory, as a warm key store would.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa  # noqa: E402
from starlette.datastructures import Headers  # noqa: E402

from federation.rfc9421 import sign_request_rfc9421  # noqa: E402
from federation.signatures import PublicKeyInfo, sign_request, verify_request  # noqa: E402

KEY_ID = "https://remote.example/users/alice#main-key"
URL = "https://example.com/users/bob/inbox"
REQUESTS = 2000


def _pem_pair(private) -> tuple[str, str]:
    priv = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()).decode()
    pub = private.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return priv, pub


def _requests(signer, private_pem: str) -> list[tuple[Headers, bytes]]:
    now = datetime.now(timezone.utc)
    out = []
    for i in range(REQUESTS):
        body = (b'{"type":"Create","id":"https://remote.example/notes/%d","object":{"content":"%s"}}'
                % (i, b"x" * 600))
        headers = signer("POST", URL, {"Content-Type": "application/activity+json"}, body, KEY_ID,
                         private_pem, now=now - timedelta(seconds=i))
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        out.append((Headers(raw=raw), body))
    return out


def _rate(seconds: float, step) -> float:
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(200):
            step(count)
            count += 1
    return count / elapsed


def _verify_rate(args: tuple[str, str, float]) -> float:
    """Verifies per second in this process (also the unit of work on each core)."""
    scheme, kind, seconds = args
    private = rsa.generate_private_key(65537, 2048) if kind == "rsa" else ed25519.Ed25519PrivateKey.generate()
    priv_pem, pub_pem = _pem_pair(private)
    signer = sign_request_rfc9421 if scheme == "rfc9421" else sign_request
    requests = _requests(signer, priv_pem)
    info = PublicKeyInfo(KEY_ID, "https://remote.example/users/alice", pub_pem)

    async def resolve(key_id: str, refresh: bool) -> PublicKeyInfo:
        return info

    async def run() -> float:
        count, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            for _ in range(200):
                headers, body = requests[count % REQUESTS]
                await verify_request("POST", "/users/bob/inbox", headers, body, resolve)
                count += 1
        return count / elapsed
    return asyncio.run(run())


def _sign_rate(kind: str, seconds: float) -> float:
    private = rsa.generate_private_key(65537, 2048) if kind == "rsa" else ed25519.Ed25519PrivateKey.generate()
    priv_pem, _ = _pem_pair(private)
    body = b'{"type":"Create"}' * 40
    return _rate(seconds, lambda i: sign_request("POST", URL, {}, body, KEY_ID, priv_pem))


def _openssl_rsa_verify_rate(seconds: float) -> float:
    private = rsa.generate_private_key(65537, 2048)
    data = b"x" * 200
    signature = private.sign(data, padding.PKCS1v15(), hashes.SHA256())
    public = private.public_key()
    return _rate(seconds, lambda i: public.verify(signature, data, padding.PKCS1v15(), hashes.SHA256()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    seconds = parser.parse_args().seconds
    cores = os.cpu_count() or 1
    print(f"cores: {cores} (os.cpu_count), Python {sys.version.split()[0]}")
    print(f"raw RSA-2048 verify (cryptography, no HTTP): {_openssl_rsa_verify_rate(seconds):9,.0f}/s per core")
    for scheme, kind in (("cavage", "rsa"), ("rfc9421", "rsa"), ("cavage", "ed25519")):
        print(f"verify {scheme:7} {kind:7} 1 core: {_verify_rate((scheme, kind, seconds)):9,.0f}/s")
    with ProcessPoolExecutor(cores) as pool:
        rates = list(pool.map(_verify_rate, [("cavage", "rsa", seconds)] * cores))
    print(f"verify cavage  rsa     {cores} cores: {sum(rates):9,.0f}/s "
          f"({', '.join(f'{r:,.0f}' for r in rates)})")
    for kind in ("rsa", "ed25519"):
        print(f"sign   cavage  {kind:7} 1 core: {_sign_rate(kind, seconds):9,.0f}/s")


if __name__ == "__main__":
    main()
