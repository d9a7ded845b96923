"""Abuse of the public endpoints: token buckets per device and per address,
429 with Retry-After, the honeypot, and the dialogue's proof of work, through
the real app on a real Redis; and, in Chromium, the public page solving the
proof and keeping its honeypot, and the admin page's switch."""

from __future__ import annotations

import functools
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from ipaddress import ip_network
from pathlib import Path
from typing import Any, TypeVar

import httpx
import httpx2
import pytest
import redis
from playwright.sync_api import Browser, expect
from starlette.requests import Request
from starlette.testclient import TestClient

from server.actions import Services
from server.app import create_app
from server.config import Settings
from server.domain import proof
from server.domain.model import SYSTEM, Actor, Role, Status
from server.domain.wording import Refused
from server.store.questions import dialogue_of
from server.web import errors
from tests.helpers import ServerProcess
from tests.support.app import on_app_loop, services_of, settings_of, store_of
from tests.support.browser import through_login
from tests.support.staff import PASSWORD
from tests.support.store import with_actions
from tests.support.streams import oldest_now

SLUG = "chuyen-doi-so"
OTHER = "dialogue-khac"
SECRET = "abuse-test-secret"
KEY = proof.signing_key(SECRET.encode())
#: Low, so that solving in Python takes a few hundred hashes.
BITS = 8
ORIGIN = "http://127.0.0.1:8000"  # Settings' default origin
QUESTIONS = f"/api/v1/dialogues/{SLUG}/questions"
CHALLENGE = f"/api/v1/dialogues/{SLUG}/challenge"
TEXT = "Xin hỏi khi nào thành phố cấp chữ ký số miễn phí cho người dân?"
OFF = (0, 1.0)
MINUTE = 60.0
#: Who ends the broadcast (the wrap-up) where a test needs a closed dialogue.
PRODUCER = Actor("producer", frozenset({Role.PRODUCER}))

T = TypeVar("T")


def _call(client: TestClient, func: Callable[..., Awaitable[T]], /, *args: Any, **kwargs: Any) -> T:
    return on_app_loop(client, functools.partial(func, *args, **kwargs))


@contextmanager
def app_client(
    redis_url: str,
    tmp_path: Path,
    *,
    dialogue: dict[str, Any] | None = None,
    peer: str = "testclient",
    **settings: Any,
) -> Iterator[TestClient]:
    """The app on ``redis_url`` with every public limit off unless given, and
    an open dialogue ``SLUG`` (with ``dialogue``'s fields) and ``OTHER``;
    requests come from ``peer``."""
    base = {
        "redis_url": redis_url,
        "data_dir": tmp_path,
        "secret_key": SECRET,
        "proof_difficulty": BITS,
        "submit_limit": OFF,
        "device_limit": OFF,
        "vote_limit": OFF,
        "voter_limit": OFF,
    }
    app = create_app(Settings.from_env({}, **{**base, **settings}))
    with TestClient(app, client=(peer, 50000)) as client:
        actions: Services = app.state.services
        fields = {"title": "Đối thoại về chuyển đổi số", "status": "open", **(dialogue or {})}
        _call(client, actions.dialogues.create, slug=SLUG, **fields)
        _call(client, actions.dialogues.create, slug=OTHER, title="Một cuộc khác", status="open")
        yield client


def ask(client: TestClient, device: Any = None, **extra: Any) -> httpx2.Response:
    body: dict[str, Any] = {"text": TEXT, "name": "Trần Thị Bình", **extra}
    if device is not None:
        body["device"] = device
    return client.post(QUESTIONS, json=body)


def stored(client: TestClient, slug: str = SLUG) -> set[str]:
    """The ids of the dialogue's questions in any state, those still in the
    inbox (not yet through intake) included."""

    async def work() -> set[str]:
        actions = services_of(client)
        dialogue = await actions.dialogues.get(slug)
        _, questions = await store_of(client).questions.snapshot(dialogue.id, list(Status))
        inbox = await store_of(client).questions.inbox_entries(dialogue.id)
        return {q.id for q in questions} | set(inbox)

    return _call(client, work)


