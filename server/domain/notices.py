"""Telling askers that their question was answered: which questions bring
news (``due``), what one asker is told (``Notice``), and its words in an
e-mail (``email``), a text message (``short``) and the webhook's body
(``webhook_body``).

An asker is told once, when the question they follow is answered: their
own, or the one theirs was merged into (at any depth). The words are msgids
said in the asker's language, in the register of a public service.

Pure: the caller loads the questions and passes its gettext.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .lifecycle import EVENT_TYPES, Decision
from .model import Dialogue, Question, Status
from .wording import N_, Gettext, Message

#: Contact fields the webhook carries (the consent's time and the notice's
#: version stay in the store).
WEBHOOK_CONTACT = ("phone", "email")


def due(decisions: Sequence[Decision]) -> tuple[str, ...]:
    """Ids of the questions whose askers (theirs, and those merged into them)
    have news after ``decisions``: each question answered now, and each
    merged now into a question that is answered."""
    answered = {d.question.id for d in decisions if d.question.status is Status.ANSWERED}
    ids = [
        d.question.id
        for d in decisions
        for e in d.events
        if e.type == EVENT_TYPES["answer"]
        or (e.type == EVENT_TYPES["merge"] and d.question.merged_into in answered)
    ]
    return tuple(dict.fromkeys(ids))


def consented(contact: Mapping[str, str]) -> bool:
    """Whether the asker agreed to be contacted (the store keeps the time)."""
    return bool(contact.get("consent_at"))


@dataclass(frozen=True)
class Notice:
    """What one asker is told: the question they asked, and the answer of the
    question they follow (``merged``: theirs was merged into it)."""

    dialogue_id: str
    dialogue_slug: str
    dialogue_title: str
    question_id: str
    tracking_code: str
    #: The question as the asker wrote it.
    text: str
    merged: bool
    answer_kind: str
    answer_text: str
    answered_at: str
    official: str | None
    recording_url: str | None
    lang: str
    #: The app's origin, for the links.
    origin: str

    @property
    def id(self) -> str:
        """The same for every attempt: a receiver drops one it has already had."""
        return f"{self.dialogue_id}-{self.question_id}"

    @property
    def tracking_url(self) -> str:
        query = "" if self.lang == "vi" else f"?lang={self.lang}"
        return f"{self.origin}/t/{self.tracking_code}{query}"

    @property
    def dialogue_url(self) -> str:
        query = "" if self.lang == "vi" else f"?lang={self.lang}"
        return f"{self.origin}/d/{self.dialogue_slug}{query}"


def notice(
    asker: Question,
    answered: Question,
    dialogue: Dialogue,
    lang: str,
    origin: str,
    recording_url: str | None = None,
) -> Notice | None:
    """What ``asker`` is told now that ``answered`` (their own question, or
    the one theirs was merged into) is answered; None while it is not."""
    answer = answered.answer
    if answered.status is not Status.ANSWERED or answer is None:
        return None
    official = dialogue.official(answer.official_id)
    return Notice(
        dialogue_id=dialogue.id,
        dialogue_slug=dialogue.slug,
        dialogue_title=dialogue.title,
        question_id=asker.id,
        tracking_code=asker.tracking_code,
        text=asker.original_text if asker.original_text is not None else asker.text,
        merged=asker.id != answered.id,
        answer_kind=answer.kind,
        answer_text=answer.text,
        answered_at=answer.answered_at,
        official=official.name if official else None,
        recording_url=recording_url,
        lang=lang,
        origin=origin.rstrip("/"),
    )


def _say(gettext: Gettext, text: str, **params: str) -> str:
    return Message(text, params).say(gettext)


#: The e-mail's sentences (msgids).
SUBJECT = N_("Your question to “{dialogue}” has been answered")
DEAR = N_("Dear Sir or Madam,")
ANSWERED = N_("Your question to “{dialogue}” has been answered.")
MERGED = N_(
    "Your question to “{dialogue}” was joined with another question on the same matter, "
    "and that question has been answered."
)
YOURS = N_("Your question:")
LIVE_BY = N_("Answer given live by {official}:")
LIVE = N_("Answer given live:")
WRITTEN_BY = N_("Written answer from {official}:")
WRITTEN = N_("Written answer:")
NO_SUMMARY = N_(
    "It was answered live during the broadcast; the summary of the answer will appear on "
    "your question's tracking page."
)
RECORDING = N_("Watch the answer in the recording: {url}")
FOLLOW = N_("Follow your question (tracking code {code}): {url}")
DIALOGUE = N_("The whole dialogue: {url}")
WHY = N_(
    "You receive this e-mail because you left this address with your question and agreed "
    "that the organisers may use it to contact you about it. You can delete it on your "
    "question's tracking page."
)
REGARDS = N_("Yours faithfully,")
SIGNED = N_("The organisers of “{dialogue}”")
SHORT = N_("Your question {code} to “{dialogue}” has been answered: {url}")


def email(n: Notice, gettext: Gettext) -> tuple[str, str]:
    """The e-mail's subject and plain-text body."""
    title = n.dialogue_title
    lines = [_say(gettext, DEAR), ""]
    lines += [_say(gettext, MERGED if n.merged else ANSWERED, dialogue=title), ""]
    lines += [_say(gettext, YOURS), n.text, ""]
    if n.answer_text:
        live = n.answer_kind == "live"
        if n.official:
            heading = _say(gettext, LIVE_BY if live else WRITTEN_BY, official=n.official)
        else:
            heading = _say(gettext, LIVE if live else WRITTEN)
        lines += [heading, n.answer_text, ""]
    else:
        lines += [_say(gettext, NO_SUMMARY), ""]
    if n.recording_url:
        lines += [_say(gettext, RECORDING, url=n.recording_url), ""]
    lines += [
        _say(gettext, FOLLOW, code=n.tracking_code, url=n.tracking_url),
        _say(gettext, DIALOGUE, url=n.dialogue_url),
        "",
        _say(gettext, WHY),
        "",
        _say(gettext, REGARDS),
        _say(gettext, SIGNED, dialogue=title),
    ]
    return _say(gettext, SUBJECT, dialogue=title), "\n".join(lines) + "\n"


def short(n: Notice, gettext: Gettext) -> str:
    """A text message's worth (for the webhook to relay by SMS or Zalo)."""
    return _say(gettext, SHORT, code=n.tracking_code, dialogue=n.dialogue_title, url=n.tracking_url)


def webhook_body(n: Notice, contact: Mapping[str, str], sent_at: int, gettext: Gettext) -> bytes:
    """The webhook's JSON body: the notice, the asker's phone and e-mail, and
    the text to relay; ``sent_at`` (Unix seconds) is covered by the signature."""
    doc = {
        "id": n.id,
        "type": "question.answered",
        "sent_at": sent_at,
        "lang": n.lang,
        "dialogue": {"slug": n.dialogue_slug, "title": n.dialogue_title, "url": n.dialogue_url},
        "question": {
            "tracking_code": n.tracking_code,
            "url": n.tracking_url,
            "merged": n.merged,
        },
        "answer": {
            "kind": n.answer_kind,
            "text": n.answer_text,
            "official": n.official,
            "answered_at": n.answered_at,
            "recording_url": n.recording_url,
        },
        "contact": {k: contact[k] for k in WEBHOOK_CONTACT if contact.get(k)},
        "message": short(n, gettext),
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
