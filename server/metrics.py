"""The node's Prometheus metrics: every metric object of doithoai, in one
registry, and nothing else. The store, the actions, the real-time layer and
the web layer count here; ``/metrics`` (``web/observe.py``) writes the
registry out.

Labels take values from fixed sets only (an audience, a refusal's code, a
route's template, a Redis error's class name), or the slug of a dialogue
that exists: never a value a request chose, never personal data.

What is read from Redis (backlogs, lag, dead letters, events appended) is
the same on every node: it describes the dialogue, not the node. Each scrape
fills it in (``dialogue_gauges``) just before writing the registry out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

# No ``*_created`` series beside each counter and histogram: Prometheus's
# text format does not need them, and they double what a scrape carries.
disable_created_metrics()
REGISTRY = CollectorRegistry(auto_describe=True)

SUBMISSIONS_ACCEPTED = Counter(
    "doithoai_submissions_accepted_total",
    "Questions accepted into a dialogue's inbox (the 202), by who entered them.",
    ["by"],
    registry=REGISTRY,
)
SUBMISSIONS_REFUSED = Counter(
    "doithoai_submissions_refused_total",
    "Questions refused, by the refusal's code (rate_limited, invalid, not_accepting, "
    "unavailable ...; honeypot: a robot filled the hidden field and got a decoy 202).",
    ["reason"],
    registry=REGISTRY,
)
REDIS_ERRORS = Counter(
    "doithoai_redis_errors_total",
    "Redis errors the store met (each turned into a 503), by redis-py's exception class.",
    ["kind"],
    registry=REGISTRY,
)
SLOW_CLOSES = Counter(
    "doithoai_ws_slow_closes_total",
    "WebSockets reset because their close was not done within DOITHOAI_WS_CLOSE_DEADLINE.",
    registry=REGISTRY,
)
FELL_BEHIND = Counter(
    "doithoai_ws_fell_behind_total",
    "WebSockets closed with 1013 for falling more than DOITHOAI_WS_SEND_QUEUE messages "
    "behind (they resume with after=), by audience.",
    ["audience"],
    registry=REGISTRY,
)
FRAMES_WAITED = Counter(
    "doithoai_ws_frames_waited_total",
    "Frames of the public feed's direct path that waited for a socket whose transport "
    "held writes (a viewer slow to read).",
    registry=REGISTRY,
)
FANOUT_SECONDS = Histogram(
    "doithoai_fanout_seconds",
    "Time to render one event for each audience and offer it to this node's sockets.",
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
    registry=REGISTRY,
)
HTTP_SECONDS = Histogram(
    "doithoai_http_request_seconds",
    "HTTP requests by method, route template (unmatched: no route) and status class.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
SOCKETS = Gauge(
    "doithoai_sockets",
    "Open WebSockets on this node, by audience (public, staff, screen).",
    ["audience", "node"],
    registry=REGISTRY,
)
TASKS = Gauge(
    "doithoai_tasks",
    "asyncio tasks on this node's event loop: the node's own, one or more per request "
    "or socket served through ASGI (staff), none per public viewer once it is live.",
    ["node"],
    registry=REGISTRY,
)
INTAKE_BACKLOG = Gauge(
    "doithoai_intake_backlog",
    "Inbox entries not yet materialised (waiting or being handled), per dialogue.",
    ["dialogue"],
    registry=REGISTRY,
)
INTAKE_LAG = Gauge(
    "doithoai_intake_lag_seconds",
    "Age of the oldest inbox entry not yet materialised, per dialogue (0: none waits).",
    ["dialogue"],
    registry=REGISTRY,
)
DEAD_LETTERS = Gauge(
    "doithoai_dead_letters",
    "Dead letters waiting for an operator, per dialogue and kind (intake, notices).",
    ["dialogue", "kind"],
    registry=REGISTRY,
)

#: The audiences ``SOCKETS`` counts (a screen is a public socket of the overlay).
AUDIENCES = ("public", "staff", "screen")


@dataclass(frozen=True)
class DialogueGauges:
    """What Redis says of one dialogue's queues at a scrape."""

    slug: str
    backlog: int
    lag_seconds: float
    dead_intake: int
    dead_notices: int
    events_appended: int


class _EventsAppended(Collector):
    """Events ever appended to each dialogue's stream: Redis keeps the count
    (``entries-added``), so it is a counter read at each scrape, not one
    this node adds to."""

    def __init__(self) -> None:
        self.latest: dict[str, int] = {}

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "doithoai_events_appended",
            "Events ever appended to a dialogue's event stream (Redis's count).",
            labels=["dialogue"],
        )
        for slug, count in sorted(self.latest.items()):
            family.add_metric([slug], count)
        yield family


EVENTS_APPENDED = _EventsAppended()
REGISTRY.register(EVENTS_APPENDED)


def dialogue_gauges(found: Iterable[DialogueGauges]) -> None:
    """Set the per-dialogue gauges to ``found``; a dialogue no longer there
    (deleted, renamed) leaves them."""
    for gauge in (INTAKE_BACKLOG, INTAKE_LAG, DEAD_LETTERS):
        gauge.clear()
    appended = {}
    for d in found:
        INTAKE_BACKLOG.labels(d.slug).set(d.backlog)
        INTAKE_LAG.labels(d.slug).set(d.lag_seconds)
        DEAD_LETTERS.labels(d.slug, "intake").set(d.dead_intake)
        DEAD_LETTERS.labels(d.slug, "notices").set(d.dead_notices)
        appended[d.slug] = d.events_appended
    EVENTS_APPENDED.latest = appended


def sockets(node: str, counts: dict[str, int]) -> None:
    """Set this node's open sockets per audience."""
    for audience in AUDIENCES:
        SOCKETS.labels(audience, node).set(counts.get(audience, 0))


def tasks(node: str, count: int) -> None:
    """Set this node's count of asyncio tasks."""
    TASKS.labels(node).set(count)


def exposition() -> bytes:
    """The registry in Prometheus's text format."""
    return generate_latest(REGISTRY)
