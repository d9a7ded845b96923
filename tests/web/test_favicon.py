"""Every page names its icon (a small SVG, a static file), so a browser does
not ask for /favicon.ico and log a 404 for it on each page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from server.web.templating import TEMPLATES
from tests.helpers import ServerProcess

from .seed import SLUG

ICON = re.compile(r'<link rel="icon" href="(/static/favicon\.svg\?v=\w+)" type="image/svg\+xml">')


@pytest.fixture
def client(site: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.url, timeout=10, headers={"Accept": "text/html"}) as c:
        yield c


@pytest.mark.parametrize("path", ["/", f"/d/{SLUG}", "/t", "/login"])
def test_pages_link_the_icon_and_it_is_served(client: httpx.Client, path: str) -> None:
    page = client.get(path)
    found = ICON.search(page.text)
    assert found, page.text[:600]
    icon = client.get(found.group(1))
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg") and len(icon.content) < 2048


def test_every_template_with_a_head_links_the_icon() -> None:
    """base.html and _standalone.html (the screens on set): every page."""
    heads = [p for p in TEMPLATES.glob("*.html") if "<head>" in p.read_text()]
    assert {p.name for p in heads} >= {"base.html", "_standalone.html"}
    for path in heads:
        assert '<link rel="icon" href="{{ static(\'favicon.svg\') }}"' in path.read_text(), path


def test_favicon_ico_is_the_same_icon(client: httpx.Client) -> None:
    """/favicon.ico, which a browser asks for where no page names an icon (a
    JSON answer opened in a tab), answers the pages' SVG rather than a 404."""
    page = client.get("/")
    found = ICON.search(page.text)
    assert found
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.content == client.get(found.group(1)).content
