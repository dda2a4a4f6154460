"""Opening an untrusted .xlsx safely, for readers other than :mod:`reportgen.xlsx.read`.

The guards themselves (file size, zip bombs, encrypted files, DTDs and entity
declarations, parser failures turned into one line) live in
:mod:`reportgen.xlsx.read`; this module only gives them public names so that
the hand-made tracker importer calls the very same checks instead of a copy
that could drift.  Both readers refuse the same files with the same words.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path
from typing import Any

from . import read as _guards
from ..core.errors import Problem, ReportError
from .writer import HIDDEN_SHEET

__all__ = ["MAX_MERGED_CELLS", "read_checked", "open_workbooks", "is_reportgen_workbook"]

#: workbook.xml is small; a bigger one is not looked into for the marker.
_MAX_WORKBOOK_XML = 5 * 1024 * 1024


#: Largest area merged cells may cover in one sheet: openpyxl makes an object for
#: every cell of a merged range, so A1:XFD1048576 would exhaust memory on loading.
MAX_MERGED_CELLS = 2_000_000
_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})\"")


def read_checked(path: str | os.PathLike[str]) -> bytes:
    """The file's bytes once the container checks passed; raises ReportError otherwise."""
    source = str(path)
    raw = _guards.read_bytes(Path(path), source)
    _guards.check_container(raw, source)
    _check_merges(raw, source)
    return raw


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _check_merges(raw: bytes, source: str) -> None:
    """Refuse merged ranges covering more cells than any tracker has, before openpyxl sees them."""
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        for info in z.infolist():
            if not info.filename.startswith("xl/worksheets/") or not info.filename.endswith(".xml"):
                continue
            area = 0
            for m in _MERGE_REF.finditer(z.read(info)):
                rows = abs(int(m.group(4)) - int(m.group(2))) + 1
                cols = abs(_column(m.group(3)) - _column(m.group(1))) + 1
                area += rows * cols
                if area > MAX_MERGED_CELLS:
                    raise ReportError([Problem(source, None, "", f"merged cells in {info.filename} cover more "
                                               f"than {MAX_MERGED_CELLS:,} cells (refused: they would exhaust memory)")])


def open_workbooks(raw: bytes, source: str) -> tuple[Any, Any]:
    """The workbook twice: with formulas, and with the values Excel cached for them.

    A hand-made tracker often computes 計 with ``=SUM(...)``; the formula says
    how the total is made, the cached value is what the office saw printed.
    """
    # one pass gives both (reportgen.xlsx_fastload): ``values[sheet].cell(r, c).value``
    # is the value cached for a formula cell, None for any other cell
    return _guards.open_for_reading(raw, source)


def is_reportgen_workbook(raw: bytes) -> bool:
    """True when the workbook (its bytes, read through :func:`read_checked`) carries
    reportgen's embedded report (sheet ``_reportgen``).

    Only ``xl/workbook.xml`` is looked at, so the check is cheap.  Anything
    unreadable answers True: :func:`reportgen.xlsx.read.read_xlsx` then
    reports why the file cannot be read, with its usual words.  It takes bytes,
    not a path: a path is opened only by the guard (a FIFO or a device given as
    .xlsx must be refused before anything opens it).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            info = z.getinfo("xl/workbook.xml")
            if info.file_size > _MAX_WORKBOOK_XML:
                return True
            xml = z.read(info)
    except (OSError, KeyError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, RuntimeError):
        return True
    return f'name="{HIDDEN_SHEET}"'.encode() in xml
