"""The widget in Chromium, embedded by a portal on another origin than the
app: ask, follow and watch live; retries that never duplicate; hostile text;
an origin that may not embed; accessibility and small screens."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, Route, WebSocketRoute, expect

from server.actions import Services
from server.domain.model import Actor, Role
from tests.support.browser import heard, pressed_on, wait_for_drawn
from tests.support.store import with_actions

from .conftest import AXE, OFFICIAL, Site

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

TEXT = "Xin hỏi khi nào thành phố hoàn thành phủ sóng 4G cho các thôn vùng cao xã A Lưới 2?"
ANSWER = "Sở sẽ phối hợp với các nhà mạng để phủ sóng toàn bộ các thôn trong quý II năm sau."


def open_widget(browser: Browser, url: str, **context: Any) -> tuple[Page, Locator]:
    """A fresh context's page on ``url``, and the widget once its feed is live."""
    page = browser.new_context(locale="vi-VN", **context).new_page()
    page.goto(url)
    widget = page.locator("doithoai-widget")
    expect(widget.locator(".conn")).to_have_attribute("data-state", "live")
    page.evaluate("window.__sameDocument = true")
    return page, widget


def fill_question(widget: Locator, text: str = TEXT, name: str = "Trần Văn Bình") -> None:
    widget.get_by_label("Họ và tên").fill(name)
    widget.get_by_label(re.compile("^Địa phương")).select_option("Xã A Lưới 2")
    widget.get_by_label(re.compile("^Lĩnh vực")).select_option(label="Kinh tế số")
    widget.get_by_label("Câu hỏi", exact=True).fill(text)


def tracking_code(widget: Locator) -> str:
    code = widget.locator(".code")
    expect(code).to_have_text(re.compile(r"^\S{16}$"))
    return str(code.text_content())


def card(widget: Locator, list_id: str, text: str) -> Locator:
    return widget.locator(f"section[aria-labelledby='dw-{list_id}'] li.q").filter(has_text=text)


def test_question_asked_in_the_widget_is_answered_live_without_reload(
    chromium: Browser, site: Site
) -> None:
    """A citizen asks from the widget on a portal; the moderator approves and the
    producer puts it on air and marks it answered, its official writes the
    summary, through the API; the widget shows it on air, then the answer, in
    the same document."""
    page, widget = open_widget(chromium, site.page_url())
    expect(
        widget.get_by_role("heading", name="Đối thoại trực tuyến về chuyển đổi số")
    ).to_be_visible()
    fill_question(widget)
    expect(widget.locator(".char-count")).to_have_text(f"{len(TEXT)}/2000 ký tự")
    widget.get_by_role("button", name="Gửi câu hỏi").click()
    expect(widget.get_by_text("Đã nhận câu hỏi của Ông/Bà")).to_be_visible()
    code = tracking_code(widget)
    link = widget.get_by_role("link", name=re.compile("Xem tình trạng câu hỏi"))
    expect(link).to_have_attribute("href", f"{site.app.url}/t/{code}")

    q = site.publish(code)
    waiting = card(widget, "waiting", TEXT)
    expect(waiting).to_be_visible()
    expect(waiting).to_contain_text("Trần Văn Bình")
    expect(waiting).to_contain_text("Kinh tế số")

    site.act("w-producer", q["id"], "on_air")
    on_air = widget.locator(".air li.q").filter(has_text=TEXT)
    expect(on_air).to_be_visible()
    expect(widget.locator("[aria-live]").filter(has_text="Đang trả lời: ")).to_have_count(1)
    site.act("w-producer", q["id"], "answer")
    site.act("w-official", q["id"], "summarize", text=ANSWER)
    answered = card(widget, "answered", TEXT)
    expect(answered.locator(".a-text")).to_have_text(ANSWER)
    expect(answered.locator(".a-by")).to_contain_text("Trả lời trực tiếp")
    expect(answered.locator(".a-by")).to_contain_text(f"{OFFICIAL['name']}, {OFFICIAL['title']}")
    expect(widget.locator(".air li.q")).to_have_count(0)
    expect(widget.get_by_text("Vừa có câu trả lời: " + TEXT)).to_be_attached()
    assert page.evaluate("window.__sameDocument") is True
    page.context.close()


