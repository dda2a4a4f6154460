"""Read a tracker workbook written by :mod:`reportgen.xlsx` back into a Report.

Policy (what is read, what is kept)
-----------------------------------
The printed sheet cannot hold everything the model has (series formats, KPI
targets, spans, the number an entry was given), so the writer embeds the whole
report as JSON in the very hidden sheet ``_reportgen``.  Reading takes that JSON
as the base and applies only what a person *visibly* changed in ``進捗状況``:

* **Marks** (実施状況 column, first row of each entry): always read.  Look-alikes
  are folded onto the scale (〇 → ○); an empty cell means "no mark"; anything
  else is an error naming the cell and the entry, e.g.
  ``x.xlsx: 進捗状況!T12: sections[0].groups[0].items[0].entries[1].mark: '★' is not a mark…``.
* **Plan text** (実施概要): when the cell differs from what was written, the
  entry's plan becomes the edited text (our 【KPI】 line and number prefix are
  taken off again when still present).  KPI fields themselves are not changed.
* **Status text rows**: each text row is tagged in a hidden column with the
  block it came from; an edited row replaces that block's text (bullet marks
  and the ※ of notes are taken off again).  Grids (series, tables) are not read
  back: their numbers come from the embedded data.
* **Added rows**: a row inserted inside an entry adds its text to that entry's
  status; a row inserted after an entry with its own text in 実施概要 becomes a
  new entry of the same item (plan from 実施概要, status from 進捗状況, mark from
  実施状況).  Deleted rows are not read as deletions: entries keep their data.
* The ``データ`` sheet is output only and is ignored.

A workbook without the embedded data or with another header is not a tracker;
corrupt, encrypted or oversized (zip bomb) files are refused with a
ReportError — never a traceback.  The file is read into memory once and never
opened for writing.
"""

from __future__ import annotations

import io
import json
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Problem, ReportError
from .model import BulletsBlock, Entry, Item, NoteBlock, Report, TableBlock, TextBlock, blocks_of
from .xlsx import (
    COL_ENTRY_ID,
    COL_MARK,
    COL_PLAN,
    COL_PROGRESS,
    COL_ROLE,
    HEADER,
    HIDDEN_SHEET,
    MAIN_SHEET,
    PAYLOAD_MAGIC,
    PAYLOAD_VERSION,
    ROLE_BANNER,
    ROLE_EMPTY_STATUS,
    ROLE_FILLER,
    ROLE_GAP,
    ROLE_GRID,
    ROLE_SUMMARY,
    entry_paths,
)

__all__ = ["read_xlsx"]

#: Largest workbook accepted on disk; what it may hold is bounded by reportgen.xlsx_limits.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PAYLOAD_CHUNKS = 5_000
_PIECE_RE = re.compile(r"s(\d+)([hc]?)(?:~(\d+))?")


def _fail(source: str, message: str) -> ReportError:
    return ReportError([Problem(source, None, "", message)])


# --------------------------------------------------------------------------
# Opening the file safely
# --------------------------------------------------------------------------

