"""Questions and votes from citizens, and questions staff enter for them.

A citizen's question (``ask``) passes, in this order: validation (400
naming every field at fault, or 409 when the dialogue takes no questions),
which costs nothing, so that a person who gets three fields wrong is neither
slowed by the limits nor asked for another proof; the token buckets of
its device and of its client address (429 with Retry-After from whichever is
empty); the dialogue's proof of work when an admin has switched it on (403
``proof_required``); and the honeypot: a body whose hidden ``website`` field
is filled (people never see it; form robots fill every field) is validated
like any other and answered like a success, with a tracking code of the real
shape, but nothing is stored and one log line, without personal data, says
so. A citizen's vote (``cast``) passes its device's and address's buckets
and, while the dialogue asks for it, the proof of work. Staff entries
(``submit`` with ``staff``) skip all of it. Nothing here logs what a citizen
typed or where they came from.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..config import Settings
from ..domain import audit, proof
from ..domain.model import Actor, Dialogue, DialogueStatus, HistoryEntry, Question, Status, iso
from ..domain.text import DEVICE_ID, Submission, ValidationError, clean_submission
from ..domain.views import Challenge
from ..domain.wording import N_, Refused
from ..metrics import SUBMISSIONS_ACCEPTED, SUBMISSIONS_REFUSED
from ..store.connection import Store
from ..store.errors import Contended
from ..store.questions import Gate, Submitted, Turned, derived_tracking_code, new_tracking_code
from .base import Clock, Family, utcnow
from .dialogues import Dialogues

log = logging.getLogger(__name__)

#: Channels a citizen's own submission may name; the others are for staff.
PUBLIC_CHANNELS = ("web", "widget")
#: Version of the personal-data notice shown beside the contact fields; kept
#: with each consent so that what the citizen agreed to can be shown later.
NOTICE_VERSION = "2026-11"
#: The submission form's hidden field; see the module docstring.
HONEYPOT = "website"
#: How long a honeypot's code answers like a question being reviewed: longer
#: than a robot checks its work, short enough that robots' text leaves Redis.
TRAP_SECONDS = 30 * 24 * 3600

#: Times a submission is checked again when the dialogue changed under it.
STALE_ATTEMPTS = 3

_TOO_MANY = N_("too many questions from this address or device; try again shortly")
_TOO_MANY_VOTES = N_("too many votes from this device or address; try again shortly")


@functools.cache
def _accepted(by: str) -> Any:
    """``SUBMISSIONS_ACCEPTED``' child for ``by``, looked up once per process."""
    return SUBMISSIONS_ACCEPTED.labels(by)


