"""Web Push deliveries per second: each one a Mastodon-shaped payload encrypted for its subscription (RFC 8291,
aes128gcm, a new ephemeral key each), signed with the instance's VAPID key (RFC 8292), and POSTed through the
guarded client (federation.netguard) to a local receiver answering 201, as server/jobs/push.py sends them.

    python bench/push_delivery.py [--seconds 5] [--concurrency 16]

The receiver (uvicorn, keep-alive, as push services keep connections) runs in its own process; it reads each
push and answers 201 without decrypting it (tests/test_push_delivery.py decrypts). Also printed: the rate of the
cryptography alone (encrypt and sign), on one core, and the sender's CPU time per push, which a machine shared with
other work (see the load average printed) does not hide.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import uvicorn  # noqa: E402

from federation import vapid, webpush  # noqa: E402
from federation.deliver import Outcome  # noqa: E402
from federation.netguard import make_client  # noqa: E402
from tests.support.push_receiver import Subscriber, b64  # noqa: E402

SUBSCRIBERS = 200
SUBJECT = "https://bench.curbside.test"


async def _receiver_app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 201, "headers": [(b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


def _serve(sock: socket.socket) -> None:
    config = uvicorn.Config(_receiver_app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


def _payload(n: int) -> bytes:
    return json.dumps({"access_token": "x" * 43, "preferred_locale": "en", "notification_id": 114_000_000_000 + n,
                       "notification_type": "mention", "icon": "https://bench.curbside.test/avatars/1.png",
                       "title": "You were mentioned by Dr Alice Archer",
                       "body": "@bob the ECG review moved to noon; bring the echo reports for the two new patients"
                       }).encode()


def _one(signer, subscriber: Subscriber, n: int) -> tuple[bytes, str]:
    body = webpush.encrypt(_payload(n), subscriber.endpoint, subscriber.p256dh, b64(subscriber.auth))
    return body, vapid.authorization(signer, subscriber.endpoint, SUBJECT)


def crypto_rate(signer, subscribers: list[Subscriber], seconds: float) -> float:
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        _one(signer, subscribers[count % len(subscribers)], count)
        count += 1
    return count / (time.perf_counter() - start)


async def delivery_rate(signer, subscribers: list[Subscriber], seconds: float,
                        concurrency: int) -> tuple[float, int, float]:
    """Pushes delivered per second, how many failed, and the sender's CPU seconds per push."""
    client = make_client(allow_private=True, timeout=10.0)
    counts = {"sent": 0, "failed": 0}
    deadline = time.perf_counter() + seconds

    async def worker(offset: int) -> None:
        n = offset
        while time.perf_counter() < deadline:
            subscriber = subscribers[n % len(subscribers)]
            body, signature = _one(signer, subscriber, n)
            outcome = await webpush.push(client, subscriber.endpoint, body, signature, allow_http=True,
                                         allow_private=True)
            counts["sent" if outcome.outcome is Outcome.DELIVERED else "failed"] += 1
            n += concurrency

    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    await client.aclose()
    return counts["sent"] / elapsed, counts["failed"], cpu / max(counts["sent"], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    server = multiprocessing.get_context("fork").Process(target=_serve, args=(sock,), daemon=True)
    server.start()
    try:
        signer = vapid.load_vapid_key(vapid.generate_vapid_key())
        subscribers = [Subscriber(f"http://127.0.0.1:{port}/push/{n}") for n in range(SUBSCRIBERS)]
        time.sleep(0.5)  # the receiver starts listening
        crypto = crypto_rate(signer, subscribers, min(args.seconds, 2.0))
        rate, failed, cpu = asyncio.run(delivery_rate(signer, subscribers, args.seconds, args.concurrency))
    finally:
        server.terminate()
        server.join(5)
    print(f"cores: {os.cpu_count()} (usable: {len(os.sched_getaffinity(0))}); load average "
          f"{os.getloadavg()[0]:.1f}; receiver in its own process")
    print(f"encrypt + VAPID sign only: {crypto:,.0f} per second (one core)")
    print(f"push deliveries (encrypt + sign + POST, {args.concurrency} in flight): {rate:,.0f} per second"
          + (f"; {failed} failed" if failed else ""))
    print(f"sender CPU per push: {cpu * 1000:.2f} ms, i.e. {1 / cpu:,.0f} pushes per second per idle core")


if __name__ == "__main__":
    main()
