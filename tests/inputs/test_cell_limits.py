"""A report that validates renders everywhere: texts the workbook cannot hold are refused by validate.

An Excel cell holds 32,767 characters.  The workbook writes some texts
whole that the data holds in pieces (a status of several blocks, a series
printed as "4月 1,234件、5月 …" lines, a plan with its 【KPI】 line), so the
data can pass every per-field limit and still not fit.  ``validate`` names
the field and its line, exactly as the workbook writer would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from reportgen.cli.main import main


def _report(status: Any, plan: Any = "計画") -> dict[str, Any]:
    return {
        "format": 1,
        "report": {"title": "令和6年度 事業計画", "organization": "岐阜支部", "fiscal_year": 2024},
        "sections": [{"number": 1, "title": "基盤的保険者機能関係", "items": [
            {"number": 1, "title": "健診", "entries": [{"plan": "短い計画", "status": "済", "mark": "○"}]},
            {"number": 2, "title": "広報", "entries": [{"plan": plan, "status": status, "mark": "○"}]},
        ]}],
    }


def _validate(tmp_path: Path, data: dict[str, Any]) -> Any:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return CliRunner().invoke(main, ["validate", str(path)])


def _line_of(tmp_path: Path, key: str, nth: int) -> int:
    lines = (tmp_path / "plan.yaml").read_text(encoding="utf-8").splitlines()
    hits = [n for n, line in enumerate(lines, start=1) if line.lstrip().startswith(f"{key}:")
            or line.lstrip().startswith(f"- {key}:")]
    return hits[nth]


@pytest.mark.parametrize("status", [
    [{"text": "あ" * 20_000}, {"text": "い" * 20_000}],       # blocks, each short enough
    [{"series": {"format": "int:登録事業所数（累計）", "rows": [
        {"label": f"区分{k}", "values": [1234567] * 12} for k in range(120)]}}],   # figures with their unit
])
def test_validate_refuses_a_status_the_workbook_cannot_hold(tmp_path: Path, status: Any) -> None:
    done = _validate(tmp_path, _report(status))
    assert done.exit_code == 2, done.output
    line = _line_of(tmp_path, "status", 1)
    assert f"plan.yaml:{line}: sections[0].items[1].entries[0].status: text of " in done.output
    assert "an Excel cell holds at most 32,767" in done.output


def test_one_text_longer_than_a_cell_is_refused_as_a_field(tmp_path: Path) -> None:
    done = _validate(tmp_path, _report("あ" * 33_000))
    assert done.exit_code == 2, done.output
    line = _line_of(tmp_path, "status", 1)
    assert f"plan.yaml:{line}: sections[0].items[1].entries[0].status: " in done.output
    assert "33,000 characters long; the limit is 32,767" in done.output


def test_validate_refuses_a_plan_pushed_over_by_its_kpi_line(tmp_path: Path) -> None:
    data = _report("済", plan="あ" * 32_760)      # + "\n【KPI】" + the KPI text (20) = 32,781
    data["sections"][0]["items"][1]["entries"][0]["kpi"] = {"text": "郵送化率を96.5%以上とする", "target": 0.965,
                                                            "format": "pct:1"}
    done = _validate(tmp_path, data)
    assert done.exit_code == 2, done.output
    assert "sections[0].items[1].entries[0].plan: text of 32,781 characters" in done.output


def test_a_long_report_within_the_limit_validates_and_renders(tmp_path: Path) -> None:
    status = [{"text": "あ" * 16_000}, {"text": "い" * 16_000}]
    assert _validate(tmp_path, _report(status)).exit_code == 0
    done = CliRunner().invoke(main, ["render", str(tmp_path / "plan.yaml"), "-o", str(tmp_path / "t.xlsx")])
    assert done.exit_code == 0, done.output
