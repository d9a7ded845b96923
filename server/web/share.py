"""Sharing a dialogue: its public address, and that address as a QR code for
the broadcast to show and for the public page's share block.

The address is the app's own origin (``Settings.origin``: ``DOITHOAI_PUBLIC_URL``,
or the loopback address of a node that serves this machine only) and the public
page's path. It is never taken from the request's Host header, which any
client chooses: a QR code shown on air must not point where a request said.

The QR code is drawn here as SVG by segno (no CDN, no image library): black
modules on a white square with its quiet zone, so it scans on a dark page or a
dark overlay too, and it scales to any size without blurring.
"""

from __future__ import annotations

import io

import segno
from starlette.requests import Request
from starlette.responses import Response

from ..domain.model import Dialogue, DialogueStatus
from .auth import may_see
from .context import address, services, settings
from .templating import error_page

#: The QR code names a fixed address, but a dialogue may go back to draft:
#: an hour in a browser's or a proxy's cache, then asked again.
QR_CACHE = "public, max-age=3600"
#: A draft's code is for its staff only: never kept by a shared cache.
DRAFT_CACHE = "private, no-store"
SVG = "image/svg+xml"
#: An SVG opened on its own is a document: it may load and run nothing.
SVG_POLICY = "default-src 'none'"


def public_url(request: Request, dialogue: Dialogue) -> str:
    """The dialogue's public page, as an absolute URL at the app's own origin."""
    return settings(request).origin + address(request, "dialogue_page", slug=dialogue.slug)


def qr_svg(text: str) -> bytes:
    """``text`` as a QR code in SVG: error correction M at least (segno raises
    it while the code stays as small), so a code filmed off a screen or printed
    survives a reflection or a smudge; the standard 4-module quiet zone."""
    code = segno.make(text, error="m", micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        border=4,
        dark="#000",
        light="#fff",
        xmldecl=False,
        omitsize=True,
        svgclass=None,
        lineclass=None,
    )
    return out.getvalue()


async def qr_code(request: Request) -> Response:
    """GET /d/{slug}/qr.svg: the dialogue's public address as a QR code."""
    dialogue = await services(request).dialogues.find(request.path_params["slug"])
    if dialogue is None or not await may_see(request, dialogue):
        return error_page(request, 404)
    cache = DRAFT_CACHE if dialogue.status is DialogueStatus.DRAFT else QR_CACHE
    headers = {
        "Cache-Control": cache,
        "Content-Security-Policy": SVG_POLICY,
        "X-Content-Type-Options": "nosniff",
    }
    return Response(qr_svg(public_url(request, dialogue)), media_type=SVG, headers=headers)
