"""``doithoai audit verify|show``: check the audit chains, read a dialogue's trail."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..actions import Services
from ..actions.audit import row_doc
from ..domain.model import Dialogue


def add_parser(sub: Any) -> None:
    cmd = sub.add_parser("audit", help="check and read the audit trail")
    verbs = cmd.add_subparsers(dest="verb", required=True)
    verify = verbs.add_parser(
        "verify", help="check the hash chains (every dialogue and the accounts' trail)"
    )
    verify.add_argument("slugs", nargs="*", metavar="SLUG", help="only these dialogues")
    show = verbs.add_parser("show", help="a dialogue's audit entries, one JSON object a line")
    show.add_argument("slug")
    show.add_argument("--limit", type=int, default=1000)


async def run(app: Services, args: argparse.Namespace) -> int:
    if args.verb == "show":
        dialogue = await app.dialogues.find(args.slug)
        if dialogue is None:
            print(f"doithoai audit: no dialogue {args.slug!r}", file=sys.stderr)
            return 1
        for row in await app.audit.oldest(dialogue, args.limit):
            print(json.dumps(row_doc(row), ensure_ascii=False))
        return 0
    dialogues = await app.dialogues.all()
    if args.slugs:
        unknown = set(args.slugs) - {d.slug for d in dialogues}
        if unknown:
            print(f"doithoai audit: no dialogue {sorted(unknown)[0]!r}", file=sys.stderr)
            return 1
        chains: list[tuple[str, Dialogue | None]] = [
            (d.slug, d) for d in dialogues if d.slug in args.slugs
        ]
    else:
        chains = [("(accounts)", None), *((d.slug, d) for d in dialogues)]
    broken = 0
    for name, dialogue in chains:
        chain = await app.audit.chain(dialogue)
        if chain.problems:
            broken += 1
            print(f"{name}: BROKEN")
            for problem in chain.problems:
                print(f"  {problem.at}: {problem.message}")
        else:
            print(f"{name}: ok, {chain.count} entries, head {chain.head or '-'}")
    return 1 if broken else 0
