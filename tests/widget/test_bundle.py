"""The widget's bundle: its real sources and the shared modules they import
bundle cleanly into one module with the catalog's strings; the bundler
refuses, loudly, what would break in one shared scope; and every string the
widget uses has its Vietnamese translation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from server.web import widget
from server.web.bundle import BundleError, bundle
from server.web.catalogs import LOCALE, catalog


def test_the_real_sources_bundle_into_one_module() -> None:
    """Every module the widget reaches is in the bundle once, in import order,
    without its import lines; only the entry keeps exports."""
    source = widget.bundled()
    order = re.findall(r"^// ---- (\S+)$", source, re.M)
    assert order[-1] == "client_widget/src/widget.js"
    for lib in ("dom", "api", "feed", "state", "i18n", "proof", "device", "time"):
        assert f"moderator_ui/static/lib/{lib}.js" in order
    assert order.index("moderator_ui/static/lib/api.js") < order.index(
        "moderator_ui/static/lib/proof.js"
    )
    assert not re.search(r"^import\b(?![(.])", source, re.M)
    exports = re.findall(r"^export\b.*$", source, re.M)
    assert exports == [
        "export class DoithoaiWidget extends HTMLElement {",
        "export { MESSAGES, sha256, solve };",
    ]
    assert widget.script() is widget.script()  # bundled once, served from the cache


def test_the_served_module_is_the_bundle_minified() -> None:
    """What a phone downloads has no comment but the licence-style header and
    no indentation; its statements are the bundle's (the widget's Chromium
    tests run this very file)."""
    served = widget.script().decode()
    assert served.startswith("/*! doithoai's embeddable widget")
    body = served.split("*/", 1)[1]
    assert "// ----" not in body and "\n  " not in body
    assert len(served) < 0.95 * len(widget.bundled())
    assert "export class DoithoaiWidget extends HTMLElement{" in served


def test_the_catalog_is_the_pages_catalog_for_exactly_the_widgets_msgids() -> None:
    """The injected catalog has each msgid the sources pass to t() that a
    language says otherwise, translated as the pages' catalogs translate it, in
    place of the module's placeholder; the others t() shows as written."""
    source = widget.bundled()
    assert "export const MESSAGES = { vi: {}, en: {} };" not in source
    found = re.search(r"^const MESSAGES = (\{.*?\n\});$", source, re.M | re.S)
    assert found is not None
    tables = json.loads(found.group(1))
    assert sorted(tables) == ["en", "vi"]
    assert len(widget.msgids()) > 50
    for lang, table in tables.items():
        assert set(table) <= set(widget.msgids())
        assert {m: table.get(m, m) for m in widget.msgids()} == {
            m: catalog(lang).gettext(m) for m in widget.msgids()
        }
    assert tables["vi"]["Connection lost, reconnecting…"] == "Mất kết nối, đang kết nối lại…"
    assert tables["vi"]["Ask a new question"] == "Gửi câu hỏi khác"
    assert "Ask a new question" not in tables["en"]


