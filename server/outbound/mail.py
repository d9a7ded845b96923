"""E-mail over SMTP, configured by one URL (``DOITHOAI_SMTP_URL``):

- ``smtp://[user:password@]host[:port]``: plain (port 25 by default), for a
  relay on this machine; ``?starttls=true`` upgrades to TLS first (and fails
  if the server cannot), as port 587 usually wants;
- ``smtps://[user:password@]host[:port]``: TLS from the start (port 465).

A password is never sent in clear to another machine: a URL with credentials
over plain SMTP to a host that is not loopback is refused at start.

The standard library's ``smtplib`` runs in a thread (``asyncio.to_thread``):
a message is a short conversation, sent at the pace answers are given, so a
thread per message costs nothing and no SMTP dependency is added.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from . import Undelivered, is_loopback


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Deliver ``message`` (its To, From and Subject set) or raise ``Undelivered``."""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    #: "plain", "starttls" or "tls" (TLS from the start).
    security: str
    username: str = ""
    password: str = ""


def parse_smtp_url(url: str) -> SmtpServer:
    """The server ``url`` names, or ValueError saying what is wrong with it."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("expected smtp://host[:port] or smtps://host[:port]")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("the port must be a number from 1 to 65535") from None
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    unknown = set(options) - {"starttls"}
    if unknown or parts.path.strip("/"):
        raise ValueError("the only option is ?starttls=true, and the URL has no path")
    starttls = options.get("starttls", "false").lower()
    if starttls not in ("true", "false"):
        raise ValueError("starttls must be true or false")
    if parts.scheme == "smtps":
        if starttls == "true":
            raise ValueError("smtps:// is TLS from the start: drop ?starttls")
        security = "tls"
    else:
        security = "starttls" if starttls == "true" else "plain"
    server = SmtpServer(
        host=parts.hostname,
        port=port or (465 if security == "tls" else 25),
        security=security,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )
    if server.username and security == "plain" and not is_loopback(server.host):
        raise ValueError(
            "a password would cross the network in clear: use smtps:// or ?starttls=true"
        )
    return server


class SmtpMailer:
    """Sends each message in one SMTP conversation of its own."""

    def __init__(self, server: SmtpServer, timeout: float) -> None:
        self.server = server
        self.timeout = timeout

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        s = self.server
        try:
            tls = ssl.create_default_context()
            client = (
                smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=tls)
                if s.security == "tls"
                else smtplib.SMTP(s.host, s.port, timeout=self.timeout)
            )
            with client:
                if s.security == "starttls":
                    client.starttls(context=tls)
                if s.username:
                    client.login(s.username, s.password)
                refused = client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({str(code) for code, _ in exc.recipients.values()})
            raise Undelivered(f"SMTPRecipientsRefused {' '.join(codes)}") from None
        except smtplib.SMTPResponseException as exc:
            raise Undelivered(f"{type(exc).__name__} {exc.smtp_code}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise Undelivered(type(exc).__name__) from None
        if refused:
            raise Undelivered("SMTPRecipientsRefused")
