#!/usr/bin/env python3
"""What a cold ``reportgen render`` pays before WeasyPrint lays out its first page (issue #16, point 4; not a test).

Issue #16 asks that a 6-page render in a fresh process cost at most
WeasyPrint's own import plus 0.5 s, and to "find what else is paid before
the first page".  ``bench/run --only cache`` times whole commands; this
script splits a ``--no-cache`` render at the moment WeasyPrint starts laying
out pages (``weasyprint.layout.layout_document`` is wrapped to note the
time), so that reportgen's own start-up (interpreter, imports, reading and
checking the file, view model, template) is measured apart from WeasyPrint's
layout and PDF writing of the pages themselves, which any renderer of the
same document pays.

Each round runs, in fresh processes and in turn (the host drifts):
``python -c "import weasyprint"`` and the instrumented
``reportgen render EXAMPLE -o x.pdf --no-cache``.  Medians of ``--rounds``
(default 7) are printed and written to ``bench/first_page.json``.

Usage::

    .venv/bin/python bench/first_page.py [--rounds 7] [--example examples/saitama-r5-excerpt.yaml]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs the command line as `python -m reportgen` does, noting (as wall-clock time) when the
# first page layout starts and when the process is about to exit.
PROBE = r"""
import sys, time, json
marks = {}
import weasyprint.layout as _layout
_orig = _layout.layout_document
def _noted(*args, **kwargs):
    marks.setdefault("layout_start", time.time())
    return _orig(*args, **kwargs)
_layout.layout_document = _noted
import weasyprint.document as _document
_document.layout_document = _noted
import weasyprint
_init = weasyprint.HTML.__init__
def _handed(self, *args, **kwargs):
    marks.setdefault("handoff", time.time())
    return _init(self, *args, **kwargs)
weasyprint.HTML.__init__ = _handed
from reportgen.cli.main import main
try:
    main(sys.argv[2:], standalone_mode=False)
finally:
    marks["end"] = time.time()
    open(sys.argv[1], "w").write(json.dumps(marks))
"""


def once(argv: list[str], env: dict[str, str]) -> tuple[float, dict[str, float]]:
    """Wall time of ``argv`` from launch to exit, and the probe's marks (seconds after launch);
    ``{marks}`` in ``argv`` is replaced by the file the probe writes them to."""
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as marks_file:
        marks_path = marks_file.name
    start = time.time()
    subprocess.run([marks_path if a == "{marks}" else a for a in argv], env=env, check=True, capture_output=True)
    total = time.time() - start
    text = Path(marks_path).read_text()
    os.unlink(marks_path)
    return total, {k: v - start for k, v in (json.loads(text) if text else {}).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--example", default=str(ROOT / "examples" / "saitama-r5-excerpt.yaml"))
    parser.add_argument("--output", default=str(ROOT / "bench" / "first_page.json"))
    args = parser.parse_args()
    env = {**os.environ, "REPORTGEN_CACHE_DIR": tempfile.mkdtemp(prefix="rg-cache-")}
    out_pdf = Path(tempfile.mkdtemp(prefix="rg-first-")) / "x.pdf"
    importing: list[float] = []
    totals: list[float] = []
    firsts: list[float] = []
    handoffs: list[float] = []
    for _ in range(args.rounds):
        importing.append(once([sys.executable, "-c", "import weasyprint"], env)[0])
        total, marks = once([sys.executable, "-c", PROBE, "{marks}", "render", args.example, "-o", str(out_pdf),
                             "--no-cache"], env)
        totals.append(total)
        firsts.append(marks["layout_start"])
        handoffs.append(marks["handoff"])
    w, first, total = statistics.median(importing), statistics.median(firsts), statistics.median(totals)
    handoff = statistics.median(handoffs)
    result = {
        "example": os.path.relpath(args.example, ROOT), "rounds": args.rounds,
        "load_average": os.getloadavg()[0],
        "import_weasyprint_s": w, "before_first_page_s": first, "render_no_cache_s": total,
        "handed_to_weasyprint_s": handoff, "handed_to_weasyprint_minus_import_s": handoff - w,
        "before_first_page_minus_import_s": first - w, "weasyprint_pages_and_pdf_s": total - first,
        "runs": {"import_weasyprint": importing, "handed_to_weasyprint": handoffs, "before_first_page": firsts,
                 "render_no_cache": totals},
    }
    Path(args.output).write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"import weasyprint {w:.2f} s; reportgen render --no-cache: HTML handed to WeasyPrint at {handoff:.2f} s "
          f"(+{handoff - w:.2f} s over the import), first page starts at {first:.2f} s "
          f"(+{first - w:.2f} s over the import), whole render {total:.2f} s "
          f"(WeasyPrint's layout and PDF of the pages {total - first:.2f} s); load average {result['load_average']:.1f}")


if __name__ == "__main__":
    main()
