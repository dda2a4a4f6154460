"""A per-user cache of compiled Jinja templates, so a fresh ``reportgen`` skips recompiling them.

Why: every ``reportgen render`` is a new process, and compiling the report
templates (Jinja source → Python code → bytecode) was about 45 ms of each cold
start, for templates that only change when reportgen is updated. Jinja's
bytecode cache keeps the compiled code between processes, checked against a
checksum of each template's source, so an edited template is recompiled.

Where: ``$REPORTGEN_CACHE_DIR`` if set (an empty value turns the cache off),
else ``$XDG_CACHE_HOME/reportgen``, else ``~/.cache/reportgen``. The folder is
created private to the user; one that is not a folder owned by the user is not
used. The same folder holds ``parts/``, the laid-out 分野 of
:mod:`reportgen.pdf.partcache` (through :func:`cache_dir`). The cache is only
ever an optimisation: when it cannot be created, read or written (read-only
home, full disk, a damaged file) templates are compiled as before and nothing
is reported.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2.bccache import Bucket, BytecodeCache

if TYPE_CHECKING:  # pragma: no cover
    import jinja2

__all__ = ["TemplateCache", "cache_dir", "read", "template_cache", "write"]

#: Bumped when what is stored changes shape, so old files are simply not found.
_FORMAT = "1"


def _base_dir() -> Path | None:
    configured = os.environ.get("REPORTGEN_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "reportgen"
    try:
        return Path.home() / ".cache" / "reportgen"
    except RuntimeError:  # no home directory to be found
        return None


def cache_dir(name: str) -> Path | None:
    """The cache subfolder ``name`` (created, mode 0700), or None when there is none to use."""
    base = _base_dir()
    if base is None:
        return None
    folder = base / name
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    # Compiled code is executed: never use a folder someone else could have filled.
    if not stat.S_ISDIR(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
        return None
    return folder


class TemplateCache(BytecodeCache):
    """Jinja bytecode cache in ``folder``, for one configuration of the environment.

    Jinja's key is the template's name and file; its bucket checks the Jinja
    and Python versions and the source checksum. The code Jinja generates also
    depends on the environment's options (autoescape, block trimming, filters
    known at compile time …), which it does not check, so a fingerprint of
    them is part of every key: changing an option can never run code compiled
    under the old one. Every failure to read or write is a cache miss.
    """

    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.folder = folder
        self.fingerprint = fingerprint

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha1(f"{self.fingerprint}|{name}|{filename}".encode()).hexdigest()

    def _path(self, bucket: Bucket) -> Path:
        return self.folder / f"{bucket.key}.jinja"

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            with open(self._path(bucket), "rb") as f:
                bucket.load_bytecode(f)
        except FileNotFoundError:
            return
        except Exception:  # noqa: BLE001 - unreadable or damaged: compile instead
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        from .errors import RenderError
        from .output import atomic_target

        # Written aside and renamed: a concurrent reader (batch workers) sees
        # the old file or the whole new one, never a part.
        try:
            with atomic_target(self._path(bucket)) as tmp, open(tmp, "wb") as f:
                bucket.write_bytecode(f)
        except (OSError, RenderError, ValueError, TypeError):  # read-only, full, or code marshal cannot store
            pass


def read(name: str, key: str) -> bytes | None:
    """The bytes stored under ``key`` in the cache subfolder ``name``, or None (no cache, not stored, unreadable)."""
    folder = cache_dir(name)
    if folder is None:
        return None
    try:
        return (folder / key).read_bytes()
    except OSError:
        return None


def write(name: str, key: str, data: bytes) -> None:
    """Store ``data`` under ``key`` (atomically); a cache that cannot be written is simply not used."""
    from .errors import RenderError
    from .output import write_bytes_atomic

    folder = cache_dir(name)
    if folder is None:
        return
    try:
        write_bytes_atomic(folder / key, data)
    except (OSError, RenderError):
        pass


def fingerprint(env: jinja2.Environment) -> str:
    """What, besides the template source, decides the code Jinja compiles."""
    autoescape = env.autoescape if isinstance(env.autoescape, bool) else getattr(
        env.autoescape, "__qualname__", repr(env.autoescape))
    options = (
        _FORMAT, env.block_start_string, env.block_end_string,
        env.variable_start_string, env.variable_end_string, env.comment_start_string,
        env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
        env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
        env.optimized, env.is_async, autoescape, env.undefined.__name__,
        sorted(env.extensions), sorted(env.filters), sorted(env.tests),
    )
    return hashlib.sha1(repr(options).encode()).hexdigest()[:16]


def template_cache(env: jinja2.Environment) -> TemplateCache | None:
    """A bytecode cache for ``env`` (call once its options and filters are set), or None."""
    folder = cache_dir("templates")
    return TemplateCache(folder, fingerprint(env)) if folder is not None else None
