"""Known devices: a browser that has signed in as an account before.

Failed logins are limited per account, so that a password cannot be guessed
from many addresses. On its own that limit lets anyone lock a moderator out
in the middle of a broadcast by failing ten times a minute with their name.
A successful login therefore gives the browser a device token, bound to the
account and signed by the server: a login that presents a valid one for its
account is limited per device instead, and a stranger's failures do not
touch it (OWASP's "device cookies").

A token is ``<nonce>.<mac>``: a random nonce the caller draws and an HMAC of
the account and the nonce. Pure: standard library only, no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import re

_NONCE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def signing_key(secret: bytes) -> bytes:
    """The key for device tokens, derived from the app's secret."""
    return hmac.new(secret, b"doithoai login device", hashlib.sha256).digest()


def _mac(key: bytes, username: str, nonce: str) -> str:
    message = f"{username.lower()}\n{nonce}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def issue(key: bytes, username: str, nonce: str) -> str:
    """The device token of ``nonce`` for ``username``."""
    if not _NONCE.match(nonce):
        raise ValueError("nonce must be 8 to 64 URL-safe characters")
    return f"{nonce}.{_mac(key, username, nonce)}"


def verify(key: bytes, token: str, username: str) -> str | None:
    """The token's nonce if it is a valid device token for ``username``, else None."""
    nonce, _, mac = token.partition(".")
    if not _NONCE.match(nonce) or len(mac) != 32:
        return None
    return nonce if hmac.compare_digest(mac, _mac(key, username, nonce)) else None
