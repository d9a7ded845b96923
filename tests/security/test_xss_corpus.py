"""The XSS corpus in Chromium (issue 6): hostile question texts, names,
organisations, answers, notes, dialogue settings and a staff display name,
taken through a broadcast (approved, queued, on air, answered, deferred),
then every page that shows them opened in Chromium: no script runs, no
payload becomes markup, and each is shown as the literal text it is.

Pages are opened with the Content-Security-Policy bypassed, so that what is
tested is the escaping itself (``textContent``, autoescaped templates): a
payload turned into markup would run here, where the CSP would have hidden it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.helpers import ServerProcess
from tests.support.portal import HostServer
from tests.support.questions import question_ids, submit
from tests.support.staff import StaffClient
from tests.web.seed import SLUG

from .people import OFFICIAL_ID
from .xss import PAYLOADS, PROBES, payload, shown

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

N = len(PAYLOADS)
#: How long a page may take to draw its data (live pages fill from the feed).
DRAWN_TIMEOUT = 20.0
#: The roles whose pages are opened signed in.
ROLES = ("moderator", "producer", "official", "admin")
#: The dialogue's own settings, each with the payload it carries.
DIALOGUE_MARKS = {"d-title": 8, "d-desc": 7, "d-topic": 2, "d-off": 4, "d-offt": 5, "d-loc": 1}


@dataclass
class Corpus:
    server: ServerProcess
    staff: dict[str, StaffClient]
    #: mark -> the text a page must show for it
    text: dict[str, str]
    #: payload number -> question id, for each state a question was left in
    answered: dict[int, str] = field(default_factory=dict)
    deferred: dict[int, str] = field(default_factory=dict)
    queued: dict[int, str] = field(default_factory=dict)
    pending: dict[int, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)  # question id -> tracking code
    screen_token: str = ""

    def marks(self, *kinds: str) -> list[str]:
        """Marks of every payload for ``kinds`` (``t`` text, ``n`` name, ...)."""
        return [f"{kind}{n}" for kind in kinds for n in range(N)]


def _ask(server: ServerProcess, n: int, copy: str) -> str:
    return submit(
        server.url,
        SLUG,
        text=f"Câu hỏi {copy}{n}: {payload(n, f't{n}')}",
        name=payload(n, f"n{n}"),
        organization=payload(n, f"o{n}"),
        topic="chinh-quyen-so",
    )


def _dialogue_settings() -> dict[str, Any]:
    p = {mark: payload(n, mark) for mark, n in DIALOGUE_MARKS.items()}
    return {
        "title": f"Đối thoại {p['d-title']}",
        "description": p["d-desc"],
        "topics": [{"id": "chinh-quyen-so", "name": p["d-topic"]},
                   {"id": "kinh-te-so", "name": "Kinh tế số"}],
        "officials": [{"id": OFFICIAL_ID, "name": p["d-off"], "title": p["d-offt"],
                       "username": "official"}],
        "localities": [p["d-loc"]],
    }  # fmt: skip


@pytest.fixture(scope="module")
def portal(site: ServerProcess) -> Iterator[HostServer]:
    """The demo portal page on an origin of its own, embedding the app's widget."""
    with HostServer(site.url) as server:
        yield server


@pytest.fixture(scope="module")
def corpus(site: ServerProcess, portal: HostServer) -> Iterator[Corpus]:
    """Every payload in four questions: answered live, deferred, queued and
    pending; notes on the queued and pending ones; the dialogue's settings
    and a staff display name made of payloads too."""
    staff = {role: StaffClient(site.url, role) for role in ROLES}
    moderator, producer, official, admin = (staff[r] for r in ROLES)
    settings = {**_dialogue_settings(), "widget_origins": [portal.origin]}
    changed = admin.client.patch(
        f"/api/v1/dialogues/{SLUG}", json=settings, headers={"X-CSRF-Token": admin.csrf}
    )
    assert changed.status_code == 200, changed.text
    renamed = admin.client.patch(
        "/api/v1/users/producer",
        json={"display_name": payload(3, "u-name")},
        headers={"X-CSRF-Token": admin.csrf},
    )
    assert renamed.status_code == 200, renamed.text
    copies = {copy: [_ask(site, n, copy) for n in range(N)] for copy in "abcd"}
    ids = question_ids(site.env["REDIS_URL"], [c for codes in copies.values() for c in codes])
    corpus = Corpus(site, staff, {})
    for n in range(N):
        a, b, c, d = (ids[copies[copy][n]] for copy in "abcd")
        corpus.codes.update({ids[copies[copy][n]]: copies[copy][n] for copy in "abcd"})
        for qid in (a, b, c):
            moderator.act(SLUG, qid, "approve")
            moderator.act(SLUG, qid, "assign", official_id=OFFICIAL_ID)
        producer.act(SLUG, a, "queue")
        producer.act(SLUG, a, "on_air")
        producer.act(SLUG, a, "answer")
        official.act(SLUG, a, "summarize", text=f"Trả lời: {payload(n, f'a{n}')}")
        moderator.act(SLUG, b, "defer")
        producer.act(SLUG, c, "queue")
        moderator.act(SLUG, c, "note", text=payload(n, f"k{n}"))
        moderator.act(SLUG, d, "note", text=payload(n, f"k{n}"))
        corpus.answered[n], corpus.deferred[n], corpus.queued[n], corpus.pending[n] = a, b, c, d
    for n in range(N):
        corpus.text[f"t{n}"] = shown(payload(n, f"t{n}"), multiline=True)
        corpus.text[f"a{n}"] = shown(payload(n, f"a{n}"), multiline=True)
        corpus.text[f"k{n}"] = shown(payload(n, f"k{n}"), multiline=True)
        for kind in "no":
            corpus.text[f"{kind}{n}"] = shown(payload(n, f"{kind}{n}"))
    for mark, n in DIALOGUE_MARKS.items():
        corpus.text[mark] = shown(payload(n, mark), multiline=mark == "d-desc")
    corpus.text["u-name"] = shown(payload(3, "u-name"))
    corpus.screen_token = producer.client.get(f"/api/v1/dialogues/{SLUG}/screen").json()["token"]
    try:
        yield corpus
    finally:
        for member in staff.values():
            member.close()


