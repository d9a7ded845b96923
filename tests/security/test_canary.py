"""A canary phone number and e-mail address (issue 6), given with several
questions (from the web, the widget and a hotline entry), carried through a
whole broadcast: approved, merged, rejected, queued, on air, answered live,
deferred and answered in writing, the dialogue closed and archived, the
questions exported; the askers told of the answers by e-mail and through the
webhook, after an SMTP server that refused the address (quoting it, as real
ones do) and a webhook that failed once. They must never appear in a public
payload (HTTP, the public feed's messages, pages, the tracking page, the
archive, the widget's calls), in a staff view that is not a moderator's, in
an export without the contact flag, in a log line of the server (debug
level, access log and the notices' failures included) or of the CLI, or in a
Redis key other than the contact hash.

Moderators do see them, the contact flag does export them, and the e-mails
and the webhook do carry them: the controls that make the checks mean
something.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import redis
from openpyxl import load_workbook
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from server.config import SETTINGS
from tests.helpers import REPO_ROOT, ServerProcess
from tests.notices.sinks import HookReceiver, SmtpSink, wait_until
from tests.support.questions import question_ids, submit
from tests.support.staff import StaffClient
from tests.web.seed import SLUG

from . import leaks
from .conftest import seeded_server
from .people import OFFICIAL_ID
from .routes import app_routes

pytestmark = pytest.mark.e2e

PHONE = "0912 468 013"
EMAIL = "hoang.anh.canary.5e1d@example.vn"
CONTACT = {"contact": {"phone": PHONE, "email": EMAIL}, "consent": True}
ASKER = {"name": "Hoàng Anh", "organization": "Hộ kinh doanh Hoàng Anh", "topic": "kinh-te-so"}
#: Redis keys that may hold the canary: each question's contact hash.
CONTACT_KEY = re.compile(r"^\{d:[^}]+\}:contact:\d+$")


def canary() -> dict[str, str]:
    """Every form the canary could take in a body, a log line or a key."""
    forms = {f"phone {label}": value for label, value in leaks.phone_forms(PHONE).items()}
    return forms | {"email": EMAIL, "email in a URL": quote(EMAIL, safe="")}


class Listener:
    """A WebSocket read in a thread until closed: every message it got. Ready
    once its first message (the snapshot) is in: it is then subscribed."""

    def __init__(self, url: str, origin: str, headers: dict[str, str]) -> None:
        self.messages: list[str] = []
        self.ws: ClientConnection | None = None
        self.error: BaseException | None = None
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._read, args=(url, origin, headers), daemon=True)
        self.thread.start()
        assert self.ready.wait(20), f"{url} did not open"
        assert self.error is None, self.error

    def _read(self, url: str, origin: str, headers: dict[str, str]) -> None:
        try:
            with connect(
                url, origin=Origin(origin), additional_headers=headers, open_timeout=20
            ) as ws:
                self.ws = ws
                for message in ws:
                    self.messages.append(str(message))
                    self.ready.set()
        except BaseException as exc:  # shown by the test that waits for it
            self.error = exc
        finally:
            self.ready.set()

    def close(self) -> list[str]:
        """Close (once) and return every message received."""
        if self.ws is not None and self.thread.is_alive():
            self.ws.close()
            self.thread.join(20)
        return self.messages


def _listen(server: ServerProcess, path: str, cookie: str | None = None) -> Listener:
    headers = {"Cookie": f"doithoai_session={cookie}"} if cookie else {}
    return Listener(server.url.replace("http://", "ws://") + path, server.url, headers)


@dataclass
class Broadcast:
    server: ServerProcess
    redis_url: str
    moderator: StaffClient
    staff: dict[str, StaffClient]
    codes: list[str]
    ids: dict[str, str]
    #: The public feed and a producer's console feed, open all along.
    public: Listener
    console: Listener
    screen_token: str
    #: Where the askers were told of the answers.
    smtp: SmtpSink
    hook: HookReceiver


def _phase(admin: StaffClient, status: str) -> None:
    response = admin.post(f"/api/v1/dialogues/{SLUG}/status", {"status": status})
    assert response.status_code == 200, response.text


def _end_broadcast(admin: StaffClient) -> None:
    """The wrap-up: the live dialogue closes, nothing is left waiting for the air."""
    response = admin.post(f"/api/v1/dialogues/{SLUG}/wrap-up", {})
    assert response.status_code == 200, response.text


#: The askers of the question answered live, of the one merged into it and
#: of the one answered in writing are told, each by e-mail and webhook.
TOLD = 3


@pytest.fixture(scope="module")
def notices() -> Iterator[tuple[SmtpSink, HookReceiver]]:
    """An SMTP server that refuses the canary's address until told otherwise,
    and a webhook receiver whose first answer is a 500."""
    smtp, hook = SmtpSink().start(), HookReceiver().start()
    smtp.refuse.add(EMAIL)
    hook.statuses = [500]
    try:
        yield smtp, hook
    finally:
        smtp.stop()
        hook.stop()


@pytest.fixture(scope="module")
def broadcast(redis_server: str, notices: tuple[SmtpSink, HookReceiver]) -> Iterator[Broadcast]:
    """The whole broadcast, the feeds listened to all along, and the askers told."""
    smtp, hook = notices
    env = {
        "DOITHOAI_LOG_LEVEL": "debug",
        "DOITHOAI_SMTP_URL": smtp.url,
        "DOITHOAI_SMTP_FROM": "Ban tổ chức <doithoai@example.vn>",
        "DOITHOAI_NOTIFY_WEBHOOK": hook.url,
        "DOITHOAI_NOTIFY_WEBHOOK_SECRET": "khoa-bi-mat-cua-webhook-dai-hon-32-ky-tu",
        "DOITHOAI_NOTIFY_BACKOFF": "0.05",
        "DOITHOAI_AIR_UNDO": "0",
    }
    with seeded_server(redis_server, env) as server:
        staff = {
            r: StaffClient(server.url, r) for r in ("moderator", "producer", "official", "admin")
        }
        moderator, producer, official, admin = staff.values()
        public = _listen(server, f"/ws/v1/dialogues/{SLUG}/feed")
        console = _listen(server, f"/ws/v1/dialogues/{SLUG}/console", producer.session)
        texts = [
            "Xin hỏi khi nào thành phố triển khai chữ ký số miễn phí cho hộ kinh doanh?",
            "Thủ tục đăng ký hộ kinh doanh trực tuyến mất bao lâu?",
            "Khi nào có chữ ký số miễn phí cho hộ kinh doanh ạ?",
            "Câu hỏi này sẽ bị từ chối vì không đúng chủ đề của buổi đối thoại.",
            "Câu hỏi này chờ duyệt đến hết buổi đối thoại, có số điện thoại kèm theo.",
        ]
        codes = [submit(server.url, SLUG, text=t, **ASKER, **CONTACT) for t in texts[:4]]
        codes.append(submit(server.url, SLUG, text=texts[4], channel="widget", **ASKER, **CONTACT))
        entry = moderator.post(
            f"/api/v1/dialogues/{SLUG}/questions",
            {"text": "Người dân gọi đường dây nóng hỏi về mạng 5G ở vùng núi.", "channel":
             "hotline", **ASKER, **CONTACT},
        )  # fmt: skip
        assert entry.status_code == 202, entry.text
        codes.append(entry.json()["tracking_code"])
        ids = question_ids(server.env["REDIS_URL"], codes)
        live, written, merged, rejected = (ids[c] for c in codes[:4])
        for qid in (live, written):
            moderator.act(SLUG, qid, "approve")
            moderator.act(SLUG, qid, "assign", official_id=OFFICIAL_ID)
        moderator.act(SLUG, merged, "merge", into=live)
        moderator.act(SLUG, rejected, "reject", reason="off_topic")
        httpx.post(
            f"{server.url}/api/v1/dialogues/{SLUG}/questions/{live}/votes",
            json={"voter": "canary-voter-1"},
        ).raise_for_status()
        producer.act(SLUG, live, "queue")
        producer.act(SLUG, live, "on_air")
        producer.act(SLUG, live, "answer")
        official.act(SLUG, live, "summarize", text="Huế sẽ cấp chữ ký số miễn phí từ quý tới.")
        moderator.act(SLUG, written, "defer")
        official.act(SLUG, written, "answer", text="Thủ tục mất ba ngày làm việc.")
        token = producer.client.get(f"/api/v1/dialogues/{SLUG}/screen").json()["token"]
        _end_broadcast(admin)
        _phase(admin, "archived")
        # The webhook answered 500 once, after the e-mail that came first was
        # refused; then the address works, and every asker is told.
        wait_until(lambda: hook.posts, "the first webhook")
        smtp.refuse.clear()
        wait_until(lambda: len(smtp.to(EMAIL)) == len(hook.accepted()) == TOLD, "askers told")
        try:
            yield Broadcast(
                server, redis_server, moderator, staff, codes, ids, public, console, token,
                smtp, hook,
            )  # fmt: skip
        finally:
            for member in staff.values():
                member.close()
            public.close()
            console.close()


def _hits(where: str, text: str) -> list[str]:
    return [f"{where}: {label}" for label in leaks.found(text, canary(), markers=False)]


def _feed_hits(feed: Listener, where: str) -> list[str]:
    """The canary in any message ``feed`` got (which saw both answers)."""
    messages = feed.close()
    assert sum('"question.answered"' in m for m in messages) == 2, f"{where}: no broadcast"
    return [hit for message in messages for hit in _hits(where, message)]


def test_no_export_route_goes_unchecked() -> None:
    """Every export route of the app is one this module checks."""
    exports = {path for _, path in app_routes() if "export" in path or "report" in path}
    assert exports == {"/api/v1/dialogues/{slug}/export", "/api/v1/dialogues/{slug}/report"}, (
        exports
    )


def test_moderators_see_the_canary(broadcast: Broadcast) -> None:
    """Control: a moderator's view of each question carries the contact data
    (so the checks below, which look for it, can see it when it is there)."""
    for code in broadcast.codes:
        qid = broadcast.ids[code]
        view = broadcast.moderator.client.get(f"/api/v1/dialogues/{SLUG}/questions/{qid}")
        assert view.json()["contact"] == {"phone": "+84912468013", "email": EMAIL}
        assert _hits("control", view.text)


def test_askers_were_told_with_their_contact(broadcast: Broadcast) -> None:
    """Control: the e-mails went to the canary's address, and the webhook
    carried its phone and address (the notices did run while the logs and
    Redis were written)."""
    assert len(broadcast.smtp.to(EMAIL)) == TOLD
    for doc in broadcast.hook.accepted():
        assert doc["contact"] == {"phone": "+84912468013", "email": EMAIL}
    assert broadcast.hook.posts[0][2] == 500


def test_public_payloads_never_carry_it(broadcast: Broadcast) -> None:
    """The public API, pages, tracking, archive, overlay and widget calls, and
    every message the public feed sent during the broadcast, are clean."""
    base = broadcast.server.url
    urls = [
        "/", "/api/v1/dialogues", f"/api/v1/dialogues/{SLUG}", f"/api/v1/dialogues/{SLUG}/feed",
        f"/api/v1/dialogues/{SLUG}/archive", f"/api/v1/dialogues/{SLUG}/challenge",
        f"/d/{SLUG}", f"/d/{SLUG}/archive", f"/d/{SLUG}/archive?by=official",
        f"/d/{SLUG}/screen?token={broadcast.screen_token}", f"/widget/check/{SLUG}",
    ]  # fmt: skip
    for code in broadcast.codes:
        urls += [f"/api/v1/tracking/{code}", f"/t/{code}"]
    found = []
    with httpx.Client(base_url=base, timeout=20) as client:
        for url in urls:
            response = client.get(url, headers={"Origin": base})
            assert response.status_code == 200, f"{url}: {response.status_code}"
            found += _hits(url, response.text)
        widget = client.get(f"/api/v1/dialogues/{SLUG}/feed", headers={"Origin": "http://x.vn"})
        found += _hits("feed for a foreign page", widget.text)
    with connect(base.replace("http://", "ws://") + f"/ws/v1/dialogues/{SLUG}/feed") as viewer:
        found += _hits("a new viewer's snapshot", str(viewer.recv(timeout=20)))
    found += _feed_hits(broadcast.public, "public feed message")
    assert not found, found


def test_staff_who_are_not_moderators_never_get_it(broadcast: Broadcast) -> None:
    """A producer's and an official's question lists and views, and every
    message of the staff feed (it never carries contact data), are clean."""
    found = []
    for role in ("producer", "official"):
        member = broadcast.staff[role]
        found += _hits(f"{role}'s questions", member.client.get(
            f"/api/v1/dialogues/{SLUG}/questions?limit=500").text)  # fmt: skip
        for code in broadcast.codes:
            qid = broadcast.ids[code]
            view = member.client.get(f"/api/v1/dialogues/{SLUG}/questions/{qid}")
            found += _hits(f"{role}'s view of {qid}", view.text)
    found += _feed_hits(broadcast.console, "staff feed message")
    assert not found, found


def test_exports_without_the_flag_never_carry_it(broadcast: Broadcast) -> None:
    """CSV, XLSX and JSON exports, over HTTP and from the CLI, hold the canary
    only when the contact flag asks for it; the report to the leadership never."""
    found = []
    client = broadcast.moderator.client
    for query in ("", "?format=json", "?format=csv&contact=false"):
        response = client.get(f"/api/v1/dialogues/{SLUG}/export{query}")
        assert response.status_code == 200, response.text
        found += _hits(f"export{query}", response.text)
    book = client.get(f"/api/v1/dialogues/{SLUG}/export?format=xlsx")
    found += _hits("XLSX export", _workbook_text(book.content))
    for lang in ("vi", "en"):
        report = client.get(f"/api/v1/dialogues/{SLUG}/report?lang={lang}")
        assert report.status_code == 200, report.text
        found += _hits(f"report ({lang})", _docx_text(report.content))
    for args in (["--json"], []):
        found += _hits(f"CLI export {args}", _cli(broadcast, "dialogue", "export", SLUG, *args))
    assert not found, found
    flagged = client.get(f"/api/v1/dialogues/{SLUG}/export?format=json&contact=true")
    assert EMAIL in flagged.text  # control
    assert EMAIL in _cli(broadcast, "dialogue", "export", SLUG, "--with-contact")
    flagged_book = client.get(f"/api/v1/dialogues/{SLUG}/export?format=xlsx&contact=true")
    assert EMAIL in _workbook_text(flagged_book.content)  # control


def _workbook_text(body: bytes) -> str:
    book = load_workbook(io.BytesIO(body))
    return "\n".join(
        str(v) for s in book.worksheets for row in s.iter_rows(values_only=True) for v in row
    )


def _docx_text(body: bytes) -> str:
    """Every text of the document (its tables' too), as it is stored."""
    with zipfile.ZipFile(io.BytesIO(body)) as parts:
        xml = [name for name in parts.namelist() if name.endswith((".xml", ".rels"))]
        return "\n".join(parts.read(name).decode() for name in xml)


def _cli(broadcast: Broadcast, *args: str) -> str:
    """``doithoai <args>`` on the test's Redis: its stdout and stderr together."""
    names = {s.env for s in SETTINGS}
    with tempfile.TemporaryDirectory(prefix="dt-cli-") as data:
        env = {k: v for k, v in os.environ.items() if k not in names}
        env |= {"REDIS_URL": broadcast.redis_url, "DOITHOAI_DATA_DIR": data,
                "DOITHOAI_LOG_LEVEL": "debug", "PYTHONPATH": str(REPO_ROOT)}  # fmt: skip
        done = subprocess.run(
            [sys.executable, "-m", "server", *args],
            env=env, cwd=data, capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
    return done.stdout + done.stderr


def _dump(client: redis.Redis, key: str) -> Any:
    kind = client.type(key)
    readers: dict[str, Callable[[str], Any]] = {
        "string": client.get,
        "hash": client.hgetall,
        "list": lambda k: client.lrange(k, 0, -1),
        "set": client.smembers,
        "zset": lambda k: client.zrange(k, 0, -1, withscores=True),
        "stream": client.xrange,
    }
    return readers[str(kind)](key)


def test_redis_holds_it_only_in_the_contact_hashes(broadcast: Broadcast) -> None:
    """No key but a question's contact hash holds the canary (in its name or value)."""
    client = redis.Redis.from_url(broadcast.redis_url, decode_responses=True)
    try:
        found, holders = [], 0
        for key in client.scan_iter(count=1000):
            text = f"{key} {_dump(client, key)}"
            hits = _hits(key, text)
            if CONTACT_KEY.match(key):
                holders += bool(hits)
            else:
                found += hits
    finally:
        client.close()
    assert not found, found
    assert holders == len(broadcast.codes)  # control: the scan does see the canary


def test_no_log_line_carries_it(broadcast: Broadcast) -> None:
    """The server's output at debug level, access log and the notices'
    failures included, is clean after everything above (run last: it reads
    the log as the other tests left it)."""
    output = broadcast.server.output()
    assert "GET /api/v1/dialogues/chuyen-doi-so/feed" in output  # the access log is in it
    assert "(email: SMTPRecipientsRefused 550" in output  # and the refused e-mail
    assert "webhook: HTTP 500" in output  # and the failed webhook
    found = [f"line {n}: {line[:200]}" for n, line in enumerate(output.splitlines(), 1)
             if leaks.found(line, canary())]  # fmt: skip
    assert not found, found


def test_no_log_line_carries_a_tracking_code_or_the_overlay_token(broadcast: Broadcast) -> None:
    """Tracking codes and the overlay's token travel in paths (``/t/<code>``,
    ``?token=``); the access log shows them as ``…``."""
    output = broadcast.server.output()
    assert '"GET /t/… HTTP/1.1" 200' in output  # control: the pages were visited
    assert "/d/chuyen-doi-so/screen?token=… HTTP/1.1" in output
    secrets = [*broadcast.codes, broadcast.screen_token]
    found = [f"line {n}: {line[:200]}" for n, line in enumerate(output.splitlines(), 1)
             if any(secret in line for secret in secrets)]  # fmt: skip
    assert not found, found
