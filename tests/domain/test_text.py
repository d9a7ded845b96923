"""Normalisation and validation of typed text (server/domain/text.py)."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain import text
from server.domain.text import (
    LIMITS,
    Submission,
    ValidationError,
    clean_email,
    clean_phone,
    clean_submission,
    clean_text,
    normalize,
    normalize_line,
)
from tests.support.wording import en, vi

TOPICS = ("dat-dai", "giao-duc")
LOCALITIES = ("Phường Thuận Hóa", "Xã Phú Vang")


def submit(payload: object, *, allow_anonymous: bool = False) -> Submission:
    return clean_submission(
        payload, topics=TOPICS, localities=LOCALITIES, allow_anonymous=allow_anonymous
    )


def valid(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"text": "Xin hỏi về thủ tục cấp sổ đỏ?", "name": "Trần Thị Bình"}
    payload.update(changes)
    return payload


# --- normalize -------------------------------------------------------------

NORMALIZE_CASES = [
    ("decomposed Huế is composed", "Hue\u0302\u0301", "Hu\u1ebf"),
    ("decomposed tone on precomposed vowel", "Vi\u1ec7t", "Vi\u1ec7t"),
    ("e, circumflex, dot below composes", "vie\u0323\u0302t", "vi\u1ec7t"),
    ("bidi override removed", "abc\u202edef", "abcdef"),
    ("bidi isolates removed", "\u2066a\u2067b\u2068c\u2069", "abc"),
    ("zero-width space removed", "xin\u200bchào", "xinchào"),
    ("zero-width joiners and BOM removed", "\ufeffa\u200cb\u200dc\u2060d", "abcd"),
    ("soft hyphen and LRM removed", "Hà\u00adNội\u200e", "HàNội"),
    ("joiner between letter and mark lets them compose", "e\u200d\u0301", "\u00e9"),
    ("emoji ZWJ sequence loses its joiner", "👨\u200d👩\u200d👧", "👨👩👧"),
    ("C0 controls removed", "a\x00b\x07c\x1bd\x7f", "abcd"),
    ("C1 controls removed", "a\x80b\x9fc", "abc"),
    ("lone surrogate removed", "a\ud800b", "ab"),
    ("Hangul fillers removed", "\u3164\u3164", ""),
    ("CRLF and CR become LF", "a\r\nb\rc", "a\nb\nc"),
    ("line and paragraph separators become LF", "a\u2028b\u2029c\x85d", "a\nb\nc\nd"),
    ("spaces and tabs collapse", "a  \t b", "a b"),
    ("NBSP, ideographic and thin spaces collapse", "a\u00a0\u3000\u2009b", "a b"),
    ("two newlines kept", "a\n\nb", "a\n\nb"),
    ("three or more newlines become two", "a\n\n\n\n\nb", "a\n\nb"),
    ("blank lines of spaces count as newlines", "a\n  \n \t\n\nb", "a\n\nb"),
    ("each line stripped", "  a  \n  b  ", "a\nb"),
    ("whole text stripped", "\n\n  a b \n\n", "a b"),
    ("nothing but invisible characters is empty", "\u200b \u202e\n\t\u00a0", ""),
    ("emoji and variation selector kept", "❤\ufe0f ok", "❤\ufe0f ok"),
]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [case[1:] for case in NORMALIZE_CASES],
    ids=[case[0] for case in NORMALIZE_CASES],
)
def test_normalize(raw: str, expected: str) -> None:
    """normalize makes NFC, removes invisible and control characters, tidies whitespace."""
    assert normalize(raw) == expected


def test_normalize_output_is_nfc() -> None:
    """The normalised form of decomposed Vietnamese is NFC and shorter."""
    decomposed = unicodedata.normalize("NFD", "Thành phố Huế")
    assert decomposed != "Thành phố Huế"
    assert normalize(decomposed) == "Thành phố Huế"
    assert unicodedata.is_normalized("NFC", normalize(decomposed))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Nguyễn\nVăn\r\nAn", "Nguyễn Văn An"),
        ("  Sở\n\n\n Tài  chính ", "Sở Tài chính"),
        ("Phường\u2028Thuận Hóa", "Phường Thuận Hóa"),
        ("\n\n", ""),
    ],
)
def test_normalize_line_flattens_newlines(raw: str, expected: str) -> None:
    """normalize_line turns every line break into a single space."""
    assert normalize_line(raw) == expected


# Characters most likely to break normalisation (vowels and Vietnamese tone
# marks around removed characters must still end up NFC), mixed into any text.
TRICKY = st.sampled_from(
    [
        *"\n\r\t \u00a0\u3000\u2028\u2029\x85\x0b\x0c\u200b\u200d\u202e\u2066\ufeff\u00ad",
        *"aeouAEOU\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323\u0340",
        *"\u2000\u3164\ud800\U000e0041",
    ]
)
# Chunks joined, so that Hypothesis draws the tricky characters often instead
# of folding them into its uniform alphabet of every code point.
ANY_TEXT = st.lists(
    st.one_of(TRICKY, st.text(st.characters(exclude_categories=()), max_size=3)), max_size=30
).map("".join)


@given(ANY_TEXT)
def test_normalize_is_idempotent_and_leaves_no_control_or_format(raw: str) -> None:
    """normalize is idempotent and its output holds no Cc (but \\n), Cf or Cs character."""
    once = normalize(raw)
    assert normalize(once) == once
    assert normalize_line(normalize_line(raw)) == normalize_line(raw)
    assert unicodedata.is_normalized("NFC", once)
    for char in once:
        assert char == "\n" or unicodedata.category(char) not in {"Cc", "Cf", "Cs"}
    assert "\n" not in normalize_line(raw)


#: Text as people type it, near the edges of ``normalize``'s shortcut: kept
#: letters and signs, single and double spaces, and what the shortcut must
#: leave to the steps (line breaks, a space at either end, NBSP, a combining
#: mark, a soft hyphen, a control, a zero-width joiner, a decomposed letter).
NEAR_PLAIN = st.lists(
    st.one_of(
        st.sampled_from(["Huế", "Thuận Hóa", "số 12", "?", "ĐƯỜNG", "Œ", "ǿ", "ỹ", " ", "  "]),
        st.sampled_from(["\n", "\r\n", "\xa0", "\u0301", "\xad", "\x07", "\u200d", "e\u0302"]),
    ),
    max_size=12,
).map("".join)


@given(st.one_of(NEAR_PLAIN, ANY_TEXT))
def test_the_shortcut_gives_what_the_steps_give(raw: str) -> None:
    """``normalize`` and ``normalize_line`` return plain NFC text as it is
    only where their steps would have made the same."""
    assert normalize(raw) == text._tidied(raw)
    assert normalize_line(raw) == " ".join(line for line in text._tidied(raw).split("\n") if line)


def test_every_character_the_shortcut_keeps_is_kept_by_the_steps() -> None:
    kept = [chr(c) for c in range(0x110000) if text._PLAIN.fullmatch(chr(c))]
    assert len(kept) == 94 + 12 + 418 + 256
    for char in kept:
        assert text._tidied(char) == char, hex(ord(char))
        assert unicodedata.combining(char) == 0, hex(ord(char))
        assert unicodedata.category(char)[0] not in "CZM", hex(ord(char))


# --- clean_text ------------------------------------------------------------


def test_length_counted_after_normalisation() -> None:
    """2001 characters of which 5 are trailing spaces fit the 2000 limit."""
    raw = "a" * 1996 + " " * 5
    assert len(raw) == 2001
    assert clean_text(raw, "text") == "a" * 1996


def test_length_counts_composed_letters() -> None:
    """A decomposed Vietnamese letter counts as one character."""
    raw = unicodedata.normalize("NFD", "ệ") * 2000
    assert len(raw) == 6000
    assert clean_text(raw, "text") == "ệ" * 2000


@pytest.mark.parametrize(
    ("value", "field", "kwargs", "code"),
    [
        (42, "text", {}, "invalid"),
        (["a"], "name", {"multiline": False}, "invalid"),
        (None, "text", {}, "required"),
        ("   \u200b\n", "text", {}, "required"),
        ("ngắn", "text", {}, "too_short"),
        ("x" * 2001, "text", {}, "too_long"),
        ("A", "name", {"multiline": False}, "too_short"),
        ("x" * 101, "name", {"multiline": False}, "too_long"),
        ("x" * 201, "organization", {"required": False}, "too_long"),
        ("x" * 10001, "answer", {}, "too_long"),
        ("x" * 2001, "note", {}, "too_long"),
        ("chín ký tự", "text", {"limit": LIMITS["edit"]}, None),
        ("quá dài", "text", {"limit": (1, 5)}, "too_long"),
    ],
)
def test_clean_text_errors(
    value: object, field: str, kwargs: dict[str, Any], code: str | None
) -> None:
    """clean_text raises the right code for its field, or passes."""
    if code is None:
        assert clean_text(value, field, **kwargs) == value
        return
    with pytest.raises(ValidationError) as caught:
        clean_text(value, field, **kwargs)
    assert (caught.value.field, caught.value.code) == (field, code)


def test_clean_text_optional_empty_is_none() -> None:
    """An empty optional field is None, not an empty string."""
    assert clean_text("  \n ", "organization", required=False) is None
    assert clean_text(None, "locality", required=False) is None


def test_clean_text_multiline_false_flattens() -> None:
    """multiline=False puts a name on one line."""
    assert clean_text("Trần\nThị  Bình", "name", multiline=False) == "Trần Thị Bình"


def test_clean_text_keeps_newlines_in_text() -> None:
    """A question keeps its paragraphs."""
    assert clean_text("Đoạn một.\n\n\n\nĐoạn hai.", "text") == "Đoạn một.\n\nĐoạn hai."


def test_clean_text_without_a_limit_is_a_programming_error() -> None:
    """A field with no entry in LIMITS and no limit= is refused loudly."""
    with pytest.raises(KeyError):
        clean_text("something", "unknown_field")


@pytest.mark.parametrize(
    ("value", "field", "kwargs", "label_vi", "label_en"),
    [
        (None, "text", {}, "câu hỏi", "question"),
        ("ngắn", "text", {}, "câu hỏi", "question"),
        ("x" * 2001, "text", {}, "câu hỏi", "question"),
        (1, "name", {}, "họ và tên", "name"),
        ("A", "name", {}, "họ và tên", "name"),
        ("x" * 201, "organization", {}, "cơ quan/đơn vị", "organisation"),
        ("x" * 101, "locality", {}, "địa phương", "locality"),
        (None, "answer", {}, "câu trả lời", "answer"),
        (None, "note", {}, "ghi chú", "note"),
    ],
)
def test_messages_name_the_field_in_both_languages(
    value: object, field: str, kwargs: dict[str, Any], label_vi: str, label_en: str
) -> None:
    """Vietnamese messages contain the Vietnamese label, English ones the English label."""
    with pytest.raises(ValidationError) as caught:
        clean_text(value, field, **kwargs)
    error = caught.value
    assert label_vi in vi(error.message).lower()
    assert label_en in en(error.message).lower()


def test_too_short_message_says_the_minimum() -> None:
    """The too_short message gives the minimum in characters."""
    with pytest.raises(ValidationError) as caught:
        clean_text("ngắn", "text")
    assert "10 ký tự" in vi(caught.value.message)
    assert "10 characters" in en(caught.value.message)


def test_validation_error_is_a_value_error() -> None:
    """ValidationError is a ValueError with its parts as attributes."""
    error = ValidationError("contact.phone", "invalid", "Wrong: {n}.", n=3)
    assert isinstance(error, ValueError)
    assert (error.field, error.code, error.message.text, dict(error.message.params)) == (
        "contact.phone",
        "invalid",
        "Wrong: {n}.",
        {"n": 3},
    )
    assert en(error.message) == "Wrong: 3."


# --- phone and email -------------------------------------------------------

FULLWIDTH_DIGITS = {ord(digit): ord(digit) + 0xFEE0 for digit in "0123456789"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912 345 678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("0912-345-678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("+84 (0) 912 345 678", "+84912345678"),
        ("0084 912 345 678", "+84912345678"),
        ("0912 345 678".translate(FULLWIDTH_DIGITS), "+84912345678"),
        ("0387 654 321", "+84387654321"),
        ("(024) 3825 1234", "+842438251234"),
        ("0236 3822 222", "+842363822222"),
        ("+84 24 3825 1234", "+842438251234"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_clean_phone_accepts_vietnamese_numbers(raw: str | None, expected: str | None) -> None:
    """Vietnamese mobiles and landlines in any common spelling become +84 E.164."""
    assert clean_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "12345",
        "0912 345 67",
        "0912 345 6789",
        "0123 456 789",
        "0612 345 678",
        "+1 212 555 1212",
        "+84 112 345 678",
        "0912 345 678 ext 2",
        "gọi tôi",
        "0912+345678",
        "9" * 40,
        912345678,
    ],
)
def test_clean_phone_rejects_garbage(raw: object) -> None:
    """Anything but a Vietnamese number is invalid, named contact.phone."""
    with pytest.raises(ValidationError) as caught:
        clean_phone(raw)
    assert (caught.value.field, caught.value.code) == ("contact.phone", "invalid")
    assert "số điện thoại" in vi(caught.value.message).lower()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("an@example.vn", "an@example.vn"),
        ("An.Tran@Example.GOV.VN", "An.Tran@example.gov.vn"),
        ("  an+dialogue@mail.hue.gov.vn ", "an+dialogue@mail.hue.gov.vn"),
        ("", None),
        (None, None),
    ],
)
def test_clean_email_accepts_and_lowercases_domain(raw: str | None, expected: str | None) -> None:
    """A plausible address passes with its domain lowercased."""
    assert clean_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "an",
        "an@",
        "@example.vn",
        "an@example",
        "an@@example.vn",
        "an@b@example.vn",
        "an tran@example.vn",
        "an@example..vn",
        "an@.example.vn",
        "An <an@example.vn>",
        "an@example.vn, binh@example.vn",
        "a" * 250 + "@x.vn",
        ["an@example.vn"],
    ],
)
def test_clean_email_rejects_garbage(raw: object) -> None:
    """Implausible addresses are invalid, named contact.email."""
    with pytest.raises(ValidationError) as caught:
        clean_email(raw)
    assert (caught.value.field, caught.value.code) == ("contact.email", "invalid")


# --- clean_submission ------------------------------------------------------


def test_submission_minimal() -> None:
    """Text and name alone make a web submission with everything else empty."""
    assert submit(valid()) == Submission(
        text="Xin hỏi về thủ tục cấp sổ đỏ?",
        name="Trần Thị Bình",
        organization=None,
        locality=None,
        topic=None,
        phone=None,
        email=None,
        consent=False,
        submission_id=None,
        channel="web",
    )


def test_submission_full() -> None:
    """Every field is cleaned and kept; unknown keys are ignored."""
    submission = submit(
        valid(
            text="  Xin hỏi\r\n\r\n\r\nvề đất đai\u200b ",
            name=" Trần\nThị Bình ",
            organization="Công ty TNHH\u00a0ABC",
            locality="Xã  Phú Vang",
            topic="dat-dai",
            contact={"phone": "0912 345 678", "email": "binh@Example.VN"},
            consent=True,
            submission_id="3f2b9c1e-8d4a-4c6b-9e2f-1a2b3c4d5e6f",
            channel="widget",
            website="",
            future_field={"x": 1},
        )
    )
    assert submission == Submission(
        text="Xin hỏi\n\nvề đất đai",
        name="Trần Thị Bình",
        organization="Công ty TNHH ABC",
        locality="Xã Phú Vang",
        topic="dat-dai",
        phone="+84912345678",
        email="binh@example.vn",
        consent=True,
        submission_id="3f2b9c1e-8d4a-4c6b-9e2f-1a2b3c4d5e6f",
        channel="widget",
    )


INVALID_SUBMISSIONS = [
    ("body is a list", ["text"], "body", "invalid"),
    ("body is a string", "Xin hỏi", "body", "invalid"),
    ("text missing", {"name": "Bình"}, "text", "required"),
    ("text not a string", valid(text=123), "text", "invalid"),
    ("text only invisible", valid(text="\u200b\u202e  "), "text", "required"),
    ("text too short", valid(text="Tại sao?"), "text", "too_short"),
    ("text too long", valid(text="x" * 2001), "text", "too_long"),
    ("name missing", valid(name=None), "name", "required"),
    ("name empty", valid(name="  "), "name", "required"),
    ("name too short", valid(name="B"), "name", "too_short"),
    ("name too long", valid(name="x" * 101), "name", "too_long"),
    ("name not a string", valid(name={"first": "Bình"}), "name", "invalid"),
    ("organization too long", valid(organization="x" * 201), "organization", "too_long"),
    ("locality not in the list", valid(locality="Hà Nội"), "locality", "invalid"),
    ("locality not a string", valid(locality=7), "locality", "invalid"),
    ("topic unknown", valid(topic="y-te"), "topic", "invalid"),
    ("topic not a string", valid(topic=1), "topic", "invalid"),
    ("contact not an object", valid(contact="0912345678"), "contact", "invalid"),
    ("contact with an unknown key", valid(contact={"zalo": "0912345678"}), "contact", "invalid"),
    (
        "contact.phone invalid",
        valid(contact={"phone": "abc"}, consent=True),
        "contact.phone",
        "invalid",
    ),
    (
        "contact.email invalid",
        valid(contact={"email": "abc"}, consent=True),
        "contact.email",
        "invalid",
    ),
    (
        "phone without consent",
        valid(contact={"phone": "0912345678"}),
        "consent",
        "consent_required",
    ),
    (
        "email with consent false",
        valid(contact={"email": "a@b.vn"}, consent=False),
        "consent",
        "consent_required",
    ),
    (
        "consent as a string",
        valid(contact={"email": "a@b.vn"}, consent="true"),
        "consent",
        "invalid",
    ),
    ("consent as 1", valid(consent=1), "consent", "invalid"),
    ("submission_id too short", valid(submission_id="abc"), "submission_id", "invalid"),
    ("submission_id too long", valid(submission_id="a" * 65), "submission_id", "invalid"),
    ("submission_id with a slash", valid(submission_id="abcd/efgh"), "submission_id", "invalid"),
    ("submission_id with a newline", valid(submission_id="abcdefgh\n"), "submission_id", "invalid"),
    ("submission_id a number", valid(submission_id=12345678), "submission_id", "invalid"),
    ("channel unknown", valid(channel="fax"), "channel", "invalid"),
    ("channel not a string", valid(channel=["web"]), "channel", "invalid"),
]


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [case[1:] for case in INVALID_SUBMISSIONS],
    ids=[case[0] for case in INVALID_SUBMISSIONS],
)
def test_submission_errors(payload: object, field: str, code: str) -> None:
    """Each invalid submission names its field and code."""
    with pytest.raises(ValidationError) as caught:
        submit(payload)
    assert (caught.value.field, caught.value.code) == (field, code)


def test_submission_reports_the_first_failing_field() -> None:
    """With many bad fields, the first in the documented order is reported."""
    payload = valid(
        text="ngắn",
        name="B",
        organization="x" * 201,
        locality="Hà Nội",
        topic="y-te",
        contact={"phone": "abc", "email": "abc"},
        consent="yes",
        submission_id="x",
        channel="fax",
    )
    fixes: list[tuple[str, dict[str, Any]]] = [
        ("text", {"text": "Xin hỏi về thủ tục cấp sổ đỏ?"}),
        ("name", {"name": "Bình"}),
        ("organization", {"organization": "Sở Tư pháp"}),
        ("locality", {"locality": "Phường Thuận Hóa"}),
        ("topic", {"topic": "giao-duc"}),
        ("contact.phone", {"contact": {"phone": "0912345678", "email": "abc"}}),
        ("contact.email", {"contact": {"phone": "0912345678", "email": "a@b.vn"}}),
        ("consent", {"consent": True}),
        ("submission_id", {"submission_id": "abcd-1234"}),
        ("channel", {"channel": "hotline"}),
    ]
    for field, fix in fixes:
        with pytest.raises(ValidationError) as caught:
            submit(payload)
        assert caught.value.field == field
        payload.update(fix)
    assert submit(payload).channel == "hotline"


def test_submission_reports_every_failing_field_at_once() -> None:
    """The error raised carries every failing field in the documented order,
    each with its own code and message: a form shows them all in one go."""
    with pytest.raises(ValidationError) as caught:
        submit(
            valid(
                text="ngắn",
                name=None,
                organization="x" * 201,
                topic="y-te",
                contact={"phone": "abc", "email": "a@b.vn"},
                submission_id="x",
            )
        )
    found = [(e.field, e.code) for e in caught.value.errors]
    assert found == [
        ("text", "too_short"),
        ("name", "required"),
        ("organization", "too_long"),
        ("topic", "invalid"),
        ("contact.phone", "invalid"),
        ("consent", "consent_required"),
        ("submission_id", "invalid"),
    ]
    assert caught.value.errors[0] is caught.value
    assert vi(caught.value.errors[1].message) == "Vui lòng nhập họ và tên."
    refused = caught.value.refused()
    assert (refused.code, refused.field) == ("invalid", "text")
    assert [(f.field, f.code) for f in refused.fields] == found


def test_a_wrong_phone_alone_still_asks_for_consent() -> None:
    """Consent is asked for when a phone or email was written, even an invalid
    one: fixing the number must not bring up a new error afterwards."""
    with pytest.raises(ValidationError) as caught:
        submit(valid(contact={"email": "not-an-email"}))
    assert [e.field for e in caught.value.errors] == ["contact.email", "consent"]
    with pytest.raises(ValidationError) as only:
        submit(valid(contact={"email": "not-an-email"}, consent=True))
    assert [e.field for e in only.value.errors] == ["contact.email"]


def test_submission_anonymous() -> None:
    """Without a name, a dialogue that allows anonymous questions takes it."""
    assert submit(valid(name=None), allow_anonymous=True).name is None
    assert submit(valid(name="  "), allow_anonymous=True).name is None
    with pytest.raises(ValidationError) as caught:
        submit(valid(name="B"), allow_anonymous=True)
    assert caught.value.code == "too_short"


def test_submission_locality_matches_after_normalisation() -> None:
    """A locality matches the list after normalize_line, including decomposed input."""
    decomposed = unicodedata.normalize("NFD", "Phường  Thuận\nHóa")
    assert submit(valid(locality=decomposed)).locality == "Phường Thuận Hóa"
    submission = clean_submission(
        valid(locality="Xã Phú Vang"),
        topics=TOPICS,
        localities=[" Xã\u00a0Phú Vang "],
        allow_anonymous=False,
    )
    assert submission.locality == "Xã Phú Vang"


def test_submission_any_locality_when_the_dialogue_lists_none() -> None:
    """With no localities listed, any locality passes."""
    submission = clean_submission(
        valid(locality="Hà Nội"), topics=TOPICS, localities=(), allow_anonymous=False
    )
    assert submission.locality == "Hà Nội"


def test_submission_empty_contact_needs_no_consent() -> None:
    """An empty contact, or one with empty values, needs no consent."""
    assert submit(valid(contact={})).phone is None
    assert submit(valid(contact={"phone": "", "email": " "})).email is None
    assert submit(valid(contact=None, consent=None)).consent is False


def test_submission_every_channel_is_accepted() -> None:
    """All seven channels validate; who may use which is the caller's decision."""
    for channel in ("web", "widget", "hotline", "email", "paper", "social", "other"):
        assert submit(valid(channel=channel)).channel == channel


def test_submission_consent_message_is_vietnamese() -> None:
    """The consent_required error explains itself in Vietnamese and English."""
    with pytest.raises(ValidationError) as caught:
        submit(valid(contact={"phone": "0912345678"}))
    assert "đồng ý" in vi(caught.value.message)
    assert "agree" in en(caught.value.message)
