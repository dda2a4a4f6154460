"""``reportgen summary``: mark counts and KPI list in the terminal, aligned for Japanese text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import reportgen
from reportgen.model.kpi import judgement
from reportgen.cli.summary import display_width, format_table, kpi_rows, pad, summary_text, truncate


def reportgen_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reportgen", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def _mark_lines(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("区分"))
    end = lines.index("", start)
    return lines[start:end]


def test_summary_counts_match_count_marks(saitama_path: Path) -> None:
    result = reportgen_cli("summary", str(saitama_path), "--width", "120")
    assert result.returncode == 0, result.stderr
    report = reportgen.load(saitama_path)
    summary = reportgen.count_marks(report)
    lines = _mark_lines(result.stdout)
    header = lines[0].split()
    symbols = list(summary.scale.allowed)
    assert header == ["区分", *symbols, "計"]  # one column per symbol of the scale, ― included
    table = {l.rsplit(None, len(symbols) + 1)[0].strip(): l.split()[-(len(symbols) + 1):] for l in lines[2:]}
    parts = summary.sections + [summary.whole, summary.kpi]
    assert list(table) == [p.label for p in parts]
    for part in parts:
        assert table[part.label] == [str(part.counts.get(s, 0)) for s in symbols] + [str(part.total)]
    assert table["全体"] == ["1", "7", "1", "0", "0", "9"]
    assert table["（再掲）KPI"] == ["1", "3", "1", "0", "0", "5"]


def test_summary_columns_align_by_display_width(saitama_path: Path) -> None:
    text = summary_text(reportgen.load(saitama_path), width=120)
    mark_lines = _mark_lines(text)
    # The last column is right-aligned, so every row ends at the same terminal column.
    assert len({display_width(l, ambiguous=1) for l in mark_lines}) == 1
    kpi = text.splitlines()[text.splitlines().index("KPI") + 1:]
    # 達成状況 is the last column: it starts at the same terminal column in every row.
    starts = {display_width(l[: l.rindex(" ") + 1], ambiguous=1) for l in kpi[2:]}
    assert len(starts) == 1 and all(display_width(l, ambiguous=1) <= 120 for l in kpi)


def test_summary_kpi_list(saitama_path: Path) -> None:
    report = reportgen.load(saitama_path)
    rows = kpi_rows(report)
    kpis = [e.kpi for _s, _g, _i, e in report.iter_entries() if e.kpi is not None]
    assert [r[5] for r in rows] == [judgement(k) for k in kpis] == ["達成", "達成", "未達成", "達成", "達成"]
    assert rows[1][2:5] == ["96.5％以上", "96.3％", "96.5％"]
    assert rows[2][2] == "対前年度以上"
    text = summary_text(report, width=80)
    row = next(l for l in text.splitlines() if l.endswith("未達成"))
    assert row.startswith("（６）返納") and "…" in row  # 施策 and KPI text cut to fit
    assert all(display_width(l, ambiguous=1) <= 80 for l in text.splitlines()[text.splitlines().index("KPI"):])


def test_summary_quarterly_scale_and_no_kpi(quarterly_path: Path) -> None:
    text = summary_text(reportgen.load(quarterly_path), width=100)
    assert _mark_lines(text)[0].split() == ["区分", "○", "△", "—", "計"]
    assert "（KPI なし）" in text


def test_summary_invalid_file_exit_2(write) -> None:
    bad = write("bad.yaml", "format: 1\nreport: {title: t}\n")
    result = reportgen_cli("summary", str(bad))
    assert result.returncode == 2 and f"{bad}:2: report: missing required key" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_display_width_pad_truncate() -> None:
    assert display_width("abc") == 3
    assert display_width("埼玉支部") == 8
    assert display_width("ｱｲ") == 2  # half-width katakana
    assert display_width("◎", ambiguous=1) == 1 and display_width("◎", ambiguous=2) == 2
    assert display_width("葛\U000e0100") == 2  # an ideographic variation selector takes no column
    assert pad("支部", 6) == "支部  " and pad("12", 4, ">") == "  12"
    assert truncate("健全な財政運営", 9) == "健全な財…" and display_width(truncate("健全な財政運営", 9)) == 9
    assert truncate("短い", 10) == "短い"


def test_format_table_mixed_widths() -> None:
    out = format_table(["file", "status"], [["埼玉.yaml", "ok"], ["gunma.yaml", "invalid"]])
    lines = out.splitlines()
    assert [display_width(l[: l.index("ok")]) if "ok" in l else None for l in lines[2:3]] == [12]
    assert display_width(lines[3][: lines[3].index("invalid")]) == 12
