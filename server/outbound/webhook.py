"""The signed webhook (``DOITHOAI_NOTIFY_WEBHOOK``): a JSON body POSTed to
the operator's URL, with ``X-Doithoai-Signature: sha256=<hex>``, the
HMAC-SHA256 of the exact body under ``DOITHOAI_NOTIFY_WEBHOOK_SECRET``.
The body carries its own ``sent_at`` (so the signature covers it: a receiver
refuses an old one, and a replay with a new time fails the signature) and an
``id`` that stays the same across retries (a receiver ignores one it has
seen). docs/operations.md shows how to check it.

The body holds personal data (the asker's phone and e-mail address), so the
URL must be https unless it is on this machine. Redirects are not followed.
``urllib`` runs in a thread, as ``mail.py``'s ``smtplib`` does.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from . import Undelivered, is_loopback

SIGNATURE_HEADER = "X-Doithoai-Signature"


def signature(secret: bytes, body: bytes) -> str:
    """The value of ``SIGNATURE_HEADER`` for ``body``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def check_webhook_url(url: str) -> str:
    """``url`` if it may carry personal data, else ValueError saying why not."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected an https:// URL")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError("the body carries contact data: use https:// (http only on loopback)")
    return url


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the 3xx is then an HTTPError: not delivered


class Webhook:
    def __init__(self, url: str, secret: bytes, timeout: float) -> None:
        self.url = url
        self._secret = secret
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirects)

    async def post(self, body: bytes) -> None:
        """POST ``body`` (JSON), signed; raise ``Undelivered`` unless it gets a 2xx."""
        await asyncio.to_thread(self._post, body)

    def _post(self, body: bytes) -> None:
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "doithoai",
                SIGNATURE_HEADER: signature(self._secret, body),
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            exc.close()
            raise Undelivered(f"HTTP {exc.code}") from None
        except urllib.error.URLError as exc:
            reason = exc.reason  # a refused connection, a name not found ...
            kind = "URLError" if isinstance(reason, str) else type(reason).__name__
            raise Undelivered(kind) from None
        except OSError as exc:
            raise Undelivered(type(exc).__name__) from None
        if not 200 <= status < 300:
            raise Undelivered(f"HTTP {status}")
