"""A question's lifecycle: the one transition table, and ``decide``.

Every staff action goes through ``decide(question, command, actor, now,
dialogue)``, which checks the table (state and role), validates the action's
body, and returns the new question and the events it causes. It never
performs I/O: the store writes the result atomically, checking the version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from .folding import fold_text
from .model import (
    REJECT_REASONS,
    Actor,
    Answer,
    Dialogue,
    DialogueStatus,
    Duplicate,
    HistoryEntry,
    Note,
    Question,
    Role,
    Status,
    iso,
)
from .screening import ScreeningResult
from .text import LIMITS, ValidationError, clean_text
from .wording import N_, Message, Refused

S = Status
MOD, OFF, PROD, SEC = Role.MODERATOR, Role.OFFICIAL, Role.PRODUCER, Role.SECRETARY
ALL_STAFF = frozenset({MOD, OFF, PROD, SEC})
#: States in which a question is still being worked on.
OPEN_STATES = frozenset({S.PENDING, S.APPROVED, S.QUEUED, S.ON_AIR, S.DEFERRED})
#: States a question is finished in: the staff snapshot leaves them out (the
#: console's history pages through them).
FINISHED_STATES = frozenset(set(S) - OPEN_STATES - {S.RECEIVED})
#: States a question can be merged into: any that will be, or was, answered.
MERGE_TARGETS = frozenset({*OPEN_STATES, S.ANSWERED})
#: Each state as the pages name it (templates/_labels.html): a refusal names
#: a question's state so, never by its code.
STATUS_NAMES: dict[Status, str] = {
    S.RECEIVED: N_("Received"),
    S.PENDING: N_("Pending"),
    S.APPROVED: N_("Published"),
    S.QUEUED: N_("In the on-air queue"),
    S.ON_AIR: N_("Now answering"),
    S.ANSWERED: N_("Answered"),
    S.DEFERRED: N_("To be answered in writing"),
    S.REJECTED: N_("Rejected"),
    S.MERGED: N_("Merged"),
}


def state_name(status: Status) -> Message:
    """``status`` as the pages name it, said in the reader's language."""
    return Message(STATUS_NAMES[status])


@dataclass(frozen=True)
class Rule:
    """One row of the table: ``action`` moves a question from one of ``sources``
    to ``target`` (None: it stays where it is). ``roles`` may take it on any
    question; ``own_roles`` only on a question assigned to them. Admin may
    take every action."""

    action: str
    sources: frozenset[Status]
    target: Status | None
    roles: frozenset[Role]
    own_roles: frozenset[Role] = frozenset()


def _rule(
    action: str,
    sources: set[Status] | frozenset[Status],
    target: Status | None,
    roles: set[Role] | frozenset[Role],
    own: set[Role] | frozenset[Role] = frozenset(),
) -> Rule:
    return Rule(action, frozenset(sources), target, frozenset(roles), frozenset(own))


