"""A broadcast with known numbers, for the figures and the documents made
from them: nine questions by web, widget, hotline and paper, on two topics
and from two places (and none), approved, rejected, merged, answered live
and in writing, owed at the wrap-up and overdue a month later."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from server.actions import Record, Services, build
from server.domain.model import Actor, Dialogue, Role
from server.store.connection import Store, connect
from tests.support.dialogues import DEPUTY, LOCALITIES, OFFICIAL, TOPICS
from tests.support.store import store_on

ADMIN = Actor("admin", frozenset({Role.ADMIN}))
#: The broadcast: a Monday morning in Huế; the report: a month later.
AIRED = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
REPORTED = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
TITLE = "Đối thoại trực tuyến về chuyển đổi số thành phố Huế"
FORMULA = '=HYPERLINK("http://evil.example","bấm vào đây") xin hỏi về chữ ký số?'
THUAN_HOA, A_LUOI = LOCALITIES
#: name -> (text, channel, topic, locality)
ASKED = {
    "a": ("Khi nào Huế phủ sóng 5G ở các xã miền núi?", "web", "chinh-quyen-so", THUAN_HOA),
    "b": ("Hộ kinh doanh được hỗ trợ chữ ký số thế nào?", "web", "kinh-te-so", A_LUOI),
    "c": ("Thủ tục cấp đổi giấy phép lái xe trực tuyến ra sao?", "hotline", "chinh-quyen-so",
          THUAN_HOA),
    "d": ("Chợ truyền thống có được hỗ trợ thanh toán không dùng tiền mặt?", "paper",
          "kinh-te-so", None),
    "e": ("Ứng dụng Hue-S sẽ có thêm dịch vụ gì năm tới?", "web", None, A_LUOI),
    "f": ("Quảng cáo bán hàng giảm giá, mời xem trang của tôi!", "web", "chinh-quyen-so", None),
    "g": ("Bao giờ 5G phủ sóng các xã vùng cao của thành phố?", "web", "chinh-quyen-so",
          A_LUOI),
    "h": ("Doanh nghiệp nhỏ chuyển đổi số được vay ưu đãi không?", "widget", "kinh-te-so",
          THUAN_HOA),
    "i": (FORMULA, "web", None, None),
}  # fmt: skip


@dataclass
class Broadcast:
    dialogue: Dialogue
    ids: dict[str, str]
    services: Services
    record: Record


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = connect(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def broadcast(redis: Redis) -> Broadcast:
    store: Store = store_on(redis)
    clock = Clock(AIRED)
    services = build(store, clock=clock)
    dialogue = await services.dialogues.create(
        slug="chuyen-doi-so", title=TITLE, status="live", topics=TOPICS,
        officials=[OFFICIAL, DEPUTY], localities=LOCALITIES,
    )  # fmt: skip
    ids = {}
    for name, (text, channel, topic, locality) in ASKED.items():
        body = {"text": text, "name": "Nguyễn Thị Hoa", "channel": channel}
        body |= {"topic": topic} if topic else {}
        body |= {"locality": locality} if locality else {}
        staff = ADMIN if channel in ("hotline", "paper") else None
        ids[name] = (await services.submissions.submit(dialogue, body, staff)).question_id
    await store.intake_worker(
        store.dialogues.ids, services.intake.materialise, "node-a", 30, 5
    ).run_once()

    async def act(name: str, action: str, **body: object) -> None:
        await services.moderation.act(dialogue, ids[name], action, body, ADMIN)

    for name in "abcdeh":
        await act(name, "approve")
    await act("f", "reject", reason="spam")
    await act("g", "merge", into=ids["a"])
    for name in "acd":
        await act(name, "assign", official_id="o1")
    await act("a", "queue")
    await act("a", "on_air")
    await act("a", "answer", text="Cuối năm 2027 mọi xã đều có 5G.")
    await act("b", "assign", official_id="o2")
    await act("b", "defer")
    await act("b", "answer", text="Miễn phí chữ ký số năm đầu cho hộ kinh doanh.")
    await services.closing.close(await services.dialogues.get(dialogue.slug), ADMIN)
    clock.at = REPORTED
    await act("d", "answer", text="Có: các chợ được hỗ trợ mã QR và thiết bị.")
    dialogue = await services.dialogues.get(dialogue.slug)
    record = await services.reports.record(dialogue, ADMIN)
    return Broadcast(dialogue, ids, services, record)
