"""Vietnamese text keys (server/domain/folding.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.folding import (
    STOP_SYLLABLES,
    bigrams,
    fold,
    fold_token,
    is_syllable,
    shingles,
    strip_marks,
    syllables,
)

FOLD_CASES = [
    # marks, đ and case
    ("marks go", "Chuyển đổi số ở Huế", "chuyen doi so o hue"),
    ("đ and Đ become d", "Đường Đống Đa đi đâu", "duong dong da di dau"),
    ("upper case with marks", "ĐẤT ĐAI, SỔ ĐỎ", "dat dai so do"),
    ("mixed case", "Cổng DỊCH vụ Công", "cong dich vu cong"),
    ("text without marks is unchanged", "lam the nao de nop ho so", "lam the nao de nop ho so"),
    ("decomposed marks", "Hue\u0302\u0301 Vie\u0323\u0302t", "hue viet"),
    ("full-width letters (NFKC)", "\uff48\uff55\uff45 \uff44\uff4d", "hue dm"),
    # punctuation, symbols, emoji, spaces
    ("punctuation becomes space", "Sổ đỏ?!...(cấp lại)", "so do cap lai"),
    ("hyphen and slash split", "Hue-S, 3/2024, 2024-2025", "hue s 3 2024 2024 2025"),
    ("emoji go", "Cảm ơn lãnh đạo 🙏😀👍", "cam on lanh dao"),
    ("whitespace collapses", "  xin\t\n hỏi   ạ ", "xin hoi a"),
    ("underscore is a separator", "so_do", "so do"),
    ("only symbols", "?!… 😀", ""),
    # Telex typed with the input method off
    ("Telex tone at the end", "chuyeenr", "chuyen"),
    ("Telex dd and uow", "dduowngf", "duong"),
    ("Telex ee and j", "vieetj", "viet"),
    ("Telex sentence", "cho tooi hoir veef thur tucj", "cho toi hoi ve thu tuc"),
    ("Telex horn at the end of the word", "mucws ddooj 2", "muc do 2"),
    ("Telex lone w is ư", "nwowcs", "nuoc"),
    ("Telex uow", "nguwowif dduwowcj huwowngr", "nguoi duoc huong"),
    ("Telex aw", "nawm hawngf", "nam hang"),
    ("Telex tone key inside", "tosan", "toan"),
    ("Telex in upper case", "DDaoj VIEETJ", "dao viet"),
    ("Telex coong is công", "coong an", "cong an"),
    # VNI
    ("VNI digits", "chuye6n3", "chuyen"),
    ("VNI đ", "d9a6t1 d9ai", "dat dai"),
    ("VNI sentence", "D9ie6u2 kie65n ta1ch thu73a", "dieu kien tach thua"),
    # what must not change
    ("numbers stay", "lớp 10 năm 2025, 0912345678", "lop 10 nam 2025 0912345678"),
    ("loanwords stay", "wifi online festival homestay", "wifi online festival homestay"),
    ("bus stays bus", "xe bus", "xe bus"),
    ("letters and digits that are not VNI stay", "covid19 F0 h5n1 14t", "covid19 f0 h5n1 14t"),
    ("English words stay", "free app VNeID Zalo", "free app vneid zalo"),
    ("other scripts stay", "Ωmega 東京", "ωmega 東京"),
]


@pytest.mark.parametrize(("label", "text", "key"), FOLD_CASES, ids=[c[0] for c in FOLD_CASES])
def test_fold(label: str, text: str, key: str) -> None:
    """Each input folds to its key."""
    assert fold(text) == key


SAME_KEY = [
    ("Chuyển đổi số", "chuyen doi so", "chuyeenr ddooir soos", "chuye6n3 d9o6i3 so61"),
    ("Đường Hùng Vương", "duong hung vuong", "dduowngf Hungf Vuwowng", "d9u7o7ng2 Hu2ng Vu7o7ng"),
    ("Được hưởng", "DUOC HUONG", "dduwowcj huwowngr", "d9u7o7c5 hu7o7ng3"),
]


@pytest.mark.parametrize("forms", SAME_KEY, ids=[f[0] for f in SAME_KEY])
def test_ways_of_typing_share_a_key(forms: tuple[str, ...]) -> None:
    """Marks, no marks, Telex and VNI typing of one phrase give one key."""
    assert len({fold(form) for form in forms}) == 1


SYLLABLES = ["a", "an", "nghieng", "gi", "gin", "quy", "quyen", "khuyu", "thuong", "y"]
NOT_SYLLABLES = ["", "ngh", "ngh3", "hues", "tooi", "coong", "xyz", "wifi", "online", "dd", "bcd"]


@pytest.mark.parametrize("token", SYLLABLES)
def test_is_syllable(token: str) -> None:
    """Possible Vietnamese syllables (without marks) are recognised."""
    assert is_syllable(token)


@pytest.mark.parametrize("token", NOT_SYLLABLES)
def test_is_not_syllable(token: str) -> None:
    """Tokens that no Vietnamese syllable spells are refused."""
    assert not is_syllable(token)


def test_fold_token_keeps_a_leading_dd_fold() -> None:
    """A leading "dd" is always "d", even when the rest is not a syllable."""
    assert fold_token("ddc") == "dc"


def test_strip_marks_only_strips() -> None:
    """strip_marks lowercases and removes marks, keeping punctuation."""
    assert strip_marks("Đà Nẵng, HUẾ!") == "da nang, hue!"


def test_syllables_bigrams_shingles() -> None:
    """Syllables are the folded tokens; bigrams pair neighbours; shingles drop stop syllables."""
    text = "Cho tôi hỏi sổ đỏ ở đâu?"
    assert syllables(text) == ["cho", "toi", "hoi", "so", "do", "o", "dau"]
    assert bigrams(text) == ["cho toi", "toi hoi", "hoi so", "so do", "do o", "o dau"]
    assert shingles(text) == {"so", "do", "dau", "hoi so", "so do", "do o", "o dau"}


def test_short_question_keeps_its_content() -> None:
    """A short question keeps enough shingles to be compared."""
    assert shingles("Hue-S là gì?") == {"hue", "s", "gi", "hue s", "s la", "la gi"}
    assert shingles("Khi nào có điện?") >= {"khi", "nao", "dien", "khi nao"}


def test_stop_syllables_are_folded() -> None:
    """Stop syllables are written as fold() writes them."""
    assert all(fold(s) == s for s in STOP_SYLLABLES)


_TEXT = st.text(
    alphabet=st.sampled_from(
        [
            *"aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ0123456789 .,?!-/",
            *("á", "ả", "ạ", "ề", "ữ", "ợ", "ỷ", "\u0301", "😀", "\uff44", "w", "z", "j", "f"),
        ]
    ),
    max_size=60,
)


@given(_TEXT)
def test_fold_is_idempotent(text: str) -> None:
    """Folding a key again changes nothing."""
    key = fold(text)
    assert fold(key) == key


@given(_TEXT)
def test_key_is_lowercase_ascii_words(text: str) -> None:
    """A key from Vietnamese input is ASCII, lower case, single-spaced, trimmed."""
    key = fold(text)
    assert key.isascii()
    assert key == key.lower()
    assert key == " ".join(key.split())


def test_a_run_of_leading_ds_folds_to_one_d() -> None:
    """Hypothesis found "ddd" → "dd" → "d": a key that changed when folded again."""
    for text in ("ddd", "dddd", "dddi", "ddđ"):
        key = fold(text)
        assert key.startswith("d") and not key.startswith("dd")
        assert fold(key) == key
