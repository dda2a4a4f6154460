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

from ..core.errors import Problem, ReportError
from .sheet import HIDDEN_SHEET

__all__ = ["MAX_FILE_BYTES", "MAX_MERGED_CELLS", "check_container", "fail", "is_reportgen_workbook", "open_for_reading",
           "open_workbook", "open_workbooks", "read_bytes", "read_checked"]

#: Largest workbook accepted on disk; what it may hold is bounded by reportgen.xlsx.limits.
MAX_FILE_BYTES = 50 * 1024 * 1024


def fail(source: str, message: str, where: str = "") -> ReportError:
    """One problem of the workbook as a whole, or at ``where`` (a cell: ``進捗状況!T4``)."""
    return ReportError([Problem(source, None, where, message)])


def read_bytes(path: Path, source: str) -> bytes:
    """The workbook's bytes: a regular file of bounded size (a FIFO or a device is refused unopened)."""
    from ..core.inputcheck import read_input

    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # read_input says why
    return read_input(path, source, max_bytes=MAX_FILE_BYTES,
                      too_large=f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")


def check_container(raw: bytes, source: str) -> None:
    """Refuse what openpyxl should never be handed: encrypted, non-zip, zip and XML
    bombs, more rows, cells or strings than a tracker can have (reportgen.xlsx.limits)."""
    from .limits import check_workbook

    check_workbook(raw, source)


def _open(raw: bytes, source: str, *, data_only: bool = False) -> Any:
    return open_for_reading(raw, source, data_only=data_only)[0]


def open_for_reading(raw: bytes, source: str, *, data_only: bool = False) -> tuple[Any, Any]:
    """The workbook as the readers need it (reportgen.xlsx_fastload: cells and merged
    ranges in one pass) and the values cached for its formulas; a parser failure is one line."""
    from .fastload import load_for_reading

    try:
        return load_for_reading(raw, data_only=data_only)
    except Exception as exc:  # noqa: BLE001 - any parser failure is a bad file, not a crash
        raise fail(source, open_failure(exc)) from None


def open_workbook(path: str | os.PathLike[str], *, data_only: bool = False) -> Any:
    """Any .xlsx opened with the same guards as a tracker (size, zip bomb, DTD, encryption)."""
    source = str(path)
    raw = read_bytes(Path(path), source)
    check_container(raw, source)
    return _open(raw, source, data_only=data_only)


def open_failure(exc: BaseException) -> str:
    """One line saying why openpyxl could not read the file.

    openpyxl wraps parser errors in a multi-line ValueError; the cause chain
    tells whether defusedxml refused entity or DTD declarations (an XML
    bomb or external-entity attempt) or the XML is simply broken.
    """
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    names = {type(e).__name__ for e in chain}
    if names & {"EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden", "NotSupportedError"}:
        return "the workbook's XML declares entities or a DTD (refused for safety: XML bomb or external entity)"
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"cannot read the workbook: {first_line}"


#: workbook.xml is small; a bigger one is not looked into for the marker.
_MAX_WORKBOOK_XML = 5 * 1024 * 1024


#: Largest area merged cells may cover in one sheet: openpyxl makes an object for
#: every cell of a merged range, so A1:XFD1048576 would exhaust memory on loading.
MAX_MERGED_CELLS = 2_000_000
_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})\"")


def read_checked(path: str | os.PathLike[str]) -> bytes:
    """The file's bytes once the container checks passed; raises ReportError otherwise."""
    source = str(path)
    raw = read_bytes(Path(path), source)
    check_container(raw, source)
    from .limits import MAX_MERGED_CELLS as WORKBOOK_MERGED_CELLS

    if WORKBOOK_MERGED_CELLS > MAX_MERGED_CELLS:
        # only then can a sheet pass check_container and still merge too many cells: the
        # container check adds up every sheet's merged areas (any spelling of the tag) against
        # the lower limit, so this second pass over every sheet would never refuse anything
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
    return open_for_reading(raw, source)


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
