"""The request bodies of the API, as types: decoded and checked at the door
(``bodies.py``) and documented from these same classes (``openapi.py``).

A Struct here says each field's JSON type, its enum or bound where the type
says it all, and its description. The rules that need the dialogue or the
text's normal form (lengths counted after normalisation, a topic of this
dialogue, a Vietnamese phone number, a username's form) stay with the domain
and the actions, which say what is wrong in the reader's words; their limits
are quoted here from the same constants, for the reference. A field left
out is ``UNSET`` and never reaches the actions: "not sent" and ``null`` stay
apart (a PATCH changes only what it names).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from msgspec import UNSET, Meta, Struct, UnsetType

from ..actions.accounts import MAX_DISPLAY_NAME, MAX_PASSWORD, MIN_PASSWORD, USERNAME
from ..actions.broadcast import NEXT_THEN
from ..actions.moderation import BULK_ACTIONS, BULK_MAX
from ..domain.model import CHANNELS, REJECT_REASONS, DialogueStatus, Role
from ..domain.text import DEVICE_ID, LIMITS
from ..domain.wrapup import MAX_ANSWER_DAYS

if TYPE_CHECKING:  # mypy sees the values' type; msgspec the Literal of the code's tuples
    Channel = str
    Reason = str
    BulkAction = str
    NextThen = str
else:
    Channel = Literal[CHANNELS]
    Reason = Literal[REJECT_REASONS]
    BulkAction = Literal[BULK_ACTIONS]
    NextThen = Literal[NEXT_THEN]


def _limit(field: str, what: str = "") -> str:
    low, high = LIMITS[field]
    return f"{what}{low} to {high} characters once normalised (NFC, tidy whitespace)."


Version = Annotated[
    int, Meta(ge=0, description="The version the caller saw: another one gives 409 conflict.")
]


class Body(Struct, omit_defaults=True, forbid_unknown_fields=True):
    """Every request body: a JSON object; fields not sent stay ``UNSET``, and
    a field the body does not have is refused (400 ``invalid`` naming it),
    never ignored: a misspelt field must not pass for one left out. The
    public submission alone (``NewQuestion``) ignores the fields it does not
    know, so that a widget newer than the node it reaches (a rolling
    deploy, a cached bundle) still gets its question through."""


# -- citizens ---------------------------------------------------------------------------


class ContactDetails(Body):
    phone: Annotated[str | None, Meta(description="A Vietnamese phone number.")] = None
    email: Annotated[str | None, Meta(extra_json_schema={"format": "email"})] = None


class Proof(Body):
    """A solved challenge (getChallenge): SHA-256(challenge + ":" + nonce)
    begins with `difficulty` zero bits."""

    challenge: str
    nonce: str


class NewQuestion(Body, forbid_unknown_fields=False):
    """A citizen's question, or a staff member's entry of one received by
    hotline, email or paper (with `channel`). Fields it does not know are
    ignored (a newer widget may send them); those of `contact` are not."""

    text: Annotated[str | None, Meta(description=_limit("text", "The question: "))] = None
    name: Annotated[
        str | None,
        Meta(description=_limit("name", "Required unless the dialogue allows anonymous ones: ")),
    ] = None
    organization: Annotated[str | None, Meta(description=_limit("organization"))] = None
    locality: Annotated[
        str | None, Meta(description="One of the dialogue's localities, when it lists any.")
    ] = None
    topic: Annotated[str | None, Meta(description="A topic id of the dialogue.")] = None
    contact: Annotated[
        ContactDetails | None, Meta(description="With any contact, `consent` must be true.")
    ] = None
    consent: bool | None = None
    submission_id: Annotated[
        str | None,
        Meta(
            description="Made by the client: the same id again gives the same tracking code.",
            extra_json_schema={"pattern": "^[A-Za-z0-9_-]{8,64}$"},
        ),
    ] = None
    channel: Annotated[
        Channel | None,
        Meta(
            description="Citizens: web or widget (default web). Another, from a signed-in "
            "staff member (CSRF checked), enters a question received elsewhere: no limits."
        ),
    ] = None
    device: Annotated[
        Any,
        Meta(
            description="The random id the browser keeps (the one it votes with): the "
            "question also takes a token from this device's bucket. Missing or malformed, "
            "only the address's bucket counts.",
            extra_json_schema={"type": "string", "pattern": f"^{DEVICE_ID.pattern}$"},
        ),
    ] = UNSET
    proof: Annotated[
        Proof | None, Meta(description="Required while the dialogue has `proof_of_work` on.")
    ] = None
    website: Annotated[
        str | None, Meta(description="A field people never see: leave it out or empty.")
    ] = None


class NewVote(Body):
    voter: Annotated[
        str,
        Meta(
            description="The random id the browser keeps, as the questions' `device`.",
            extra_json_schema={"pattern": f"^{DEVICE_ID.pattern}$"},
        ),
    ]
    proof: Annotated[
        Proof | None,
        Meta(description="While `proof_of_work` is on: a voter's first vote of the day."),
    ] = None


# -- staff --------------------------------------------------------------------------------


class Login(Body):
    username: Annotated[str, Meta(min_length=1, max_length=64)]
    password: Annotated[str, Meta(min_length=1, max_length=MAX_PASSWORD)]


class ActionBody(Body):
    """One body for every action, with `version`; each action takes only its
    own fields (any other is a 400 naming it): reject `reason`; edit,
    air_text, answer, summarize, note `text`; set_topic `topic`; assign
    `official_id`; queue, move `position`; merge `into`; ready `ready`.
    set_topic and assign need theirs sent, null to clear it."""

    version: Version | None = None
    reason: Annotated[Reason, Meta(description="reject: why.")] | UnsetType = UNSET
    text: Annotated[
        str | None,
        Meta(
            description="edit: " + _limit("edit") + " answer, summarize: " + _limit("answer")
            + " note: " + _limit("note") + " air_text: " + _limit("air_text")
            + " (empty clears it)."
        ),
    ] | UnsetType = UNSET  # fmt: skip
    topic: (
        Annotated[str | None, Meta(description="set_topic: a topic id, or null; required.")]
        | UnsetType
    ) = UNSET
    official_id: (
        Annotated[
            str | None,
            Meta(description="assign: an official of the dialogue, or null (nobody); required."),
        ]
        | UnsetType
    ) = UNSET
    position: (
        Annotated[
            int | None, Meta(description="queue, move: 0 is the head; null: the tail (queue).")
        ]
        | UnsetType
    ) = UNSET
    into: Annotated[str, Meta(description="merge: the question to merge into.")] | UnsetType = UNSET
    ready: Annotated[bool, Meta(description="ready: true (default) or false.")] | UnsetType = UNSET


class BulkRequest(Body):
    action: BulkAction
    ids: Annotated[
        list[Annotated[str, Meta(min_length=1)]], Meta(min_length=1, max_length=BULK_MAX)
    ]
    reason: Annotated[Reason, Meta(description="reject: why.")] | None = None
    versions: Annotated[
        dict[str, int] | None, Meta(description="Question id -> the version the caller saw.")
    ] = None


class NextRequest(Body):
    then: Annotated[
        NextThen,
        Meta(
            description="What becomes of the question on air: answered live (default) or "
            "owed in writing."
        ),
    ] = "answered"
    current: Annotated[
        str | None,
        Meta(description='The id on air as the producer saw it ("" for none): else 409.'),
    ] = None


class AirRequest(Body):
    current: Annotated[
        str | None,
        Meta(description='skip, back: the id on air as the producer saw it ("" for none).'),
    ] = None
    change: Annotated[
        str | None, Meta(description="undo: the change's id (from the last answer's `change`).")
    ] = None


class OverlayRequest(Body):
    visible: bool


class WrapUpRequest(Body):
    officials: Annotated[
        dict[str, str | None] | None,
        Meta(description="Question id -> the official to owe it (null: nobody yet)."),
    ] = None
    questions: Annotated[
        list[str] | None,
        Meta(
            description="The ids of the questions the caller was shown (the plan's): when the "
            "questions to owe are others now, 409 `questions` and nothing changes."
        ),
    ] = None
    version: Annotated[Version | None, Meta(description="The dialogue's version.")] = None


# -- admins ---------------------------------------------------------------------------------


class TopicInput(Body):
    id: Annotated[str, Meta(extra_json_schema={"pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"})]
    name: str


class OfficialInput(Body):
    id: Annotated[str, Meta(extra_json_schema={"pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"})]
    name: str
    title: str | None = None
    username: Annotated[str | None, Meta(description="The account that answers as them.")] = None
    aides: Annotated[list[str], Meta(description="Accounts that may answer for them.")] | (
        UnsetType
    ) = UNSET


class PolicyInput(Body):
    """The screening policy (docs/moderation.md); an edit changes only the keys it names."""

    hold: Annotated[list[str], Meta(description="Flags that hold a question.")] | UnsetType = UNSET
    reject: (
        Annotated[
            dict[str, Reason], Meta(description="Flags that reject at once, with the reason.")
        ]
        | UnsetType
    ) = UNSET
    hints: dict[str, Reason] | UnsetType = UNSET
    extra_blocked: list[str] | UnsetType = UNSET
    min_syllables: Annotated[int, Meta(ge=0)] | UnsetType = UNSET
    shouting_min_letters: Annotated[int, Meta(ge=1)] | UnsetType = UNSET


class BrandInput(Body):
    """The overlay's look; an empty value drops it."""

    name: str | None = None
    color: Annotated[str | None, Meta(description="#rrggbb")] = None
    accent: Annotated[str | None, Meta(description="#rrggbb")] = None
    logo: Annotated[str | None, Meta(description="A data: URL of a PNG, JPEG, WebP or SVG.")] = None


