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
TOP_HOSTS = 20  # hosts with a label of their own in a process; the rest are "other"
HOST_ADMITTED_AFTER = 10  # deliveries a host needs first, so that the busiest hosts take the labels
# Queued -> done, from a second (a woken worker) to hours (backoff, parked hosts)
JOB_LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600)


class TopHosts:
    """The host label of a delivery: its own for at most TOP_HOSTS hosts, "other" for the rest, so that the
    number of series stays bounded however many servers the instance federates with. A host earns its label
    by reaching HOST_ADMITTED_AFTER deliveries in this process while a label is free, so the labels go to the
    busiest hosts; counts of hosts not yet labelled are kept for at most `tracked` hosts."""

    def __init__(self, limit: int = TOP_HOSTS, admitted_after: int = HOST_ADMITTED_AFTER, tracked: int = 10_000):
        self.limit, self.admitted_after, self.tracked = limit, admitted_after, tracked
        self.labelled: set[str] = set()
        self.volumes: dict[str, int] = {}

    def label(self, host: str) -> str:
        if host in self.labelled:
            return host
        if len(self.labelled) >= self.limit:
            self.volumes.clear()  # no label left to earn
            return "other"
        if host not in self.volumes and len(self.volumes) >= self.tracked:
            self.volumes.clear()  # a bounded tally: start counting afresh
        self.volumes[host] = count = self.volumes.get(host, 0) + 1
        if count < self.admitted_after:
            return "other"
        self.labelled.add(host)
        del self.volumes[host]
        return host  # counted under its label from here on (those before stay in "other")


@dataclass(frozen=True)
class ProcessMetrics:
    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    deliveries: Counter
    deliveries_by_host: Counter
    job_latency: Histogram
    phi_decisions: Counter
    streams: Gauge
    hosts: TopHosts

    def delivery(self, host: str, outcome: str) -> None:
        self.deliveries.labels(outcome).inc()
        self.deliveries_by_host.labels(self.hosts.label(host), outcome).inc()

    def job_done(self, queue: str, seconds: float) -> None:
        """A job finished (done, sent, or given up on): how long it waited since it was queued."""
        self.job_latency.labels(queue).observe(max(0.0, seconds))

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
        deliveries_by_host=Counter("curbside_deliveries_by_host", "Delivery attempts by host (the busiest "
                                   f"{TOP_HOSTS} per process, the rest as \"other\") and outcome",
                                   ["host", "outcome"], registry=registry),
        job_latency=Histogram("curbside_job_latency_seconds", "Time from queued to finished of background jobs, "
                              "by queue (inbox: received to processed; deliveries: queued to sent or given up)",
                              ["queue"], buckets=JOB_LATENCY_BUCKETS, registry=registry),
        phi_decisions=Counter("curbside_phi_decisions", "Patient-privacy guard decisions on posts, by action",
                              ["action"], registry=registry),
        streams=Gauge("curbside_stream_connections", "Streaming API connections open",
                      registry=registry, multiprocess_mode="livesum"),
        hosts=TopHosts(),
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
