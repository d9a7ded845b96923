"""Proof of work for public submissions, which a dialogue switches on under attack.

The server hands out a self-contained challenge, signed with a key derived
from its secret, that names its dialogue, its difficulty and its expiry. The
browser finds a nonce such that SHA-256(challenge + ":" + nonce) begins with
``difficulty`` zero bits and sends ``{"challenge", "nonce"}`` as the
submission's ``proof``. Checking costs one HMAC and one SHA-256 and needs no
storage; only "used once" does (``server/store/proof.py`` records each
accepted challenge until it expires).

Pure: no I/O, no clock and no randomness of its own (callers pass the time
and the salt). It never decides whether a dialogue asks for a proof.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any

from .wording import N_, Refused

VERSION = "1"
#: Seconds a challenge lives. A slow phone solves one in a few seconds and a
#: retried submission (lost answer, busy server) may take a minute more; a
#: longer life would only let a flood stockpile solved challenges.
TTL = 300
#: How long one solved challenge admits a voter's votes in a dialogue: a
#: broadcast day. A person votes for several questions, each a click; a
#: proof per vote would make every click wait. A robot's fresh voter ids each
#: still cost a proof.
VOTER_PASS = 12 * 3600
#: Most leading zero bits a challenge may ask: 2^32 hashes take a browser hours.
MAX_DIFFICULTY = 32
#: Hex digits of the HMAC kept in a challenge (128 bits: not guessable).
SIGNATURE_HEX = 32
#: Longest challenge text accepted back (one issued here is well under 100).
MAX_CHALLENGE = 200
_PART = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_NUMBER = re.compile(r"^[0-9]{1,12}$")
_HEX = re.compile(rf"^[0-9a-f]{{{SIGNATURE_HEX}}}$")

_MESSAGES = {
    "missing": N_(
        "This dialogue asks the browser for a short check before a question is sent; "
        "send the question again from the dialogue's page."
    ),
    "invalid": N_("The anti-robot check is not valid; send the question again."),
    "expired": N_("The anti-robot check has expired; send the question again."),
    "used": N_("This anti-robot check was already used; send the question again."),
}


def refusal(kind: str) -> Refused:
    """The ``proof_required`` error, on the field ``proof``, for ``kind``
    (missing, invalid, expired, used): the client fetches a new challenge."""
    return Refused("proof_required", _MESSAGES[kind], "proof")


@dataclass(frozen=True)
class Challenge:
    """A challenge as issued: ``text`` is what the client hashes and sends back."""

    text: str
    scope: str
    difficulty: int
    #: Unix seconds after which it is refused.
    expires_at: int
    #: Random, unique per challenge: the name under which its use is recorded.
    salt: str


def signing_key(secret: bytes) -> bytes:
    """The key challenges are signed with, derived from the app's secret so
    that a challenge's signature means nothing anywhere else."""
    return hmac.new(secret, b"doithoai proof-of-work v1", hashlib.sha256).digest()


def _sign(key: bytes, payload: str) -> str:
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()[:SIGNATURE_HEX]


def issue(key: bytes, scope: str, difficulty: int, now: float, salt: str) -> Challenge:
    """A challenge for ``scope`` (a dialogue id) at ``difficulty`` bits, valid
    for ``TTL`` seconds from ``now``; ``salt`` must be fresh and random."""
    if not (_PART.match(scope) and _PART.match(salt)) or not 0 <= difficulty <= MAX_DIFFICULTY:
        raise ValueError("scope and salt are 1-64 of A-Z a-z 0-9 _ -; difficulty 0-32")
    expires_at = int(now) + TTL
    payload = f"{VERSION}.{scope}.{expires_at}.{difficulty}.{salt}"
    return Challenge(f"{payload}.{_sign(key, payload)}", scope, difficulty, expires_at, salt)


def parse(key: bytes, text: Any) -> Challenge | None:
    """The challenge ``text`` names, if this server signed it; else None."""
    if not isinstance(text, str) or len(text) > MAX_CHALLENGE:
        return None
    parts = text.split(".")
    if len(parts) != 6:
        return None
    version, scope, expires, difficulty, salt, signature = parts
    if (
        version != VERSION
        or not (_PART.match(scope) and _PART.match(salt))
        or not (_NUMBER.match(expires) and _NUMBER.match(difficulty))
        or not _HEX.match(signature)
    ):
        return None
    expected = _sign(key, text.rpartition(".")[0])
    if not hmac.compare_digest(expected, signature):
        return None
    return Challenge(text, scope, int(difficulty), int(expires), salt)


def leading_zero_bits(digest: bytes) -> int:
    """How many bits at the start of ``digest`` are zero."""
    bits = 0
    for byte in digest:
        if byte:
            return bits + 8 - byte.bit_length()
        bits += 8
    return bits


def work(challenge: str, nonce: str) -> bytes:
    """SHA-256 of ``challenge + ":" + nonce`` (UTF-8): what the client searches."""
    return hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()


def check(key: bytes, proof: Any, scope: str, difficulty: int, now: float) -> Challenge:
    """The challenge ``proof`` (``{"challenge", "nonce"}``) answers, when it is
    this server's, for ``scope``, at least ``difficulty`` bits, unexpired at
    ``now`` and solved; else ``refusal(...)``. Whether it was used before is
    the store's question."""
    if proof is None or proof == {}:
        raise refusal("missing")
    if not isinstance(proof, dict):
        raise refusal("invalid")
    challenge = parse(key, proof.get("challenge"))
    nonce = proof.get("nonce")
    if (
        challenge is None
        or challenge.scope != scope
        or challenge.difficulty < difficulty
        or not isinstance(nonce, str)
        or not _PART.match(nonce)
    ):
        raise refusal("invalid")
    if now > challenge.expires_at:
        raise refusal("expired")
    if leading_zero_bits(work(challenge.text, nonce)) < challenge.difficulty:
        raise refusal("invalid")
    return challenge


def solve(challenge: Challenge) -> str:
    """The first decimal nonce that answers ``challenge``: what the widget and
    the public page do in the browser (for tests and scripted clients)."""
    nonce = 0
    while leading_zero_bits(work(challenge.text, str(nonce))) < challenge.difficulty:
        nonce += 1
    return str(nonce)
