"""The reader's grid rows without the whole layout are the layout's grid rows.

reportgen.xlsx.writtengrids skips measuring texts (issue #13: half a second of a
1,000-entry load); what the reader compares an edited grid with must not change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import reportgen
from reportgen.tools.synthetic import synthetic_report
from reportgen.xlsx.sheet import ROLE_GRID
from reportgen.xlsx.sheetlayout import build_layout
from reportgen.xlsx.writtengrids import written_grid_rows

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _from_layout(report: reportgen.Report) -> dict[str, dict[str, list[Any]]]:
    """The grid rows as the reader took them before: every row of build_layout, by entry."""
    out: dict[str, dict[str, list[Any]]] = {}
    current: dict[str, list[Any]] | None = None
    for row in build_layout(report).rows:
        if row.entry_id:
            current = out.setdefault(row.entry_id, {})
        if current is not None and row.role.startswith(ROLE_GRID):
            current.setdefault(row.role[len(ROLE_GRID):], []).append(row)
    return out


def _cells(grids: dict[str, dict[str, list[Any]]]) -> dict[str, dict[str, list[Any]]]:
    return {eid: {tail: [(row.role, row.cells) for row in rows] for tail, rows in by_tail.items()}
            for eid, by_tail in grids.items()}


@pytest.mark.parametrize("source", sorted(p.name for p in EXAMPLES.glob("*.yaml")) + ["synthetic-120"])
def test_same_grid_rows_as_the_layout(source: str) -> None:
    report = synthetic_report(120) if source == "synthetic-120" else reportgen.load(EXAMPLES / source)
    got = written_grid_rows(report)
    # the reader compares the cells (value, format, where each came from); row heights
    # (grown to fit the texts beside a grid) and the entry tag of a first row are the layout's
    assert _cells(got) == _cells(_from_layout(report))
    if source == "synthetic-120":
        assert sum(len(rows) for grids in got.values() for rows in grids.values()) > 50
