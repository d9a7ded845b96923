"""Every setting of doithoai, in one table, read once from the environment.

Modules never read ``os.environ`` themselves: they receive a frozen
``Settings`` built by ``Settings.from_env()``. Each entry of ``SETTINGS`` has
its help text; the README lists them all (a test checks that it does).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .outbound import is_loopback
from .outbound.mail import parse_smtp_url
from .outbound.webhook import check_webhook_url


class SettingError(ValueError):
    """An environment variable holds a value its setting cannot take."""


def _rate(value: str) -> tuple[int, float]:
    """Parse ``N/second|minute|hour`` (or ``0`` = off) into (count, period seconds)."""
    value = value.strip()
    if value in ("", "0"):
        return (0, 1.0)
    count, _, unit = value.partition("/")
    periods = {"second": 1.0, "minute": 60.0, "hour": 3600.0}
    if not count.isdigit() or unit not in periods:
        raise SettingError(f"expected N/second, N/minute, N/hour or 0, got {value!r}")
    return (int(count), periods[unit])


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise SettingError(f"expected true or false, got {value!r}")


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip().rstrip("/") for part in value.split(",") if part.strip())


def _networks(value: str) -> tuple[IPv4Network | IPv6Network, ...]:
    try:
        return tuple(ip_network(part, strict=False) for part in _csv(value))
    except ValueError as exc:
        raise SettingError(f"expected addresses or CIDR networks: {exc}") from None


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise SettingError(f"expected a whole number, got {value!r}") from None


def _count(value: str) -> int:
    if _int(value) < 0:
        raise SettingError(f"expected 0 or more, got {value!r}")
    return _int(value)


def _at_least_one(value: str) -> int:
    if _int(value) < 1:
        raise SettingError(f"expected 1 or more, got {value!r}")
    return _int(value)


def _difficulty(value: str) -> int:
    bits = _int(value)
    if not 0 <= bits <= 32:
        raise SettingError(f"expected 0 to 32 bits, got {bits}")
    return bits


def _float(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise SettingError(f"expected a number, got {value!r}") from None


def _positive(value: str) -> float:
    number = _float(value)
    if number <= 0:
        raise SettingError(f"expected a number above 0, got {value!r}")
    return number


def _not_negative(value: str) -> float:
    number = _float(value)
    if number < 0:
        raise SettingError(f"expected 0 or a number above it, got {value!r}")
    return number


#: The longest blocking read on the store's shared connections (the intake's,
#: ``store/groups.py``) is 1 s; a command timeout must outlast it.
MIN_REDIS_TIMEOUT = 2.0
#: The longest DOITHOAI_INTAKE_BLOCK: a blocking read must end well within
#: DOITHOAI_REDIS_TIMEOUT (see MIN_REDIS_TIMEOUT).
MAX_BLOCK = 1.0


def _block(value: str) -> float:
    seconds = _float(value)
    if not 0 < seconds <= MAX_BLOCK:
        raise SettingError(f"expected above 0 and at most {MAX_BLOCK:g} seconds, got {value!r}")
    return seconds


def _redis_timeout(value: str) -> float:
    seconds = _float(value)
    if seconds < MIN_REDIS_TIMEOUT:
        raise SettingError(f"expected {MIN_REDIS_TIMEOUT:g} seconds or more, got {value!r}")
    return seconds


def _cluster_url(value: str) -> str:
    """A node of a Cluster: redis://host:port or rediss://host:port."""
    if value:
        parts = urlsplit(value)
        try:
            port = parts.port
        except ValueError:
            port = None
        if parts.scheme not in ("redis", "rediss") or not parts.hostname or port is None:
            raise SettingError(f"expected redis://host:port (a node of the cluster), got {value!r}")
    return value


