"""Broadcasts for the official console, wrap-up and phase tests, made the way
the app makes them (``tests.web.record_seed``'s ``Broadcast``), with a
secretary among the staff, written answers owed (``Broadcast.owe``) and the
browser helpers these tests share.

Each test makes a dialogue of its own (``fresh_slug``) and its accounts if
they are missing (``ensure_staff``), so a test needs nothing another left
behind and tests can share one server and one Redis."""

from __future__ import annotations

import itertools
import time
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page

from server.actions import Services
from server.domain.access import actor_in
from server.domain.model import Actor, Dialogue, DialogueStatus, Question, Role, Status
from server.store.connection import Store
from tests.helpers import ServerProcess
from tests.support.browser import live_page as feed_page
from tests.support.browser import signed_in as browser_session
from tests.support.staff import make_members
from tests.support.store import with_actions, with_store
from tests.web import record_seed
from tests.web.record_seed import Broadcast, clock
from tests.web.seed import PASSWORD, server_env

#: The staff of these tests: record_seed's, and a secretary of each dialogue.
STAFF: dict[str, frozenset[Role]] = {
    **record_seed.STAFF,
    "secretary": frozenset({Role.SECRETARY}),
}
_numbers = itertools.count(1)


def fresh_slug(prefix: str) -> str:
    """A slug no other test of this session uses."""
    return f"{prefix}-{next(_numbers)}-{time.monotonic_ns() % 1_000_000}"


def ensure_staff(redis_url: str) -> None:
    """The ``STAFF`` accounts (password ``seed.PASSWORD``), made if missing."""

    async def work(actions: Services) -> None:
        known = {user.username for user in await actions.accounts.users()}
        for username, roles in STAFF.items():
            if username not in known:
                await actions.accounts.add(username, PASSWORD, roles & {Role.ADMIN})

    with_actions(redis_url, work, clock())


def app_server(redis_url: str) -> ServerProcess:
    """An app on ``redis_url`` (a module's fixture starts it once: each test
    makes its own dialogue and, if missing, the accounts)."""
    return ServerProcess(env=server_env(redis_url))


class Show(Broadcast):
    """A live dialogue (``Broadcast``) whose staff includes the secretary."""

    def __init__(self, redis_url: str, base_url: str, prefix: str, **fields: Any) -> None:
        ensure_staff(redis_url)
        super().__init__(redis_url, base_url, fresh_slug(prefix), **fields)
        self._run(lambda actions: make_members(actions.accounts, self.dialogue, STAFF))

    def actor(self, dialogue: Dialogue, by: str) -> Actor:
        return actor_in(dialogue, by, STAFF[by])

    def act(self, code: str, action: str, by: str = "moderator", **body: Any) -> Question:
        found = self.question(code)

        async def work(actions: Services) -> Question:
            dialogue = await actions.dialogues.get(self.slug)
            return await actions.moderation.act(
                dialogue, found.id, action, body, self.actor(dialogue, by)
            )

        return self._run(work)

    def wrap_up(self, officials: dict[str, str | None] | None = None) -> dict[str, Any]:
        """The producer ends the broadcast (``Closing.close``)."""

        async def work(actions: Services) -> dict[str, Any]:
            dialogue = await actions.dialogues.get(self.slug)
            return await actions.closing.close(
                dialogue, self.actor(dialogue, "producer"), officials, dialogue.version
            )

        return self._run(work)

    def question_by_id(self, qid: str) -> Question:
        found = {q.id: q for q in self.all()}
        return found[qid]

    def phase_now(self) -> DialogueStatus:
        """The dialogue's phase, as the store says."""

        async def work(store: Store) -> DialogueStatus:
            dialogue = await store.dialogues.by_slug(self.slug)
            assert dialogue is not None, self.slug
            return dialogue.status

        return with_store(self.redis_url, work)

    def on_air_id(self) -> str | None:
        """The id of the question on air, as the store says."""
        on_air = [q for q in self.all() if q.status.value == "on_air"]
        assert len(on_air) <= 1, on_air
        return on_air[0].id if on_air else None

    def all(self) -> list[Question]:
        """Every question of the dialogue in the store."""

        async def work(store: Store) -> list[Question]:
            _, found = await store.questions.snapshot(self.dialogue.id, list(Status))
            return found

        return with_store(self.redis_url, work)


def signed_in(
    browser: Browser, server: ServerProcess, username: str, **options: Any
) -> BrowserContext:
    """A browser context with ``username``'s session."""
    return browser_session(browser, server.url, username, **options)


def live_page(context: BrowserContext, url: str) -> Page:
    """``url`` in a new page of ``context``, once its feed is connected,
    marked so that a test can tell the page was not reloaded since."""
    page = feed_page(context, url)
    page.evaluate("window.__sameDocument = true")
    return page


def no_horizontal_scroll(page: Page) -> list[int]:
    """The page's scrollWidth and the window's innerWidth, for an assertion."""
    widths: list[int] = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.body.scrollWidth, innerWidth]"
    )
    return widths
