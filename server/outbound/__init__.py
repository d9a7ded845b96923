"""What leaves the app for the citizen's side: e-mail over SMTP (``mail.py``)
and a signed webhook (``webhook.py``) an operator relays to an SMS or Zalo
gateway. Each sends what it is given, already written, and raises
``Undelivered`` (which names no address) when it could not; who is told what,
and when, is decided above (``server/actions/notices.py``)."""

from __future__ import annotations


class Undelivered(Exception):
    """A message was not delivered. ``kind`` is safe to log: an exception's
    class and, from an SMTP or HTTP server, its status code, never the
    server's text (which may quote the recipient)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind
