"""``reportgen watch``: re-render on every save, survive invalid data, Ctrl-C exits 0."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import reportgen
from reportgen.cli.watch import snapshot, watch


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _touch_later(path: Path) -> None:
    """Make sure the next write changes the mtime even on coarse-clock filesystems."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 2_000_000_000))


def test_watch_rerenders_after_edit_and_survives_invalid_edit(tmp_path: Path, gunma_path: Path) -> None:
    data = tmp_path / "plan.yaml"
    data.write_bytes(gunma_path.read_bytes())
    out = tmp_path / "plan.xlsx"
    templates = tmp_path / "templates"
    templates.mkdir()
    titles: list[str] = []

    def render() -> str:
        report = reportgen.load(data)
        reportgen.render_xlsx(report, out)
        titles.append(report.title)
        return str(out)

    # Edits happen between polls, as a person saving in an editor would.
    edits = {
        1: lambda: _edit(data, "群馬支部事業計画", "群馬支部事業計画（改訂）"),
        3: lambda: _edit(data, "fiscal_year: 2023", "fiscal_year: 二〇二三"),
        5: lambda: _edit(data, "fiscal_year: 二〇二三", "fiscal_year: 2023"),
        7: lambda: (templates / "extra.css").write_text("p {}"),
    }
    cycle = 0
    good_after_invalid: list[bytes] = []

    def sleep(_seconds: float) -> None:
        nonlocal cycle
        cycle += 1
        if cycle == 4:  # after the invalid edit was seen: the last good output is still there
            good_after_invalid.append(out.read_bytes())
        if cycle in edits:
            _touch_later(data)
            edits[cycle]()

    lines: list[str] = []
    renders = watch([data, templates], render, interval=0.0, max_cycles=8, echo=lines.append, sleep=sleep)

    # first render, the title edit, the invalid edit, the fix, the new template file
    assert renders == 5, lines
    summary = [l.split()[1] for l in lines if l[:2].isdigit()]
    assert summary == ["ok", "ok", "errors", "ok", "ok"], lines
    assert titles[:2] == ["令和5年度 群馬支部事業計画", "令和5年度 群馬支部事業計画（改訂）"]
    problem = [l for l in lines if l.startswith(f"{data}:")]
    assert len(problem) == 1 and "report.fiscal_year" in problem[0]
    assert "keeping the last good output" in lines[lines.index(problem[0]) + 1]
    assert good_after_invalid and good_after_invalid[0][:2] == b"PK"


def test_watch_keeps_going_after_an_unexpected_error(tmp_path: Path) -> None:
    data = tmp_path / "a.txt"
    data.write_text("1")
    calls = []

    def render() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("disk full")

    def sleep(_s: float) -> None:
        _touch_later(data)
        data.write_text(data.read_text() + "1")

    lines: list[str] = []
    assert watch([data], render, interval=0, max_cycles=2, echo=lines.append, sleep=sleep) == 3
    assert "errors: RuntimeError: disk full" in lines[0] and lines[1].split()[1] == "ok"


def test_watch_runs_after_once_each_good_render_and_survives_its_failure(tmp_path: Path) -> None:
    """``after`` (the part cache's pending block joins) runs once a render's line is printed,
    never after a failed render, and a failure in it never stops the loop."""
    data = tmp_path / "a.txt"
    data.write_text("1")
    events: list[str] = []

    def render() -> str:
        events.append("render")
        if len(events) > 1 and events.count("render") == 2:
            raise RuntimeError("disk full")
        return "out.pdf"

    def after() -> None:
        events.append("after")
        raise OSError("cache folder gone")

    def sleep(_s: float) -> None:
        _touch_later(data)
        data.write_text(data.read_text() + "1")

    lines: list[str] = []

    def echo(line: str) -> None:
        lines.append(line)
        events.append("line")

    assert watch([data], render, interval=0, max_cycles=2, echo=echo, sleep=sleep, after=after) == 3
    assert events == ["render", "line", "after", "render", "line", "render", "line", "after"]
    assert "errors: RuntimeError: disk full" in lines[1] and lines[2].split()[1] == "ok"


def test_snapshot_sees_new_deleted_and_missing_files(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "a.css").write_text("a")
    missing = tmp_path / "gone.yaml"
    first = snapshot([folder, missing])
    assert first[missing] is None and (folder / "a.css") in first
    (folder / "b.html").write_text("b")
    assert snapshot([folder, missing]) != first
    (folder / "b.html").unlink()
    assert snapshot([folder, missing]) == first


def test_watch_command_end_to_end(tmp_path: Path, gunma_path: Path) -> None:
    data = tmp_path / "plan.yaml"
    data.write_bytes(gunma_path.read_bytes())
    out = tmp_path / "plan.xlsx"
    proc = subprocess.Popen(
        [sys.executable, "-m", "reportgen", "watch", str(data), "-o", str(out), "--interval", "0.1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(l) for l in proc.stdout], daemon=True).start()  # type: ignore[union-attr]

    def next_status(timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.1))
            if line[:2].isdigit():
                return line
    try:
        assert " ok " in next_status()
        good = out.read_bytes()
        time.sleep(0.05)
        _touch_later(data)
        _edit(data, "群馬支部事業計画", "群馬支部事業計画（改訂）")
        assert " ok " in next_status()
        assert out.read_bytes() != good
        good = out.read_bytes()
        _touch_later(data)
        _edit(data, "fiscal_year: 2023", "fiscal_year: 二〇二三")
        assert " errors " in next_status()
        assert out.read_bytes() == good  # the last good output stays
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "stopped" in err


def test_watch_command_sigterm_exits_0_and_leaves_no_temp_files(tmp_path: Path, gunma_path: Path) -> None:
    data = tmp_path / "plan.yaml"
    data.write_bytes(gunma_path.read_bytes())
    out = tmp_path / "plan.xlsx"
    proc = subprocess.Popen(
        [sys.executable, "-m", "reportgen", "watch", str(data), "-o", str(out), "--interval", "0.1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        first = proc.stdout.readline()  # type: ignore[union-attr]
        assert " ok " in first
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "stopped" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx", "plan.yaml"]


def test_watch_command_refuses_to_overwrite_the_input(tmp_path: Path, gunma_path: Path) -> None:
    data = tmp_path / "plan.xlsx"
    result = subprocess.run([sys.executable, "-m", "reportgen", "watch", str(data), "-o", str(data)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "refusing to overwrite the input file" in result.stderr
