"""``doithoai dialogue ...``: list, create and switch the phase of dialogues,
end a broadcast (the wrap-up), and rotate the broadcast overlay's token, from
a terminal."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from ..actions import Services
from ..config import Settings
from ..domain import export
from ..domain.events import staff_dialogue
from ..domain.model import Actor, DialogueStatus, Role
from ..domain.wording import Refused
from ..domain.wrapup import ICT
from ..web.catalogs import LANGUAGES, bilingual, catalog
from ..web.routes import path


def _system_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no $USER (some containers)
        return "unknown"


#: Who acts from the command line, for the audit trail: the operating-system
#: account (the terminal has no staff login) and "cli" for an address.
OPERATOR = Actor(f"cli:{_system_user()}", frozenset({Role.ADMIN}), address="cli")


def add_parser(sub: Any) -> None:
    cmd = sub.add_parser("dialogue", help="list, create and switch dialogues")
    verbs = cmd.add_subparsers(dest="verb", required=True)
    verbs.add_parser("list", help="every dialogue: slug, phase, title")
    show = verbs.add_parser("show", help="one dialogue's settings, as JSON")
    show.add_argument("slug")
    create = verbs.add_parser("create", help="a new dialogue, in draft")
    create.add_argument("slug")
    create.add_argument("title")
    create.add_argument("--starts-at", help="ISO 8601 with offset, e.g. 2026-12-01T14:00:00+07:00")
    create.add_argument("--ends-at")
    create.add_argument("--stream-url", help="the broadcast's video (http or https)")
    status = verbs.add_parser(
        "status",
        help="switch the phase: draft, open, live, closed, archived (one step at a time; "
        "a live dialogue closes with wrap-up)",
    )
    status.add_argument("slug")
    status.add_argument("phase", choices=[s.value for s in DialogueStatus])
    wrap_up = verbs.add_parser(
        "wrap-up",
        help="end the broadcast: close the live dialogue and owe every question not answered "
        "live in writing (each to its routed official, else its topic's default)",
    )
    wrap_up.add_argument("slug")
    report = verbs.add_parser(
        "report", help="the report to the leadership (Word, Decree 30/2020 form) to a file"
    )
    report.add_argument("slug")
    report.add_argument(
        "--output", "-o", help="the file to write (default: SLUG-report-DATE.docx, here)"
    )
    report.add_argument(
        "--lang", choices=LANGUAGES, default="vi", help="Vietnamese (default) or English"
    )
    rotate = verbs.add_parser("rotate-screen", help="a new overlay token; the old one stops")
    rotate.add_argument("slug")
    dump = verbs.add_parser(
        "export", help="every question as CSV (or JSON) on stdout, for the record"
    )
    dump.add_argument("slug")
    dump.add_argument("--json", action="store_true", help="JSON instead of CSV")
    dump.add_argument(
        "--lang",
        choices=LANGUAGES,
        default="vi",
        help="the CSV's headers and labels: Vietnamese (default) or English",
    )
    dump.add_argument(
        "--with-contact",
        action="store_true",
        help="add the askers' phone and email (personal data: audited; keep the file safe)",
    )


async def run(actions: Services, args: argparse.Namespace, settings: Settings) -> int:
    try:
        if args.verb == "list":
            for d in await actions.dialogues.all():
                print(f"{d.slug}\t{d.status.value}\t{d.title}")
        elif args.verb == "show":
            dialogue = await actions.dialogues.get(args.slug)
            print(json.dumps(staff_dialogue(dialogue), ensure_ascii=False, indent=2))
        elif args.verb == "create":
            payload = {"slug": args.slug, "title": args.title}
            for field in ("starts_at", "ends_at", "stream_url"):
                if getattr(args, field):
                    payload[field] = getattr(args, field)
            dialogue = await actions.dialogues.new(payload, OPERATOR)
            page = path("dialogue_page", slug=dialogue.slug)
            print(f"created {dialogue.slug} (draft): {settings.origin}{page}")
        elif args.verb == "status":
            dialogue = await actions.dialogues.set_status(
                await actions.dialogues.get(args.slug), args.phase, OPERATOR
            )
            print(f"{dialogue.slug} is now {dialogue.status.value}")
        elif args.verb == "wrap-up":
            closed = await actions.closing.close(await actions.dialogues.get(args.slug), OPERATOR)
            _print_wrap_up(closed)
        elif args.verb == "export":
            dialogue = await actions.dialogues.get(args.slug)
            record = await actions.reports.record(
                dialogue, OPERATOR, with_contact=args.with_contact
            )
            if args.json:
                print(json.dumps(record.rows, ensure_ascii=False, indent=2))
            else:
                gettext = catalog(args.lang).gettext
                sys.stdout.write(export.to_csv(record.rows, args.with_contact, gettext))
        elif args.verb == "report":
            from ..documents import report as document  # python-docx: only this command needs it

            dialogue = await actions.dialogues.get(args.slug)
            record = await actions.reports.record(dialogue, OPERATOR)
            issuer = document.Issuer(settings.organiser, settings.place)
            body = document.document(
                dialogue, record.questions, record.figures, issuer, record.at,
                catalog(args.lang).gettext,
            )  # fmt: skip
            day = record.at.astimezone(ICT).date().isoformat()
            target = Path(args.output or f"{dialogue.slug}-report-{day}.docx")
            await asyncio.to_thread(target.write_bytes, body)
            print(f"wrote {target} ({len(body)} bytes)")
        elif args.verb == "rotate-screen":
            dialogue = await actions.dialogues.get(args.slug)
            token = await actions.broadcast.rotate_screen_token(dialogue, OPERATOR)
            page = path("screen_page", slug=dialogue.slug)
            print(f"{settings.origin}{page}?{urlencode({'token': token})}")
    except Refused as exc:
        where = f" ({exc.field})" if exc.field else ""
        print(f"doithoai dialogue: {bilingual(exc)}{where}", file=sys.stderr)
        return 1
    return 0


def _print_wrap_up(closed: dict[str, Any]) -> None:
    """The dialogue's phase, then one line per question: owed by whom, or why not."""
    dialogue, due = closed["dialogue"], closed["due"]
    print(f"{dialogue.slug} is now {dialogue.status.value}; written answers due {due}")
    for result in closed["results"]:
        if not result["ok"]:
            error = result["error"]
            print(f"#{result['id']}\tnot changed: {bilingual(error)}")
            continue
        official = dialogue.official(result["question"].official_id)
        print(f"#{result['id']}\towed by {official.name if official else 'nobody yet (flagged)'}")
