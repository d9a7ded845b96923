"""The widget and a dialogue's proof of work, in Chromium on a portal of
another origin: the citizen just sends; the widget fetches a challenge,
solves it with WebCrypto while saying so (or with its own SHA-256 on a page
without WebCrypto: a portal on plain http), and solves a fresh one when the
server refuses a proof."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Route, expect

from server.actions import Services
from server.domain import proof
from tests.helpers import ServerProcess
from tests.support.store import with_actions

from .conftest import Site, app_env

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

#: Difficulty of these tests' app: a few thousand hashes, as real as 16 bits
#: in what the widget does, without making a loaded test machine wait.
BITS = 12
TEXT = "Xin hỏi thành phố có hỗ trợ doanh nghiệp nhỏ chuyển đổi số trong năm tới không?"
#: Chromium solves 2^12 hashes in well under a second; the margin is for a
#: loaded machine.
SOLVE_TIMEOUT = 30_000


@pytest.fixture(scope="module")
def app(redis_server: str) -> Iterator[ServerProcess]:
    """This module's app: as conftest's, with a ``BITS``-bit proof of work."""
    env = {**app_env(redis_server), "DOITHOAI_PROOF_DIFFICULTY": str(BITS)}
    with ServerProcess(env=env) as process:
        yield process


def switch_on(site: Site) -> None:
    """The admin's switch, through the app's Services."""

    async def work(actions: Services) -> None:
        dialogue = await actions.dialogues.get(site.slug)
        await actions.dialogues.update(dialogue, {"proof_of_work": True})

    with_actions(site.redis_url, work)


#: What a page outside a secure context (a portal on plain http) lacks.
NO_WEBCRYPTO = "Object.defineProperty(Crypto.prototype, 'subtle', { get: () => undefined });"


def open_and_fill(chromium: Browser, site: Site, *, webcrypto: bool = True) -> Any:
    page = chromium.new_context(locale="vi-VN").new_page()
    if not webcrypto:
        page.add_init_script(NO_WEBCRYPTO)
    page.goto(site.page_url())
    widget = page.locator("doithoai-widget")
    expect(widget.locator(".conn")).to_have_attribute("data-state", "live")
    widget.get_by_label("Họ và tên").fill("Trần Văn Bình")
    widget.get_by_label("Câu hỏi", exact=True).fill(TEXT)
    return page, widget


def solves(answer: dict[str, str]) -> bool:
    digest = proof.work(answer["challenge"], answer["nonce"])
    return proof.leading_zero_bits(digest) >= BITS


def test_the_widget_solves_the_proof_of_work_transparently(chromium: Browser, site: Site) -> None:
    """With the dialogue's proof of work on, pressing "Gửi câu hỏi" shows
    "Đang xác minh…" while the widget gets and solves a challenge, then the
    question is accepted: its body carries a proof that solves the challenge
    and the device id the widget votes with, and one question is stored."""
    switch_on(site)
    page, widget = open_and_fill(chromium, site)
    held: list[Route] = []
    page.route(f"{site.api}/challenge?*", lambda route: held.append(route))
    posts: list[dict[str, Any]] = []
    page.on(
        "request",
        lambda r: posts.append(json.loads(r.post_data or "{}")) if r.method == "POST" else None,
    )
    widget.get_by_role("button", name="Gửi câu hỏi").click()
    expect(widget.get_by_role("button", name="Đang xác minh…")).to_be_visible()
    assert posts == []
    assert len(held) == 1
    held[0].continue_()
    code = widget.locator(".code")
    expect(code).to_have_text(re.compile(r"^\S{16}$"), timeout=SOLVE_TIMEOUT)
    assert len(posts) == 1
    assert solves(posts[0]["proof"])
    voter = page.evaluate("JSON.parse(localStorage.getItem('doithoai.voter'))")
    assert posts[0]["device"] == voter
    assert [q.tracking_code for q in site.stored()] == [code.text_content()]
    page.context.close()


def test_a_refused_proof_is_solved_again_with_a_fresh_challenge(
    chromium: Browser, site: Site
) -> None:
    """When the server refuses a proof (proof_required: it expired, or a first
    try whose answer was lost spent it), the widget fetches a new challenge,
    solves it and sends again with the same submission id, without the
    citizen doing anything; the question is stored once."""
    switch_on(site)
    page, widget = open_and_fill(chromium, site)
    challenges: list[str] = []
    page.on("request", lambda r: challenges.append(r.url) if "/challenge" in r.url else None)
    error = {"code": "proof_required", "message": "Hết hạn.", "field": "proof"}
    sent = site.refuse_first_question(page, 403, error)
    widget.get_by_role("button", name="Gửi câu hỏi").click()
    code = widget.locator(".code")
    expect(code).to_have_text(re.compile(r"^\S{16}$"), timeout=SOLVE_TIMEOUT)
    posts = [json.loads(body) for body in sent]
    assert len(posts) == 2
    assert len(challenges) == 2
    assert solves(posts[0]["proof"]) and solves(posts[1]["proof"])
    assert posts[0]["proof"]["challenge"] != posts[1]["proof"]["challenge"]
    assert posts[0]["submission_id"] == posts[1]["submission_id"]
    assert [q.tracking_code for q in site.stored()] == [code.text_content()]
    page.context.close()


def test_without_webcrypto_the_widget_hashes_by_itself(chromium: Browser, site: Site) -> None:
    """On a page without WebCrypto (secure contexts only: a portal on plain
    http) the widget's own SHA-256 matches Python's on inputs of one, two
    and three blocks, and the citizen's question still goes through."""
    switch_on(site)
    page, widget = open_and_fill(chromium, site, webcrypto=False)
    assert page.evaluate("globalThis.crypto.subtle") is None
    inputs = ["", "abc", "a" * 55, "a" * 56, "b" * 64, "ChuyểnĐổiSố:" * 13, "x" * 200]
    hashed = page.evaluate(
        """async ([url, inputs]) => {
            const { sha256 } = await import(url);
            const hex = (b) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
            return inputs.map((text) => hex(sha256(new TextEncoder().encode(text))));
        }""",
        [f"{site.app.url}/widget.js", inputs],
    )
    assert hashed == [hashlib.sha256(text.encode()).hexdigest() for text in inputs]

    posts: list[dict[str, Any]] = []
    page.on(
        "request",
        lambda r: posts.append(json.loads(r.post_data or "{}")) if r.method == "POST" else None,
    )
    widget.get_by_role("button", name="Gửi câu hỏi").click()
    code = widget.locator(".code")
    expect(code).to_have_text(re.compile(r"^\S{16}$"), timeout=SOLVE_TIMEOUT)
    assert len(posts) == 1 and solves(posts[0]["proof"])
    assert code.text_content() in [q.tracking_code for q in site.stored()]
    page.context.close()