#: The transition table (docs/api.md lists it too). A (action, source) pair appears at most once.
TABLE: tuple[Rule, ...] = (
    _rule("approve", {S.PENDING}, S.APPROVED, {MOD}),
    _rule("reject", {S.PENDING}, S.REJECTED, {MOD}),
    _rule("restore", {S.REJECTED}, S.PENDING, {MOD}),
    _rule("unpublish", {S.APPROVED, S.QUEUED}, S.PENDING, {MOD}),
    _rule("edit", {S.PENDING, S.APPROVED, S.QUEUED}, None, {MOD}),
    _rule("air_text", OPEN_STATES, None, {MOD, PROD}),
    _rule("set_topic", OPEN_STATES, None, {MOD}),
    _rule("assign", {S.PENDING, S.APPROVED, S.QUEUED, S.DEFERRED}, None, {MOD, PROD}),
    _rule("queue", {S.APPROVED}, S.QUEUED, {MOD, PROD}),
    _rule("dequeue", {S.QUEUED}, S.APPROVED, {MOD, PROD}),
    # Reorder the on-air queue.
    _rule("move", {S.QUEUED}, None, {MOD, PROD}),
    # The air is the producer's alone: what goes on air, back, or is answered
    # there. An official says they are ready (or will answer in writing).
    _rule("on_air", {S.QUEUED, S.APPROVED}, S.ON_AIR, {PROD}),
    _rule("back", {S.ON_AIR}, S.QUEUED, {PROD}),
    _rule("answer", {S.ON_AIR}, S.ANSWERED, {PROD}),
    _rule("answer", {S.DEFERRED}, S.ANSWERED, set(), {OFF}),
    # The summary of an answer given live (optional when it is given), or a
    # correction of a written one.
    _rule("summarize", {S.ANSWERED}, None, {PROD, SEC}, {OFF}),
    _rule("ready", {S.APPROVED, S.QUEUED}, None, set(), {OFF}),
    _rule("defer", {S.APPROVED, S.QUEUED}, S.DEFERRED, {MOD, PROD}, {OFF}),
    _rule("defer", {S.ON_AIR}, S.DEFERRED, {PROD}),
    _rule("merge", {S.PENDING, S.APPROVED, S.QUEUED}, S.MERGED, {MOD}),
    # Undo a merge. The question goes back to
    # the state it was merged from (``merged_status``); its target gives back
    # its askers and votes (``release``).
    _rule("unmerge", {S.MERGED}, S.PENDING, {MOD}),
    _rule("note", frozenset(S) - {S.RECEIVED}, None, ALL_STAFF),
)

ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(rule.action for rule in TABLE))

#: The fields each action's body may hold besides ``version``: any other is
#: refused (400), never ignored, so that a misspelt field cannot pass for
#: one left out (``{"official": ...}`` unassigning instead of assigning).
FIELDS: dict[str, frozenset[str]] = {
    action: frozenset(names)
    for action, names in {
        "reject": {"reason"},
        "edit": {"text"},
        "air_text": {"text"},
        "set_topic": {"topic"},
        "assign": {"official_id"},
        "queue": {"position"},
        "move": {"position"},
        "answer": {"text"},
        "summarize": {"text"},
        "ready": {"ready"},
        "merge": {"into"},
        "note": {"text"},
    }.items()
}
#: Actions whose field must be sent, even as null ("nobody", "no topic"):
#: absence is not taken for null.
REQUIRED: dict[str, str] = {"assign": "official_id", "set_topic": "topic"}

#: The event each action appends (past tense).
EVENT_TYPES: dict[str, str] = {
    "screen": "question.received",
    "approve": "question.approved",
    "reject": "question.rejected",
    "restore": "question.restored",
    "unpublish": "question.unpublished",
    "edit": "question.edited",
    "air_text": "question.air_text_set",
    "set_topic": "question.topic_set",
    "assign": "question.assigned",
    "queue": "question.queued",
    "dequeue": "question.dequeued",
    "move": "question.moved",
    "on_air": "question.on_air",
    "back": "question.returned",
    "skip": "question.skipped",
    "answer": "question.answered",
    "summarize": "question.summarized",
    "ready": "question.ready",
    "defer": "question.deferred",
    "owe": "question.deferred",
    "undo": "question.air_undone",
    "merge": "question.merged",
    "absorb": "question.absorbed",
    "unmerge": "question.unmerged",
    "release": "question.released",
    "note": "question.noted",
}


@dataclass(frozen=True)
class Command:
    action: str
    params: Mapping[str, Any] = field(default_factory=dict)
    #: The version the actor saw; None skips the check (the store still
    #: compares against the version it loaded).
    version: int | None = None


@dataclass(frozen=True)
class Event:
    type: str
    question: Question
    previous: Status


@dataclass(frozen=True)
class Decision:
    question: Question
    events: tuple[Event, ...]
    #: The question as it was before (for the audit trail's before/after).
    before: Question | None = None


