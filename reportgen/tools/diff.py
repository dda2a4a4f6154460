"""What changed between two reports of the same plan (Q1 → Q2, last year → this year).

The council reads a quarterly report against the previous one: which marks
moved, which KPI figures changed and whether that flipped 達成/未達成, which
status texts were rewritten, which monthly figures came in or were revised.
:func:`diff_reports` lists exactly that, matched structurally rather than by
line, so a reworded entry is one change and not a wall of text diff:

* sections by (number, title), then title alone, then number alone;
* items inside a matched section the same way (groups are ignored, so an item
  moved to another group still matches);
* entries by their written number, then by identical plan text, then by position.

Values are compared as data and shown as printed (96.5％, 2,974件), so a
figure changing from 0.9651 to 0.9652 — the same printed text — shows the raw
numbers instead of "96.5％ → 96.5％".

The work is split by job: :mod:`~reportgen.tools.differ` walks the two
reports, :mod:`~reportgen.tools.diff_text` compares values as printed,
:mod:`~reportgen.tools.diff_changes` holds the result and
:mod:`~reportgen.tools.diff_output` writes it for the terminal, as HTML or PDF.
This module is the door: :func:`diff_reports`, and the names callers use.
"""

from __future__ import annotations

from ..model.report import Report
from .diff_changes import Change, ReportDiff
from .diff_output import format_text, render_diff_html, write_diff
from .diff_text import norm
from .differ import StructureDiffer

__all__ = ["Change", "ReportDiff", "diff_reports", "format_text", "render_diff_html", "write_diff"]


def diff_reports(old: Report, new: Report) -> ReportDiff:
    """Everything that changed from ``old`` to ``new`` (see the module docstring)."""
    result = ReportDiff(old, new)
    for what, a, b in (("組織", old.organization, new.organization),
                       ("年度", str(old.fiscal_year), str(new.fiscal_year)),
                       ("表題", old.title, new.title)):
        if norm(a) != norm(b):
            result.warnings.append(f"{what}が異なります（{a} → {b}）: 同じ計画の報告か確認してください")
    if old.marks.allowed != new.marks.allowed:
        result.warnings.append(f"評価の尺度が異なります（{' '.join(old.marks.allowed)} → {' '.join(new.marks.allowed)}）")
    result.changes = StructureDiffer(old, new).run()
    return result
