"""Found by a user trial on the demo: the staff API must never suggest a
merge into a question that is merged (or rejected), a 409 says whether the
version was stale (``field`` "version") or the state forbids the action
(``field`` null), and undoing an edit (an edit back to the original text)
leaves the question unedited (``original_text`` null again)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers import ServerProcess
from tests.support.questions import question_id
from tests.support.staff import StaffClient
from tests.support.waiting import wait_for

from .seed import SLUG, ask

pytestmark = pytest.mark.e2e

QUESTIONS = f"/api/v1/dialogues/{SLUG}/questions"
FIRST = "Xin hỏi thủ tục cấp lại giấy phép kinh doanh karaoke trực tuyến như thế nào?"
AGAIN = "xin hoi thu tuc cap lai giay phep kinh doanh karaoke truc tuyen nhu the nao"


@pytest.fixture
def moderator(site: ServerProcess) -> Iterator[StaffClient]:
    with StaffClient(site.url, "moderator") as client:
        yield client


def ids(question: dict[str, Any]) -> list[str]:
    """The ids of ``question``'s duplicate suggestions."""
    return [d["id"] for d in question["duplicates"]]


def pair(site: ServerProcess, moderator: StaffClient, place: str) -> tuple[str, str]:
    """Two pending questions about ``place`` (the site is the module's: each
    test its own pair), the newer suggesting the older; their ids."""
    older = question_id(site.env["REDIS_URL"], ask(site, f"{FIRST} ({place})"))
    newer = question_id(site.env["REDIS_URL"], ask(site, f"{AGAIN} ({place.lower()})"))
    seen = wait_for(
        lambda: moderator.question(SLUG, newer)["status"] == "pending" or None,
        "the second question screened",
    )
    assert seen
    assert older in ids(moderator.question(SLUG, newer))
    assert newer in ids(moderator.question(SLUG, older))
    return older, newer


def test_a_merged_question_is_no_longer_suggested_and_merging_into_it_says_why(
    site: ServerProcess, moderator: StaffClient
) -> None:
    older, newer = pair(site, moderator, "Phong Dien")
    merged = moderator.question(SLUG, older)
    moderator.act(SLUG, older, "merge", version=merged["version"], into=newer)

    target = moderator.question(SLUG, newer)
    assert target["merged_from"] == [older]
    assert older not in ids(target)
    listed = {q["id"]: q for q in moderator.questions(SLUG)}
    assert older not in ids(listed[newer])

    # Merging into it anyway: a 409 that names no field (the state, not a stale version).
    response = moderator.post(
        f"{QUESTIONS}/{newer}/actions/merge", {"version": target["version"], "into": older}
    )
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("conflict", None)

    # A stale version: the same code, naming the field "version".
    stale = moderator.post(
        f"{QUESTIONS}/{newer}/actions/merge", {"version": target["version"] - 1, "into": older}
    )
    assert stale.status_code == 409, stale.text
    assert stale.json()["error"]["field"] == "version"


def test_a_rejected_question_is_no_longer_suggested(
    site: ServerProcess, moderator: StaffClient
) -> None:
    older, newer = pair(site, moderator, "Huong Tra")
    moderator.act(SLUG, older, "reject", version=moderator.question(SLUG, older)["version"],
                  reason="duplicate")  # fmt: skip
    assert older not in ids(moderator.question(SLUG, newer))


def test_undoing_an_edit_leaves_the_question_unedited(
    site: ServerProcess, moderator: StaffClient
) -> None:
    text = f"{FIRST} (Kim Long)"
    qid = question_id(site.env["REDIS_URL"], ask(site, text))
    before = moderator.question(SLUG, qid)
    assert before["original_text"] is None
    edited = moderator.act(
        SLUG, qid, "edit", version=before["version"], text="Thủ tục cấp lại giấy phép karaoke?"
    )
    assert edited["original_text"] == text
    assert edited["edited"] is True
    # The console's undo of an edit: the original text sent back.
    undone = moderator.act(SLUG, qid, "edit", version=edited["version"], text=text)
    assert undone["text"] == text
    assert undone["original_text"] is None
    assert undone["edited"] is False
