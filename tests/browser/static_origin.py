"""The app's static files (moderator_ui/static) served at an origin of the
test's own, answered by Playwright: the browser modules (lib/*.js) tested in
Chromium with no app server."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, Route

from server.web.templating import STATIC

ORIGIN = "http://fold.test"


def serve_repository(route: Route) -> None:
    """The test origin: an empty page at /, the static files under /static/."""
    path = route.request.url.removeprefix(ORIGIN).split("?")[0]
    if path == "/":
        route.fulfill(body="<!doctype html><title>fold</title>", content_type="text/html")
        return
    target = (STATIC / path.removeprefix("/static/")).resolve()
    assert path.startswith("/static/") and target.is_relative_to(STATIC), path
    kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    route.fulfill(body=Path(target).read_bytes(), content_type=kind)


@contextmanager
def static_page(chromium: Browser) -> Iterator[Page]:
    """A page at the test origin, whose scripts may import /static/lib/*.js."""
    context = chromium.new_context()
    try:
        context.route(f"{ORIGIN}/**", serve_repository)
        page = context.new_page()
        page.goto(f"{ORIGIN}/")
        yield page
    finally:
        context.close()
