"""The one place that loads, decides, saves: every change to a dialogue's
questions goes through here, from the HTTP API, the CLI, the demo and intake.

Handlers stay thin: they turn requests into calls of ``Actions`` and its
``Refused`` errors into API.md's error bodies. Events are appended by the
store in the same atomic step as the state, so publishing needs no step here.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from .domain import access, audit, export, lifecycle, phases, screening
from .domain.access import Permission
from .domain.events import public_dialogue, public_question, staff_question
from .domain.lifecycle import Command, Decision
from .domain.model import (
    PUBLIC_STATUSES,
    Actor,
    Dialogue,
    DialogueStatus,
    HistoryEntry,
    Question,
    Role,
    Status,
    iso,
)
from .domain.text import DEVICE_ID, Submission, ValidationError, clean_submission
from .domain.wording import Refused
from .duplicates import DuplicateFinder
from .store.connection import Store
from .store.dialogues import IdTaken, SlugTaken, StaleDialogue, new_dialogue_id
from .store.questions import (
    Conflict,
    Missing,
    Submitted,
    derived_tracking_code,
    new_tracking_code,
)

#: Channels a citizen's own submission may name; the others are for staff.
PUBLIC_CHANNELS = ("web", "widget")
#: Version of the personal-data notice shown beside the contact fields; kept
#: with each consent so that what the citizen agreed to can be shown later.
NOTICE_VERSION = "2026-11"
#: The actions a moderator may take on a selection at once, and its size.
BULK_ACTIONS = ("approve", "reject")
BULK_MAX = 200
#: How long "being handled by" lasts without being renewed.
HANDLING_SECONDS = 60
#: How long a honeypot's code answers like a question being reviewed: longer
#: than a robot checks its work, short enough that robots' text leaves Redis.
TRAP_SECONDS = 30 * 24 * 3600
#: Who the audit trail names for what a citizen does on their own question.
CITIZEN = Actor("citizen", frozenset())


def utcnow() -> datetime:
    return datetime.now(UTC)


class Actions:
    def __init__(self, store: Store, clock: Callable[[], datetime] = utcnow) -> None:
        self.store = store
        self._now = clock
        self.duplicates = DuplicateFinder(store)

    # -- dialogues -------------------------------------------------------------

    async def dialogue(self, slug: str) -> Dialogue:
        dialogue = await self.store.dialogues.by_slug(slug)
        if dialogue is None:
            raise Refused("not_found", "no dialogue “{slug}”", slug=slug)
        return dialogue

    async def create_dialogue(self, **fields: Any) -> Dialogue:
        """A new dialogue with a fresh id; ``fields`` as ``Dialogue``'s (topics
        and officials as dicts or objects)."""
        doc = {**fields, "id": fields.get("id") or new_dialogue_id()}
        doc["topics"] = [t if isinstance(t, dict) else asdict(t) for t in doc.get("topics", ())]
        doc["officials"] = [
            o if isinstance(o, dict) else asdict(o) for o in doc.get("officials", ())
        ]
        if "status" in doc:
            doc["status"] = DialogueStatus(doc["status"]).value
        dialogue = Dialogue.from_doc(doc)
        for _ in range(5):
            try:
                return await self.store.dialogues.create(dialogue)
            except SlugTaken:
                raise Refused(
                    "conflict", "the slug “{slug}” is taken", "slug", slug=dialogue.slug
                ) from None
            except IdTaken:
                dialogue = Dialogue.from_doc({**doc, "id": new_dialogue_id()})
        raise RuntimeError("could not draw a free dialogue id")

    async def set_dialogue_status(
        self, dialogue: Dialogue, status: Any, actor: Actor | None = None, version: Any = None
    ) -> Dialogue:
        """Move the dialogue to another phase (one step forward or back); with
        ``version``, only if the admin saw the dialogue at that version."""
        phases.check_version(dialogue, version)
        changed = phases.change_phase(dialogue, status, iso(self._now()))
        return await self._save_dialogue(dialogue, changed, "dialogue.status", actor)

    async def update_dialogue(
        self, dialogue: Dialogue, changes: Mapping[str, Any], actor: Actor | None = None
    ) -> Dialogue:
        """An admin's edit of the dialogue's settings (title, topics, officials,
        ...), refused with 409 if ``changes["version"]`` is not the stored one."""
        changed = phases.edit(dialogue, changes)
        return await self._save_dialogue(dialogue, changed, "dialogue.edit", actor)

    async def _save_dialogue(
        self, old: Dialogue, new: Dialogue, action: str, actor: Actor | None
    ) -> Dialogue:
        """Store ``new`` at the next version if ``old`` is still the stored
        one; another admin's change in between gives 409."""
        if new == old:
            return old
        new = new.evolve(version=old.version + 1)
        try:
            await self.store.dialogues.save(new, old.version)
        except StaleDialogue:
            raise phases.stale() from None
        if actor is not None:
            entry = audit.of_settings(actor, action, old.to_doc(), new.to_doc(), iso(self._now()))
            await self.store.audit.append(new.id, [entry])
        return new

    async def new_dialogue(
        self, payload: Mapping[str, Any], actor: Actor | None = None
    ) -> Dialogue:
        """A draft dialogue from an admin's request (``slug``, ``title``, ...)."""
        draft = phases.new_dialogue("", payload)
        created = await self.create_dialogue(**{**draft.to_doc(), "id": None})
        if actor is not None:
            at = iso(self._now())
            entry = audit.of_settings(actor, "dialogue.create", {}, created.to_doc(), at)
            await self.store.audit.append(created.id, [entry])
        return created

    async def rotate_screen_token(self, dialogue: Dialogue, actor: Actor) -> str:
        """A new overlay token (the old one stops working at once)."""
        token = await self.store.dialogues.rotate_screen_token(dialogue.id)
        entry = audit.of_settings(actor, "screen.rotate", {}, {}, iso(self._now()))
        await self.store.audit.append(dialogue.id, [entry])
        return token

    async def screen_token_ok(self, dialogue: Dialogue, token: str) -> bool:
        """Whether ``token`` opens the dialogue's broadcast overlay."""
        current = await self.store.dialogues.screen_token(dialogue.id)
        return bool(token) and hmac.compare_digest(token.encode(), current.encode())

    async def archive(self, dialogue: Dialogue) -> dict[str, Any]:
        """Every answered question, grouped by topic and by official, with the
        counts of what was received, answered live or in writing, and owed."""
        _, done = await self.store.questions.snapshot(dialogue.id, [Status.ANSWERED])
        done.sort(key=lambda q: (q.answer.answered_at if q.answer else "", int(q.id)))
        counts = await self.store.questions.counts(dialogue.id)
        answered = [public_question(q, dialogue) for q in done]

        def grouped(key: str, items: list[tuple[str | None, str]]) -> list[dict[str, Any]]:
            order = [k for k, _ in items] + [None]
            names = dict(items)
            groups: dict[str | None, list[dict[str, Any]]] = {}
            for q in answered:
                value = q[key]["id"] if key == "official" and q[key] else q.get(key)
                groups.setdefault(value if value in names else None, []).append(q)
            return [
                {"id": k, "name": names.get(k), "questions": groups[k]}
                for k in order
                if k in groups
            ]

        return {
            "dialogue": public_dialogue(dialogue),
            "counts": {
                "received": sum(counts.values()),
                "answered_live": sum(1 for q in done if q.answer and q.answer.kind == "live"),
                "answered_written": sum(1 for q in done if q.answer and q.answer.kind == "written"),
                "owed": counts[Status.DEFERRED.value],
            },
            "by_topic": grouped("topic", [(t.id, t.name) for t in dialogue.topics]),
            "by_official": grouped("official", [(o.id, o.name) for o in dialogue.officials]),
        }

    async def export(
        self, dialogue: Dialogue, actor: Actor, with_contact: bool = False
    ) -> list[dict[str, Any]]:
        """Every question of the dialogue (all states but received), oldest
        first, as export rows; contact columns only ``with_contact``, for
        moderators and admins, and that access is audited."""
        if with_contact and not access.allows(actor.roles, Permission.CONTACT):
            raise Refused("forbidden", "only moderators and admins may export contact data")
        _, questions = await self.store.questions.snapshot(
            dialogue.id, [s for s in Status if s is not Status.RECEIVED]
        )
        questions.sort(key=lambda q: int(q.id))
        contacts = None
        if with_contact:
            contacts = await self.store.questions.contacts(dialogue.id, [q.id for q in questions])
            after = {"with_contact": True, "questions": len(questions)}
            entry = audit.by(actor, "export", None, {}, after, iso(self._now()))
            await self.store.audit.append(dialogue.id, [entry])
        return export.rows(questions, dialogue, contacts)

    # -- citizens --------------------------------------------------------------

    def check_submission(
        self, dialogue: Dialogue, payload: Any, staff: Actor | None = None
    ) -> Submission:
        """The submission, validated for ``dialogue`` (and its phase), or Refused."""
        if staff is None and not dialogue.accepting_questions:
            raise _not_accepting(dialogue)
        if staff is not None and dialogue.status is DialogueStatus.ARCHIVED:
            raise _not_accepting(dialogue)
        try:
            sub = clean_submission(
                payload,
                topics=[t.id for t in dialogue.topics],
                localities=dialogue.localities,
                allow_anonymous=dialogue.allow_anonymous,
            )
        except ValidationError as exc:
            raise Refused("invalid", exc.message, exc.field) from None
        if staff is None and sub.channel not in PUBLIC_CHANNELS:
            raise Refused("invalid", "channel is for staff submissions", "channel")
        return sub

    async def submit(
        self, dialogue: Dialogue, payload: Any, staff: Actor | None = None
    ) -> Submitted:
        """Validate and accept a question into the dialogue's inbox (the 202)."""
        sub = self.check_submission(dialogue, payload, staff)
        at = iso(self._now())
        question = Question(
            id="",
            dialogue_id=dialogue.id,
            tracking_code="",
            text=sub.text,
            name=sub.name,
            organization=sub.organization,
            locality=sub.locality,
            topic=sub.topic,
            channel=sub.channel,
            submitted_at=at,
            history=(HistoryEntry(at, staff.username, "enter"),) if staff else (),
        )
        contact: dict[str, str] = {}
        if sub.phone:
            contact["phone"] = sub.phone
        if sub.email:
            contact["email"] = sub.email
        if contact:
            contact.update(consent_at=at, notice_version=NOTICE_VERSION)
        submitted = await self.store.questions.submit(question, sub.submission_id, contact)
        if staff is not None and submitted.created:
            after = {"channel": sub.channel, "text": sub.text}
            entry = audit.by(staff, "enter", submitted.question_id, {}, after, at)
            await self.store.audit.append(dialogue.id, [entry])
        return submitted

    def check_voter(self, voter: Any) -> str:
        """``voter``, if it is a device id (the widget's random id), or Refused."""
        if not isinstance(voter, str) or not DEVICE_ID.fullmatch(voter):
            raise Refused(
                "invalid",
                "voter must be the widget's random id (8-64 letters, digits, - or _)",
                "voter",
            )
        return voter

    async def trap(self, dialogue: Dialogue, payload: Any, key: bytes) -> str:
        """The honeypot (a submission whose hidden field a robot filled): the
        checks a real submission gets (so a robot learns nothing from a 400 it
        would not otherwise get), then a tracking code of the real shape that
        answers, on the tracking page and API, as a real question still being
        reviewed does, for as long as a robot would look. A retry with the same
        ``submission_id`` gets the same code, as a real retry does. Nothing of
        the submission is kept but that view (text, topic, time)."""
        sub = self.check_submission(dialogue, payload)
        code = (
            derived_tracking_code(key, dialogue.id, sub.submission_id)
            if sub.submission_id
            else new_tracking_code(dialogue.id)
        )
        view = {
            "tracking_code": code,
            "dialogue": {"slug": dialogue.slug, "title": dialogue.title},
            "status": Status.PENDING.value,
            "text": sub.text,
            "topic": sub.topic,
            "submitted_at": iso(self._now()),
        }
        if await self.store.questions.trapped(code) is None:
            await self.store.questions.keep_trap(code, view, TRAP_SECONDS)
        return code

    async def vote(
        self,
        dialogue: Dialogue,
        question_id: str,
        voter: Any,
        proof: Any = None,
        difficulty: int = 0,
    ) -> int:
        """Count ``voter``'s one vote for a published question. While the
        dialogue asks for a proof of work, a voter id must have paid one
        (``proof``, a solved challenge of ``difficulty``) once a broadcast day."""
        voter = self.check_voter(voter)
        if dialogue.proof_of_work:
            await self.store.proofs.admit_voter(proof, dialogue.id, voter, difficulty)
        votes = await self.store.questions.vote(dialogue.id, question_id, voter)
        if votes is None:
            raise Refused("not_found", "no such published question")
        return votes

    async def feed(self, dialogue: Dialogue) -> dict[str, Any]:
        """The public feed object of API.md, consistent with its last event id."""
        last_id, questions = await self.store.questions.snapshot(dialogue.id, PUBLIC_STATUSES)
        questions.sort(key=lambda q: int(q.id))
        on_air = next((q for q in questions if q.status is Status.ON_AIR), None)
        return {
            "last_event_id": last_id,
            "dialogue": public_dialogue(dialogue),
            "on_air": public_question(on_air, dialogue) if on_air else None,
            "questions": [public_question(q, dialogue) for q in questions],
        }

    async def tracking(self, code: str) -> dict[str, Any]:
        """The asker's view of their question, from the moment of the 202."""
        q = await self.store.questions.by_tracking(code)
        if q is None:
            trapped = await self.store.questions.trapped(code)
            if trapped is not None:
                return trapped
            raise Refused("not_found", "no question has this tracking code")
        dialogue = await self.store.dialogues.by_id(q.dialogue_id)
        assert dialogue is not None
        view: dict[str, Any] = {
            "tracking_code": q.tracking_code,
            "dialogue": {"slug": dialogue.slug, "title": dialogue.title},
            "status": q.status.value,
            "text": q.original_text if q.original_text is not None else q.text,
            "topic": q.topic,
            "submitted_at": q.submitted_at,
        }
        if q.status is Status.REJECTED:
            view["reason"] = q.reason
        if q.answer is not None:
            public = public_question(q, dialogue)
            view["answer"] = public["answer"]
            view["recording_url"] = public["recording_url"]
            view["recording_offset"] = public["recording_offset"]
        if q.merged_into:
            target = await self.store.questions.get(dialogue.id, q.merged_into)
            if target is not None and target.is_public:
                view["merged_into"] = public_question(target, dialogue)
        return view

    async def forget_contact(self, code: str) -> bool:
        """The asker's request, by tracking code, to delete their contact data.
        True if there was some; Refused(not_found) for an unknown code. A
        deletion is recorded in the dialogue's audit trail: that it happened,
        on which question, never the data."""
        q = await self.store.questions.by_tracking(code)
        if q is None:
            if await self.store.questions.trapped(code) is not None:
                return False  # as a real question given without contact data
            raise Refused("not_found", "no question has this tracking code")
        removed = await self.store.questions.forget_contact(q.dialogue_id, q.id)
        if removed:
            entry = audit.by(CITIZEN, "contact.deleted", q.id, {}, {}, iso(self._now()))
            await self.store.audit.append(q.dialogue_id, [entry])
        return removed

    async def purge_contacts(self, older_than: timedelta) -> int:
        """Delete contact data given longer ago than ``older_than`` (retention)."""
        cutoff = iso(self._now() - older_than)
        removed = 0
        for dialogue_id in await self.store.dialogues.ids():
            for qid in await self.store.questions.contacts_consented_before(dialogue_id, cutoff):
                removed += await self.store.questions.forget_contact(dialogue_id, qid)
        return removed

    # -- intake ----------------------------------------------------------------

    async def materialise(self, dialogue_id: str, question_id: str, entry_id: str) -> None:
        """Screen a received question (the dialogue's policy, duplicate
        suggestions) into moderation, or reject it when the policy says so,
        and acknowledge its inbox entry in the same atomic step; a second
        delivery only acknowledges."""
        q = await self.store.questions.get(dialogue_id, question_id)
        if q is None:
            raise Missing(question_id)
        if q.status is not Status.RECEIVED:
            await self.store.questions.ack(dialogue_id, entry_id)
            return
        dialogue = await self.store.dialogues.by_id(dialogue_id)
        policy = screening.Policy.from_doc(dialogue.policy if dialogue else {})
        result = screening.screen(q.text, q.name, q.organization, policy)
        duplicates = await self.duplicates.similar(q) if result.decision != "reject" else ()
        decision = lifecycle.screen(q, result, duplicates, self._now())
        try:
            await self.store.questions.commit(dialogue_id, [decision], ack=entry_id)
        except Conflict:
            # Another consumer materialised it first (after taking the entry over).
            await self.store.questions.ack(dialogue_id, entry_id)

    # -- staff -----------------------------------------------------------------

    def actor_in(
        self,
        dialogue: Dialogue,
        username: str,
        roles: frozenset[Role],
        address: str | None = None,
    ) -> Actor:
        official = dialogue.official_for(username)
        return Actor(username, roles, official.id if official else None, address)

    async def question(self, dialogue: Dialogue, question_id: str) -> Question:
        q = await self.store.questions.get(dialogue.id, question_id)
        if q is None:
            raise Refused("not_found", "no such question")
        return q

    async def staff_view(self, dialogue: Dialogue, q: Question, actor: Actor) -> dict[str, Any]:
        return (await self.staff_views(dialogue, [q], actor))[0]

    async def staff_views(
        self, dialogue: Dialogue, questions: list[Question], actor: Actor
    ) -> list[dict[str, Any]]:
        """Staff questions as ``actor`` may see them: contact data (read in one
        round trip for the whole page) for moderators only, and the actions
        ``actor`` may take now."""
        contacts: list[dict[str, str] | None] = [None] * len(questions)
        if access.allows(actor.roles, Permission.CONTACT) and questions:
            found = await self.store.questions.contacts(dialogue.id, [q.id for q in questions])
            contacts = [{k: v for k, v in c.items() if k in ("phone", "email")} for c in found]
        views = []
        for q, contact in zip(questions, contacts, strict=True):
            doc = staff_question(q, dialogue, contact)
            doc["actions"] = lifecycle.allowed_actions(q, actor)
            views.append(doc)
        return views

    async def act(
        self,
        dialogue: Dialogue,
        question_id: str,
        action: str,
        body: Mapping[str, Any],
        actor: Actor,
    ) -> Question:
        """Take ``action`` on a question: decide, then write atomically or 409."""
        version = body.get("version")
        if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
            raise Refused("invalid", "version must be a whole number", "version")
        q = await self.question(dialogue, question_id)
        now = self._now()
        decision = lifecycle.decide(q, Command(action, body, version), actor, now, dialogue)
        decisions: list[Decision] = [decision]
        queue: dict[str, str | int] = {}
        absorb: dict[str, str] = {}
        release: dict[str, str] = {}
        on_air: tuple[str | None, str | None] | None = None
        new = decision.question
        if action == "on_air":
            current_id = await self.store.questions.on_air_id(dialogue.id)
            if current_id and current_id != q.id:
                current = await self.question(dialogue, current_id)
                decisions.insert(0, lifecycle.displace(current, actor, now))
                queue[current_id] = "head"
            on_air = (current_id, q.id)
        elif q.status is Status.ON_AIR and new.status is not Status.ON_AIR:
            on_air = (q.id, None)
            if new.status is Status.QUEUED:
                queue[q.id] = "head"
        if action in ("queue", "move"):
            position = body.get("position")
            queue[q.id] = "tail" if position is None else position
        if action == "merge":
            target = await self.store.questions.get(dialogue.id, str(body["into"]))
            if target is None:
                raise Refused("invalid", "into names no question of this dialogue", "into")
            decisions.append(lifecycle.absorb(target, q, actor, now))
            absorb[target.id] = q.id
        if action == "unmerge" and q.merged_into:
            target = await self.store.questions.get(dialogue.id, q.merged_into)
            if target is not None and q.id in target.merged_from:
                decisions.append(lifecycle.release(target, q, actor, now))
                release[target.id] = q.id
            if new.status is Status.QUEUED:
                queue[q.id] = "tail"
        await self._commit(
            dialogue,
            decisions,
            actor,
            queue=queue,
            absorb_votes=absorb,
            release_votes=release,
            on_air=on_air,
        )
        return new

    async def bulk(
        self,
        dialogue: Dialogue,
        action: Any,
        ids: Any,
        body: Mapping[str, Any],
        actor: Actor,
    ) -> list[dict[str, Any]]:
        """Approve or reject many questions, each in its own atomic step: one
        result per id, ``{id, ok, question}`` or ``{id, ok: False, error}``."""
        if action not in BULK_ACTIONS:
            raise Refused(
                "invalid",
                "action must be one of {listed}",
                "action",
                listed=", ".join(BULK_ACTIONS),
            )
        valid = isinstance(ids, list) and all(isinstance(i, str) and i for i in ids)
        if not valid or not 0 < len(ids) <= BULK_MAX:
            raise Refused(
                "invalid", "ids must be a list of 1 to {most} question ids", "ids", most=BULK_MAX
            )
        versions = body.get("versions") or {}
        if not isinstance(versions, dict):
            raise Refused("invalid", "versions must map question ids to versions", "versions")
        params = {"reason": body.get("reason")} if action == "reject" else {}
        results: list[dict[str, Any]] = []
        for qid in dict.fromkeys(ids):
            try:
                q = await self.act(
                    dialogue, qid, action, {**params, "version": versions.get(qid)}, actor
                )
            except Refused as exc:
                results.append({"id": qid, "ok": False, "error": exc})
            else:
                results.append({"id": qid, "ok": True, "question": q})
        return results

    async def handle(self, dialogue: Dialogue, question_id: str, actor: Actor) -> dict[str, Any]:
        """``actor`` has the question open in the console: tell the others,
        for ``HANDLING_SECONDS`` (the console repeats it while it stays open)."""
        await self.question(dialogue, question_id)
        until = iso(self._now() + timedelta(seconds=HANDLING_SECONDS))
        await self.store.questions.set_handling(dialogue.id, question_id, actor.username, until)
        return {"question": question_id, "by": actor.username, "until": until}

    async def release_handling(self, dialogue: Dialogue, question_id: str, actor: Actor) -> None:
        await self.store.questions.clear_handling(dialogue.id, question_id, actor.username)

    async def handling(self, dialogue: Dialogue) -> dict[str, dict[str, str]]:
        """Who is handling which question now (for a console's snapshot)."""
        return await self.store.questions.handling(dialogue.id, iso(self._now()))

    async def next_question(
        self, dialogue: Dialogue, actor: Actor, then: Any = "back", current: Any = None
    ) -> Question:
        """The producer's "next question": the head of the on-air queue goes on
        air; the question on air (if any) goes back to the head of the queue
        (``then="back"``) or is deferred to a written answer (``"defer"``).
        ``current`` is the on-air id the producer saw (``""`` for none): if it
        changed meanwhile, nothing happens (409), so two producers pressing at
        once put exactly one question on air."""
        if not actor.has(Role.PRODUCER):
            raise Refused("forbidden", "only a producer puts the next question on air")
        if then not in ("back", "defer"):
            raise Refused("invalid", 'then must be "back" or "defer"', "then")
        current_id = await self.store.questions.on_air_id(dialogue.id)
        if current is not None and current != (current_id or ""):
            raise Refused("conflict", "the question on air changed meanwhile", "current")
        head_id = await self.store.questions.queue_head(dialogue.id)
        if head_id is None:
            raise Refused("conflict", "the on-air queue is empty")
        now = self._now()
        head = await self.question(dialogue, head_id)
        decisions = [lifecycle.decide(head, Command("on_air"), actor, now, dialogue)]
        queue: dict[str, str | int] = {}
        if current_id:
            on_air = await self.question(dialogue, current_id)
            if then == "back":
                decisions.insert(0, lifecycle.displace(on_air, actor, now))
                queue[current_id] = "head"
            else:
                decisions.insert(
                    0, lifecycle.decide(on_air, Command("defer"), actor, now, dialogue)
                )
        await self._commit(dialogue, decisions, actor, queue=queue, on_air=(current_id, head_id))
        return decisions[-1].question

    async def _commit(
        self, dialogue: Dialogue, decisions: list[Decision], actor: Actor, **options: Any
    ) -> None:
        """Write ``decisions`` with their audit entries, or raise ``Refused``."""
        entries = audit.of_decisions(decisions, actor, iso(self._now()))
        try:
            await self.store.questions.commit(dialogue.id, decisions, audit=entries, **options)
        except Conflict as exc:
            raise Refused(
                "conflict", "the question changed meanwhile: {what}", what=str(exc)
            ) from None
        except Missing:
            raise Refused("not_found", "no such question") from None


def _not_accepting(dialogue: Dialogue) -> Refused:
    if dialogue.status in (DialogueStatus.CLOSED, DialogueStatus.ARCHIVED):
        return Refused("not_accepting", "This dialogue has ended and takes no more questions.")
    return Refused("not_accepting", "This dialogue is not taking questions yet.")
