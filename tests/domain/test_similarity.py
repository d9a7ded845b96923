"""Duplicate suggestions (server/domain/similarity.py), and their measured quality."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.duplicates import DEV, SECOND, Quality, evaluate, index_of, load_pairs
from server.demo.data import QUESTIONS as DEMO_QUESTIONS
from server.domain.similarity import (
    COEFFICIENTS,
    DEFAULT_THRESHOLD,
    DuplicateIndex,
    Scoring,
    focus,
    names,
    terms,
)
from tests.browser.console_seed import texts as console_texts

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


def test_identical_text_scores_highest(index: DuplicateIndex) -> None:
    """The same text is the best suggestion, with a score near 1."""
    best, score = index.similar(QUESTIONS["2"])[0]
    assert best == "2" and score > 0.99


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
    assert names("Khi nào chợ An Cựu sửa xong? Đường Lê Lợi thì sao?") == {"an cuu", "le loi"}
    text = "Khi nào sửa xong vỉa hè đường Lê Lợi, Bà Triệu và các kiệt ở phường Phú Hội?"
    assert names(text) == {"le loi", "ba trieu", "phu hoi"}
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


def test_names_are_matched_syllable_by_syllable() -> None:
    """A name is mentioned when its syllables follow each other in the other
    text, with the same marks unless typed without marks: "Phú Hội" is not in
    "phủ sóng ... xin hỏi", "Phú Vang" is not "Phú Lộc"."""
    index = DuplicateIndex()
    index.add("hoi", "Khi nào phủ sóng 4G cho các thôn ở phường Phú Hội, xin hỏi ạ?")
    index.add("vang", "Khi nào phủ sóng 4G cho các thôn ở xã Phú Vang?")
    other_place = "Khi nào phủ sóng 4G cho các thôn ở xã Phú Lộc?"
    assert [i for i, _ in index.similar(other_place)] == []
    # Typed without capitals it names nothing, so only the order tells them apart.
    assert index.similar("khi nao phu song 4g cho cac thon o xa phu vang")[0][0] == "vang"
    assert index.similar("Khi nào phủ sóng 4G cho các thôn ở phường Phú Hội?")[0][0] == "hoi"


def test_template_questions_about_other_numbers_are_not_duplicates() -> None:
    """One frame about another numbered thing (a village, a road, a class) is
    another question; a number that counts something (an age, a price) is not
    what a question is about."""
    index = DuplicateIndex()
    index.rebuild(
        (str(n), f"Xin hỏi về phủ sóng 4G ở thôn số {n} của A Lưới?") for n in range(1, 60)
    )
    assert index.similar("Xin hỏi về phủ sóng 4G ở thôn số 60 của A Lưới?") == []
    assert index.similar("xin hoi ve phu song 4g o thon so 7 cua a luoi")[0][0] == "7"
    index.add("age", "Cụ ông nhà tôi 76 tuổi có được nhận trợ cấp hằng tháng không?")
    found = index.similar("Cụ bà nhà tôi 78 tuổi có được nhận trợ cấp hằng tháng không?")
    assert found and found[0][0] == "age"


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
    """The two content syllables before a question word or a final "không" are
    the focus; in "A hay B?", both alternatives, and it asks yes or no."""
    choice = "Tuyển sinh lớp 6 xét theo hộ khẩu hay theo nơi ở?"
    assert focus(choice) == {"ho", "khau", "theo", "noi"} and "?yesno" in terms(choice)
    assert focus("Ngã tư này hay ùn tắc.") == frozenset()  # "hay": often
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
    *coefficients, _ = COEFFICIENTS
    plain = Scoring(focus_weight=0.0, coefficients=(*coefficients, 0.0))
    with_knobs, without = DuplicateIndex(), DuplicateIndex(scoring=plain)
    for index in (with_knobs, without):
        index.rebuild((str(i), t) for i, t in enumerate(texts))
    for other in ("1", "2"):
        assert with_knobs.score(texts[0], other) < without.score(texts[0], other)
    assert with_knobs.score(texts[0], "0") == without.score(texts[0], "0") > 0.99


def test_limit_and_order(index: DuplicateIndex) -> None:
    """Results are best first, ties by id, at most ``limit`` of them."""
    index.add("7", QUESTIONS["2"])
    found = index.similar(QUESTIONS["2"], limit=1)
    assert [i for i, _ in found] == ["2"]
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
    assert "2" not in [i for i, _ in index.similar(QUESTIONS["2"])]
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


# Measured at the default threshold (docs/moderation.md): held-out P 0.906, R 0.859;
# the second held-out set P 0.771, R 0.844; the development set P 0.947, R 0.735.
HELD_OUT_FLOOR = (0.90, 0.85)
SECOND_FLOOR = (0.77, 0.84)
DEV_FLOOR = (0.94, 0.73)
#: Issue 16's target, on the held-out half.
TARGET = (0.92, 0.88)


@pytest.fixture(scope="module")
def held_out() -> Quality:
    return evaluate([p for p in PAIRS if p.held_out], corpus=PAIRS)


def test_data_set_is_large_and_split_by_family() -> None:
    """At least 300 labelled pairs; no family on both sides of the split; the
    second held-out set and the development set share no text with the first
    or with each other."""
    assert len(PAIRS) >= 300
    tune = {p.group for p in PAIRS if not p.held_out}
    held = {p.group for p in PAIRS if p.held_out}
    assert tune and held and not tune & held
    second = load_pairs(SECOND)
    assert len(second) >= 150 and len({p.group for p in second}) >= 15
    dev = load_pairs(DEV)
    assert len(dev) >= 100 and len({p.group for p in dev}) >= 12
    texts = [{t for p in pairs for t in (p.a, p.b)} for pairs in (PAIRS, second, dev)]
    assert not texts[0] & texts[1] and not texts[0] & texts[2] and not texts[1] & texts[2]


def test_held_out_quality_does_not_drop(held_out: Quality) -> None:
    """On the held-out families, precision and recall stay at what was measured."""
    assert held_out.precision >= HELD_OUT_FLOOR[0], held_out
    assert held_out.recall >= HELD_OUT_FLOOR[1], held_out


def test_second_held_out_quality_does_not_drop() -> None:
    """On the second held-out set (the index also holding the first set's
    texts), precision and recall stay at what was measured."""
    second = load_pairs(SECOND)
    quality = evaluate(second, corpus=PAIRS + second)
    assert quality.precision >= SECOND_FLOOR[0], quality
    assert quality.recall >= SECOND_FLOOR[1], quality


def test_development_set_quality_does_not_drop() -> None:
    """On the development set (the index also holding the first set's texts),
    precision and recall stay at what was measured."""
    dev = load_pairs(DEV)
    quality = evaluate(dev, corpus=PAIRS + dev)
    assert quality.precision >= DEV_FLOOR[0], quality
    assert quality.recall >= DEV_FLOOR[1], quality


@pytest.mark.xfail(
    strict=True, reason="held-out P 0.906, R 0.859 (target 0.92 at 0.88): see docs/moderation.md"
)
def test_held_out_quality_meets_the_target(held_out: Quality) -> None:
    """The target of issue 16: precision >= 0.92 at recall >= 0.88, on held-out families."""
    assert held_out.precision >= TARGET[0], held_out
    assert held_out.recall >= TARGET[1], held_out


#: The question texts the test suite and the benchmarks seed by the hundred: one
#: frame, another numbered subject each time.
TEMPLATES = (
    "Xin hỏi về phủ sóng 4G ở thôn số {n} của A Lưới?",
    "Trạm quan trắc môi trường số {n} ở thôn {n} khi nào đưa vào vận hành?",
    "Câu hỏi số {n} về chuyển đổi số ở Huế?",
    "Xin hỏi lộ trình số hóa hồ sơ của phường số {n}?",
    "Xin hỏi về hạ tầng cáp quang cho khu công nghiệp số {n}?",
)


@pytest.mark.parametrize("template", TEMPLATES)
def test_seeded_template_questions_are_not_suggested(template: str) -> None:
    """200 questions on one frame about 200 numbered subjects get no suggestion
    (before the subject split: 985 suggestions, 199 of the 200 questions)."""
    index = DuplicateIndex()
    suggestions = 0
    for n in range(200):
        text = template.format(n=n)
        suggestions += len(index.similar(text))
        index.add(str(n), text)
    assert suggestions == 0


def test_the_console_seed_gets_few_suggestions() -> None:
    """The browser tests' 200 questions (25 subjects, 8 ways of asking, 11
    places, each pair of them sharing two of the three) get few suggestions:
    one frame with another subject is another question (141 suggestions
    before the subject split, 29 after)."""
    index = DuplicateIndex()
    suggestions = 0
    for n, text in enumerate(console_texts(200)):
        suggestions += len(index.similar(text))
        index.add(str(n), text)
    assert suggestions <= 30


def test_demo_questions_get_few_suggestions() -> None:
    """The demo's questions, on one dialogue's subjects, are told apart: at
    most one suggestion among them, as each is screened in turn."""
    index = DuplicateIndex()
    suggestions = 0
    for n, question in enumerate(DEMO_QUESTIONS):
        suggestions += len(index.similar(question["text"]))
        index.add(str(n), question["text"])
    assert suggestions <= 1
