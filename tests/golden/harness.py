"""Golden harness (#14): what every renderer makes, captured as data.

A restructure must not change a single printed page or workbook cell.  For
every bundled example and a set of fixtures of other shapes (six columns, a
synthetic report with KPIs and tables, B4 portrait in Mincho, quarterly and
measure-pages layouts, a parallel render) this module captures, through the
public API only (so it survives any move inside the package):

* PDF: page count, the text of each page (pypdf) and a digest of each page's
  pixels (``pdftoppm -r 30 -gray``: the exact picture, cheaply);
* xlsx: per sheet, every non-empty cell's value, the merged ranges, column
  widths, print setup and protection, and a digest of each row's cell styles
  (font, fill, border, alignment, number format).

``tests/test_golden.py`` compares a fresh capture with ``tests/golden/data``;
``scripts/golden --update`` rewrites the data after a deliberate change (the
diff of the JSON files then shows, page by page and cell by cell, what moved).
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
PDFTOPPM = shutil.which("pdftoppm")


@dataclass(frozen=True)
class Case:
    name: str
    kind: str                      # "pdf" or "xlsx"
    build: Callable[[], bytes]


def _load(rel: str) -> Any:
    import reportgen

    return reportgen.load(ROOT / rel)


def _pdf(rel: str | Callable[[], Any], **options: Any) -> Callable[[], bytes]:
    def build() -> bytes:
        import warnings

        import reportgen

        report = rel() if callable(rel) else _load(rel)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = reportgen.render_pdf(report, cache=False, **options)
        assert out is not None
        return out
    return build


def _xlsx(rel: str | Callable[[], Any], **options: Any) -> Callable[[], bytes]:
    def build() -> bytes:
        import warnings

        import reportgen

        report = rel() if callable(rel) else _load(rel)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = reportgen.render_xlsx(report, **options)
        assert out is not None
        return out
    return build


def _synthetic(entries: int, layout: str = "plan-status") -> Callable[[], Any]:
    def build() -> Any:
        from reportgen.tools.synthetic import synthetic_report

        return synthetic_report(entries, layout=layout, seed=3)
    return build


def _hand_made() -> Any:
    """A tracker made by hand in Excel (tests/tracker_fixtures.py: spacer column,
    header below title rows, merged cells), imported."""
    import sys

    import reportgen

    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from tracker_fixtures import Shape, build_tracker
    finally:
        sys.path.remove(str(ROOT / "tests"))
    with tempfile.TemporaryDirectory() as tmp:
        built = build_tracker(Path(tmp, "hand.xlsx"), Shape(spacer=1, blank_rows=2))
        return reportgen.load(built.path)


def cases() -> list[Case]:
    examples = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "examples").rglob("*.yaml"))
    out: list[Case] = []
    for rel in examples:
        stem = rel.removeprefix("examples/").removesuffix(".yaml").replace("/", "-")
        out.append(Case(f"{stem}.pdf", "pdf", _pdf(rel)))
        out.append(Case(f"{stem}.xlsx", "xlsx", _xlsx(rel)))
    six = "tests/fixtures/self-eval-six-columns.yaml"
    out += [
        Case("six-columns.pdf", "pdf", _pdf(six)),
        Case("six-columns.xlsx", "xlsx", _xlsx(six)),
        Case("synthetic-60.pdf", "pdf", _pdf(_synthetic(60))),
        Case("synthetic-60-jobs2.pdf", "pdf", _pdf(_synthetic(60), jobs=2)),
        Case("synthetic-60.xlsx", "xlsx", _xlsx(_synthetic(60), paper="A4")),
        Case("synthetic-24-quarterly.pdf", "pdf", _pdf(_synthetic(24, "quarterly"))),
        Case("gunma-b4-portrait-mincho.pdf", "pdf",
             _pdf("examples/gunma-r5-excerpt.yaml", paper="B4", orientation="portrait", font="mincho")),
        Case("saitama-r5-a3.pdf", "pdf", _pdf("examples/saitama-r5-excerpt.yaml", paper="A3")),
        Case("hand-made-tracker.pdf", "pdf", _pdf(_hand_made)),
        Case("hand-made-tracker.xlsx", "xlsx", _xlsx(_hand_made)),
    ]
    return out


# -- capture -----------------------------------------------------------------------

def capture_pdf(data: bytes) -> dict[str, Any]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    texts = [page.extract_text() or "" for page in reader.pages]
    return {"pages": len(texts), "text": [t.splitlines() for t in texts], "pixels": _pixel_digests(data)}


def _pixel_digests(data: bytes) -> list[str]:
    if PDFTOPPM is None:
        return []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "in.pdf")
        src.write_bytes(data)
        subprocess.run([PDFTOPPM, "-r", "30", "-gray", str(src), str(Path(tmp, "p"))], check=True)
        pages = sorted(Path(tmp).glob("p-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        return [hashlib.sha256(p.read_bytes()).hexdigest()[:16] for p in pages]


def _style(cell: Any) -> str:
    f, a, b, fill = cell.font, cell.alignment, cell.border, cell.fill
    parts = (
        f.name, f.sz, f.b, f.i, f.u, f.color.rgb if f.color is not None else None,
        fill.fill_type, fill.fgColor.rgb if fill.fgColor is not None else None,
        a.horizontal, a.vertical, a.wrap_text, a.text_rotation, a.shrink_to_fit, a.indent,
        *(side.style if side is not None else None for side in (b.left, b.right, b.top, b.bottom)),
        cell.number_format,
        cell.protection.locked,
    )
    return repr(parts)


def capture_xlsx(data: bytes) -> dict[str, Any]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    sheets: dict[str, Any] = {}
    for ws in wb.worksheets:
        cells = {c.coordinate: repr(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
        rows = {}
        for row in ws.iter_rows():
            if row:
                digest = hashlib.sha256("|".join(_style(c) for c in row).encode()).hexdigest()[:12]
                rows[str(row[0].row)] = f"{digest} h={ws.row_dimensions[row[0].row].height}"
        sheets[ws.title] = {
            "state": ws.sheet_state,
            "dimensions": ws.dimensions,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "widths": {k: v.width for k, v in sorted(ws.column_dimensions.items()) if v.width},
            "print": [ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.fitToWidth,
                      ws.page_setup.fitToHeight, ws.print_title_rows, ws.freeze_panes],
            "protected": bool(ws.protection.sheet),
            "cells": cells,
            "row_styles": rows,
        }
    return {"sheets": sheets}


def capture(case: Case) -> dict[str, Any]:
    data = case.build()
    return capture_pdf(data) if case.kind == "pdf" else capture_xlsx(data)


def path_of(case: Case) -> Path:
    return DATA / f"{case.name}.json"


def dump(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def update(names: list[str] | None = None) -> list[Path]:
    DATA.mkdir(parents=True, exist_ok=True)
    written = []
    for case in cases():
        if names and case.name not in names:
            continue
        target = path_of(case)
        target.write_text(dump(capture(case)), encoding="utf-8")
        written.append(target)
    return written


def differences(expected: Any, got: Any, where: str = "") -> list[str]:
    """The first places where two captures differ, as readable lines."""
    if type(expected) is not type(got):
        return [f"{where}: {expected!r} → {got!r}"]
    if isinstance(expected, dict):
        out = []
        for key in sorted(set(expected) | set(got), key=str):
            if key not in got:
                out.append(f"{where}/{key}: missing")
            elif key not in expected:
                out.append(f"{where}/{key}: new {got[key]!r}"[:300])
            else:
                out += differences(expected[key], got[key], f"{where}/{key}")
        return out
    if isinstance(expected, list):
        out = [f"{where}: {len(expected)} items → {len(got)}"] if len(expected) != len(got) else []
        for k, (a, b) in enumerate(zip(expected, got)):
            out += differences(a, b, f"{where}[{k}]")
        return out
    return [] if expected == got else [f"{where}: {expected!r} → {got!r}"[:300]]


if __name__ == "__main__":
    import sys

    args = sys.argv[1:]
    if not args or args[0] != "--update":
        sys.exit("usage: scripts/golden --update [CASE.json …]")
    for path in update([a.removesuffix(".json") for a in args[1:]] or None):
        print(path.relative_to(ROOT))
