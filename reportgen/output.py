"""Atomic output: a render either replaces the target whole or leaves it alone.

Planning staff re-render the same file every quarter; a crash, a full disk or
a kill midway must never leave a half-written PDF or workbook in place of
last quarter's good one.  Everything is written to a temporary file in the
target's directory (same filesystem, so the final ``os.replace`` is atomic).
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from .errors import RenderError


@contextmanager
def atomic_target(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it over ``target`` on success."""
    final = Path(target)
    directory = final.parent if str(final.parent) else Path(".")
    if not directory.is_dir():
        raise RenderError(f"{final}: directory {directory} does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=directory)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes_atomic(target: str | os.PathLike[str] | IO[bytes], data: bytes) -> None:
    """Write ``data`` to a path atomically, or to an open binary file object."""
    if hasattr(target, "write"):
        target.write(data)  # type: ignore[union-attr]
        return
    with atomic_target(target) as tmp:  # type: ignore[arg-type]
        tmp.write_bytes(data)
