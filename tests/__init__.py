"""The test suite. Imported before any conftest or test module, so this is
where the run's processes are told to keep their compiled bytecode.

A shell with PYTHONDONTWRITEBYTECODE set (some containers and CI images set
it) would otherwise have every test server, CLI run and intake worker the
tests start compile the whole ``server`` package from source again (about
0.2 s of CPU each, a few hundred times a run), and every pytest worker
rewrite the assertions of all ~500 test files again (about 6 s of CPU each).
The bytecode goes where Python puts it (``__pycache__/``, git-ignored).
"""

from __future__ import annotations

import os
import sys

sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
