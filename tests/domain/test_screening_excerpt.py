"""A flag's reasons quote what was found, but not all of it: a question of
2,000 "x" is flagged for its repeated characters with the first 40 of them
and "…", so the console does not show (and lay out) the whole run."""

from __future__ import annotations

from server.domain.screening import EXCERPT, excerpt, screen


def test_a_long_run_is_quoted_by_its_start() -> None:
    result = screen("x" * 2000)
    assert "repeated_chars" in result.flags
    [quoted] = result.reasons["repeated_chars"]["text"]
    assert quoted == "x" * EXCERPT + "…"


def test_a_short_run_is_quoted_whole() -> None:
    result = screen("Khi nào sửa đường Lê Duẩn vậy!!!!!!")
    assert result.reasons["repeated_chars"] == {"text": ["!!!!!!"]}


def test_a_long_link_is_quoted_by_its_start() -> None:
    link = "https://example.com/" + "a" * 500
    result = screen(f"Xin hỏi về dự án này {link} ạ, bao giờ làm xong?")
    [quoted] = result.reasons["link"]["text"]
    assert len(quoted) <= 2 * EXCERPT + 1 and quoted.endswith("…")
    assert link.startswith(quoted[:-1])


def test_excerpt() -> None:
    assert excerpt("abc", 3) == "abc"
    assert excerpt("abcd", 3) == "abc…"
