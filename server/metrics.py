"""Prometheus metrics (prometheus_client): what this process counts, and the text /metrics serves.

Counters, histograms and the stream gauge belong to the process, as the client library keeps them (one set per
process, made on first use). With CURBSIDE_METRICS_TOKEN set, the command line points PROMETHEUS_MULTIPROC_DIR at
DATA_DIR/prometheus before anything imports prometheus_client (server.cli.common.share_metrics): every process of
the instance (uvicorn workers, the queue workers `serve` starts, `curbside worker`) writes its own files there, and
/metrics, in whichever process answers, adds them up. What the database holds (queue depths and ages, verification
requests waiting) is read at scrape time by server.web.metrics.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


@dataclass(frozen=True)
class ProcessMetrics:
    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    deliveries: Counter
    phi_decisions: Counter
    streams: Gauge

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in METHODS else "other"
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)


@lru_cache(maxsize=1)
def process_metrics() -> ProcessMetrics:
    """This process's metrics: one set, made once, as prometheus_client's files are one per process (the library
    keeps the counts; this is a constant computed late, not a cache of ours)."""
    registry = CollectorRegistry(auto_describe=True)
    return ProcessMetrics(
        registry=registry,
        requests=Counter("curbside_http_requests", "HTTP requests answered, by route template and status",
                         ["method", "route", "status"], registry=registry),
        latency=Histogram("curbside_http_request_duration_seconds", "Time to answer an HTTP request",
                          ["method", "route"], registry=registry),
        deliveries=Counter("curbside_deliveries", "Delivery attempts to remote inboxes, by outcome",
                           ["outcome"], registry=registry),
        phi_decisions=Counter("curbside_phi_decisions", "Patient-privacy guard decisions on posts, by action",
                              ["action"], registry=registry),
        streams=Gauge("curbside_stream_connections", "Streaming API connections open",
                      registry=registry, multiprocess_mode="livesum"),
    )


def gauge(name: str, documentation: str, values: dict[str, float] | float, label: str = "") -> GaugeMetricFamily:
    """A gauge read at scrape time: one value, or one per value of `label`."""
    if not isinstance(values, dict):
        return GaugeMetricFamily(name, documentation, value=values)
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in values.items():
        family.add_metric([key], value)
    return family


class _Snapshot:
    def __init__(self, families: Iterable[GaugeMetricFamily]):
        self.families = list(families)

    def collect(self):
        return self.families


def exposition(read_at_scrape: Iterable[GaugeMetricFamily]) -> bytes:
    """The Prometheus text of every process of the instance (or this one alone) and of the gauges given."""
    if os.environ.get(MULTIPROC_ENV):
        counted = CollectorRegistry()
        MultiProcessCollector(counted)
    else:
        counted = process_metrics().registry
    process_metrics()  # so that every series is there (at zero) from the first scrape
    snapshot = CollectorRegistry()
    snapshot.register(_Snapshot(read_at_scrape))
    return generate_latest(counted) + generate_latest(snapshot)