def test_html_and_script_in_a_question_show_as_text(chromium: Browser, site: Site) -> None:
    """A question, a name and an answer made of HTML and script show as plain
    text in the widget; none of it becomes an element or runs."""
    payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> có chạy không?'
    name = '<b onmouseover="window.__xss=3">Kẻ xấu</b>'
    page, widget = open_widget(chromium, site.page_url())
    fill_question(widget, payload, name)
    widget.get_by_role("button", name="Gửi câu hỏi").click()
    q = site.publish(tracking_code(widget))
    site.answer_live(q["id"], '<svg onload="window.__xss=4"></svg> trả lời')
    answered = card(widget, "answered", "có chạy không?")
    expect(answered.locator(".q-text")).to_have_text(payload)
    expect(answered.locator(".meta").first).to_contain_text(name)
    expect(answered.locator(".a-text")).to_have_text('<svg onload="window.__xss=4"></svg> trả lời')
    expect(widget.locator("img, script, svg, b")).to_have_count(0)
    assert page.evaluate("window.__xss") is None
    page.context.close()


def test_a_site_not_on_the_list_cannot_use_the_dialogue(chromium: Browser, site: Site) -> None:
    """On a portal whose origin the dialogue does not list, the widget says the
    dialogue is unavailable here and shows no form; the page's own POST is
    refused and nothing is stored."""
    page = chromium.new_context(locale="vi-VN").new_page()
    page.goto(site.page_url(site.foreign.origin))
    widget = page.locator("doithoai-widget")
    notice = widget.get_by_role("alert")
    expect(notice).to_have_text("Cuộc đối thoại này không được mở trên trang web này.")
    expect(widget.get_by_label("Câu hỏi", exact=True)).to_be_hidden()
    outcome = page.evaluate(
        """async (url) => {
            try {
                const r = await fetch(url, {
                    method: "POST",
                    headers: {"Content-Type": "application/json"},
                    body: JSON.stringify({text: "Câu hỏi từ trang lạ có được không?", name: "Ai"}),
                });
                return "status " + r.status;
            } catch (e) {
                return "refused";
            }
        }""",
        f"{site.api}/questions",
    )
    assert outcome == "refused"
    assert site.stored() == []
    page.context.close()


def test_a_site_taken_off_the_list_cannot_submit(chromium: Browser, site: Site) -> None:
    """When the portal's origin is taken off the dialogue's list while the widget
    is open, sending is refused: the widget says the dialogue is unavailable
    on this site, and no question is stored."""
    page, widget = open_widget(chromium, site.page_url())
    fill_question(widget)

    async def unlist(actions: Services) -> None:
        dialogue = await actions.dialogues.get(site.slug)
        await actions.dialogues.update(dialogue, {"widget_origins": []})

    with_actions(site.redis_url, unlist)
    widget.get_by_role("button", name="Gửi câu hỏi").click()
    expect(widget.get_by_role("alert")).to_have_text(
        "Cuộc đối thoại này không được mở trên trang web này."
    )
    assert site.stored() == []
    page.context.close()


