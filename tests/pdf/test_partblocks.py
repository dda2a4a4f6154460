"""Blocks of pieces (reportgen.pdf.partblocks): after an edit the changed block's pieces are joined
straight into the document and the block's own join is left for later (``watch`` does it once
the PDF is written). The PDF is the same document either way, and the later join is found by
the next render."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from reportgen import Report
from reportgen.pdf import partcache
from reportgen.pdf.engine import render_pdf
from reportgen.tools.synthetic import synthetic_report

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is needed")


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", str(folder))
    return folder


def _report(data: dict[str, Any]) -> Report:
    return Report.from_dict(copy.deepcopy(data), source="<partblocks test>")


def _text(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return out.split("\f")


def _titles(path: Path) -> list[tuple[str, int]]:
    reader = PdfReader(path)
    out: list[tuple[str, int]] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append((item.title, reader.get_destination_page_number(item)))

    walk(reader.outline)
    return out


def _assert_same(data: dict[str, Any], cached: Path, tmp_path: Path) -> None:
    plain = tmp_path / f"plain-{cached.stem}.pdf"
    render_pdf(_report(data), plain)  # no cache: one WeasyPrint document
    assert _text(cached) == _text(plain)
    assert _titles(cached) == _titles(plain)


def _edit(data: dict[str, Any], section: int, text: str) -> dict[str, Any]:
    edited = copy.deepcopy(data)
    items = edited["sections"][section]["items"]
    items[len(items) // 2]["entries"][0]["plan"] += text
    return edited


def test_an_edited_block_is_joined_later_and_found_by_the_next_render(tmp_path: Path) -> None:
    data = synthetic_report(200).to_dict()
    data["report"]["appendix"] = ["kpi-summary"]
    render_pdf(_report(data), tmp_path / "a.pdf", cache=True)
    partcache.finish_pending()

    # an edit grows one item by two lines: its block is not in the cache
    edited = _edit(data, 1, "追記：説明会の開催回数と参加事業所数を更新する。" * 3)
    render_pdf(_report(edited), tmp_path / "b.pdf", cache=True)
    run = partcache.last_run()
    assert run.relaid and len(run.pending) == 1  # the edited block: its pieces joined directly
    _assert_same(edited, tmp_path / "b.pdf", tmp_path)
    pending = len(run.pending)
    assert partcache.finish_pending() == pending and run.pending == []
    assert partcache.finish_pending() == 0  # done once

    # the same file again: every block is found, nothing is left for later, same bytes
    render_pdf(_report(edited), tmp_path / "c.pdf", cache=True)
    again = partcache.last_run()
    assert again.relaid == [] and again.pending == []
    assert _text(tmp_path / "c.pdf") == _text(tmp_path / "b.pdf")

    # a second edit elsewhere, after the first block was joined: still the document
    second = _edit(edited, 0, "追記：訪問勧奨の対象を拡大する。")
    render_pdf(_report(second), tmp_path / "d.pdf", cache=True)
    assert partcache.last_run().relaid
    _assert_same(second, tmp_path / "d.pdf", tmp_path)


def test_without_finishing_the_pending_joins_later_renders_stay_the_document(tmp_path: Path) -> None:
    """A render (``reportgen render``) that never joins what it left: the pieces stay parts of
    their own in the next renders, which print the same document."""
    data = synthetic_report(200).to_dict()
    render_pdf(_report(data), tmp_path / "a.pdf", cache=True)
    first = _edit(data, 1, "追記：説明会を追加で開催する。")
    render_pdf(_report(first), tmp_path / "b.pdf", cache=True)
    second = _edit(first, 2, "追記：広報誌に掲載する。" * 4)
    render_pdf(_report(second), tmp_path / "c.pdf", cache=True)
    _assert_same(second, tmp_path / "c.pdf", tmp_path)
