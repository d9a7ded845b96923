"""``doithoai notify dead|retry``: the notices to askers that could not be
delivered after every attempt, and sending them again."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..actions import Services


def add_parser(sub: Any) -> None:
    cmd = sub.add_parser("notify", help="notices to askers that could not be delivered")
    verbs = cmd.add_subparsers(dest="verb", required=True)
    verbs.add_parser(
        "dead", help="list the dead letters: dialogue, id, question, attempts, last error"
    )
    retry = verbs.add_parser("retry", help="queue dead letters again")
    retry.add_argument("slug", metavar="SLUG", help="the dialogue")
    retry.add_argument("ids", nargs="*", metavar="ID", help="only these dead letters")


async def run(app: Services, args: argparse.Namespace) -> int:
    if args.verb == "dead":
        for dialogue, dead in await app.notifications.dead():
            print(
                f"{dialogue.slug}\t{dead.id}\tquestion {dead.question_id}\t"
                f"{dead.deliveries} attempts\t{dead.error or '-'}"
            )
        return 0
    found = await app.dialogues.find(args.slug)
    if found is None:
        print(f"doithoai notify: no dialogue {args.slug!r}", file=sys.stderr)
        return 1
    queued = await app.notifications.retry(found, args.ids)
    print(f"queued {queued} notice(s) again")
    if args.ids and queued < len(args.ids):
        print("doithoai notify: some ids are not dead letters of that dialogue", file=sys.stderr)
        return 1
    return 0
