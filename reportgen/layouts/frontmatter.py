"""What prints before the main table: the cover (title lines, 和暦 date,
organisation), the preface blocks and the mark legend with its position.

The cover differs by layout (:attr:`reportgen.layouts.registry.LayoutSpec.cover`):
the heading of seed 000, the title and period of the quarterly reports, or the
KPI list's own title when it prints alone.
"""

from __future__ import annotations

from dataclasses import replace

from ..model.calendar import wareki_date
from ..model.report import Block, Report
from ..model.wording import report_heading
from .appendices import kpi_summary_title
from .content import ViewContext, content_view
from .registry import LayoutSpec, layout_spec
from .views import BlockView

__all__ = ["cover_lines", "issued_date", "legend_position", "legend_text", "preface_view"]


def cover_lines(report: Report, spec: LayoutSpec) -> tuple[list[str], str | None, str | None]:
    """(title lines, date, organisation line) of the cover of ``report``."""
    r = report
    period = r.period_info
    if spec.cover == "kpi-summary":
        return [kpi_summary_title(r)], issued_date(r), r.organization
    if spec.cover == "quarterly":
        lines = [r.title]
        if period.kind != "annual":
            lines.append(f"({period.label(kanji=True)})")
        return lines, issued_date(r), r.organization if r.organization not in r.title else None
    return [report_heading(r)], issued_date(r), None


def preface_view(report: Report, ctx: ViewContext) -> list[tuple[str | None, list[BlockView]]]:
    """The preface blocks: each heading printed apart from its body."""
    out = []
    for block in report.preface:
        heading = block.heading
        body = content_view([_without_heading(block)], ctx)
        out.append((heading, body))
    return out


def _without_heading(block: Block) -> Block:
    return replace(block, heading=None)


def issued_date(report: Report) -> str | None:
    """The 和暦 date of issue ("令和6年4月1日"), None when the report has none."""
    return wareki_date(report.issued) if report.issued else None


def legend_position(report: Report) -> str:
    """Where the legend prints: as ``report.legend`` asks; else above the header
    in plan-status (seed 000) and nowhere in the other layouts (seed 002 has
    none; the tracker's legend is in its mark summary)."""
    if report.legend is not None:
        return report.legend.position
    return layout_spec(report.layout).legend


def legend_text(report: Report) -> str:
    """The legend as written in ``report.legend.text``, else built from the scale:
    "◎（計画を大幅に上回る）、…" above the header, "Ｓ：…　Ａ：…" at the foot."""
    legend = report.legend
    if legend is not None and legend.text is not None:
        return legend.text
    if legend is not None and legend.position == "foot":
        return "　".join(f"{s.symbol}：{s.label}" for s in report.marks.symbols)
    return report.marks.legend()

