"""The moderation console on a big queue: N pending questions (varied texts,
so duplicate suggestions appear), opened in headless Chromium. Measures the
snapshot's size, the time from navigation until the queue is drawn, the time
a j press takes to move the selection, the time from pressing a until the
approved question has left the pending list, and a search's and "select all
that match"'s time until the list shows their result.

Run with ``python -m bench.console [N]`` (10,000 by default: issue 16 asks
the console to draw them in under 2 s and move the selection in under 50 ms)
or through ``python -m bench``.
Needs /usr/bin/chromium (``make chromium``).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Page, async_playwright

from tests.conftest import CHROMIUM, CHROMIUM_ARGS

from .common import PASSWORD, private_redis, seeded, server
from .duplicates import synthetic_questions

PRESSES = 20


async def run(n_questions: int) -> None:
    with private_redis() as url:
        async with seeded(url) as (actions, dialogue, store):
            for n, text in enumerate(synthetic_questions(n_questions)):
                await actions.submissions.submit(dialogue, {"text": text, "name": f"Người hỏi {n}"})
            intake = store.intake_worker(
                store.dialogues.ids, actions.intake.materialise, "b", 30, 500
            )
            while (await store.questions.counts(dialogue.id))["pending"] < n_questions:
                await intake.run_once()
            with server(url) as srv:
                assert srv.process is not None
                await _measure(srv.url, dialogue.slug, n_questions, srv.process.pid)


async def _measure(base: str, slug: str, n_questions: int, server_pid: int) -> None:
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        context = await browser.new_context(locale="vi-VN")
        response = await context.request.post(
            f"{base}/api/v1/session", data={"username": "moderator", "password": PASSWORD}
        )
        assert response.ok, await response.text()
        # The snapshot's size and arrival, seen by the page itself: a driver's
        # frame listener has Chromium relay every frame's 12 MiB to it, which
        # slows the page it measures.
        await context.add_init_script(_SNAPSHOT_SEEN)
        page = await context.new_page()
        first = await _open(page, base, slug, n_questions, server_pid)
        cards = await page.locator("#pending-list > li").count()
        in_page: list[list[float]] = await page.evaluate(_IN_PAGE_MOVES, PRESSES)
        moves = []
        for _ in range(PRESSES):
            before = await page.evaluate("document.querySelector('.q.is-current')?.dataset.id")
            t0 = time.perf_counter()
            await page.keyboard.press("j")
            await page.wait_for_function(
                "b => document.querySelector('.q.is-current')?.dataset.id !== b", arg=before
            )
            moves.append(time.perf_counter() - t0)
        current = await page.evaluate("document.querySelector('.q.is-current').dataset.id")
        t0 = time.perf_counter()
        await page.keyboard.press("a")
        await page.wait_for_function(
            "id => !document.querySelector(`#pending-list #q-${id}`)", arg=current
        )
        approve = time.perf_counter() - t0
        searches = await _search(page)
        # Opened again (a reload, a second moderator): the node keeps the
        # views of the questions that did not change since (all but one).
        again = await context.new_page()
        second = await _open(again, base, slug, n_questions - 1, server_pid)
        await browser.close()
    print(f"console: {n_questions} pending questions")
    print(f"  snapshot {first.size / 1024:.0f} Ki characters; {cards} cards in the pending list")
    for name, opened in (("navigation to queue drawn", first), ("opened again", second)):
        print(
            f"  {name}: {opened.drawn * 1000:.0f} ms (snapshot received at "
            f"{opened.received * 1000:.0f} ms, drawn by the page's clock at "
            f"{opened.counted * 1000:.0f} ms); meanwhile the page's main-thread tasks "
            f"{opened.page_busy * 1000:.0f} ms (scripts {opened.page_scripts * 1000:.0f} ms), "
            f"the server's CPU {opened.server_cpu * 1000:.0f} ms"
        )
    print(
        f"  j (move selection): median {statistics.median(moves) * 1000:.0f} ms, "
        f"max {max(moves) * 1000:.0f} ms over {PRESSES} presses"
    )
    handled = [pair[0] for pair in in_page]
    framed = [pair[1] for pair in in_page]
    print(
        f"  j/k in the page, {len(in_page)} presses: handler median "
        f"{statistics.median(handled):.1f} ms, max {max(handled):.1f} ms; until the frame "
        f"after: median {statistics.median(framed):.0f} ms, max {max(framed):.0f} ms"
    )
    print(f"  a (approve) until the card leaves the pending list: {approve * 1000:.0f} ms")
    searched, narrower, select_all, found = searches
    print(
        f"  search typed until the list shows what it finds: {searched * 1000:.0f} ms the first "
        f"time (the keys not made while idle made now), {narrower * 1000:.0f} ms the next "
        f"({found} found)"
    )
    print(f"  select all that match until the selection shows: {select_all * 1000:.0f} ms")


# Kept by the page: when the largest message (the snapshot) arrived, from
# the navigation's start, and its length; and when the pending list's count
# first said something other than 0 (the draw that followed the snapshot:
# the page's own clock, without the driver's polling).
_SNAPSHOT_SEEN = """
window.__snapshot = { at: 0, size: 0 };
window.__counted = 0;
document.addEventListener("DOMContentLoaded", () => {
  const node = document.querySelector('[data-shown="pending"]');
  if (!node) return;
  new MutationObserver(() => {
    if (!window.__counted && node.textContent !== "0") window.__counted = performance.now();
  }).observe(node, { childList: true, characterData: true, subtree: true });
});
const Plain = window.WebSocket;
window.WebSocket = class extends Plain {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (e) => {
      const size = typeof e.data === "string" ? e.data.length : 0;
      if (size > window.__snapshot.size) window.__snapshot = { at: performance.now(), size };
    });
  }
};
"""


@dataclass(frozen=True)
class Opened:
    """The console opened once: seconds until its queue is drawn (by the
    driver), when the snapshot arrived and when the pending count was drawn
    (by the page, from the navigation's start), the snapshot's length in
    characters, and what was spent until drawn: the page's main-thread
    tasks (of which scripts; CDP's task durations, wall time, so a loaded
    machine inflates them too) and the server process's CPU seconds."""

    drawn: float
    received: float
    counted: float
    size: int
    page_busy: float
    page_scripts: float
    server_cpu: float


def _process_cpu(pid: int) -> float:
    """CPU seconds (user and system) process ``pid`` has used (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _open(page: Page, base: str, slug: str, pending: int, server_pid: int) -> Opened:
    """Open the console on ``pending`` pending questions (``Opened``)."""
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Performance.enable")
    server_before = _process_cpu(server_pid)
    started = time.perf_counter()
    await page.goto(f"{base}/console/{slug}")
    # The list is windowed: drawn when its count says all of them and its first rows are in.
    await page.wait_for_function(
        """n => document.querySelector('[data-shown="pending"]').textContent === String(n)
            && document.querySelector('#pending-list > li') !== null""",
        arg=pending,
        timeout=300_000,
    )
    drawn = time.perf_counter() - started
    server_cpu = _process_cpu(server_pid) - server_before
    metrics = {m["name"]: m["value"] for m in (await cdp.send("Performance.getMetrics"))["metrics"]}
    seen = await page.evaluate("window.__snapshot")
    counted = await page.evaluate("window.__counted")
    return Opened(
        drawn,
        seen["at"] / 1000,
        counted / 1000,
        int(seen["size"]),
        metrics["TaskDuration"],
        metrics["ScriptDuration"],
        server_cpu,
    )


# j pressed in the page itself, without the round trips of the driver:
# PRESSES presses, then k back as many; each timed until its handler has
# returned (the selection moved, drawn, focused and scrolled to) and until
# the frame after the one that showed it (the window's redraw after the
# scroll included; two frames' wait, 17-33 ms, are in it by construction).
_IN_PAGE_MOVES = """async (presses) => {
    const times = [];
    const frame = () =>
        new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    for (const key of ["j", "k"]) {
        for (let n = 0; n < presses; n += 1) {
            const t0 = performance.now();
            const press = new KeyboardEvent("keydown", {key, bubbles: true});
            document.activeElement.dispatchEvent(press);
            const handled = performance.now() - t0;
            await frame();
            times.push([handled, performance.now() - t0]);
        }
    }
    return times;
}"""


async def _search(page: Page) -> tuple[float, float, float, int]:
    """Two searches (the longest word of a question, then its three longest
    in another order), each timed from the text typed until the frame after
    the one that drew the result (so up to a frame, ~16 ms, too long), and
    "select all that match" until the selection's count shows."""
    text = await page.locator("#pending-list .q-text").first.text_content() or ""
    words = sorted(text.split(), key=len, reverse=True)[:3]
    shown = page.locator('[data-shown="pending"]')
    timings = []
    for query in (words[0], " ".join(words[::-1])):
        t0 = time.perf_counter()
        await page.locator("#filter-search").fill(query)
        await page.evaluate(
            "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
        )
        timings.append(time.perf_counter() - t0)
    found = int(await shown.inner_text())
    t0 = time.perf_counter()
    await page.locator("#select-matching").click()
    await page.wait_for_function("() => !document.getElementById('bulk').hidden")
    return timings[0], timings[1], time.perf_counter() - t0, found


if __name__ == "__main__":
    asyncio.run(run(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
