"""Temporary files: every run keeps them in one private folder it removes.

WeasyPrint's ``FontConfiguration`` copies each ``@font-face`` it registers
into a ``weasyprint-*`` folder of its own (about 20 MB for the bundled BIZ UD
faces) and removes it only in ``__del__``.  A worker process ends with
``os._exit`` (multiprocessing) or is terminated (Ctrl-C, a failing part), so
its font configuration is never collected and its folder stays in TMPDIR:
40–60 MB per ``--jobs 2`` render or ``batch`` run, for ever.

Instead of chasing every library's temporary files, a run points TMPDIR (the
environment variable, inherited by spawned processes, and
:data:`tempfile.tempdir`, inherited by forked ones) at a private folder made
for it, and removes that folder when it ends — whether the workers finished,
failed or were killed.  The command line wraps every verb in
:func:`private_tmpdir`; :mod:`reportgen.pdf.parallel` gives its worker processes a
folder of their own (:func:`worker_folder`, :func:`use_folder`) so library
callers of ``render_pdf(jobs=2)`` leave nothing either.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["private_tmpdir", "use_folder", "worker_folder"]


def use_folder(folder: str) -> None:
    """Make ``folder`` this process's TMPDIR (for it and the processes it starts)."""
    os.environ["TMPDIR"] = folder
    tempfile.tempdir = folder


@contextmanager
def worker_folder() -> Iterator[str]:
    """A fresh folder for worker processes' temporary files, removed afterwards."""
    folder = tempfile.mkdtemp(prefix="reportgen-")
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def private_tmpdir() -> Iterator[str]:
    """This process (and its children) write temporary files into a private folder,
    removed at the end; the previous TMPDIR is restored."""
    before_env = os.environ.get("TMPDIR")
    before = tempfile.tempdir
    with worker_folder() as folder:
        use_folder(folder)
        try:
            yield folder
        finally:
            tempfile.tempdir = before
            if before_env is None:
                os.environ.pop("TMPDIR", None)
            else:
                os.environ["TMPDIR"] = before_env