def _addresses(value: str) -> tuple[tuple[str, int], ...]:
    """``host:port,host:port`` into (host, port) pairs."""
    found = []
    for part in _csv(value):
        host, _, port = part.rpartition(":")
        if not host or not port.isdigit():
            raise SettingError(f"expected host:port,host:port,..., got {value!r}")
        found.append((host.strip("[]"), int(port)))
    return tuple(found)


def _attempts(value: str) -> int:
    if _int(value) < 1:
        raise SettingError(f"expected 1 or more, got {value!r}")
    return _int(value)


def _smtp_url(value: str) -> str:
    if value:
        try:
            parse_smtp_url(value)
        except ValueError as exc:
            raise SettingError(str(exc)) from None
    return value


def _mailbox(value: str) -> str:
    """An address for From: ``name <user@host>`` or ``user@host``."""
    if value:
        _, address = parseaddr(value)
        if "@" not in address or value.count("@") != 1:
            raise SettingError(
                f"expected an address such as Organisers <doithoai@example.vn>, got {value!r}"
            )
    return value


def _webhook_url(value: str) -> str:
    if value:
        try:
            check_webhook_url(value)
        except ValueError as exc:
            raise SettingError(str(exc)) from None
    return value


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in allowed:
            raise SettingError(f"expected one of {', '.join(allowed)}, got {value!r}")
        return value

    return parse


