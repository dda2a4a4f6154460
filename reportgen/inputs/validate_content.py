"""Content blocks: what a plan, a status or a field holds (docs/FORMAT.md, "Content").

A layer of the validator (:mod:`reportgen.inputs.validate`): a content is a text
or a list of blocks (text, bullets, note, table, series); a table's rows are
checked against the width of its header, row and column spans counted.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ..core.locations import PathKey, is_finite_number
from ..model.spans import SpanWalk
from ..model.report import (
    Block,
    BulletsBlock,
    Cell,
    Content,
    NoteBlock,
    SeriesBlock,
    Table,
    TableBlock,
    TableCell,
    TextBlock,
)
from .validate_kpi import KpiRules
from .validate_values import clip, value_kind

#: Largest row or column span of a table cell.
MAX_SPAN = 100


class ContentRules(KpiRules):
    """Content, blocks, tables and their cells (series come from :class:`KpiRules`)."""

    def content(self, value: Any, path: PathKey) -> Content | None:
        if isinstance(value, str):
            return self.text(value, path)
        if isinstance(value, list):
            return self.blocks(value, path)
        self.err(path, f"expected text or a list of blocks, got {self.kind(value, path)}")
        return None

    def blocks(self, value: Any, path: PathKey) -> list[Block]:
        return self.each(value, path, self.block)

    def block(self, value: Any, path: PathKey) -> Block | None:
        kinds = ("text", "bullets", "note", "table", "series")
        d = self.mapping(value, path, kinds + ("heading",))
        if d is None:
            return None
        present = [k for k in kinds if k in d]
        heading = self.text(d["heading"], path + ("heading",)) if d.get("heading") is not None else None
        if len(present) != 1:
            if not present and heading is not None:
                return TextBlock("", heading=heading)
            if not present and any(k not in kinds + ("heading",) for k in d):
                return None  # the unknown key is the problem, already reported
            self.err(path, "a block needs exactly one of " + ", ".join(kinds)
                     + (f" (found {', '.join(present)})" if present else ""))
            return None
        kind = present[0]
        p = path + (kind,)
        v = d[kind]
        if kind in ("text", "note"):
            t = self.text(v, p, allow_number=True)
            if t is None:
                return None
            return TextBlock(t, heading=heading) if kind == "text" else NoteBlock(t, heading=heading)
        if kind == "bullets":
            if isinstance(v, dict):
                b = self.mapping(v, p, ("bullet", "items"), ("items",))
                if b is None or "items" not in b:
                    return None
                bullet = self.text(b.get("bullet", "・"), p + ("bullet",)) or "・"
                return BulletsBlock(self.texts(b["items"], p + ("items",)), bullet, heading=heading)
            return BulletsBlock(self.texts(v, p), heading=heading)
        if kind == "table":
            built = self.table(v, p)
            return TableBlock(built, heading=heading) if built else None
        s = self.series(v, p)
        return SeriesBlock(s, heading=heading) if s else None

    def cell(self, value: Any, path: PathKey, *, inner: bool = False) -> tuple[Cell, tuple[int, int]] | None:
        if isinstance(value, dict):
            if inner:
                self.err(path, "a cell's value must be a text or a number, not another cell")
                return None
            d = self.mapping(value, path, ("value", "span", "format"))
            if d is None:
                return None
            built = self.cell(d.get("value"), path + ("value",), inner=True)
            span = (1, 1)
            if "span" in d:
                sp = d["span"]
                if (isinstance(sp, list) and len(sp) == 2
                        and all(isinstance(x, int) and not isinstance(x, bool) and 1 <= x <= MAX_SPAN for x in sp)):
                    span = (sp[0], sp[1])
                else:
                    shown = (f"[{', '.join(clip(x) if isinstance(x, str) else str(x) for x in sp)}]"
                             if isinstance(sp, list) and len(sp) <= 4 and all(not isinstance(x, (list, dict)) for x in sp)
                             else self.kind(sp, path + ("span",)))
                    self.err(path + ("span",), f"expected [rows, columns], two whole numbers from 1 to {MAX_SPAN}, "
                                               f"got {shown}")
            fmt = self.fmt(d["format"], path + ("format",)) if d.get("format") is not None else None
            val = built[0] if built else None
            return TableCell(val if not isinstance(val, TableCell) else val.value, span, fmt), span
        if value is None:
            return value, (1, 1)
        if is_finite_number(value):
            return (value, (1, 1)) if self.bounded(value, path) is not None else None
        if isinstance(value, float):
            self.err(path, f"expected a text or a number, got {value_kind(value)}; only finite numbers can be printed")
            return None
        if isinstance(value, (_dt.date,)):
            return value.isoformat(), (1, 1)
        t = self.text(value, path)
        return (t, (1, 1)) if t is not None else None

    def grid(self, value: Any, path: PathKey, width: int | None) -> tuple[list[list[Cell]], int | None]:
        """Rows of cells; checks each row's width against ``width`` (spans counted)."""
        rows: list[list[Cell]] = []
        if not isinstance(value, list):
            self.err(path, f"expected a list of rows, got {value_kind(value)}")
            return rows, width
        walk = SpanWalk()  # the same placement as the PDF and the workbook (reportgen.model.spans)
        for r, row in enumerate(value):
            rp = path + (r,)
            if not isinstance(row, list):
                self.err(rp, f"expected a row (a list of cells), got {value_kind(row)}")
                continue
            cells: list[Cell] = []
            spans: list[tuple[int, int]] = []
            for c, raw in enumerate(row):
                built = self.cell(raw, rp + (c,))
                if built is None:
                    spans.append((1, 1))  # a refused cell still takes its column
                    continue
                cell, span = built
                cells.append(cell)
                spans.append(span)
            _starts, row_width = walk.row(spans)
            if width is None:
                width = row_width
            elif row_width != width:
                self.err(rp, f"row has {row_width} columns (spans counted); the header has {width}")
            rows.append(cells)
        return rows, width

    def table(self, value: Any, path: PathKey) -> Table | None:
        d = self.mapping(value, path, ("caption", "header", "rows", "formats"), ("rows",))
        if d is None:
            return None
        caption = self.text(d["caption"], path + ("caption",)) if d.get("caption") is not None else None
        header_raw = d.get("header", [])
        if isinstance(header_raw, list) and header_raw and not any(isinstance(h, list) for h in header_raw):
            self.err(path + ("header",), "expected a list of header rows, e.g. [[年度, 件数]]")
            header_raw = []
        header, width = self.grid(header_raw, path + ("header",), None)
        rows, width = self.grid(d.get("rows", []), path + ("rows",), width)
        formats = None
        if d.get("formats") is not None:
            if isinstance(d["formats"], list):
                formats = [self.fmt(f, path + ("formats", i)) or "text" for i, f in enumerate(d["formats"])]
                if width is not None and len(formats) != width:
                    self.err(path + ("formats",), f"{len(formats)} formats for a table of {width} columns "
                                                  "(spans counted); give one format per column")
            else:
                self.err(path + ("formats",), f"expected a list of formats, got {value_kind(d['formats'])}")
        return Table(header, rows, caption, formats)
