"""What leaves the app for the citizen's side: e-mail over SMTP (``mail.py``)
and a signed webhook (``webhook.py``) an operator relays to an SMS or Zalo
gateway. Each sends what it is given, already written, and raises
``Undelivered`` (which names no address) when it could not; who is told what,
and when, is decided above (``server/actions/notices.py``)."""

from __future__ import annotations

from ipaddress import ip_address


class Undelivered(Exception):
    """A message was not delivered. ``kind`` is safe to log: an exception's
    class and, from an SMTP or HTTP server, its status code, never the
    server's text (which may quote the recipient)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address, IPv6 with or without brackets)
    is this machine only: where an SMTP login in clear or a plain-HTTP
    webhook may go, and a node may serve without a public URL."""
    if host == "localhost":
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