def test_a_dropped_response_is_retried_into_one_question(chromium: Browser, site: Site) -> None:
    """The first submission reaches the server but its response is lost: the
    widget retries by itself with the same submission id, and the store holds
    one question, whose tracking code the widget shows."""
    page, widget = open_widget(chromium, site.page_url())
    sent: list[dict[str, Any]] = []
    first: dict[str, str] = {}

    def drop_first(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        sent.append(json.loads(route.request.post_data or "{}"))
        if first:
            route.continue_()
            return
        response = route.fetch()
        first["code"] = response.json()["tracking_code"]
        route.abort("connectionreset")

    page.route(f"{site.api}/questions?*", drop_first)
    fill_question(widget)
    widget.get_by_role("button", name="Gửi câu hỏi").click()
    assert tracking_code(widget) == first["code"]
    assert len(sent) == 2
    assert sent[0]["submission_id"] == sent[1]["submission_id"]
    stored = site.stored()
    assert [(q.tracking_code, q.channel) for q in stored] == [(first["code"], "widget")]
    page.context.close()


def test_busy_and_rate_limited_answers_say_what_to_do(chromium: Browser, site: Site) -> None:
    """A 503 with Retry-After is retried by itself after saying so; a 429 tells
    the citizen how many seconds to wait and is not retried."""
    page, widget = open_widget(chromium, site.page_url())
    busy = {"code": "unavailable", "message": "Hệ thống tạm thời gián đoạn.", "field": None}
    calls = site.refuse_first_question(page, 503, busy, {"Retry-After": "1"})
    fill_question(widget)
    widget.get_by_role("button", name="Gửi câu hỏi").click()
    expect(
        widget.get_by_text("Hệ thống đang bận. Chúng tôi sẽ tự gửi lại sau 1 giây…")
    ).to_be_visible()
    tracking_code(widget)
    assert len(calls) == 2

    page.unroute(f"{site.api}/questions?*")
    limited: list[int] = []

    def too_fast(route: Route) -> None:
        limited.append(1)
        error = {"code": "rate_limited", "message": "Ông/Bà gửi hơi nhanh.", "field": None}
        body = {"error": error}
        route.fulfill(status=429, headers={**site.cors, "Retry-After": "42"}, json=body)

    page.route(f"{site.api}/questions?*", too_fast)
    widget.get_by_role("button", name="Gửi câu hỏi khác").click()
    fill_question(widget, "Câu hỏi thứ hai về dịch vụ công trực tuyến mức độ 4.")
    widget.get_by_role("button", name="Gửi câu hỏi").click()
    expect(
        widget.get_by_text("Ông/Bà gửi hơi nhanh. Vui lòng đợi 42 giây rồi gửi lại.")
    ).to_be_visible()
    expect(widget.get_by_role("button", name="Gửi câu hỏi")).to_be_enabled()
    assert len(limited) == 1
    page.context.close()


def test_form_errors_are_shown_beside_their_fields(chromium: Browser, site: Site) -> None:
    """Every mistake comes back at once, from the server: each beside its field
    (aria-invalid, its message in the field's description), all listed in a
    summary at the top that takes the focus and whose links lead to the
    fields; once fixed, the question is accepted."""
    page, widget = open_widget(chromium, site.page_url())
    widget.get_by_label("Câu hỏi", exact=True).fill("Ngắn quá")
    widget.get_by_label("Số điện thoại", exact=True).fill("0912")
    widget.get_by_role("button", name="Gửi câu hỏi").click()
    summary = widget.locator("#dw-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Vui lòng nhập họ và tên.",
            re.compile("^Câu hỏi quá ngắn"),
            re.compile("^Số điện thoại không hợp lệ"),
            re.compile("[Vv]ui lòng đồng ý"),
        ]
    )
    name = widget.get_by_label("Họ và tên")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description("Vui lòng nhập họ và tên.")
    expect(widget.get_by_label("Câu hỏi", exact=True)).to_have_accessible_description(
        re.compile("Câu hỏi quá ngắn: cần ít nhất 10 ký tự")
    )
    phone = widget.get_by_label("Số điện thoại", exact=True)
    expect(phone).to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link", name=re.compile("^Số điện thoại")).click()
    expect(phone).to_be_focused()
    assert site.stored() == []
    fill_question(widget)
    phone.fill("0912 345 678")
    widget.get_by_label(re.compile("Tôi đồng ý")).check()
    widget.get_by_role("button", name="Gửi câu hỏi").click()
    tracking_code(widget)
    page.context.close()


def test_english_widget_and_english_api_messages(chromium: Browser, site: Site) -> None:
    """With lang="en" the widget and the API's messages are in English."""
    page, widget = open_widget(chromium, site.page_url(lang="en"))
    expect(widget.get_by_role("heading", name="Ask a question")).to_be_visible()
    _fill_en(widget)
    widget.get_by_label("Phone number", exact=True).fill("123")
    widget.get_by_label(re.compile("I agree")).check()
    widget.get_by_role("button", name="Send question").click()
    expect(widget.locator("#dw-e-phone")).to_contain_text("The phone number is not valid")
    page.context.close()


