"""Where the tests' notices go: a real SMTP server (aiosmtpd) and a small HTTP
receiver for the webhook, each on a free port of 127.0.0.1 in a thread of the
test process, recording what they accepted; and waiting for them on state,
with a deadline."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.helpers import free_port

#: Deliveries take milliseconds; retries in the tests wait tenths of a second.
#: The margin is for a loaded machine.
DEADLINE = 30.0
POLL = 0.02


def wait_until(check: Callable[[], Any], what: str, timeout: float = DEADLINE) -> Any:
    """Poll ``check`` until it returns something true (returned); else fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while not (found := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g} s for {what}")
        time.sleep(POLL)
    return found


async def until(check: Callable[[], Any], what: str) -> Any:
    """``wait_until`` for a test whose event loop runs the notifier: ``check``
    may be a coroutine function."""
    deadline = time.monotonic() + DEADLINE
    while True:
        found = check()
        if asyncio.iscoroutine(found):
            found = await found
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {DEADLINE:g} s for {what}")
        await asyncio.sleep(POLL)


class SmtpSink:
    """An SMTP server that keeps every message it accepts (``messages``).

    ``refuse`` holds addresses it refuses (550, quoting the address as real
    servers do) while they are in it. While ``hold`` is set, a message's DATA
    waits (``held`` is set then) until ``release`` is set, and is then
    refused: the client never hears back while it waits."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refuse: set[str] = set()
        self.hold = threading.Event()
        self.held = threading.Event()
        self.release = threading.Event()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpSink:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self.release.set()
            self._controller.stop()
            self._controller = None

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.hold.is_set():
            self.held.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
            return "451 4.3.0 try again later"
        content = envelope.content
        assert isinstance(content, bytes)
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages accepted for ``address``."""
        return [m for rcpt, m in self.messages if address in rcpt]


class HookReceiver:
    """An HTTP server for the webhook: every POST it got (``posts``: headers
    and the raw body), answered with the next of ``statuses`` (then 200)."""

    def __init__(self) -> None:
        self.posts: list[tuple[dict[str, str], bytes, int]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.posts.append((dict(self.headers.items()), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: pytest shows the test's own output

        self._server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hook"

    def start(self) -> HookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def accepted(self) -> list[dict[str, Any]]:
        """The bodies of the POSTs answered 2xx, as JSON."""
        return [json.loads(body) for _, body, status in self.posts if 200 <= status < 300]


def verified(secret: str, headers: dict[str, str], body: bytes, now: float) -> dict[str, Any]:
    """The body, if its signature is the HMAC-SHA256 of these exact bytes
    under ``secret`` and it was sent within five minutes of ``now`` (as a
    receiver checks it: docs/operations.md); AssertionError otherwise."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    given = headers.get("X-Doithoai-Signature", "")
    assert hmac.compare_digest(given, expected), "the signature does not match the body"
    doc: dict[str, Any] = json.loads(body)
    assert abs(now - doc["sent_at"]) < 300, "sent too long ago: a replay"
    return doc
