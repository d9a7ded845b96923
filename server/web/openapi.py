"""The OpenAPI 3.1 document of the v1 API (API.md), as data, served at
``GET /api/v1/openapi.json``.

Enums come from the code that enforces them (statuses, roles, channels,
reasons, actions, error codes), so the document cannot drift from them.
Response objects leave ``additionalProperties`` open: fields may be added.
OpenAPI has no WebSockets; the two feeds are described in ``info.description``
and, as data, under the root extension ``x-websockets``.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..actions.accounts import MAX_DISPLAY_NAME, MAX_PASSWORD, MIN_PASSWORD, USERNAME
from ..domain.lifecycle import ACTIONS, EVENT_TYPES
from ..domain.model import (
    CHANNELS,
    PUBLIC_STATUSES,
    REJECT_REASONS,
    DialogueStatus,
    Role,
    Status,
)
from ..domain.screening import FLAGS
from ..domain.text import LIMITS
from .errors import STATUS as ERROR_STATUS
from .staff import MAX_LIMIT

Schema = dict[str, Any]

SESSION_COOKIE = "doithoai_session"
CSRF_HEADER = "X-CSRF-Token"
PUBLIC_CHANNELS = ("web", "widget")

#: Event types on the public feed (API.md, "Feed messages").
PUBLIC_EVENT_TYPES = (
    "question.approved",
    "question.updated",
    "question.queued",
    "question.on_air",
    "question.answered",
    "question.deferred",
    "question.unpublished",
    "question.merged",
    "votes.changed",
    "dialogue.updated",
)
#: Event types on the staff console feed.
STAFF_EVENT_TYPES = (*dict.fromkeys(EVENT_TYPES.values()), "votes.changed", "dialogue.updated")


# -- schema helpers -------------------------------------------------------------


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    """``schema`` or JSON null (3.1 style: a type list, or anyOf for a $ref)."""
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    out = dict(schema)
    out["type"] = [schema["type"], "null"]
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


def obj(properties: Schema, required: list[str] | tuple[str, ...] = (), **extra: Any) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    schema.update(extra)
    return schema


def array(items: Schema, **extra: Any) -> Schema:
    return {"type": "array", "items": items, **extra}


def string(description: str = "", **extra: Any) -> Schema:
    schema: Schema = {"type": "string", **extra}
    if description:
        schema["description"] = description
    return schema


def text_limit(field: str) -> str:
    low, high = LIMITS[field]
    return f"{low} to {high} characters after NFC normalisation and whitespace clean-up."


TIME = string("ISO 8601 with offset.", format="date-time")
TIME_OR_NULL = nullable(TIME)
STR_OR_NULL = nullable(string())


# -- components -----------------------------------------------------------------


def _question_properties() -> Schema:
    return {
        "id": string("The question's id within its dialogue."),
        "text": string("The moderated (possibly edited) text."),
        "name": nullable(
            string("The asker's name; null only where anonymous questions are allowed.")
        ),
        "organization": STR_OR_NULL,
        "locality": STR_OR_NULL,
        "topic": nullable(string("A topic id of the dialogue.")),
        "topic_name": STR_OR_NULL,
        "status": {"type": "string", "enum": [s.value for s in Status if s in PUBLIC_STATUSES]},
        "official": nullable(ref("Official")),
        "votes": {"type": "integer", "minimum": 0},
        "asked_by": {
            "type": "integer",
            "minimum": 1,
            "description": "Askers: 1 plus the askers of the questions merged into this one.",
        },
        "submitted_at": TIME,
        "on_air_at": TIME_OR_NULL,
        "answer": nullable(ref("Answer")),
        "edited": {"type": "boolean", "description": "The moderators edited the text."},
        "recording_offset": nullable(
            {
                "type": "integer",
                "minimum": 0,
                "description": "Answered live: seconds from the broadcast's start to this "
                "question going on air.",
            }
        ),
        "recording_url": nullable(
            string("Answered live, with a stream_url: the recording at that moment.")
        ),
    }


PUBLIC_QUESTION_REQUIRED = [
    "id", "text", "name", "organization", "locality", "topic", "status", "official",
    "votes", "asked_by", "submitted_at", "answer", "edited",
]  # fmt: skip


def _console_question() -> Schema:
    """The staff question as the console feed carries it (no contact, no actions)."""
    props = _question_properties()
    props["status"] = {"type": "string", "enum": [s.value for s in Status]}
    props.update(
        version={"type": "integer", "minimum": 0, "description": "Send it back as `version`."},
        channel={"type": "string", "enum": list(CHANNELS)},
        flags=array(string()),
        flag_reasons={
            "type": "object",
            "additionalProperties": string(),
            "description": "Why screening raised each flag (Vietnamese, for moderators).",
        },
        held={"type": "boolean", "description": "Screening held it for a moderator's review."},
        suggested_reason=nullable(
            {
                "type": "string",
                "enum": list(REJECT_REASONS),
                "description": "The reject reason screening suggests, if any.",
            }
        ),
        folded=string("The text folded for search: no marks, đ → d, lower case."),
        duplicates=array(
            obj({"id": string(), "score": {"type": "number"}}, ["id", "score"]),
            maxItems=5,
            description="Existing questions judged the same (score at or above the "
            "dialogue's threshold), best first; filled at intake.",
        ),
        notes=array(
            obj({"at": TIME, "actor": string(), "text": string()}, ["at", "actor", "text"])
        ),
        original_text=nullable(string("The asker's text, kept when moderators edit it.")),
        history=array(
            obj({"at": TIME, "actor": string(), "action": string()}, ["at", "actor", "action"])
        ),
        reason=nullable({"type": "string", "enum": list(REJECT_REASONS)}),
        merged_into=STR_OR_NULL,
        merged_from=array(string()),
        updated_at=TIME_OR_NULL,
        deferred_at=TIME_OR_NULL,
        suggested_official=nullable(
            {**ref("Official"), "description": "Not yet routed: the topic's default official."}
        ),
        actions_by_role={
            "type": "object",
            "description": "The actions each role may take on the question now (the "
            "official's: as the official it is routed to); a console offers the union of "
            "its roles' lists.",
            "additionalProperties": array(string()),
        },
    )
    required = [
        *PUBLIC_QUESTION_REQUIRED, "version", "channel", "flags",
        "duplicates", "notes", "original_text", "history",
    ]  # fmt: skip
    return obj(props, required)


def _staff_question() -> Schema:
    base = _console_question()
    props = dict(base["properties"])
    props["contact"] = obj(
        {"phone": string(), "email": string(format="email")},
        description="Present for moderators (and admins) only.",
    )
    props["actions"] = array(
        {"type": "string", "enum": list(ACTIONS)},
        description="The actions the caller may take on the question now.",
    )
    return obj(props, [*base["required"], "actions"])


def _action_body() -> Schema:
    return obj(
        {
            "version": {
                "type": "integer",
                "minimum": 0,
                "description": "The version the caller saw; a stale one gives 409 conflict.",
            },
            "reason": {"type": "string", "enum": list(REJECT_REASONS), "description": "reject"},
            "text": string(
                "edit (the new text; "
                + text_limit("text")
                + "), answer ("
                + text_limit("answer")
                + "), note ("
                + text_limit("note")
                + ")"
            ),
            "topic": nullable(string("set_topic: a topic id of the dialogue, or null")),
            "official_id": nullable(string("assign: an official of the dialogue, or null")),
            "position": nullable(
                {
                    "type": "integer",
                    "minimum": 0,
                    "description": "queue: 0 is the head; absent or null: the tail",
                }
            ),
            "into": string("merge: the id of the question to merge into"),
        },
        description="One body for every action; each action reads the fields it needs "
        "(see the table in the operation's description) and ignores the others.",
    )


def _submission() -> Schema:
    return obj(
        {
            "text": string("The question. " + text_limit("text")),
            "name": nullable(
                string(
                    "Required unless the dialogue allows anonymous questions. " + text_limit("name")
                )
            ),
            "organization": nullable(string(text_limit("organization"))),
            "locality": nullable(string("One of the dialogue's localities, when it lists any.")),
            "topic": nullable(string("A topic id of the dialogue.")),
            "contact": obj(
                {
                    "phone": nullable(string("A Vietnamese phone number.")),
                    "email": nullable(string(format="email")),
                },
                additionalProperties=False,
                description="With any contact, `consent` must be true.",
            ),
            "consent": nullable({"type": "boolean"}),
            "submission_id": nullable(
                string(
                    "Idempotency key made by the client: "
                    "the same id again gives the same tracking code.",
                    pattern="^[A-Za-z0-9_-]{8,64}$",
                )
            ),
            "channel": {
                "type": "string",
                "enum": list(CHANNELS),
                "description": f"Public callers: {', '.join(PUBLIC_CHANNELS)} (default web). "
                "A body "
                "with `channel` from a signed-in staff member (CSRF checked) is a staff entry of a "
                "question received by hotline, email, paper, ...: not rate limited.",
            },
            "device": string(
                "The random id the browser keeps (the one it votes with): the submission also "
                "takes a token from this device's bucket (DOITHOAI_DEVICE_LIMIT). Missing or "
                "malformed, only the address's bucket counts.",
                pattern="^[A-Za-z0-9_-]{8,64}$",
            ),
            "proof": obj(
                {
                    "challenge": string("As given by getChallenge."),
                    "nonce": string(
                        "Found by the client: SHA-256(challenge + ':' + nonce) begins with "
                        "`difficulty` zero bits.",
                        pattern="^[A-Za-z0-9_-]{1,64}$",
                    ),
                },
                ["challenge", "nonce"],
                description="Required while the dialogue has `proof_of_work` on; each "
                "challenge buys one submission.",
            ),
        },
        ["text"],
    )


def _error() -> Schema:
    return obj(
        {
            "error": obj(
                {
                    "code": {"$ref": "#/components/schemas/ErrorCode"},
                    "message": string(
                        "Human-readable, in the request's language (vi unless asked for en)."
                    ),
                    "field": nullable(
                        string("The failing field, nested ones with a dot: contact.phone.")
                    ),
                },
                ["code", "message", "field"],
            )
        },
        ["error"],
    )


def _envelope(data: Schema, types: tuple[str, ...] | list[str]) -> Schema:
    return obj(
        {
            "id": string("The event's stream id; resume with after=<id>."),
            "type": {"type": "string", "enum": list(types)},
            "dialogue": string("The dialogue's slug."),
            "data": data,
        },
        ["id", "type", "dialogue", "data"],
    )


def _snapshot(data: Schema) -> Schema:
    return obj(
        {
            "id": string("Id of the last event the snapshot includes."),
            "type": {"const": "snapshot"},
            "dialogue": string(),
            "data": data,
            "reset": {
                "type": "boolean",
                "description": "true when the client asked for after=<id> and that id is gone "
                "(trimmed or unknown) or too far behind to replay: drop what you have "
                "and start from this snapshot.",
            },
        },
        ["id", "type", "dialogue", "data", "reset"],
    )


#: The ``version`` an admin's change of a dialogue was made on.
DIALOGUE_VERSION: Schema = {
    "type": "integer",
    "minimum": 0,
    "description": "The version the change was made on: 409 if the stored dialogue "
    "is at another (another admin changed it). Omitted: change the latest.",
}


def _staff_dialogue() -> Schema:
    return {
        "allOf": [ref("Dialogue")],
        "type": "object",
        "properties": {
            "id": string(),
            "officials": array(
                obj(
                    {
                        "id": string(),
                        "name": string(),
                        "title": string(),
                        "username": STR_OR_NULL,
                        "aides": array(string()),
                    },
                    ["id", "name", "title", "username", "aides"],
                )
            ),
            "topic_officials": {"type": "object", "additionalProperties": string()},
            "widget_origins": array(string()),
            "policy": _policy(),
            "version": {
                "type": "integer",
                "minimum": 0,
                "description": "Bumped by every saved change of settings or phase.",
            },
        },
        "required": ["id", "topic_officials", "widget_origins", "policy", "version"],
    }


def _policy() -> Schema:
    flags = {"type": "string", "enum": list(FLAGS)}
    reasons = {"type": "string", "enum": list(REJECT_REASONS)}
    return obj(
        {
            "hold": array(flags, description="Flags that hold a question for review."),
            "reject": {
                "type": "object",
                "additionalProperties": reasons,
                "description": "Flags that reject at once, with the reason the citizen sees.",
            },
            "hints": {"type": "object", "additionalProperties": reasons},
            "extra_blocked": array(string(), maxItems=500),
            "min_syllables": {"type": "integer", "minimum": 0},
            "shouting_min_letters": {"type": "integer", "minimum": 1},
        },
        description="The screening policy at intake (docs/moderation.md); an edit "
        "changes only the keys it names.",
    )


def _dialogue_edit() -> Schema:
    return obj(
        {
            "title": string(minLength=3, maxLength=200),
            "description": string(maxLength=4000),
            "starts_at": TIME_OR_NULL,
            "ends_at": TIME_OR_NULL,
            "stream_url": nullable(string(format="uri")),
            "topics": array(obj({"id": string(), "name": string()}, ["id", "name"])),
            "officials": array(
                obj(
                    {
                        "id": string(),
                        "name": string(),
                        "title": string(),
                        "username": STR_OR_NULL,
                        "aides": array(string()),
                    },
                    ["id", "name"],
                )
            ),
            "localities": array(string()),
            "allow_anonymous": {"type": "boolean"},
            "proof_of_work": {
                "type": "boolean",
                "description": "Ask public submissions for a proof of work (under attack).",
            },
            "widget_origins": array(string("scheme://host[:port]")),
            "topic_officials": {
                "type": "object",
                "additionalProperties": string(),
                "description": "Topic id -> the official suggested for its questions.",
            },
            "policy": _policy(),
            "version": DIALOGUE_VERSION,
        },
        description="Any of these fields; the others stay as they are.",
    )


def _archive() -> Schema:
    group = obj(
        {"id": STR_OR_NULL, "name": STR_OR_NULL, "questions": array(ref("PublicQuestion"))},
        ["id", "name", "questions"],
    )
    count = {"type": "integer", "minimum": 0}
    return obj(
        {
            "dialogue": ref("Dialogue"),
            "counts": obj(
                {
                    "received": count,
                    "answered_live": count,
                    "answered_written": count,
                    "owed": count,
                },
                ["received", "answered_live", "answered_written", "owed"],
            ),
            "by_topic": array(group),
            "by_official": array(group),
        },
        ["dialogue", "counts", "by_topic", "by_official"],
    )


#: A system administrator: admin of every dialogue, manages accounts.
ADMIN_FLAG: Schema = {
    "type": "boolean",
    "description": "An administrator of the system: admin in every dialogue; alone "
    "manages accounts and creates dialogues.",
}
#: The roles an account holds in each dialogue, by slug.
MEMBERSHIPS: Schema = {
    "type": "object",
    "description": "The dialogues the account is a member of (by slug), with its roles "
    "in each (admin: the dialogue's settings too).",
    "additionalProperties": {"type": "array", "items": {"$ref": "#/components/schemas/Role"}},
}


def _staff_user() -> Schema:
    return obj(
        {
            "username": string(),
            "display_name": string(),
            "admin": ADMIN_FLAG,
            "memberships": MEMBERSHIPS,
            "disabled": {"type": "boolean"},
            "created_at": TIME_OR_NULL,
            "last_login_at": TIME_OR_NULL,
            "sessions": {
                "type": "integer",
                "minimum": 0,
                "description": "How many sessions of the account are open now.",
            },
        },
        [
            "username",
            "display_name",
            "admin",
            "memberships",
            "disabled",
            "created_at",
            "last_login_at",
            "sessions",
        ],
    )


def _schemas() -> Schema:
    topic = obj({"id": string(), "name": string()}, ["id", "name"])
    official = obj({"id": string(), "name": string(), "title": string()}, ["id", "name", "title"])
    dialogue_status = {"type": "string", "enum": [s.value for s in DialogueStatus]}
    question_ref = obj({"id": string()}, ["id"])
    return {
        "ErrorCode": {
            "type": "string",
            "enum": list(ERROR_STATUS),
            "description": "; ".join(f"{code}: {status}" for code, status in ERROR_STATUS.items()),
        },
        "Error": _error(),
        "Topic": topic,
        "Official": official,
        "Answer": obj(
            {
                "text": string(),
                "kind": {"type": "string", "enum": ["live", "written"]},
                "official": nullable(ref("Official")),
                "answered_at": TIME,
            },
            ["text", "kind", "official", "answered_at"],
        ),
        "DialogueStatus": dialogue_status,
        "DialogueSummary": obj(
            {
                "slug": string(),
                "title": string(),
                "status": ref("DialogueStatus"),
                "starts_at": TIME_OR_NULL,
            },
            ["slug", "title", "status", "starts_at"],
        ),
        "Dialogue": obj(
            {
                "slug": string(),
                "title": string(),
                "description": string(),
                "status": ref("DialogueStatus"),
                "starts_at": TIME_OR_NULL,
                "ends_at": TIME_OR_NULL,
                "live_at": nullable({**TIME, "description": "When it first went live."}),
                "closed_at": TIME_OR_NULL,
                "stream_url": nullable(string(format="uri")),
                "accepting_questions": {"type": "boolean"},
                "allow_anonymous": {"type": "boolean"},
                "proof_of_work": {
                    "type": "boolean",
                    "description": "Submissions must carry a `proof` (see getChallenge).",
                },
                "topics": array(ref("Topic")),
                "officials": array(ref("Official")),
                "localities": array(string()),
            },
            [
                "slug",
                "title",
                "description",
                "status",
                "starts_at",
                "ends_at",
                "stream_url",
                "accepting_questions",
                "topics",
                "officials",
                "localities",
            ],
        ),
        "PublicQuestion": obj(_question_properties(), PUBLIC_QUESTION_REQUIRED),
        "ConsoleQuestion": _console_question(),
        "StaffQuestion": _staff_question(),
        "Feed": obj(
            {
                "last_event_id": string("Id of the last event the feed includes."),
                "dialogue": ref("Dialogue"),
                "on_air": nullable(ref("PublicQuestion")),
                "questions": array(ref("PublicQuestion")),
            },
            ["last_event_id", "on_air", "questions"],
        ),
        "Tracking": obj(
            {
                "tracking_code": string(),
                "dialogue": obj({"slug": string(), "title": string()}, ["slug", "title"]),
                "status": {"type": "string", "enum": [s.value for s in Status]},
                "text": string("The asker's own text (before any edit)."),
                "topic": STR_OR_NULL,
                "submitted_at": TIME,
                "reason": {
                    "type": "string",
                    "enum": list(REJECT_REASONS),
                    "description": "Present when rejected.",
                },
                "answer": {**ref("Answer"), "description": "Present once answered."},
                "merged_into": {
                    **ref("PublicQuestion"),
                    "description": "Present when merged into a question the public sees.",
                },
            },
            ["tracking_code", "status", "text", "topic", "submitted_at"],
        ),
        "Submission": _submission(),
        "Submitted": obj(
            {"tracking_code": string(), "status": {"const": "received"}},
            ["tracking_code", "status"],
        ),
        "VoteRequest": obj(
            {
                "voter": string(
                    "A random id the widget keeps (8-64 ASCII characters), the same as the "
                    "submissions' `device`. Votes are rate limited per client address "
                    "(DOITHOAI_VOTE_LIMIT).",
                    minLength=8,
                    maxLength=64,
                )
            },
            ["voter"],
        ),
        "Vote": obj({"votes": {"type": "integer", "minimum": 0}}, ["votes"]),
        "Challenge": obj(
            {
                "challenge": string("Signed by the server; send it back unchanged."),
                "difficulty": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 32,
                    "description": "Leading zero bits SHA-256(challenge + ':' + nonce) must have.",
                },
                "expires_at": TIME,
            },
            ["challenge", "difficulty", "expires_at"],
        ),
        "Login": obj(
            {
                "username": string(maxLength=64, minLength=1),
                "password": string(maxLength=1024, minLength=1),
            },
            ["username", "password"],
        ),
        "Session": obj(
            {
                "username": string(),
                "roles": array(
                    {"type": "string", "enum": [r.value for r in Role]},
                    description="Every role held in some dialogue (and admin for an "
                    "administrator of the system); what a request may do depends on its "
                    "dialogue's memberships.",
                ),
                "admin": ADMIN_FLAG,
                "memberships": MEMBERSHIPS,
                "csrf_token": nullable(string(f"Send it as {CSRF_HEADER} on unsafe requests.")),
            },
            ["username", "roles", "admin", "memberships", "csrf_token"],
        ),
        "QuestionPage": obj(
            {
                "items": array(ref("StaffQuestion")),
                "next_cursor": nullable(
                    string("Pass as `cursor` for the next page; null: no more.")
                ),
            },
            ["items", "next_cursor"],
        ),
        "Screen": obj(
            {"token": string(), "url": string("The overlay's full URL.", format="uri")},
            ["token", "url"],
        ),
        "ActionBody": _action_body(),
        "StaffDialogue": _staff_dialogue(),
        "DialogueEdit": _dialogue_edit(),
        "NewDialogue": obj(
            {**_dialogue_edit()["properties"], "slug": string(pattern="^[a-z0-9-]{1,64}$")},
            ["slug", "title"],
        ),
        "PhaseChange": obj(
            {"status": ref("DialogueStatus"), "version": DIALOGUE_VERSION}, ["status"]
        ),
        "BulkRequest": obj(
            {
                "action": {"type": "string", "enum": ["approve", "reject"]},
                "ids": array(string(), minItems=1, maxItems=200),
                "reason": {"type": "string", "enum": list(REJECT_REASONS)},
                "versions": {
                    "type": "object",
                    "additionalProperties": {"type": "integer"},
                    "description": "The version of each question as the moderator saw it.",
                },
            },
            ["action", "ids"],
        ),
        "BulkResults": obj(
            {
                "results": array(
                    obj(
                        {
                            "id": string(),
                            "ok": {"type": "boolean"},
                            "question": ref("StaffQuestion"),
                            "error": obj(
                                {
                                    "code": string(),
                                    "message": string("In the request's language."),
                                    "field": STR_OR_NULL,
                                },
                                ["code", "message", "field"],
                            ),
                        },
                        ["id", "ok"],
                    )
                )
            },
            ["results"],
        ),
        "AuditPage": obj(
            {
                "items": array(
                    obj(
                        {
                            "id": string("The entry's stream id."),
                            "seq": {"type": "integer", "minimum": 1},
                            "at": TIME,
                            "actor": string(),
                            "roles": array(string()),
                            "action": string(),
                            "question": STR_OR_NULL,
                            "before": {"type": "object"},
                            "after": {"type": "object"},
                            "address": STR_OR_NULL,
                            "hash": string("SHA-256 of the previous hash and this entry."),
                        },
                        ["id", "seq", "at", "actor", "roles", "action", "question", "hash"],
                    )
                ),
                "next_before": STR_OR_NULL,
                "chain": obj(
                    {
                        "ok": {"type": "boolean"},
                        "count": {"type": "integer", "minimum": 0},
                        "head": string(),
                        "problems": array(
                            obj({"at": string(), "message": string()}, ["at", "message"])
                        ),
                    },
                    ["ok", "count", "head", "problems"],
                ),
            },
            ["items", "next_before", "chain"],
        ),
        "Handling": obj(
            {"question": string(), "by": string(), "until": TIME}, ["question", "by", "until"]
        ),
        "NextQuestion": obj(
            {
                "then": {
                    "type": "string",
                    "enum": ["back", "defer"],
                    "description": "What happens to the question on air: back to the head of "
                    "the queue (default), or deferred to a written answer.",
                },
                "current": string(
                    'The id on air as the producer saw it ("" for none): if it changed, 409.'
                ),
            }
        ),
        "Archive": _archive(),
        "StaffUser": _staff_user(),
        "NewStaffUser": obj(
            {
                "username": string(pattern=f"^{USERNAME.pattern}$"),
                "password": string(minLength=MIN_PASSWORD, maxLength=MAX_PASSWORD),
                "admin": ADMIN_FLAG,
                "memberships": MEMBERSHIPS,
                "display_name": string(maxLength=MAX_DISPLAY_NAME),
            },
            ["username", "password"],
        ),
        "StaffUserEdit": obj(
            {
                "admin": ADMIN_FLAG,
                "memberships": {
                    **MEMBERSHIPS,
                    "description": "The dialogues to change (slug -> roles); an empty "
                    "list ends that membership, and dialogues not named keep theirs.",
                },
                "disabled": {
                    "type": "boolean",
                    "description": "true ends the account's sessions and closes its consoles.",
                },
                "password": string(
                    "A new password; ends the account's sessions.",
                    minLength=MIN_PASSWORD,
                    maxLength=MAX_PASSWORD,
                ),
                "display_name": string(maxLength=MAX_DISPLAY_NAME),
            },
            additionalProperties=False,
            description="Any of these fields; the others stay as they are. An admin may not "
            "disable their own account or take their own admin flag away (403).",
        ),
        "Role": {"type": "string", "enum": [r.value for r in Role]},
        # -- WebSocket messages ------------------------------------------------------
        "PublicFeedSnapshot": _snapshot(ref("Feed")),
        "PublicFeedEvent": _envelope(
            {
                "anyOf": [
                    ref("PublicQuestion"),
                    ref("Dialogue"),
                    obj({"id": string(), "votes": {"type": "integer"}}, ["id", "votes"]),
                    obj({"id": string(), "into": STR_OR_NULL}, ["id", "into"]),
                    question_ref,
                ],
                "description": "question.approved/updated/queued/on_air/answered/deferred: "
                "a public "
                "question; question.unpublished: {id}; question.merged: {id, into}; votes.changed: "
                "{id, votes}; dialogue.updated: the dialogue.",
            },
            PUBLIC_EVENT_TYPES,
        ),
        "ConsoleSnapshot": _snapshot(
            obj(
                {"last_event_id": string(), "questions": array(ref("ConsoleQuestion"))},
                ["last_event_id", "questions"],
            )
        ),
        "ConsoleEvent": _envelope(
            {
                "anyOf": [
                    ref("ConsoleQuestion"),
                    ref("Dialogue"),
                    obj({"id": string(), "votes": {"type": "integer"}}, ["id", "votes"]),
                ]
            },
            STAFF_EVENT_TYPES,
        ),
        "Heartbeat": obj({"type": {"const": "heartbeat"}}, ["type"]),
    }


# -- responses, parameters, operations ------------------------------------------

ERROR_RESPONSES: dict[str, tuple[str, str]] = {
    "400": ("Invalid", "`invalid`: a field fails validation; `field` names it."),
    "401": ("Unauthenticated", "`unauthenticated`: no valid session or token."),
    "403": ("Forbidden", "`forbidden`: the role may not do this, or the Origin/CSRF check failed; "
            "`proof_required` (submissions): the dialogue asks for a proof of work and the "
            "body's `proof` is missing, invalid, expired or used: get a new challenge."),
    "404": ("NotFound", "`not_found`: unknown dialogue, question, action or tracking code."),
    "409": ("Conflict", "`conflict` (stale version, or not allowed from the current state) or "
            "`not_accepting` (the dialogue takes no questions now)."),
    "413": ("TooLarge", "`too_large`: the body is over the limit."),
    "429": ("RateLimited", "`rate_limited`: try again after `Retry-After` seconds."),
    "503": ("Unavailable", "`unavailable`: Redis is unreachable; nothing was half-written."),
}  # fmt: skip
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}


def _responses() -> Schema:
    out: Schema = {}
    for status, (name, description) in ERROR_RESPONSES.items():
        response: Schema = {
            "description": description,
            "content": {"application/json": {"schema": ref("Error")}},
        }
        if status in ("429", "503"):
            response["headers"] = RETRY_AFTER
        out[name] = response
    out["Error"] = {
        "description": "Any other failure (405 method_not_allowed, 500 internal), same body.",
        "content": {"application/json": {"schema": ref("Error")}},
    }
    return out


def _path_param(name: str, description: str, schema: Schema | None = None) -> Schema:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema or {"type": "string"},
    }


PARAMETERS: Schema = {
    "slug": _path_param("slug", "The dialogue's slug."),
    "id": _path_param("id", "The question's id."),
    "tracking_code": _path_param("tracking_code", "The code given at submission."),
    "username": _path_param("username", "A staff account's username."),
    "action": _path_param(
        "action", "The action to take.", {"type": "string", "enum": list(ACTIONS)}
    ),
}

STAFF_READ: list[Schema] = [{"cookieSession": []}, {"bearer": []}]
STAFF_WRITE: list[Schema] = [{"cookieSession": [], "csrfToken": []}, {"bearer": []}]


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _op(
    op_id: str,
    summary: str,
    ok: tuple[str, Schema],
    errors: str,
    *,
    tags: list[str],
    body: Schema | None = None,
    security: list[Schema] | None = None,
    description: str = "",
    parameters: list[Schema] | None = None,
) -> Schema:
    """One operation; ``errors`` lists its documented error statuses, space-separated."""
    responses: Schema = {ok[0]: ok[1]}
    for status in errors.split():
        responses[status] = {"$ref": f"#/components/responses/{ERROR_RESPONSES[status][0]}"}
    responses["default"] = {"$ref": "#/components/responses/Error"}
    op: Schema = {"operationId": op_id, "summary": summary, "tags": tags, "responses": responses}
    if description:
        op["description"] = description
    if parameters:
        op["parameters"] = parameters
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    op["security"] = security if security is not None else []
    return op


def _p(name: str) -> Schema:
    return {"$ref": f"#/components/parameters/{name}"}


def _action_table() -> str:
    rows = [
        "| action | body | roles |",
        "|---|---|---|",
        "| approve | | moderator |",
        "| reject | `reason` | moderator |",
        "| restore | | moderator |",
        "| unpublish | | moderator |",
        "| edit | `text` | moderator |",
        "| set_topic | `topic` | moderator |",
        "| assign | `official_id` | moderator, producer |",
        "| queue | `position?` | moderator, producer |",
        "| dequeue | | moderator, producer |",
        "| move | `position` | moderator, producer (reorder the queue) |",
        "| on_air | | producer, official (own) |",
        "| back | | producer, official (own) |",
        "| answer | `text` | official (own), producer (live only) |",
        "| defer | | moderator, producer, official (own) |",
        "| merge | `into` | moderator |",
        "| note | `text` | every staff role |",
    ]
    return "\n".join(rows) + "\n\nAdmin may take every action. Every body may carry `version`."


def _paths() -> Schema:
    public, staff, admin, meta = ["public"], ["staff"], ["admin"], ["meta"]
    staff_ok = _json(ref("StaffQuestion"), "The question after the action.")
    return {
        "/api/v1/openapi.json": {
            "get": _op(
                "openapi",
                "This document",
                ("200", _json({"type": "object"}, "The OpenAPI 3.1 document.")),
                "",
                tags=meta,
            )
        },
        "/api/v1/dialogues": {
            "get": _op(
                "listDialogues",
                "Dialogues the public may see (every status but draft)",
                ("200", _json(array(ref("DialogueSummary")), "The dialogues.")),
                "503",
                tags=public,
            ),
            "post": _op(
                "createDialogue",
                "A new dialogue, in draft (admin)",
                ("201", _json(ref("StaffDialogue"), "The new dialogue.")),
                "400 401 403 409 413 503",
                tags=admin,
                body=ref("NewDialogue"),
                security=STAFF_WRITE,
            ),
        },
        "/api/v1/dialogues/{slug}/settings": {
            "parameters": [_p("slug")],
            "get": _op(
                "getDialogueSettings",
                "The dialogue as admins edit it (admin)",
                ("200", _json(ref("StaffDialogue"), "The dialogue.")),
                "401 403 404 503",
                tags=admin,
                security=STAFF_READ,
            ),
        },
        "/api/v1/dialogues/{slug}/status": {
            "parameters": [_p("slug")],
            "post": _op(
                "changePhase",
                "Switch the phase, one step forward or back (admin)",
                ("200", _json(ref("StaffDialogue"), "The dialogue in its new phase.")),
                "400 401 403 404 409 413 503",
                tags=admin,
                body=ref("PhaseChange"),
                security=STAFF_WRITE,
            ),
        },
        "/api/v1/dialogues/{slug}/next": {
            "parameters": [_p("slug")],
            "post": _op(
                "nextQuestion",
                "Put the head of the on-air queue on air (producer)",
                ("200", _json(ref("StaffQuestion"), "The question now on air.")),
                "400 401 403 404 409 413 503",
                tags=staff,
                body=ref("NextQuestion"),
                security=STAFF_WRITE,
                description="409 when the queue is empty or the question on air changed "
                "since `current`: of two producers pressing at once, exactly one wins.",
            ),
        },
        "/api/v1/dialogues/{slug}/archive": {
            "parameters": [_p("slug")],
            "get": _op(
                "getArchive",
                "Every answered question, grouped by topic and by official, with counts",
                ("200", _json(ref("Archive"), "The archive.")),
                "404 503",
                tags=public,
            ),
        },
        "/api/v1/dialogues/{slug}": {
            "parameters": [_p("slug")],
            "get": _op(
                "getDialogue",
                "One dialogue",
                ("200", _json(ref("Dialogue"), "The dialogue.")),
                "404 503",
                tags=public,
            ),
            "patch": _op(
                "updateDialogue",
                "Edit the dialogue's settings (admin)",
                ("200", _json(ref("StaffDialogue"), "The dialogue after the edit.")),
                "400 401 403 404 409 413 503",
                tags=admin,
                body=ref("DialogueEdit"),
                security=STAFF_WRITE,
            ),
        },
        "/api/v1/dialogues/{slug}/questions": {
            "parameters": [_p("slug")],
            "post": _op(
                "submitQuestion",
                "Submit a question (citizen, or staff entry with `channel`)",
                (
                    "202",
                    _json(ref("Submitted"), "Accepted: the tracking code answers from now on."),
                ),
                "400 403 404 409 413 429 503",
                tags=public,
                body=ref("Submission"),
                security=[{}, *STAFF_WRITE],
                description="Public submissions are rate limited per client address "
                "(DOITHOAI_SUBMIT_LIMIT) and per `device` (DOITHOAI_DEVICE_LIMIT), and need a "
                "`proof` while the dialogue has `proof_of_work` on; staff entries are neither. "
                "The same `submission_id` again gives the same tracking code.",
            ),
            "get": _op(
                "listQuestions",
                "A page of the dialogue's questions (staff)",
                ("200", _json(ref("QuestionPage"), "One page.")),
                "400 401 404 503",
                tags=staff,
                security=STAFF_READ,
                description="Oldest first; queue order for `status=queued`.",
                parameters=[
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"type": "string", "enum": [s.value for s in Status]},
                    },
                    {
                        "name": "official",
                        "in": "query",
                        "schema": {"type": "string"},
                        "description": "Only questions assigned to this official id.",
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": MAX_LIMIT,
                            "default": 100,
                        },
                    },
                    {
                        "name": "cursor",
                        "in": "query",
                        "schema": {"type": "string"},
                        "description": "`next_cursor` of the previous page.",
                    },
                ],
            ),
        },
        "/api/v1/dialogues/{slug}/export": {
            "parameters": [_p("slug")],
            "get": _op(
                "exportQuestions",
                "Every question of the dialogue as CSV or JSON (moderators, admins)",
                (
                    "200",
                    {
                        "description": "One row per question (all states but received).",
                        "content": {
                            "text/csv": {"schema": {"type": "string"}},
                            "application/json": {
                                "schema": obj(
                                    {
                                        "dialogue": string(),
                                        "questions": array({"type": "object"}),
                                    },
                                    ["dialogue", "questions"],
                                )
                            },
                        },
                    },
                ),
                "400 401 403 404 503",
                tags=staff,
                security=STAFF_READ,
                description="Contact columns (phone, email, consent) only with "
                "`contact=true`, and that export is recorded in the audit trail.",
                parameters=[
                    {
                        "name": "format",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["csv", "json"], "default": "csv"},
                    },
                    {
                        "name": "contact",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["true", "false"], "default": "false"},
                    },
                ],
            ),
        },
        "/api/v1/dialogues/{slug}/audit": {
            "parameters": [_p("slug")],
            "get": _op(
                "getAudit",
                "The dialogue's audit trail, newest first, and whether its chain is intact",
                ("200", _json(ref("AuditPage"), "One page of entries.")),
                "401 403 404 503",
                tags=staff,
                security=STAFF_READ,
                description="Moderators and admins. Filters match exactly.",
                parameters=[
                    {"name": name, "in": "query", "schema": {"type": "string"}}
                    for name in ("actor", "action", "question", "before")
                ],
            ),
        },
        "/api/v1/dialogues/{slug}/questions/bulk": {
            "parameters": [_p("slug")],
            "post": _op(
                "bulkAction",
                "Approve or reject a selection of questions (moderator)",
                ("200", _json(ref("BulkResults"), "One result per question, in order.")),
                "400 401 403 404 413 503",
                tags=staff,
                body=ref("BulkRequest"),
                security=STAFF_WRITE,
                description="Each question is its own atomic step: some may fail (changed "
                "meanwhile, wrong state) while the others succeed; each result says which.",
            ),
        },
        "/api/v1/dialogues/{slug}/questions/{id}/handling": {
            "parameters": [_p("slug"), _p("id")],
            "post": _op(
                "claimQuestion",
                "Show the other moderators that I am handling this question",
                ("200", _json(ref("Handling"), "The claim, until it lapses.")),
                "401 403 404 503",
                tags=staff,
                security=STAFF_WRITE,
                description="Lapses after a minute unless repeated; announced on the console "
                "feed as `presence.changed`.",
            ),
            "delete": _op(
                "releaseQuestion",
                "Let go of the question (my own claim only)",
                ("204", {"description": "Released (or not mine)."}),
                "401 403 404 503",
                tags=staff,
                security=STAFF_WRITE,
            ),
        },
        "/api/v1/dialogues/{slug}/questions/{id}": {
            "parameters": [_p("slug"), _p("id")],
            "get": _op(
                "getQuestion",
                "One question (staff)",
                ("200", _json(ref("StaffQuestion"), "The question.")),
                "401 404 503",
                tags=staff,
                security=STAFF_READ,
            ),
        },
        "/api/v1/dialogues/{slug}/questions/{id}/votes": {
            "parameters": [_p("slug"), _p("id")],
            "post": _op(
                "vote",
                "Vote for a published question (one vote per voter)",
                ("200", _json(ref("Vote"), "The question's vote count.")),
                "400 404 413 429 503",
                tags=public,
                body=ref("VoteRequest"),
            ),
        },
        "/api/v1/dialogues/{slug}/questions/{id}/actions/{action}": {
            "parameters": [_p("slug"), _p("id"), _p("action")],
            "post": _op(
                "act",
                "Take an action on a question (staff)",
                ("200", staff_ok),
                "400 401 403 404 409 413 503",
                tags=staff,
                body=ref("ActionBody"),
                security=STAFF_WRITE,
                description=_action_table(),
            ),
        },
        "/api/v1/dialogues/{slug}/feed": {
            "parameters": [_p("slug")],
            "get": _op(
                "getFeed",
                "The public feed",
                ("200", _json(ref("Feed"), "Published questions and the one on air.")),
                "404 503",
                tags=public,
            ),
        },
        "/api/v1/dialogues/{slug}/challenge": {
            "parameters": [_p("slug")],
            "get": _op(
                "getChallenge",
                "A proof-of-work challenge for a submission",
                ("200", _json(ref("Challenge"), "A fresh challenge; it writes nothing.")),
                "404 503",
                tags=public,
                description="While the dialogue has `proof_of_work` on, a submission carries "
                "`proof: {challenge, nonce}` where SHA-256 of `challenge + ':' + nonce` "
                "(UTF-8) begins with `difficulty` zero bits. A challenge expires after a few "
                "minutes and is good for one submission.",
            ),
        },
        "/api/v1/dialogues/{slug}/screen": {
            "parameters": [_p("slug")],
            "get": _op(
                "getScreen",
                "The broadcast overlay's token and URL (producer, admin)",
                ("200", _json(ref("Screen"), "The current token.")),
                "401 403 404 503",
                tags=staff,
                security=STAFF_READ,
            ),
        },
        "/api/v1/dialogues/{slug}/screen/rotate": {
            "parameters": [_p("slug")],
            "post": _op(
                "rotateScreen",
                "A new overlay token; the old one stops working (admin)",
                ("200", _json(ref("Screen"), "The new token.")),
                "401 403 404 503",
                tags=staff,
                security=STAFF_WRITE,
            ),
        },
        "/api/v1/tracking/{tracking_code}/contact": {
            "parameters": [_p("tracking_code")],
            "delete": _op(
                "forgetContact",
                "The asker deletes their contact data (phone, email) by tracking code",
                ("204", {"description": "Deleted (or there was none)."}),
                "404 503",
                tags=public,
            ),
        },
        "/api/v1/tracking/{tracking_code}": {
            "parameters": [_p("tracking_code")],
            "get": _op(
                "tracking",
                "The asker's view of their question",
                ("200", _json(ref("Tracking"), "The question's state.")),
                "404 503",
                tags=public,
                description="Answers from the moment of the 202 (status `received`).",
            ),
        },
        "/api/v1/users": {
            "get": _op(
                "listUsers",
                "Every staff account (admin)",
                ("200", _json(array(ref("StaffUser")), "The accounts, by username.")),
                "401 403 503",
                tags=admin,
                security=STAFF_READ,
            ),
            "post": _op(
                "createUser",
                "A new staff account (admin)",
                ("201", _json(ref("StaffUser"), "The new account.")),
                "400 401 403 409 413 503",
                tags=admin,
                body=ref("NewStaffUser"),
                security=STAFF_WRITE,
                description="409 when an account already has the username.",
            ),
        },
        "/api/v1/users/{username}": {
            "parameters": [_p("username")],
            "patch": _op(
                "updateUser",
                "Change an account's memberships, state, password or display name (admin)",
                ("200", _json(ref("StaffUser"), "The account after the change.")),
                "400 401 403 404 413 503",
                tags=admin,
                body=ref("StaffUserEdit"),
                security=STAFF_WRITE,
                description="Memberships are read afresh on every request, so a change "
                "applies at once; the account's open console sockets that held a removed "
                "role in their dialogue close (4403) within seconds. Disabling or a new "
                "password ends its sessions (4401).",
            ),
        },
        "/api/v1/session": {
            "post": _op(
                "login",
                "Sign in: sets the session cookie and the known-device cookie",
                ("200", _json(ref("Session"), "Signed in; keep `csrf_token`.")),
                "400 401 403 413 429 503",
                tags=staff,
                body=ref("Login"),
                description="Failed logins are rate limited per account and per address "
                "(DOITHOAI_LOGIN_LIMIT), except from a browser that shows the account's "
                "known-device cookie (`doithoai_device`, set by a successful login): its "
                "failures count per device only, so that others' failures cannot lock it "
                "out. A request with a foreign `Origin` is refused (403).",
            ),
            "get": _op(
                "whoami",
                "The signed-in staff member",
                ("200", _json(ref("Session"), "The session.")),
                "401 503",
                tags=staff,
                security=STAFF_READ,
            ),
            "delete": _op(
                "logout",
                "Sign out: ends the session and clears the cookie",
                ("204", {"description": "Signed out."}),
                "401 403 503",
                tags=staff,
                security=STAFF_WRITE,
            ),
        },
    }


def _websockets() -> Schema:
    after = {
        "name": "after",
        "in": "query",
        "schema": {"type": "string"},
        "description": "Id of the last message received (snapshot included); without it, "
        "a snapshot comes first.",
    }
    return {
        "/ws/v1/dialogues/{slug}/feed": {
            "summary": "Public feed: only what the public may see",
            "parameters": [_p("slug"), after],
            "security": [],
            "messages": {
                "snapshot": ref("PublicFeedSnapshot"),
                "event": ref("PublicFeedEvent"),
                "heartbeat": ref("Heartbeat"),
            },
        },
        "/ws/v1/dialogues/{slug}/console": {
            "summary": "Staff console feed",
            "parameters": [_p("slug"), after],
            "security": STAFF_READ,
            "description": "The handshake is refused (403) without a staff session or when "
            "`Origin` is not the app's own origin.",
            "messages": {
                "snapshot": ref("ConsoleSnapshot"),
                "event": ref("ConsoleEvent"),
                "heartbeat": ref("Heartbeat"),
            },
        },
    }


DESCRIPTION = f"""\
Live Q&A for Vietnamese online public dialogues (đối thoại trực tuyến). JSON
everywhere; times are ISO 8601 with offset; text is UTF-8, NFC: a JSON string
holding half of a UTF-16 surrogate pair alone (`"\\udc00"`) is a 400 `invalid`
naming the field, and NaN or Infinity (not JSON) one naming `body`. Every error body
is `{{"error": {{"code", "message", "field"}}}}` (schema `Error`).

