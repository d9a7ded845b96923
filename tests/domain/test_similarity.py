"""Duplicate suggestions (server/domain/similarity.py), and their measured quality."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.duplicates import Quality, evaluate, index_of, load_pairs
from server.domain.similarity import (
    DEFAULT_THRESHOLD,
    DuplicateIndex,
    Scoring,
    focus,
    names,
    terms,
)

ROOT = Path(__file__).resolve().parents[2]

QUESTIONS = {
    "1": "Khi nào các hộ dân bị ảnh hưởng bởi dự án mở rộng đường Lê Duẩn được nhận tiền đền bù?",
    "2": "Học sinh sinh viên có bắt buộc phải mua bảo hiểm y tế không?",
    "3": "Festival Huế 2026 sẽ diễn ra vào thời gian nào?",
    "4": "Thủ tục đăng ký kinh doanh homestay ở Huế gồm những gì?",
    "5": "Mức đóng bảo hiểm y tế học sinh năm học này là bao nhiêu?",
    "6": "Chợ Đông Ba có hỗ trợ tiểu thương thanh toán không dùng tiền mặt không?",
}


@pytest.fixture
def index() -> DuplicateIndex:
    index = DuplicateIndex()
    index.rebuild(QUESTIONS.items())
    return index


def test_identical_text_scores_one(index: DuplicateIndex) -> None:
    """The same text is the best suggestion, with score 1.0."""
    assert index.similar(QUESTIONS["2"])[0] == ("2", 1.0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hoc sinh sinh vien co bat buoc phai mua bao hiem y te khong", "2"),
        ("HỌC SINH SINH VIÊN CÓ BẮT BUỘC PHẢI MUA BẢO HIỂM Y TẾ KHÔNG???", "2"),
        ("hocj sinh sinh vieen cos bawts buoocj phair mua baor hieemr y tees khoong", "2"),
        ("ho5c sinh sinh vie6n co1 ba8t1 buo65c mua ba3o hie63m y te61 kho6ng", "2"),
        ("hs sv co bat buoc mua bhyt ko a", "2"),
        ("festival hue 2026 to chuc khi nao vay", "3"),
        ("Muốn mở homestay tại Huế thì cần làm những thủ tục đăng ký gì?", "4"),
        ("cho dong ba co ho tro tieu thuong thanh toan qua ma QR khong", "6"),
    ],
)
def test_rewritten_copies_are_found(index: DuplicateIndex, text: str, expected: str) -> None:
    """Copies without marks, in capitals, in Telex, VNI, chat shorthand or reworded
    find their original first."""
    found = index.similar(text)
    assert found and found[0][0] == expected


def test_copy_without_marks_scores_high(index: DuplicateIndex) -> None:
    """A copy typed without marks scores as the original does."""
    assert index.score("hoc sinh sinh vien co bat buoc phai mua bao hiem y te khong", "2") > 0.95


def test_unrelated_question_gets_no_suggestion(index: DuplicateIndex) -> None:
    """A question on another subject gets no suggestion at all."""
    assert index.similar("Xe buýt đi biển Thuận An chạy đến mấy giờ tối?") == []


def test_another_question_on_the_same_subject_scores_lower(index: DuplicateIndex) -> None:
    """Asking how much instead of whether: the same subject, a lower score."""
    same = index.score("Học sinh, sinh viên có phải mua bảo hiểm y tế không?", "2")
    other = index.score("Học sinh, sinh viên có phải mua bảo hiểm y tế không?", "5")
    assert same > DEFAULT_THRESHOLD > other


def test_the_same_question_about_another_place_scores_lower(index: DuplicateIndex) -> None:
    """Naming another street than the indexed question makes it another question."""
    text = "Khi nào các hộ dân bị ảnh hưởng bởi dự án đường Nguyễn Hoàng được nhận tiền đền bù?"
    assert index.score(text, "1") < DEFAULT_THRESHOLD
    lowercase = text.replace("Nguyễn Hoàng", "nguyen hoang")
    assert index.score(lowercase, "1") > DEFAULT_THRESHOLD  # no capitals: no names to compare


def test_names_are_capitalised_words_inside_sentences() -> None:
    """Names come from capitalised words that do not open a sentence; acronyms and
    shouted texts give none."""
    assert names("Khi nào chợ An Cựu sửa xong? Đường Lê Lợi thì sao?") == {
        "an",
        "cuu",
        "le",
        "loi",
    }
    assert names("Tài khoản VNeID mức 2 và THPT") == frozenset()
    assert names("KHI NÀO CHỢ AN CỰU SỬA XONG") == frozenset()


def test_terms_fold_variants_and_question_words() -> None:
    """Terms fold chat shorthand and variants, and mark the kind of question."""
    assert terms("thanh toán không dùng tiền mặt") == terms("thanh toán chuyển khoản")
    assert terms("Nộp hồ sơ online") == terms("nop ho so qua mang")
    assert "?when" in terms("Bao giờ xong?")
    assert "?qty" in terms("Lệ phí bao nhiêu?")
    assert "?yesno" in terms("Có được miễn phí không ạ?")
    assert "?yesno" not in terms("Mái chợ dột, đề nghị sửa chữa.")


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("dk tam tru cho sv", "đăng ký tạm trú cho sinh viên"),
        ("Làm lại CMND", "Làm lại căn cước"),
        ("nộp hồ sơ trên Cổng DVC", "nộp hồ sơ trên cổng dịch vụ công"),
        ("tiêm có mất tiền không", "tiêm có tốn phí không"),
        ("vé tháng có ưu đãi không", "vé tháng có giảm giá không"),
        ("đèn đường trong hẻm", "đèn đường trong kiệt"),
        ("chừng nào sửa xong", "bao giờ sửa xong"),
    ],
)
def test_phrase_table_maps_variants_to_one_form(variant: str, canonical: str) -> None:
    """Chat shorthand, acronyms and regional or everyday variants give the same terms."""
    assert terms(variant) == terms(canonical)


def test_words_that_ask_nothing_make_no_question() -> None:
    """ "Chưa ai", "mấy tháng nay" inside a statement are not question words."""
    assert "?where" not in terms("Đèn hỏng mà chưa ai sửa.")
    assert "?duration" not in terms("Mùi hôi suốt mấy tháng nay.")
    assert "?duration" in terms("Mấy tháng thì có kết quả?")


def test_greetings_are_left_out() -> None:
    """A clause that only addresses someone adds no terms."""
    question = "Khi nào sửa đường Lê Lợi?"
    assert terms(f"Kính gửi lãnh đạo thành phố, {question}") == terms(question)
    assert terms(f"Thưa ông chủ tịch. {question}") == terms(question)


def test_focus_is_what_comes_before_the_question_word() -> None:
    """The two content syllables before a question word or a final "không" are the focus."""
    assert focus("Sinh viên có được ở ký túc xá miễn phí không?") == {"mien", "phi"}
    assert focus("Học phí mầm non là bao nhiêu?") == {"mam", "non"}
    assert focus("Khi nào sửa đường?") == frozenset()
    assert focus("Đề nghị sửa đường.") == frozenset()


def test_focus_and_kind_of_question_set_same_subject_questions_apart() -> None:
    """Without the focus weight and the kind-of-question factor, two questions on
    one subject that ask different things score higher."""
    texts = [
        "Sinh viên Đại học Huế có được ở ký túc xá miễn phí không?",
        "Ký túc xá Đại học Huế có đủ chỗ cho sinh viên năm nhất không?",
        "Phí ở ký túc xá Đại học Huế là bao nhiêu một tháng?",
    ]
    plain = Scoring(focus_weight=0.0, other_question_factor=1.0)
    with_knobs, without = DuplicateIndex(), DuplicateIndex(scoring=plain)
    for index in (with_knobs, without):
        index.rebuild((str(i), t) for i, t in enumerate(texts))
    for other in ("1", "2"):
        assert with_knobs.score(texts[0], other) < without.score(texts[0], other)
    assert with_knobs.score(texts[0], "0") == without.score(texts[0], "0") == 1.0


def test_limit_and_order(index: DuplicateIndex) -> None:
    """Results are best first, ties by id, at most ``limit`` of them."""
    index.add("7", QUESTIONS["2"])
    found = index.similar(QUESTIONS["2"], limit=1)
    assert found == [("2", 1.0)]
    assert [i for i, _ in index.similar(QUESTIONS["2"])][:2] == ["2", "7"]
    assert index.similar(QUESTIONS["2"], limit=0) == []


def test_remove_forgets_a_question(index: DuplicateIndex) -> None:
    """A removed question is never suggested again; unknown ids are ignored."""
    index.remove("2")
    index.remove("no-such-id")
    assert "2" not in index
    assert all(i != "2" for i, _ in index.similar(QUESTIONS["2"]))
    assert len(index) == len(QUESTIONS) - 1


def test_add_again_replaces_the_text(index: DuplicateIndex) -> None:
    """Adding an id again replaces its text (an edited question)."""
    index.add("2", "Giá vé tham quan Đại Nội là bao nhiêu?")
    assert index.similar(QUESTIONS["2"])[:1] != [("2", 1.0)]
    assert index.similar("Vé tham quan Đại Nội giá bao nhiêu?")[0][0] == "2"


def test_empty_text_gets_no_suggestion(index: DuplicateIndex) -> None:
    """A text with nothing to compare gets nothing."""
    assert index.similar("xin hỏi ạ ???") == []
    assert index.score("???", "2") == 0.0


def test_threshold_is_checked() -> None:
    """A threshold outside (0, 1] is refused."""
    with pytest.raises(ValueError):
        DuplicateIndex(0.0)
    with pytest.raises(ValueError):
        DuplicateIndex(1.5)


# --- on the labelled set -----------------------------------------------------

PAIRS = load_pairs()
TEXTS = sorted({t for p in PAIRS for t in (p.a, p.b)})


def test_rebuild_equals_incremental_adds() -> None:
    """An index refilled by rebuild answers exactly as one built by adds and removes."""
    incremental = DuplicateIndex()
    for i, text in enumerate(TEXTS):
        incremental.add(str(i), text)
        if i % 7 == 0:
            incremental.add(f"gone-{i}", text)
    for i in range(0, len(TEXTS), 7):
        incremental.remove(f"gone-{i}")
    rebuilt = DuplicateIndex()
    rebuilt.rebuild(reversed([(str(i), t) for i, t in enumerate(TEXTS)]))
    for text in TEXTS[::5]:
        assert incremental.similar(text) == rebuilt.similar(text)


def test_candidate_search_misses_nothing() -> None:
    """similar() returns exactly what scoring every indexed question would."""
    index, ids = index_of(TEXTS, DEFAULT_THRESHOLD)
    for text in TEXTS[::3]:
        every = [(i, index.score(text, i)) for i in ids.values()]
        expected = sorted(
            [(i, s) for i, s in every if s >= DEFAULT_THRESHOLD], key=lambda x: (-x[1], x[0])
        )
        assert index.similar(text, limit=len(ids)) == expected


_RUN = """
import json, sys
from bench.duplicates import load_pairs
from server.domain.similarity import DuplicateIndex
texts = sorted({t for p in load_pairs() for t in (p.a, p.b)})
index = DuplicateIndex()
index.rebuild((str(i), t) for i, t in enumerate(texts))
print(json.dumps([index.similar(t) for t in texts[::4]]))
"""


def test_results_are_the_same_in_every_process() -> None:
    """Scores and order do not depend on the process's hash seed."""
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _RUN], cwd=ROOT, env=env, capture_output=True, check=True
        )
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1]


