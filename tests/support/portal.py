"""A portal for the widget tests: the demo host page (client_widget/demo/)
served by a small static server on an origin of its own, with the
Content-Security-Policy docs/embedding.md asks of a portal."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from typing import Any

from server.demo.portal import portal_csp
from tests.helpers import free_port

DEMO = Path(__file__).resolve().parents[2] / "client_widget" / "demo"


class HostServer:
    """The demo host page (client_widget/demo/) on ``127.0.0.1:<own port>``,
    with the CSP a portal embedding ``app_url`` needs, in a thread."""

    def __init__(self, app_url: str) -> None:
        csp = portal_csp(app_url)

        class Handler(http.server.SimpleHTTPRequestHandler):
            def end_headers(self) -> None:
                for name, value in csp.items():
                    self.send_header(name, value)
                self.send_header("Cache-Control", "no-store")
                super().end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        handler = functools.partial(Handler, directory=str(DEMO))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> HostServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()
