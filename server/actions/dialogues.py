"""Dialogues: find them, create them, edit their settings, move them through
their phases, and the public archive of one that has ended."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

from ..config import Settings
from ..domain import audit, phases
from ..domain.events import public_dialogue, public_question
from ..domain.model import Actor, Dialogue, DialogueStatus, Status, iso
from ..domain.views import Archive, ArchiveGroup, PublicQuestion
from ..domain.wording import FieldError, Message, Refused
from ..store.connection import Store
from ..store.dialogues import IdTaken, SlugTaken, StaleDialogue, new_dialogue_id
from .base import Clock, Family, utcnow


class Dialogues(Family):
    """Besides the use cases, this node's memory of each dialogue for the
    submit path (``cached``): a citizen's question is checked against it
    without reading Redis, and the submit script refuses to take it if the
    stored dialogue has moved on since (``Gate.version``), whichever node
    changed it; the submission is then checked again against a fresh copy
    (``fresh``). Slugs never change, so the memory holds one entry per
    dialogue at most (a dialogue gone from Redis, emptied or restored, is
    looked up by its slug again)."""

    def __init__(self, store: Store, settings: Settings, clock: Clock = utcnow) -> None:
        super().__init__(store, settings, clock)
        self._cached: dict[str, Dialogue] = {}

    async def cached(self, slug: str) -> Dialogue:
        """The dialogue ``slug`` names as this node last read it (the submit
        path's; ``Gate.version`` catches a stale one), or Refused(not_found)."""
        dialogue = self._cached.get(slug)
        if dialogue is None:
            dialogue = self.remember(await self.get(slug))
        return dialogue

    async def fresh(self, dialogue: Dialogue) -> Dialogue:
        """``dialogue`` as Redis holds it now, remembered for ``cached``."""
        found = await self.store.dialogues.by_id(dialogue.id)
        if found is None or found.slug != dialogue.slug:  # Redis emptied, or restored
            self._cached.pop(dialogue.slug, None)
            found = await self.get(dialogue.slug)
        return self.remember(found)

    def remember(self, dialogue: Dialogue) -> Dialogue:
        """Keep ``dialogue`` for ``cached`` unless a later version is kept."""
        known = self._cached.get(dialogue.slug)
        if known is None or known.id != dialogue.id or known.version <= dialogue.version:
            self._cached[dialogue.slug] = dialogue
        return dialogue

    async def get(self, slug: str) -> Dialogue:
        """The dialogue ``slug`` names, or Refused(not_found)."""
        dialogue = await self.store.dialogues.by_slug(slug)
        if dialogue is None:
            raise Refused("not_found", "no dialogue “{slug}”", slug=slug)
        return dialogue

    async def find(self, slug: str) -> Dialogue | None:
        return await self.store.dialogues.by_slug(slug)

    async def by_id(self, dialogue_id: str) -> Dialogue | None:
        return await self.store.dialogues.by_id(dialogue_id)

    async def all(self) -> list[Dialogue]:
        return await self.store.dialogues.all()

    async def listed(self) -> list[Dialogue]:
        """The dialogues the public may see (every one out of draft)."""
        return [d for d in await self.all() if d.status is not DialogueStatus.DRAFT]

    async def slugs(self) -> dict[str, str]:
        """Every dialogue's slug by its id."""
        return {d.id: d.slug for d in await self.all()}

    async def create(self, **fields: Any) -> Dialogue:
        """A new dialogue with a fresh id; ``fields`` as ``Dialogue``'s (topics
        and officials as dicts or objects)."""
        doc = {**fields, "id": fields.get("id") or new_dialogue_id()}
        doc["topics"] = [t if isinstance(t, dict) else asdict(t) for t in doc.get("topics", ())]
        doc["officials"] = [
            o if isinstance(o, dict) else asdict(o) for o in doc.get("officials", ())
        ]
        if "status" in doc:
            doc["status"] = DialogueStatus(doc["status"]).value
            # Created past a phase (the demo, tests, imports): it went through it now.
            past = phases.PAST.get(DialogueStatus(doc["status"]), ())
            for moment in past:
                doc[moment] = doc.get(moment) or iso(self._now())
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

    async def new(self, payload: Mapping[str, Any], actor: Actor | None = None) -> Dialogue:
        """A draft dialogue from an admin's request (``slug``, ``title``, ...)."""
        draft = await self._checked(lambda: phases.new_dialogue("", payload), payload)
        created = await self.create(**{**draft.to_doc(), "id": None})
        if actor is not None:
            at = iso(self._now())
            entry = audit.of_settings(actor, "dialogue.create", {}, created.to_doc(), at)
            await self.store.audit.append(created.id, [entry])
        return created

    async def set_status(
        self, dialogue: Dialogue, status: Any, actor: Actor | None = None, version: Any = None
    ) -> Dialogue:
        """Move the dialogue to another phase (one step forward or back, but
        never from live to closed: that is ``Closing.close``'s); with
        ``version``, only if the admin saw the dialogue at that version."""
        phases.check_version(dialogue, version)
        changed = phases.change_phase(dialogue, status, iso(self._now()))
        if dialogue.status is DialogueStatus.LIVE and changed.status is not DialogueStatus.LIVE:
            on_air = (await self.store.questions.counts(dialogue.id))[Status.ON_AIR.value]
            if on_air:
                raise Refused(
                    "conflict",
                    "A question is on air: take it off air before leaving the broadcast.",
                    "status",
                )
        return await self.save(dialogue, changed, "dialogue.status", actor)

    async def end_broadcast(
        self, dialogue: Dialogue, actor: Actor, version: Any = None
    ) -> Dialogue:
        """The live dialogue closed, for the wrap-up (``Closing.close``) alone."""
        phases.check_version(dialogue, version)
        closed = phases.change_phase(
            dialogue, DialogueStatus.CLOSED, iso(self._now()), wrap_up=True
        )
        return await self.save(dialogue, closed, "dialogue.status", actor)

    async def update(
        self, dialogue: Dialogue, changes: Mapping[str, Any], actor: Actor | None = None
    ) -> Dialogue:
        """An admin's edit of the dialogue's settings (title, topics, officials,
        ...), refused with 409 if ``changes["version"]`` is not the stored one."""
        named = frozenset(
            n for o in dialogue.officials for n in (o.username, *o.aides) if n is not None
        )
        changed = await self._checked(lambda: phases.edit(dialogue, changes), changes, named)
        return await self.save(dialogue, changed, "dialogue.edit", actor)

    async def _checked(
        self,
        change: Callable[[], Dialogue],
        changes: Mapping[str, Any],
        known: frozenset[str] = frozenset(),
    ) -> Dialogue:
        """``change()``'s dialogue, its officials' accounts checked too: every
        fault of both in one Refused. The accounts ``known`` (named by the
        stored settings already) are not looked up again."""
        faults = await self._account_faults(changes.get("officials"), known)
        try:
            changed = change()
        except Refused as exc:
            if exc.code != "invalid" or not faults:
                raise
            phases.refuse([*exc.fields, *faults])
            raise
        phases.refuse(faults)
        return changed

    async def _account_faults(
        self, officials: Any, known: frozenset[str] = frozenset()
    ) -> list[FieldError]:
        """What keeps the officials' settings from working: an account (or
        an aide) that does not exist or is disabled, an account named for two
        officials (it answers as one only), an official their own aide."""
        if not isinstance(officials, list):
            return []
        faults: list[FieldError] = []
        taken: set[str] = set()

        def fault(field: str, text: str, username: str) -> None:
            faults.append(FieldError(field, "invalid", Message(text, {"username": username})))

        async def usable(field: str, username: str) -> bool:
            user = None if username in known else await self.store.users.get(username)
            if user is None and username not in known:
                fault(field, "There is no account “{username}”.", username)
            elif user is not None and user.disabled:
                fault(field, "The account “{username}” is disabled.", username)
            elif username in taken:
                fault(field, "The account “{username}” already answers for another official.",
                      username)  # fmt: skip
            else:
                return True
            return False

        for n, official in enumerate(officials):
            if not isinstance(official, dict):
                continue
            username, aides = official.get("username"), official.get("aides") or []
            if isinstance(username, str) and username:
                await usable(f"officials.{n}.username", username)
            if not isinstance(aides, list):
                continue
            for aide in aides:
                if not isinstance(aide, str) or not aide:
                    continue
                if aide == username:
                    fault(f"officials.{n}.aides",
                          "The account “{username}” is the official's own, not an aide.",
                          aide)  # fmt: skip
                else:
                    await usable(f"officials.{n}.aides", aide)
            taken.update(a for a in (username, *aides) if isinstance(a, str) and a)
        return faults

    async def save(
        self,
        old: Dialogue,
        new: Dialogue,
        action: str = "dialogue.edit",
        actor: Actor | None = None,
    ) -> Dialogue:
        """Store ``new`` at the next version if ``old`` is still the stored
        one (another admin's change in between gives 409), with an audit entry
        naming ``actor`` if given."""
        if new == old:
            return old
        new = new.evolve(version=old.version + 1)
        try:
            await self.store.dialogues.save(new, old.version)
        except StaleDialogue:
            raise phases.stale() from None
        self.remember(new)
        if actor is not None:
            entry = audit.of_settings(actor, action, old.to_doc(), new.to_doc(), iso(self._now()))
            await self.store.audit.append(new.id, [entry])
        return new

    async def archive(self, dialogue: Dialogue) -> Archive:
        """Every answered question, grouped by topic and by official, with the
        counts of what was received, answered live or in writing, and owed;
        and the written answers owed, the soonest due first."""
        _, found = await self.store.questions.snapshot(
            dialogue.id, [Status.ANSWERED, Status.DEFERRED]
        )
        done = [q for q in found if q.status is Status.ANSWERED]
        owed = sorted(
            (q for q in found if q.status is Status.DEFERRED),
            key=lambda q: (q.due_at is None, q.due_at or "", int(q.id)),
        )
        done.sort(key=lambda q: (q.answer.answered_at if q.answer else "", int(q.id)))
        counts = await self.store.questions.counts(dialogue.id)
        answered = [public_question(q, dialogue) for q in done]

        def grouped(
            of: Callable[[PublicQuestion], str | None], items: list[tuple[str | None, str]]
        ) -> list[ArchiveGroup]:
            order = [k for k, _ in items] + [None]
            names = dict(items)
            groups: dict[str | None, list[PublicQuestion]] = {}
            for q in answered:
                value = of(q)
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
            "by_topic": grouped(lambda q: q["topic"], [(t.id, t.name) for t in dialogue.topics]),
            "by_official": grouped(
                lambda q: q["official"]["id"] if q["official"] else None,
                [(o.id, o.name) for o in dialogue.officials],
            ),
            "owed": [public_question(q, dialogue) for q in owed],
        }
