"""QR codes read back in the tests as a phone's camera would: from the pixels
Chromium draws (a screenshot), decoded by zxing-cpp (its wheel carries the
C++ library, so nothing else is installed and nothing is fetched)."""

from __future__ import annotations

import base64
import io

import zxingcpp
from PIL import Image
from playwright.sync_api import Browser

#: How large an SVG code is drawn to be read: a few pixels per module.
DRAWN_PX = 300


def decode(png: bytes) -> list[str]:
    """The texts of the QR codes in a PNG image."""
    image = Image.open(io.BytesIO(png)).convert("L")
    return [found.text for found in zxingcpp.read_barcodes(image)]


def decode_svg(browser: Browser, svg: bytes) -> list[str]:
    """The texts of the QR codes of an SVG document, as Chromium draws it."""
    context = browser.new_context()
    try:
        page = context.new_page()
        source = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
        page.set_content(f'<img id="qr" src="{source}" width="{DRAWN_PX}" height="{DRAWN_PX}">')
        page.wait_for_function("document.getElementById('qr').complete")
        return decode(page.locator("#qr").screenshot())
    finally:
        context.close()
