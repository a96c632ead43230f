"""Atomic file output: a result appears whole under its final name, or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

UMASK = os.umask(0)
os.umask(UMASK)


def temporary_beside(path: Path) -> Path:
    """A new empty hidden file in `path`'s folder that keeps its suffix, so that writers which
    pick a format from the name (npz, png, mp4, wav) behave as for the final path."""
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    return Path(name)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success rename it onto `path`. On any
    exception the temporary file is removed and `path` is left untouched."""
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_beside(final)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~UMASK)  # mkstemp makes it private; results are ordinary files
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
