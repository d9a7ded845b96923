"""The one route table: every page, every operation of the API with what it
says about itself (``routing.Operation``), and the feeds. ``create_app``
serves ``table()``; ``openapi.py``, ``apidoc.py`` and ``widget.PublicCors``
read ``API`` and ``FEEDS``; code that has no request at hand builds its
addresses with ``path(name, **params)`` (handlers use ``request.url_for``).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Literal

from starlette.routing import BaseRoute, Route, Router

from ..documents.words import DOCX, XLSX
from ..domain import lifecycle
from ..domain import views as v
from ..domain.access import Permission
from ..domain.events import PUBLIC_QUESTION_EVENTS
from ..domain.model import Status
from . import (
    admin,
    admin_pages,
    audit_pages,
    broadcast_pages,
    closing_pages,
    dashboard_pages,
    export,
    observe,
    official_pages,
    openapi,
    pages,
    public,
    record_pages,
    schemas,
    share,
    sockets,
    staff,
    users_api,
    widget,
)
from .routing import (
    ADMIN,
    ANYONE,
    META,
    PUBLIC,
    SIGNED_IN,
    STAFF,
    SYSTEM_ADMIN,
    WIDGET,
    Access,
    ApiRoute,
    Feed,
    FeedRoute,
    Operation,
    Param,
    permitted,
)
from .templating import static_mount

if TYPE_CHECKING:
    ActionName = str
    AirOp = str
else:
    ActionName = Literal[lifecycle.ACTIONS]
    AirOp = Literal[staff.AIR_OPS]

#: What refuses a body: it is not valid, or too large.
BODY = ("invalid", "too_large")
#: What a staff operation in a dialogue may answer besides its own refusals.
IN_DIALOGUE = ("unauthenticated", "forbidden", "not_found")
SLUG = Param("slug", description="The dialogue's slug.")
QUESTION = Param("id", description="The question's id.")
CODE = Param("code", description="The tracking code given at submission.")


def _action_table() -> str:
    """The transition table (``domain/lifecycle.py``), as the reference shows it."""
    rows = ["| action | from | to | roles |", "|---|---|---|---|"]
    for rule in lifecycle.TABLE:
        roles = [r.value for r in sorted(rule.roles)] + [
            f"{r.value} (own)" for r in sorted(rule.own_roles)
        ]
        sources = ", ".join(s.value for s in Status if s in rule.sources)
        target = rule.target.value if rule.target else "(same)"
        rows.append(f"| {rule.action} | {sources} | {target} | {', '.join(roles) or '-'} |")
    return "\n".join(rows) + "\n\nAn admin may take every action. Every body may carry `version`."


API: tuple[ApiRoute, ...] = (
    # -- public -------------------------------------------------------------------------------
    ApiRoute("GET", "/api/v1/dialogues", public.list_dialogues, Operation(
        "listDialogues", "Dialogues the public may see (every phase but draft)", (PUBLIC,),
        ANYONE, response=list[v.DialogueSummary])),
    ApiRoute("GET", "/api/v1/dialogues/{slug}", public.get_dialogue, Operation(
        "getDialogue", "One dialogue", (PUBLIC, WIDGET), ANYONE, response=v.PublicDialogue,
        errors=("not_found",), path=(SLUG,),
        description="A draft is seen by its staff only (404 for anyone else).")),
    ApiRoute("POST", "/api/v1/dialogues/{slug}/questions", public.submit_question, Operation(
        "submitQuestion", "Ask a question (a citizen), or enter one received elsewhere (staff)",
        (PUBLIC, WIDGET),
        Access("Anyone; staff with the role moderator, official, producer or admin to enter "
               "one received by hotline, email or paper (with `channel`).", optional=True),
        status=202, response=v.Submitted, body=schemas.NewQuestion, path=(SLUG,),
        errors=(*BODY, "forbidden", "proof_required", "not_found", "not_accepting",
                "rate_limited"),
        description="Every field is checked first and all those at fault come back at "
        "once (400, `errors`); a refused question costs no token and no proof. Citizens' "
        "questions are limited per client address "
        "(DOITHOAI_SUBMIT_LIMIT) and per `device` (DOITHOAI_DEVICE_LIMIT), and need a "
        "`proof` while the dialogue has `proof_of_work` on; staff entries are neither. "
        "The same `submission_id` again gives the same tracking code. Accepted (202) means "
        "in the dialogue's inbox: the tracking code answers from now on.")),
    ApiRoute("GET", "/api/v1/dialogues/{slug}/feed", public.feed, Operation(
        "getFeed", "The public feed's first page (at most 64 KiB), or with `before` an older "
        "page", (PUBLIC, WIDGET), ANYONE, response=(v.Feed, v.FeedPage),
        errors=("invalid", "not_found"), path=(SLUG,),
        query=(Param("before", str, "`next_before` of the first page or of the previous "
                     "page: the published questions older than it."),),
        description="Without `before`: the same as the feed socket's snapshot, bounded "
        "to 64 KiB whatever the dialogue's size: the question on air, the head of the "
        "queue, the newest answered, the most supported open questions and the newest "
        "published ones, as many as fit, with `counts` and `next_before`. With "
        "`before`: a `FeedPage` of up to 50 older published questions (fewer if they "
        "would pass 64 KiB), newest first. Paging on from `next_before` to null gives "
        "every published question once; one already given in the first page (on air, "
        "answered, most supported) may come again in its page: key them by `id`.")),
    ApiRoute("GET", "/api/v1/dialogues/{slug}/challenge", public.challenge, Operation(
        "getChallenge", "A proof-of-work challenge for a question or a vote", (PUBLIC, WIDGET),
        ANYONE, response=v.Challenge, errors=("not_found",), path=(SLUG,),
        description="While the dialogue has `proof_of_work` on, a question carries `proof: "
        "{challenge, nonce}` where SHA-256 of `challenge + ':' + nonce` (UTF-8) begins with "
        "`difficulty` zero bits. A challenge expires after a few minutes and buys one "
        "question (or a voter's day of votes). Issuing one writes nothing.")),
    ApiRoute("GET", "/api/v1/dialogues/{slug}/archive", public.archive, Operation(
        "getArchive", "Every answered question, by topic and by official, with counts",
        (PUBLIC, WIDGET), ANYONE, response=v.Archive, errors=("not_found",), path=(SLUG,))),
    ApiRoute("POST", "/api/v1/dialogues/{slug}/questions/{id}/votes", public.vote, Operation(
        "vote", "Vote for a published question (one vote per voter)", (PUBLIC, WIDGET), ANYONE,
        response=v.Vote, body=schemas.NewVote, path=(SLUG, QUESTION),
        errors=(*BODY, "proof_required", "not_found", "not_accepting", "rate_limited"),
        description="Limited per voter (DOITHOAI_VOTER_LIMIT) and per client address "
        "(DOITHOAI_VOTE_LIMIT); refused once the dialogue has closed.")),
    ApiRoute("GET", "/api/v1/tracking/{code}", public.tracking, Operation(
        "tracking", "The asker's view of their question", (PUBLIC, WIDGET), ANYONE,
        response=v.TrackingView, errors=("not_found",), path=(CODE,),
        description="Answers from the moment of the 202 (status `received`).")),
    ApiRoute("DELETE", "/api/v1/tracking/{code}/contact", public.forget_contact, Operation(
        "forgetContact", "The asker deletes their phone and email", (PUBLIC,), ANYONE,
        status=204, errors=("not_found",), path=(CODE,),
        description="Deleted, or there was none; the audit trail records that it happened.")),
    # -- staff: sessions ----------------------------------------------------------------------
    ApiRoute("POST", "/api/v1/session", staff.login, Operation(
        "login", "Sign in: sets the session cookie and the known-device cookie", (STAFF,),
        Access("Anyone with a staff account.", staff=False), response=v.Session,
        body=schemas.Login,
        errors=(*BODY, "unauthenticated", "forbidden", "rate_limited"),
        description="Failed logins are limited per account and per address "
        "(DOITHOAI_LOGIN_LIMIT), except from a browser that shows the account's "
        "known-device cookie (set by a successful login): its failures count per device "
        "only, so that others' failures cannot lock it out. A foreign `Origin` is refused.")),
    ApiRoute("GET", "/api/v1/session", staff.whoami, Operation(
        "whoami", "The signed-in staff member", (STAFF,), SIGNED_IN, response=v.Session,
        errors=("unauthenticated",))),
    ApiRoute("DELETE", "/api/v1/session", staff.logout, Operation(
        "logout", "Sign out: ends the session and clears the cookie", (STAFF,), SIGNED_IN,
        status=204, errors=("unauthenticated", "forbidden"))),
    # -- staff: questions ----------------------------------------------------------------------
    ApiRoute("GET", "/api/v1/dialogues/{slug}/questions", staff.list_questions, Operation(
        "listQuestions", "A page of the dialogue's questions", (STAFF,),
        permitted(Permission.SEE), response=v.QuestionPage, path=(SLUG,),
        errors=("invalid", *IN_DIALOGUE),
        query=(
            Param("status", Status, "Only questions in this state."),
            Param("official", str, "Only questions routed to this official id."),
            Param("limit", int, f"1 to {staff.MAX_LIMIT}.", 100),
            Param("cursor", str, "`next_cursor` of the previous page."),
        ),
        description="Oldest first; queue order for `status=queued`. Contact data for "
        "moderators and admins only.")),
    ApiRoute("GET", "/api/v1/dialogues/{slug}/history", staff.history, Operation(
        "getHistory", "A page of the finished questions the console feed leaves out",
        (STAFF,), permitted(Permission.SEE), response=v.HistoryPage, path=(SLUG,),
        errors=("invalid", *IN_DIALOGUE),
        query=(
            Param("before", str, "`next_before` of the previous page."),
            Param("limit", int, f"1 to {staff.MAX_LIMIT}.", 50),
        ),
        description="Answered, rejected and merged questions, newest first: the console "
        "feed's snapshot carries only the questions that need work (pending, approved, "
        "queued, on air, deferred) and counts these in `finished`. Paging on to a null "
        "`next_before` gives each once. Contact data for moderators and admins only.")),
    ApiRoute("POST", "/api/v1/dialogues/{slug}/questions/bulk", staff.bulk, Operation(
        "bulkAction", "Approve or reject a selection of questions", (STAFF,),
        permitted(Permission.MODERATE), response=v.BulkResults, body=schemas.BulkRequest,
        path=(SLUG,), errors=(*BODY, *IN_DIALOGUE),
        description="Each question is its own atomic step: some may fail (changed "
        "meanwhile, wrong state) while the others succeed; each result says which.")),
    ApiRoute("GET", "/api/v1/dialogues/{slug}/questions/{id}", staff.get_question, Operation(
        "getQuestion", "One question", (STAFF,), permitted(Permission.SEE),
        response=v.StaffQuestion, path=(SLUG, QUESTION), errors=IN_DIALOGUE)),
    ApiRoute("POST", "/api/v1/dialogues/{slug}/questions/{id}/handling", staff.claim, Operation(
        "claimQuestion", "Tell the other moderators that I am handling this question",
        (STAFF,), permitted(Permission.MODERATE), response=v.Handling,
        path=(SLUG, QUESTION), errors=IN_DIALOGUE,
        description="Lapses after a minute unless repeated; announced on the console "
        "feed as `presence.changed`.")),
    ApiRoute("DELETE", "/api/v1/dialogues/{slug}/questions/{id}/handling", staff.unclaim,
             Operation(
        "releaseQuestion", "Let go of the question (my own claim only)", (STAFF,),
        permitted(Permission.MODERATE), status=204, path=(SLUG, QUESTION),
        errors=IN_DIALOGUE)),
    ApiRoute("POST", "/api/v1/dialogues/{slug}/questions/{id}/actions/{action}", staff.act,
             Operation(
        "act", "Take an action on a question", (STAFF,), permitted(Permission.SEE),
        response=v.StaffQuestion, body=schemas.ActionBody,
        path=(SLUG, QUESTION, Param("action", ActionName, "The action to take.")),
        errors=(*BODY, *IN_DIALOGUE, "conflict"),
        description="Who may take which action from which state: the transition table "
        "(`server/domain/lifecycle.py`). A stale `version`, or an action the state does "
        "not allow, is a 409. So is an action of the air (queue, dequeue, move, on_air, "
        "back, ready) once the broadcast is over (closed or archived), and any action but "
        "`note` on an archived dialogue.\n\n" + _action_table())),
    # -- staff: the air ------------------------------------------------------------------------
    ApiRoute("POST", "/api/v1/dialogues/{slug}/next", staff.next_question, Operation(
        "nextQuestion", "Next question: the one on air is done, the head of the queue goes on",
        (STAFF,), permitted(Permission.PRODUCE), response=v.AirState,
        body=schemas.NextRequest, path=(SLUG,), errors=(*BODY, *IN_DIALOGUE, "conflict"),
        description="The question on air is answered live (stamped with its moment in "
        "the recording; the summary may come later) or owed in writing (`then: defer`), "
        "and the head of the queue goes on air. 409 when nothing is on air and the queue "
        "is empty, or when the question on air is not `current`: of two producers "
        "pressing at once, exactly one wins. The answer offers the change's undo.")),
    ApiRoute("POST", "/api/v1/dialogues/{slug}/air/{op}", staff.air, Operation(
        "changeAir", "Skip the question on air, take it back to the queue, or undo", (STAFF,),
        permitted(Permission.PRODUCE), response=v.AirState, body=schemas.AirRequest,
        path=(SLUG, Param("op", AirOp, "skip, back or undo.")),
        errors=(*BODY, *IN_DIALOGUE, "conflict"),
        description="`skip`: the question on air waits at the end of the queue and the "
        "head goes on air. `back`: it goes back to the head of the queue; nothing is on "
        "air. `undo`: the last air change (`change`, if given, must name it) is undone "
        "while its window lasts (DOITHOAI_AIR_UNDO) and if none of its questions "
        "changed since; else 409.")),
    ApiRoute("POST", "/api/v1/dialogues/{slug}/overlay", staff.overlay, Operation(
        "setOverlay", "Show or hide the overlay's lower third (what is on air stays)",
        (STAFF,), permitted(Permission.PRODUCE), response=v.Overlay,
        body=schemas.OverlayRequest, path=(SLUG,), errors=(*BODY, *IN_DIALOGUE))),
    ApiRoute("GET", "/api/v1/dialogues/{slug}/wrap-up", staff.wrap_up_plan, Operation(
        "getWrapUp", "What ending the broadcast will do", (STAFF,), permitted(Permission.CLOSE),
        response=v.WrapUpPlan, path=(SLUG,), errors=IN_DIALOGUE,
        description="Each question not answered live, with the official it would be "
        "owed by (routed, else the topic's default; null: nobody yet), and the due day.")),
    ApiRoute("POST", "/api/v1/dialogues/{slug}/wrap-up", staff.wrap_up, Operation(
        "wrapUp", "End the broadcast: close the dialogue, owe every unanswered question",
        (STAFF,), permitted(Permission.CLOSE), response=v.WrapUpResult,
        body=schemas.WrapUpRequest, path=(SLUG,), errors=(*BODY, *IN_DIALOGUE, "conflict"),
        description="A live dialogue closes; every question not answered live becomes a "
        "written answer owed by its official by the due day, each its own atomic step "
        "(one result per question). Run again on a closed dialogue for questions that "
        "came back into play.")),
    ApiRoute("GET", "/api/v1/dialogues/{slug}/screen", staff.screen, Operation(
        "getScreen", "The broadcast overlay's token and address", (STAFF,),
        permitted(Permission.PRODUCE), response=v.Screen, path=(SLUG,), errors=IN_DIALOGUE)),
    ApiRoute("POST", "/api/v1/dialogues/{slug}/screen/rotate", staff.rotate_screen, Operation(
        "rotateScreen", "A new overlay token; the old one stops working", (STAFF,),
        permitted(Permission.MANAGE), response=v.Screen, path=(SLUG,), errors=IN_DIALOGUE)),
    ApiRoute("GET", "/api/v1/dialogues/{slug}/export", export.export, Operation(
        "exportQuestions", "Every question of the dialogue as CSV, XLSX or JSON", (STAFF,),
        permitted(Permission.EXPORT), response=v.Export,
        alternatives=("text/csv", XLSX),
        path=(SLUG,), errors=("invalid", *IN_DIALOGUE),
        query=(
            Param("format", Literal["csv", "xlsx", "json"], "The file's format.", "csv"),
            Param("contact", Literal["true", "false"],
                  "With the askers' phone and email (moderators, admins; audited).", "false"),
            Param("lang", Literal["vi", "en"],
                  "The CSV's and the workbook's language: headers, states, channels, "
                  "reasons and flags "
                  "(default: the language switch's cookie, Accept-Language, else vi)."),
        ),
        description="One row per question (every state but received). The CSV is for "
        "people: in the reader's language, times in Vietnam's time (+07:00); the XLSX "
        "workbook too, with a sheet of answers (given and owed) and one of statistics, "
        "times as Vietnam's date-times, no cell a formula; the JSON is data: codes, "
        "times as stored.")),
    ApiRoute("GET", "/api/v1/dialogues/{slug}/report", export.report, Operation(
        "getReport", "The report to the leadership, as a Word document", (STAFF,),
        permitted(Permission.SEE), alternatives=(DOCX,),
        path=(SLUG,), errors=("invalid", *IN_DIALOGUE),
        query=(
            Param("format", Literal["docx"], "The file's format.", "docx"),
            Param("lang", Literal["vi", "en"],
                  "The report's language (default: the language switch's cookie, "
                  "Accept-Language, else vi)."),
        ),
        description="In the form of Decree 30/2020/ND-CP: the issuing body "
        "(DOITHOAI_ORGANISER) beside the national motto, the number left for the records "
        "clerk, the place (DOITHOAI_PLACE) and date, the title; what the dialogue was, "
        "the questions by channel, topic, locality and state, the answers live and in "
        "writing, what each official owes and by when, the questions and answers by "
        "topic; recipients and signature. No contact data.")),
    ApiRoute("GET", "/api/v1/dialogues/{slug}/dashboard", dashboard_pages.dashboard_api,
        Operation(
        "getDashboard", "The live dashboard's figures", (STAFF,),
        permitted(Permission.DASHBOARD), response=v.Dashboard, path=(SLUG,),
        errors=IN_DIALOGUE,
        description="Counts by state, topic, locality and channel; questions received, "
        "approved and rejected per minute; answers live and in writing, owed and overdue; "
        "the waits to a first decision and to an answer (fixed buckets: a percentile is "
        "its bucket's upper bound); viewers now and at the peak, every node together; "
        "the most supported open questions; merge clusters. Read from counters kept as "
        "questions come and change: cheap whatever the dialogue's size.")),
    ApiRoute("GET", "/api/v1/dialogues/{slug}/audit", audit_pages.audit_api, Operation(
        "getAudit", "The dialogue's audit trail, newest first, and whether it is intact",
        (STAFF,), permitted(Permission.AUDIT), response=v.AuditPage, path=(SLUG,),
        errors=("invalid", *IN_DIALOGUE),
        query=(
            Param("actor", str, "Only entries by this account."),
            Param("action", str, "Only entries of this action."),
            Param("question", str, "Only entries about this question id."),
            Param("before", str, "`next_before` of the previous page."),
        ))),
    # -- admin ---------------------------------------------------------------------------------
    ApiRoute("POST", "/api/v1/dialogues", admin.create, Operation(
        "createDialogue", "A new dialogue, in draft", (ADMIN,), SYSTEM_ADMIN, status=201,
        response=v.StaffDialogue, body=schemas.NewDialogue,
        errors=(*BODY, "unauthenticated", "forbidden", "conflict"))),
    ApiRoute("PATCH", "/api/v1/dialogues/{slug}", admin.update, Operation(
        "updateDialogue", "Edit the dialogue's settings", (ADMIN,), permitted(Permission.MANAGE),
        response=v.StaffDialogue, body=schemas.DialogueEdit, path=(SLUG,),
        errors=(*BODY, *IN_DIALOGUE, "conflict"))),
    ApiRoute("GET", "/api/v1/dialogues/{slug}/settings", admin.dialogue_settings, Operation(
        "getDialogueSettings", "The dialogue as its admins edit it", (ADMIN,),
        permitted(Permission.MANAGE), response=v.StaffDialogue, path=(SLUG,),
        errors=IN_DIALOGUE)),
    ApiRoute("POST", "/api/v1/dialogues/{slug}/status", admin.change_status, Operation(
        "changePhase", "Move the dialogue one phase forward or back", (ADMIN,),
        permitted(Permission.MANAGE), response=v.StaffDialogue, body=schemas.PhaseChange,
        path=(SLUG,), errors=(*BODY, *IN_DIALOGUE, "conflict"),
        description="draft -> open -> live -> closed -> archived, one step at a time. "
        "A live dialogue closes only through the wrap-up (`POST .../wrap-up`), which leaves "
        "no question approved, queued or on air: here live -> closed is a 409.")),
    ApiRoute("GET", "/api/v1/users", users_api.list_users, Operation(
        "listUsers", "Every staff account", (ADMIN,), SYSTEM_ADMIN,
        response=list[v.StaffUser], errors=("unauthenticated", "forbidden"))),
    ApiRoute("POST", "/api/v1/users", users_api.create_user, Operation(
        "createUser", "A new staff account", (ADMIN,), SYSTEM_ADMIN, status=201,
        response=v.StaffUser, body=schemas.NewStaffUser,
        errors=(*BODY, "unauthenticated", "forbidden", "conflict"),
        description="409 when an account already has the username.")),
    ApiRoute("PATCH", "/api/v1/users/{username}", users_api.update_user, Operation(
        "updateUser", "Change an account's memberships, state, password or name", (ADMIN,),
        SYSTEM_ADMIN, response=v.StaffUser, body=schemas.StaffUserEdit,
        path=(Param("username", description="A staff account's username."),),
        errors=(*BODY, "unauthenticated", "forbidden", "not_found"),
        description="Memberships are read afresh on every request, so a change applies at "
        "once; the account's open consoles that held a removed role close (4403) within "
        "seconds. Disabling or a new password ends its sessions (4401).")),
    # -- meta ------------------------------------------------------------------------------------
    ApiRoute("GET", "/api/v1/openapi.json", openapi.openapi_json, Operation(
        "openapi", "This API's OpenAPI 3.1 document", (META,), ANYONE,
        response=dict[str, Any])),
)  # fmt: skip

_QUESTION_EVENTS: dict[str, Any] = {t: v.PublicQuestion for t in PUBLIC_QUESTION_EVENTS}
FEEDS: tuple[FeedRoute, ...] = (
    FeedRoute("/ws/v1/dialogues/{slug}/feed", sockets.public_feed, Feed(
        "publicFeed", "The public feed: only what the public may see", ANYONE, v.Feed,
        {
            **_QUESTION_EVENTS,
            "question.unpublished": v.QuestionRef,
            "question.merged": v.MergedRef,
            "votes.changed": v.VotesChanged,
            "queue.changed": v.QueueChanged,
            "overlay.changed": v.Overlay,
            "dialogue.updated": v.PublicDialogue,
        },
        description="A page whose `Origin` is neither the app's nor one of the dialogue's "
        "`widget_origins` is refused. With `?screen=<token>` (the broadcast overlay) the "
        "token must be the current one, and the socket closes when it is rotated.")),
    FeedRoute("/ws/v1/dialogues/{slug}/console", sockets.console_feed, Feed(
        "consoleFeed", "The staff feed", permitted(Permission.SEE), v.ConsoleFeed,
        {
            **{t: v.ConsoleQuestion for t in dict.fromkeys(lifecycle.EVENT_TYPES.values())},
            "votes.changed": v.VotesChanged,
            "queue.changed": v.QueueChanged,
            "overlay.changed": v.Overlay,
            "presence.changed": v.PresenceChanged,
            "dialogue.updated": v.PublicDialogue,
        },
        description="The handshake is refused without a staff session or token, or when "
        "`Origin` is not the app's own. The socket closes with 4401 once its session "
        "ends, 4403 once its account loses a role it opened with. A page may name the "
        "version of the pages' code it was served with (`?ui=`, its `ui-build` meta): "
        "a node running other code closes the socket at once with 4426, and the page "
        "reloads.")),
)  # fmt: skip

PAGES: tuple[BaseRoute, ...] = (
    Route("/healthz", pages.healthz, methods=["GET"], name="healthz"),
    Route("/readyz", observe.readyz, methods=["GET"], name="readyz"),
    Route("/metrics", observe.metrics_endpoint, methods=["GET"], name="metrics"),
    Route("/", pages.index, methods=["GET"], name="index"),
    Route("/favicon.ico", pages.favicon, methods=["GET"], name="favicon"),
    Route("/login", pages.login_form, methods=["GET"], name="login_page"),
    Route("/login", pages.login_submit, methods=["POST"], name="login_submit"),
    Route("/logout", pages.logout, methods=["POST"], name="logout_page"),
    Route("/admin", admin_pages.dialogues, methods=["GET"], name="admin"),
    Route("/admin/users", admin_pages.users, methods=["GET"], name="admin_users"),
    Route("/admin/{slug}", admin_pages.dialogue, methods=["GET"], name="admin_dialogue"),
    Route("/console/{slug}", pages.console, methods=["GET"], name="console"),
    Route("/console/{slug}/producer", broadcast_pages.producer, methods=["GET"],
          name="producer_console"),
    Route("/console/{slug}/presenter", broadcast_pages.presenter, methods=["GET"],
          name="presenter_page"),
    Route("/console/{slug}/official", official_pages.official_console, methods=["GET"],
          name="official_console"),
    Route("/console/{slug}/wrap-up", closing_pages.wrap_up, methods=["GET"],
          name="wrap_up_page"),
    Route("/console/{slug}/dashboard", dashboard_pages.dashboard_page, methods=["GET"],
          name="dashboard_page"),
    Route("/console/{slug}/audit", audit_pages.audit_page, methods=["GET"], name="audit_page"),
    Route("/d/{slug}", pages.dialogue_page, methods=["GET"], name="dialogue_page"),
    Route("/d/{slug}/qr.svg", share.qr_code, methods=["GET"], name="dialogue_qr"),
    Route("/d/{slug}/screen", broadcast_pages.screen, methods=["GET"], name="screen_page"),
    Route("/d/{slug}/archive", record_pages.archive_page, methods=["GET"], name="archive_page"),
    Route("/d/{slug}/report", record_pages.report_page, methods=["GET"], name="report_page"),
    Route("/t", record_pages.lookup, methods=["GET"], name="lookup"),
    Route("/t", record_pages.lookup_submit, methods=["POST"], name="lookup_submit"),
    Route("/t/{code}", record_pages.tracking_page, methods=["GET"], name="tracking_page"),
    Route("/t/{code}/contact", record_pages.forget_contact, methods=["POST"],
          name="forget_contact_page"),
    Route("/widget.js", widget.widget_script, methods=["GET"], name="widget_script"),
    Route("/widget.{digest}.js", widget.pinned_script, methods=["GET"], name="pinned_script"),
    Route("/widget/check/{slug}", widget.origin_check, methods=["GET"], name="widget_check"),
    static_mount(),
)  # fmt: skip


def table() -> list[BaseRoute]:
    """Every route of the app, in the order they are matched."""
    return [*API, *FEEDS, *PAGES]


@functools.cache
def router() -> Router:
    """The table as a router: to build addresses without a request."""
    return Router(routes=table())


def path(name: str, /, **params: Any) -> str:
    """The path of the route ``name`` with ``params`` (``path("dialogue_page", slug="hue")``)."""
    return str(router().url_path_for(name, **params))
