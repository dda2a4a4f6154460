"""Each command imports only what it uses: a fresh ``reportgen`` process starts quickly.

Every ``reportgen`` run is a new process, so what it imports is paid on every
call (issue #6: the tracker PDF must come out no slower than LibreOffice's).
WeasyPrint costs about half a second, openpyxl and multiprocessing tens of
milliseconds; these tests fail when an eager import brings one back into a
command that does not need it. They measure no time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HEAVY = ("weasyprint", "openpyxl", "fontTools", "babel", "multiprocessing", "concurrent.futures",
         "reportgen.cli.batch", "reportgen.cli.batchjobs", "reportgen.cli.importer", "reportgen.cli.watch",
         "reportgen.cli.summary", "reportgen.pdf.engine", "reportgen.xlsx.writer")


def _loaded_after(code: str) -> set[str]:
    """The modules of :data:`HEAVY` (and the data model) loaded once ``code`` has run in a fresh interpreter."""
    probe = (f"{code}\nimport json, sys\n"
             f"print(json.dumps([m for m in {(*HEAVY, 'reportgen.model.report')!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_version_loads_neither_renderers_nor_the_data_model() -> None:
    code = ("import sys\nsys.argv = ['reportgen', '--version']\nfrom reportgen.cli.main import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass")
    assert _loaded_after(code) == set()


def test_reading_and_validating_yaml_needs_no_renderer() -> None:
    code = "import reportgen\nreportgen.load('examples/gunma-r5-excerpt.yaml')"
    assert _loaded_after(code) == {"reportgen.model.report"}


def test_openpyxl_only_for_workbooks(tmp_path: Path) -> None:
    html = tmp_path / "x.html"
    code = ("from pathlib import Path\nimport reportgen\nfrom reportgen.cli.common import load_and_warn, render_report\n"
            f"report = load_and_warn(Path('examples/gunma-r5-excerpt.yaml'), 'gothic')\n"
            f"render_report(report, Path({str(html)!r}), paper='A4', font='gothic', pdf_variant=None)")
    loaded = _loaded_after(code)
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "openpyxl" not in loaded and "reportgen.xlsx.writer" not in loaded
    assert "reportgen.cli.batch" not in loaded and "multiprocessing" not in loaded
    code = "import reportgen\nreportgen.render_xlsx(reportgen.load('examples/gunma-r5-excerpt.yaml'), " \
           f"{str(tmp_path / 'x.xlsx')!r})"
    assert "openpyxl" in _loaded_after(code)


def test_verbs_are_listed_without_importing_them() -> None:
    code = "from reportgen.cli.main import main\nimport click\nassert {'batch', 'import', 'watch', 'summary'} <= set(main.list_commands(click.Context(main)))"
    assert not _loaded_after(code) & {"reportgen.cli.batch", "reportgen.cli.batchjobs", "reportgen.cli.importer",
                                      "reportgen.cli.watch", "reportgen.cli.summary"}
