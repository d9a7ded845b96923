"""HTML pages in the reader's language: Jinja2 templates, gettext catalogs,
content-hashed static files, and the security headers every page carries.

Templates live in ``moderator_ui/templates/`` and are autoescaped; the
catalogs are ``catalogs.py``'s. Each language has its own Environment with
its translation installed, so rendering never swaps a translation on a
shared object. This module never builds HTML by string concatenation and
never reads a question: handlers pass data in.
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from zoneinfo import ZoneInfo

import jinja2
from babel.dates import format_date, format_datetime
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from .auth import own_origins
from .catalogs import LANGUAGES, catalog, gettext_for, language, script_strings

UI_ROOT = Path(__file__).resolve().parent.parent.parent / "moderator_ui"
TEMPLATES = UI_ROOT / "templates"
STATIC = UI_ROOT / "static"
#: A year: a ``?v=`` URL names one version of a file forever, so browsers
#: and proxies may keep it as long as they like.
IMMUTABLE = "public, max-age=31536000, immutable"
#: A ``lang`` cookie outlives a session: the reader chose it once.
LANG_COOKIE_AGE = 365 * 24 * 3600
#: Dialogues are broadcast in Vietnam: times read in its clock, whoever reads
#: them (common.js uses the same zone, so the page does not change on update).
DISPLAY_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
#: Time formats (Babel patterns), kept equal to common.js's formatTime.
TIME_FORMATS = {"vi": "HH:mm, dd/MM/yyyy", "en": "d MMM yyyy, HH:mm"}
#: Day formats (a due day), kept equal to lib/time.js's formatDay.
DAY_FORMATS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}


def gettext(request: Request) -> Callable[[str], str]:
    """gettext in the page's language, for the few sentences a handler chooses."""
    return gettext_for(request, header=False)


@functools.cache
def static_version(path: str) -> str:
    """First 12 hex digits of the sha256 of a static file (read once per file)."""
    target = (STATIC / path).resolve()
    if not target.is_relative_to(STATIC.resolve()) or not target.is_file():
        raise ValueError(f"no static file {path!r}")
    return hashlib.sha256(target.read_bytes()).hexdigest()[:12]


@functools.cache
def ui_build() -> str:
    """A name for this node's version of the pages' code: the first 12 hex
    digits of a hash of every static file. A staff page sends the one it was
    served with when it opens its feed (``?ui=``), and a node with other code
    closes that feed (``sockets.CLOSE_OUTDATED``): a page loaded before an
    upgrade reloads instead of reading the new snapshots with its old script."""
    digest = hashlib.sha256()
    for path in sorted(p for p in STATIC.rglob("*") if p.is_file()):
        digest.update(path.relative_to(STATIC).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:12]


def when(value: str | None, lang: str) -> str:
    """An ISO 8601 time as the reader's language writes it, in Vietnam's clock."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment, TIME_FORMATS[lang], tzinfo=DISPLAY_ZONE, locale=lang)


def day(value: str | None, lang: str) -> str:
    """A day (YYYY-MM-DD, such as a due day) as the reader's language writes it."""
    if not value:
        return ""
    try:
        return format_date(date.fromisoformat(value), DAY_FORMATS[lang], locale=lang)
    except ValueError:
        return value


def moment(seconds: int) -> str:
    """A moment of the recording (seconds from its start) as m:ss, or h:mm:ss
    past the hour, as lib/time.js's clockOffset writes it."""
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def lib_strings(lang: str, *names: str) -> dict[str, str]:
    """The ``lang`` table of the msgids the shared modules ``static/lib/<name>``
    pass to ``t()``, for a page that hands them its translator."""
    return script_strings(lang, (STATIC / "lib" / name for name in names))


def static(path: str) -> str:
    """The URL of a static file, with its content hash so it can be cached forever."""
    return f"/static/{path}?v={static_version(path)}"


#: A module's static imports (``import ... from "./x.js"``, ``import "./x.js"``).
_IMPORT = re.compile(r'(?:\bfrom|^import)\s*"(\.{1,2}/[^"]+\.js)"', re.MULTILINE)


@functools.cache
def module_preloads(path: str) -> tuple[str, ...]:
    """The URLs of the static modules ``path`` imports, directly or through
    others, as the imports name them (no ``?v=``): a page lists them as
    ``modulepreload`` links so that the browser fetches the whole graph at
    once instead of one level of imports after the other (the console's
    feed opens only once all of them ran)."""
    found: dict[str, None] = {}
    todo = [path]
    while todo:
        module = todo.pop()
        for name in _IMPORT.findall((STATIC / module).read_text(encoding="utf-8")):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(module), name))
            if target not in found and target != path:
                found[target] = None
                todo.append(target)
    return tuple(f"/static/{module}" for module in sorted(found))


