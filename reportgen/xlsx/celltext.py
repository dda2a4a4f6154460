"""Plain text of content, as the plan cell, the status rows and the データ sheet show it.

A cell holds text, not blocks: tables become lines of cells joined by "｜",
series become "4月 100％、5月 …" lines, headings get their own line.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..model.grids import Grid, series_grid
from ..model.numbers import cell_format, format_value
from ..model.report import (
    Block,
    BulletsBlock,
    Content,
    NoteBlock,
    SeriesBlock,
    Table,
    TableBlock,
    TableCell,
    TextBlock,
)


def cell_value(cell: Any) -> tuple[Any, str | None]:
    if isinstance(cell, TableCell):
        return cell.value, cell.format
    return cell, None


def table_lines(table: Table) -> list[str]:
    """A table as text lines, cells joined by "｜" and formatted as printed."""
    lines = [table.caption] if table.caption else []
    for r, row in enumerate([*table.header, *table.rows]):
        header = r < len(table.header)
        texts = []
        for c, raw in enumerate(row):
            value, fmt = cell_value(raw)
            fmt = fmt or (None if header or not table.formats or c >= len(table.formats) else table.formats[c])
            texts.append(format_value(value, cell_format(value, fmt or "text")).replace("\n", ""))
        lines.append("｜".join(texts))
    return lines


def series_lines(grid: Grid) -> list[str]:
    """A series grid as text: one line per row, "4月 100％、5月 …、計 100％"."""
    lines = [grid.corner]
    for row in grid.rows:
        parts = [f"{label} {format_value(v, grid.format)}" for label, v in zip(grid.columns, row.values)
                 if v is not None]
        if grid.total_label and row.total is not None:
            parts.append(f"{grid.total_label} {format_value(row.total, grid.format)}")
        if grid.extra_label and row.extra is not None:
            parts.append(f"{grid.extra_label} {format_value(row.extra, grid.format)}")
        lines.append(f"{row.label}：" + "、".join(parts))
    return lines


def block_text(block: Block, reached: int = 12) -> str:
    """One block as plain text (headings on their own line)."""
    lines = [block.heading] if block.heading else []
    if isinstance(block, TextBlock):
        if block.text:
            lines.append(block.text)
    elif isinstance(block, NoteBlock):
        lines.append("※" + block.text)
    elif isinstance(block, BulletsBlock):
        lines.extend(block.bullet + item for item in block.items)
    elif isinstance(block, TableBlock):
        lines.extend(table_lines(block.table))
    elif isinstance(block, SeriesBlock):
        lines.extend(series_lines(series_grid(block.series, reached)))
    return "\n".join(lines)


def plain_text(content: Content | None, reached: int = 12) -> str:
    """Content as the plain text a cell shows: blocks separated by line breaks."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "\n".join(block_text(b, reached) for b in content)


def block_text_plain(block: Block) -> list[str]:
    """The texts of a preface block as written in the sheet: heading, then body."""
    return [t for t in (block.heading, block_text(replace(block, heading=None))) if t]
