"""``reportgen batch``: parallel rendering of a folder, one bad file never stops the others."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import batch as batch_mod
from reportgen.cli import batchjobs
from reportgen.cli.batch import Progress
from reportgen.cli.batchjobs import FileResult, Job, Row, find_inputs, plan_jobs
from reportgen.cli.common import count_pdf_pages
from reportgen.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
#: PDF output exists once reportgen/pdf/engine.py does; until then tests use xlsx (and
#: add pdf when it is there), never skipping a whole test for it.
PDF_AVAILABLE = (ROOT / "reportgen" / "pdf" / "engine.py").exists()


def reportgen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reportgen", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def _broken_copy(source: Path, target: Path) -> int:
    """Copy ``source`` with its first ○ mark replaced by ★; return that line's number."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.strip() == "mark: ○":
            lines[i] = line.replace("○", "★")
            target.write_text("".join(lines), encoding="utf-8")
            return i + 1
    raise AssertionError(f"no '○' mark line in {source}")


def _workbook_parts(path: Path) -> dict[str, bytes]:
    """The workbook's parts, without docProps/core.xml (it holds the creation time)."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def test_ten_files_one_broken(tmp_path: Path, examples_dir: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    examples = sorted(examples_dir.glob("*.yaml"))
    for i in range(1, 11):
        if i != 7:
            (data / f"r{i:02d}.yaml").write_bytes(examples[i % len(examples)].read_bytes())
    bad = data / "r07.yaml"
    line = _broken_copy(examples_dir / "saitama-r5-excerpt.yaml", bad)
    out = tmp_path / "out"

    result = reportgen("batch", str(data), "-o", str(out), "--format", "xlsx", "--jobs", "4")

    # A batch with any failed file exits 1; the table says which and why.
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in out.iterdir()) == [f"r{i:02d}.xlsx" for i in range(1, 11) if i != 7]
    errors = [l for l in result.stderr.splitlines() if l.startswith(str(bad))]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"{bad}:{line}: ") and "mark" in errors[0] and "★" in errors[0]
    # Progress lines (not a terminal: one plain line per file) and the final table.
    assert "10/10 files" in result.stderr
    table = result.stdout.splitlines()
    assert table[0].split() == ["file", "format", "pages", "seconds", "status"]
    rows = {l.split()[0]: l.split() for l in table[2:]}
    assert rows["r07.yaml"][-1] == "invalid"
    assert sum(r[-1] == "ok" for r in rows.values()) == 9


def test_jobs_2_writes_what_jobs_1_writes(tmp_path: Path, examples_dir: Path) -> None:
    data = tmp_path / "data"
    (data / "r6").mkdir(parents=True)
    for example in examples_dir.glob("*.yaml"):
        (data / example.name).write_bytes(example.read_bytes())
    (data / "r6" / "gunma.yaml").write_bytes((examples_dir / "gunma-r5-excerpt.yaml").read_bytes())
    formats = "xlsx,pdf" if PDF_AVAILABLE else "xlsx"

    one = reportgen("batch", str(data), "-o", str(tmp_path / "one"), "--format", formats, "--jobs", "1")
    two = reportgen("batch", str(data), "-o", str(tmp_path / "two"), "--format", formats, "--jobs", "2")

    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr

    def files(folder: Path) -> list[str]:
        return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())

    assert files(tmp_path / "one") == files(tmp_path / "two")
    assert "r6/gunma.xlsx" in files(tmp_path / "one")  # subfolders are mirrored
    for name in files(tmp_path / "one"):
        a, b = tmp_path / "one" / name, tmp_path / "two" / name
        if name.endswith(".xlsx"):
            assert _workbook_parts(a) == _workbook_parts(b), name
        elif name.endswith(".pdf"):
            assert count_pdf_pages(a) == count_pdf_pages(b) and count_pdf_pages(a), name
    # Same table apart from the timings.
    strip = lambda out: [l.split()[:3] + l.split()[4:] for l in out.splitlines()]  # noqa: E731
    assert strip(one.stdout) == strip(two.stdout)


def test_find_inputs_recurses_and_skips(tmp_path: Path) -> None:
    for name in ["a.yaml", "b.JSON", "c.txt", ".hidden.yaml", "~$d.xlsx", "sub/e.yml", ".git/f.yaml",
                 "out/old.xlsx", "sub/deeper/g.xlsx"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path.resolve()).as_posix()
             for p in find_inputs(tmp_path, exclude=[tmp_path / "out"])]
    assert found == ["a.yaml", "b.JSON", "sub/deeper/g.xlsx", "sub/e.yml"]  # sorted by path


def test_plan_refuses_inputs_and_clashes(tmp_path: Path) -> None:
    for name in ["plan.yaml", "plan.json", "tracker.xlsx"]:
        (tmp_path / name).write_text("x")
    jobs, refused = plan_jobs(tmp_path, tmp_path, ("xlsx",))
    assert [(j.name, [t.name for t in j.targets]) for j in jobs] == [("plan.json", ["plan.xlsx"])]
    errors = [e for r in refused for e in r.errors]
    assert any("plan.xlsx: also the output of plan.json" in e for e in errors)
    assert any("tracker.xlsx: refusing to overwrite an input file" in e for e in errors)
    assert all(row.status == "skipped" for r in refused for row in r.rows)


def test_output_folder_inside_input_is_not_read(tmp_path: Path, gunma_path: Path) -> None:
    (tmp_path / "plan.yaml").write_bytes(gunma_path.read_bytes())
    runner = CliRunner()
    for _ in range(2):  # the second run must not take out/plan.xlsx for an input
        result = runner.invoke(main, ["batch", str(tmp_path), "-o", str(tmp_path / "out"),
                                      "--format", "xlsx", "--jobs", "1"])
        assert result.exit_code == 0, result.output
        assert [l.split()[0] for l in result.stdout.splitlines()[2:]] == ["plan.yaml"]
    assert (tmp_path / "out" / "plan.xlsx").is_file()


def test_other_failure_is_exit_1_without_traceback(tmp_path: Path, gunma_path: Path, monkeypatch) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / "in").mkdir(exist_ok=True)
        (tmp_path / "in" / name).write_bytes(gunma_path.read_bytes())
    real = batchjobs.render_to

    def flaky(report, target, **kw):  # noqa: ANN001, ANN003
        if target.stem == "a":
            raise OSError(28, "No space left on device")
        return real(report, target, **kw)

    monkeypatch.setattr(batchjobs, "render_to", flaky)
    result = CliRunner().invoke(main, ["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"),
                                       "--format", "xlsx", "--jobs", "1"])
    assert result.exit_code == 1, result.output
    assert "a.xlsx: OSError: [Errno 28] No space left on device" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "a.xlsx").exists() and (tmp_path / "out" / "b.xlsx").is_file()


def test_render_job_never_raises(tmp_path: Path) -> None:
    job = Job(tmp_path / "missing.yaml", "missing.yaml", (tmp_path / "missing.xlsx",))
    result = batchjobs.render_job(job)
    assert result.invalid and result.problems and "cannot read" in result.problems[0]
    assert [r.status for r in result.rows] == ["invalid"]


def test_count_pdf_pages_reads_compressed_object_streams(tmp_path: Path) -> None:
    weasyprint = pytest.importorskip("weasyprint")
    html = "".join(f'<p style="break-before: page">page {i}</p>' for i in range(4))
    target = tmp_path / "four.pdf"
    weasyprint.HTML(string=html).write_pdf(target)
    assert count_pdf_pages(target) == 4
    assert count_pdf_pages(tmp_path / "nope.pdf") is None


def _result(name: str, status: str, pages: int | None = None) -> FileResult:
    res = FileResult(name, rows=[Row(name, "pdf", f"out/{name}.pdf", status, pages, 0.5)])
    if status == "invalid":
        res.problems.append(f"{name}:3: report.title: missing")
    return res


def test_progress_plain_lines_when_not_a_terminal() -> None:
    stream = io.StringIO()
    clock = iter([0.0, 1.5, 3.0, 3.0]).__next__
    progress = Progress(2, stream, tty=False, clock=clock)
    progress.start_line()
    progress.update(_result("a.yaml", "ok", 7))
    progress.update(_result("b.yaml", "invalid"))
    progress.finish()
    assert stream.getvalue().splitlines() == [
        "1/2 files, 7 pages, 1.5 s, 0 failed  a.yaml",
        "b.yaml:3: report.title: missing",
        "2/2 files, 7 pages, 3.0 s, 1 failed  b.yaml",
    ]
    assert "\r" not in stream.getvalue()


def test_progress_updates_in_place_on_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(2, stream, tty=True, clock=lambda: 0.0)
    progress.start_line()
    progress.update(_result("a.yaml", "ok", 7))
    progress.update(_result("b.yaml", "invalid"))
    progress.finish()
    text = stream.getvalue()
    assert text.count("\n") == 2  # the problem line and the final line; progress itself uses \r
    assert text.endswith("\r2/2 files, 7 pages, 0.0 s, 1 failed\x1b[K\n")
    assert "\r\x1b[Kb.yaml:3: report.title: missing\n" in text


def test_exit_status_precedence() -> None:
    assert batch_mod.exit_status([_result("a", "ok")]) == 0
    assert batch_mod.exit_status([_result("a", "ok"), _result("b", "failed")]) == 1
    assert batch_mod.exit_status([_result("a", "ok"), _result("b", "invalid")]) == 1
    assert batch_mod.exit_status([_result("a", "failed"), _result("b", "invalid")]) == 1


def test_every_verb_has_help_with_examples_and_version_works() -> None:
    runner = CliRunner()
    import click

    names = main.list_commands(click.Context(main))
    assert {"batch", "watch", "summary"} <= set(names)
    for name in names:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0 and "Example" in result.output, name
    version = runner.invoke(main, ["--version"])
    assert version.exit_code == 0 and version.output.startswith("reportgen, version")


def test_batch_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(main, ["batch", str(empty), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "no report files" in result.output
    result = runner.invoke(main, ["batch", str(empty), "-o", str(tmp_path / "o"), "--format", "docx"])
    assert result.exit_code == 2 and "unknown format docx" in result.output
    result = runner.invoke(main, ["batch", str(empty), "-o", str(tmp_path / "o"), "--jobs", "0"])
    assert result.exit_code == 2


def test_progress_line_fits_the_terminal(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    stream = io.StringIO()
    progress = Progress(1, stream, tty=True, clock=lambda: 0.0)
    progress.update(_result("a-very-long-folder-name/and-a-long-file-name.yaml", "ok", 1))
    drawn = stream.getvalue().split("\r")[-1].replace("\x1b[K", "")
    assert len(drawn) <= 39 and drawn.endswith("…")


def test_ctrl_c_stops_workers_without_traceback_or_temp_files(tmp_path: Path, saitama_path: Path) -> None:
    import os
    import signal

    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    for i in range(40):
        (data / f"r{i:02d}.yaml").write_bytes(saitama_path.read_bytes())
    # Its own process group, so the SIGINT reaches parent and workers as a terminal's Ctrl-C does.
    proc = subprocess.Popen(
        [sys.executable, "-m", "reportgen", "batch", str(data), "-o", str(out), "--format", "xlsx", "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        first = proc.stderr.readline()  # type: ignore[union-attr]
        assert first.startswith("1/40 files"), first
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    assert not [p for p in out.iterdir() if p.suffix != ".xlsx"]  # no .part left behind
