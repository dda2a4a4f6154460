"""Outputs are replaced whole or not at all; inputs are never modified."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

import reportgen
from reportgen.tools.synthetic import synthetic_report


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_killed_render_leaves_previous_output_intact(tmp_path: Path) -> None:
    source = tmp_path / "big.yaml"
    source.write_text(yaml.safe_dump(synthetic_report(1500).to_dict(), allow_unicode=True), encoding="utf-8")
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"last quarter's good workbook")
    before = digest(target)
    proc = subprocess.Popen([sys.executable, "-m", "reportgen", "render", str(source), "-o", str(target)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    # Kill once the renderer has started writing its temporary file.
    while time.monotonic() < deadline and not list(tmp_path.glob(".out.xlsx.*")):
        time.sleep(0.02)
    assert list(tmp_path.glob(".out.xlsx.*")), "renderer never started writing"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert digest(target) == before


def test_failed_render_leaves_no_partial_file(tmp_path: Path, gunma_path: Path, monkeypatch) -> None:
    import openpyxl

    target = tmp_path / "out.xlsx"
    target.write_bytes(b"previous")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", boom)
    report = reportgen.load(gunma_path)
    try:
        reportgen.render_xlsx(report, target)
    except Exception:
        pass
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def test_reading_a_workbook_never_modifies_it(tmp_path: Path, gunma_path: Path) -> None:
    book = tmp_path / "t.xlsx"
    reportgen.render_xlsx(reportgen.load(gunma_path), book)
    os.utime(book, (1_000_000_000, 1_000_000_000))
    before = digest(book)
    reportgen.load(book)
    assert digest(book) == before and book.stat().st_mtime == 1_000_000_000