@functools.cache
def environment(lang: str) -> jinja2.Environment:
    """The template environment of ``lang``, built once."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(catalog(lang), newstyle=True)  # type: ignore[attr-defined]
    # tojson output stays readable Vietnamese; Jinja still escapes < > & ' in it.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.globals["static"] = static
    env.globals["module_preloads"] = module_preloads
    env.globals["ui_build"] = ui_build()
    env.globals["lib_strings"] = functools.partial(lib_strings, lang)
    env.filters["when"] = functools.partial(when, lang=lang)
    env.filters["day"] = functools.partial(day, lang=lang)
    env.filters["moment"] = moment
    return env


#: A template's own references to others (extends, import, include, from).
_USES = re.compile(r'{%-?\s*(?:extends|import|include|from)\s+"([^"]+)"')
#: The pages whose templates a node compiles once it started (``warm``),
#: and the modules whose imports they list: the console's first render
#: otherwise compiles its six templates and reads its modules (~0.1 s of
#: CPU) while a moderator waits for it.
WARM_PAGES = ("console.html",)
WARM_MODULES = ("console.js",)


def templates_of(pages: tuple[str, ...]) -> list[str]:
    """``pages`` and every template they use, directly or through others."""
    found = dict.fromkeys(pages)
    todo = list(pages)
    while todo:
        for used in _USES.findall((TEMPLATES / todo.pop()).read_text(encoding="utf-8")):
            if used not in found:
                found[used] = None
                todo.append(used)
    return list(found)


def warm(pages: tuple[str, ...] = WARM_PAGES, lang: str = "vi") -> None:
    """Compile ``pages`` and the templates they use, in ``lang``'s
    environment (pages are in Vietnamese unless English is asked for), and
    find the imports of ``WARM_MODULES``."""
    env = environment(lang)
    for name in templates_of(pages):
        env.get_template(name)
    for module in WARM_MODULES:
        module_preloads(module)


def load_all() -> None:
    """Build every language's environment now (compiling its catalog), so that
    a broken catalog fails at startup rather than on the first page."""
    for lang in LANGUAGES:
        environment(lang)


def security_headers(request: Request) -> dict[str, str]:
    """Content-Security-Policy and friends for a page of this app. The feeds'
    WebSocket hosts are the app's own origins (as the Origin checks see them),
    but for an IPv6 literal ("[::1]"), which a CSP source cannot name: there
    the socket is the page's own origin, which 'self' allows."""
    netlocs = {urlsplit(origin).netloc for origin in own_origins(request)}
    hosts = sorted(netloc for netloc in netlocs if not netloc.startswith("["))
    sockets = " ".join(f"ws://{host} wss://{host}" for host in hosts)
    policy = "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src 'self' {sockets}",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        )
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        # Pages hold session-bound data (the console's CSRF token) or a feed
        # snapshot that is stale a second later: never store them.
        "Cache-Control": "no-store",
    }


def lang_url(request: Request, lang: str) -> str:
    """This page's path and query, with ``lang`` set to ``lang``."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    query.append(("lang", lang))
    return f"{request.url.path}?{urlencode(query)}"


def remember_language(request: Request, response: Response) -> None:
    """Keep an explicit ``?lang=`` choice in a cookie for the next pages."""
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES and request.cookies.get("lang") != chosen:
        response.set_cookie("lang", chosen, max_age=LANG_COOKIE_AGE, path="/", samesite="lax")


def protect(request: Request, response: Response) -> Response:
    """Add the page security headers and the language cookie to ``response``."""
    response.headers.update(security_headers(request))
    remember_language(request, response)
    return response


def render(
    request: Request,
    name: str,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render template ``name`` in the request's language as a page response."""
    lang = language(request, header=False)
    template = environment(lang).get_template(name)
    html = template.render(
        request=request,
        lang=lang,
        lang_url=functools.partial(lang_url, request),
        **context,
    )
    response = HTMLResponse(html, status_code, headers=dict(headers or {}))
    protect(request, response)
    return response


def error_page(request: Request, status_code: int, message: str | None = None) -> Response:
    """The error page (404, 403, ...) with an optional sentence of its own."""
    return render(request, "error.html", status_code, status=status_code, message=message)


class _Static(StaticFiles):
    """StaticFiles that lets a ``?v=`` URL be cached forever and the bare one be
    revalidated (modules import each other by bare relative URLs)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        versioned = "v" in parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if response.status_code == 200 and versioned:
            response.headers["Cache-Control"] = IMMUTABLE
        else:
            response.headers.setdefault("Cache-Control", "no-cache")
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def static_mount() -> Mount:
    return Mount("/static", app=_Static(directory=STATIC), name="static")
