"""Decode and check the submit-question body (POST
/api/v1/dialogues/{slug}/questions): msgspec against pydantic v2 against the
hand-written reading the API had before (``json.loads``, the lone-surrogate
scan, a dict check; the field types were checked later, in
``clean_submission``), in one run, on the CPU clock (``time.process_time``).

Two measures per body: the door alone (bytes -> a checked object), and the
door plus the domain's ``clean_submission`` (what the submit path pays before
it reaches Redis). The pydantic model is the Struct's twin, in strict mode
(msgspec coerces nothing either). Pure CPU: no Redis, no server. Run with
``python -m bench.schemas`` or through ``python -m bench`` (``run()``).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from server.domain.text import ValidationError as Invalid
from server.domain.text import clean_submission
from server.domain.wording import Refused
from server.web import bodies
from server.web.schemas import NewQuestion

#: Rounds per body and variant: about a second of CPU for the slowest.
ROUNDS = 20_000
TOPICS = ("dvc", "kinh-te-so")
LOCALITIES = ("Phường Thuận Hóa", "Xã Phú Vang")


class _Model(BaseModel):
    model_config = ConfigDict(strict=True)


class ContactModel(_Model):
    model_config = ConfigDict(strict=True, extra="forbid")
    phone: str | None = None
    email: str | None = None


class ProofModel(_Model):
    challenge: str
    nonce: str


class QuestionModel(_Model):
    """``schemas.NewQuestion``, field by field."""

    text: str | None = None
    name: str | None = None
    organization: str | None = None
    locality: str | None = None
    topic: str | None = None
    contact: ContactModel | None = None
    consent: bool | None = None
    submission_id: str | None = None
    channel: Literal["web", "widget", "hotline", "email", "paper", "social", "other"] | None = None
    device: Any = None
    proof: ProofModel | None = None
    website: str | None = None


def _body(text: str) -> bytes:
    return json.dumps(
        {
            "text": text,
            "name": "Nguyễn Thị Hoa",
            "organization": "Hợp tác xã nông nghiệp Phú Vang",
            "locality": "Xã Phú Vang",
            "topic": "dvc",
            "contact": {"phone": "0905 123 456", "email": "hoa@example.vn"},
            "consent": True,
            "submission_id": "5f0c2a9e-8d1b-4c47-9a55-2b6f1e0d7c31",
            "channel": "widget",
            "device": "0b8f2c6e1d3a4f5b9c7e8d6a5b4c3d2e",
        },
        ensure_ascii=False,
    ).encode()


SENTENCE = "Xin hỏi khi nào thành phố Huế cấp chữ ký số miễn phí cho người dân ở các xã? "
BODIES = {
    "typical (one question, every field)": _body(SENTENCE * 2),
    "longest text (2,000 characters)": _body((SENTENCE * 30)[:2000]),
    "invalid (text is a number)": _body(SENTENCE).replace(
        json.dumps(SENTENCE, ensure_ascii=False).encode(), b"12345"
    ),
}


def _before(data: bytes) -> Any:
    value = bodies.parse(data)
    if not isinstance(value, dict):
        raise Refused("invalid", "the body must be a JSON object", "body")
    return value


def _msgspec(data: bytes) -> Any:
    return bodies.plain(bodies.decode(data, NewQuestion))


def _pydantic(data: bytes) -> Any:
    return QuestionModel.model_validate_json(data).model_dump(exclude_unset=True)


VARIANTS: dict[str, Callable[[bytes], Any]] = {
    "hand-written (before)": _before,
    "msgspec": _msgspec,
    "pydantic v2": _pydantic,
}


def _door_and_domain(read: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
    def run(data: bytes) -> Any:
        return clean_submission(
            read(data), topics=TOPICS, localities=LOCALITIES, allow_anonymous=False
        )

    return run


def _cpu_us(work: Callable[[bytes], Any], data: bytes, rounds: int) -> float:
    """CPU microseconds per call of ``work(data)`` (a refusal counts as done)."""
    start = time.process_time()
    for _ in range(rounds):
        with contextlib.suppress(Refused, Invalid, ValidationError):
            work(data)
    return (time.process_time() - start) / rounds * 1e6


def run(rounds: int = ROUNDS) -> dict[tuple[str, str, str], float]:
    """Print and return µs per body for each (measure, body, variant)."""
    results: dict[tuple[str, str, str], float] = {}
    measures: dict[str, Callable[[Callable[[bytes], Any]], Callable[[bytes], Any]]] = {
        "door": lambda read: read,
        "door + clean_submission": _door_and_domain,
    }
    for measure, wrap in measures.items():
        for body_name, data in BODIES.items():
            for variant, read in VARIANTS.items():
                work = wrap(read)
                _cpu_us(work, data, 100)  # warm up
                results[(measure, body_name, variant)] = _cpu_us(work, data, rounds)
    print(f"request bodies, {rounds} rounds each, CPU µs per body (time.process_time)")
    for (measure, body_name, variant), us in results.items():
        print(f"  {measure:24} {body_name:38} {variant:22} {us:8.1f} µs")
    return results


if __name__ == "__main__":
    run()
