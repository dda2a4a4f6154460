"""The command line as scripts use it: exit codes and messages, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def reportgen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reportgen", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_validate_examples_ok(examples_dir: Path) -> None:
    files = sorted(str(p) for p in examples_dir.glob("*.yaml"))
    result = reportgen("validate", *files)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": ok (") == len(files) >= 3


def test_validate_invalid_exit_2_one_line_per_problem(write) -> None:
    bad = write("bad.yaml", """\
format: 1
report:
  title: t
  organization: o
  fiscal_year: 二〇二三
  titel: x
sections:
  - title: s
    items:
      - title: i
        entries:
          - {plan: p, mark: ★}
""")
    result = reportgen("validate", str(bad))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert [l.split(": ")[0] for l in lines] == [f"{bad}:5", f"{bad}:6", f"{bad}:12"]
    assert "Traceback" not in result.stderr


def test_validate_missing_file_and_garbage(write, tmp_path: Path) -> None:
    result = reportgen("validate", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2 and "cannot read" in result.stderr
    garbage = write("g.yaml", b"\x81\x00\xff\xfe\xfd" * 10)
    result = reportgen("validate", str(garbage))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(str(garbage))


def test_version_and_help() -> None:
    assert reportgen("--version").stdout.startswith("reportgen, version")
    helped = reportgen("validate", "--help")
    assert helped.returncode == 0 and "Example" in helped.stdout


def test_render_refuses_to_overwrite_an_input(tmp_path: Path, gunma_path: Path) -> None:
    src = tmp_path / "plan.yaml"
    src.write_bytes(gunma_path.read_bytes())
    first = reportgen("render", str(src), "-o", str(tmp_path / "plan.xlsx"))
    assert first.returncode == 0, first.stderr
    workbook = (tmp_path / "plan.xlsx").read_bytes()
    # The folder now holds plan.yaml and plan.xlsx; both would go to plan.xlsx.
    result = reportgen("render", str(tmp_path), "-o", str(tmp_path), "--format", "xlsx")
    assert result.returncode == 1 and "refusing to overwrite an input file" in result.stderr
    assert (tmp_path / "plan.xlsx").read_bytes() == workbook


def test_render_invalid_input_writes_nothing(write, tmp_path: Path) -> None:
    bad = write("bad.yaml", "format: 1\nreport: {title: t}\n")
    out = tmp_path / "bad.xlsx"
    result = reportgen("render", str(bad), "-o", str(out))
    assert result.returncode == 2 and f"{bad}:2: report: missing required key" in result.stderr
    assert not out.exists() and "Traceback" not in result.stderr
