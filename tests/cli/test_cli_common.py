"""What the verbs of the command line share (reportgen.cli.common, reportgen.api.load_file).

The output options are declared once, so ``render``, ``batch`` and ``watch``
take the same papers and fonts with the same help; a report file is read by
one function, so the command line and ``reportgen.load`` read a workbook the
same way and report the same warnings (printed as ``warning:`` lines by the
one, issued as Python warnings by the other).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner

import reportgen
from reportgen.api import load_file
from reportgen.cli.batch import batch_command
from reportgen.cli.main import main, render
from reportgen.cli.watch import watch_command
from reportgen.core.errors import ReportError
from reportgen.xlsx.tracker_import import TrackerImportWarning

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tracker_fixtures import Shape, build_tracker  # noqa: E402


def _option(command: click.Command, name: str) -> click.Option:
    found = [p for p in command.params if isinstance(p, click.Option) and p.name == name]
    assert len(found) == 1, f"{command.name}: --{name}"
    return found[0]


def _described(option: click.Option) -> tuple[object, ...]:
    kind = option.type
    return (tuple(option.opts), getattr(kind, "choices", None), option.default, option.help, option.is_flag)


@pytest.mark.parametrize("name", ["paper", "font", "pdf_variant", "no_cache"])
def test_render_and_batch_offer_the_same_output_options(name: str) -> None:
    assert _described(_option(render, name)) == _described(_option(batch_command, name))


@pytest.mark.parametrize("name", ["paper", "font"])
def test_watch_takes_the_same_paper_and_font_as_render(name: str) -> None:
    assert _described(_option(render, name)) == _described(_option(watch_command, name))


def test_batch_writes_every_paper_render_writes(tmp_path: Path, gunma_path: Path) -> None:
    data = tmp_path / "in"
    data.mkdir()
    (data / "plan.yaml").write_bytes(gunma_path.read_bytes())
    result = CliRunner().invoke(main, ["batch", str(data), "-o", str(tmp_path / "out"), "--format", "html",
                                       "--paper", "b4", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "size: 364mm 257mm" in (tmp_path / "out" / "plan.html").read_text(encoding="utf-8")  # JIS B4 landscape


def _tracker_with_a_stray_cell(path: Path) -> None:
    build_tracker(path, Shape())
    wb = openpyxl.load_workbook(path)
    wb["Sheet1"]["X5"] = "メモ"
    wb.save(path)


def test_command_line_and_load_read_a_workbook_alike(tmp_path: Path) -> None:
    path = tmp_path / "tracker.xlsx"
    _tracker_with_a_stray_cell(path)
    expected = f"{path}: Sheet1!X5: could not place 'メモ': outside the columns and rows of the tracker"

    loaded = load_file(path)
    assert [f"{p.file}: {p.path}: {p.message}" for p in loaded.warnings] == [expected]
    assert loaded.line_of is None  # a workbook has no lines

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = reportgen.load(path)
    issued = [w for w in caught if w.category is TrackerImportWarning]
    assert [str(w.message) for w in issued] == [expected]
    assert issued[0].filename == __file__  # the warning points at the caller of load(), not into reportgen
    assert report.to_dict() == loaded.report.to_dict()

    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    warned = result.stderr.splitlines()  # the workbook's, then totals that disagree with their months
    assert warned[0] == f"warning: {expected}" and all(line.startswith("warning: ") for line in warned)
    strict = CliRunner().invoke(main, ["validate", "--strict", str(path)])
    assert strict.exit_code == 2
    assert strict.stderr.splitlines() == [*warned, f"{path}: {len(warned)} warning(s) and --strict is given"]


def test_load_file_gives_the_lines_of_a_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("format: 1\n\n\nreport:\n  title: 計画\n  organization: 埼玉支部\n  fiscal_year: 2024\n"
                    "sections:\n  - title: 分野\n    items:\n      - title: 施策\n"
                    "        entries:\n          - plan: 計画\n", encoding="utf-8")
    loaded = load_file(path)
    assert loaded.warnings == [] and loaded.report.title == "計画"
    assert loaded.line_of is not None
    assert (loaded.line_of(("report", "title")), loaded.line_of(("sections", 0, "items", 0))) == (5, 11)
    as_json = tmp_path / "plan.txt"  # the format named overrides the suffix
    as_json.write_text('{"format": 1, "report": {"title": "t", "organization": "o", "fiscal_year": 2024},'
                       ' "sections": []}', encoding="utf-8")
    assert load_file(as_json, "json").report.organization == "o"
    with pytest.raises(ReportError, match="unknown file type"):
        load_file(as_json)


def test_problems_name_the_file_as_it_was_typed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bad.yaml").write_text("format: 1\nreport:\n  title: t\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "./bad.yaml"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("./bad.yaml:") for line in lines), lines
