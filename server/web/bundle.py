"""A small bundler for the embeddable widget: its ES modules, and the pages'
shared ones they import, joined into one module that a portal loads from one
URL.

It handles what the sources use and refuses the rest, loudly: named imports
from relative paths (``import { a, b } from "./x.js";``, on one line or
several) are removed and the imported modules placed before their importers
(a topological order, a cycle refused); in every module but the entry the
``export`` keyword is stripped (``export { ... };`` lines dropped); the entry
keeps its exports, so the bundle exports what the entry does. Since all
modules then share one scope, each module's top-level names are collected and
two modules declaring the same name is an error, as is importing a name the
other module does not export, an aliased, default or namespace import, or a
bare specifier. Top-level means "at column 0": the sources are formatted so.

A shared module's top-level function that nothing in the bundle names
(outside its own body) is left out, again until none is: the pages'
modules export more than the widget uses, and every portal would download
it. A name that appears anywhere else, in a comment or a string too, keeps
its function (a declaration has no effect of its own to lose).

It never evaluates or rewrites code beyond those lines, and reads only the
files the entry reaches; the widget's route minifies the result
(``widget.script``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_NAME = r"[A-Za-z_$][\w$]*"
#: A named import from a relative path, possibly over several lines.
IMPORT = re.compile(r'^import\s*\{([^}]*)\}\s*from\s*"(\.{1,2}/[^"]+)";?[ \t]*$', re.M)
#: Any other static import statement (dynamic ``import(`` and ``import.meta`` pass).
OTHER_IMPORT = re.compile(r"^import(?![\w$(.])", re.M)
EXPORT_LIST = re.compile(r"^export\s*\{([^}]*)\};?[ \t]*$", re.M)
_DECLARES = r"(?:async\s+)?function\b|const\b|let\b|var\b|class\b"
EXPORT_KEYWORD = re.compile(rf"^export\s+(?={_DECLARES})", re.M)
OTHER_EXPORT = re.compile(r"^export\s+(?:default\b|\*)", re.M)
DECLARATION = re.compile(rf"^(?:export\s+)?(?:async\s+)?(?:function\*?|class)\s+({_NAME})", re.M)
VARIABLE = re.compile(
    rf"^(?:export\s+)?(?:const|let|var)\s+(\{{[^}}]*\}}|\[[^\]]*\]|{_NAME})", re.M
)


#: A top-level function declaration whose body lines are all indented, to
#: its closing brace alone at column 0 (anything else is kept as it is).
_FUNCTION = re.compile(
    rf"^(?:async\s+)?function\*?\s+({_NAME})\([^\n]*(?:\n(?:[ \t][^\n]*)?)*\n\}}[ \t]*$\n?",
    re.M,
)


class BundleError(ValueError):
    """The sources cannot be bundled as they are (the message says where)."""


@dataclass(frozen=True)
class Module:
    path: Path
    text: str
    #: (imported names, resolved path) per import statement.
    imports: tuple[tuple[tuple[str, ...], Path], ...]
    #: Every top-level name the module declares.
    names: frozenset[str]
    #: The names it exports.
    exports: frozenset[str]


def _names_of(pattern: str) -> list[str]:
    """The local names of a destructuring pattern or of one identifier."""
    if pattern[0] not in "{[":
        return [pattern]
    names = []
    for part in pattern[1:-1].split(","):
        part = part.split("=")[0].strip().removeprefix("...")
        part = part.split(":")[-1].strip()
        if part:
            names.append(part)
    return names


def _split_names(listing: str, where: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in listing.split(",") if n.strip())
    for name in names:
        if not re.fullmatch(_NAME, name):
            raise BundleError(f"{where}: unsupported import or export of {name!r} (no aliases)")
    return names


def read_module(path: Path, text: str, root: Path) -> Module:
    """Parse ``text`` (the source of ``path``) as far as bundling needs."""
    where = _shown(path, root)
    imports = []
    for match in IMPORT.finditer(text):
        imported = _split_names(match.group(1), where)
        imports.append((imported, (path.parent / match.group(2)).resolve()))
    if OTHER_IMPORT.search(IMPORT.sub("", text)):
        raise BundleError(f"{where}: only named imports from relative paths can be bundled")
    if OTHER_EXPORT.search(text):
        raise BundleError(f"{where}: default and star exports cannot be bundled")
    names: list[str] = [m.group(1) for m in DECLARATION.finditer(text)]
    for match in VARIABLE.finditer(text):
        names.extend(_names_of(match.group(1)))
    exported = {m.group(1) for m in DECLARATION.finditer(text) if m.group(0).startswith("export")}
    for match in VARIABLE.finditer(text):
        if match.group(0).startswith("export"):
            exported.update(_names_of(match.group(1)))
    for match in EXPORT_LIST.finditer(text):
        exported.update(_split_names(match.group(1), where))
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise BundleError(f"{where}: declares {', '.join(duplicates)} more than once")
    return Module(path, text, tuple(imports), frozenset(names), frozenset(exported))


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _order(entry: Path, root: Path, sources: Mapping[Path, str]) -> list[Module]:
    """The modules ``entry`` reaches, each after the ones it imports."""
    done: dict[Path, Module] = {}
    visiting: list[Path] = []

    def visit(path: Path) -> None:
        if path in done:
            return
        if path in visiting:
            cycle = " -> ".join(_shown(p, root) for p in [*visiting[visiting.index(path) :], path])
            raise BundleError(f"import cycle: {cycle}")
        visiting.append(path)
        text = sources[path] if path in sources else path.read_text(encoding="utf-8")
        module = read_module(path, text, root)
        for names, target in module.imports:
            visit(target)
            missing = sorted(set(names) - done[target].exports)
            if missing:
                raise BundleError(
                    f"{_shown(path, root)}: {_shown(target, root)} does not export "
                    + ", ".join(missing)
                )
        visiting.pop()
        done[path] = module

    visit(entry.resolve())
    return list(done.values())


def bundle(entry: Path, root: Path, sources: Mapping[Path, str] | None = None) -> str:
    """One ES module of ``entry`` and everything it imports. ``sources`` replaces
    the text of some files (by resolved path), e.g. a generated catalog;
    ``root`` only shortens the paths in comments and errors."""
    entry, root = entry.resolve(), root.resolve()
    modules = _order(entry, root, {p.resolve(): t for p, t in (sources or {}).items()})
    owners: dict[str, Path] = {}
    for module in modules:
        for name in module.names:
            if name in owners:
                raise BundleError(
                    f"{name!r} is declared by both {_shown(owners[name], root)} and "
                    f"{_shown(module.path, root)}: rename one, they share the bundle's scope"
                )
            owners[name] = module.path
    parts = []
    for module in modules:
        text = IMPORT.sub("", module.text)
        if module.path != entry:
            text = EXPORT_LIST.sub("", EXPORT_KEYWORD.sub("", text))
        parts.append(text)
    _drop_unused(parts, shared=len(modules) - 1)  # the entry comes last
    return "\n".join(
        f"// ---- {_shown(m.path, root)}\n" + re.sub(r"\n{3,}", "\n\n", t).strip("\n") + "\n"
        for m, t in zip(modules, parts, strict=True)
    )


def _uses(name: str, text: str) -> int:
    return len(re.findall(rf"(?<![\w$]){re.escape(name)}(?![\w$])", text))


def _drop_unused(parts: list[str], shared: int) -> None:
    """Leave out of ``parts[:shared]`` the functions no other text names."""
    while True:
        whole = "\n".join(parts)
        unused = [
            match.group(0)
            for part in parts[:shared]
            for match in _FUNCTION.finditer(part)
            if _uses(match.group(1), whole) == _uses(match.group(1), match.group(0))
        ]
        if not unused:
            return
        for index in range(shared):
            for unit in unused:
                parts[index] = (
                    parts[index].replace(unit, "", 1) if unit in parts[index] else parts[index]
                )
