"""Loading and validation: every problem at once, each on its own located line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import reportgen
from reportgen import ReportError

HEAD = """\
format: 1
report:
  title: 令和５年度 事業計画
  organization: 埼玉支部
  fiscal_year: 2023
"""


def problems(path: Path) -> list[str]:
    with pytest.raises(ReportError) as info:
        reportgen.load(path)
    return [str(p) for p in info.value.problems]


def test_contract_examples_load(examples_dir: Path) -> None:
    names = {p.name for p in examples_dir.glob("*.yaml")}
    assert {"gunma-r5-excerpt.yaml", "saitama-h29-q1-excerpt.yaml", "saitama-r5-excerpt.yaml"} <= names
    for path in examples_dir.glob("*.yaml"):
        report = reportgen.load(path)
        assert report.sections and any(True for _ in report.iter_entries())


def test_examples_round_trip_through_dict(examples_dir: Path) -> None:
    for path in examples_dir.glob("*.yaml"):
        report = reportgen.load(path)
        again = reportgen.Report.from_dict(report.to_dict())
        assert again == report
        assert again.to_dict() == report.to_dict()


def test_saitama_content_is_modelled(saitama_path: Path) -> None:
    r = reportgen.load(saitama_path)
    assert (r.fiscal_year, r.layout, r.marks.name) == (2023, "plan-status", "standard")
    first = r.sections[0].items[0]
    assert first.number == "（１）" and first.tags == ["重要度：高", "困難度：高"]
    assert first.heading == "（１）健全な財政運営【重要度：高】【困難度：高】"
    # 〇 (U+3007) typed in the file is folded onto the scale's ○.
    assert first.entries[0].mark == "○"
    table = r.sections[0].items[2].entries[0].status[1].table  # type: ignore[index,union-attr]
    assert table.rows[0][1] == 27475 and table.caption == "保険証催告の実施状況"


def test_three_kinds_of_problem_three_located_lines(write) -> None:
    path = write("bad.yaml", HEAD.replace("fiscal_year: 2023", "fiscal_year: 二〇二三") + """\
  titel: typo
sections:
  - title: 基盤
    items:
      - title: 財政
        entries:
          - plan: 計画
            mark: ★
""")
    lines = problems(path)
    assert lines == [
        f"{path}:5: report.fiscal_year: expected a Gregorian year such as 2023, got the text \"二〇二三\"",
        f"{path}:6: report.titel: unknown key (did you mean 'title'?)",
        f"{path}:13: sections[0].items[0].entries[0].mark: '★' is not a mark of the 'standard' scale (◎ ○ △ × ―)",
    ]


def test_json_problems_are_located(write) -> None:
    data = {"format": 1, "report": {"title": "t", "organization": "o", "fiscal_year": "2023"}}
    path = write("bad.json", json.dumps(data, ensure_ascii=False, indent=2))
    assert problems(path) == [f"{path}:6: report.fiscal_year: expected a Gregorian year such as 2023, got the text \"2023\""]


def test_missing_required_and_wrong_types(write) -> None:
    path = write("bad.yaml", """\
format: 1
report:
  title: t
  fiscal_year: 2023
sections:
  - items:
      - title: x
        tags: 重要度：高
        entries:
          - plan: 3
            status: {text: x}
""")
    lines = problems(path)
    assert f"{path}:2: report: missing required key 'organization'" in lines
    assert f"{path}:6: sections[0]: missing required key 'title'" in lines
    assert any(":8: sections[0].items[0].tags: expected a list of texts" in l for l in lines)
    assert any(":10: sections[0].items[0].entries[0].plan: expected text or a list of blocks" in l for l in lines)
    assert any(":11: sections[0].items[0].entries[0].status: expected text or a list of blocks" in l for l in lines)


def test_series_length_and_table_width(write) -> None:
    path = write("bad.yaml", HEAD + """\
