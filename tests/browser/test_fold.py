"""The browser's folding (moderator_ui/static/lib/fold.js) gives the keys the
server's gives (server/domain/folding.py), run in Chromium on one corpus: the
folding tests' cases, every syllable of the table typed with and without its
marks, in Telex and in VNI, and random text of Vietnamese letters, decomposed
marks, đ/Đ, full-width forms, digits, punctuation, emoji and letters of
other alphabets.

The module is served from the repository at an origin of the test's own
(Playwright answers its requests), so no app server is needed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import Browser, Page

from server.domain import folding
from tests.domain.test_folding import FOLD_CASES, SAME_KEY

from .static_origin import static_page

pytestmark = pytest.mark.browser

FOLD_ALL = """async (texts) => {
  const { fold } = await import("/static/lib/fold.js");
  return texts.map(fold);
}"""
#: Marks Vietnamese puts on a vowel, one by one (tones, then hat, horn, breve).
MARKS = ["\u0301", "\u0300", "\u0309", "\u0303", "\u0323", "\u0302", "\u031b", "\u0306"]
RANDOM = st.text(
    alphabet=st.sampled_from(
        [
            *"aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯwzjf0123456789 _.,?!-/\t\n",
            *"áàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ",
            *"ÁẤẮÉẾÍÓỐỚÚỨÝỲỸĐđ",
            *MARKS,
            *("😀", "🙏", "\uff44", "\uff2d", "\uff11", "ﬁ", "…", "“", "”", "«", "№", "²"),
            # Letters outside ASCII that have no marks to lose (fold.js's fast paths end here).
            *("ß", "ø", "Æ", "ω", "Ж", "\u0131", "İ", "\u0483", "\u1dc0"),
        ]
    ),
    max_size=40,
)


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    with static_page(chromium) as opened:
        yield opened


def browser_keys(page: Page, texts: list[str]) -> list[str]:
    keys: list[str] = page.evaluate(FOLD_ALL, texts)
    return keys


def assert_same_keys(page: Page, texts: list[str]) -> None:
    expected = [folding.fold(text) for text in texts]
    differ = [
        (text, want, got)
        for text, want, got in zip(texts, expected, browser_keys(page, texts), strict=True)
        if want != got
    ]
    assert not differ, differ[:20]


def syllable_forms() -> list[str]:
    """Every onset and rhyme of the table joined, as typed plainly, with a
    mark, in upper case, with a Telex tone key and in VNI; and the tokens
    that must stay (loanwords, numbers, Telex-looking words)."""
    forms = []
    for onset in ["", *folding._ONSETS]:
        for rhyme in folding._RHYMES:
            plain = onset + rhyme
            marked = plain + MARKS[len(plain) % len(MARKS)]
            forms += [plain, marked, plain.upper(), plain + "s", plain + "j", plain + "2"]
    return forms


def test_the_folding_cases_fold_alike(page: Page) -> None:
    """The server's folding test cases give the same keys in the browser,
    "chu ky so" among them as the search types it."""
    texts = [text for _, text, _ in FOLD_CASES]
    texts += [form for forms in SAME_KEY for form in forms]
    texts += ["Chữ ký số", "chu ky so", "CHỮ KÝ SỐ", "Chu\u031b\u0303 ky\u0301 so\u0302\u0301"]
    texts += ["Đ", "đ", "ĐĐ", "ddđ", "d\u0335", "Ð ð", "", " ", "  \t\n"]
    assert_same_keys(page, texts)
    assert browser_keys(page, ["Chữ ký số"]) == ["chu ky so"]


def test_every_syllable_and_its_typings_fold_alike(page: Page) -> None:
    """Every syllable of the table, plain, marked, upper case, with a Telex
    tone key and a VNI digit, folds the same way in both."""
    assert_same_keys(page, syllable_forms())


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(RANDOM, min_size=50, max_size=50))
def test_random_text_folds_alike(page: Page, texts: list[str]) -> None:
    """Random text of Vietnamese letters, decomposed marks, đ/Đ, full-width
    forms, punctuation and emoji folds the same way in both."""
    assert_same_keys(page, texts)
