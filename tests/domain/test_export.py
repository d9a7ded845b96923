"""The record as CSV (server/domain/export.py): cells a spreadsheet would run
as a formula are defused, in every spelling, and nothing else is touched."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

import pytest

from server.domain.export import COLUMNS, is_formula, to_csv

#: Each spelled in escapes: the point is which character it is.
FORMULAS = [
    '=HYPERLINK("http://evil.example")',
    "+84912345678",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "\tanything",  # a leading tab or CR is defused whatever follows
    '\uff1dHYPERLINK("http://evil.example")',  # fullwidth =
    "\uff0b1",  # fullwidth +
    "\uff0d1",  # fullwidth -
    "\uff20SUM(A1)",  # fullwidth @
    "\ufe661+1",  # small =
    "\ufe621",  # small +
    "\ufe631",  # small -
    "\ufe6bSUM(A1)",  # small @
    "\u207c1",  # superscript =, NFKC "="
    " =1+1",  # after a space
    "   \uff1d1",
    "\u00a0=1",  # no-break space
    "\u3000\uff1d1",  # ideographic space, then fullwidth =
    "\n=1",
    "\u200b=1",  # zero-width space
    "\ufeff=1",  # byte-order mark
    "\u200f=1",  # right-to-left mark
]
HARMLESS = [
    "Xin hỏi lộ trình số hóa hồ sơ đất đai?",
    "a=b",
    "1+1",
    "Lê Văn Tâm",
    "",
    "   ",
    "nguoi.hoi@example.vn",
    "\u2212 1",  # the minus sign is not the hyphen-minus, in NFKC too
    "42",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_in_any_spelling_is_defused(text: str) -> None:
    assert is_formula(text)
    assert _cells({"text": text})["text"] == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_other_cells_are_written_as_they_are(text: str) -> None:
    assert not is_formula(text)
    assert _cells({"text": text})["text"] == text


def test_every_column_is_defused_and_none_is_empty() -> None:
    """Not only the question's text: a name, an organization or an answer is
    a cell too; a missing value is an empty cell."""
    row = {column: "\uff1d1+1" for column in COLUMNS} | {"votes": 3, "merged_into": None}
    cells = _cells(row)
    assert cells["votes"] == "3" and cells["merged_into"] == ""
    assert all(cells[c] == "'\uff1d1+1" for c in COLUMNS if c not in ("votes", "merged_into"))


def _cells(row: Mapping[str, object]) -> dict[str, str]:
    """The one data row of ``to_csv([row])``, read back by column."""
    text = to_csv([row], with_contact=False)
    assert text.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text[1:])))
    assert len(rows) == 1
    return dict(zip(header, rows[0], strict=True))
