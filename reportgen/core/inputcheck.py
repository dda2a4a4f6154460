"""Opening an input file: a regular file of bounded size, or a located refusal.

A path given on the command line may name anything: a FIFO (``open`` blocks
until a writer comes, forever), a device (``/dev/zero`` reads without end), a
socket or a folder.  Every reader (YAML, JSON, workbooks, whatever the verb)
goes through :func:`read_input`, which

1. ``stat``\\ s the path (symlinks followed) and refuses anything that is not a
   regular file, or a file larger than the reader's limit, before opening it;
2. opens it with ``O_NONBLOCK`` (a FIFO swapped in after the check then opens
   at once instead of hanging) and checks the *opened* file again with
   ``fstat``: what is read is what was checked, whatever happens to the path
   in between;
3. reads at most the limit plus one byte, so a file that grows meanwhile is
   still refused as too large rather than read into memory.
"""

from __future__ import annotations

import os
import stat

from .errors import Problem, ReportError

__all__ = ["read_input", "file_kind"]

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0) \
    | getattr(os, "O_BINARY", 0)
_CHUNK = 1024 * 1024


def file_kind(mode: int) -> str:
    """What a non-regular file is, in the user's words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _refuse(source: str, message: str) -> ReportError:
    return ReportError([Problem(source, None, "", message)])


def _check(st: os.stat_result, source: str, max_bytes: int, too_large: str) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise _refuse(source, "this is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(source, f"this is {file_kind(st.st_mode)}, not a regular file; refused")
    if st.st_size > max_bytes:
        raise _refuse(source, too_large)


def read_input(path: str | os.PathLike[str], source: str, *, max_bytes: int, too_large: str) -> bytes:
    """The bytes of the regular file ``path``; a ReportError naming ``source`` otherwise.

    ``too_large`` is the reader's own message for a file over ``max_bytes``.
    """
    try:
        _check(os.stat(path), source, max_bytes, too_large)
        fd = os.open(path, _FLAGS)
    except FileNotFoundError:
        raise _refuse(source, "cannot read: no such file") from None
    except PermissionError:
        raise _refuse(source, "cannot read: permission denied") from None
    except OSError as exc:
        raise _refuse(source, f"cannot read: {exc.strerror or exc}") from None
    try:
        _check(os.fstat(fd), source, max_bytes, too_large)  # the file opened is the file checked
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:
            chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise _refuse(source, f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if total > max_bytes:
        raise _refuse(source, too_large)
    return b"".join(chunks)