def test_a_filled_honeypot_is_answered_like_a_success_and_kept_nowhere(
    chromium: Browser, site: Site
) -> None:
    """When the hidden trap field is filled (a form robot), the widget sends it
    as the public page does; the server answers with a tracking code as usual
    and keeps nothing."""
    page, widget = open_widget(chromium, site.page_url())
    trap = widget.locator("input[name='website']")
    expect(trap).to_have_attribute("tabindex", "-1")
    expect(trap).to_have_attribute("autocomplete", "off")
    fill_question(widget)
    trap.evaluate("node => { node.value = 'http://spam.example' }")
    with page.expect_request(lambda r: r.method == "POST") as request:
        widget.get_by_role("button", name="Gửi câu hỏi").click()
    assert json.loads(request.value.post_data or "{}")["website"] == "http://spam.example"
    tracking_code(widget)
    assert site.stored() == []
    page.context.close()


def test_draft_and_submission_id_survive_a_reload(chromium: Browser, site: Site) -> None:
    """A half-written question survives a reload of the portal page, with the
    same submission id, and is forgotten once the question is accepted."""
    page, widget = open_widget(chromium, site.page_url())
    fill_question(widget)
    key = f"doithoai-widget:draft:{site.app.url}:{site.slug}"
    page.reload()
    expect(widget.locator(".conn")).to_have_attribute("data-state", "live")
    expect(widget.get_by_label("Câu hỏi", exact=True)).to_have_value(TEXT)
    expect(widget.get_by_label(re.compile("^Lĩnh vực"))).to_have_value("kinh-te-so")
    expect(widget.get_by_label(re.compile("^Địa phương"))).to_have_value("Xã A Lưới 2")
    with page.expect_request(lambda r: r.method == "POST") as request:
        widget.get_by_role("button", name="Gửi câu hỏi").click()
    sent = json.loads(request.value.post_data or "{}")
    tracking_code(widget)
    assert page.evaluate("k => localStorage.getItem(k)", key) is None
    assert len(sent["submission_id"]) == 36
    page.context.close()


def test_one_upvote_per_device(chromium: Browser, site: Site) -> None:
    """A citizen upvotes a published question once; the count rises, the button
    stays pressed after a reload, and a second press adds nothing."""
    site.publish(site.ask(TEXT))
    page, widget = open_widget(chromium, site.page_url())
    button = card(widget, "waiting", TEXT).get_by_role(
        "button", name=re.compile("Tôi cũng muốn hỏi")
    )
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_have_accessible_name(re.compile("1 lượt ủng hộ"))
    page.reload()
    expect(button).to_have_attribute("aria-pressed", "true")
    button.click()
    feed = httpx.get(f"{site.api}/feed", timeout=10).json()
    assert [q["votes"] for q in feed["questions"]] == [1]
    expect(button).to_have_accessible_name(re.compile("1 lượt ủng hộ"))
    page.context.close()


def test_the_voter_id_is_the_public_pages_and_an_older_one_is_kept(
    chromium: Browser, site: Site
) -> None:
    """The widget votes with the device id under the public page's key
    ("doithoai.voter"); a device that has the widget's older key keeps its id,
    moved to the new key."""
    site.publish(site.ask(TEXT))
    context = chromium.new_context(locale="vi-VN")
    context.add_init_script(
        "if (!sessionStorage.getItem('seeded')) {"
        " sessionStorage.setItem('seeded', '1');"
        " localStorage.setItem('doithoai-widget:voter', JSON.stringify('thiet-bi-cu-0001')); }"
    )
    page = context.new_page()
    page.goto(site.page_url())
    widget = page.locator("doithoai-widget")
    expect(widget.locator(".conn")).to_have_attribute("data-state", "live")
    with page.expect_request(lambda r: r.method == "POST") as posted:
        card(widget, "waiting", TEXT).get_by_role(
            "button", name=re.compile("Tôi cũng muốn hỏi")
        ).click()
    assert json.loads(posted.value.post_data or "{}")["voter"] == "thiet-bi-cu-0001"
    keys = page.evaluate(
        "[localStorage.getItem('doithoai.voter'), localStorage.getItem('doithoai-widget:voter')]"
    )
    assert keys == ['"thiet-bi-cu-0001"', None]
    context.close()


