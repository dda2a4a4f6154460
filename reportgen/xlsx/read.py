"""Read a tracker workbook written by :mod:`reportgen.xlsx.writer` back into a Report.

Policy: every edit is read back, or refused / reported with its cell
--------------------------------------------------------------------
The printed sheet cannot hold everything the model has (series formats, KPI
targets, spans, tags), so the writer embeds the whole report as JSON in the
very hidden sheet ``_reportgen``, and tags rows in hidden columns (role and
entry tag) that move with the rows when people insert, delete or sort.  The
*visible* sheet decides which sections, groups, items and entries exist, in
which order, with which texts and figures; the JSON supplies the rest,
matched through the tags.  What is read from which cells is the table in
:func:`read_xlsx` (and in the README).  Marks, texts and structure are read
here; grids, headings, ranks and the checks of generated cells live in
:mod:`reportgen.xlsx.readback`.

A cell that cannot be read (a mark outside the scale, a figure that is not
one, a rank in another shape) is an error naming the cell and the field, e.g.
``x.xlsx: 進捗状況!T12: sections[0].groups[0].items[0].entries[1].mark: '★' is not a mark…``.
An edit that is not read back (generated cells, the ``データ`` sheet) is a
located warning: :func:`read_xlsx_checked` returns them, :func:`read_xlsx`
issues them as :class:`TrackerWarning`, the CLI prints them (``--strict``:
exit 2).

A workbook without the embedded data or with another header is not a tracker;
corrupt, encrypted or oversized (zip bomb) files are refused with a
ReportError — never a traceback.  The file is read into memory once and never
opened for writing.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import Problem, ReportError
from ..core.reportwarnings import ReportWarning
from ..model.report import BulletsBlock, Entry, Item, NoteBlock, Report, TableBlock, TextBlock, blocks_of
from .writer import (
    COL_AREA,
    COL_ENTRY_ID,
    COL_NUMBER,
    COL_RANK,
    COL_TITLE,
    DATA_SHEET,
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
    ROLE_PREFACE,
    ROLE_SUMMARY,
    banner_text,
    data_sheet_values,
    entry_paths,
    item_title,
    number_text,
    rank_text,
    report_heading,
    summary_texts,
)
from .readback import GridEdits, Structure, apply_rank, cell_name, compare_generated
from .writtengrids import written_grid_rows

__all__ = ["TrackerWarning", "open_for_reading", "open_workbook", "read_xlsx", "read_xlsx_bytes", "read_xlsx_bytes_checked",
           "read_xlsx_checked"]


class TrackerWarning(ReportWarning):
    """An edit in a tracker workbook that is not read back (located: file: sheet!cell: field: what)."""

#: Largest workbook accepted on disk; what it may hold is bounded by reportgen.xlsx.limits.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PAYLOAD_CHUNKS = 5_000
_PIECE_RE = re.compile(r"s(\d+)([hc]?)(?:~(\d+))?")


def _fail(source: str, message: str) -> ReportError:
    return ReportError([Problem(source, None, "", message)])


# --------------------------------------------------------------------------
# Opening the file safely
# --------------------------------------------------------------------------

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
        raise _fail(source, _open_failure(exc)) from None


def open_workbook(path: str | os.PathLike[str], *, data_only: bool = False) -> Any:
    """Any .xlsx opened with the same guards as a tracker (size, zip bomb, DTD, encryption)."""
    source = str(path)
    raw = read_bytes(Path(path), source)
    check_container(raw, source)
    return _open(raw, source, data_only=data_only)


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
    rank: Any = None
    grids: dict[str, list[tuple[int, tuple[Any, ...]]]] = field(default_factory=dict)
    entry: Entry | None = None                 # the model entry, once applied
    orphans: list[int] = field(default_factory=list)   # rows of another entry (its first row deleted)


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


#: Structure events in sheet order: ("area"|"banner"|"item"|"entry", row, payload).
_Event = tuple[str, int, Any]


def _scan(ws: Any, header_row: int, max_row: int) -> tuple[list[_Seen], list[_Event], int]:
    """Entries and structure events of the body; also the first row after it."""
    covered = _covered_plan_rows(ws)
    seen: list[_Seen] = []
    events: list[_Event] = []
    by_row: dict[int, _Seen] = {}
    current: _Seen | None = None
    anchor: _Seen | None = None      # the last entry, for new ones
    last_number = ""
    end = max_row + 1
    for r, values in enumerate(ws.iter_rows(min_row=header_row + 1, max_row=max_row,
                                            max_col=COL_ROLE, values_only=True), start=header_row + 1):
        role = _text(values[COL_ROLE - 1]).strip()
        entry_id = _text(values[COL_ENTRY_ID - 1]).strip()
        if role in (ROLE_SUMMARY, ROLE_GAP):
            end = r
            break
        area = _text(values[COL_AREA - 1])
        if area.strip():
            events.append(("area", r, area))
        if role == ROLE_BANNER:
            events.append(("banner", r, _text(values[COL_NUMBER - 1])))
            current = None
            continue
        number, title = _text(values[COL_NUMBER - 1]), _text(values[COL_TITLE - 1])
        if number.strip() or title.strip():
            events.append(("item", r, (number, title)))
            if not (title.split("\n", 1)[0].endswith("（続き）") and number == last_number):
                current = None       # a new item's rows never belong to the previous item's entry
            last_number = number
        if entry_id:
            current = anchor = _Seen(r, entry_id, values[COL_MARK - 1], _text(values[COL_PLAN - 1]),
                                     rank=values[COL_RANK - 1])
            seen.append(current)
            by_row[r] = current
            events.append(("entry", r, current))
        elif not role or role == ROLE_FILLER:
            top = covered.get(r)
            typed = any(_text(v).strip() for v in values[COL_PLAN - 1:COL_RANK])
            if top is None and (_text(values[COL_PLAN - 1]).strip() or (current is None and typed)):
                current = _Seen(r, None, values[COL_MARK - 1], _text(values[COL_PLAN - 1]),
                                after=anchor.entry_id if anchor else None, rank=values[COL_RANK - 1])
                seen.append(current)
                by_row[r] = current
                events.append(("entry", r, current))
            elif top is not None and top in by_row:
                current = by_row[top]
        if current is None:
            continue
        _take_row(current, role, values, r)
    return seen, events, end


def _take_row(current: _Seen, role: str, values: tuple[Any, ...], r: int) -> None:
    text = _text(values[COL_PROGRESS - 1])
    m = _PIECE_RE.fullmatch(role)
    if m:
        base = f"s{m.group(1)}{m.group(2)}"
        chunk = int(m.group(3) or 0)
        if chunk in current.pieces.get(base, {}):
            # the same text row twice: rows of an entry whose first row was deleted
            current.orphans.append(r)
            return
        current.pieces.setdefault(base, {})[chunk] = text
        current.last_block = int(m.group(1))
    elif role == ROLE_EMPTY_STATUS:
        current.empty_status = text
    elif role.startswith(ROLE_GRID):
        tail = role[len(ROLE_GRID):]
        current.last_block = int(tail) if tail.isdigit() else None
        current.grids.setdefault(tail, []).append((r, values))
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
        self.warnings: list[Problem] = []
        self.entries: dict[str, tuple[str, Item, Entry]] = {
            f"E{n}": (path, item, entry) for n, (path, item, _i, entry) in enumerate(entry_paths(report))
        }
        self.taken: set[str] = set()
        self.cached: Any = None      # (row, col) → a formula's last computed value; set by the reader
        # What was written for each entry, before any edit is applied: grid
        # rows by role (cells carry their source) and the 全国順位 text.
        # (the grid rows alone: laying out the whole sheet measured every text, reportgen.xlsx.writtengrids)
        self.grid_rows: dict[str, dict[str, list[Any]]] = written_grid_rows(report)
        self.ranks: dict[str, str] = {eid: rank_text(e) for eid, (_p, _i, e) in self.entries.items()}

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
        if seen.entry_id in self.taken:
            self.problems.append(Problem(self.source, None, f"{MAIN_SHEET}!{_col(COL_ENTRY_ID)}{seen.row}",
                                         f"entry tag {seen.entry_id!r} appears twice (rows copied with their "
                                         "hidden columns?); copy only the visible cells"))
            return
        self.taken.add(seen.entry_id)
        path, _item, entry = found
        seen.entry = entry
        for r in seen.orphans:
            self.warnings.append(Problem(self.source, None, f"{MAIN_SHEET}!{_col(COL_PROGRESS)}{r}: {path}",
                                         "not read back: a text row left over from an entry whose first row "
                                         "was deleted (delete all of its rows, or none)"))
        entry.mark = self.mark(seen.mark, seen.row, path)
        edits = GridEdits(self.source, MAIN_SHEET, path, entry, self.problems, self.warnings,
                          self.report.period_info.months_reached(self.report.fiscal_year), self.cached)
        written_grids = self.grid_rows.get(seen.entry_id, {})
        for tail, rows in seen.grids.items():
            edits.apply(tail, written_grids.get(tail, []), rows)
        for tail, rows in written_grids.items():
            if tail not in seen.grids and rows:
                edits.warn(seen.row, COL_PROGRESS, path, "a grid's rows were deleted; deleting a grid is not read "
                                                         "back (its figures are kept)")
        apply_rank(entry, _text(seen.rank), self.ranks.get(seen.entry_id, ""),
                   f"{MAIN_SHEET}!{_col(COL_RANK)}{seen.row}: {path}.kpi.national", self.source, self.problems)
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
        """An entry typed into new rows; the structure pass puts it where the sheet shows it."""
        status = seen.empty_status or None
        entry = Entry(plan=seen.plan.strip() or None, status=status,
                      mark=self.mark(seen.mark, seen.row, f"(new entry at row {seen.row})"))
        for _after, text in seen.extra:
            _add_text(entry, None, text)
        rank = _text(seen.rank).strip()
        if rank:
            self.warnings.append(Problem(self.source, None, f"{MAIN_SHEET}!{_col(COL_RANK)}{seen.row}",
                                         "全国順位 of a new entry is not read back (it has no KPI)"))
        seen.entry = entry


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


class _CachedValues:
    """Values Excel or LibreOffice last computed for formula cells of 進捗状況
    (kept by the same pass that read the formulas)."""

    def __init__(self, cached: Any) -> None:
        self.ws = cached[MAIN_SHEET]

    def __call__(self, row: int, col: int) -> Any:
        return self.ws.cell(row, col).value


def _heads(report: Report) -> dict[str, dict[int, str]]:
    """The texts written for sections, groups and items, by object (before edits)."""
    heads: dict[str, dict[int, str]] = {"area": {}, "banner": {}, "title": {}, "number": {}}
    for section in report.sections:
        heads["area"][id(section)] = section.heading
        for group in section.groups:
            heads["banner"][id(group)] = banner_text(group)
        for group, item in section.iter_items():
            heads["title"][id(item)] = item_title(item, group)
            heads["number"][id(item)] = number_text(item.number)
    return heads


def _read_top(ws: Any, report: Report, header_row: int, source: str, warnings: list[Problem]) -> None:
    """Title (read back), issue date and preface (generated: a change is a warning)."""
    from ..model.calendar import wareki_date
    from .writer import block_text_plain

    title_written = report_heading(report)
    title = _text(ws.cell(1, COL_AREA).value).strip()
    if title and title != title_written.strip():
        org = report.organization
        if org and title.endswith(f"（{org}）"):
            title = title[: -len(f"（{org}）")].rstrip()
        report.title = title
    elif not title:
        warnings.append(Problem(source, None, f"{cell_name(MAIN_SHEET, 1, COL_AREA)}: report.title",
                                "the title was cleared; the title is kept (a report needs one)"))
    issued = _text(ws.cell(1, COL_MARK).value).strip()
    written_issued = wareki_date(report.issued) if report.issued is not None else ""
    if issued != written_issued:
        warnings.append(Problem(source, None, f"{cell_name(MAIN_SHEET, 1, COL_MARK)}: report.issued",
                                f"the issue date is not read back from the sheet (kept {written_issued or 'none'!r}); "
                                "change it in the data"))
    texts = [t for block in report.preface for t in block_text_plain(block) if t]
    rows = [r for r in range(2, header_row) if _text(ws.cell(r, COL_ROLE).value) == ROLE_PREFACE]
    for k, r in enumerate(rows):
        seen = _text(ws.cell(r, COL_AREA).value)
        if k >= len(texts) or not _same(seen, texts[k]):
            warnings.append(Problem(source, None, f"{cell_name(MAIN_SHEET, r, COL_AREA)}: preface",
                                    "the preface is not read back from the sheet; change it in the data"))
    for r, values in enumerate(ws.iter_rows(min_row=1, max_row=header_row - 1, max_col=COL_RANK,
                                            values_only=True), start=1):
        for c, value in enumerate(values, start=1):
            if c == COL_AREA or (r == 1 and c == COL_MARK) or not _text(value).strip():
                continue
            warnings.append(Problem(source, None, f"{cell_name(MAIN_SHEET, r, c)}",
                                    f"not read back: {value!r} is outside the cells of the title and preface"))
    if len(rows) < len(texts):
        warnings.append(Problem(source, None, f"{MAIN_SHEET}!A2: preface",
                                "preface rows were deleted; the preface is not read back from the sheet"))


def _check_summary(ws: Any, start: int, max_row: int, report: Report, source: str,
                   warnings: list[Problem]) -> None:
    """The gap row and mark summary are generated (live formulas): a change there is reported."""
    expected = summary_texts(report.marks)
    count_col = COL_PROGRESS + 1
    for k, values in enumerate(ws.iter_rows(min_row=start, max_row=max(max_row, start), max_col=COL_RANK,
                                            values_only=True)):
        r = start + k
        want = expected[k] if k < len(expected) else {}
        for c, value in enumerate(values, start=1):
            if c == count_col and 0 < k < len(expected):
                if not (isinstance(value, str) and value.startswith(("=COUNTIF", "=SUM"))):
                    warnings.append(Problem(source, None, f"{cell_name(MAIN_SHEET, r, c)}: summary",
                                            f"the mark summary is counted from the marks; {value!r} typed here "
                                            "is not read back (restore the formula)"))
                continue
            if _text(value).strip() != want.get(c, "").strip():
                where = "summary" if k < len(expected) else "below the report"
                warnings.append(Problem(source, None, f"{cell_name(MAIN_SHEET, r, c)}: {where}",
                                        f"not read back: this part of the sheet is generated "
                                        f"(now {value!r}); edits belong in the rows above the summary"))


def read_xlsx_checked(path: str | os.PathLike[str]) -> tuple[Report, list[Problem]]:
    """Read a tracker workbook; returns the report and the located warnings.

    Errors (a cell that cannot be read, such as an unknown mark or a figure
    that is not a number) raise ReportError; warnings name edits that are not
    read back (generated cells, the データ sheet) — see :func:`read_xlsx`.
    """
    source = str(path)
    return read_xlsx_bytes_checked(read_bytes(Path(path), source), source=source)


def read_xlsx_bytes(raw: bytes, *, source: str = "<workbook>") -> Report:
    """:func:`read_xlsx` for a workbook already in memory (an upload, a BytesIO)."""
    report, problems = read_xlsx_bytes_checked(raw, source=source)
    for problem in problems:
        warnings.warn(TrackerWarning(problem), stacklevel=2)
    return report


def read_xlsx_bytes_checked(raw: bytes, *, source: str = "<workbook>",
                            checked: bool = False) -> tuple[Report, list[Problem]]:
    """:func:`read_xlsx_checked` for a workbook already in memory (``checked``: the bytes
    passed :func:`reportgen.xlsx.limits.check_workbook` already; it is not run twice)."""
    if not checked:
        check_container(raw, source)
    wb, cached = open_for_reading(raw, source)
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
    written_data = data_sheet_values(report)
    heads = _heads(report)
    applier = _Applier(report, payload["written"], source)
    applier.cached = _CachedValues(cached)
    _read_top(ws, report, header_row, source, applier.warnings)
    seen_list, events, end = _scan(ws, header_row, max_row)
    for seen in seen_list:
        applier.apply(seen)
    structure = Structure(report, source, MAIN_SHEET)
    for kind, row, value in events:
        if kind == "area":
            structure.area(row, value)
        elif kind == "banner":
            structure.banner(row, value)
        elif kind == "item":
            structure.item_start(row, *value)
        elif kind == "entry" and value.entry is not None:
            structure.entry(row, value.entry)
    structure.rebuild(heads)
    applier.problems.extend(structure.problems)
    _check_summary(ws, end, max_row, report, source, applier.warnings)
    if DATA_SHEET in wb.sheetnames:
        applier.warnings.extend(compare_generated(wb[DATA_SHEET], written_data, DATA_SHEET, source))
    if applier.problems:
        raise ReportError(applier.problems)
    try:
        checked = Report.from_dict(report.to_dict(), source=source)
    except ReportError as exc:
        raise ReportError([Problem(source, None, p.path, p.message) for p in exc.problems]) from None
    return checked, applier.warnings + structure.warnings


def read_xlsx(path: str | os.PathLike[str]) -> Report:
    """Read a tracker workbook (as written by render_xlsx, possibly edited).

    What is read back from which cells of 進捗状況:

    | edited in 進捗状況 | cells | read back as |
    |---|---|---|
    | title | A1 | `report.title` (the appended "（organization）" is taken off again) |
    | 分野 label | column A (vertical; repeated on each printed page) | section number and title ("1 基盤…": the number is the part before the first space) |
    | banner 〇… | B:U of a banner row | group title and owner: 〇title(owner) |
    | 項番 | column B | item number (digits stay a number when it was one) |
    | 事業 | column C | item title (1st line), 【tags】, other lines as labels, （owner） |
    | 実施概要 | column D | entry plan (the number prefix and the 【KPI】 line are taken off again) |
    | status text rows | E:S | the status block the row came from (text, bullets, note, heading, table caption) |
    | grid figures | F:Q (months; quarters span 3 columns) | series values and table cells: numbers, "3,700", "３，７００", "95.5%", "4:56" or an Excel time, dates, △/▲-negatives, the unit ("3,788円"); a formula of your own by its last computed value; blank = no value; anything else in a series is an error |
    | grid labels | E of each grid row; E of the grid's header row; R of the header row | row label; series caption; `total_label` (計, 累計, 平均, 通期 …) |
    | totals 計/累計/平均 | R (R:S without an extra column) | a live formula = computed from the months; a typed figure = that row's `total` (warning when it differs from the months) |
    | extra column (e.g. 全国平均) | S | `extra` values |
    | table cells | E:S of a table row | the cell's value (text stays text, figures parsed with the cell's format) |
    | 実施状況 | T | mark; look-alikes folded (〇 → ○); anything else is an error |
    | 全国順位 | U | KPI `national.rank` and `rank_prev` from "46位 (前月46位)"; other text is an error |
    | rows | — | a new row with 実施概要 text = a new entry; with 項番/事業 = a new item; deleted rows = deleted entries, items, sections; the sheet's order is the report's order |
    | not read back (warning) | month headers (4月…), the KPI chart's 目標 row, the issue date (T1), preface rows, the mark summary, deleted grid rows, months after the report's period (kept, not printed) | — |
    | データ sheet | all | generated and protected; every cell that differs from what was written is a warning |

    Errors (a cell that cannot be read) raise ReportError naming
    ``file: 進捗状況!CELL: field path``.  Located warnings (edits not read back)
    are issued as :class:`TrackerWarning` through :mod:`warnings`; use
    :func:`read_xlsx_checked` to get them as a list.
    """
    report, problems = read_xlsx_checked(path)
    for problem in problems:
        warnings.warn(TrackerWarning(problem), stacklevel=2)
    return report
