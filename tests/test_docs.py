"""The documentation in the repository holds: docs/api.md is what the code
generates, no file points to a document the repository does not have, and
every relative link of the README, docs/ and deploy/README.md leads to a
file that exists."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from server.web import apidoc

ROOT = Path(__file__).resolve().parent.parent
#: Documents that were never in the repository (case-sensitive: docs/api.md is).
GONE = re.compile(r"DESIGN\.md|API\.md")
#: A Markdown link's target: [text](target) or [text](target "title").
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def tracked() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    return [ROOT / name for name in listed.decode().split("\0") if name]


def test_api_reference_is_what_the_code_generates() -> None:
    """docs/api.md is apidoc's rendering of the served OpenAPI document: a
    change of a route, a body or a payload without `make docs` fails here."""
    assert apidoc.TARGET.read_text(encoding="utf-8") == apidoc.render(), (
        "docs/api.md is stale: run `make docs`"
    )


def test_the_check_mode_agrees() -> None:
    assert apidoc.main(["--check"]) == 0


def test_no_tracked_file_names_a_document_the_repository_lacks() -> None:
    found = []
    for path in tracked():
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # a binary file
        found += [
            f"{path.relative_to(ROOT)}:{n}"
            for n, line in enumerate(text.splitlines(), 1)
            if GONE.search(line)
        ]
    assert found == []


def test_relative_links_in_the_readme_and_docs_resolve() -> None:
    pages = [
        ROOT / "README.md",
        *sorted((ROOT / "docs").glob("*.md")),
        ROOT / "deploy" / "README.md",
    ]
    broken = []
    for page in pages:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # another site, mail, or a place in the same page
            path = target.split("#", 1)[0]
            if not (page.parent / path).exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert broken == []


def test_the_link_pattern_finds_links() -> None:
    """The check above reads links as Markdown writes them."""
    text = '[a](docs/x.md) [b](#here) [c](https://example.vn) [d](y.md "title")'
    assert LINK.findall(text) == ["docs/x.md", "#here", "https://example.vn", "y.md"]
