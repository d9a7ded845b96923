"""The report to the leadership, read back with python-docx: the blocks of
Decree 30/2020's form in their order, Times New Roman, the counts equal to
the figures, the questions and answers by topic with their Vietnamese
intact, no contact data; and its English variant."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentType
from docx.oxml.ns import qn

from server.documents import report
from server.domain.wording import english
from server.web.catalogs import catalog

from .conftest import ASKED, REPORTED, TITLE, Broadcast

ISSUER = report.Issuer("Ủy ban nhân dân thành phố Huế", "Huế")


def render(broadcast: Broadcast, lang: str = "vi") -> DocumentType:
    r = broadcast.record
    gettext = english if lang == "en" else catalog(lang).gettext
    body = report.document(r.dialogue, r.questions, r.figures, ISSUER, REPORTED, gettext)
    return Document(io.BytesIO(body))


def lines(doc: DocumentType) -> list[str]:
    """Every paragraph's text, those of the tables' cells in their place, in order."""
    found = [
        "".join(t.text or "" for t in p.iter(qn("w:t"))) for p in doc.element.body.iter(qn("w:p"))
    ]
    return [line for line in found if line.strip()]


def in_order(found: list[str], wanted: list[str]) -> None:
    at = 0
    for want in wanted:
        hits = [n for n, line in enumerate(found) if n >= at and want in line]
        assert hits, f"{want!r} not found after {found[at - 1] if at else 'the start'!r}"
        at = hits[0] + 1


def test_the_report_in_the_decree_s_form(broadcast: Broadcast) -> None:
    doc = render(broadcast)
    found = lines(doc)
    in_order(found, [
        "ỦY BAN NHÂN DÂN THÀNH PHỐ HUẾ", "BAN TỔ CHỨC ĐỐI THOẠI",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Số:       /BC-BTC", "Huế, ngày 03 tháng 12 năm 2026",
        "BÁO CÁO", f"Kết quả đối thoại trực tuyến “{TITLE}”",
        "I. THÔNG TIN CHUNG", "Tổ chức ngày 02 tháng 11 năm 2026",
        "II. TÌNH HÌNH TIẾP NHẬN CÂU HỎI", "III. KẾT QUẢ TRẢ LỜI",
        "IV. CÂU HỎI VÀ TRẢ LỜI THEO LĨNH VỰC", "Nơi nhận:", "TM. BAN TỔ CHỨC",
    ])  # fmt: skip
    fonts = {r.font.name for p in doc.paragraphs for r in p.runs}
    assert fonts == {"Times New Roman"}
    sizes = {r.font.size.pt for p in doc.paragraphs for r in p.runs if r.font.size}
    assert sizes == {14.0}
    section = doc.sections[0]
    page = (section.page_width, section.page_height, section.left_margin)
    assert [round(length.mm) if length else None for length in page] == [210, 297, 30]


def test_the_counts_are_the_figures(broadcast: Broadcast) -> None:
    f = broadcast.record.figures
    found = lines(render(broadcast))
    assert f"Đã tiếp nhận {f.total} câu hỏi của {f.people} người; {f.published} câu hỏi" in (
        "\n".join(found)
    )
    said = (
        f"{f.answered_live} câu hỏi đã được trả lời trực tiếp và {f.answered_written} câu hỏi "
        f"trả lời bằng văn bản; còn {f.owed} câu hỏi chưa trả lời bằng văn bản, trong đó "
        f"{f.overdue} câu hỏi quá hạn."
    )
    assert said in found and (f.answered_live, f.answered_written, f.owed) == (1, 2, 3)
    # The table of what each official owes, row by row.
    at = found.index("Nguyễn Văn An (Giám đốc Sở Khoa học và Công nghệ)")
    assert found[at + 1 : at + 6] == ["1", "1", "1", "1", "ngày 23 tháng 11 năm 2026"]
    at = found.index("Chưa phân công")
    assert found[at + 1 : at + 5] == ["0", "0", "2", "2"]
    at = found.index("Trang web")  # by channel
    assert found[at + 1] == "6"


def test_questions_and_answers_by_topic(broadcast: Broadcast) -> None:
    found = lines(render(broadcast))
    text = "\n".join(found)
    for name in "abcdehi":  # published, and one still pending (not)
        question = ASKED[name][0]
        assert (question in text) is (name != "i"), name
    for rejected in "fg":
        assert ASKED[rejected][0] not in text
    owed = "Sẽ trả lời bằng văn bản, hạn ngày 23 tháng 11 năm 2026."
    first = ["1. Chính quyền số", ASKED["a"][0], "Cuối năm 2027 mọi xã đều có 5G."]
    second = ["2. Kinh tế số", ASKED["b"][0], "Trần Thị Bình: Miễn phí chữ ký số"]
    in_order(found, [*first, ASKED["c"][0], owed, *second])
    assert "Nguyễn Thị Hoa" not in text  # no asker is named


def test_the_report_in_english(broadcast: Broadcast) -> None:
    found = lines(render(broadcast, "en"))
    in_order(found, [
        "ORGANISING COMMITTEE OF THE DIALOGUE", "SOCIALIST REPUBLIC OF VIETNAM",
        "Independence - Freedom - Happiness", "Huế, 3 December 2026", "REPORT",
        "I. GENERAL INFORMATION", "1 questions were answered live and 2 in writing",
        "Recipients:",
    ])  # fmt: skip