def test_closing_the_dialogue_replaces_the_form_with_a_notice(
    chromium: Browser, site: Site
) -> None:
    """When the dialogue stops taking questions, the open widget hides the form
    and says so."""
    page, widget = open_widget(chromium, site.page_url())
    expect(widget.get_by_label("Câu hỏi", exact=True)).to_be_visible()

    async def close(actions: Services) -> None:  # the producer ends the broadcast
        producer = Actor("w-producer", frozenset({Role.PRODUCER}))
        await actions.closing.close(await actions.dialogues.get(site.slug), producer)

    with_actions(site.redis_url, close)
    expect(widget.get_by_text("Cuộc đối thoại hiện không nhận câu hỏi.")).to_be_visible()
    expect(widget.get_by_label("Câu hỏi", exact=True)).to_be_hidden()
    expect(widget.locator(".badge").first).to_have_text(
        "Đã kết thúc — tiếp tục trả lời bằng văn bản"
    )
    page.context.close()


def test_a_silent_link_is_dropped_and_resumed(chromium: Browser, site: Site) -> None:
    """When the feed goes silent (no heartbeat for 2.5 periods), the widget
    drops the socket, reconnects with after=<last id>, and gets what it missed."""
    page = chromium.new_context(locale="vi-VN").new_page()
    urls: list[str] = []

    def relay(ws: WebSocketRoute) -> None:
        urls.append(ws.url)
        server = ws.connect_to_server()
        if len(urls) == 1:  # the first socket opens, then hears nothing at all
            server.on_message(lambda message: None)

    page.route_web_socket(re.compile(r"/ws/v1/dialogues/"), relay)
    page.goto(site.page_url(heartbeat="1"))
    widget = page.locator("doithoai-widget")
    expect(widget.locator(".conn")).to_have_attribute("data-state", "live")
    site.publish(site.ask(TEXT))
    expect(card(widget, "waiting", TEXT)).to_be_visible(timeout=15_000)
    assert len(urls) == 2
    assert "after=" in urls[1]
    page.context.close()