#: The actions of the air: once a dialogue's broadcast is over (closed, after
#: its wrap-up, or archived) nothing goes on air or waits to.
AIR_ACTIONS = frozenset({"queue", "dequeue", "move", "on_air", "back", "ready"})
OVER = frozenset({DialogueStatus.CLOSED, DialogueStatus.ARCHIVED})


def _ruled_out(action: str, phase: DialogueStatus | None) -> str | None:
    """Why the dialogue's phase rules out ``action``, if it does: an archived
    dialogue's questions change no more (but for notes: an admin steps it
    back to closed to finish one), and a finished broadcast takes no air
    actions (written answers go on)."""
    if phase is DialogueStatus.ARCHIVED and action != "note":
        return N_(
            "the dialogue is archived: its questions change no more (an admin may step it back to closed)"  # noqa: E501
        )
    if phase in OVER and action in AIR_ACTIONS:
        return N_(
            "the broadcast is over: no question goes on air or waits for it now (answer in writing instead)"  # noqa: E501
        )
    return None


def rule_for(action: str, status: Status) -> Rule | None:
    return next((r for r in TABLE if r.action == action and status in r.sources), None)


def may(actor: Actor, rule: Rule, question: Question) -> bool:
    """Whether ``actor``'s roles allow ``rule`` on ``question``."""
    if Role.ADMIN in actor.roles or actor.roles & rule.roles:
        return True
    own = actor.official_id is not None and actor.official_id == question.official_id
    return own and bool(actor.roles & rule.own_roles)


def allowed_actions(
    question: Question, actor: Actor, phase: DialogueStatus | None = None
) -> list[str]:
    """The actions ``actor`` may take on ``question`` now, in a dialogue in
    ``phase`` (for consoles)."""
    return [
        r.action
        for r in TABLE
        if question.status in r.sources
        and may(actor, r, question)
        and _ruled_out(r.action, phase) is None
    ]


# actions_by_role's answers by their action_set: all they depend on. The
# staff snapshot asks for each of its questions (10,000 in a big queue: 2 s
# of its build before this was kept).
# The answer itself is kept and handed out, not a copy of it (copying took a
# third of a second of a 10,000-question snapshot): its lists are tuples.
_BY_ROLE: dict[str, dict[str, tuple[str, ...]]] = {}


def action_set(question: Question, phase: DialogueStatus | None = None) -> str:
    """The name of ``actions_by_role``'s answer for ``question`` in a
    dialogue in ``phase``, made of all it depends on: the question's state,
    "+routed" when it is routed to an official, and "@closed" or
    "@archived" once the broadcast is over (the staff snapshot sends each
    answer once, its questions name it)."""
    key = question.status.value
    if question.official_id is not None:
        key += "+routed"
    if phase is not None and phase in OVER:
        key += "@" + phase.value
    return key


def actions_by_role(
    question: Question, phase: DialogueStatus | None = None, key: str | None = None
) -> dict[str, tuple[str, ...]]:
    """The actions each role may take on ``question`` now, the official's as
    the official it is routed to: what a console needs to offer the right
    buttons without a copy of this table (the staff feed is serialised once
    for every console, whatever its roles). A role-only actor's rights
    depend on the question's state alone, the official's also on whether the
    question is routed (to them, by construction), and both on whether the
    dialogue's ``phase`` rules actions out: kept by those three (its
    ``action_set``), and shared by every question that has them (tuples: no
    caller can change another question's answer). ``key``: its
    ``action_set``, when the caller made it already."""
    if key is None:
        key = action_set(question, phase)
    found = _BY_ROLE.get(key)
    if found is None:
        era = phase if phase in OVER else None
        found = {
            role.value: tuple(
                allowed_actions(
                    question,
                    Actor(
                        "",
                        frozenset({role}),
                        question.official_id if role is Role.OFFICIAL else None,
                    ),
                    era,
                )
            )
            for role in Role
        }
        _BY_ROLE[key] = found
    return found


