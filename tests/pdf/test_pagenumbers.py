"""Page-number stamps of reports rendered in parts: exactly WeasyPrint's margin box."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reportgen.pdf import pagenumbers

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is needed")


def _words(path: Path) -> list[str]:
    """Every word with its box, page by page (pdftotext -bbox), metadata left out."""
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return re.findall(r"<page[^>]*>|<word[^>]*>[^<]*</word>", html)


@pytest.mark.parametrize(("total", "paper", "font"), [(12, "A4", "gothic"), (101, "A4", "mincho"),
                                                       (9, "A3", "gothic")])
def test_stamps_are_the_margin_box_weasyprint_lays_out(tmp_path: Path, total: int, paper: str,
                                                       font: str) -> None:
    fast, slow = tmp_path / "fast.pdf", tmp_path / "slow.pdf"
    fast.write_bytes(pagenumbers.page_numbers_pdf(total, paper, font))
    slow.write_bytes(pagenumbers.stamp_pages(total, paper, font))
    words = _words(fast)
    assert words == _words(slow)  # same text, same place, page after page
    assert words.count("<page") == 0 and sum(w.startswith("<page") for w in words) == total
    assert f">{total}</word>" in words[-1] and f">{total}</word>" in words[-3]


def test_falls_back_to_weasyprint_when_the_sample_is_unexpected(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(pagenumbers, "_sample", lambda paper, font: None)
    out = tmp_path / "n.pdf"
    out.write_bytes(pagenumbers.page_numbers_pdf(3))
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert [t.strip() for t in text.split("\f") if t.strip()] == ["1 / 3", "2 / 3", "3 / 3"]
