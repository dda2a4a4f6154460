#!/usr/bin/env python3
"""How long and how much memory reading a workbook takes, at the limits (issue #13; not a test).

The promise (README, Limits): any workbook within the limits of
``reportgen/xlsx/limits.py`` loads in under 2 s and 200 MB, or is refused
with one located line.  This script builds the worst workbooks just under each
limit, and the real ones of the largest size reportgen expects, and measures

* ``reportgen.load(path)`` in a fresh Python process: wall time of the call
  (after ``import reportgen``), its CPU time (user + system: the host is
  shared, and wall time grows with the other load while CPU time barely
  does) and the process's peak RSS (``VmHWM``);
* ``reportgen import path -o out.yaml`` as a command: wall time from start to
  exit (interpreter start and imports included) and its peak RSS.

Each measurement runs ``--repeat`` times (default 2, fastest counts: the
host is shared and drifts); results go to ``bench/xlsx_load.json`` and a
table on stdout.

Cases (built into a temporary folder, raw XML written by hand so that each
holds exactly what it says; a tracker header in row 1 makes the importer of
hand-made trackers read every cell, its heaviest path):

* ``rows``: one text cell in each row up to the row limit;
* ``columns``: numbers in every column up to the column limit, as many rows
  as the cell limit allows;
* ``cells``: the cell limit filled over a tracker's 24 columns, text and figures;
* ``cells, no header``: the same without the header (``import`` reads it as a table);
* ``shared strings``: the shared-string limit, each string used once;
* ``long strings``: 32,767-character cells (Excel's most) up to the unpacked-size limit;
* ``merged``: the merged-cell limit as two-cell ranges (an object each in openpyxl);
* ``styles``: as many fonts and cell formats as the styles-part limit allows, each used;
* ``elements``: the XML-element limit as rich-text runs;
* ``reportgen tracker 1000``: ``render_xlsx`` of ``synthetic_report(1000)``;
* ``hand-made tracker 1000``: the seed-004 layout of tests/tracker_fixtures.py
  with its 20 entries repeated to 1,000 (50 areas);
* ``gunma example``: the tracker of examples/gunma-r5-excerpt.yaml (a real size).

Usage::

    .venv/bin/python bench/xlsx_load.py              # every case (~5 minutes on 2 cores)
    .venv/bin/python bench/xlsx_load.py --only rows,cells --repeat 1
    .venv/bin/python bench/xlsx_load.py --profile cells   # cProfile of one load, top 30
    .venv/bin/python bench/xlsx_load.py --no-import --repeat 3 --against /tmp/base   # before/after, interleaved
    .venv/bin/python bench/xlsx_load.py --no-import --bytecode   # as installed: modules not compiled per process
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any, Iterable, Iterator
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BUDGET_S, BUDGET_MB = 2.0, 200.0

HEADER = ["項番", "", "事業", "実施（手段スケジュール）概要", "進捗状況（計画を下回る場合は、今後改善すべき点等）",
          *[""] * 14, "実施状況", "全国順位"]
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


# --------------------------------------------------------------------------- writing workbooks by hand


def col_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


Cell = tuple[int, Any]          # column, value: str (inline), int/float, ("s", index), ("x", style, value)


def _cell_xml(r: int, c: int, value: Any) -> str:
    ref = f"{col_letters(c)}{r}"
    style = ""
    if isinstance(value, tuple) and value[0] == "x":
        style, value = f' s="{value[1]}"', value[2]
    if isinstance(value, tuple) and value[0] == "s":
        return f'<c r="{ref}"{style} t="s"><v>{value[1]}</v></c>'
    if isinstance(value, str):
        return f'<c r="{ref}"{style} t="inlineStr"><is><t>{escape(value)}</t></is></c>'
    return f'<c r="{ref}"{style}><v>{value}</v></c>'


def write_xlsx(path: Path, rows: Iterable[tuple[int, list[Cell]]], *, merges: Iterable[str] = (),
               shared: Iterable[str] | None = None, styles: str | None = None) -> Path:
    """A one-sheet workbook (sheet ``Sheet1``) streamed into the zip, never held whole."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        overrides = ['<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                     'officedocument.spreadsheetml.sheet.main+xml"/>',
                     '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                     'officedocument.spreadsheetml.worksheet+xml"/>']
        rels = [f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>']
        if shared is not None:
            overrides.append('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                             'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
            rels.append(f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>')
        if styles is not None:
            overrides.append('<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
                             'officedocument.spreadsheetml.styles+xml"/>')
            rels.append(f'<Relationship Id="rId3" Type="{REL_NS}/styles" Target="styles.xml"/>')
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
                   'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/'
                   'xml"/>' + "".join(overrides) + "</Types>")
        z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                                  f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                                  f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" '
                                      f'xmlns:r="{REL_NS}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
                                      "</sheets></workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns='
                   '"http://schemas.openxmlformats.org/package/2006/relationships">' + "".join(rels)
                   + "</Relationships>")
        if styles is not None:
            z.writestr("xl/styles.xml", styles)
        if shared is not None:
            with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
                fh.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}">'.encode())
                for text in shared:
                    fh.write(text.encode() if text.startswith("<r>") else f"<si><t>{escape(text)}</t></si>".encode())
                fh.write(b"</sst>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode())
            for r, cells in rows:
                fh.write((f'<row r="{r}">' + "".join(_cell_xml(r, c, v) for c, v in cells) + "</row>").encode())
            fh.write(b"</sheetData>")
            merges = list(merges)
            if merges:
                fh.write(f'<mergeCells count="{len(merges)}">'.encode())
                for ref in merges:
                    fh.write(f'<mergeCell ref="{ref}"/>'.encode())
                fh.write(b"</mergeCells>")
            fh.write(b"</worksheet>")
    return path


TITLE = "令和6年度 埼玉支部事業計画 進捗状況"


def with_header(body: Iterator[tuple[int, list[Cell]]], header: bool = True) -> Iterator[tuple[int, list[Cell]]]:
    """Row 1 a title naming the year and the branch, row 2 the tracker header (so the
    importer gets past both and reads every row), then ``body`` from row 3."""
    if header:
        yield 1, [(1, TITLE)]
        yield 2, [(c, text) for c, text in enumerate(HEADER, start=1) if text]
    yield from body


def limits() -> Any:
    from reportgen.xlsx import limits as xlsx_limits

    return xlsx_limits


# --------------------------------------------------------------------------- the cases


def case_rows(path: Path) -> str:
    n = limits().MAX_ROWS
    write_xlsx(path, with_header((r, [(5, f"実施状況の記述 {r}")]) for r in range(3, n + 1)))
    return f"{n - 2:,} rows of one text cell under a tracker header"


def case_columns(path: Path) -> str:
    lim = limits()
    cols = lim.MAX_COLUMNS
    rows = min((lim.MAX_CELLS - len(HEADER)) // cols, lim.MAX_ROWS - 2)
    write_xlsx(path, with_header((r, [(c, r * c) for c in range(1, cols + 1)]) for r in range(3, rows + 3)))
    return f"{rows:,} rows × {cols:,} columns of figures under a tracker header"


def _tracker_cells(r: int, width: int = 24) -> list[Cell]:
    return [(c, f"文字{r}-{c}" if c % 3 == 0 else r * c + 0.5) for c in range(1, width + 1)]


def case_cells(path: Path, header: bool = True) -> str:
    lim = limits()
    width = 24
    rows = min((lim.MAX_CELLS - (len([h for h in HEADER if h]) + 1 if header else 0)) // width, lim.MAX_ROWS - 2)
    write_xlsx(path, with_header(((r, _tracker_cells(r)) for r in range(3, rows + 3)), header))
    return f"{rows:,} rows × {width} columns (a third text){' under a tracker header' if header else ', no header'}"


def case_cells_plain(path: Path) -> str:
    return case_cells(path, header=False)


def case_shared(path: Path) -> str:
    lim = limits()
    n = lim.MAX_SHARED_STRINGS - 10
    width = -(-n // (lim.MAX_ROWS - 3))
    write_xlsx(path, with_header((3 + k // width, [(5 + j, ("s", k + j)) for j in range(width)])
                                 for k in range(0, n - width + 1, width)),
               shared=(f"共有文字列{k}" for k in range(n)))
    return f"{n:,} shared strings, each in one cell"


def case_long(path: Path) -> str:
    lim = limits()
    text = ("事業計画の実施状況について記述する。" * 2000)[:32_767]   # Excel's longest cell
    size = len(f"<si><t>{text}</t></si>".encode())
    n = min(int(lim.MAX_UNPACKED_BYTES * 0.97) // (size + 40), lim.MAX_SHARED_STRINGS - 10, lim.MAX_ROWS - 2)
    write_xlsx(path, with_header((r, [(5, ("s", r - 3))]) for r in range(3, n + 3)),
               shared=(text[:-6] + f"{k:06d}" for k in range(n)))
    return f"{n:,} cells of 32,767 characters ({n * size / 1e6:.0f} MB unpacked)"


def case_merged(path: Path) -> str:
    lim = limits()
    pairs = min(lim.MAX_MERGED_CELLS // 2, (lim.MAX_ROWS - 2) * 12)
    per_row = 12
    rows = -(-pairs // per_row)
    merges = (f"{col_letters(2 * j + 1)}{r}:{col_letters(2 * j + 2)}{r}" for r in range(3, rows + 3)
              for j in range(per_row))
    write_xlsx(path, with_header((r, [(1, f"m{r}")]) for r in range(3, rows + 3)),
               merges=(m for k, m in zip(range(pairs), merges)))
    return f"{pairs:,} merged ranges of two cells"


def _styles_xml(n: int) -> str:
    fonts = "".join(f'<font><sz val="{8 + k % 20}"/><name val="F{k}"/></font>' for k in range(n))
    xfs = "".join(f'<xf numFmtId="0" fontId="{k}" fillId="0" borderId="0" applyFont="1"/>' for k in range(n))
    return (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN_NS}"><fonts count="{n}">{fonts}</fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
            '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{n}">{xfs}</cellXfs></styleSheet>')


def case_styles(path: Path) -> str:
    n = (limits().MAX_STYLE_ELEMENTS - 100) // 4     # a font (2 elements inside) and a format each
    width = 24
    write_xlsx(path, with_header((3 + k // width, [(1 + j, ("x", k + j, k + j)) for j in range(min(width, n - k))])
                                 for k in range(0, n, width)), styles=_styles_xml(n))
    return f"{n:,} cell formats (fonts), each used by one cell"


def case_elements(path: Path) -> str:
    lim = limits()
    runs = 100
    per = 2 * runs + 2                    # <si>, then <r><t> per run (closing tags do not count)
    n = min((lim.MAX_XML_ELEMENTS - 50_000) // per, lim.MAX_ROWS - 2)
    item = "<si>" + "".join(f"<r><t>a{k}</t></r>" for k in range(runs)) + "</si>"
    write_xlsx(path, with_header((r, [(5, ("s", r - 3))]) for r in range(3, n + 3)), shared=(item for _ in range(n)))
    return f"{n:,} shared strings of {runs} rich-text runs ({n * per:,} XML elements)"


def case_reportgen_tracker(path: Path, entries: int = 1000) -> str:
    import reportgen
    from reportgen.tools.synthetic import synthetic_report

    reportgen.render_xlsx(synthetic_report(entries), path)
    return f"render_xlsx(synthetic_report({entries}))"


def case_gunma(path: Path) -> str:
    import reportgen

    reportgen.render_xlsx(reportgen.load(ROOT / "examples" / "gunma-r5-excerpt.yaml"), path)
    return "render_xlsx of examples/gunma-r5-excerpt.yaml"


def case_handmade(path: Path, entries: int = 1000) -> str:
    import copy

    sys.path.insert(0, str(ROOT / "tests"))
    from tracker_fixtures import SEED, Shape, build_tracker

    per = sum(len(i.entries) for a in SEED for b in a.banners for i in b.items)
    areas = []
    number = 0
    for k in range(-(-entries // per)):
        for area in SEED:
            area = copy.deepcopy(area)
            area.number = str(len(areas) + 1)
            area.title = f"{area.title}{k + 1}"
            for banner in area.banners:
                for item in banner.items:
                    number += 1
                    item.number = number
            areas.append(area)
    build_tracker(path, Shape(areas=areas))
    return f"seed-004 layout (tests/tracker_fixtures.py), {len(areas)} areas, {number} items, {per * (len(areas) // len(SEED)):,} entries"


CASES = {
    "rows": case_rows,
    "columns": case_columns,
    "cells": case_cells,
    "cells, no header": case_cells_plain,
    "shared strings": case_shared,
    "long strings": case_long,
    "merged": case_merged,
    "styles": case_styles,
    "elements": case_elements,
    "reportgen tracker 1000": case_reportgen_tracker,
    "hand-made tracker 1000": case_handmade,
    "gunma example": case_gunma,
}


# --------------------------------------------------------------------------- measuring (child side)

LOAD_CHILD = """
import sys, time, warnings
warnings.simplefilter("ignore")
t0 = time.perf_counter()
import reportgen
from reportgen.core.errors import ReportError
t1 = time.perf_counter()
c1 = time.process_time()
outcome = "loaded"
try:
    report = reportgen.load(sys.argv[1])
    outcome = f"loaded: {sum(1 for s in report.sections for _e in s.iter_entries())} entries"
except ReportError as exc:
    lines = str(exc).splitlines()
    outcome = f"refused ({len(lines)} line{'s' if len(lines) != 1 else ''}): {lines[0][:160]}"
t2 = time.perf_counter()
c2 = time.process_time()
with open("/proc/self/status") as fh:
    hwm = next(int(l.split()[1]) for l in fh if l.startswith("VmHWM:")) / 1024
import json
print(json.dumps({"seconds": t2 - t1, "cpu_seconds": c2 - c1, "import_seconds": t1 - t0, "rss_mb": hwm,
                  "outcome": outcome}))
"""


#: Environment of the measured processes (``--bytecode`` changes it).
CHILD_ENV: dict[str, str] | None = None


def measure_load(path: Path, tree: Path = ROOT) -> dict[str, Any]:
    """One load in a fresh process; ``tree``: the source tree whose ``reportgen`` it imports."""
    load = os.getloadavg()[0]
    done = subprocess.run([sys.executable, "-c", LOAD_CHILD, str(path)], capture_output=True, text=True, cwd=tree,
                          env=CHILD_ENV)
    if done.returncode != 0:
        return {"seconds": None, "rss_mb": None, "outcome": "crashed: " + done.stderr.strip()[-300:]}
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "load_average": load}


def measure_import(path: Path, out: Path) -> dict[str, Any]:
    argv = [sys.executable, "-m", "reportgen", "import", str(path), "-o", str(out), "--title", "令和6年度 事業計画",
            "--organization", "埼玉支部", "--fiscal-year", "2024"]
    # output to a file, not a pipe: a workbook of many unplaced cells prints tens of
    # thousands of warnings, more than a pipe holds while nobody reads it
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT, env=CHILD_ENV)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    code = proc.returncode
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    problems = [ln for ln in lines if not ln.startswith("warning")]
    outcome = (f"exit {code}" + (f", {len(lines)} lines: {(problems or lines)[0][:160]}" if lines else ""))
    return {"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
            "outcome": outcome, "exit": code}


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    good = [r for r in runs if r.get("seconds") is not None]
    if not good:
        return runs[0]
    top = dict(min(good, key=lambda r: r["seconds"]))
    top["runs"] = [round(r["seconds"], 3) for r in good]
    top["rss_mb"] = max(r["rss_mb"] for r in good)
    top["cpu_seconds"] = min(r.get("cpu_seconds") or 0.0 for r in good)
    top["load_averages"] = [round(r["load_average"], 2) for r in good if "load_average" in r]
    return top


def profile(name: str, folder: Path) -> None:
    import cProfile
    import pstats
    import warnings

    path = folder / "case.xlsx"
    CASES[name](path)
    import reportgen
    from reportgen.core.errors import ReportError

    warnings.simplefilter("ignore")
    prof = cProfile.Profile()
    prof.enable()
    try:
        reportgen.load(path)
    except ReportError as exc:
        print(str(exc).splitlines()[0])
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    pstats.Stats(prof).sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated case names")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--no-import", action="store_true", help="measure reportgen.load only")
    parser.add_argument("--profile", help="cProfile reportgen.load of one case")
    parser.add_argument("--output", default=str(ROOT / "bench" / "xlsx_load.json"))
    parser.add_argument("--against", metavar="TREE",
                        help="also load each case with the reportgen of another source tree (e.g. `git archive "
                             "<commit> | tar -x -C /tmp/base`), alternating with this one")
    parser.add_argument("--bytecode", action="store_true",
                        help="load with compiled bytecode, as an installed reportgen does (kept in a temporary "
                             "folder; one unmeasured load of each case writes it first), even where "
                             "PYTHONDONTWRITEBYTECODE is set: otherwise each fresh process compiles every "
                             "module it imports from source (0.1 s of a tracker's load)")
    args = parser.parse_args()
    global CHILD_ENV
    with tempfile.TemporaryDirectory(prefix="xlsx-bench-") as tmp:
        folder = Path(tmp)
        if args.bytecode:
            CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
        if args.profile:
            profile(args.profile, folder)
            return
        names = [n.strip() for n in args.only.split(",")] if args.only else list(CASES)
        results: dict[str, Any] = {"budget": {"seconds": BUDGET_S, "rss_mb": BUDGET_MB}, "cases": {},
                                   "machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()},
                                   "bytecode": "compiled beforehand" if args.bytecode else
                                   ("compiled from source in each process" if os.environ.get("PYTHONDONTWRITEBYTECODE")
                                    else "as found")}
        lim = limits()
        results["limits"] = {k: getattr(lim, k) for k in dir(lim) if k.startswith("MAX_")}
        for name in names:
            path = folder / f"{name.replace(' ', '-').replace(',', '')}.xlsx"
            t0 = time.perf_counter()
            what = CASES[name](path)
            made = time.perf_counter() - t0
            unpacked = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
            if args.bytecode:  # the bytecode of every module this case imports, written before measuring
                for tree in [ROOT] + ([Path(args.against)] if args.against else []):
                    measure_load(path, tree)
            if args.against:
                # the other tree's load alternates with this one's, so both meet the same
                # load from the other users of the host: their ratio is what to compare
                pairs = [(measure_load(path, Path(args.against)), measure_load(path)) for _ in range(args.repeat)]
                load = best([after for _before, after in pairs])
                other = best([before for before, _after in pairs])
            else:
                load = best([measure_load(path) for _ in range(args.repeat)])
            row: dict[str, Any] = {"what": what, "file_bytes": path.stat().st_size, "unpacked_bytes": unpacked,
                                   "build_seconds": round(made, 1), "load": load}
            if args.against:
                row["load_against"] = other
                print(f"{name:24} against {args.against}: {other['seconds'] or 0:6.2f} s "
                      f"(cpu {other.get('cpu_seconds') or 0:5.2f}, load average {other.get('load_average', 0):.1f})",
                      flush=True)
            if not args.no_import:
                row["import"] = best([measure_import(path, folder / "out.yaml") for _ in range(args.repeat)])
            # wall time on a shared host drifts with the other load; CPU time of the load does not
            row["within_budget"] = (load["seconds"] is not None and min(load["seconds"], load["cpu_seconds"]) < BUDGET_S
                                    and load["rss_mb"] < BUDGET_MB)
            results["cases"][name] = row
            imp = row.get("import")
            print(f"{name:24} load {load['seconds'] or 0:6.2f} s (cpu {load.get('cpu_seconds') or 0:5.2f}) "
                  f"{load['rss_mb'] or 0:4.0f} MB"
                  + (f" | import {imp['seconds']:6.2f} s (cpu {imp['cpu_seconds']:5.2f}) {imp['rss_mb']:4.0f} MB"
                     if imp else "")
                  + f" | {'ok ' if row['within_budget'] else 'MISS'} {load['outcome'][:90]}", flush=True)
            path.unlink()
        results["machine"]["load_after"] = os.getloadavg()
        Path(args.output).write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"written {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
