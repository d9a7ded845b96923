"""Telling askers that their question was answered, by e-mail and through
the signed webhook (docs/operations.md, "Telling askers").

The answer's transition queues the question (``Family.commit`` passes
``notices.due``); the store's notifier calls ``deliver`` for it on one node,
off every request. ``deliver`` looks at the questions as they are then: every
asker who follows the question (its own, and those merged into it at any
depth) and left contact data with consent is told through each channel that
is on, once (a delivery already made is never made again, whatever the
retries, restarts and nodes); a question answered and then undone tells no
one. If any delivery failed it raises, and the notifier tries again later;
the deliveries made are not made again.
"""

from __future__ import annotations

import asyncio
import functools
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from ..config import Settings
from ..domain import notices
from ..domain.events import public_question
from ..domain.model import Dialogue, Question, iso
from ..domain.wording import Gettext, english
from ..outbound import Undelivered
from ..outbound.mail import Mailer
from ..outbound.webhook import Webhook
from ..store.connection import Store
from ..store.notices import DeadNotice
from .base import Clock, Family, utcnow

#: How deep a chain of merges is followed (a merge loop cannot happen, but a
#: bound costs nothing).
_DEPTH = 20


@dataclass(frozen=True)
class Outbox:
    """Where notices go: ``mailer`` sends e-mail from ``sender`` (None: no
    e-mail), ``webhook`` gets the signed POST (None: none). ``translate``
    gives the gettext of each of ``languages`` (the first is the default).
    ``node`` is this node's name: a delivery it was making when it was
    killed is its own to take up again at once when it restarts."""

    mailer: Mailer | None = None
    sender: str = ""
    webhook: Webhook | None = None
    languages: tuple[str, ...] = ("vi",)
    translate: Callable[[str], Gettext] = field(default=lambda lang: english)
    node: str = "node"

    @property
    def channels(self) -> tuple[str, ...]:
        return (("email",) if self.mailer else ()) + (("webhook",) if self.webhook else ())


def lease(settings: Settings) -> float:
    """Seconds one attempt holds a delivery (and a node's pending entry is
    left to it): longer than an SMTP conversation or a POST can take."""
    return 4 * settings.notify_timeout