def test_no_horizontal_scroll_at_320_px(chromium: Browser, site: Site) -> None:
    """At 320 px wide the widget, with long unbroken text, fits without
    horizontal scrolling."""
    long_word = "https://dichvucong.example.vn/" + "x" * 200
    q = site.publish(site.ask(f"Đường dẫn này không mở được: {long_word}", name="N" * 100))
    site.answer_live(q["id"], long_word)
    site.publish(site.ask(TEXT, organization="Công ty " + "T" * 150))
    page, widget = open_widget(chromium, site.page_url(), viewport={"width": 320, "height": 640})
    expect(card(widget, "answered", "Đường dẫn này")).to_be_visible()
    widget.get_by_role("button", name="Gửi câu hỏi").click()
    widths = page.evaluate(
        """() => {
            const host = document.querySelector("doithoai-widget");
            const page = document.documentElement;
            return [page.scrollWidth, host.scrollWidth, host.clientWidth, innerWidth];
        }"""
    )
    doc, host_scroll, host_client, viewport = widths
    assert doc <= viewport
    assert host_scroll <= host_client
    page.context.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_axe_finds_no_violation(chromium: Browser, site: Site, lang: str) -> None:
    """axe-core finds no violation at all on the demo portal's page and in the
    widget: with questions on air, answered and waiting, with form errors,
    after sending (the code and "My questions" shown), and after a reload."""
    q = site.publish(site.ask(TEXT))
    site.answer_live(q["id"], ANSWER)
    site.publish(site.ask("Thủ tục hành chính trực tuyến còn rườm rà, thành phố có kế hoạch gì?"))
    air = site.publish(site.ask("Khi nào có wifi miễn phí ở các điểm du lịch của thành phố Huế?"))
    site.act("w-producer", air["id"], "on_air")
    page, widget = open_widget(chromium, site.page_url(lang=lang), bypass_csp=True)
    expect(widget.locator(".air li.q")).to_have_count(1)
    page.add_script_tag(path=str(AXE))

    def violations() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = page.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ["violations"]});
                return result.violations.map(v => ({id: v.id, impact: v.impact,
                    nodes: v.nodes.map(n => n.target)}));
            }"""
        )
        return found

    assert violations() == []
    send = "Gửi câu hỏi" if lang == "vi" else "Send question"
    widget.get_by_role("button", name=send).click()
    expect(widget.locator(".ask-summary")).to_be_focused()
    expect(widget.locator(".field-error:visible").first).to_be_visible()
    assert violations() == []
    if lang == "vi":
        fill_question(widget)
    else:
        _fill_en(widget)
    widget.get_by_role("button", name=send).click()
    code = tracking_code(widget)
    expect(widget.locator(f'.mine li[data-code="{code}"]')).to_be_visible()
    assert violations() == []
    page.reload()
    expect(widget.locator(".conn")).to_have_attribute("data-state", "live")
    expect(widget.locator(f'.mine li[data-code="{code}"] .mine-status')).not_to_be_empty()
    page.add_script_tag(path=str(AXE))
    assert violations() == []
    page.context.close()


def _fill_en(widget: Locator) -> None:
    widget.get_by_label("Full name").fill("Lan Ho")
    widget.get_by_label("Question", exact=True).fill(TEXT)


def test_message_catalogs_have_the_same_keys(chromium: Browser, site: Site) -> None:
    """The widget's English catalog names only messages the Vietnamese one
    names too (English shows the others as their msgids), none empty."""
    page, _ = open_widget(chromium, site.page_url())
    vi, en = page.evaluate(
        """async (url) => {
            const {MESSAGES} = await import(url);
            return [MESSAGES.vi, MESSAGES.en];
        }""",
        f"{site.app.url}/widget.js",
    )
    assert len(vi) > 50 and set(en) <= set(vi)
    assert all(isinstance(v, str) and v.strip() for v in [*vi.values(), *en.values()])
    page.context.close()


@contextmanager
def space_on(page: Page, control: Locator) -> Iterator[None]:
    """Space down on ``control`` while the block runs, up after it: a keyboard
    user's click, which a button takes at the key's release."""
    control.focus()
    page.keyboard.down(" ")
    try:
        yield
    finally:
        page.keyboard.up(" ")


@pytest.mark.parametrize("press", [pressed_on, space_on], ids=["pointer", "space"])
def test_a_vote_pressed_while_its_card_changes_is_kept(
    chromium: Browser, site: Site, press: Callable[[Page, Locator], AbstractContextManager[None]]
) -> None:
    """The card is drawn again when its question changes (its votes, in a
    storm of them, every second): a press that began on the old card and ends
    on a new one would be no click at all. While a pointer (or Space, on a
    button) is down in the widget, drawing waits for its release; then the
    change shows."""
    published = site.publish(site.ask(TEXT))
    page = chromium.new_context(locale="vi-VN").new_page()
    frames = heard(page)
    page.goto(site.page_url())
    widget = page.locator("doithoai-widget")
    expect(widget.locator(".conn")).to_have_attribute("data-state", "live")
    vote = re.compile("Tôi cũng muốn hỏi")
    edited = TEXT.replace("4G", "5G")
    with press(page, card(widget, "waiting", TEXT).get_by_role("button", name=vote)):
        q = site.staff["w-moderator"].question(site.slug, published["id"])
        site.act("w-moderator", q["id"], "edit", text=edited, version=q["version"])
        wait_for_drawn(page, frames, "5G")
    button = card(widget, "waiting", edited).get_by_role("button", name=vote)
    expect(button).to_have_attribute("aria-pressed", "true")
    feed = httpx.get(f"{site.api}/feed", timeout=10).json()
    assert [q["votes"] for q in feed["questions"]] == [1]
    page.context.close()