def _invalid(exc: ValidationError) -> Refused:
    return Refused("invalid", exc.message, exc.field)


def _param_text(params: Mapping[str, Any], limit_key: str) -> str:
    try:
        text = clean_text(params.get("text"), "text", limit=LIMITS[limit_key])
    except ValidationError as exc:
        raise _invalid(exc) from None
    assert text is not None  # required=True never returns None
    return text


def _optional_text(params: Mapping[str, Any], field: str) -> str | None:
    """``params["text"]``, checked against ``field``'s limits, or None when it
    is missing or blank (which clears it)."""
    value = params.get("text")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return clean_text(value, "text", limit=LIMITS[field])
    except ValidationError as exc:
        raise _invalid(exc) from None


def unknown_field(name: str, fields: Iterable[str]) -> Refused:
    """The 400 for a body's field ``name`` that is not one of ``fields``."""
    listed = ", ".join(sorted(set(fields)))
    return Refused(
        "invalid",
        "Unknown field “{name}”. The fields are: {listed}.",
        name,
        name=name,
        listed=listed,
    )


def _check_fields(action: str, params: Mapping[str, Any]) -> None:
    """Refuse a field ``action`` does not take, and a required one left out."""
    allowed = FIELDS.get(action, frozenset())
    unknown = sorted(str(name) for name in params if name != "version" and name not in allowed)
    if unknown:
        raise unknown_field(unknown[0], {*allowed, "version"})
    required = REQUIRED.get(action)
    if required is not None and required not in params:
        raise Refused(
            "invalid",
            "Send {name} (null for none): it may not be left out.",
            required,
            name=required,
        )


def _changes(
    rule: Rule, question: Question, command: Command, actor: Actor, dialogue: Dialogue, at: str
) -> dict[str, Any]:
    """The fields ``command`` changes besides status, after validating its body."""
    params = command.params
    action = rule.action
    _check_fields(action, params)
    if action == "reject":
        reason = params.get("reason")
        if reason not in REJECT_REASONS:
            raise Refused("invalid", "choose a reason for rejecting", "reason")
        return {"reason": reason}
    if action == "restore":
        return {"reason": None}
    if action == "edit":
        text = _param_text(params, "text")
        original = question.original_text if question.original_text is not None else question.text
        # Back to the original (an undo of the edit): the question is no longer edited.
        return {"text": text, "original_text": None if text == original else original}
    if action == "set_topic":
        topic = params.get("topic")
        if topic is not None and dialogue.topic(topic) is None:
            raise Refused("invalid", "topic is not one of the dialogue's topics", "topic")
        return {"topic": topic}
    if action == "assign":
        official_id = params.get("official_id")
        if official_id is not None and dialogue.official(official_id) is None:
            raise Refused(
                "invalid", "official_id is not an official of the dialogue", "official_id"
            )
        return {"official_id": official_id}
    if action == "air_text":
        return {"air_text": _optional_text(params, "air_text")}
    if action == "on_air":
        return {"on_air_at": at, "ready_at": None}
    if action == "ready":
        ready = params.get("ready", True)
        if not isinstance(ready, bool):
            raise Refused("invalid", "ready must be true or false", "ready")
        return {"ready_at": at if ready else None}
    if action == "defer":
        return {"deferred_at": at, "ready_at": None}
    if action in ("queue", "move"):
        position = params.get("position")
        valid = position is None or (type(position) is int and position >= 0)
        if not valid or (action == "move" and position is None):
            raise Refused(
                "invalid",
                "position must be a whole number from 0 (the head of the queue)",
                "position",
            )
        return {}
    if action == "answer":
        official_id = question.official_id or actor.official_id
        if question.status is S.ON_AIR:
            # Answered live: the summary may come later (``summarize``).
            text = _optional_text(params, "answer") or ""
            return {"answer": Answer(text, "live", official_id, at, actor.username)}
        text = _param_text(params, "answer")
        return {"answer": Answer(text, "written", official_id, at, actor.username)}
    if action == "summarize":
        assert question.answer is not None  # every answered question has one
        text = _param_text(params, "answer")
        return {"answer": replace(question.answer, text=text)}
    if action == "merge":
        into = params.get("into")
        if not isinstance(into, str) or not into:
            raise Refused("invalid", "into must name the question to merge into", "into")
        if into == question.id:
            raise Refused("invalid", "a question cannot be merged into itself", "into")
        return {"merged_into": into, "merged_status": question.status}
    if action == "unmerge":
        return {"merged_into": None, "merged_status": None}
    if action == "note":
        text = _param_text(params, "note")
        return {"notes": (*question.notes, Note(at, actor.username, text))}
    return {}


