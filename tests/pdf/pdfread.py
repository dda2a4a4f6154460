"""Reading a rendered PDF back for comparisons: text per page, outline, internal links.

Tests that compare two renderings of one report (parallel against single,
cached against uncached) ask the same three questions of each PDF.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from pypdf import PdfReader

__all__ = ["links", "outline", "pages_text"]


def pages_text(path: Path) -> list[str]:
    """The text of each page (pdftotext, as a reader copies it)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def outline(reader: PdfReader, items: list[Any] | None = None, level: int = 0, *,
            with_top: bool = False) -> list[tuple[Any, ...]]:
    """(level, title, page index[, top]) of every bookmark, depth first."""
    out: list[tuple[Any, ...]] = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            out.extend(outline(reader, item, level + 1, with_top=with_top))
        else:
            entry: tuple[Any, ...] = (level, item.title, reader.get_destination_page_number(item))
            out.append(entry + (round(float(item.top)),) if with_top else entry)
    return out


def links(path: Path) -> list[tuple[int, str, int]]:
    """(page, destination, page it resolves to) of every internal link."""
    reader = PdfReader(path)
    dests = reader.named_destinations
    out = []
    for number, page in enumerate(reader.pages, 1):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                name = str(annot["/Dest"])
                out.append((number, name, reader.get_destination_page_number(dests[name]) + 1))
    return out