@dataclass(frozen=True)
class Setting:
    env: str
    field: str
    default: str
    parse: Callable[[str], Any]
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "REDIS_URL",
        "redis_url",
        "",
        str,
        "Redis to use (redis://, rediss:// or unix://). Unset: start a private "
        "redis-server with AOF under DOITHOAI_DATA_DIR.",
    ),
    Setting(
        "DOITHOAI_REDIS_TIMEOUT",
        "redis_timeout",
        "5",
        _redis_timeout,
        "Seconds a Redis command may take before it fails (the request then gets 503 "
        "unavailable); at least 2, since the intake's blocking read waits up to 1 s.",
    ),
    Setting(
        "DOITHOAI_REDIS_CONNECT_TIMEOUT",
        "redis_connect_timeout",
        "2",
        _positive,
        "Seconds a connection to Redis may take to open before it fails.",
    ),
    Setting(
        "REDIS_SENTINELS",
        "redis_sentinels",
        "",
        _addresses,
        "Comma-separated host:port of the Sentinels watching the Redis to use (with "
        "REDIS_SENTINEL_MASTER; instead of REDIS_URL): the node follows their choice of "
        "primary across a failover (docs/operations.md says what a failover may lose).",
    ),
    Setting(
        "REDIS_SENTINEL_MASTER",
        "redis_sentinel_master",
        "",
        str,
        "The name the Sentinels of REDIS_SENTINELS know the primary by.",
    ),
    Setting(
        "REDIS_CLUSTER_URL",
        "redis_cluster_url",
        "",
        _cluster_url,
        "Any node of a Redis Cluster to use (redis://host:port or rediss://; instead of "
        "REDIS_URL or REDIS_SENTINELS): the others are discovered. Each dialogue lives in "
        "one slot of it; docs/operations.md says what a reshard and a shard's failover keep.",
    ),
    Setting(
        "DOITHOAI_REPLICA_ACKS",
        "replica_acks",
        "0",
        _count,
        "Replicas that must have a submission before its 202 (WAIT): with 1 or more, a "
        "failover loses no acknowledged question, and a submission no replica confirmed "
        "within a second gets 503 (a retry with its submission_id is safe). 0: the 202 "
        "follows the primary's write alone.",
    ),
    Setting("DOITHOAI_HOST", "host", "127.0.0.1", str, "Address the HTTP server binds."),
    Setting("DOITHOAI_PORT", "port", "8000", _int, "Port the HTTP server binds."),
    Setting(
        "DOITHOAI_PUBLIC_URL",
        "public_url",
        "",
        str,
        "The app's own origin as browsers see it (e.g. https://doithoai.example.vn): the "
        "only origin its Origin and CSRF checks accept, its pages' CSP names and its "
        "printed links, share links and QR codes use. Required unless DOITHOAI_HOST is a "
        "loopback address; unset on loopback: http://HOST:PORT under each loopback name "
        "(127.0.0.1, localhost, [::1]).",
    ),
    Setting(
        "DOITHOAI_DATA_DIR",
        "data_dir",
        "./var",
        Path,
        "Where the embedded redis-server keeps its AOF, socket, pid file and log, and the "
        "app its secret key: made 0700, its files 0600 (the AOF holds contact data).",
    ),
    Setting(
        "DOITHOAI_APPENDFSYNC",
        "appendfsync",
        "everysec",
        _choice("everysec", "always"),
        "Embedded Redis fsync policy: everysec may lose the last second of "
        "acknowledged questions on a power cut; always loses none but is slower.",
    ),
    Setting(
        "DOITHOAI_SECRET_KEY",
        "secret_key",
        "",
        str,
        "Secret for signing; unset: a random one per data dir, kept in DATA_DIR/secret_key.",
    ),
    Setting(
        "DOITHOAI_DEMO_PASSWORD",
        "demo_password",
        "",
        str,
        "Password of the demo's staff accounts; unset: a random one printed at the first "
        "start and kept in var/demo_password.",
    ),
    Setting(
        "DOITHOAI_WIDGET_ORIGINS",
        "widget_origins",
        "",
        _csv,
        "Comma-separated origins (scheme://host[:port]) whose pages may embed the "
        "demo dialogue's widget and call the public API.",
    ),
    Setting(
        "DOITHOAI_ORGANISER",
        "organiser",
        "",
        str,
        'Who holds the dialogues, as citizens read it on the home page ("Ask the leaders '
        "of <organiser> your question\"): in Vietnamese, e.g. the People's Committee of the "
        "city. Unset: the home page names no one (the demo names its city's committee).",
    ),
    Setting(
        "DOITHOAI_PLACE",
        "place",
        "",
        str,
        "Where the organiser sits (the city's name), as the report to the leadership writes "
        'its date line ("<place>, <date>"). Unset: the date alone (the demo names its city).',
    ),
    Setting(
        "DOITHOAI_SUBMIT_LIMIT",
        "submit_limit",
        "5/minute",
        _rate,
        "Public submissions per client address (an IPv6 client: per /64) "
        "(N/second|minute|hour); 0 turns it off.",
    ),
    Setting(
        "DOITHOAI_DEVICE_LIMIT",
        "device_limit",
        "3/minute",
        _rate,
        "Public submissions per device (the random id the widget and the public page "
        "keep), besides the per-address limit: raise DOITHOAI_SUBMIT_LIMIT where many "
        "people share one address, and each browser still gets only this; 0 turns it off.",
    ),
    Setting(
        "DOITHOAI_VOTER_LIMIT",
        "voter_limit",
        "10/minute",
        _rate,
        "Public votes per device (the voter id the widget and the public page keep). A "
        "person supports a question every few seconds at the most, and ten cover a first "
        "look at the page, when a viewer catches up on what was asked; 0 turns it off.",
    ),
    Setting(
        "DOITHOAI_VOTE_LIMIT",
        "vote_limit",
        "30/minute",
        _rate,
        "Public votes per client address (an IPv6 client: per /64), whatever the "
        "devices: three viewers at their busiest behind one address, or a room of them at "
        "a reader's pace; it stops a flood of made-up devices. Raise it where a school or "
        "an office shares one address; 0 turns it off.",
    ),
    Setting(
        "DOITHOAI_PROOF_DIFFICULTY",
        "proof_difficulty",
        "16",
        _difficulty,
        "Leading zero bits of SHA-256 a submission's proof of work must reach when a "
        "dialogue switches it on (0-32). Each bit doubles the work: 16 is about 65 000 "
        "hashes, under a second on a computer and a few seconds on a phone.",
    ),
    Setting(
        "DOITHOAI_LOGIN_LIMIT",
        "login_limit",
        "10/minute",
        _rate,
        "Failed logins per account and per address (an IPv6 client: per /64), counted "
        "before the password is checked and given back when it was right; 0 turns it off.",
    ),
    Setting(
        "DOITHOAI_SESSION_TTL",
        "session_ttl",
        "43200",
        _at_least_one,
        "Seconds a staff session lives without use (default 12 hours: one broadcast day).",
    ),
    Setting(
        "DOITHOAI_SECURE_COOKIES",
        "secure_cookies",
        "false",
        _bool,
        "Mark the staff cookies Secure with the __Host- prefix (set true behind HTTPS).",
    ),
    Setting(
        "DOITHOAI_MAX_BODY",
        "max_body",
        "65536",
        _at_least_one,
        "Largest accepted request body in bytes; larger gets 413 too_large.",
    ),
    Setting(
        "DOITHOAI_EVENTS_MAXLEN",
        "events_maxlen",
        "100000",
        _at_least_one,
        "Approximate length each dialogue's event stream is trimmed to; older "
        "ids get a fresh snapshot with reset=true on resume.",
    ),
    Setting(
        "DOITHOAI_REPLAY_MAX",
        "replay_max",
        "300",
        _count,
        "Most events a WebSocket resuming with after= is replayed; further behind, it "
        "gets a fresh snapshot with reset=true instead. Replaying costs the server about "
        "12 µs per event and a snapshot about 5 ms, so past a few hundred events the "
        "snapshot is cheaper; 0: always a snapshot.",
    ),
    Setting(
        "DOITHOAI_AIR_UNDO",
        "air_undo",
        "10",
        _not_negative,
        "Seconds during which the producer may undo the last change of what is on air "
        "(next, skip, back), if nothing changed those questions since.",
    ),
    Setting(
        "DOITHOAI_WS_MAX_MESSAGE",
        "ws_max_message",
        "65536",
        _at_least_one,
        "Largest WebSocket message accepted from a client, in bytes.",
    ),
    Setting(
        "DOITHOAI_WS_PING_INTERVAL",
        "ws_ping_interval",
        "20",
        _positive,
        "Seconds between WebSocket pings; also the public feed's heartbeat period.",
    ),
    Setting(
        "DOITHOAI_VIEWERS_EVERY",
        "viewers_every",
        "5",
        _positive,
        "Seconds between a node's reports of its viewers per dialogue to Redis (the "
        "dashboard's viewers now and peak, summed over the nodes).",
    ),
    Setting(
        "DOITHOAI_WS_PING_TIMEOUT",
        "ws_ping_timeout",
        "20",
        _positive,
        "Seconds to wait for a pong before closing the WebSocket.",
    ),
    Setting(
        "DOITHOAI_WS_SEND_QUEUE",
        "ws_send_queue",
        "256",
        _at_least_one,
        "Messages buffered per socket; a socket further behind is closed and resumes.",
    ),
    Setting(
        "DOITHOAI_WS_DIRECT",
        "ws_direct",
        "true",
        _bool,
        "Write the public feed's events straight to each socket, the frame built once "
        "per event (docs/architecture.md, Fan-out); false sends them through the ASGI "
        "path, one task per socket, as the staff console does.",
    ),
    Setting(
        "DOITHOAI_WS_PER_ADDRESS",
        "ws_per_address",
        "200",
        _count,
        "Open WebSockets one client address may hold on a node (a school or an "
        "office shares one address; a flood does not); 0 turns the cap off.",
    ),
    Setting(
        "DOITHOAI_WS_WRITE_STALL",
        "ws_write_stall",
        "5",
        _not_negative,
        "Seconds a WebSocket may take none of what waits for it (over 64 KiB, or its "
        "closing frame) before it is dropped; it resumes with after= and loses nothing. "
        "A client on a slow link still takes some in 5 s; one that stopped reading takes "
        "none, and holds its buffers and its place meanwhile. 0 turns it off.",
    ),
    Setting(
        "DOITHOAI_WS_CLOSE_DEADLINE",
        "ws_close_deadline",
        "10",
        _positive,
        "Seconds a WebSocket the node closes (it fell behind, the node stops, its session "
        "ended ...) may take to go, whatever the client does; then it is reset, freeing its "
        "buffers and its per-address place.",
    ),
    Setting(
        "DOITHOAI_WS_CLIENT_FRAMES",
        "ws_client_frames",
        "60/minute",
        _rate,
        "Frames one WebSocket client may send (N/second|minute|hour, in bursts of up "
        "to N), besides its close and the pongs to our pings; over it the socket is "
        "closed with 1008. Our pages send none, a client library's own pings a few a "
        "minute, a flood thousands a second; 0 turns it off.",
    ),
    Setting(
        "DOITHOAI_INTAKE_CLAIM_IDLE",
        "intake_claim_idle",
        "30",
        _positive,
        "Seconds an inbox entry may sit unacknowledged on another consumer before "
        "this node takes it over (XAUTOCLAIM).",
    ),
    Setting(
        "DOITHOAI_INTAKE_BLOCK",
        "intake_block",
        "1",
        _block,
        "Seconds the intake's and the notifier's blocking reads wait for new entries "
        "before they look again for new dialogues and for entries to take over: the "
        "first questions of a dialogue created meanwhile are screened up to this late. "
        "Above 0, at most 1.",
    ),
    Setting(
        "DOITHOAI_INTAKE_WORKERS",
        "intake_workers",
        "1",
        _count,
        "Intake worker processes (doithoai intake) that serve starts beside the node, "
        "so that screening and duplicate scoring run off the node's core; 0: intake runs "
        "in the node's own process, as a task of its event loop.",
    ),
    Setting(
        "DOITHOAI_INTAKE_MAX_DELIVERIES",
        "intake_max_deliveries",
        "5",
        _at_least_one,
        "Deliveries of an inbox entry before it goes to the dead-letter stream.",
    ),
    Setting(
        "DOITHOAI_SMTP_URL",
        "smtp_url",
        "",
        _smtp_url,
        "SMTP server that e-mails an asker who left an address (with consent) when their "
        "question is answered: smtp://[user:password@]host[:port] (plain; add "
        "?starttls=true to upgrade to TLS) or smtps://... (TLS from the start). Unset: no "
        "e-mail (the demo writes the e-mails it would send to its log instead).",
    ),
    Setting(
        "DOITHOAI_SMTP_FROM",
        "smtp_from",
        "",
        _mailbox,
        "The From of those e-mails, e.g. Organisers <doithoai@example.vn> (a name in "
        "Vietnamese too); "
        "required with DOITHOAI_SMTP_URL.",
    ),
    Setting(
        "DOITHOAI_NOTIFY_WEBHOOK",
        "notify_webhook",
        "",
        _webhook_url,
        "URL that gets a signed JSON POST, with the asker's phone and e-mail, when a "
        "question of an asker who left them (with consent) is answered, for an operator to "
        "relay to an SMS or Zalo gateway (docs/operations.md). https:// (http only on "
        "loopback). Unset: none.",
    ),
    Setting(
        "DOITHOAI_NOTIFY_WEBHOOK_SECRET",
        "notify_webhook_secret",
        "",
        str,
        "Key of the webhook's HMAC-SHA256 signature (X-Doithoai-Signature), at least 32 "
        "characters; required with DOITHOAI_NOTIFY_WEBHOOK.",
    ),
    Setting(
        "DOITHOAI_NOTIFY_TIMEOUT",
        "notify_timeout",
        "30",
        _positive,
        "Seconds an SMTP server or the webhook may take to answer before the attempt "
        "counts as failed.",
    ),
    Setting(
        "DOITHOAI_NOTIFY_BACKOFF",
        "notify_backoff",
        "30",
        _positive,
        "Seconds before a failed e-mail or webhook is tried again; the wait doubles "
        "after each failure (30 s, 1 min, 2 min ...).",
    ),
    Setting(
        "DOITHOAI_NOTIFY_ATTEMPTS",
        "notify_attempts",
        "8",
        _attempts,
        "Attempts at an e-mail or webhook before it goes to the dead letters (`doithoai "
        "notify dead`, `retry`); 8 with the default backoff is about an hour.",
    ),
    Setting(
        "DOITHOAI_TRUSTED_PROXIES",
        "trusted_proxies",
        "",
        _networks,
        "Comma-separated addresses or networks (CIDR) of the load balancers in front "
        "of the app. Only from these is X-Forwarded-For believed, for rate limits "
        "and logs; from any other peer it is ignored.",
    ),
    Setting(
        "DOITHOAI_NODE_NAME",
        "node_name",
        "",
        str,
        "This node's stable consumer name (intake, notices), unique among the nodes; "
        "unset: the host name plus port.",
    ),
    Setting(
        "DOITHOAI_METRICS_TOKEN",
        "metrics_token",
        "",
        str,
        "Bearer token a Prometheus scraper sends to read /metrics (Authorization: Bearer "
        "...), from anywhere; unset: /metrics answers only requests from this machine "
        "(a loopback peer) that came through no proxy (no X-Forwarded-For or Forwarded).",
    ),
    Setting(
        "DOITHOAI_READY_MAX_LAG",
        "ready_max_lag",
        "60",
        _positive,
        "Seconds the oldest question waiting in any dialogue's inbox may wait before "
        "/readyz answers 503 (the node's intake, or every node's, is not keeping up).",
    ),
    Setting(
        "DOITHOAI_LOG_FORMAT",
        "log_format",
        "text",
        _choice("text", "json"),
        "text, or json: one JSON object a line, with a line per HTTP request (method, "
        "route, redacted path, status, duration, request id, dialogue) and the request id "
        "on every line logged while handling it. The request lines hold no client address, and no "
        "line holds contact data.",
    ),
    Setting(
        "DOITHOAI_LOG_LEVEL",
        "log_level",
        "info",
        _choice("debug", "info", "warning", "error"),
        "Log level: debug, info, warning or error.",
    ),
)


