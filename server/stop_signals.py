"""Ending long-lived responses as soon as the process is told to stop.

uvicorn, on SIGTERM or SIGINT, stops accepting, closes idle connections, and waits (up to
timeout_graceful_shutdown) for every response under way to complete before it runs the lifespan
shutdown. A streaming API response never completes by itself, so a process with a client streaming
waited the whole timeout and logged "timeout graceful shutdown exceeded". The app hears the signal
first and ends its streams; the server's own handler then runs as before.
"""
from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from typing import Callable, Iterator

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def on_stop_signal(callback: Callable[[], None]) -> Iterator[None]:
    """While inside, SIGTERM and SIGINT run `callback` on the running event loop, then the handler installed
    before (the server's). Signals can only be caught in the main thread: elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}

    def handle(sig: int, frame) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is gone: nothing left to end
            loop.call_soon_threadsafe(callback)
        _chain(previous[sig], sig, frame)

    for sig in STOP_SIGNALS:
        signal.signal(sig, handle)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            if handler is not None:
                signal.signal(sig, handler)


def _chain(handler, sig: int, frame) -> None:
    if callable(handler):
        handler(sig, frame)
    elif handler == signal.SIG_DFL:  # nobody else listens: die as the signal says
        signal.signal(sig, signal.SIG_DFL)
        signal.raise_signal(sig)