sections:
  - title: s
    items:
      - title: i
        entries:
          - status:
              - series:
                  kind: quarterly
                  rows:
                    - {label: a, values: [1, 2, 3, 4, 5]}
              - table:
                  header: [[a, b, c]]
                  rows:
                    - [1, 2, 3]
                    - [{value: 1, span: [1, 2]}, 2, 3]
                    - [{value: x, span: [2, 1]}, 1, 2]
                    - [1, 2]
""")
    lines = problems(path)
    assert any(":15: " in l and "rows[0].values: 5 values; a quarterly series has at most 4" in l for l in lines)
    assert any(":20: " in l and "table.rows[1]: row has 4 columns (spans counted); the header has 3" in l for l in lines)
    # The row under a rowspan of 2 has its first column taken: 2 cells make 3 columns.
    assert not any("table.rows[3]" in l for l in lines)
    assert len(lines) == 2


def test_inline_scale_and_lookalikes(write) -> None:
    path = write("ok.yaml", HEAD + """\
  marks: {name: mine, symbols: [{symbol: 優, label: よい}, {symbol: 可, label: ふつう}], not_assessed: "－"}
sections:
  - title: s
    items:
      - title: i
        entries:
          - {plan: a, mark: 優}
          - {plan: b, mark: "-"}
          - {plan: c, mark: 良}
""")
    lines = problems(path)
    assert lines == [f"{path}:14: sections[0].items[0].entries[2].mark: '良' is not a mark of the 'mine' scale (優 可 －)"]


def test_lookalike_marks_normalised(write) -> None:
    path = write("ok.yaml", HEAD + """\
sections:
  - title: s
    items:
      - title: i
        entries:
          - {plan: a, mark: 〇}
          - {plan: b, mark: ⊚}
          - {plan: c, mark: ー}
          - {plan: d, mark: "—"}
""")
    marks = [e.mark for *_, e in reportgen.load(path).iter_entries()]
    assert marks == ["○", "◎", "―", "―"]


def test_syntax_errors_are_located(write) -> None:
    path = write("bad.yaml", HEAD + "sections:\n  - title: [unclosed\n")
    (line,) = problems(path)
    assert line.startswith(f"{path}:") and "YAML syntax error" in line
    tabbed = write("tab.yaml", HEAD + "sections:\n\t- title: x\n")
    (line,) = problems(tabbed)
    assert line.startswith(f"{tabbed}:7:") and "tabs" in line


def test_duplicate_keys_are_errors(write) -> None:
    path = write("dup.yaml", HEAD + "  title: again\n")
    assert problems(path) == [f"{path}:6: report.title: duplicate key (first on line 3)"]


def test_alias_bomb_fails_fast(write) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
    )
    (line,) = problems(write("bomb.yaml", bomb))
    assert "alias bomb" in line


def test_shift_jis_file_is_decoded(write) -> None:
    text = HEAD + "sections: []\n"
    path = write("sjis.yaml", text.encode("cp932"))
    assert reportgen.load(path).organization == "埼玉支部"


def test_control_characters_and_bad_format(write) -> None:
    path = write("bad.yaml", HEAD + """\
sections:
  - title: "s\\x07"
    items:
      - title: i
        entries:
          - kpi: {text: k, format: "pct:x", target: 0.5}
""")
    lines = problems(path)
    assert any(":7: sections[0].title: contains the control character U+0007" in l for l in lines)
    assert any(":11: sections[0].items[0].entries[0].kpi.format:" in l for l in lines)


def test_period_must_lie_in_fiscal_year(write) -> None:
    path = write("bad.yaml", HEAD + "  period: 2025-02\n")
    (line,) = problems(path)
    assert line.startswith(f"{path}:6: report.period:")


def test_from_dict_raises_report_error_without_lines() -> None:
    with pytest.raises(ReportError) as info:
        reportgen.Report.from_dict({"format": 1, "report": {"title": "t"}})
    assert [str(p) for p in info.value.problems] == [
        "<dict>: report: missing required key 'organization'",
        "<dict>: report: missing required key 'fiscal_year'",
    ]