def _read_bytes(path: Path, source: str) -> bytes:
    """The workbook's bytes: a regular file of bounded size (a FIFO or a device is refused unopened)."""
    from .inputcheck import read_input

    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # read_input says why
    return read_input(path, source, max_bytes=MAX_FILE_BYTES,
                      too_large=f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")


def _check_container(raw: bytes, source: str) -> None:
    """Refuse what openpyxl should never be handed: encrypted, non-zip, zip and XML
    bombs, more rows, cells or strings than a tracker can have (reportgen.xlsx_limits)."""
    from .xlsx_limits import check_workbook

    check_workbook(raw, source)


def _open(raw: bytes, source: str) -> Any:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unknown extensions (LibreOffice, Excel) are fine
            return load_workbook(io.BytesIO(raw), data_only=False, keep_links=False, keep_vba=False)
    except Exception as exc:  # noqa: BLE001 - any parser failure is a bad file, not a crash
        raise _fail(source, _open_failure(exc)) from None


def _open_failure(exc: BaseException) -> str:
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


def _payload(wb: Any, source: str) -> dict[str, Any]:
    """The JSON the writer embedded; its absence means "not a tracker"."""
    if HIDDEN_SHEET not in wb.sheetnames:
        raise _fail(source, "not a reportgen tracker workbook: the embedded report data "
                            f"(sheet {HIDDEN_SHEET}) is missing")
    ws = wb[HIDDEN_SHEET]
    count = ws.cell(1, 2).value
    if ws.cell(1, 1).value != PAYLOAD_MAGIC or not isinstance(count, int) or not 0 < count <= MAX_PAYLOAD_CHUNKS:
        raise _fail(source, f"not a reportgen tracker workbook: sheet {HIDDEN_SHEET} holds no report data")
    parts = [ws.cell(r, 1).value for r in range(2, count + 2)]
    if not all(isinstance(p, str) for p in parts):
        raise _fail(source, "the embedded report data is damaged (a part is missing)")
    try:
        data = json.loads("".join(parts))
    except (ValueError, RecursionError) as exc:
        raise _fail(source, f"the embedded report data is damaged ({exc})") from None
    if not isinstance(data, dict) or data.get("magic") != PAYLOAD_MAGIC:
        raise _fail(source, "the embedded report data is damaged")
    if not isinstance(data.get("version"), int) or data["version"] > PAYLOAD_VERSION:
        raise _fail(source, f"written by a newer reportgen (data version {data.get('version')!r})")
    if not isinstance(data.get("written"), dict):
        raise _fail(source, "the embedded report data is damaged (no written texts)")
    return data


def _find_header(ws: Any, max_row: int, source: str) -> int:
    """Row of the 項番 · 事業 · … header; checks every label."""
    for r in range(1, min(max_row, 60) + 1):
        if all(_text(ws.cell(r, first).value) == label for first, _last, label in HEADER):
            return r
    labels = " · ".join(label for _f, _l, label in HEADER)
    raise _fail(source, f"not a reportgen tracker: sheet {MAIN_SHEET} has no header {labels}")


# --------------------------------------------------------------------------
# Scanning the visible sheet
# --------------------------------------------------------------------------

def _text(value: Any) -> str:
    """A cell's content as text; line breaks normalised the way they were written."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def _same(a: str, b: str) -> bool:
    return a.rstrip() == b.rstrip()


@dataclass
class _Seen:
    """What the sheet shows for one entry (existing, or added by the user)."""

    row: int                                   # first row (the mark row)
    entry_id: str | None                       # None: a new entry typed in by the user
    mark: Any = None
    plan: str = ""
    pieces: dict[str, dict[int, str]] = field(default_factory=dict)
    extra: list[tuple[int | None, str]] = field(default_factory=list)   # (after block, text)
    empty_status: str | None = None
    last_block: int | None = None
    after: str | None = None                   # new entries: the entry they follow


def _covered_plan_rows(ws: Any) -> dict[int, int]:
    """Row → first row of the merged 実施概要 cell covering it (not the top row)."""
    out: dict[int, int] = {}
    for rng in ws.merged_cells.ranges:
        if rng.min_col <= COL_PLAN <= rng.max_col:
            for r in range(rng.min_row + 1, rng.max_row + 1):
                out[r] = rng.min_row
    return out


def _row_text(values: tuple[Any, ...]) -> str:
    parts = [_text(v) for v in values[COL_PROGRESS - 1:COL_MARK - 1]]
    return " ".join(p for p in parts if p.strip())


def _scan(ws: Any, header_row: int, max_row: int) -> list[_Seen]:
    covered = _covered_plan_rows(ws)
    seen: list[_Seen] = []
    by_row: dict[int, _Seen] = {}
    current: _Seen | None = None
    anchor: _Seen | None = None      # the last existing entry, for new ones
    for r, values in enumerate(ws.iter_rows(min_row=header_row + 1, max_row=max_row,
                                            max_col=COL_ROLE, values_only=True), start=header_row + 1):
        role = _text(values[COL_ROLE - 1]).strip()
        entry_id = _text(values[COL_ENTRY_ID - 1]).strip()
        if role in (ROLE_SUMMARY, ROLE_GAP):
            break
        if role == ROLE_BANNER:
            current = anchor = None
            continue
        if entry_id:
            current = anchor = _Seen(r, entry_id, values[COL_MARK - 1], _text(values[COL_PLAN - 1]))
            seen.append(current)
            by_row[r] = current
        elif not role and anchor is not None:
            top = covered.get(r)
            if top is None and _text(values[COL_PLAN - 1]).strip():
                current = _Seen(r, None, values[COL_MARK - 1], _text(values[COL_PLAN - 1]), after=anchor.entry_id)
                seen.append(current)
                by_row[r] = current
            elif top is not None and top in by_row:
                current = by_row[top]
        if current is None:
            continue
        _take_row(current, role, values)
    return seen


def _take_row(current: _Seen, role: str, values: tuple[Any, ...]) -> None:
    text = _text(values[COL_PROGRESS - 1])
    m = _PIECE_RE.fullmatch(role)
    if m:
        base = f"s{m.group(1)}{m.group(2)}"
        current.pieces.setdefault(base, {})[int(m.group(3) or 0)] = text
        current.last_block = int(m.group(1))
    elif role == ROLE_EMPTY_STATUS:
        current.empty_status = text
    elif role.startswith(ROLE_GRID):
        tail = role[len(ROLE_GRID):]
        current.last_block = int(tail) if tail.isdigit() else None
    elif role in ("", ROLE_FILLER):
        extra = _row_text(values)
        if extra.strip():
            current.extra.append((current.last_block, extra))


# --------------------------------------------------------------------------
# Applying the edits to the embedded report
# --------------------------------------------------------------------------

class _Applier:
    def __init__(self, report: Report, written: dict[str, Any], source: str) -> None:
        self.report = report
        self.written = written
        self.source = source
        self.problems: list[Problem] = []
        self.entries: dict[str, tuple[str, Item, Entry]] = {
            f"E{n}": (path, item, entry) for n, (path, item, _i, entry) in enumerate(entry_paths(report))
        }
        self.added: dict[str, int] = {}

    def mark(self, raw: Any, row: int, path: str) -> str | None:
        text = _text(raw).strip()
        if not text:
            return None
        scale = self.report.marks
        mark = scale.normalise(text)
        if mark is None:
            cell = f"{MAIN_SHEET}!{_col(COL_MARK)}{row}"
            self.problems.append(Problem(self.source, None, f"{cell}: {path}.mark",
                                         f"'{text}' is not a mark of the '{scale.name}' scale "
                                         f"({' '.join(scale.allowed)})"))
        return mark

    def apply(self, seen: _Seen) -> None:
        if seen.entry_id is None:
            self.add_entry(seen)
            return
        found = self.entries.get(seen.entry_id)
        written = self.written.get(seen.entry_id)
        if found is None or not isinstance(written, dict):
            self.problems.append(Problem(self.source, None, f"{MAIN_SHEET}!{_col(COL_ENTRY_ID)}{seen.row}",
                                         f"unknown entry tag {seen.entry_id!r} (hidden column edited?)"))
            return
        path, _item, entry = found
        entry.mark = self.mark(seen.mark, seen.row, path)
        if not _same(seen.plan, str(written.get("plan", ""))):
            entry.plan = _plan_from(seen.plan, written) or None
        self.status(entry, seen, written.get("pieces") or {})

    def status(self, entry: Entry, seen: _Seen, pieces: dict[str, Any]) -> None:
        edits: dict[str, str] = {}
        for base, chunks in seen.pieces.items():
            info = pieces.get(base)
            if not isinstance(info, dict):
                continue
            seps = list(info.get("seps") or [])
            text = chunks.get(0, "")
            for k in range(1, len(seps) + 1):
                text += (seps[k - 1] if isinstance(seps[k - 1], str) else "") + chunks.get(k, "")
            if not _same(text, str(info.get("text", ""))):
                edits[base] = text
        if edits:
            _apply_pieces(entry, edits, pieces)
        if seen.empty_status and seen.empty_status.strip() and entry.status is None:
            entry.status = seen.empty_status
        for after, text in seen.extra:
            _add_text(entry, after, text)

    def add_entry(self, seen: _Seen) -> None:
        found = self.entries.get(seen.after or "")
        if found is None:
            return
        path, item, anchor = found
        status = seen.empty_status or None
        entry = Entry(plan=seen.plan.strip() or None, status=status,
                      mark=self.mark(seen.mark, seen.row, path.rsplit(".", 1)[0] + ".entries[new]"))
        for _after, text in seen.extra:
            _add_text(entry, None, text)
        position = item.entries.index(anchor) + 1 + self.added.get(seen.after or "", 0)
        item.entries.insert(position, entry)
        self.added[seen.after or ""] = self.added.get(seen.after or "", 0) + 1


def _col(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def _plan_from(text: str, written: dict[str, Any]) -> str:
    prefix = str(written.get("prefix") or "")
    kpi_line = str(written.get("kpi_line") or "")
    if prefix and text.startswith(prefix):
        text = text[len(prefix):]
    if kpi_line and text.rstrip().endswith(kpi_line.strip()):
        text = text.rstrip()[: -len(kpi_line.strip())].rstrip("\n")
    return text


def _apply_pieces(entry: Entry, edits: dict[str, str], pieces: dict[str, Any]) -> None:
    """Put edited text rows back into the blocks they came from."""
    if isinstance(entry.status, str):
        paragraphs = []
        for index, block in enumerate(blocks_of(entry.status)):
            assert isinstance(block, TextBlock)
            paragraphs.append(edits.get(f"s{index}", block.text))
        entry.status = "\n\n".join(p for p in paragraphs if p.strip()) or None
        return
    blocks = entry.status or []
    for base, text in edits.items():
        m = _PIECE_RE.fullmatch(base)
        if not m or int(m.group(1)) >= len(blocks):
            continue
        block = blocks[int(m.group(1))]
        part = m.group(2)
        if part == "h":
            block.heading = text or None
        elif part == "c" and isinstance(block, TableBlock):
            block.table.caption = text or None
        elif isinstance(block, NoteBlock):
            block.text = text.removeprefix("※")
        elif isinstance(block, BulletsBlock):
            block.items = [line.removeprefix(block.bullet).strip() for line in text.split("\n") if line.strip()]
        elif isinstance(block, TextBlock):
            block.text = text


def _add_text(entry: Entry, after: int | None, text: str) -> None:
    """Text typed into an added row joins the entry's status after the block it follows."""
    if entry.status is None:
        entry.status = text
    elif isinstance(entry.status, str):
        entry.status = entry.status + "\n\n" + text
    else:
        position = len(entry.status) if after is None else min(after + 1, len(entry.status))
        entry.status.insert(position, TextBlock(text))


def read_xlsx(path: str | os.PathLike[str]) -> Report:
    """Read a tracker workbook (as written by render_xlsx, possibly edited)."""
    source = str(path)
    raw = _read_bytes(Path(path), source)
    _check_container(raw, source)
    wb = _open(raw, source)
    payload = _payload(wb, source)
    try:
        report = Report.from_dict(payload["report"], source=f"{source} ({HIDDEN_SHEET})")
    except ReportError:
        raise
    except Exception as exc:  # noqa: BLE001 - damaged JSON of an unexpected shape
        raise _fail(source, f"the embedded report data is damaged ({type(exc).__name__})") from None
    if MAIN_SHEET not in wb.sheetnames:
        raise _fail(source, f"not a reportgen tracker: sheet {MAIN_SHEET} is missing")
    ws = wb[MAIN_SHEET]
    max_row = ws.max_row
    header_row = _find_header(ws, max_row, source)
    applier = _Applier(report, payload["written"], source)
    for seen in _scan(ws, header_row, max_row):
        applier.apply(seen)
    if applier.problems:
        raise ReportError(applier.problems)
    from .validate import revalidate

    return revalidate(report, source)  # typed-in text meets the rules of every source (text_rules)
