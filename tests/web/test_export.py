"""The dialogue's export for the record: moderators and admins only; the
askers' phone and email only when asked for, and that access audited;
spreadsheet formulas defused; in the reader's language (Vietnamese by
default) and Vietnam's time; the same from the command line."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from docx import Document
from openpyxl import load_workbook

from server.documents import report, spreadsheet
from tests.helpers import ServerProcess
from tests.support.staff import StaffClient

from .seed import SLUG, ask

pytestmark = pytest.mark.e2e

EXPORT = f"/api/v1/dialogues/{SLUG}/export"
REPORT = f"/api/v1/dialogues/{SLUG}/report"
PHONE, EMAIL = "0912 345 678", "xuat.du.lieu@example.vn"


@pytest.fixture
def moderator(site: ServerProcess) -> Iterator[StaffClient]:
    with StaffClient(site.url, "moderator") as client:
        yield client


def table(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))


@pytest.fixture(scope="module")
def asked(site: ServerProcess) -> None:
    """A question that is a spreadsheet formula, and one with contact data."""
    ask(site, '=HYPERLINK("http://evil.example") xin hỏi về dịch vụ công trực tuyến?')
    ask(
        site,
        "Xin hỏi thời gian cấp lại căn cước công dân qua mạng là bao lâu?",
        name="Lê Văn Bình",
        contact={"phone": PHONE, "email": EMAIL},
        consent=True,
    )


#: A moment as the CSV writes it: Vietnam's time, to the second, with its offset.
VIETNAM_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")


def test_export_for_the_record(site: ServerProcess, moderator: StaffClient, asked: None) -> None:
    plain = moderator.get(EXPORT)
    rows = table(plain)
    assert PHONE.replace(" ", "") not in plain.text and EMAIL not in plain.text
    assert "Số điện thoại" not in rows[0]
    formula = next(r for r in rows if "HYPERLINK" in r["Câu hỏi"])
    assert formula["Câu hỏi"].startswith("'=")
    assert all(r["Trạng thái"] == "Chờ duyệt" and r["Kênh gửi"] == "Trang web" for r in rows)
    assert all(VIETNAM_TIME.match(r["Gửi lúc"]) for r in rows)

    english = table(moderator.get(EXPORT, params={"lang": "en"}))
    assert [r["Question"] for r in english] == [r["Câu hỏi"] for r in rows]
    assert all(r["State"] == "Pending" and r["Channel"] == "Website" for r in english)
    assert [r["Submitted"] for r in english] == [r["Gửi lúc"] for r in rows]

    before = moderator.get(f"/api/v1/dialogues/{SLUG}/audit", params={"action": "export"})
    assert before.json()["items"] == []
    full = table(moderator.get(EXPORT, params={"contact": "true"}))
    with_contact = next(r for r in full if "căn cước" in r["Câu hỏi"])
    # Stored as +84…; a leading "+" is defused like a formula (Excel shows it as text).
    assert with_contact["Email"] == EMAIL and with_contact["Số điện thoại"] == "'+84912345678"
    assert VIETNAM_TIME.match(with_contact["Thời điểm đồng ý"])
    logged = moderator.get(f"/api/v1/dialogues/{SLUG}/audit", params={"action": "export"})
    (entry,) = logged.json()["items"]
    assert entry["actor"] == "moderator" and entry["after"]["with_contact"] is True

    as_json = moderator.get(EXPORT, params={"format": "json"}).json()
    assert len(as_json["questions"]) == len(rows)
    # The JSON is data: codes and the stored times.
    assert {q["status"] for q in as_json["questions"]} == {"pending"}
    assert all(q["submitted_at"].endswith("+00:00") for q in as_json["questions"])
    assert moderator.get(EXPORT, params={"format": "pdf"}).status_code == 400

    book = moderator.get(EXPORT, params={"format": "xlsx"})
    assert book.status_code == 200 and book.headers["content-type"] == spreadsheet.MEDIA_TYPE
    assert 'filename="chuyen-doi-so-questions.xlsx"' in book.headers["content-disposition"]
    opened = load_workbook(io.BytesIO(book.content))
    assert opened.sheetnames == ["Câu hỏi", "Trả lời", "Thống kê"]
    sheet = [list(r) for r in opened["Câu hỏi"].iter_rows(values_only=True)]
    assert [r[8] for r in sheet[1:]] == [r["Câu hỏi"].removeprefix("'") for r in rows]
    assert EMAIL not in str(sheet)


def test_the_report_for_the_dialogue_s_staff(site: ServerProcess, asked: None) -> None:
    """Any staff member of the dialogue downloads the report to the
    leadership, in their language; the public and bad formats do not."""
    assert httpx.get(f"{site.url}{REPORT}").status_code == 401
    with StaffClient(site.url, "producer") as producer:
        assert producer.get(REPORT, params={"format": "pdf"}).status_code == 400
        got = producer.get(REPORT)
        assert got.status_code == 200 and got.headers["content-type"] == report.MEDIA_TYPE
        text = "\n".join(p.text for p in Document(io.BytesIO(got.content)).paragraphs)
        assert "BÁO CÁO" in text and "IV. CÂU HỎI VÀ TRẢ LỜI THEO LĨNH VỰC" in text
        english = producer.get(REPORT, params={"lang": "en"})
        assert "I. GENERAL INFORMATION" in str(
            [p.text for p in Document(io.BytesIO(english.content)).paragraphs]
        )


def test_export_is_for_moderators_and_admins(site: ServerProcess) -> None:
    assert httpx.get(f"{site.url}{EXPORT}").status_code == 401
    with StaffClient(site.url, "producer") as producer:
        assert producer.get(EXPORT).status_code == 403
        assert producer.get(EXPORT, params={"contact": "true"}).status_code == 403


def test_export_from_the_command_line(
    site: ServerProcess, redis_server: str, asked: None, tmp_path: Path
) -> None:
    env = {"REDIS_URL": redis_server, "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "server", "dialogue", "export", SLUG]
    plain = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.startswith("\ufeffSố,Trạng thái,Gửi lúc,")
    english = subprocess.run(
        [*command, "--lang", "en"], capture_output=True, text=True, env=env, timeout=60
    )
    assert english.returncode == 0 and english.stdout.startswith("\ufeffNo.,State,Submitted,")
    assert EMAIL not in plain.stdout
    full = subprocess.run(
        [*command, "--with-contact"], capture_output=True, text=True, env=env, timeout=60
    )
    assert full.returncode == 0 and EMAIL in full.stdout
    target = tmp_path / "bao-cao.docx"
    written = subprocess.run(
        [sys.executable, "-m", "server", "dialogue", "report", SLUG, "-o", str(target)],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert written.returncode == 0, written.stderr
    assert "BÁO CÁO" in [p.text for p in Document(str(target)).paragraphs]
