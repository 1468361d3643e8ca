"""`curbside serve` runs the queues in worker processes of its own, never on its event loop.

A worker process is `curbside worker --supervised PID`: the same command an admin runs, with the same
environment, writing to the same stdout/stderr (one log stream). A supervising thread starts them,
starts again any that dies (a crash, an OOM kill), and at shutdown asks them to stop (SIGTERM: they
finish their batch and hand the rest back) before `serve` exits. They run in their own session so
that a Ctrl-C on the terminal reaches only `serve`, which stops them in order; and `--supervised`
makes a worker stop by itself if `serve` dies without a word (SIGKILL). Nothing is lost either way:
the queues are rows, and rows claimed by a killed worker are claimed again when their lease ends.
A supervised worker lowers its own CPU priority (server.cli.worker.SUPERVISED_NICENESS): when the machine's
cores are all busy, requests are served first and the queues drain with what is left.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time

log = logging.getLogger("curbside.supervisor")
RESTART_PAUSE = 1.0  # before starting again a worker that died, so that one failing at start does not spin
STOP_TIMEOUT = 15.0  # after SIGTERM, before SIGKILL


def worker_command(concurrency: int | None = None) -> list[str]:
    extra = ["--concurrency", str(concurrency)] if concurrency else []
    return [sys.executable, "-m", "server.cli", "worker", "--supervised", str(os.getpid()), *extra]


class WorkerProcesses:
    """`count` worker processes kept running between `start()` and `stop()`."""

    def __init__(self, count: int, command: list[str] | None = None, check_every: float = 0.2, what: str = "worker"):
        self.count, self.command, self.check_every, self.what = count, command or worker_command(), check_every, what
        self.processes: list[subprocess.Popen] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)

    def start(self) -> "WorkerProcesses":
        with self._lock:
            self.processes = [self._spawn() for _ in range(self.count)]
        self._thread.start()
        return self

    def _spawn(self) -> subprocess.Popen:
        process = subprocess.Popen(self.command, start_new_session=True)
        log.info("%s process %d started", self.what, process.pid)
        return process

    def _watch(self) -> None:
        while not self._stopping.wait(self.check_every):
            for index, process in enumerate(self.processes):
                if process.poll() is not None:
                    self._restart(index, process)

    def _restart(self, index: int, dead: subprocess.Popen) -> None:
        log.warning("%s process %d exited with %s; starting another", self.what, dead.pid, dead.returncode)
        if self._stopping.wait(RESTART_PAUSE):
            return
        with self._lock:
            if not self._stopping.is_set():
                self.processes[index] = self._spawn()

    def stop(self) -> None:
        """SIGTERM every worker and wait for them (SIGKILL after STOP_TIMEOUT)."""
        with self._lock:
            self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT
        for process in self.processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s process %d did not stop in %.0f s: killed", self.what, process.pid, STOP_TIMEOUT)
                process.kill()
                process.wait()