class DialogueEdit(Body):
    """Any of these fields; the others stay as they are."""

    title: Annotated[str, Meta(description="3 to 200 characters.")] | UnsetType = UNSET
    description: Annotated[str | None, Meta(description="At most 4000 characters.")] | (
        UnsetType
    ) = UNSET
    starts_at: Annotated[str | None, Meta(extra_json_schema={"format": "date-time"})] | (
        UnsetType
    ) = UNSET
    ends_at: Annotated[str | None, Meta(extra_json_schema={"format": "date-time"})] | (
        UnsetType
    ) = UNSET
    stream_url: Annotated[str | None, Meta(description="An http(s) address.")] | UnsetType = UNSET
    topics: list[TopicInput] | UnsetType = UNSET
    officials: list[OfficialInput] | UnsetType = UNSET
    localities: list[str] | UnsetType = UNSET
    allow_anonymous: bool | UnsetType = UNSET
    proof_of_work: (
        Annotated[bool, Meta(description="Ask public submissions and votes for a proof of work.")]
        | UnsetType
    ) = UNSET
    widget_origins: Annotated[list[str], Meta(description="scheme://host[:port] each.")] | (
        UnsetType
    ) = UNSET
    topic_officials: (
        Annotated[dict[str, str], Meta(description="Topic id -> the official suggested for it.")]
        | UnsetType
    ) = UNSET
    policy: PolicyInput | UnsetType = UNSET
    answer_days: (
        Annotated[
            int, Meta(ge=1, le=MAX_ANSWER_DAYS, description="Working days for written answers.")
        ]
        | UnsetType
    ) = UNSET
    brand: BrandInput | UnsetType = UNSET
    version: Annotated[
        Version | None, Meta(description="The dialogue's version the change was made on.")
    ] = None


