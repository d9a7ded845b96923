"""Device tokens: bound to their account, signed, refused when altered."""

from __future__ import annotations

import pytest

from server.domain import devices

KEY = devices.signing_key(b"secret")


def test_a_token_is_valid_for_its_account_only() -> None:
    token = devices.issue(KEY, "Moderator", "n0nce-AbC_123")
    assert devices.verify(KEY, token, "moderator") == "n0nce-AbC_123"  # usernames ignore case
    assert devices.verify(KEY, token, "admin") is None
    assert devices.verify(devices.signing_key(b"other"), token, "moderator") is None


MAC = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    "token",
    ["", ".", "n0nce-AbC_123", "n0nce-AbC_123.", f"short.{MAC}", f"bad nonce!.{MAC}",
     f"n0nce-AbC_123.{MAC}"],
)  # fmt: skip
def test_malformed_or_forged_tokens_are_refused(token: str) -> None:
    assert devices.verify(KEY, token, "moderator") is None


def test_a_nonce_must_be_url_safe() -> None:
    with pytest.raises(ValueError):
        devices.issue(KEY, "moderator", "a;b")
