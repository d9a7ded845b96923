"""What counts as typing on a staff page (moderator_ui/static/typing.js): a
page older than the node reloads by itself unless the person at it is typing,
so a focused checkbox, radio button or button must not hold the reload back,
while a text field, a search box, a textarea or an editable element with
text in it must. Run in Chromium at the test's own origin (no app server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from .static_origin import static_page

pytestmark = pytest.mark.browser

#: Makes `markup`, focuses its first element, fills it with `value` when
#: given, and asks typingIn about the focused element.
TYPING = """async ([markup, value]) => {
  const { typingIn } = await import("/static/typing.js");
  document.body.innerHTML = markup;
  const field = document.body.firstElementChild;
  if (value !== null) {
    if (field.isContentEditable) field.textContent = value;
    else field.value = value;
  }
  field.focus();
  return [document.activeElement === field, typingIn(document.activeElement)];
}"""


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    with static_page(chromium) as opened:
        yield opened


#: (markup, value typed or None, whether that is typing)
CASES = [
    ('<button type="button">Lưu</button>', None, False),
    ('<div contenteditable="true"></div>', "", False),
    ('<div contenteditable="true"></div>', "Đang gõ", True),
    ('<input type="checkbox" checked value="on">', None, False),
    ('<input type="email">', "ba@example.vn", True),
    ('<input type="radio" checked value="x">', None, False),
    ('<input type="search">', "", False),
    ('<input type="search">', "camera a luoi", True),
    ('<input type="submit" value="Gửi">', None, False),
    ('<input type="text">', "", False),
    ('<input type="text">', "Lý do từ chối", True),
    ("<input>", "không có type", True),
    ("<select><option>a</option></select>", None, False),
    ("<textarea></textarea>", "", False),
    ("<textarea></textarea>", "Câu trả lời", True),
]


def test_only_typed_text_in_the_focused_field_counts_as_typing(page: Page) -> None:
    wrong = []
    for markup, value, typing in CASES:
        focused, answer = page.evaluate(TYPING, [markup, value])
        if not focused or answer is not typing:
            wrong.append((markup, value, focused, answer))
    assert wrong == []