class NewDialogue(DialogueEdit, kw_only=True):
    """A new dialogue, in draft."""

    slug: Annotated[str, Meta(extra_json_schema={"pattern": "^[a-z0-9-]{1,64}$"})]


class PhaseChange(Body):
    status: DialogueStatus
    version: Annotated[Version | None, Meta(description="The dialogue's version.")] = None


Memberships = Annotated[
    dict[str, list[Role]],
    Meta(description="Dialogue slug -> the roles in it (an empty list ends the membership)."),
]


class NewStaffUser(Body):
    username: Annotated[str, Meta(extra_json_schema={"pattern": f"^{USERNAME.pattern}$"})]
    password: Annotated[
        str | None,
        Meta(
            description=f"{MIN_PASSWORD} to {MAX_PASSWORD} characters.",
            extra_json_schema={"minLength": MIN_PASSWORD, "maxLength": MAX_PASSWORD},
        ),
    ]
    admin: Annotated[bool, Meta(description="An administrator of the system.")] = False
    memberships: Memberships | None = None
    display_name: Annotated[str, Meta(extra_json_schema={"maxLength": MAX_DISPLAY_NAME})] = ""


class StaffUserEdit(Body):
    """Any of these fields (null: unchanged). An admin may not disable their
    own account or take their own admin flag away (403)."""

    admin: bool | None = None
    memberships: Memberships | None = None
    disabled: Annotated[
        bool | None, Meta(description="true ends the account's sessions and consoles.")
    ] = None
    password: Annotated[
        str | None,
        Meta(
            description="A new password; ends the account's sessions.",
            extra_json_schema={"minLength": MIN_PASSWORD, "maxLength": MAX_PASSWORD},
        ),
    ] = None
    display_name: Annotated[str | None, Meta(extra_json_schema={"maxLength": MAX_DISPLAY_NAME})] = (
        None
    )