def test_every_widget_msgid_has_a_vietnamese_translation() -> None:
    """Each string of the widget has a non-empty, non-fuzzy vi translation and
    is in the en catalog (empty there: English shows)."""
    with (LOCALE / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        vi = {m.id: m for m in read_po(po, locale="vi") if m.id}
    with (LOCALE / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        en = {m.id for m in read_po(po, locale="en") if m.id}
    missing = [m for m in widget.msgids() if m not in vi or not vi[m].string or vi[m].fuzzy]
    assert not missing, f"untranslated in vi: {missing}"
    assert set(widget.msgids()) <= en


def test_babel_cfg_extracts_the_widget() -> None:
    """``make i18n`` extracts the widget's and the shared modules' t() msgids."""
    config = (widget.REPO_ROOT / "babel.cfg").read_text()
    for section in ("client_widget/src/**.js", "moderator_ui/static/lib/**.js"):
        assert f"[javascript: {section}]\nkeywords = t" in config


def _write(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path / "entry.js"


@pytest.mark.parametrize(
    ("files", "complaint"),
    [
        (
            {
                "entry.js": 'import { a } from "./a.js";\nconst shared = a;\nexport { shared };\n',
                "a.js": "const shared = 1;\nexport const a = shared;\n",
            },
            "'shared' is declared by both",
        ),
        (
            {"entry.js": 'import { a as b } from "./a.js";\n', "a.js": "export const a = 1;\n"},
            "no aliases",
        ),
        (
            {"entry.js": 'import { b } from "./a.js";\n', "a.js": "export const a = 1;\n"},
            "does not export b",
        ),
        (
            {
                "entry.js": 'import { a } from "./a.js";\nexport const e = a;\n',
                "a.js": 'import { e } from "./entry.js";\nexport const a = 1;\n',
            },
            "import cycle",
        ),
        ({"entry.js": 'import lib from "./a.js";\n', "a.js": "export const a = 1;\n"}, "named"),
        ({"entry.js": 'import { a } from "lib";\n'}, "named imports from relative paths"),
        (
            {"entry.js": 'import { a } from "./a.js";\n', "a.js": "export default 1;\n"},
            "default",
        ),
        (
            {"entry.js": "const { x, y: z } = o;\nfunction z() {}\n"},
            "declares z more than once",
        ),
    ],
)
def test_the_bundler_refuses_what_one_scope_would_break(
    tmp_path: Path, files: dict[str, str], complaint: str
) -> None:
    with pytest.raises(BundleError, match=re.escape(complaint)):
        bundle(_write(tmp_path, files), tmp_path)


def test_the_bundler_joins_modules(tmp_path: Path) -> None:
    """Imports out, dependencies first, exports kept only on the entry,
    multi-line imports handled; the rest as written (the minifier comes after)."""
    entry = _write(
        tmp_path,
        {
            "entry.js": (
                "// the entry\n"
                'import {\n  a,\n  b,\n} from "./a.js";\n'
                "/* a block\n   comment */\n"
                "export const c = a + b; // kept\n"
                "export const css = `\n// not a comment\n`;\n"
            ),
            "a.js": "/** a */\nexport function a() {}\nconst b = 2;\nexport { b };\n",
        },
    )
    out = bundle(entry, tmp_path)
    assert out == (
        "// ---- a.js\n/** a */\nfunction a() {}\nconst b = 2;\n\n"
        "// ---- entry.js\n// the entry\n\n/* a block\n   comment */\n"
        "export const c = a + b; // kept\n"
        "export const css = `\n// not a comment\n`;\n"
    )


def test_no_string_hides_where_extraction_cannot_see_it() -> None:
    """Babel's extractor does not look inside template literals: a t() there
    would be missing from the catalogs and the bundle."""
    for path in [*widget.SOURCES.glob("*.js"), *widget.LIB.glob("*.js")]:
        assert not re.search(r"\$\{[^}`]*\bt\(", path.read_text()), path.name


def test_the_bundler_leaves_out_shared_functions_nothing_names(tmp_path: Path) -> None:
    """A shared module's function nobody calls is not downloaded by every
    portal: left out, and then the ones only it called; any other mention
    keeps a function, and so does any function not written as the sources
    are formatted (body indented, closing brace alone at column 0)."""
    entry = _write(
        tmp_path,
        {
            "entry.js": (
                'import { used, mentioned } from "./a.js";\n'
                "function mine() {\n  return 1;\n}\n"
                "export const c = used() + mentioned;\n"
            ),
            "a.js": (
                "export function used() {\n  return helper(2);\n}\n"
                "function helper(n) {\n  return n;\n}\n"
                "export function unused() {\n  return inner();\n}\n"
                "function inner() {\n  if (true) {\n    return 3;\n  }\n\n  return inner();\n}\n"
                "export async function later() {\n  return 4;\n}\n"
                "// tell() is only named in this comment\n"
                "export function tell() {\n  return 5;\n}\n"
                "export function oneLine() { return 6; }\n"
                "export function folded(\n  a,\n) {\n  return a;\n}\n"
                "export const mentioned = 7;\n"
            ),
        },
    )
    out = bundle(entry, tmp_path)
    for kept in ("function used()", "function helper(n)", "function mine()", "function tell()"):
        assert kept in out
    for kept in ("function oneLine()", "function folded(", "const mentioned = 7;"):
        assert kept in out
    for gone in ("unused", "inner", "later"):
        assert gone not in out
    assert "function helper(n) {\n  return n;\n}\n// tell()" in out
