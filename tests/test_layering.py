"""The layers hold (pyproject's import-linter contracts, docs/architecture.md):
the domain is pure, only the store knows Redis, the store and the real-time
layer never reach up, the actions know nothing of HTTP, the web layer
reaches the store only through the actions, and the outbound senders (e-mail,
webhook) and the metrics (which every layer counts into) know no other layer,
and the documents (XLSX, DOCX) render what they are given."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

#: One import per contract that breaks it: (module to add, its source).
BREAKERS = {
    "server/domain/probe_io.py": "import asyncio\n",
    "server/realtime/probe_up.py": "from ..web import auth\n",
    "server/web/probe_store.py": "from ..store.connection import Store\n",
    "server/actions/probe_http.py": "import starlette.requests\n",
    "server/cli/probe_redis.py": "import redis\n",
    "server/outbound/probe_up.py": "from ..actions import base\n",
    "server/metrics.py": "from .store import keys\n",
    "server/documents/probe_store.py": "from ..store import keys\n",
}
CONTRACTS = (
    "The domain is pure",
    "Only the store imports Redis",
    "The store and the real-time layer never import the layers above them",
    "The actions know nothing of HTTP",
    "The web layer reaches the store only through the actions",
    "The outbound senders know no other layer",
    "The metrics know no other layer",
    "The documents render what they are given",
)


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_layering_contracts_hold() -> None:
    done = _lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in done.stdout


def test_an_import_across_a_layer_breaks_its_contract(tmp_path: Path) -> None:
    """The contracts can fail: a copy of the tree with one wrong import per
    contract breaks every one of them."""
    shutil.copytree(ROOT / "server", tmp_path / "server", ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    for path, source in BREAKERS.items():
        (tmp_path / path).write_text(source)
    done = _lint_imports(tmp_path)
    assert done.returncode != 0
    for contract in CONTRACTS:
        assert re.search(rf"{re.escape(contract)}.* BROKEN", done.stdout), done.stdout
    assert f"Contracts: 0 kept, {len(CONTRACTS)} broken." in done.stdout


def test_handlers_reach_the_app_state_through_one_accessor() -> None:
    """``web/context.py`` alone reads ``app.state`` in the web layer."""
    web = ROOT / "server" / "web"
    found = [
        f"{path.name}:{n}"
        for path in sorted(web.glob("*.py"))
        if path.name != "context.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if "app.state" in line
    ]
    assert not found, found
