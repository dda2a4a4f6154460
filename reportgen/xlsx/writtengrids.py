"""The grid rows the writer put under each entry, without laying out the whole sheet.

The reader compares the grids of the sheet (series figures, table cells) with
the rows the writer made for them, so it needs those rows, by entry tag.
Building the whole layout (:func:`reportgen.xlsx.sheetlayout.build_layout`)
for that measured every text of the report to size its rows — wrapping
13,500 texts of a 1,000-entry tracker took half a second — while no grid row
depends on a text's height.  :func:`written_grid_rows` runs the same
:class:`~reportgen.xlsx.sheetlayout.LayoutBuilder` code for each entry's
status rows, passing over the text pieces (which are never grid rows), and
nothing else.  ``tests/xlsx/test_writtengrids.py`` checks it gives the very
cells ``build_layout`` gives (the rows' heights may differ: the layout grows
them to fit the texts beside a grid, and the reader never looks at them).
"""

from __future__ import annotations

from ..model.report import Report
from .rows import Row, Written
from .sheet import ROLE_GRID
from .sheetlayout import LayoutBuilder

__all__ = ["written_grid_rows"]


class _GridsOnly(LayoutBuilder):
    """A layout builder whose text pieces make no rows (and so measure nothing)."""

    def text_piece(self, text: str, role: str, written: Written, style: str = "rg.text") -> list[Row]:
        return []


def written_grid_rows(report: Report) -> dict[str, dict[str, list[Row]]]:
    """Entry tag (``E0``, ``E1``… in sheet order) → grid tail (``k``, ``0``…) → the grid's rows,
    as :func:`~reportgen.xlsx.sheetlayout.build_layout` lays them out."""
    builder = _GridsOnly(report)
    out: dict[str, dict[str, list[Row]]] = {}
    number = 0
    for section in report.sections:
        for _group, item in section.iter_items():
            builder.item = item
            for entry in item.entries:
                grids: dict[str, list[Row]] = {}
                for row in builder.status_rows(entry, Written("", "", "")):
                    if row.role.startswith(ROLE_GRID):
                        grids.setdefault(row.role[len(ROLE_GRID):], []).append(row)
                out[f"E{number}"] = grids
                number += 1
    return out