def decide(
    question: Question, command: Command, actor: Actor, now: datetime, dialogue: Dialogue
) -> Decision:
    """Apply ``command`` by ``actor`` to ``question``, or raise ``Refused``."""
    if command.action not in ACTIONS:
        raise Refused("not_found", "unknown action “{action}”", action=command.action)
    if command.version is not None and command.version != question.version:
        raise Refused(
            "conflict",
            "the question changed (version {version}, you had {yours})",
            "version",
            version=question.version,
            yours=command.version,
        )
    rule = rule_for(command.action, question.status)
    if rule is None:
        raise Refused(
            "conflict",
            "cannot {action} a question that is {status}",
            action=command.action,
            status=state_name(question.status),
        )
    if not may(actor, rule, question):
        raise Refused(
            "forbidden", "your role may not {action} this question", action=command.action
        )
    why = _ruled_out(rule.action, dialogue.status)
    if why is not None:
        raise Refused("conflict", why)
    at = iso(now)
    changes = _changes(rule, question, command, actor, dialogue, at)
    target = rule.target
    if rule.action == "unmerge":
        target = question.merged_status or S.PENDING
    return _apply(question, rule.action, target, changes, actor.username, at)


def _apply(
    question: Question,
    action: str,
    target: Status | None,
    changes: dict[str, Any],
    actor: str,
    at: str,
) -> Decision:
    text = changes.get("text", question.text)
    folded = question.folded if text == question.text else None
    new = question.evolve(
        status=target or question.status,
        version=question.version + 1,
        history=(*question.history, HistoryEntry(at, actor, action)),
        updated_at=at,
        # Kept from intake on, made again for a new text (a staff snapshot reads it).
        folded=folded if folded is not None else fold_text(text),
        **changes,
    )
    return Decision(new, (Event(EVENT_TYPES[action], new, question.status),), question)


def screen(
    question: Question,
    result: ScreeningResult,
    duplicates: tuple[Duplicate, ...],
    now: datetime,
) -> Decision:
    """Intake's step: a received question, screened, enters moderation, or is
    rejected at once when the dialogue's policy says so for one of its flags."""
    if question.status is not S.RECEIVED:
        raise Refused(
            "conflict", "question is already {status}", status=state_name(question.status)
        )
    changes: dict[str, Any] = {
        "flags": result.flags,
        "flag_reasons": dict(result.reasons),
        "duplicates": duplicates,
        "held": result.decision == "hold",
        "suggested_reason": result.suggested_reason,
    }
    target = S.PENDING
    if result.decision == "reject":
        target = S.REJECTED
        changes["reason"] = result.reject_reason
    return _apply(question, "screen", target, changes, "system", iso(now))


def suggest(decision: Decision, duplicates: tuple[Duplicate, ...]) -> Decision:
    """``decision`` with its question's duplicate suggestions replaced (an
    edit is suggested again for its new text), in its events too."""
    new = replace(decision.question, duplicates=duplicates)
    events = tuple(
        replace(e, question=new) if e.question.id == new.id else e for e in decision.events
    )
    return replace(decision, question=new, events=events)


