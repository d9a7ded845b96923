"""Proof-of-work challenges: signed, scoped, expiring, and checked by the hash."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from server.domain import proof
from server.domain.wording import Refused
from tests.support.wording import en, vi

KEY = proof.signing_key(b"test-secret")
NOW = 1_800_000_000.0
SCOPE = "AB12"
BITS = 8


def solved(difficulty: int = BITS, scope: str = SCOPE, now: float = NOW) -> dict[str, str]:
    challenge = proof.issue(KEY, scope, difficulty, now, "0123456789abcdef")
    return {"challenge": challenge.text, "nonce": proof.solve(challenge)}


def refused_as(answer: Any, *, now: float = NOW, difficulty: int = BITS, scope: str = SCOPE) -> str:
    with pytest.raises(Refused) as caught:
        proof.check(KEY, answer, scope, difficulty, now)
    assert caught.value.code == "proof_required"
    assert caught.value.field == "proof"
    assert vi(caught.value) != en(caught.value)
    return en(caught.value)


@pytest.mark.parametrize(
    ("digest", "bits"),
    [
        (bytes(32), 256),
        (b"\x80" + bytes(31), 0),
        (b"\x01" + bytes(31), 7),
        (b"\x00\x00\x0f" + bytes(29), 20),
        (b"\x00\xff" + bytes(30), 8),
    ],
)
def test_leading_zero_bits(digest: bytes, bits: int) -> None:
    """Zero bits are counted from the first byte's top bit."""
    assert proof.leading_zero_bits(digest) == bits


def test_a_solved_challenge_is_accepted() -> None:
    """A nonce the client found passes, and the hash really has the zero bits."""
    answer = solved()
    challenge = proof.check(KEY, answer, SCOPE, BITS, NOW + 1)
    digest = hashlib.sha256(f"{answer['challenge']}:{answer['nonce']}".encode()).digest()
    assert proof.leading_zero_bits(digest) >= BITS
    assert challenge.expires_at == int(NOW) + proof.TTL
    assert challenge.scope == SCOPE and challenge.difficulty == BITS


def test_the_challenge_is_self_contained_and_signed() -> None:
    """Issuing writes nothing: the text names its dialogue, expiry, difficulty
    and salt, and only this key's signature makes it parse."""
    challenge = proof.issue(KEY, SCOPE, BITS, NOW, "cafe0123")
    assert proof.parse(KEY, challenge.text) == challenge
    assert proof.parse(proof.signing_key(b"another-secret"), challenge.text) is None


def test_missing_proof_is_refused() -> None:
    """No proof, or an empty one, asks for one."""
    assert "asks the browser" in refused_as(None)
    assert "asks the browser" in refused_as({})


def test_a_nonce_that_does_not_solve_it_is_refused() -> None:
    """A nonce whose hash lacks the zero bits is refused."""
    challenge = proof.issue(KEY, SCOPE, 16, NOW, "0123456789abcdef")
    good = proof.solve(challenge)
    bad = next(
        str(n)
        for n in range(1000)
        if proof.leading_zero_bits(proof.work(challenge.text, str(n))) < 16
    )
    assert bad != good
    refused_as({"challenge": challenge.text, "nonce": bad}, difficulty=16)


@pytest.mark.parametrize("position", ["scope", "expiry", "difficulty", "salt", "signature"])
def test_a_tampered_challenge_is_refused(position: str) -> None:
    """Changing any part of a solved challenge breaks its signature."""
    answer = solved(difficulty=0)
    parts = answer["challenge"].split(".")
    index = {"scope": 1, "expiry": 2, "difficulty": 3, "salt": 4, "signature": 5}[position]
    original = parts[index]
    parts[index] = original[:-1] + ("1" if original[-1] != "1" else "2")
    assert "not valid" in refused_as({**answer, "challenge": ".".join(parts)}, difficulty=0)


def test_an_expired_challenge_is_refused() -> None:
    """Once its few minutes are over, a solved challenge is refused as expired."""
    answer = solved(now=NOW - proof.TTL - 1)
    assert "expired" in refused_as(answer)
    proof.check(KEY, solved(now=NOW - proof.TTL), SCOPE, BITS, NOW)  # the last second still counts


def test_a_challenge_of_another_dialogue_is_refused() -> None:
    """A challenge is good only for the dialogue it was issued for."""
    refused_as(solved(scope="ZZ99"))


def test_a_challenge_easier_than_required_is_refused() -> None:
    """A challenge issued at a lower difficulty than the setting now asks is refused."""
    refused_as(solved(difficulty=2), difficulty=BITS)


@pytest.mark.parametrize(
    "answer",
    [
        "not an object",
        ["challenge", "nonce"],
        {"challenge": 42, "nonce": "1"},
        {"challenge": "1.AB12.1800000300.8.salt.sig", "nonce": "1"},
        {"challenge": "x" * 5000, "nonce": "1"},
        {"nonce": "1"},
        {"challenge": None, "nonce": None},
    ],
)
def test_malformed_proofs_are_refused(answer: Any) -> None:
    """Anything that is not a signed challenge with a nonce is refused, never crashes."""
    refused_as(answer)


@pytest.mark.parametrize("nonce", [None, 7, "", "a" * 65, "1 2", "١٢"])
def test_malformed_nonces_are_refused(nonce: Any) -> None:
    """The nonce is 1-64 of A-Z a-z 0-9 _ -."""
    refused_as({"challenge": solved()["challenge"], "nonce": nonce})


def test_issue_refuses_what_it_could_not_parse_back() -> None:
    """A scope or salt with a dot, or a difficulty past 32, is a programming error."""
    with pytest.raises(ValueError):
        proof.issue(KEY, "a.b", BITS, NOW, "salt")
    with pytest.raises(ValueError):
        proof.issue(KEY, SCOPE, 33, NOW, "salt")
