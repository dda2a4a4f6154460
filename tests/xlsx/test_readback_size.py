"""A tracker larger than reportgen reads back is written with a warning that says so.

Reading bounds rows and merged cells (reportgen.xlsx.limits) so that any
workbook loads in about 2 s; a report of some 1,500 entries or more makes a
tracker past those bounds.  It still prints and can be edited, but edits
could not come back: the writer says so when it writes, the reader refuses
it with the limit it met.  (The limits are lowered here so a small report
meets them.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import reportgen
from reportgen import ReportError
from reportgen.cli.main import main
from reportgen.core.reportwarnings import TrackerWarning
from reportgen.xlsx import limits
from reportgen.xlsx.read import read_xlsx_checked
from reportgen.xlsx.writer import render_xlsx

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "saitama-r5-excerpt.yaml"


def test_the_cli_warns_and_writes_the_workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ROWS", 40)
    target = tmp_path / "big.xlsx"
    done = CliRunner().invoke(main, ["render", str(EXAMPLE), "-o", str(target)])
    assert done.exit_code == 0, done.output
    assert target.exists()
    assert "warning: " in done.stderr and "reportgen reads back trackers of at most 40" in done.stderr
    assert "rows" in done.stderr and "split the report" in done.stderr
    with pytest.raises(ReportError) as info:
        read_xlsx_checked(target)
    assert "sheet 進捗状況: the sheet reaches row" in str(info.value) and "the limit is 40 rows" in str(info.value)


def test_the_library_warns_on_merged_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_MERGED_CELLS", 100)
    with pytest.warns(TrackerWarning, match="merged cells; reportgen reads back trackers of at most 100"):
        render_xlsx(reportgen.load(EXAMPLE), tmp_path / "merged.xlsx")


def test_a_tracker_within_the_limits_writes_without_a_word(tmp_path: Path, recwarn: pytest.WarningsRecorder) -> None:
    render_xlsx(reportgen.load(EXAMPLE), tmp_path / "t.xlsx")
    assert not [w for w in recwarn if issubclass(w.category, TrackerWarning)]
