"""``python -m server`` is the ``doithoai`` command."""

import sys

from .cli import main

sys.exit(main())
