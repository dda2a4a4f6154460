"""Atomic output: a render either replaces the target whole or leaves it alone.

Planning staff re-render the same file every quarter; a crash, a full disk or
a kill midway must never leave a half-written PDF or workbook in place of
last quarter's good one.  Everything is written to a temporary file in the
target's directory (same filesystem, so the final ``os.replace`` is atomic).

What replacing a file keeps and refuses (README "Security"):

* **Mode.** A replaced file keeps its permission bits (a 0600 report stays
  private); a new file gets ``0666`` less the umask, as ``open`` would give it.
* **Read-only files are not replaced.** Rename would overwrite a 0444 file the
  user cannot write to; that is refused, as ``cp`` or an editor would.
* **Symbolic links are refused.** ``-o`` naming a link is refused and neither
  the link nor the file it points to is touched: following it would let a link
  planted in a shared folder redirect the write anywhere the user can write;
  replacing it would silently turn the link into a file.  Give the real path.
* A missing folder, a folder that cannot be written, or a folder where the
  file should be are each one :class:`OutputError` line, before anything is
  rendered when the caller uses :func:`check_target` first (the CLI does).
"""

from __future__ import annotations

import os
import stat
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from .errors import RenderError


class OutputError(RenderError):
    """An output path that cannot be written as asked (invalid use: exit 2 on the command line)."""


_UMASK_LOCK = threading.Lock()


def _umask() -> int:
    """The process umask (read by setting and restoring it; no other way in Python)."""
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def _writable(path: Path, info: os.stat_result, how: int = os.W_OK) -> bool:
    """Writable by this user *and* not marked read-only for everyone: root may write
    anything, but a file or folder whose every write bit is off was made read-only
    on purpose, and is respected as such."""
    return os.access(path, how) and bool(info.st_mode & 0o222)


def check_target(target: str | os.PathLike[str]) -> int:
    """Refuse an output path that cannot be replaced as documented; return the mode to give it.

    Raises :class:`OutputError` with one line: the folder is missing, is not a
    folder or cannot be written; the target is a folder, a symbolic link, a
    special file, or a file the user may not write.
    """
    final = Path(target)
    directory = final.parent if str(final.parent) else Path(".")
    try:
        info = final.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(f"{final}: cannot write here ({exc.strerror or exc})") from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise OutputError(f"{final}: is a symbolic link (to {os.readlink(final)}); refusing to write through "
                              "or replace it: give the real path")
        if stat.S_ISDIR(info.st_mode):
            raise OutputError(f"{final}: is a folder; give a file name to write")
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(f"{final}: is not a regular file; refusing to replace it")
        if not _writable(final, info):
            raise OutputError(f"{final}: the file is read-only; not replaced (make it writable first)")
    if not directory.exists():
        raise OutputError(f"{final}: the folder {directory} does not exist")
    if not directory.is_dir():
        raise OutputError(f"{final}: {directory} is not a folder")
    if not _writable(directory, directory.stat(), os.W_OK | os.X_OK):
        raise OutputError(f"{final}: the folder {directory} cannot be written (permission denied)")
    if info is not None:
        return stat.S_IMODE(info.st_mode)
    return 0o666 & ~_umask()


@contextmanager
def atomic_target(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it over ``target`` on success.

    The result keeps the mode of the file it replaces (a new one honours the
    umask); see :func:`check_target` for what is refused.
    """
    final = Path(target)
    directory = final.parent if str(final.parent) else Path(".")
    mode = check_target(final)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=directory)
    except OSError as exc:
        raise OutputError(f"{final}: cannot write in {directory} ({exc.strerror or exc})") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, mode)
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
