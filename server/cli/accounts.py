"""``doithoai user ...`` and ``doithoai token ...``: staff accounts and API
tokens from a terminal. Passwords are read from a prompt or stdin, never
from the command line (which other users of the machine can see)."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime
from typing import Any

from ..actions.accounts import Accounts, User, check_password, check_username
from ..domain.model import Role, iso
from ..domain.wording import Refused
from ..web.catalogs import bilingual

ROLES = [r.value for r in Role]


def add_parsers(sub: Any) -> None:
    user = sub.add_parser("user", help="staff accounts: add, passwd, roles, disable, enable, list")
    verbs = user.add_subparsers(dest="verb", required=True)
    add = verbs.add_parser(
        "add",
        help="a new account (or replace one): an administrator (--role admin), or a "
        "member of the dialogues named with --dialogue, with the other --role's in each",
    )
    add.add_argument("username")
    add.add_argument("--role", action="append", choices=ROLES, required=True, help="repeatable")
    add.add_argument("--dialogue", action="append", default=[], metavar="SLUG", help="repeatable")
    add.add_argument("--name", default="", help="display name")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    passwd = verbs.add_parser("passwd", help="set a new password (ends the account's sessions)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    roles = verbs.add_parser(
        "roles",
        help="the account's roles in one dialogue (--dialogue; an empty list ends the "
        "membership), or without --dialogue whether it is an administrator (admin or '')",
    )
    roles.add_argument("username")
    roles.add_argument(
        "--roles", required=True, help=f"comma-separated, of {','.join(ROLES)}", metavar="R1,R2"
    )
    roles.add_argument("--dialogue", metavar="SLUG", help="the dialogue the roles are held in")
    for verb in ("disable", "enable"):
        v = verbs.add_parser(verb, help=f"{verb} an account (disable ends its sessions at once)")
        v.add_argument("username")
    verbs.add_parser("list", help="every account with its roles in each dialogue")

    token = sub.add_parser("token", help="API tokens for integrations: create, list, revoke")
    tverbs = token.add_subparsers(dest="verb", required=True)
    create = tverbs.add_parser("create", help="a token acting as --user in --role")
    create.add_argument("--user", required=True)
    create.add_argument("--role", choices=ROLES, help="default: the account's first role")
    create.add_argument(
        "--dialogue", action="append", default=[], help="a slug it may touch (repeat; default: all)"
    )
    create.add_argument("--label", default="", help="what the token is for")
    tverbs.add_parser("list", help="every token (id, account, role, dialogues)")
    revoke = tverbs.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("token_id")


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Mật khẩu / password: ")
        if getpass.getpass("Nhập lại / again: ") != password:
            raise ValueError("the two passwords differ")
    else:
        raise ValueError("no terminal: pass --password-stdin and the password on stdin")
    return check_password(password)


def _actor() -> str:
    """Who changes accounts from a terminal, for the log: the OS account."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _describe(user: User, slugs: dict[str, str]) -> str:
    """``admin`` and ``slug:role,role`` for each membership."""
    parts = ["admin"] if user.admin else []
    parts += [
        f"{slugs.get(d, d)}:{','.join(sorted(r.value for r in roles))}"
        for d, roles in sorted(user.memberships.items(), key=lambda m: slugs.get(m[0], m[0]))
    ]
    return " ".join(parts) or "-"


async def run_user(accounts: Accounts, args: argparse.Namespace, slugs: dict[str, str]) -> int:
    """``slugs``: every dialogue's slug by id, to show memberships by slug."""
    try:
        if args.verb == "add":
            wanted = frozenset(Role(r) for r in args.role)
            given = sorted(r.value for r in wanted - {Role.ADMIN})
            if given and not args.dialogue:
                raise ValueError(
                    "roles other than admin are held in dialogues: name them with --dialogue SLUG"
                )
            username = check_username(args.username)
            password = _password(args)
            await accounts.add(username, password, wanted & {Role.ADMIN}, args.name, actor=_actor())
            user = await accounts.update(
                _actor(), username, memberships={slug: given for slug in args.dialogue}
            )
            print(f"{username}: {_describe(user, slugs)}")
        elif args.verb == "passwd":
            await accounts.set_password(args.username, _password(args), actor=_actor())
            print(f"{args.username}: password changed; open sessions ended")
        elif args.verb == "roles":
            wanted_roles = [r.strip() for r in args.roles.split(",") if r.strip()]
            if args.dialogue:
                memberships = {args.dialogue: wanted_roles}
                user = await accounts.update(_actor(), args.username, memberships=memberships)
            elif set(wanted_roles) <= {Role.ADMIN.value}:
                user = await accounts.update(_actor(), args.username, admin=bool(wanted_roles))
            else:
                raise ValueError(
                    "only admin is an account-wide role; name the dialogue of the others "
                    "with --dialogue SLUG"
                )
            print(f"{user.username}: {_describe(user, slugs)}")
        elif args.verb in ("disable", "enable"):
            await accounts.set_disabled(args.username, args.verb == "disable", actor=_actor())
            print(f"{args.username}: {args.verb}d")
        elif args.verb == "list":
            for user in await accounts.users():
                state = " (disabled)" if user.disabled else ""
                print(f"{user.username}\t{_describe(user, slugs)}{state}")
    except Refused as exc:
        print(f"doithoai user: {bilingual(exc)}", file=sys.stderr)
        return 1
    except (ValueError, LookupError) as exc:
        print(f"doithoai user: {exc}", file=sys.stderr)
        return 1
    return 0


async def run_token(accounts: Accounts, args: argparse.Namespace) -> int:
    try:
        if args.verb == "create":
            user = await accounts.user(args.user)
            held = sorted(frozenset().union(*user.memberships.values()))
            role = Role(args.role) if args.role else (Role.ADMIN if user.admin else held[0])
            now = iso(datetime.now(UTC))
            secret, token = await accounts.create_token(
                args.user, role, tuple(args.dialogue), args.label, now
            )
            print(secret)
            scope = ", ".join(token.dialogues) or "every dialogue"
            said = f"id {token.token_id}: {token.username} as {token.role.value} in {scope}"
            print(f"{said}. Shown once: keep it secret.", file=sys.stderr)
        elif args.verb == "list":
            for t in await accounts.tokens():
                scope = ",".join(t.dialogues) or "*"
                print(
                    f"{t.token_id}\t{t.username}\t{t.role.value}\t{scope}\t{t.created_at}\t{t.label}"
                )
        elif args.verb == "revoke":
            if not await accounts.revoke_token(args.token_id):
                raise LookupError(f"no token {args.token_id!r}")
            print(f"{args.token_id}: revoked")
    except (LookupError, PermissionError) as exc:
        print(f"doithoai token: {exc}", file=sys.stderr)
        return 1
    return 0