def assert_limited(response: httpx2.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "rate_limited"
    assert response.headers["retry-after"].isdigit()
    assert int(response.headers["retry-after"]) >= 1


# -- every mistake at once, for nothing ---------------------------------------------

#: A question with five mistakes, as a hurried person might send it.
MISTAKES = {
    "text": "Xin hỏi",
    "organization": "x" * 201,
    "contact": {"phone": "0912", "email": "lan@"},
    "device": "thiet-bi-0001",
}


def test_every_mistake_comes_back_at_once_and_costs_nothing(redis_url: str, tmp_path: Path) -> None:
    """A question with several mistakes gets one 400 listing every field at
    fault in the order they are checked, each with its code and its own
    sentence in the reader's language; `field` is still the first, for older
    clients. Refused questions take no token and need no proof: the person
    who fixes them one by one is not held back, and the fixed question is
    accepted at once."""
    one = (1, MINUTE)
    with app_client(
        redis_url, tmp_path, device_limit=one, submit_limit=one, dialogue={"proof_of_work": True}
    ) as client:
        refused = client.post(QUESTIONS, json=MISTAKES)
        assert refused.status_code == 400, refused.text
        error = refused.json()["error"]
        found = [(e["field"], e["code"]) for e in error["errors"]]
        assert found == [
            ("text", "too_short"),
            ("name", "required"),
            ("organization", "too_long"),
            ("contact.phone", "invalid"),
            ("contact.email", "invalid"),
            ("consent", "consent_required"),
        ]
        assert (error["code"], error["field"]) == ("invalid", "text")
        assert error["message"] == error["errors"][0]["message"]
        said = {e["field"]: e["message"] for e in error["errors"]}
        assert said["name"] == "Vui lòng nhập họ và tên."
        assert said["text"] == "Câu hỏi quá ngắn: cần ít nhất 10 ký tự (hiện có 7)."
        english = client.post(f"{QUESTIONS}?lang=en", json=MISTAKES).json()["error"]["errors"]
        assert [e["field"] for e in english] == [field for field, _ in found]
        assert english[1]["message"] == "Please enter the name."
        for _ in range(3):  # fixing one field at a time: each try still free
            assert client.post(QUESTIONS, json={**MISTAKES, "text": TEXT}).status_code == 400
        fixed = {"text": TEXT, "name": "Hồ Thị Lan", "device": MISTAKES["device"]}
        accepted = client.post(QUESTIONS, json={**fixed, "proof": fresh_proof(client)})
        assert accepted.status_code == 202, accepted.text
        assert_limited(client.post(QUESTIONS, json={**fixed, "proof": fresh_proof(client)}))
        assert len(stored(client)) == 1


# -- buckets per device and per address ------------------------------------------


def test_one_device_is_limited_while_another_on_the_same_address_passes(
    redis_url: str, tmp_path: Path
) -> None:
    """With a generous address limit, a device's own bucket empties after its
    limit (429 with Retry-After) while another device behind the same address,
    and a request without a device, still get through."""
    with app_client(
        redis_url, tmp_path, submit_limit=(100, MINUTE), device_limit=(2, MINUTE)
    ) as client:
        first, second = "device-aaaaaaaa", "device-bbbbbbbb"
        assert [ask(client, first).status_code for _ in range(2)] == [202, 202]
        assert_limited(ask(client, first))
        assert ask(client, second).status_code == 202
        assert ask(client).status_code == 202
        assert_limited(ask(client, first))


@pytest.mark.parametrize(
    "device", [123, "short", "x" * 65, "has spaces in it", {"id": "device-aaaaaaaa"}, ["a"], ""]
)
def test_a_missing_or_malformed_device_counts_under_the_address_only(
    redis_url: str, tmp_path: Path, device: Any
) -> None:
    """A device id that is not 8-64 of A-Z a-z 0-9 _ - is no device: the
    submissions pass the one-per-minute device limit and stop at the address's."""
    with app_client(
        redis_url, tmp_path, submit_limit=(3, MINUTE), device_limit=(1, MINUTE)
    ) as client:
        assert [ask(client, device).status_code for _ in range(3)] == [202, 202, 202]
        assert_limited(ask(client, device))


def test_forged_forwarded_for_and_new_devices_share_the_address_bucket(
    redis_url: str, tmp_path: Path
) -> None:
    """From an untrusted peer, neither a forged X-Forwarded-For nor a new device
    id per request escapes the peer's own address bucket."""
    with app_client(redis_url, tmp_path, submit_limit=(2, MINUTE)) as client:
        statuses = [
            client.post(
                QUESTIONS,
                json={"text": TEXT, "name": "Trần Thị Bình", "device": f"device-{n:08d}"},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            ).status_code
            for n in range(3)
        ]
        assert statuses == [202, 202, 429]


def test_votes_take_a_token_from_the_address_bucket(redis_url: str, tmp_path: Path) -> None:
    """Votes from one address, whatever the voter id, stop at the vote limit
    with 429 and Retry-After, before the vote is even looked at."""
    with app_client(redis_url, tmp_path, vote_limit=(2, MINUTE)) as client:
        url = f"/api/v1/dialogues/{SLUG}/questions/1/votes"
        codes = [client.post(url, json={"voter": f"voter-{n:08d}"}).status_code for n in range(2)]
        assert codes == [404, 404]
        assert_limited(client.post(url, json={"voter": "voter-99999999"}))


def test_votes_are_limited_per_device_and_per_address_by_default(
    redis_url: str, tmp_path: Path
) -> None:
    """With the default limits, a viewer's burst of votes (every question on
    a first look at the page) passes and a device's eleventh in a minute is
    refused; fresh devices from one address stop at the address's thirty."""
    defaults = Settings()
    limits: dict[str, Any] = {
        "vote_limit": defaults.vote_limit,
        "voter_limit": defaults.voter_limit,
    }
    assert limits == {"vote_limit": (30, MINUTE), "voter_limit": (10, MINUTE)}
    with app_client(redis_url, tmp_path, **limits) as client:
        url = f"/api/v1/dialogues/{SLUG}/questions/{{}}/votes"
        viewer = [client.post(url.format(n), json={"voter": "nguoi-xem-0001"}) for n in range(10)]
        assert {r.status_code for r in viewer} == {404}  # counted, then looked at
        assert_limited(client.post(url.format(10), json={"voter": "nguoi-xem-0001"}))
        flood = [
            client.post(url.format(1), json={"voter": f"thiet-bi-{n:04d}"}).status_code
            for n in range(20)
        ]
        assert flood == [404] * 20  # 10 + 20 = 30 from this address
        assert_limited(client.post(url.format(1), json={"voter": "thiet-bi-9999"}))


def test_an_ipv6_client_is_limited_by_its_64(redis_url: str, tmp_path: Path) -> None:
    """Behind a trusted proxy, votes and submissions from every address of one
    IPv6 /64 share one bucket; the next /64 has its own."""
    settings: dict[str, Any] = {
        "vote_limit": (2, MINUTE),
        "submit_limit": (1, MINUTE),
        "trusted_proxies": (ip_network("127.0.0.1/32"),),
    }
    with app_client(redis_url, tmp_path, peer="127.0.0.1", **settings) as client:
        url = f"/api/v1/dialogues/{SLUG}/questions/1/votes"

        def vote(address: str, voter: str) -> httpx2.Response:
            return client.post(url, json={"voter": voter}, headers={"X-Forwarded-For": address})

        assert vote("2001:db8:1:2::1", "thiet-bi-0001").status_code == 404
        assert vote("2001:db8:1:2:ffff::9", "thiet-bi-0002").status_code == 404
        assert_limited(vote("2001:db8:1:2:abcd::7", "thiet-bi-0003"))
        assert vote("2001:db8:1:3::1", "thiet-bi-0004").status_code == 404

        def question(address: str) -> httpx2.Response:
            body = {"text": TEXT, "name": "Trần Thị Bình"}
            return client.post(QUESTIONS, json=body, headers={"X-Forwarded-For": address})

        assert question("2001:db8:5:6::1").status_code == 202
        assert_limited(question("2001:db8:5:6::2"))
        assert question("2001:db8:5:7::1").status_code == 202


def publish(client: TestClient, count: int) -> list[str]:
    """``count`` questions of ``SLUG`` through intake and approved, as staff would."""

    async def work() -> list[str]:
        actions = services_of(client)
        dialogue = await actions.dialogues.get(SLUG)
        ids = []
        for n in range(count):
            body = {"text": f"Câu hỏi số {n} về chữ ký số?", "name": "Trần Thị Bình"}
            submitted = await actions.submissions.submit(dialogue, body)
            await actions.intake.screen_now(dialogue, [submitted.question_id])
            await actions.moderation.act(dialogue, submitted.question_id, "approve", {}, SYSTEM)
            ids.append(submitted.question_id)
        return ids

    return _call(client, work)


def test_votes_pay_a_proof_once_a_day_per_voter_while_it_is_on(
    redis_url: str, tmp_path: Path
) -> None:
    """With the dialogue's proof of work on, a voter's first vote without a
    proof is refused (403 proof_required); with one it counts, and that
    voter's later votes need none; another voter pays its own, and a proof
    spent by one voter admits no other."""
    with app_client(redis_url, tmp_path, dialogue={"proof_of_work": True}) as client:
        first, second, third = publish(client, 3)
        url = f"/api/v1/dialogues/{SLUG}/questions/{{}}/votes"
        refused_for_proof(client.post(url.format(first), json={"voter": "nguoi-xem-0001"}), "")
        solved = fresh_proof(client)
        counted = client.post(url.format(first), json={"voter": "nguoi-xem-0001", "proof": solved})
        assert counted.status_code == 200 and counted.json() == {"votes": 1}
        again = client.post(url.format(second), json={"voter": "nguoi-xem-0001"})
        assert again.status_code == 200, again.text
        other = {"voter": "nguoi-xem-0002"}
        refused_for_proof(client.post(url.format(third), json=other), "")
        refused_for_proof(client.post(url.format(third), json={**other, "proof": solved}), "")
        paid = client.post(url.format(third), json={**other, "proof": fresh_proof(client)})
        assert paid.status_code == 200, paid.text


@pytest.mark.parametrize("limit", ["address", "device", "vote", "login"])
def test_every_429_says_when_to_come_back(redis_url: str, tmp_path: Path, limit: str) -> None:
    """Each limit of the public endpoints and of logins answers 429 with a
    Retry-After of whole seconds."""
    one = (1, MINUTE)
    with app_client(
        redis_url,
        tmp_path,
        submit_limit=one if limit == "address" else OFF,
        device_limit=one if limit == "device" else OFF,
        vote_limit=one if limit == "vote" else OFF,
        login_limit=one if limit == "login" else OFF,
    ) as client:

        def hit() -> httpx2.Response:
            if limit == "vote":
                return client.post(f"{QUESTIONS}/1/votes", json={"voter": "voter-12345678"})
            if limit == "login":
                return client.post(
                    "/api/v1/session", json={"username": "nobody", "password": "sai mật khẩu"}
                )
            return ask(client, "device-12345678")

        assert hit().status_code != 429
        assert_limited(hit())


def test_a_429_without_its_own_wait_still_carries_retry_after() -> None:
    """An error response for rate_limited that names no wait gets a default
    Retry-After: docs/api.md promises one on every 429."""
    scope = {"type": "http", "method": "POST", "path": "/", "headers": [], "query_string": b""}
    response = errors.error_response(Request(scope), Refused("rate_limited", "slow down"))
    assert response.status_code == 429
    assert response.headers["retry-after"] == str(errors.RETRY_AFTER_DEFAULT)


# -- the honeypot ------------------------------------------------------------------


def _keyspace(client: TestClient, slug: str = SLUG) -> dict[str, Any]:
    """Every Redis key of the dialogue with its type and size."""
    dialogue = _call(client, services_of(client).dialogues.get, slug)
    r = redis.Redis.from_url(settings_of(client).redis_url, decode_responses=True)
    try:
        found: dict[str, Any] = {}
        for key in r.scan_iter(match=f"{{d:{dialogue.id}}}:*"):
            kind = str(r.type(key))
            size = {"stream": r.xlen, "hash": r.hlen, "zset": r.zcard, "set": r.scard}.get(kind)
            found[key] = (kind, size(key) if size else r.get(key))
        return found
    finally:
        r.close()


def test_a_filled_honeypot_is_answered_like_a_success_and_stores_nothing(
    redis_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A submission whose hidden ``website`` field is filled gets a 202 of the
    same shape as a real one (a tracking code of the real form, for this
    dialogue); no question of it reaches Redis, only the view its code then
    answers with (no name, device, bait or address); and one log line says so
    without the text, the name, the bait or the address."""
    with app_client(redis_url, tmp_path) as client:
        before = _keyspace(client)
        caplog.set_level(logging.INFO, logger="server.actions.submissions")
        bait = "http://spam.example/mua-ngay"
        trapped = ask(client, "device-aaaaaaaa", website=bait, submission_id="sub-trap-0001")
        assert trapped.status_code == 202, trapped.text
        fake = trapped.json()["tracking_code"]
        added = {k: v for k, v in _keyspace(client).items() if k not in before}
        assert list(added) == [f"{{d:{dialogue_of(fake)}}}:trap:{fake}"]
        for private in ("Trần Thị Bình", bait, "testclient", "device-aaaaaaaa"):
            assert private not in json.dumps(added, ensure_ascii=False)
        assert stored(client) == set()
        lines = [r.getMessage() for r in caplog.records if r.name == "server.actions.submissions"]
        assert len(lines) == 1 and "honeypot" in lines[0]
        for private in (TEXT, "Trần Thị Bình", bait, "testclient", "device-aaaaaaaa"):
            assert private not in lines[0]

        real = ask(client, "device-bbbbbbbb", submission_id="sub-real-0001")
        assert real.status_code == 202
        assert trapped.headers["content-type"] == real.headers["content-type"]
        assert trapped.json().keys() == real.json().keys()
        assert trapped.json()["status"] == real.json()["status"] == "received"
        code = real.json()["tracking_code"]
        shape = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{5}-[0-9A-Z]{5}$")
        assert shape.match(fake) and shape.match(code), (fake, code)
        assert dialogue_of(fake) == dialogue_of(code)

        # A retry gets the code it got before, as a real submission's does.
        again = ask(client, "device-aaaaaaaa", website=bait, submission_id="sub-trap-0001")
        real_again = ask(client, "device-bbbbbbbb", submission_id="sub-real-0001")
        assert again.json()["tracking_code"] == fake
        assert real_again.json()["tracking_code"] == code
        other = ask(client, "device-aaaaaaaa", website=bait, submission_id="sub-trap-0002")
        assert other.json()["tracking_code"] not in (fake, code)
        assert len(stored(client)) == 1  # the real one, once


def test_a_honeypots_code_tracks_like_a_question_being_reviewed(
    redis_url: str, tmp_path: Path
) -> None:
    """Once intake has screened the real question, a trapped code and a real
    one (neither with contact data) answer the same way: the tracking API
    (same fields, "pending", the asker's text), the tracking page, and the
    deletion of contact data (none to delete)."""
    with app_client(redis_url, tmp_path) as client:
        fake = ask(client, website="http://spam.example").json()["tracking_code"]
        code = ask(client).json()["tracking_code"]
        deadline = time.monotonic() + 20
        while client.get(f"/api/v1/tracking/{code}").json()["status"] != "pending":
            assert time.monotonic() < deadline, "intake did not screen the real question"
            time.sleep(0.05)
        views = [client.get(f"/api/v1/tracking/{c}") for c in (fake, code)]
        assert [v.status_code for v in views] == [200, 200]
        trap, real = (v.json() for v in views)
        assert list(trap) == list(real)
        assert {k: v for k, v in trap.items() if k not in ("tracking_code", "submitted_at")} == {
            k: v for k, v in real.items() if k not in ("tracking_code", "submitted_at")
        }
        pages = [client.get(f"/t/{c}") for c in (fake, code)]
        assert [p.status_code for p in pages] == [200, 200]
        # Submitted a moment apart: the time shown, and the view's time in the page's data.
        when = re.compile(r'<time [^>]*>[^<]*</time>|"submitted_at": "[^"]*"')
        assert when.sub("", pages[0].text.replace(fake, code)) == when.sub("", pages[1].text)
        deleted = [client.delete(f"/api/v1/tracking/{c}/contact") for c in (fake, code)]
        assert [d.status_code for d in deleted] == [204, 204]
        assert client.get("/api/v1/tracking/0000-00000-00000").status_code == 404


def test_a_trapped_submission_is_checked_like_a_real_one(redis_url: str, tmp_path: Path) -> None:
    """A robot learns nothing from errors: a trapped submission with a bad
    field gets the same 400 as a real one, and one to a dialogue that takes no
    questions the same 409 code."""
    with app_client(redis_url, tmp_path) as client:
        short = {"text": "ngắn", "name": "Trần Thị Bình"}
        real = client.post(QUESTIONS, json=short)
        trapped = client.post(QUESTIONS, json={**short, "website": "x"})
        assert trapped.status_code == real.status_code == 400
        assert trapped.json() == real.json()
        staff_channel = {"text": TEXT, "name": "Trần Thị Bình", "channel": "hotline"}
        assert client.post(QUESTIONS, json={**staff_channel, "website": "x"}).status_code == 400

        actions = services_of(client)
        dialogue = _call(client, actions.dialogues.get, SLUG)
        _call(client, actions.dialogues.set_status, dialogue, "live")
        dialogue = _call(client, actions.dialogues.get, SLUG)
        _call(client, actions.closing.close, dialogue, PRODUCER)
        closed = client.post(QUESTIONS, json={"text": TEXT, "name": "Bình", "website": "x"})
        assert closed.status_code == 409
        assert closed.json()["error"]["code"] == "not_accepting"
        assert stored(client) == set()


def test_trapped_submissions_spend_the_same_tokens(redis_url: str, tmp_path: Path) -> None:
    """The honeypot answers after the rate limit: a robot is limited like anyone."""
    with app_client(redis_url, tmp_path, submit_limit=(1, MINUTE)) as client:
        assert ask(client, website="http://spam.example").status_code == 202
        assert_limited(ask(client, website="http://spam.example"))
        assert_limited(ask(client))


# -- proof of work ---------------------------------------------------------------------


def _solve(text: str) -> str:
    challenge = proof.parse(KEY, text)
    assert challenge is not None
    return proof.solve(challenge)


def fresh_proof(client: TestClient, slug: str = SLUG) -> dict[str, str]:
    response = client.get(f"/api/v1/dialogues/{slug}/challenge")
    assert response.status_code == 200, response.text
    text = response.json()["challenge"]
    return {"challenge": text, "nonce": _solve(text)}


def refused_for_proof(response: httpx2.Response, word: str) -> None:
    assert response.status_code == 403, response.text
    error = response.json()["error"]
    assert error["code"] == "proof_required"
    assert error["field"] == "proof"
    assert word in error["message"]


def test_the_challenge_is_signed_short_lived_and_writes_nothing(
    redis_url: str, tmp_path: Path
) -> None:
    """GET .../challenge gives {challenge, difficulty, expires_at}: the
    difficulty setting, an expiry a few minutes ahead, a challenge this server
    signed for this dialogue; fetching one stores nothing."""
    with app_client(redis_url, tmp_path, dialogue={"proof_of_work": True}) as client:
        before = _keyspace(client)
        response = client.get(CHALLENGE)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        assert body.keys() == {"challenge", "difficulty", "expires_at"}
        assert body["difficulty"] == BITS
        left = datetime.fromisoformat(body["expires_at"]).timestamp() - time.time()
        assert 60 < left <= proof.TTL
        challenge = proof.parse(KEY, body["challenge"])
        assert challenge is not None
        dialogue = _call(client, services_of(client).dialogues.get, SLUG)
        assert challenge.scope == dialogue.id
        assert _keyspace(client) == before
        assert client.get("/api/v1/dialogues/khong-co/challenge").status_code == 404


def test_without_a_proof_a_submission_is_refused_when_on_and_accepted_when_off(
    redis_url: str, tmp_path: Path
) -> None:
    """With the dialogue's proof of work on, a submission without a proof gets
    403 proof_required (in Vietnamese by default) and stores nothing; the same
    body to a dialogue with it off is accepted."""
    with app_client(redis_url, tmp_path, dialogue={"proof_of_work": True}) as client:
        refused_for_proof(ask(client), "xác minh")
        english = {"text": TEXT, "name": "Lan Hồ"}
        refused_for_proof(client.post(f"{QUESTIONS}?lang=en", json=english), "check")
        assert stored(client) == set()
        body = {"text": TEXT, "name": "Trần Thị Bình"}
        assert client.post(f"/api/v1/dialogues/{OTHER}/questions", json=body).status_code == 202


def test_a_valid_proof_is_accepted_once(redis_url: str, tmp_path: Path) -> None:
    """A solved challenge buys one submission; sent again (another question, or
    the same one retried) it is refused as used, and a fresh one works."""
    with app_client(redis_url, tmp_path, dialogue={"proof_of_work": True}) as client:
        solved = fresh_proof(client)
        first = ask(client, proof=solved, submission_id="sub-0000001")
        assert first.status_code == 202, first.text
        refused_for_proof(ask(client, proof=solved, submission_id="sub-0000002"), "đã được dùng")
        refused_for_proof(ask(client, proof=solved, submission_id="sub-0000001"), "đã được dùng")
        again = ask(client, proof=fresh_proof(client), submission_id="sub-0000001")
        assert again.json()["tracking_code"] == first.json()["tracking_code"]
        assert len(stored(client)) == 1


def test_expired_tampered_foreign_and_easy_challenges_are_refused(
    redis_url: str, tmp_path: Path
) -> None:
    """A solved challenge past its expiry, one with a changed character, one
    issued for another dialogue, one below the difficulty setting, and a
    nonce that does not solve it are all refused; nothing is stored."""
    with app_client(redis_url, tmp_path, dialogue={"proof_of_work": True}) as client:
        dialogue = _call(client, services_of(client).dialogues.get, SLUG)

        def made(now: float, difficulty: int = BITS) -> dict[str, str]:
            challenge = proof.issue(KEY, dialogue.id, difficulty, now, "00ff00ff00ff00ff")
            return {"challenge": challenge.text, "nonce": proof.solve(challenge)}

        refused_for_proof(ask(client, proof=made(time.time() - proof.TTL - 5)), "hết hạn")
        good = fresh_proof(client)
        head, salt, signature = good["challenge"].rsplit(".", 2)
        tampered = f"{head}.{salt[:-1]}{'0' if salt[-1] != '0' else '1'}.{signature}"
        refused_for_proof(ask(client, proof={**good, "challenge": tampered}), "không hợp lệ")
        refused_for_proof(ask(client, proof=fresh_proof(client, OTHER)), "không hợp lệ")
        refused_for_proof(ask(client, proof=made(time.time(), BITS - 4)), "không hợp lệ")
        unsolved = next(
            str(n)
            for n in range(10_000)
            if proof.leading_zero_bits(proof.work(good["challenge"], str(n))) < BITS
        )
        refused_for_proof(ask(client, proof={**good, "nonce": unsolved}), "không hợp lệ")
        assert stored(client) == set()
        assert ask(client, proof=good).status_code == 202


def test_an_admin_switches_the_proof_of_work_on(redis_url: str, tmp_path: Path) -> None:
    """PATCH /api/v1/dialogues/{slug} with proof_of_work turns it on: the public
    dialogue and feed say so, and submissions then need a proof; a value that
    is not a boolean is refused on its field."""
    with app_client(redis_url, tmp_path) as client:
        accounts = services_of(client).accounts
        _call(client, accounts.add, "admin", PASSWORD, frozenset({Role.ADMIN}))
        session = client.post(
            "/api/v1/session",
            json={"username": "admin", "password": PASSWORD},
            headers={"Origin": ORIGIN},
        )
        assert session.status_code == 200, session.text
        headers = {"Origin": ORIGIN, "X-CSRF-Token": session.json()["csrf_token"]}
        url = f"/api/v1/dialogues/{SLUG}"
        bad = client.patch(url, json={"proof_of_work": "yes"}, headers=headers)
        assert bad.status_code == 400 and bad.json()["error"]["field"] == "proof_of_work"
        assert client.get(url).json()["proof_of_work"] is False
        assert ask(client).status_code == 202

        changed = client.patch(url, json={"proof_of_work": True}, headers=headers)
        assert changed.status_code == 200, changed.text
        assert changed.json()["proof_of_work"] is True
        client.cookies.clear()
        assert client.get(url).json()["proof_of_work"] is True
        assert client.get(f"{url}/feed").json()["dialogue"]["proof_of_work"] is True
        refused_for_proof(ask(client), "xác minh")


# -- the public page in Chromium --------------------------------------------------------


def _create(redis_server: str, slug: str, **fields: Any) -> None:
    """The dialogue ``slug`` made through the app's Services."""

    async def work(actions: Services) -> None:
        await actions.dialogues.create(slug=slug, title="Hỏi đáp chuyển đổi số", **fields)

    with_actions(redis_server, work)


def _add_admin(redis_server: str) -> None:
    async def work(actions: Services) -> None:
        await actions.accounts.add("admin", PASSWORD, frozenset({Role.ADMIN}))

    with_actions(redis_server, work)


@pytest.fixture
def page_app(redis_url: str) -> Iterator[ServerProcess]:
    """The app with a 10-bit proof of work, and two open dialogues: one with
    the proof of work on, one without."""
    _create(redis_url, SLUG, status="open", proof_of_work=True)
    _create(redis_url, OTHER, status="open")
    env = {"REDIS_URL": redis_url, "DOITHOAI_SUBMIT_LIMIT": "0", "DOITHOAI_PROOF_DIFFICULTY": "10"}
    with ServerProcess(env=env) as server:
        yield server


def _questions(redis_url: str, slug: str) -> list[Any]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        dialogue_id = str(client.hget("{doithoai}:dialogues", slug))
        return list(oldest_now(client, f"{{d:{dialogue_id}}}:inbox")) + [
            k for k in client.scan_iter(match=f"{{d:{dialogue_id}}}:q:*")
        ]
    finally:
        client.close()


#: What a page outside a secure context (served over plain http) lacks.
NO_WEBCRYPTO = "Object.defineProperty(Crypto.prototype, 'subtle', { get: () => undefined });"


@pytest.mark.parametrize("webcrypto", [True, False], ids=["webcrypto", "plain-http"])
def test_the_public_page_solves_the_proof_of_work_and_sends_its_device(
    chromium: Browser, page_app: ServerProcess, redis_url: str, webcrypto: bool
) -> None:
    """On the public page of a dialogue with the proof of work on, a citizen
    just sends the question: the page fetches a challenge, solves it (also
    without WebCrypto, as on a page served over plain http), and the question
    is accepted, carrying the proof and the browser's device id (the one it
    votes with)."""
    context = chromium.new_context(locale="vi-VN")
    page = context.new_page()
    if not webcrypto:
        page.add_init_script(NO_WEBCRYPTO)
    page.goto(f"{page_app.url}/d/{SLUG}")
    page.get_by_label("Họ và tên").fill("Trần Văn Bình")
    page.get_by_label("Câu hỏi", exact=True).fill(TEXT)
    with page.expect_request(lambda r: r.method == "POST") as posted:
        page.get_by_role("button", name="Gửi câu hỏi").click()
    expect(page.locator("#ask-code")).to_have_text(re.compile(r"^\S{16}$"), timeout=30_000)
    sent = json.loads(posted.value.post_data or "{}")
    answer = sent["proof"]
    assert proof.leading_zero_bits(proof.work(answer["challenge"], answer["nonce"])) >= 10
    assert sent["device"] == page.evaluate("JSON.parse(localStorage.getItem('doithoai.voter'))")
    assert "website" not in sent
    assert len(_questions(redis_url, SLUG)) >= 1
    context.close()


def test_the_public_page_honeypot_stores_nothing(
    chromium: Browser, page_app: ServerProcess, redis_url: str
) -> None:
    """The public page's form has a hidden field people never see nor reach by
    keyboard; when a robot fills it, the page shows a tracking code as usual
    and nothing is stored."""
    context = chromium.new_context(locale="vi-VN")
    page = context.new_page()
    page.goto(f"{page_app.url}/d/{OTHER}")
    trap = page.locator("#ask-form input[name='website']")
    expect(trap).to_have_attribute("tabindex", "-1")
    expect(trap).to_have_attribute("autocomplete", "off")
    hidden = page.locator("#ask-form [aria-hidden='true']")
    expect(hidden.filter(has=page.locator("input[name='website']"))).to_have_count(1)
    page.get_by_label("Họ và tên").fill("Trần Văn Bình")
    page.get_by_label("Câu hỏi", exact=True).fill(TEXT)
    trap.evaluate("node => { node.value = 'http://spam.example' }")
    page.get_by_role("button", name="Gửi câu hỏi").click()
    expect(page.locator("#ask-code")).to_have_text(re.compile(r"^\S{16}$"))
    assert _questions(redis_url, OTHER) == []
    context.close()


def test_the_admin_page_switches_the_proof_of_work_on(
    chromium: Browser, page_app: ServerProcess, redis_url: str
) -> None:
    """On the dialogue's admin page the admin ticks the anti-robot check (its
    hint says when to) and saves; the public dialogue then asks for a proof."""
    _add_admin(redis_url)
    context = chromium.new_context(locale="vi-VN")
    page = context.new_page()
    through_login(page, page_app.url, f"/admin/{OTHER}", "admin")
    box = page.get_by_label("Xác minh chống gửi câu hỏi tự động")
    expect(box).not_to_be_checked()
    expect(box).to_have_accessible_description(re.compile("^Bật khi cuộc đối thoại bị gửi"))
    box.check()
    page.get_by_role("button", name="Lưu cài đặt").click()
    expect(page.locator("#settings-message")).to_have_text("Đã lưu cài đặt.")
    dialogue = httpx.get(f"{page_app.url}/api/v1/dialogues/{OTHER}", timeout=10).json()
    assert dialogue["proof_of_work"] is True
    page.reload()
    expect(box).to_be_checked()
    context.close()
