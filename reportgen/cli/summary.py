"""``reportgen summary``: mark counts and the KPI list, in the terminal.

Before filing, a branch checks two things at a glance: how many ◎○△× each
section got and whether every KPI reads 達成/未達成 as expected.  This prints
both as plain text tables (no extra dependency).

Japanese text is two terminal columns wide per character, so every cell is
padded by its *display* width (``unicodedata.east_asian_width``), not by
``len()``.  Characters of "ambiguous" width — among them the marks ◎○△× and
― — are one column in most terminals and two in some set up for CJK; set
``REPORTGEN_AMBIGUOUS_WIDTH=2`` for the latter so the columns still line up.

The table helpers here are shared with ``reportgen batch`` (its final table).
"""

from __future__ import annotations

import os
import shutil
import sys
from ..core.textwidth import char_units, text_units
from typing import TYPE_CHECKING, Sequence

import click

if TYPE_CHECKING:  # pragma: no cover
    from ..model.marks import MarkSummary
    from ..model.report import Report

__all__ = ["display_width", "truncate", "pad", "format_table", "mark_table", "kpi_table", "summary_text"]


def _ambiguous_width() -> int:
    return 2 if os.environ.get("REPORTGEN_AMBIGUOUS_WIDTH", "").strip() == "2" else 1


def display_width(text: str, *, ambiguous: int | None = None) -> int:
    """Terminal columns ``text`` takes: 2 for wide (CJK) characters, 0 for combining marks."""
    amb = _ambiguous_width() if ambiguous is None else ambiguous
    return text_units(text, amb)


def truncate(text: str, width: int, *, ambiguous: int | None = None) -> str:
    """``text`` cut to at most ``width`` columns, ending in … when cut."""
    amb = _ambiguous_width() if ambiguous is None else ambiguous
    if display_width(text, ambiguous=amb) <= width:
        return text
    out, used = [], 0
    budget = max(width - 1, 0)  # … is one column (narrow) in the fonts terminals use
    for ch in text:
        w = char_units(ch, amb)
        if used + w > budget:
            break
        out.append(ch)
        used += w
    return "".join(out) + ("…" if width >= 1 else "")


def pad(text: str, width: int, align: str = "<", *, ambiguous: int | None = None) -> str:
    """``text`` padded with spaces to ``width`` columns (``<`` left, ``>`` right)."""
    fill = " " * max(width - display_width(text, ambiguous=ambiguous), 0)
    return fill + text if align == ">" else text + fill


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]], *, align: str | None = None,
                 gap: str = "  ", rule: bool = True) -> str:
    """A plain text table; ``align`` holds one ``<`` or ``>`` per column (default all left)."""
    amb = _ambiguous_width()
    aligns = align or "<" * len(header)
    widths = [display_width(h, ambiguous=amb) for h in header]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell, ambiguous=amb))

    def line(cells: Sequence[str]) -> str:
        return gap.join(pad(c, widths[i], aligns[i], ambiguous=amb) for i, c in enumerate(cells)).rstrip()

    out = [line(header)]
    if rule:
        out.append(gap.join("-" * w for w in widths))
    out.extend(line(r) for r in rows)
    return "\n".join(out)


def _clean(text: object) -> str:
    """Text from the file, one line, with control characters shown as escapes."""
    from ..core.locations import printable

    return printable(" ".join(str(text).split()))


def mark_table(summary: MarkSummary) -> str:
    """Counts per section, 全体 and （再掲）KPI; one column per symbol of the scale."""
    symbols = list(summary.scale.allowed)
    parts = summary.sections + [summary.whole, summary.kpi]
    for part in parts:  # a mark outside the scale should not happen; show it rather than drop it
        symbols.extend(s for s in part.counts if s not in symbols)
    show_unmarked = any(p.unmarked for p in parts)
    header = ["区分", *symbols] + (["未記入"] if show_unmarked else []) + ["計"]
    rows = []
    for part in parts:
        row = [_clean(part.label), *(str(part.counts.get(s, 0)) for s in symbols)]
        if show_unmarked:
            row.append(str(part.unmarked))
        rows.append(row + [str(part.total)])
    return format_table(header, rows, align="<" + ">" * (len(header) - 1))


