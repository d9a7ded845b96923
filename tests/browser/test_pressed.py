"""A page's hold on what a pointer (or Space, on a button) is pressed on
(moderator_ui/static/pressed.js): a node holding the pressed one is held
until the pointer is let go (or its press is cancelled, or the window loses
the pointer, or it moves with no button down); then what the page asked for
runs, once. Run in Chromium at the test's own origin (no app server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.support.browser import pressed_on

from .static_origin import static_page

pytestmark = pytest.mark.browser

#: A card with a button, a card beside it, and window.ask(): asks held() of
#: both cards, twice each (the runs of `later` counted in window.runs).
SETUP = """async () => {
  const { held } = await import("/static/pressed.js");
  document.body.innerHTML =
    '<div id="card"><button type="button">Lưu</button></div><div id="other">Khác</div>';
  window.runs = 0;
  const later = () => (window.runs += 1);
  const ask = (id) => held(document.getElementById(id), later);
  window.ask = () => ["card", "other", "card"].map(ask);
}"""
END_PRESS = {
    "blur": "window.dispatchEvent(new FocusEvent('blur'))",
    "pointercancel": "window.dispatchEvent(new PointerEvent('pointercancel'))",
    "pointermove": "window.dispatchEvent(new PointerEvent('pointermove', {buttons: 0}))",
}


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    with static_page(chromium) as opened:
        opened.evaluate(SETUP)
        yield opened


def test_a_node_is_held_while_a_pointer_is_pressed_in_it(page: Page) -> None:
    """Nothing is held before the press; while it lasts, only the card it is
    in; once let go, nothing, and what was asked for ran once."""
    assert page.evaluate("ask()") == [False, False, False]
    with pressed_on(page, page.get_by_role("button", name="Lưu")):
        assert page.evaluate("ask()") == [True, False, True]
        assert page.evaluate("runs") == 0
    assert page.evaluate("runs") == 1
    assert page.evaluate("ask()") == [False, False, False]


@pytest.mark.parametrize("end", sorted(END_PRESS))
def test_a_press_that_ends_without_a_release_lets_go(page: Page, end: str) -> None:
    """A cancelled press, the window's blur, or the pointer moving with no
    button down (a release the page did not hear) lets go as a release does."""
    with pressed_on(page, page.get_by_role("button", name="Lưu")):
        assert page.evaluate("ask()") == [True, False, True]
        page.evaluate(END_PRESS[end])
        assert page.evaluate("runs") == 1
        assert page.evaluate("ask()") == [False, False, False]


def test_a_button_held_down_by_space_is_held_until_the_key_is_let_go(page: Page) -> None:
    """Space clicks a button when the key comes up, on the button it went
    down on: a keyboard user's press is held as a pointer's is."""
    page.get_by_role("button", name="Lưu").focus()
    page.keyboard.down(" ")
    assert page.evaluate("ask()") == [True, False, True]
    assert page.evaluate("runs") == 0
    page.keyboard.up(" ")
    assert page.evaluate("runs") == 1
    assert page.evaluate("ask()") == [False, False, False]
