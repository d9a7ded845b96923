"""The shapes of what the API and the feeds send: one TypedDict per payload.

The builders (``events.py``, the actions, the web handlers) return these
types, so mypy holds them to their shape, and the OpenAPI document
(``server/web/openapi.py``) is generated from them: a field added here is
documented and checked everywhere at once. Objects are open: a client
ignores fields it does not know, so fields may be added.

Pure: plain types; ``msgspec.Meta`` only annotates (a description, a bound).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired, TypedDict

from msgspec import Meta

from .model import AnswerKind, DialogueStatus, Role, Status

#: A moment: ISO 8601 with its offset.
Time = Annotated[
    str, Meta(description="ISO 8601 with offset.", extra_json_schema={"format": "date-time"})
]
#: A day (a due date): ISO 8601, no time.
Day = Annotated[str, Meta(description="A day, ISO 8601.", extra_json_schema={"format": "date"})]
Count = Annotated[int, Meta(ge=0)]


class Topic(TypedDict):
    id: str
    name: str


class Official(TypedDict):
    id: str
    name: str
    title: str


class Answer(TypedDict):
    text: Annotated[str, Meta(description="Empty until the summary of a live answer is written.")]
    kind: AnswerKind
    official: Official | None
    answered_at: Time


class PublicQuestion(TypedDict):
    """A question as the public sees it (built from an allowlist of fields)."""

    id: Annotated[str, Meta(description="The question's id within its dialogue.")]
    text: Annotated[str, Meta(description="The moderated (possibly edited) text.")]
    air_text: Annotated[str | None, Meta(description="The short version read on air, if set.")]
    name: Annotated[
        str | None,
        Meta(description="The asker's name; null where anonymous questions are allowed."),
    ]
    organization: str | None
    locality: str | None
    topic: Annotated[str | None, Meta(description="A topic id of the dialogue.")]
    topic_name: str | None
    status: Status
    official: Official | None
    votes: Count
    asked_by: Annotated[
        int,
        Meta(ge=1, description="Askers: 1 plus the askers of the questions merged into this one."),
    ]
    submitted_at: Time
    on_air_at: Time | None
    due_at: Annotated[Day | None, Meta(description="Owed in writing: the day it is due.")]
    answer: Answer | None
    edited: Annotated[bool, Meta(description="The moderators edited the text.")]
    recording_offset: Annotated[
        Count | None,
        Meta(description="Answered live: seconds from the broadcast's start to its moment on air."),
    ]
    recording_url: Annotated[
        str | None, Meta(description="Answered live, with a stream_url: the recording there.")
    ]


class Duplicate(TypedDict):
    id: str
    score: float


class Note(TypedDict):
    at: Time
    actor: str
    text: str


class HistoryEntry(TypedDict):
    at: Time
    actor: str
    action: str


class Contact(TypedDict, total=False):
    phone: str
    email: str


class StaffFields(PublicQuestion):
    """What staff see of a question, but for what they may do with it."""

    version: Annotated[Count, Meta(description="Send it back as `version`.")]
    channel: str
    flags: list[str]
    flag_reasons: Annotated[
        dict[str, dict[str, list[str]]],
        Meta(
            description="What screening found for each flag, by field (`text`, `name`, "
            "`organization`), quoted as the asker wrote it, for the console to say in the "
            "reader's language; `{}` for a flag about the whole text (`shouting`, "
            "`empty_content`, `too_short`)."
        ),
    ]
    held: Annotated[bool, Meta(description="Screening held it for a moderator's review.")]
    suggested_reason: Annotated[
        str | None, Meta(description="The reject reason screening suggests, if any.")
    ]
    duplicates: Annotated[
        list[Duplicate],
        Meta(
            description="Other questions judged the same, best first, at most 5: those found "
            "for it at intake or at its last edit; in the staff API's answers (one question, "
            "a page) also those that found it, so a pair is listed on both questions. The staff "
            "feed carries the question's own; the console adds those of the questions that name "
            "it (a snapshot and the events after it agree, so neither filters them). The staff "
            "API names only questions that can still be merged into (not rejected or merged); "
            "the feed may name one, and a merge into it is refused (409). The score is in (0, 1)."
        ),
    ]
    notes: list[Note]
    original_text: Annotated[
        str | None, Meta(description="The asker's text, kept when moderators edit it.")
    ]
    reason: str | None
    merged_into: str | None
    merged_from: list[str]
    updated_at: Time | None
    deferred_at: Time | None
    ready_at: Annotated[
        Time | None, Meta(description="When its official said they are ready to answer.")
    ]
    suggested_official: Annotated[
        Official | None, Meta(description="Not yet routed: the topic's default official.")
    ]


#: The actions each role may take on a question now, by role.
ActionsByRole = dict[str, tuple[str, ...]]


class ConsoleQuestion(StaffFields):
    """A question as staff see it on the console feed: no tracking code ever."""

    folded: Annotated[str, Meta(description="The text folded for search: no marks, lower case.")]
    history: list[HistoryEntry]
    actions_by_role: Annotated[
        ActionsByRole,
        Meta(
            description="The actions each role may take on it now (the official's: as the "
            "official it is routed to); a console offers the union of its roles' lists."
        ),
    ]
    contact: NotRequired[Annotated[Contact, Meta(description="For moderators and admins only.")]]


class SnapshotQuestion(TypedDict):
    """A question in the staff feed's snapshot: a ConsoleQuestion (its fields
    mean the same) written for thousands of questions at once. Its
    `actions_by_role` is named (`action_set`), since open questions share a
    handful of them; a field whose value is that of the snapshot's `absent`
    (null, false, an empty list or object) is left out, the page puts it back
    (half the snapshot's size at 10,000 pending questions); and its `history`
    comes only once it is published (a queue's producer reads it), not on the
    thousands that may wait for moderation before a broadcast (the staff
    API's question, `GET .../questions/{id}`, has it). It has no `folded`
    text: the page folds the text itself (`lib/fold.js`, the same rules),
    which took a quarter of the snapshot."""

    id: str
    text: str
    air_text: NotRequired[str]
    name: NotRequired[str]
    organization: NotRequired[str]
    locality: NotRequired[str]
    topic: NotRequired[str]
    topic_name: NotRequired[str]
    status: Status
    official: NotRequired[Official]
    votes: Count
    asked_by: Annotated[int, Meta(ge=1)]
    submitted_at: Time
    on_air_at: NotRequired[Time]
    due_at: NotRequired[Day]
    answer: NotRequired[Answer]
    edited: NotRequired[Literal[True]]
    recording_offset: NotRequired[Count]
    recording_url: NotRequired[str]
    version: Count
    channel: str
    flags: NotRequired[list[str]]
    flag_reasons: NotRequired[dict[str, dict[str, list[str]]]]
    held: NotRequired[Literal[True]]
    suggested_reason: NotRequired[str]
    duplicates: NotRequired[list[Duplicate]]
    notes: NotRequired[list[Note]]
    original_text: NotRequired[str]
    history: NotRequired[
        Annotated[
            list[HistoryEntry],
            Meta(description="Left out while the question is pending (not yet published)."),
        ]
    ]
    reason: NotRequired[str]
    merged_into: NotRequired[str]
    merged_from: NotRequired[list[str]]
    updated_at: NotRequired[Time]
    deferred_at: NotRequired[Time]
    ready_at: NotRequired[Time]
    suggested_official: NotRequired[Official]
    action_set: Annotated[
        str,
        Meta(
            description="The key of its `actions_by_role` in the snapshot's `action_sets` "
            "(opaque: its state, whether it is routed, the dialogue's phase)."
        ),
    ]


class StaffQuestion(ConsoleQuestion):
    """A question as the staff API gives it: the caller's own actions too."""

    actions: Annotated[list[str], Meta(description="The actions the caller may take on it now.")]


class Brand(TypedDict, total=False):
    name: str
    color: str
    accent: str
    logo: str


class _Dialogue(TypedDict):
    """What the public and the admins both see of a dialogue."""

    slug: str
    title: str
    description: str
    status: DialogueStatus
    starts_at: Time | None
    ends_at: Time | None
    live_at: Annotated[Time | None, Meta(description="When it first went live.")]
    closed_at: Time | None
    stream_url: str | None
    accepting_questions: bool
    allow_anonymous: bool
    proof_of_work: Annotated[
        bool, Meta(description="Submissions and first votes must carry a `proof`.")
    ]
    topics: list[Topic]
    localities: list[str]
    answer_days: Annotated[int, Meta(description="Working days for written answers.")]
    brand: Annotated[Brand, Meta(description="The overlay's look.")]


class PublicDialogue(_Dialogue):
    officials: list[Official]


class DialogueSummary(TypedDict):
    slug: str
    title: str
    status: DialogueStatus
    starts_at: Time | None


class StaffOfficial(Official):
    username: Annotated[str | None, Meta(description="The account that answers as them.")]
    aides: list[str]


class ScreeningPolicy(TypedDict):
    """The screening policy at intake (docs/moderation.md)."""

    hold: list[str]
    reject: dict[str, str]
    hints: dict[str, str]
    extra_blocked: list[str]
    min_syllables: Count
    shouting_min_letters: int


class StaffDialogue(_Dialogue):
    """The dialogue as its admins edit it: the public view plus routing and accounts."""

    officials: list[StaffOfficial]
    id: str
    topic_officials: Annotated[dict[str, str], Meta(description="Topic id -> official id.")]
    widget_origins: list[str]
    policy: ScreeningPolicy
    version: Annotated[Count, Meta(description="Bumped by every saved change.")]


class Overlay(TypedDict):
    visible: bool


class Feed(TypedDict):
    """The public feed's first page: what a viewer's page starts from, at most
    64 KiB whatever the dialogue's size (docs/api.md, the introduction)."""

    last_event_id: Annotated[str, Meta(description="Id of the last event it includes.")]
    dialogue: PublicDialogue
    on_air: PublicQuestion | None
    questions: Annotated[
        list[PublicQuestion],
        Meta(
            description="By id: the question on air, the head of the queue, the newest "
            "answered, the most supported open ones and the newest published questions, "
            "as many as the bound allows."
        ),
    ]
    queue: Annotated[
        list[str],
        Meta(description="The on-air queue's first question ids (up to 20), in order."),
    ]
    overlay: Overlay
    counts: Annotated[
        dict[str, Count],
        Meta(description="Published questions in each public state (approved, queued, ...)."),
    ]
    next_before: Annotated[
        str | None,
        Meta(
            description="Pass as `before` to `GET .../feed` for the questions older than "
            "the newest ones given here; null: there are none."
        ),
    ]


class FeedPage(TypedDict):
    """Older published questions, newest first (`GET .../feed?before=`)."""

    questions: list[PublicQuestion]
    next_before: Annotated[
        str | None, Meta(description="Pass as `before` for the next page; null: no more.")
    ]


class Handling(TypedDict):
    question: str
    by: str
    until: Time


class ConsoleFeed(TypedDict):
    """The staff feed's snapshot."""

    last_event_id: str
    dialogue: Annotated[
        PublicDialogue,
        Meta(
            description="The dialogue as of the snapshot (its phase says what the questions' "
            "actions allow); `dialogue.updated` events follow it."
        ),
    ]
    questions: list[SnapshotQuestion]
    action_sets: Annotated[
        dict[str, ActionsByRole],
        Meta(
            description="Each `action_set` the questions name -> the `actions_by_role` of "
            "the questions that name it (a ConsoleQuestion's, which the events carry)."
        ),
    ]
    absent: Annotated[
        dict[str, Any],
        Meta(
            description="Each field a question of the snapshot leaves out when it has this "
            "value -> the value (null, false, [] or {}): a question without the field has it."
        ),
    ]
    queue: list[str]
    overlay: Overlay
    handling: Annotated[dict[str, dict[str, str]], Meta(description="Question id -> {by, until}.")]
    finished: Annotated[
        dict[str, Count],
        Meta(
            description="How many finished questions (answered, rejected, merged) it leaves "
            "out, by state: `GET .../history` pages through them."
        ),
    ]


class DialogueRef(TypedDict):
    slug: str
    title: str


class TrackingView(TypedDict):
    """The asker's view of their question, from the moment of the 202."""

    tracking_code: str
    id: Annotated[
        str,
        Meta(description="The question's id, as the public feed names it once it is published."),
    ]
    dialogue: DialogueRef
    status: Status
    text: Annotated[str, Meta(description="The asker's own text (before any edit).")]
    topic: str | None
    submitted_at: Time
    has_contact: Annotated[
        bool,
        Meta(description="Whether a phone number or email is kept for it (never the data)."),
    ]
    reason: NotRequired[Annotated[str | None, Meta(description="Present when rejected.")]]
    answer: NotRequired[Annotated[Answer, Meta(description="Present once answered.")]]
    recording_url: NotRequired[str | None]
    recording_offset: NotRequired[Count | None]
    due_at: NotRequired[
        Annotated[
            Day | None,
            Meta(
                description="Present when owed in writing: the day it is due (null: not yet set)."
            ),
        ]
    ]
    merged_into: NotRequired[
        Annotated[PublicQuestion, Meta(description="Merged into a question the public sees.")]
    ]


class Challenge(TypedDict):
    challenge: Annotated[str, Meta(description="Signed by the server; send it back unchanged.")]
    difficulty: Annotated[
        int,
        Meta(ge=0, le=32, description="Leading zero bits SHA-256(challenge:nonce) must have."),
    ]
    expires_at: Time


class Counts(TypedDict):
    received: Count
    answered_live: Count
    answered_written: Count
    owed: Count


class ArchiveGroup(TypedDict):
    id: str | None
    name: str | None
    questions: list[PublicQuestion]


class Archive(TypedDict):
    """Every answered question, grouped by topic and by official, with counts,
    and the written answers still owed."""

    dialogue: PublicDialogue
    counts: Counts
    by_topic: list[ArchiveGroup]
    by_official: list[ArchiveGroup]
    owed: Annotated[
        list[PublicQuestion],
        Meta(description="Owed in writing, the soonest due first (those not yet dated last)."),
    ]


class ChainProblem(TypedDict):
    at: str
    message: str


class Chain(TypedDict):
    """Whether the audit trail's hash chain is intact."""

    ok: bool
    count: Count
    head: str
    problems: list[ChainProblem]


class AirChangeRef(TypedDict):
    """An air change whose undo is offered until `until`."""

    id: str
    until: Time


class WrapUpItem(TypedDict):
    id: str
    status: Status
    text: str
    topic: str | None
    official_id: Annotated[
        str | None, Meta(description="Who would owe it (null: nobody yet, flagged).")
    ]


class WrapUpPlan(TypedDict):
    """What "end the broadcast" will do."""

    status: DialogueStatus
    due: Day
    answer_days: int
    questions: list[WrapUpItem]


class FieldErrorDetail(TypedDict):
    field: Annotated[str, Meta(description="The field, nested ones with a dot: contact.phone.")]
    code: Annotated[
        str,
        Meta(
            description="What is wrong with it: required, too_short, too_long, "
            "consent_required, invalid, or the error's own code."
        ),
    ]
    message: Annotated[str, Meta(description="In the request's language, naming the field.")]


class ErrorDetail(TypedDict):
    code: str
    message: Annotated[str, Meta(description="In the request's language (vi unless asked en).")]
    field: Annotated[
        str | None,
        Meta(
            description="The failing field, nested ones with a dot: contact.phone (the "
            "first of `errors`)."
        ),
    ]
    errors: Annotated[
        list[FieldErrorDetail],
        Meta(
            description="Every field at fault, in the order they are checked; a question's "
            "fields are all checked at once. Empty when no field is at fault."
        ),
    ]


class Error(TypedDict):
    """Every error's body."""

    error: ErrorDetail


#: The dialogues an account is a member of (by slug), with its roles in each.
MembershipMap = Annotated[
    dict[str, list[Role]],
    Meta(description="Slug -> the roles held in that dialogue (admin: its settings too)."),
]


class QuestionRef(TypedDict):
    id: str


class MergedRef(TypedDict):
    id: str
    into: str | None


class VotesChanged(TypedDict):
    id: str
    votes: Count


class QueueChanged(TypedDict):
    ids: Annotated[list[str], Meta(description="The on-air queue, in order.")]


class PresenceChanged(TypedDict):
    question: str
    by: Annotated[str | None, Meta(description="null: nobody handles it now.")]
    until: Time | None


class Submitted(TypedDict):
    tracking_code: Annotated[str, Meta(description="The asker's key to follow the question.")]
    status: Literal["received"]


class Vote(TypedDict):
    votes: Count


class Session(TypedDict):
    """The signed-in staff member."""

    username: str
    roles: Annotated[list[Role], Meta(description="Every role held in some dialogue.")]
    admin: Annotated[bool, Meta(description="An administrator of the system.")]
    memberships: MembershipMap
    csrf_token: Annotated[
        str | None, Meta(description="Send it as X-CSRF-Token on unsafe requests.")
    ]


class QuestionPage(TypedDict):
    items: list[StaffQuestion]
    next_cursor: Annotated[
        str | None, Meta(description="Pass as `cursor` for the next page; null: no more.")
    ]


class HistoryPage(TypedDict):
    """Finished questions (answered, rejected, merged), newest first."""

    items: list[StaffQuestion]
    next_before: Annotated[
        str | None, Meta(description="Pass as `before` for the next page; null: no more.")
    ]


class Screen(TypedDict):
    token: str
    url: Annotated[
        str, Meta(description="The overlay's full URL.", extra_json_schema={"format": "uri"})
    ]


class QuestionResult(TypedDict):
    """One question's outcome in a step over many."""

    id: str
    ok: bool
    question: NotRequired[StaffQuestion]
    error: NotRequired[ErrorDetail]


class BulkResults(TypedDict):
    results: list[QuestionResult]


class AirState(TypedDict):
    """What is on air after a change, and the change whose undo is offered."""

    on_air: StaffQuestion | None
    change: Annotated[
        AirChangeRef | None, Meta(description="null after an undo (which is not undone).")
    ]


class WrapUpResult(TypedDict):
    status: DialogueStatus
    version: Count
    due: Day
    results: list[QuestionResult]


class StaffUser(TypedDict):
    """A staff account as admins see it (never a password hash or session id)."""

    username: str
    display_name: str
    admin: bool
    memberships: MembershipMap
    disabled: bool
    created_at: Time | None
    last_login_at: Time | None
    sessions: Annotated[Count, Meta(description="Its sessions open now.")]


class AuditEntry(TypedDict):
    id: Annotated[str, Meta(description="The entry's stream id.")]
    seq: Annotated[int, Meta(ge=1)]
    at: Time
    actor: str
    roles: list[str]
    action: str
    question: str | None
    before: dict[str, Any]
    after: dict[str, Any]
    address: str | None
    hash: Annotated[str, Meta(description="SHA-256 of the previous hash and this entry.")]


class AuditPage(TypedDict):
    items: list[AuditEntry]
    next_before: str | None
    chain: Chain


class Export(TypedDict):
    dialogue: str
    questions: list[dict[str, Any]]


class Tally(TypedDict):
    """One group's count (``name`` empty: the question did not say)."""

    name: str
    count: Count


class DashboardMinute(TypedDict):
    """One minute (UTC, ``YYYY-MM-DDTHH:MM``): questions received, decisions to
    approve and to reject taken in it (an undone decision taken again counts twice)."""

    at: str
    received: Count
    approved: Count
    rejected: Count


class DashboardStep(TypedDict):
    """One step of the minute chart: ``step`` minutes from ``at``."""

    at: Time
    step: Annotated[int, Meta(ge=1)]
    received: Count
    approved: Count
    rejected: Count


class DashboardWait(TypedDict):
    """Waits kept in fixed buckets (``bounds``): a percentile is the upper
    bound (seconds) of the bucket it falls in, the true value at most that
    and above the bound before it; null: nothing counted yet, or (``count``
    above 0) longer than the last bound."""

    count: Count
    median_at_most: int | None
    p90_at_most: int | None


class DashboardQuestion(TypedDict):
    id: str
    text: str
    votes: Count
    status: Status


class Dashboard(TypedDict):
    """The live dashboard's figures, from counters kept as questions come and
    change (never from reading every question)."""

    at: Time
    total: Count
    people: Annotated[int, Meta(ge=0, description="People behind the questions.")]
    by_status: dict[str, int]
    by_topic: list[Tally]
    by_locality: list[Tally]
    by_channel: list[Tally]
    answered_live: Count
    answered_written: Count
    owed: Count
    overdue: Count
    clusters: Annotated[int, Meta(ge=0, description="Questions that others were merged into.")]
    merged: Count
    minutes: list[DashboardMinute]
    steps: Annotated[
        list[DashboardStep],
        Meta(description="The minutes as the chart draws them: at most 120 equal steps."),
    ]
    decided: Annotated[DashboardWait, Meta(description="From receipt to the first decision.")]
    answered: Annotated[DashboardWait, Meta(description="From receipt to the first answer.")]
    bounds: Annotated[list[int], Meta(description="The waits' bucket bounds, in seconds.")]
    viewers: Annotated[int, Meta(ge=0, description="Viewers now, every node together.")]
    viewers_peak: Count
    supported: Annotated[
        list[DashboardQuestion], Meta(description="The most supported open questions.")
    ]
    last_event_id: Annotated[
        str,
        Meta(
            description="The dialogue's last event when the figures were read: the console "
            "feed opened with after=<it> replays what follows instead of sending its snapshot."
        ),
    ]
