"""Data for the producer console and overlay tests, made the way the app makes
it: dialogues and accounts through ``Services`` and ``Accounts``, questions
through the real server's public API and moved on through its staff API.

Each test makes its own dialogue (``new_dialogue``), so tests sharing one
server and one Redis never see each other's queue or question on air."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Mapping
from typing import Any

from server.domain.model import Role
from tests.helpers import ServerProcess
from tests.support.dialogues import DEPUTY, LOCALITIES, OFFICIAL, TOPICS
from tests.support.questions import ask, submit
from tests.support.staff import StaffClient, add_accounts, create_dialogue
from tests.web.seed import STAFF

OFFICIALS = [OFFICIAL, DEPUTY]
#: Accounts besides those of ``tests.web.seed`` (moderator, producer, admin):
#: the official of o1, and a second producer at another desk.
EXTRA_STAFF = {"official": frozenset({Role.OFFICIAL}), "producer2": frozenset({Role.PRODUCER})}
#: What the tests of this folder take from here.
__all__ = [
    "StaffClient",
    "add_staff",
    "approved",
    "fresh_dialogue",
    "fresh_slug",
    "new_dialogue",
    "submit",
]

_numbers = itertools.count(1)


def fresh_slug(prefix: str = "phat-song") -> str:
    """A slug no other test of this session uses."""
    return f"{prefix}-{next(_numbers)}-{time.monotonic_ns() % 1_000_000}"


def new_dialogue(
    redis_url: str,
    slug: str,
    title: str = "Đối thoại về chuyển đổi số",
    members: Mapping[str, Iterable[Role]] | None = None,
    status: str = "live",
    **settings: Any,
) -> None:
    """A dialogue ``slug`` in ``status`` (live unless said) with two officials,
    two topics and a default official for "Kinh tế số" (o2, Trần Thị Bình),
    and any other ``settings`` (``brand``, ...); the seed's staff,
    ``EXTRA_STAFF`` and ``members`` (username -> roles) are its members (make
    their accounts first)."""

    create_dialogue(
        redis_url,
        {**STAFF, **EXTRA_STAFF, **(members or {})},
        slug=slug,
        title=title,
        status=status,
        topics=TOPICS,
        officials=OFFICIALS,
        localities=LOCALITIES,
        topic_officials={"kinh-te-so": "o2"},
        **settings,
    )


def add_staff(redis_url: str) -> None:
    """The accounts of ``EXTRA_STAFF`` (password ``tests.support.staff.PASSWORD``),
    members of each dialogue ``new_dialogue`` makes."""

    add_accounts(redis_url, EXTRA_STAFF)


def fresh_dialogue(redis_url: str, prefix: str, **settings: Any) -> str:
    """The slug of a new dialogue (``new_dialogue`` with ``settings``) that
    no other test of this session uses."""
    slug = fresh_slug(prefix)
    new_dialogue(redis_url, slug, **settings)
    return slug


def approved(staff: StaffClient, site: ServerProcess, slug: str, text: str, **fields: Any) -> str:
    """Ask ``text``, wait for intake, approve it as ``staff``; return its id."""
    _, qid = ask(site, slug, text, **fields)
    staff.act(slug, qid, "approve")
    return qid
