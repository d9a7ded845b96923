"""The dialogue's QR code (GET /d/{slug}/qr.svg) and the share block's
address: the app's own public address (DOITHOAI_PUBLIC_URL), whatever Host a
request names; an SVG image cached for an hour that may run nothing; none
for a dialogue the public may not see."""

from __future__ import annotations

import functools
import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from starlette.testclient import TestClient

from server.app import create_app
from server.config import Settings
from tests.support.app import on_app_loop, services_of
from tests.support.qr import decode_svg

PUBLIC_URL = "https://doithoai.example.vn"
SLUG = "chia-se"
ADDRESS = f"{PUBLIC_URL}/d/{SLUG}"


@pytest.fixture
def client(redis_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """The app behind its public address, with a live dialogue and a draft."""
    settings = Settings.from_env({}, redis_url=redis_url, data_dir=tmp_path, public_url=PUBLIC_URL)
    with TestClient(create_app(settings, run_workers=False)) as client:
        create = services_of(client).dialogues.create
        on_app_loop(client, functools.partial(create, slug=SLUG, title="Đối thoại", status="live"))
        on_app_loop(client, functools.partial(create, slug="nhap", title="Nháp", status="draft"))
        yield client


@pytest.mark.browser
def test_qr_code_opens_the_public_address_whatever_the_host(
    client: TestClient, chromium: Browser
) -> None:
    """The code decodes to the public address even when the request names
    another host, and is served as an SVG image that loads and runs nothing."""
    response = client.get(f"/d/{SLUG}/qr.svg", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert response.headers["content-security-policy"] == "default-src 'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content.startswith(b"<svg ")
    assert b"evil" not in response.content
    assert decode_svg(chromium, response.content) == [ADDRESS]


def test_page_shares_the_public_address(client: TestClient) -> None:
    """The share block's address, the QR code's text and its image."""
    page = client.get(f"/d/{SLUG}", headers={"Host": "evil.example"}).text
    assert f'id="share-url" type="text" value="{ADDRESS}"' in page
    assert f'src="/d/{SLUG}/qr.svg"' in page
    assert html.escape(f"Mã QR của địa chỉ {ADDRESS}") in page
    assert "evil.example" not in page


@pytest.mark.parametrize("slug", ["nhap", "khong-co"])
def test_no_code_for_a_draft_or_no_dialogue(client: TestClient, slug: str) -> None:
    """A draft (seen by its staff only) and an unknown slug have no code for the public."""
    assert client.get(f"/d/{slug}/qr.svg").status_code == 404