# -- opening a page and judging it ----------------------------------------------------


class Visit:
    """One page in a fresh context: the probes installed, dialogs and page
    errors recorded, the staff member's session cookie set if any."""

    def __init__(self, chromium: Browser, corpus: Corpus, role: str | None) -> None:
        self.context = chromium.new_context(bypass_csp=True, locale="vi-VN")
        self.context.add_init_script(PROBES)
        if role is not None:
            self.context.add_cookies(
                [{"name": "doithoai_session", "value": corpus.staff[role].session,
                  "url": corpus.server.url}]
            )  # fmt: skip
        self.page: Page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.corpus = corpus

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, url: str) -> Visit:
        self.page.goto(url)
        return self

    def shows(self, marks: list[str]) -> None:
        """Wait until the page shows every mark's text literally, then check
        that nothing ran and nothing became markup."""
        wanted = {mark: self.corpus.text[mark] for mark in marks}
        deadline = time.monotonic() + DRAWN_TIMEOUT
        missing = list(wanted)
        while missing and time.monotonic() < deadline:
            text = self.page.evaluate("window.__text()")
            missing = [mark for mark, value in wanted.items() if value not in text]
            if missing:
                self.page.wait_for_timeout(100)
        assert not missing, f"{self.page.url} does not show literally: " + ", ".join(
            f"{m}={wanted[m]!r}" for m in missing
        )
        self.clean()

    def clean(self) -> None:
        ran = self.page.evaluate("window.__xss")
        injected = self.page.evaluate("window.__injected()")
        hostile_errors = [e for e in self.errors if "xss" in e]
        assert (ran, self.dialogs, injected, hostile_errors) == ([], [], [], []), (
            f"{self.page.url}: ran {ran}, dialogs {self.dialogs}, markup {injected}, "
            f"errors {hostile_errors}"
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(chromium: Browser, corpus: Corpus) -> Iterator[Callable[[str | None], Visit]]:
    opened: list[Visit] = []

    def make(role: str | None) -> Visit:
        opened.append(Visit(chromium, corpus, role))
        return opened[-1]

    yield make
    for v in opened:
        v.close()


# -- the pages ------------------------------------------------------------------------


def test_public_dialogue_page(corpus: Corpus, visit: Callable[[str | None], Visit]) -> None:
    """/d/{slug}: questions, names, organisations, answers and the dialogue's settings."""
    page = visit(None).open(f"{corpus.server.url}/d/{SLUG}")
    page.shows([*corpus.marks("t", "n", "o", "a"), "d-title", "d-desc"])


def test_archive(corpus: Corpus, visit: Callable[[str | None], Visit]) -> None:
    """/d/{slug}/archive, by topic and by official."""
    base = f"{corpus.server.url}/d/{SLUG}/archive"
    visit(None).open(base).shows([*corpus.marks("t", "n", "o", "a"), "d-title", "d-topic"])
    visit(None).open(f"{base}?by=official").shows([*corpus.marks("a"), "d-off"])


def test_tracking_pages(corpus: Corpus, visit: Callable[[str | None], Visit]) -> None:
    """/t/{code} of an answered and of a deferred question of every payload."""
    page = visit(None)
    for n in range(N):
        for qid, marks in ((corpus.answered[n], [f"t{n}", f"a{n}"]),
                           (corpus.deferred[n], [f"t{n}"])):  # fmt: skip
            page.open(f"{corpus.server.url}/t/{corpus.codes[qid]}").shows([*marks, "d-title"])


def test_moderation_console(corpus: Corpus, visit: Callable[[str | None], Visit]) -> None:
    """/console/{slug}: the pending questions of every payload, their askers and notes."""
    page = visit("moderator").open(f"{corpus.server.url}/console/{SLUG}")
    page.shows([*corpus.marks("t", "n"), "d-title"])


def test_producer_console(corpus: Corpus, visit: Callable[[str | None], Visit]) -> None:
    """/console/{slug}/producer: the on-air queue."""
    page = visit("producer").open(f"{corpus.server.url}/console/{SLUG}/producer")
    page.shows([*corpus.marks("t", "n", "o"), "d-title"])


def test_official_console(corpus: Corpus, visit: Callable[[str | None], Visit]) -> None:
    """/console/{slug}/official: the questions routed to the official, and its answers."""
    page = visit("official").open(f"{corpus.server.url}/console/{SLUG}/official")
    page.shows([*corpus.marks("t", "n", "o"), "d-title", "d-off"])


def test_audit_page(corpus: Corpus, visit: Callable[[str | None], Visit]) -> None:
    """/console/{slug}/audit: the trail of every action, notes included."""
    page = visit("moderator").open(f"{corpus.server.url}/console/{SLUG}/audit")
    page.shows(["d-title"])


def test_admin_pages(corpus: Corpus, visit: Callable[[str | None], Visit]) -> None:
    """/admin, /admin/{slug} (the settings form) and /admin/users."""
    page = visit("admin")
    page.open(f"{corpus.server.url}/admin").shows(["d-title"])
    page.open(f"{corpus.server.url}/admin/{SLUG}").shows(list(DIALOGUE_MARKS))
    page.open(f"{corpus.server.url}/admin/users").shows(["u-name"])


def test_widget_on_its_demo_host(
    corpus: Corpus, portal: HostServer, visit: Callable[[str | None], Visit]
) -> None:
    """The widget on the demo portal, served from another origin than the API."""
    page = visit(None).open(f"{portal.origin}/?api={corpus.server.url}&dialogue={SLUG}")
    page.shows([*corpus.marks("t", "n", "o", "a"), "d-title"])


def test_overlay_screen_on_air(corpus: Corpus, visit: Callable[[str | None], Visit]) -> None:
    """The overlay shows each payload's question as it goes on air, as text."""
    producer = corpus.staff["producer"]
    page = visit(None).open(f"{corpus.server.url}/d/{SLUG}/screen?token={corpus.screen_token}")
    for n in range(N):
        producer.act(SLUG, corpus.queued[n], "on_air")
        page.shows([f"t{n}", f"n{n}", f"o{n}"])
        producer.act(SLUG, corpus.queued[n], "back")


def test_presenter_view_on_air(corpus: Corpus, visit: Callable[[str | None], Visit]) -> None:
    """The presenter view on a screen on set (the overlay's token) shows each
    payload's question, asker, topic and official as it goes on air, as text."""
    producer = corpus.staff["producer"]
    url = f"{corpus.server.url}/console/{SLUG}/presenter?token={corpus.screen_token}"
    page = visit(None).open(url)
    for n in range(N):
        producer.act(SLUG, corpus.queued[n], "on_air")
        page.shows([f"t{n}", f"n{n}", "d-title", "d-topic", "d-off", "d-offt"])
        producer.act(SLUG, corpus.queued[n], "back")


#: Payloads that make no markup when HTML is parsed once: a template engine
#: that evaluates ``{{7*7}}``, a link built from ``javascript:``, fullwidth
#: brackets folded to ASCII, or HTML parsed a second time (the mutation XSS
#: of payload 14) is what would turn them bad; the literal check covers that.
PLAIN_TEXT = {3, 6, 11, 14}


def test_the_probes_catch_a_page_that_does_not_escape(chromium: Browser) -> None:
    """Control: each payload put into a page unescaped, as element content or
    as a quoted attribute, is caught by the probes the page tests rely on."""
    context = chromium.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        page.set_content("<main id='sink'></main>")
        page.add_script_tag(content=PROBES)
        page.evaluate("document.querySelector('script').remove()")  # it holds "xss(" itself
        missed = []
        for n in range(N):
            raw = shown(payload(n, f"c{n}"), multiline=True)
            page.evaluate(
                """(raw) => {
                    const sink = document.getElementById("sink");
                    sink.innerHTML = raw + `<p title="${raw}" data-x='${raw}'></p>`;
                }""",
                raw,
            )
            # (Whether it also runs depends on events that fire later; markup is enough.)
            caught = bool(page.evaluate("window.__injected()"))
            if caught == (n in PLAIN_TEXT):
                missed.append(f"{n}: {raw!r} caught={caught}")
        assert not missed, "\n".join(missed)
    finally:
        context.close()