Staff authenticate with the session cookie (`POST /api/v1/session`; the cookie is
`{SESSION_COOKIE}`, or `__Host-{SESSION_COOKIE}` behind HTTPS) or an API token
(`Authorization: Bearer <token>`). A cookie-authenticated unsafe request
(POST, PUT, PATCH, DELETE) must come from the app's own origin (`Origin`, or
`Sec-Fetch-Site: same-origin`) and carry `{CSRF_HEADER}` with the session's
`csrf_token`; otherwise 403 `forbidden`.

## WebSockets (see also `x-websockets`)

- `WS /ws/v1/dialogues/{{slug}}/feed?after=<event id>`: public events.
- `WS /ws/v1/dialogues/{{slug}}/console?after=<event id>`: staff events,
  authenticated like the HTTP API; the handshake is refused (403) when `Origin`
  is not the app's own origin.

Every message is `{{"id", "type", "dialogue", "data"}}`: `id` is the event's
stream id, `dialogue` the slug. Without `after` the first message is a snapshot
`{{"id": <id of the last event it includes>, "type": "snapshot", "dialogue",
"data": <Feed (public) or {{last_event_id, questions}} (console)>, "reset": bool}}`;
with `after` the missed events follow, or a snapshot with `reset: true` when that
id is gone (trimmed, unknown, or not a stream id) or more events behind than a
replay is worth (`DOITHOAI_REPLAY_MAX`). A client resumes with
`after=<id of the last message it received, snapshot included>`.
Public event types: {", ".join(PUBLIC_EVENT_TYPES)}.
`{{"type": "heartbeat"}}` keeps idle sockets alive.
"""


@cache
def document() -> Schema:
    """The OpenAPI document (built once; do not mutate it)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "doithoai API", "version": "1", "description": DESCRIPTION},
        "tags": [
            {"name": "public", "description": "Citizens, the widget, the public pages."},
            {"name": "staff", "description": "Moderators, producers, officials, admins."},
            {"name": "meta"},
        ],
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "responses": _responses(),
            "parameters": PARAMETERS,
            "securitySchemes": {
                "cookieSession": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": SESSION_COOKIE,
                    "description": f"Session cookie (`__Host-{SESSION_COOKIE}` with "
                    "DOITHOAI_SECURE_COOKIES). Unsafe methods also need `csrfToken`.",
                },
                "csrfToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": CSRF_HEADER,
                    "description": "`csrf_token` of the session; required with the cookie on "
                    "unsafe methods, together with a same-origin `Origin`.",
                },
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token made with `doithoai token create`.",
                },
            },
        },
        "x-websockets": _websockets(),
    }


@cache
def _rendered() -> bytes:
    return json.dumps(document(), ensure_ascii=False, separators=(",", ":")).encode()


async def openapi_json(request: Request) -> Response:
    return Response(_rendered(), media_type="application/json")


routes = [Route("/api/v1/openapi.json", openapi_json, methods=["GET"])]