class Notifications(Family):
    def __init__(
        self, store: Store, settings: Settings, clock: Clock = utcnow, outbox: Outbox | None = None
    ) -> None:
        super().__init__(store, settings, clock)
        self.outbox = outbox or Outbox()

    async def deliver(self, dialogue_id: str, question_id: str, entry_id: str) -> None:
        """The notifier's handler: tell the askers who follow the question,
        then acknowledge the entry; raise ``Undelivered`` if a delivery failed."""
        dialogue = await self.store.dialogues.by_id(dialogue_id)
        if self.outbox.channels and dialogue is not None:
            failures = await self._tell(dialogue, question_id)
            if failures:
                raise Undelivered(", ".join(sorted(set(failures))))
        await self.store.notices.finish(dialogue_id, entry_id)

    async def _tell(self, dialogue: Dialogue, question_id: str) -> list[str]:
        failures = []
        for asker in await self._askers(dialogue.id, question_id):
            contact = await self.store.questions.contact(dialogue.id, asker.id)
            if not notices.consented(contact):
                continue
            followed = await self._followed(dialogue.id, asker)
            lang = contact.get("lang", "")
            if lang not in self.outbox.languages:
                lang = self.outbox.languages[0]
            recording = public_question(followed, dialogue)["recording_url"]
            notice = notices.notice(
                asker, followed, dialogue, lang, self.settings.origin, recording
            )
            if notice is None:
                continue
            gettext = self.outbox.translate(lang)
            sends: list[tuple[str, Callable[[], Awaitable[None]]]] = []
            mailer, webhook = self.outbox.mailer, self.outbox.webhook
            if mailer and contact.get("email"):
                message = self._email(notice, contact["email"], gettext)
                sends.append(("email", functools.partial(mailer.send, message)))
            if webhook and (contact.get("phone") or contact.get("email")):
                sent_at = int(self._now().timestamp())
                body = notices.webhook_body(notice, contact, sent_at, gettext)
                sends.append(("webhook", functools.partial(webhook.post, body)))
            for channel, send in sends:
                failure = await self._once(dialogue.id, f"{asker.id}:{channel}", send)
                if failure:
                    failures.append(f"{channel}: {failure}")
        return failures

    async def _once(
        self, dialogue_id: str, delivery: str, send: Callable[[], Awaitable[None]]
    ) -> str | None:
        """Make ``delivery`` unless it was made: None, or why it was not."""
        token = f"{self.outbox.node} {secrets.token_hex(8)}"
        state = await self.store.notices.begin(dialogue_id, delivery, token, lease(self.settings))
        if state == "sent":
            return None
        if state == "busy":
            return "busy"
        attempt = asyncio.ensure_future(self._attempt(dialogue_id, delivery, token, send))
        try:
            return await asyncio.shield(attempt)
        except asyncio.CancelledError:
            # The node is stopping: finish and record what has begun (a sent
            # message not recorded would be sent again).
            await attempt
            raise

    async def _attempt(
        self, dialogue_id: str, delivery: str, token: str, send: Callable[[], Awaitable[None]]
    ) -> str | None:
        try:
            await send()
        except Undelivered as exc:
            await self.store.notices.release(dialogue_id, delivery, token)
            return exc.kind
        except Exception:
            await self.store.notices.release(dialogue_id, delivery, token)
            raise
        await self.store.notices.done(dialogue_id, delivery, token, iso(self._now()))
        return None

    def _email(self, notice: notices.Notice, to: str, gettext: Gettext) -> EmailMessage:
        subject, body = notices.email(notice, gettext)
        message = EmailMessage()
        message["From"] = self.outbox.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(self._now().timestamp())
        domain = parseaddr(self.outbox.sender)[1].rpartition("@")[2] or "doithoai"
        # The same for every attempt, so that a mail client shows a repeat as one.
        message["Message-ID"] = f"<answered.{notice.id}@{domain}>"
        message["Auto-Submitted"] = "auto-generated"
        message["Content-Language"] = notice.lang
        message.set_content(body)
        return message

    async def _askers(self, dialogue_id: str, question_id: str) -> list[Question]:
        """The question and every question merged into it, at any depth."""
        found: dict[str, Question] = {}
        layer = [question_id]
        for _ in range(_DEPTH):
            ids = [i for i in dict.fromkeys(layer) if i not in found]
            if not ids:
                break
            questions = await self.store.questions.get_many(dialogue_id, ids)
            found.update((q.id, q) for q in questions)
            layer = [i for q in questions for i in q.merged_from]
        return list(found.values())

    async def _followed(self, dialogue_id: str, asker: Question) -> Question:
        """The question ``asker`` follows: theirs, or the one it was merged into."""
        current = asker
        for _ in range(_DEPTH):
            if not current.merged_into:
                break
            target = await self.store.questions.get(dialogue_id, current.merged_into)
            if target is None:
                break
            current = target
        return current

    async def dead(self) -> list[tuple[Dialogue, DeadNotice]]:
        """Every dialogue's dead letters (``doithoai notify dead``)."""
        found = []
        for dialogue in await self.store.dialogues.all():
            found += [(dialogue, d) for d in await self.store.notices.dead(dialogue.id)]
        return found

    async def retry(self, dialogue: Dialogue, dead_ids: Sequence[str] = ()) -> int:
        """Queue dead letters again (all of the dialogue's, or ``dead_ids``)."""
        if not dead_ids:
            dead_ids = [d.id for d in await self.store.notices.dead(dialogue.id)]
        return await self.store.notices.revive(dialogue.id, list(dead_ids))