class Submissions(Family):
    def __init__(
        self,
        store: Store,
        settings: Settings,
        clock: Clock = utcnow,
        *,
        secret: bytes = b"",
        dialogues: Dialogues | None = None,
    ) -> None:
        super().__init__(store, settings, clock)
        #: The node's remembered dialogues (the submit path's).
        self.dialogues = dialogues or Dialogues(store, settings, clock)
        self._trap_key = hmac.new(secret, b"doithoai honeypot", hashlib.sha256).digest()

    def check(self, dialogue: Dialogue, payload: Any, staff: Actor | None = None) -> Submission:
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
            raise exc.refused() from None
        if staff is None and sub.channel not in PUBLIC_CHANNELS:
            raise Refused("invalid", "channel is for staff submissions", "channel")
        return sub

    async def ask(
        self, dialogue: Dialogue, body: Mapping[str, Any], client: str, lang: str | None = None
    ) -> str:
        """A citizen's question from ``client`` (its address's limit key), who
        reads ``lang`` (kept with their contact data, for the e-mail that
        tells them of the answer): validation, the limits, the proof of work,
        the honeypot, then ``accept``. The tracking code of the 202.

        ``dialogue`` may be this node's remembered copy
        (``Dialogues.cached``): the limits, the proof's single use, the
        idempotency and the inbox append are one script, which takes nothing
        if the stored dialogue has another version; the question is then
        checked again against the stored one (as is one refused on the copy)."""
        fresh = False
        for _ in range(STALE_ATTEMPTS):
            try:
                sub = self.check(dialogue, body)
            except Refused:
                if fresh:
                    raise
                newer, fresh = await self.dialogues.fresh(dialogue), True
                if newer.version == dialogue.version:
                    raise
                dialogue = newer
                continue
            gate, refused = self._gate(dialogue, body, client)
            try:
                return (await self.accept(dialogue, sub, lang=lang, gate=gate)).tracking_code
            except Turned as turned:
                if turned.reason == "stale":
                    dialogue, fresh = await self.dialogues.fresh(dialogue), True
                    continue
                if turned.reason == "limited":
                    wait = max(1.0, int(turned.detail) / 1000)
                    raise Refused("rate_limited", _TOO_MANY, retry_after=wait) from None
                if turned.reason == "proof":
                    raise (refused or proof.refusal("used")) from None
                code = await self.trap(dialogue, sub)
                SUBMISSIONS_REFUSED.labels("honeypot").inc()
                log.info("honeypot: a submission to %s filled the hidden field", dialogue.slug)
                return code
        raise Contended(f"dialogue {dialogue.slug} kept changing")

    def _gate(
        self, dialogue: Dialogue, body: Mapping[str, Any], client: str
    ) -> tuple[Gate, Refused | None]:
        """What the submit script checks for a citizen's question to
        ``dialogue``, and the node's own refusal of its proof of work, told
        once the limits are taken (as when the limits were a step of their own)."""
        rate, buckets = self.store.rate, []
        device = body.get("device")
        if isinstance(device, str) and DEVICE_ID.fullmatch(device):
            # The device first: a device refused here has not spent its address's token.
            buckets.append(rate.bucket("submit-device", device, self.settings.device_limit))
        buckets.append(rate.bucket("submit", client, self.settings.submit_limit))
        mode, salt, ttl_ms, refused = "", "", 0, None
        if dialogue.proof_of_work and dialogue.accepting_questions:
            try:
                salt, ttl_ms = self.store.proofs.ticket(
                    body.get("proof"), dialogue.id, self.settings.proof_difficulty
                )
                mode = "redeem"
            except Refused as exc:
                mode, refused = "bad", exc
        gate = Gate(
            version=dialogue.version,
            buckets=tuple(b for b in buckets if b is not None),
            proof=mode,
            proof_salt=salt,
            proof_ttl_ms=ttl_ms,
            trap=bool(body.get(HONEYPOT)),
        )
        return gate, refused

    async def submit(
        self,
        dialogue: Dialogue,
        payload: Any,
        staff: Actor | None = None,
        lang: str | None = None,
    ) -> Submitted:
        """Validate and accept a question into the dialogue's inbox (the 202),
        with no limits: a staff member's entry (``staff``), or a citizen's
        question."""
        return await self.accept(dialogue, self.check(dialogue, payload, staff), staff, lang)

    async def accept(
        self,
        dialogue: Dialogue,
        sub: Submission,
        staff: Actor | None = None,
        lang: str | None = None,
        gate: Gate | None = None,
    ) -> Submitted:
        """Accept a validated question (``check``) into the dialogue's inbox,
        once it passes ``gate`` (else the store's ``Turned``)."""
        at = iso(self._now())
        question = Question.received(
            dialogue.id,
            sub.text,
            sub.name,
            at,
            organization=sub.organization,
            locality=sub.locality,
            topic=sub.topic,
            channel=sub.channel,
            history=(HistoryEntry(at, staff.username, "enter"),) if staff else (),
        )
        contact: dict[str, str] = {}
        if sub.phone:
            contact["phone"] = sub.phone
        if sub.email:
            contact["email"] = sub.email
        if contact:
            contact.update(consent_at=at, notice_version=NOTICE_VERSION)
            if lang:
                contact["lang"] = lang
        submitted = await self.store.questions.submit(question, sub.submission_id, contact, gate)
        if submitted.created:
            _accepted("staff" if staff else "citizen").inc()
        if staff is not None and submitted.created:
            after = {"channel": sub.channel, "text": sub.text}
            entry = audit.by(staff, "enter", submitted.question_id, {}, after, at)
            await self.store.audit.append(dialogue.id, [entry])
        return submitted

    async def trap(self, dialogue: Dialogue, sub: Submission) -> str:
        """The honeypot (a submission whose hidden field a robot filled), once
        it has passed the checks a real submission gets (so a robot learns
        nothing from a 400 it would not otherwise get): a tracking code of the
        real shape that answers, on the tracking page and API, as a real
        question still being reviewed does, for as long as a robot would look.
        A retry with the same ``submission_id`` gets the same code, as a real
        retry does. Nothing of the submission is kept but that view (text,
        topic, time, and the id the next real question gets, as the real view
        names its own)."""
        code = (
            derived_tracking_code(self._trap_key, dialogue.id, sub.submission_id)
            if sub.submission_id
            else new_tracking_code(dialogue.id)
        )
        view = {
            "tracking_code": code,
            "id": str(await self.store.questions.last_id(dialogue.id) + 1),
            "dialogue": {"slug": dialogue.slug, "title": dialogue.title},
            "status": Status.PENDING.value,
            "text": sub.text,
            "topic": sub.topic,
            "submitted_at": iso(self._now()),
            "has_contact": False,  # as forget_contact says of it
        }
        if await self.store.questions.trapped(code) is None:
            await self.store.questions.keep_trap(code, view, TRAP_SECONDS)
        return code

    def challenge(self, dialogue: Dialogue) -> Challenge:
        """A proof-of-work challenge for the dialogue: ``{challenge, difficulty,
        expires_at}``. Signed and self-contained, so issuing one writes nothing."""
        issued = self.store.proofs.challenge(dialogue.id, self.settings.proof_difficulty)
        return {
            "challenge": issued.text,
            "difficulty": issued.difficulty,
            "expires_at": iso(datetime.fromtimestamp(issued.expires_at, UTC)),
        }

    def check_voter(self, voter: Any) -> str:
        """``voter``, if it is a device id (the widget's random id), or Refused."""
        if not isinstance(voter, str) or not DEVICE_ID.fullmatch(voter):
            raise Refused(
                "invalid",
                "voter must be the widget's random id (8-64 letters, digits, - or _)",
                "voter",
            )
        return voter

    async def cast(
        self, dialogue: Dialogue, question_id: str, body: Mapping[str, Any], client: str
    ) -> int:
        """A citizen's vote from ``client`` (its address's limit key). The
        voter id is the device id: one vote per question per device is kept by
        the store; its bucket holds a person to a person's pace, the address's
        bucket a flood of made-up devices."""
        voter = self.check_voter(body.get("voter"))
        await self._take("vote-device", voter, self.settings.voter_limit, _TOO_MANY_VOTES)
        await self._take("vote", client, self.settings.vote_limit, _TOO_MANY_VOTES)
        return await self.vote(dialogue, question_id, voter, body.get("proof"))

    async def vote(
        self, dialogue: Dialogue, question_id: str, voter: Any, proof: Any = None
    ) -> int:
        """Count ``voter``'s one vote for a published question. While the
        dialogue asks for a proof of work, a voter id must have paid one
        (``proof``, a solved challenge) once a broadcast day."""
        voter = self.check_voter(voter)
        if not dialogue.accepting_questions:
            raise Refused("not_accepting", "Voting has ended for this dialogue.")
        if dialogue.proof_of_work:
            await self.store.proofs.admit_voter(
                proof, dialogue.id, voter, self.settings.proof_difficulty
            )
        votes = await self.store.questions.vote(dialogue.id, question_id, voter)
        if votes is None:
            raise Refused("not_found", "no such published question")
        return votes

    async def _take(self, scope: str, subject: str, limit: tuple[int, float], says: str) -> None:
        """One token from ``subject``'s bucket, or 429 with the seconds to wait."""
        wait = await self.store.rate.take(scope, subject, limit)
        if wait:
            raise Refused("rate_limited", says, retry_after=wait)


def _not_accepting(dialogue: Dialogue) -> Refused:
    if dialogue.status in (DialogueStatus.CLOSED, DialogueStatus.ARCHIVED):
        return Refused("not_accepting", "This dialogue has ended and takes no more questions.")
    return Refused("not_accepting", "This dialogue is not taking questions yet.")
