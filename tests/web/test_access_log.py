"""The access log's redaction of the secrets that travel in request lines,
and the pages' forms, none of which may put a secret in a URL."""

from __future__ import annotations

import logging
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from server.web.access_log import LOGGED_PARAMS, RedactSecrets, redact
from tests.helpers import REPO_ROOT, ServerProcess

from .seed import SLUG

CODE = "7K2M-9QXD4-HPAZ5"


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/t/7K2M-9QXD-4HPA", "/t/…"),
        ("/t/7K2M-9QXD-4HPA/contact", "/t/…/contact"),
        ("/api/v1/tracking/7K2M9QXD4HPA", "/api/v1/tracking/…"),
        ("/api/v1/tracking/7K2M9QXD4HPA/contact", "/api/v1/tracking/…/contact"),
        ("/api/v1/tracking/7K2M?lang=en", "/api/v1/tracking/…?lang=en"),
        ("/d/hue/screen?token=abc-DEF_123", "/d/hue/screen?token=…"),
        ("/d/hue/screen?lang=vi&token=abc&bg=green", "/d/hue/screen?lang=vi&token=…&bg=green"),
        ("/d/hue", "/d/hue"),
        ("/api/v1/dialogues/hue/questions", "/api/v1/dialogues/hue/questions"),
        ("/static/t/x.js", "/static/t/…"),  # over-hidden, never under
        # The app reads names and paths percent-decoded; so does the redaction.
        ("/d/hue/screen?%74oken=abc", "/d/hue/screen?%74oken=…"),
        ("/d/hue/screen?tok%65n=abc&lang=vi", "/d/hue/screen?tok%65n=…&lang=vi"),
        ("/%74/7K2M-9QXD-4HPA", "/t/…"),
        ("/t%2F7K2M-9QXD-4HPA", "/t/…"),
        ("//t/7K2M-9QXD-4HPA", "//t/…"),
        ("/api/v1/%74racking/7K2M", "/api/v1/tracking/…"),
        ("/t/%0Aforged%20line", "/t/…"),
        # The old lookup form's query, and anything not known to be harmless.
        ("/t?code=7K2M-9QXD4-HPAZ5", "/t?code=…"),
        ("/t?c%6Fde=7K2M", "/t?c%6Fde=…"),
        ("/d/hue?name=L%C3%AA+V%C4%83n&text=hello", "/d/hue?name=…&text=…"),
        ("/d/hue?7K2M9QXD4HPAZ5", "/d/hue?…"),
        # Values the app reads that carry no secret stay, for the operator.
        ("/ws/v1/dialogues/hue/feed?after=1700000000000-3",
         "/ws/v1/dialogues/hue/feed?after=1700000000000-3"),
        ("/api/v1/dialogues/hue/questions?status=pending&limit=50&cursor=12",
         "/api/v1/dialogues/hue/questions?status=pending&limit=50&cursor=12"),
        ("/t", "/t"),
        ("/t/", "/t/"),
    ],
)  # fmt: skip
def test_secrets_in_request_lines_are_hidden(path: str, logged: str) -> None:
    assert redact(path) == logged


def test_the_filter_rewrites_the_path_of_a_record() -> None:
    """uvicorn's access record keeps its shape: only the path changes."""
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.9:5000", "GET", "/t/7K2M-9QXD", "1.1", 200), None,
    )  # fmt: skip
    assert RedactSecrets().filter(record)
    assert record.getMessage() == '203.0.113.9:5000 - "GET /t/… HTTP/1.1" 200'


def test_a_real_servers_log_hides_every_spelling(site: ServerProcess) -> None:
    """On a running server, the spellings that reach the tracking and overlay
    handlers leave neither the code nor the token in the log."""
    token = "TOKEN-that-is-not-the-overlays-0042"
    targets = [
        f"/t?code={CODE}",
        f"/%74/{CODE}",
        f"/t%2F{CODE}",
        f"/api/v1/%74racking/{CODE}",
        f"/d/{SLUG}/screen?%74oken={token}",
        f"/d/{SLUG}/screen?tok%65n={token}&bg=green",
    ]
    with httpx.Client(base_url=site.url, timeout=10) as client:
        for target in targets:
            client.get(target)
        marker = f"/d/{SLUG}/archive?lang=vi&after=marker-{time.monotonic_ns()}"
        client.get(marker)
    deadline = time.monotonic() + 10
    while marker not in site.output():  # the access line is written after the response
        assert time.monotonic() < deadline, "the access log never showed the last request"
        time.sleep(0.05)
    output = site.output()
    leaked = [line for line in output.splitlines() if CODE in line or token in line]
    assert not leaked, leaked
    assert f"/d/{SLUG}/screen?%74oken=… HTTP/1.1" in output


class _Forms(HTMLParser):
    """Each form of a template: its method and the names of its fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[str]]] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.forms.append(((found.get("method") or "get").lower(), []))
            self._inside = True
        elif self._inside and tag in ("input", "select", "textarea", "button"):
            name = found.get("name")
            if name:
                self.forms[-1][1].append(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False


#: A GET form's field that may travel in the URL without being logged: the
#: words a reader searches the public list for (shareable, in their own
#: history, never a secret), which the access log hides like any other value.
SEARCH_WORDS = frozenset({"q"})


def test_search_words_are_not_logged() -> None:
    assert redact("/d/doi-thoai?q=nguyen+van+a&sort=votes") == "/d/doi-thoai?q=…&sort=votes"


def test_no_form_sends_a_secret_in_a_url() -> None:
    """A form that submits with GET (its method, or the default a script
    forgot, used when the script has not loaded) puts its fields in the URL,
    so in logs and the browser's history: every GET form's fields must be
    ones the access log may keep; the others post."""
    wrong = []
    templates = sorted((REPO_ROOT / "moderator_ui" / "templates").glob("*.html"))
    for template in templates:
        parser = _Forms()
        parser.feed(_without_jinja(template))
        for method, names in parser.forms:
            secret = sorted(set(names) - LOGGED_PARAMS - SEARCH_WORDS)
            if method == "get" and secret:
                wrong.append(f"{template.name}: a GET form sends {secret}")
    assert templates and not wrong, wrong


def _without_jinja(template: Path) -> str:
    text = template.read_text(encoding="utf-8")
    return re.sub(r"\{%.*?%\}|\{#.*?#\}", "", text, flags=re.S)
