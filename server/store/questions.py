"""Questions in Redis: submit, load, list, commit decisions, vote, snapshot.

The only writer of question state. Every write goes through a Lua script that
checks the current version and status and appends the events in the same
atomic step (``transition.lua``); a mismatch writes nothing and raises
``Conflict``.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import msgspec
from redis.asyncio import Redis
from redis.exceptions import NoScriptError

from ..domain import tally
from ..domain.audit import Entry
from ..domain.events import VOTES_LOOK_BACK_MS
from ..domain.lifecycle import Decision
from ..domain.model import Question, Status
from . import keys
from .audit import ATTEMPTS, AuditLog, HeadMoved, wait_turn
from .dialogues import _ALPHABET
from .errors import NotReplicated, guarded
from .scripts import Scripts
from .streams import is_cluster

#: Questions read per round trip while paging.
_BATCH = 200
#: How long a submission's 202 waits for DOITHOAI_REPLICA_ACKS replicas to
#: have it (well inside the command timeout, at least 2 s).
REPLICA_WAIT_MS = 1000


class Conflict(Exception):
    """A question (or the on-air slot) changed since it was loaded."""

    def __init__(self, question_id: str, version: int | None, status: str | None) -> None:
        super().__init__(f"question {question_id} is now {status} (version {version})")
        self.question_id = question_id
        self.version = version
        self.status = status


class Missing(Exception):
    pass


def new_tracking_code(dialogue_id: str) -> str:
    """``<dialogue id>-ABCDE-FGHJK``: 50 random bits after the dialogue's id,
    so that the code alone finds its dialogue (and its Redis slot). The
    alphabet has 32 letters, so each takes 5 of one draw's bits, unbiased
    (a draw per letter cost 19 µs of each submission, this 3)."""
    return _code(dialogue_id, _draw())


class _Draws:
    """7 bytes of the system's randomness (``os.urandom``, what
    ``secrets.token_bytes`` reads) a call, read 256 draws at a time: one
    system call per 256 tracking codes. A forked process drops what its
    parent read ahead, so the two never hand out the same codes."""

    SIZE = 7
    AHEAD = 256

    def __init__(self) -> None:
        self._buffer = b""
        self._at = 0
        os.register_at_fork(after_in_child=self.drop)

    def drop(self) -> None:
        self._buffer, self._at = b"", 0

    def __call__(self) -> int:
        at = self._at
        if at >= len(self._buffer):
            self._buffer, at = os.urandom(self.SIZE * self.AHEAD), 0
        self._at = at + self.SIZE
        return int.from_bytes(self._buffer[at : at + self.SIZE])


_draw = _Draws()


def derived_tracking_code(key: bytes, dialogue_id: str, seed: str) -> str:
    """A code of ``new_tracking_code``'s shape drawn from ``seed`` with the
    secret ``key``: the same seed always gives the same code (the honeypot's
    answer to a retried submission, as a real one's would be)."""
    digest = hmac.new(key, f"{dialogue_id}\n{seed}".encode(), hashlib.sha256).digest()
    return _code(dialogue_id, int.from_bytes(digest[:8], "big"))


def _code(dialogue_id: str, bits: int) -> str:
    """A tracking code of ``dialogue_id`` from ``bits``' lowest 50: letter i
    from bits 5i to 5i + 4, two letters a lookup (``_PAIRS``)."""
    p = _PAIRS
    body = (
        p[bits & 1023] + p[(bits >> 10) & 1023] + p[(bits >> 20) & 1023]
        + p[(bits >> 30) & 1023] + p[(bits >> 40) & 1023]
    )  # fmt: skip
    return f"{dialogue_id}-{body[:5]}-{body[5:]}"


#: Each 10 bits' two letters: the low 5 bits' letter, then the high 5 bits'.
_PAIRS = tuple(_ALPHABET[v & 31] + _ALPHABET[v >> 5] for v in range(1024))


def dialogue_of(tracking_code: str) -> str | None:
    head, _, _ = tracking_code.partition("-")
    ok = len(head) == 4 and all(c in _ALPHABET for c in head)
    return head if ok and len(tracking_code) == 16 else None


@dataclass(frozen=True)
class Board:
    """A consistent read of what a feed shows: the last event id, the
    questions (``rows``: each one's id, stored document and votes, as read;
    ``questions`` decodes them), the on-air queue's order and whether the
    overlay shows. A node may keep what it made of a question and use it
    again while its row is the same (``Feeds.staff``): a question's every
    change rewrites its document, and its votes are in the row."""

    last_id: str
    rows: list[Row]
    queue: list[str]
    overlay_visible: bool

    @property
    def questions(self) -> list[Question]:
        return [load(row) for row in self.rows]


#: A question as stored: its id, its document (JSON) and its votes.
Row = tuple[str, str, str | None]


def load(row: Row) -> Question:
    """The question a ``Row`` holds."""
    return _load(*row)


@dataclass(frozen=True)
class Front:
    """A consistent read of the public feed's first page (``front``): the last
    event id, the head of the on-air queue and its length, whether the overlay
    shows, how many questions each state holds, the question on air (if
    any), the newest question ids, the newest answered, the most supported
    open ones, and every question those name, by id."""

    last_id: str
    queue: list[str]
    queue_length: int
    overlay_visible: bool
    counts: dict[str, int]
    on_air: str | None
    newest: list[str]
    answered: list[str]
    top: list[str]
    questions: dict[str, Question]


# Bucket, Gate and Submitted are named tuples, not frozen dataclasses: made
# on every submission, a frozen dataclass sets each field by
# ``object.__setattr__`` (~2 µs of a submission for the three).


class Bucket(NamedTuple):
    """One token bucket a citizen's question takes a token from: ``subject``
    is already the keyed hash of the address or device (``RateLimiter.bucket``)."""

    scope: str
    subject: str
    capacity: int
    period: float


class Gate(NamedTuple):
    """What the submit script checks before it takes a question, in order:
    that the dialogue is still at ``version`` (None: not compared), a token
    from each of ``buckets``, the proof of work (``proof``: "" none asked,
    "bad" refused by the node, told once the limits are taken, "redeem" a
    valid one, used once under ``proof_salt`` for ``proof_ttl_ms``), and the
    honeypot (``trap``: all of that, then nothing is stored)."""

    version: int | None = None
    buckets: tuple[Bucket, ...] = ()
    proof: str = ""
    proof_salt: str = ""
    proof_ttl_ms: int = 0
    trap: bool = False


#: The submit script's answers that take no question.
_TURNED = ("stale", "limited", "proof", "trap")


class Turned(Exception):
    """The submit script took no question: ``reason`` is "stale" (the dialogue
    changed since the node checked the question against it), "limited"
    (``detail``: milliseconds to wait), "proof" (``detail``: invalid or used)
    or "trap" (the honeypot passed every check)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail


class Submitted(NamedTuple):
    tracking_code: str
    question_id: str
    created: bool


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


#: Stored documents decoded straight into the model (its dataclasses, tuples
#: and enums): no dict between, 4x faster than ``Question.from_doc`` on a
#: decoded dict (a cold staff snapshot reads 10,000 of them).
_DECODE = msgspec.json.Decoder(Question).decode


def _load(question_id: str, doc: Any, votes: Any) -> Question:
    count = int(votes or 0)
    if isinstance(doc, bytes):
        doc = doc.decode()
    # The row's id and votes appended to the document (the last of a
    # repeated key wins): the frozen model is made once, whole.
    if question_id.isdigit() and doc.endswith("}"):
        try:
            return _DECODE(f'{doc[:-1]},"id":"{question_id}","votes":{count}}}')
        except msgspec.DecodeError:
            pass  # older or looser documents (a null list, an empty state): read leniently
    data = msgspec.json.decode(doc)
    data["id"] = question_id
    return Question.from_doc(data, votes=count)


def _doc(question: Question) -> str:
    """``question.to_doc()`` as JSON, through msgspec: 3 µs where
    ``dataclasses.asdict`` and ``json.dumps`` took 95 (on every submission
    and every transition); ``test_submit_path`` holds the two equal."""
    return msgspec.json.encode(_doc_fields(question)).decode()


def _doc_fields(question: Question) -> dict[str, Any]:
    """``question.to_doc()``, the dict ``_doc`` encodes."""
    doc: dict[str, Any] = msgspec.to_builtins(question)
    doc.pop("votes")
    return doc


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@functools.lru_cache(maxsize=1024)
def _submit_keys(dialogue_id: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The dialogue's prefix, and the keys ``submit.lua`` takes before the
    buckets and after them (the same on every submission to the dialogue)."""
    d = dialogue_id
    first = (
        keys.submissions(d), keys.tracking(d), keys.inbox(d), keys.prefix(d) + "seq",
        keys.dialogue(d), keys.dialogue_version(d),
    )  # fmt: skip
    return keys.prefix(d), first, (keys.figures(d), keys.figures_ready(d))


def _transition_keys(dialogue_id: str, spec: Mapping[str, Any]) -> list[str]:
    """Every key ``transition.lua`` may touch for ``spec`` (one slot)."""
    ids = {w["id"] for w in spec["writes"]} | {e["id"] for e in spec["events"]}
    ids |= {w[k] for w in spec["writes"] for k in ("absorb_votes_of", "release_votes_of") if k in w}
    statuses = {w[k] for w in spec["writes"] for k in ("prev", "status") if k in w}
    prefix = keys.prefix(dialogue_id)
    return [
        *(keys.question(dialogue_id, i) for i in sorted(ids)),
        *(keys.by_status(dialogue_id, s) for s in sorted(statuses)),
        keys.queue(dialogue_id), keys.on_air(dialogue_id), keys.events(dialogue_id),
        keys.votes(dialogue_id), keys.inbox(dialogue_id), keys.notices(dialogue_id),
        keys.audit_stream(prefix), keys.audit_head(prefix), keys.figures(dialogue_id),
    ]  # fmt: skip


def _spec(
    decisions: Sequence[Decision],
    *,
    queue: Mapping[str, str | int] | None = None,
    absorb_votes: Mapping[str, str] | None = None,
    release_votes: Mapping[str, str] | None = None,
    on_air: tuple[str | None, str | None] | None = None,
    ack: str | None = None,
    notify: Sequence[str] = (),
) -> dict[str, Any]:
    """``transition.lua``'s spec of ``Questions.commit``'s arguments."""
    writes = []
    for decision in decisions:
        q = decision.question
        previous = decision.events[0].previous
        bump, once = tally.moved(previous, q)
        write: dict[str, Any] = {
            "id": q.id,
            "expect": q.version - 1,
            "status": q.status.value,
            "prev": previous.value,
            "doc": _doc(q),
            "tally": tally.standing(q),
        }
        write |= {"bump": bump} if bump else {}
        write |= {"once": once} if once else {}
        if queue and q.id in queue:
            write["queue"] = queue[q.id]
        if absorb_votes and q.id in absorb_votes:
            write["absorb_votes_of"] = absorb_votes[q.id]
        if release_votes and q.id in release_votes:
            write["release_votes_of"] = release_votes[q.id]
        writes.append(write)
    spec: dict[str, Any] = {
        "writes": writes,
        "events": [
            {"type": e.type, "prev": e.previous.value, "id": e.question.id}
            for d in decisions
            for e in d.events
        ],
    }
    if on_air is not None:
        spec["onair"] = {"expect": on_air[0] or "", "set": on_air[1] or ""}
    if ack is not None:
        spec["ack"] = {"group": keys.INTAKE_GROUP, "entry": ack}
    if notify:
        spec["notify"] = list(notify)
    return spec


@guarded
class Questions:
    def __init__(
        self,
        redis: Redis,
        scripts: Scripts,
        events_maxlen: int,
        audit: AuditLog,
        replica_acks: int = 0,
    ) -> None:
        # Any: redis-py's reply types do not follow decode_responses.
        self._redis: Any = redis
        self._scripts = scripts
        self._maxlen = events_maxlen
        self._audit = audit
        self._replica_acks = replica_acks

    async def submit(
        self,
        question: Question,
        submission_id: str | None,
        contact: Mapping[str, str] | None,
        gate: Gate | None = None,
    ) -> Submitted:
        """Accept ``question`` (status received) into its dialogue's inbox; the
        same ``submission_id`` again returns the first submission's code.
        With a ``gate`` (a citizen's question), first what it asks, in the same
        script: raises ``Turned`` when the question is not taken."""
        d = question.dialogue_id
        gate = gate or Gate()
        pairs = [item for kv in (contact or {}).items() for item in kv]
        prefix, before, after = _submit_keys(d)
        script_keys = [
            *before,
            *(keys.dialogue_rate(d, b.scope, b.subject) for b in gate.buckets),
            *([keys.proof_used(d, gate.proof_salt)] if gate.proof == "redeem" else []),
            *after,
        ]
        limits = [x for b in gate.buckets for x in (b.capacity, b.period)]
        head = [
            "" if gate.version is None else gate.version,
            int(time.time() * 1000),
            len(gate.buckets),
            gate.proof,
            gate.proof_ttl_ms,
            "1" if gate.trap else "",
            msgspec.json.encode(tally.standing(question)),
            msgspec.json.encode(tally.arrived(question)),
            *limits,
        ]
        # ``_doc``'s dict, built once: each attempt only names its own code.
        doc = _doc_fields(question)
        for _ in range(5):
            code = new_tracking_code(d)
            doc["tracking_code"] = code
            encoded = msgspec.json.encode(doc)
            result = await self._submit(
                script_keys, [prefix, submission_id or "", code, encoded, *head, *pairs]
            )
            first = _text(result[0])
            if first in _TURNED:
                raise Turned(first, _text(result[1]) if len(result) > 1 else "")
            if first != "collision":
                return Submitted(first, _text(result[1]), bool(result[2]))
        raise RuntimeError("could not draw a free tracking code")  # 50 random bits: never

    async def _submit(self, script_keys: list[str], args: list[Any]) -> Any:
        """The submit script; with replica acks, followed on the same
        connection by a WAIT for that many replicas to have its write.

        On a Cluster the WAIT is sent to the primary of the submission's slot
        in the same pipeline, which sends each node's commands on one
        connection: WAIT counts the replicas that have that connection's
        writes. A primary that lacks the script (a new or promoted one) has
        it loaded, and the pipeline is sent again. When the slot moved while
        the pipeline ran, the WAIT may have gone to the old primary: the
        write counts as unconfirmed (503; the retry is safe)."""
        if not self._replica_acks:
            return await self._scripts("submit", script_keys, args)
        node = None
        if is_cluster(self._redis):
            await self._redis.initialize()  # at once unless the slots are to be mapped (again)
            node = self._redis.get_node_from_key(script_keys[0])
        for attempt in range(2):
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    await self._scripts("submit", script_keys, args, client=pipe)
                    if node is None:
                        pipe.wait(self._replica_acks, REPLICA_WAIT_MS)
                    else:
                        pipe.execute_command(
                            "WAIT", self._replica_acks, REPLICA_WAIT_MS, target_nodes=node
                        )
                    result, acked = await pipe.execute()
                break
            except NoScriptError:
                if attempt:
                    raise
                await self._scripts.load("submit")
        written = len(result) == 3
        if node is not None and self._redis.get_node_from_key(script_keys[0]).name != node.name:
            acked = 0  # the slot moved: the WAIT did not follow the write
        if written and int(acked) < self._replica_acks:
            raise NotReplicated("NotReplicated", f"{acked} of {self._replica_acks} replicas")
        return result

    async def get(self, dialogue_id: str, question_id: str) -> Question | None:
        doc, votes = await self._redis.hmget(
            keys.question(dialogue_id, question_id), "doc", "votes"
        )
        return _load(question_id, doc, votes) if doc else None

    async def get_many(self, dialogue_id: str, ids: Sequence[str]) -> list[Question]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for qid in ids:
                pipe.hmget(keys.question(dialogue_id, qid), "doc", "votes")
            rows = await pipe.execute()
        return [_load(qid, doc, votes) for qid, (doc, votes) in zip(ids, rows, strict=True) if doc]

    async def by_tracking(self, code: str) -> Question | None:
        dialogue_id = dialogue_of(code)
        if dialogue_id is None:
            return None
        qid = await self._redis.hget(keys.tracking(dialogue_id), code)
        return await self.get(dialogue_id, _text(qid)) if qid else None

    async def contact(self, dialogue_id: str, question_id: str) -> dict[str, str]:
        return (await self.contacts(dialogue_id, [question_id]))[0]

    async def contacts(self, dialogue_id: str, ids: Sequence[str]) -> list[dict[str, str]]:
        """The contact data of each question of ``ids`` (empty where none), pipelined."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for qid in ids:
                pipe.hgetall(keys.contact(dialogue_id, qid))
            rows = await pipe.execute()
        return [{_text(k): _text(v) for k, v in row.items()} for row in rows]

    async def inbox_entries(self, dialogue_id: str) -> dict[str, str]:
        """question id -> its inbox entry id, for entries still in the inbox."""
        rows = await self._redis.xrange(keys.inbox(dialogue_id))
        return {fields["qid"]: entry_id for entry_id, fields in rows}

    async def counts(self, dialogue_id: str) -> dict[str, int]:
        """How many questions are in each state."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for status in Status:
                pipe.zcard(keys.by_status(dialogue_id, status.value))
            sizes = await pipe.execute()
        return {status.value: int(n) for status, n in zip(Status, sizes, strict=True)}

    async def figures(self, dialogue_id: str) -> dict[str, int]:
        """The dialogue's dashboard counters (``domain.tally``), non-zero ones."""
        rows = await self._redis.hgetall(keys.figures(dialogue_id))
        return {_text(k): int(v) for k, v in rows.items() if int(v)}

    async def counted(self, dialogue_id: str) -> bool:
        """Whether the dashboard's counters count every question of the dialogue."""
        return bool(await self._redis.exists(keys.figures_ready(dialogue_id)))

    async def recount(
        self,
        dialogue_id: str,
        last_event_id: str,
        last_question_id: int,
        counters: Mapping[str, int],
        each: Mapping[str, tally.Recounted],
    ) -> bool:
        """Write the counters anew (``tally.recount``) if no event was appended
        and no question submitted since ``last_event_id`` and
        ``last_question_id`` were read; whether they now count every question."""
        d = dialogue_id
        spec = {
            "fig": dict(counters),
            "q": {qid: {"tally": r.standing, "once": list(r.marks)} for qid, r in each.items()},
        }
        touched = [keys.events(d), keys.prefix(d) + "seq", keys.figures(d), keys.figures_ready(d)]
        args = [keys.prefix(d), last_event_id, str(last_question_id), _json(spec)]
        result = await self._scripts("recount", touched, args)
        return _text(result[0]) != "moved"

    async def viewers(
        self, dialogue_id: str, node: str | None, count: int, now_ms: int, ttl_ms: int
    ) -> tuple[int, int]:
        """Record that ``node`` (None: only read) has ``count`` viewers of the
        dialogue at ``now_ms``; the viewers of every node that said so within
        ``ttl_ms``, summed, and the most ever counted so."""
        touched = [keys.viewers(dialogue_id), keys.viewers_peak(dialogue_id)]
        result = await self._scripts("viewers", touched, [node or "", count, now_ms, ttl_ms])
        return int(result[0]), int(result[1])

    async def most_supported(self, dialogue_id: str, limit: int) -> list[tuple[str, int]]:
        """The ``limit`` question ids with the most votes, most first (any state)."""
        rows = await self._redis.zrevrange(keys.votes(dialogue_id), 0, limit - 1, withscores=True)
        return [(_text(qid), int(score)) for qid, score in rows]

    async def queue_head(self, dialogue_id: str) -> str | None:
        head = await self._redis.zrange(keys.queue(dialogue_id), 0, 0)
        return str(head[0]) if head else None

    async def ack(self, dialogue_id: str, entry_id: str) -> None:
        await self._redis.xack(keys.inbox(dialogue_id), keys.INTAKE_GROUP, entry_id)

    async def keep_trap(self, code: str, view: Mapping[str, Any], ttl: int) -> None:
        """Remember, for ``ttl`` seconds, the asker's view a honeypot's code
        answers with (nothing else of the trapped submission is kept)."""
        dialogue_id = dialogue_of(code)
        assert dialogue_id is not None, code
        await self._redis.set(keys.trap(dialogue_id, code), json.dumps(view), ex=ttl)

    async def trapped(self, code: str) -> dict[str, Any] | None:
        """The view a honeypot's code answers with, while it is kept."""
        dialogue_id = dialogue_of(code)
        raw = await self._redis.get(keys.trap(dialogue_id, code)) if dialogue_id else None
        return dict(json.loads(raw)) if raw else None

    async def last_id(self, dialogue_id: str) -> int:
        """The highest question id the dialogue has handed out (0: none yet)."""
        return int(await self._redis.get(keys.prefix(dialogue_id) + "seq") or 0)

    async def has_contact(self, dialogue_id: str, question_id: str) -> bool:
        """Whether contact data is kept for the question (without reading it)."""
        return bool(await self._redis.exists(keys.contact(dialogue_id, question_id)))

    async def forget_contact(self, dialogue_id: str, question_id: str) -> bool:
        """Delete a question's contact data; whether there was any."""
        return bool(await self._redis.delete(keys.contact(dialogue_id, question_id)))

    async def contacts_consented_before(self, dialogue_id: str, cutoff: str) -> list[str]:
        """Ids of the dialogue's questions whose contact data was given before ``cutoff``."""
        found = []
        async for key in self._redis.scan_iter(match=keys.contact(dialogue_id, "*"), count=500):
            consent_at = await self._redis.hget(key, "consent_at")
            if consent_at is None or str(consent_at) < cutoff:
                found.append(str(key).rsplit(":", 1)[1])
        return found

    async def set_handling(
        self, dialogue_id: str, question_id: str, username: str, until: str
    ) -> None:
        """Record (and announce on the staff feed) that ``username`` is handling
        the question until ``until``."""
        await self._presence(dialogue_id, question_id, username, until)

    async def clear_handling(self, dialogue_id: str, question_id: str, username: str) -> None:
        """``username`` let go of the question (only their own claim is cleared)."""
        current = await self._redis.hget(keys.handling(dialogue_id), question_id)
        if current and json.loads(current).get("by") == username:
            await self._presence(dialogue_id, question_id, "", "")

    async def _presence(self, dialogue_id: str, question_id: str, by: str, until: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            if by:
                value = json.dumps({"by": by, "until": until}, ensure_ascii=False)
                pipe.hset(keys.handling(dialogue_id), question_id, value)
            else:
                pipe.hdel(keys.handling(dialogue_id), question_id)
            pipe.xadd(
                keys.events(dialogue_id),
                {"type": "presence.changed", "qid": question_id, "by": by, "until": until},
                maxlen=self._maxlen,
                approximate=True,
            )
            await pipe.execute()

    async def handling(self, dialogue_id: str, now: str) -> dict[str, dict[str, str]]:
        """question id -> {by, until} of the claims still running at ``now``."""
        rows = await self._redis.hgetall(keys.handling(dialogue_id))
        claims = {_text(k): json.loads(v) for k, v in rows.items()}
        lapsed = [qid for qid, c in claims.items() if c.get("until", "") <= now]
        if lapsed:
            await self._redis.hdel(keys.handling(dialogue_id), *lapsed)
        return {qid: c for qid, c in claims.items() if qid not in lapsed}

    async def on_air_id(self, dialogue_id: str) -> str | None:
        value = await self._redis.get(keys.on_air(dialogue_id))
        return _text(value) if value else None

    async def page(
        self,
        dialogue_id: str,
        status: Status | None,
        limit: int,
        cursor: str | None,
        official: str | None = None,
    ) -> tuple[list[Question], str | None]:
        """One page of a dialogue's questions (optionally only those routed to
        ``official``): oldest first, or queue order for ``queued``. ``cursor``
        is the opaque value a previous page returned."""

        def wanted(q: Question) -> bool:
            return q.status is not Status.RECEIVED and (
                official is None or q.official_id == official
            )

        if status is Status.QUEUED:  # the on-air queue is short: filter it whole
            ids = list(await self._redis.zrange(keys.queue(dialogue_id), 0, -1))
            queued = [q for q in await self.get_many(dialogue_id, ids) if wanted(q)]
            start = int(cursor or 0)
            more = len(queued) > start + limit
            return queued[start : start + limit], str(start + limit) if more else None
        found: list[Question] = []
        after = int(cursor or 0)
        last = await self.last_id(dialogue_id)
        while len(found) <= limit and after < last:
            if status is None:
                ids = [str(i) for i in range(after + 1, min(last, after + _BATCH) + 1)]
            else:
                key = keys.by_status(dialogue_id, status.value)
                ids = list(await self._redis.zrangebyscore(key, f"({after}", "+inf", 0, _BATCH))
            if not ids:
                break
            found.extend(q for q in await self.get_many(dialogue_id, ids) if wanted(q))
            after = int(ids[-1])
        page = found[:limit]
        return page, page[-1].id if len(found) > limit else None

    async def commit(
        self,
        dialogue_id: str,
        decisions: Sequence[Decision],
        *,
        queue: Mapping[str, str | int] | None = None,
        absorb_votes: Mapping[str, str] | None = None,
        release_votes: Mapping[str, str] | None = None,
        on_air: tuple[str | None, str | None] | None = None,
        ack: str | None = None,
        audit: Sequence[Entry] = (),
        notify: Sequence[str] = (),
    ) -> list[str]:
        """Write ``decisions`` and append their events in one atomic step.

        ``queue`` places queued questions (``"head"``, ``"tail"`` or an index);
        ``absorb_votes`` maps a merge target to the source whose votes it takes
        (``release_votes``: gives back); ``on_air`` is (expected, new) for the
        dialogue's on-air slot; ``ack`` acknowledges an inbox entry in the same
        step; ``audit`` entries join the dialogue's audit chain in the same
        step too; ``notify`` names questions whose askers have news, for the
        notifier (``notices.py``), in the same step as well. Returns the
        event ids.
        """
        spec = _spec(
            decisions,
            queue=queue,
            absorb_votes=absorb_votes,
            release_votes=release_votes,
            on_air=on_air,
            ack=ack,
            notify=notify,
        )
        prefix = keys.prefix(dialogue_id)
        for attempt in range(ATTEMPTS):
            if attempt:
                await wait_turn(attempt)
            if audit:
                spec["audit"] = await self._audit.spec(dialogue_id, audit)
            touched = _transition_keys(dialogue_id, spec)
            args = [prefix, self._maxlen, msgspec.json.encode(spec)]
            result = await self._scripts("transition", touched, args)
            if _text(result[0]) != "audit":
                break
        else:
            raise HeadMoved(prefix)
        outcome = _text(result[0])
        if outcome == "ok":
            return [_text(r) for r in result[1:]]
        if outcome == "conflict":
            version = int(result[2]) if result[2] is not None else None
            raise Conflict(_text(result[1]), version, _text(result[3]))
        if outcome == "onair":
            raise Conflict(_text(result[1]) or "", None, "on_air")
        raise Missing(_text(result[1]))

    async def commit_each(
        self,
        dialogue_id: str,
        decisions: Sequence[tuple[Decision, str]],
        acks: Sequence[str] = (),
    ) -> None:
        """Write each decision with its inbox entry's acknowledgement, each
        as ``commit(..., ack=entry)`` does, and acknowledge ``acks``: on one
        Redis in one pipeline (one round trip). A decision whose question
        moved on meanwhile (another consumer screened it) is only acknowledged."""
        if is_cluster(self._redis):  # a script in a Cluster pipeline may not be loaded
            for decision, entry_id in decisions:
                try:
                    await self.commit(dialogue_id, [decision], ack=entry_id)
                except Conflict:
                    await self.ack(dialogue_id, entry_id)
            if acks:
                await self._redis.xack(keys.inbox(dialogue_id), keys.INTAKE_GROUP, *acks)
            return
        prefix = keys.prefix(dialogue_id)
        async with self._redis.pipeline(transaction=False) as pipe:
            for decision, entry_id in decisions:
                spec = _spec([decision], ack=entry_id)
                args = [prefix, self._maxlen, msgspec.json.encode(spec)]
                await self._scripts(
                    "transition", _transition_keys(dialogue_id, spec), args, client=pipe
                )
            if acks:
                pipe.xack(keys.inbox(dialogue_id), keys.INTAKE_GROUP, *acks)
            results = await pipe.execute()
        late = [
            entry_id
            for (_, entry_id), result in zip(decisions, results, strict=False)
            if _text(result[0]) == "conflict"
        ]
        if late:
            await self._redis.xack(keys.inbox(dialogue_id), keys.INTAKE_GROUP, *late)

    async def vote(self, dialogue_id: str, question_id: str, voter: str) -> int | None:
        """Count ``voter``'s one vote; None if the question is not public."""
        touched = [
            keys.question(dialogue_id, question_id),
            keys.prefix(dialogue_id) + f"voters:{question_id}",
            keys.events(dialogue_id),
            keys.votes(dialogue_id),
            keys.voted(dialogue_id),
        ]
        args = [keys.prefix(dialogue_id), question_id, voter, self._maxlen, VOTES_LOOK_BACK_MS]
        result = await self._scripts("vote", touched, args)
        return None if _text(result[0]) == "not_found" else int(result[0])

    async def voted(self, dialogue_id: str, since_ms: int, upto_ms: int) -> list[tuple[str, int]]:
        """The questions whose last vote was from ``since_ms`` to ``upto_ms``
        (stream time; at most ``VOTES_LOOK_BACK_MS`` ago), with their votes now."""
        ids = [
            _text(qid)
            for qid in await self._redis.zrangebyscore(keys.voted(dialogue_id), since_ms, upto_ms)
        ]
        if not ids:
            return []
        counts = await self._redis.zmscore(keys.votes(dialogue_id), ids)
        return [(qid, int(n)) for qid, n in zip(ids, counts, strict=True) if n is not None]

    async def snapshot(
        self, dialogue_id: str, statuses: Iterable[Status]
    ) -> tuple[str, list[Question]]:
        """The last event id and every question in ``statuses``, read atomically."""
        board = await self.board(dialogue_id, statuses)
        return board.last_id, board.questions

    async def board(self, dialogue_id: str, statuses: Iterable[Status]) -> Board:
        """What a feed's snapshot shows, read atomically (``Board``)."""
        statuses = list(statuses)
        # The questions it reads are found in these sets: same slot, not known before.
        touched = [keys.events(dialogue_id), keys.queue(dialogue_id)]
        touched += [keys.overlay_hidden(dialogue_id)]
        touched += [keys.by_status(dialogue_id, s.value) for s in statuses]
        result = await self._scripts(
            "snapshot", touched, [keys.prefix(dialogue_id), *(s.value for s in statuses)]
        )
        rows = result[3:]
        found: list[Row] = [
            (_text(rows[i]), rows[i + 1], rows[i + 2])
            for i in range(0, len(rows), 3)
            if rows[i + 1]
        ]
        queue = [str(i) for i in json.loads(_text(result[1]))]
        return Board(_text(result[0]), found, queue, not int(result[2]))

    async def front(
        self,
        dialogue_id: str,
        statuses: Iterable[Status],
        *,
        newest: int,
        answered: int,
        top: int,
        queue: int,
    ) -> Front:
        """What the public feed's first page may show, read atomically and
        bounded whatever the dialogue's size (``Front``): at most ``newest`` +
        ``answered`` + ``top`` + ``queue`` + 1 questions."""
        statuses = list(statuses)
        d = dialogue_id
        touched = [keys.events(d), keys.queue(d), keys.on_air(d), keys.overlay_hidden(d)]
        touched += [keys.votes(d), keys.votes_ready(d)]
        touched += [keys.by_status(d, s.value) for s in statuses]
        if Status.ANSWERED not in statuses:
            touched.append(keys.by_status(d, Status.ANSWERED.value))
        args = [keys.prefix(d), newest, answered, top, queue, *(s.value for s in statuses)]
        result = await self._scripts("front", touched, args)
        rows = result[9:]
        found = {
            _text(rows[i]): _load(_text(rows[i]), rows[i + 1], rows[i + 2])
            for i in range(0, len(rows), 3)
            if rows[i + 1]
        }

        def ids(raw: Any) -> list[str]:
            return [str(i) for i in json.loads(_text(raw))]

        counts = json.loads(_text(result[4]))
        return Front(
            last_id=_text(result[0]),
            queue=ids(result[1]),
            queue_length=int(result[2]),
            overlay_visible=not int(result[3]),
            counts={str(k): int(v) for k, v in (counts or {}).items()},
            on_air=_text(result[5]) or None,
            newest=ids(result[6]),
            answered=ids(result[7]),
            top=ids(result[8]),
            questions=found,
        )

    async def newest(
        self, dialogue_id: str, statuses: Iterable[Status], before: int | None, limit: int
    ) -> tuple[list[Question], bool]:
        """The newest ``limit`` questions in ``statuses`` whose id is below
        ``before`` (None: any), newest first, and whether older ones follow.
        Ids never change, so paging on with the last id given reads each
        question once (one that changes state meanwhile is read in its new
        state, or not at all if it left ``statuses``)."""
        high = f"({before}" if before is not None else "+inf"
        statuses = list(statuses)
        async with self._redis.pipeline(transaction=False) as pipe:
            for status in statuses:
                key = keys.by_status(dialogue_id, status.value)
                pipe.zrevrangebyscore(key, high, "-inf", start=0, num=limit + 1)
            rows = await pipe.execute()
        ids = sorted({_text(i) for row in rows for i in row}, key=int, reverse=True)
        more = len(ids) > limit
        return await self.get_many(dialogue_id, ids[:limit]), more

    async def queue_ids(self, dialogue_id: str) -> list[str]:
        """The on-air queue's question ids, head first."""
        return [_text(i) for i in await self._redis.zrange(keys.queue(dialogue_id), 0, -1)]