def displace(question: Question, actor: Actor, now: datetime) -> Decision:
    """The question on air goes back to the head of the queue because ``actor``
    put another on air (both changes are events). Authorised by the
    ``on_air`` that causes it, so no role check here."""
    if question.status is not S.ON_AIR:
        raise Refused(
            "conflict", "question is {status}, not on air", status=state_name(question.status)
        )
    return _apply(question, "back", S.QUEUED, {}, actor.username, iso(now))


def skip(question: Question, actor: Actor, now: datetime) -> Decision:
    """The producer moves on from the question on air without answering it: it
    waits at the end of the queue (the caller places it) while the next goes
    on air. Authorised by the producer's air control, so no role check here."""
    if question.status is not S.ON_AIR:
        raise Refused(
            "conflict", "question is {status}, not on air", status=state_name(question.status)
        )
    return _apply(question, "skip", S.QUEUED, {}, actor.username, iso(now))


#: States a question may still be in when its dialogue's broadcast ends, and
#: from which the wrap-up turns it into a written answer owed.
UNANSWERED = frozenset({S.APPROVED, S.QUEUED, S.ON_AIR, S.DEFERRED})


def owe(
    question: Question, official_id: str | None, due: str, actor: Actor, now: datetime
) -> Decision:
    """The broadcast's wrap-up: a question not answered live becomes a written
    answer owed by ``official_id`` (None: nobody yet, to be taken up) by the
    day ``due`` (YYYY-MM-DD), or by the day an earlier wrap-up promised (a
    dialogue stepped back to live and wrapped up again does not push back
    a day the public was told). Authorised by the wrap-up that causes it."""
    if question.status not in UNANSWERED:
        raise Refused(
            "conflict", "cannot owe an answer to a question that is {status}",
            status=state_name(question.status),
        )  # fmt: skip
    at = iso(now)
    changes = {
        "official_id": official_id,
        "due_at": question.due_at or due,
        "deferred_at": question.deferred_at or at,
        "ready_at": None,
    }
    return _apply(question, "owe", S.DEFERRED, changes, actor.username, at)


def revert(current: Question, before: Question, actor: Actor, now: datetime) -> Decision:
    """Undo of an air change: ``current`` goes back to ``before`` (the same
    question as the change found it), at the next version, with the undo in
    its history. The caller has checked that nothing else changed it since."""
    if current.id != before.id:
        raise Refused("conflict", "cannot undo: the questions differ")
    at = iso(now)
    new = before.evolve(
        version=current.version + 1,
        history=(*current.history, HistoryEntry(at, actor.username, "undo")),
        updated_at=at,
    )
    return Decision(new, (Event(EVENT_TYPES["undo"], new, current.status),), current)


def absorb(target: Question, source: Question, actor: Actor, now: datetime) -> Decision:
    """``source`` was merged into ``target``: its askers now follow ``target``.
    (Its votes are added by the store, which owns vote counts.)"""
    if target.status not in MERGE_TARGETS:
        raise Refused(
            "conflict",
            "cannot merge into a question that is {status}",
            status=state_name(target.status),
        )
    if target.id == source.id or target.dialogue_id != source.dialogue_id:
        raise Refused("invalid", "cannot merge into that question", "into")
    changes = {
        "asked_by": target.asked_by + source.asked_by,
        "merged_from": (*target.merged_from, source.id),
    }
    return _apply(target, "absorb", None, changes, actor.username, iso(now))


def release(target: Question, source: Question, actor: Actor, now: datetime) -> Decision:
    """``source`` was unmerged from ``target``: ``target`` gives back its
    askers (and, in the store, its votes). Authorised by the ``unmerge``."""
    if source.id not in target.merged_from:
        raise Refused(
            "conflict",
            "question {source} is not merged into {target}",
            source=source.id,
            target=target.id,
        )
    changes = {
        "asked_by": max(1, target.asked_by - source.asked_by),
        "merged_from": tuple(i for i in target.merged_from if i != source.id),
    }
    return _apply(target, "release", None, changes, actor.username, iso(now))