# Measured at the default threshold (docs/moderation.md): held-out P 0.933, R 0.830.
HELD_OUT_FLOOR = (0.92, 0.82)
TARGET = (0.90, 0.85)


@pytest.fixture(scope="module")
def held_out() -> Quality:
    return evaluate([p for p in PAIRS if p.held_out], corpus=PAIRS)


def test_data_set_is_large_and_split_by_family() -> None:
    """At least 300 labelled pairs; no family on both sides of the split."""
    assert len(PAIRS) >= 300
    tune = {p.group for p in PAIRS if not p.held_out}
    held = {p.group for p in PAIRS if p.held_out}
    assert tune and held and not tune & held


def test_held_out_quality_does_not_drop(held_out: Quality) -> None:
    """On the held-out families, precision and recall stay at what was measured."""
    assert held_out.precision >= HELD_OUT_FLOOR[0], held_out
    assert held_out.recall >= HELD_OUT_FLOOR[1], held_out


@pytest.mark.xfail(
    strict=True, reason="held-out recall is 0.830 (target 0.85): see docs/moderation.md"
)
def test_held_out_quality_meets_the_target(held_out: Quality) -> None:
    """The target of issue 5: precision >= 0.90 at recall >= 0.85, on held-out families."""
    assert held_out.precision >= TARGET[0], held_out
    assert held_out.recall >= TARGET[1], held_out
