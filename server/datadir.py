"""The data directory (``DOITHOAI_DATA_DIR``) and what is kept in it: readable
by this user only.

It holds the embedded Redis's AOF (questions, contact data, password hashes,
sessions, the overlay token), its log and pid file, and the secret key. The
directory is made (or tightened to) 0700 and those files 0600, including the
ones an older run left readable by others. This module never walks the whole
directory: it touches only the names it is given, since an operator may
point DATA_DIR at a directory that holds other things too.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

#: Directories: the owner alone may list, enter and write them.
DIR_MODE = 0o700
#: Files: the owner alone may read and write them.
FILE_MODE = 0o600
#: The permission bits of the group and of other users.
SHARED = 0o077


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) mode 0700, or take group and
    other access away from the one that is there (not from its entries)."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _unshare(path, path.stat().st_mode)


def tighten(paths: Iterable[Path]) -> None:
    """Take group and other access away from each of ``paths`` that exists,
    and from everything inside those that are directories. Symlinks are left
    alone: their targets are not ours to change."""
    for path in paths:
        try:
            info = path.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISDIR(info.st_mode):
            _unshare(path, info.st_mode)
            tighten(path.iterdir())
        elif stat.S_ISREG(info.st_mode):
            _unshare(path, info.st_mode)


def _unshare(path: Path, mode: int) -> None:
    if mode & SHARED:
        path.chmod(stat.S_IMODE(mode) & ~SHARED)


def write_private(path: Path, text: str) -> bool:
    """Write ``text`` to a new file ``path``, mode 0600 from the moment it
    exists; False, writing nothing, if there is one already. ``path`` appears
    whole: the text goes to a file of this process's own first, linked to
    ``path`` only if no other is there, so that a process starting beside
    this one (two nodes or an intake worker on one data dir) never reads it
    half written (an empty secret key)."""
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(draft, path)
        except FileExistsError:
            return False
        return True
    finally:
        draft.unlink()