@dataclass(frozen=True)
class Settings:
    redis_url: str = ""
    redis_timeout: float = 5.0
    redis_connect_timeout: float = 2.0
    redis_sentinels: tuple[tuple[str, int], ...] = ()
    redis_sentinel_master: str = ""
    redis_cluster_url: str = ""
    replica_acks: int = 0
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""
    data_dir: Path = Path("./var")
    appendfsync: str = "everysec"
    secret_key: str = ""
    demo_password: str = ""
    widget_origins: tuple[str, ...] = ()
    organiser: str = ""
    place: str = ""
    submit_limit: tuple[int, float] = (5, 60.0)
    device_limit: tuple[int, float] = (3, 60.0)
    voter_limit: tuple[int, float] = (10, 60.0)
    vote_limit: tuple[int, float] = (30, 60.0)
    proof_difficulty: int = 16
    login_limit: tuple[int, float] = (10, 60.0)
    session_ttl: int = 43200
    secure_cookies: bool = False
    max_body: int = 65536
    events_maxlen: int = 100000
    replay_max: int = 300
    air_undo: float = 10.0
    ws_max_message: int = 65536
    ws_ping_interval: float = 20.0
    viewers_every: float = 5.0
    ws_ping_timeout: float = 20.0
    ws_send_queue: int = 256
    ws_direct: bool = True
    ws_per_address: int = 200
    ws_write_stall: float = 5.0
    ws_close_deadline: float = 10.0
    ws_client_frames: tuple[int, float] = (60, 60.0)
    intake_claim_idle: float = 30.0
    intake_block: float = 1.0
    intake_max_deliveries: int = 5
    intake_workers: int = 1
    smtp_url: str = ""
    smtp_from: str = ""
    notify_webhook: str = ""
    notify_webhook_secret: str = ""
    notify_timeout: float = 30.0
    notify_backoff: float = 30.0
    notify_attempts: int = 8
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()
    node_name: str = ""
    metrics_token: str = ""
    ready_max_lag: float = 60.0
    log_format: str = "text"
    log_level: str = "info"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build the settings from ``environ`` (default ``os.environ``); overrides win."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            raw = env.get(setting.env, setting.default)
            try:
                values[setting.field] = setting.parse(raw)
            except SettingError as exc:
                raise SettingError(f"{setting.env}: {exc}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    @property
    def origin(self) -> str:
        """The app's own origin, for printed URLs and links."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def origins(self) -> frozenset[str]:
        """Every origin that counts as the app itself, fixed at start and never
        taken from a request: ``DOITHOAI_PUBLIC_URL``, else the loopback names
        of a node bound to loopback (a developer's machine, the demo), which no
        other machine can reach."""
        if self.public_url or not is_loopback(self.host):
            return frozenset({self.origin})
        return frozenset(f"http://{name}:{self.port}" for name in LOOPBACK_NAMES)

    def check_public_url(self) -> None:
        """Refuse to serve beyond this machine without ``DOITHOAI_PUBLIC_URL``:
        the origin browsers use cannot be guessed, and guessing it from the
        Host header would let any request choose it."""
        if self.public_url:
            parts = urlsplit(self.public_url)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
                raise SettingError(
                    "DOITHOAI_PUBLIC_URL: expected an origin such as "
                    f"https://doithoai.example.vn, got {self.public_url!r}"
                )
            return
        if not is_loopback(self.host):
            raise SettingError(
                f"DOITHOAI_HOST={self.host} serves other machines, so set DOITHOAI_PUBLIC_URL "
                "to the address browsers use to reach this app, e.g. "
                "DOITHOAI_PUBLIC_URL=https://doithoai.example.vn (behind a proxy) or "
                f"DOITHOAI_PUBLIC_URL=http://<this machine's address>:{self.port}"
            )

    def check_redis(self) -> None:
        """Refuse two ways to reach Redis at once, Sentinels without a master name,
        or replica acks on a Cluster."""
        chosen = [
            name
            for name, value in (
                ("REDIS_URL", self.redis_url),
                ("REDIS_SENTINELS", self.redis_sentinels),
                ("REDIS_CLUSTER_URL", self.redis_cluster_url),
            )
            if value
        ]
        if len(chosen) > 1:
            many = "not both" if len(chosen) == 2 else "only one"
            raise SettingError(f"set one of {' and '.join(chosen)}, {many}")
        if bool(self.redis_sentinels) != bool(self.redis_sentinel_master):
            raise SettingError("REDIS_SENTINELS and REDIS_SENTINEL_MASTER go together")

    def check_notify(self) -> None:
        """Refuse an e-mail without its From, or a webhook without its key."""
        if self.smtp_url and not self.smtp_from:
            raise SettingError(
                "DOITHOAI_SMTP_URL is set, so set DOITHOAI_SMTP_FROM too, e.g. "
                "DOITHOAI_SMTP_FROM='Organisers <doithoai@example.vn>'"
            )
        if self.notify_webhook and len(self.notify_webhook_secret) < 32:
            raise SettingError(
                "DOITHOAI_NOTIFY_WEBHOOK is set, so set DOITHOAI_NOTIFY_WEBHOOK_SECRET to a "
                "random key of at least 32 characters (e.g. `openssl rand -hex 32`)"
            )


#: The names of this machine that only this machine reaches, as browsers
#: write them in an Origin (an IPv6 literal cannot be named in a CSP source
#: list, so [::1] is left out: browse to 127.0.0.1 or localhost).
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