def _value(value: object, fmt: str) -> str:
    from ..model.numbers import format_value

    try:
        return format_value(value, fmt)
    except (TypeError, ValueError):
        return "" if value is None else str(value)


def kpi_rows(report: Report) -> list[list[str]]:
    """施策, KPI text, target, prior, actual, judgement for every entry with a KPI."""
    from ..model.kpi import judgement, target_text

    rows = []
    for _section, _group, item, entry in report.iter_entries():
        kpi = entry.kpi
        if kpi is None:
            continue
        try:
            target = target_text(kpi)
        except (TypeError, ValueError):
            target = str(kpi.target)
        number = "" if item.number is None else str(item.number)
        if number[-1:].isascii() and number[-1:].isalnum():
            number += " "  # "24 費用対効果…", not "24費用対効果…"; （６） needs no space
        rows.append([
            _clean(number + item.title), _clean(kpi.text), _clean(target),
            _clean(_value(kpi.prior, kpi.format)), _clean(_value(kpi.actual, kpi.format)), judgement(kpi),
        ])
    return rows


def kpi_table(report: Report, *, width: int | None = None) -> str:
    """The KPI list, with 施策 and KPI text cut so the table fits ``width`` columns."""
    header = ["施策", "KPI", "目標", "前年度", "実績", "達成状況"]
    rows = kpi_rows(report)
    if not rows:
        return "（KPI なし）"
    total = width or shutil.get_terminal_size((120, 24)).columns
    amb = _ambiguous_width()
    fixed = sum(max(display_width(r[i], ambiguous=amb) for r in rows + [header]) for i in range(2, 6))
    room = max(total - fixed - 2 * 5, 30)  # what is left for 施策 + KPI text
    item_w = min(max(display_width(r[0], ambiguous=amb) for r in rows), max(room * 2 // 5, 10))
    text_w = max(room - item_w, 16)
    cut = [[truncate(r[0], item_w), truncate(r[1], text_w), *r[2:]] for r in rows]
    return format_table(header, cut, align="<<>>><")


def summary_text(report: Report, *, source: str = "", width: int | None = None) -> str:
    """Everything ``reportgen summary`` prints."""
    from ..model.marks import count_marks

    summary = count_marks(report)
    title = f"{_clean(report.title)}　{_clean(report.organization)}"
    lines = [title + (f"  ({source})" if source else ""), ""]
    lines.append(f"評価の集計（{summary.scale.name}: {_clean(summary.scale.legend())}）")
    lines.append(mark_table(summary))
    lines += ["", "KPI"]
    lines.append(kpi_table(report, width=width))
    return "\n".join(lines)


@click.command("summary")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--width", type=click.IntRange(min=40), default=None,
              help="Table width in columns (default: the terminal's).")
def summary_command(file: str, width: int | None) -> None:
    """Print the mark counts and the KPI list of report FILE.

    Counts per section, 全体 and （再掲）KPI, one column per symbol of the
    report's mark scale; then every KPI with target, prior, actual and
    達成/未達成/未確定.  Set REPORTGEN_AMBIGUOUS_WIDTH=2 if your terminal shows
    ◎○△× two columns wide.

    \b
    Exit status: 0 ok, 2 the file is invalid, 1 another failure.
    Examples:
      reportgen summary examples/saitama-r5-excerpt.yaml
      reportgen summary tracker.xlsx --width 100
    """
    from .. import load
    from .common import EXIT_FAILURE, EXIT_INVALID, print_problems
    from ..core.errors import ReportError
    from ..core.terminal import echo

    try:
        report = load(file)
        text = summary_text(report, source=file, width=width)
    except ReportError as exc:
        print_problems(exc.problems)
        sys.exit(EXIT_INVALID)
    except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
        echo(f"{file}: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_FAILURE)
    echo(text)
