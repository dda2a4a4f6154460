"""Parallel rendering of one report (issue #6): same pages as one process.

One ~120-entry synthetic plan-status report with both appendices is rendered
once in this process and once with ``jobs=2`` (module-scoped fixtures); the two
PDFs are compared with pdftotext, pypdf and qpdf.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportgen import Report
from reportgen.pdf.parallel import render_pdf_parallel
from reportgen.pdf.partplan import (
    MIN_ENTRIES,
    SPLIT_ENTRIES,
    partition_sections,
    parallel_reason,
    plan_parts,
)
from reportgen.pdf.engine import render_html, render_pdf
from reportgen.tools.synthetic import synthetic_report
from reportgen.pdf.textfilters import lines
from pdfread import links, outline, pages_text

pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("pdftotext", "qpdf")), reason="poppler-utils and qpdf are needed")

ENTRIES = 120


def _report(entries: int = ENTRIES, **changes: object) -> Report:
    data = synthetic_report(entries).to_dict()
    data["report"]["appendix"] = ["kpi-summary", "mark-summary"]
    data["report"].update(changes)
    return Report.from_dict(data, source="<test>")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    folder = tmp_path_factory.mktemp("parallel")
    report = _report()
    single, parallel = folder / "single.pdf", folder / "parallel.pdf"
    render_pdf(report, single)
    info = render_pdf_parallel(report, parallel, jobs=2)
    return single, parallel, info


def test_split_into_parts(pdfs: tuple[Path, Path, dict]) -> None:
    _single, _parallel, info = pdfs
    # three equal 分野 on two CPUs: three parts at once (two parts would leave ⅔ on one CPU)
    assert len(info["parts"]) == 3
    assert all(n > 0 for n in info["parts"])


def test_same_pages_and_text(pdfs: tuple[Path, Path, dict]) -> None:
    single, parallel, info = pdfs
    a, b = pages_text(single), pages_text(parallel)
    assert len(a) == len(b) == info["pages"]
    for number, (x, y) in enumerate(zip(a, b), 1):
        assert x == y, f"page {number} differs"


def test_parts_one_after_the_other_same_pages(pdfs: tuple[Path, Path, dict], tmp_path: Path) -> None:
    """jobs=1 on a very large report: parts rendered in turn in this process (memory)."""
    single, _parallel, _info = pdfs
    out = tmp_path / "sequential.pdf"
    info = render_pdf_parallel(_report(), out, jobs=1)
    assert len(info["parts"]) == 3  # one per 分野
    assert pages_text(out) == pages_text(single)
    assert outline(PdfReader(out), with_top=True) == outline(PdfReader(single), with_top=True)


def test_page_numbers(pdfs: tuple[Path, Path, dict]) -> None:
    _single, parallel, _info = pdfs
    pages = pages_text(parallel)
    total = len(pages)
    for number, text in enumerate(pages, 1):
        found = re.findall(r"^(\d+) / (\d+)$", text, re.MULTILINE)
        assert found == [(str(number), str(total))], f"page {number}: {found}"


def _pagerefs(path: Path) -> list[str]:
    text = "".join(pages_text(path))
    return re.findall(r"^P\d+$", text[text.index("掲載"):], re.MULTILINE)


def test_pagerefs_equal_and_links_work(pdfs: tuple[Path, Path, dict]) -> None:
    single, parallel, _info = pdfs
    refs = _pagerefs(single)
    assert len(refs) >= 10
    assert _pagerefs(parallel) == refs
    found = links(parallel)
    assert found == links(single)
    # each printed 掲載ページ is the page its link lands on (a link may have several boxes)
    unique = list(dict.fromkeys(found))
    assert [f"P{target}" for _page, _name, target in unique] == refs


def test_outline_equal(pdfs: tuple[Path, Path, dict]) -> None:
    single, parallel, _info = pdfs
    a, b = outline(PdfReader(single), with_top=True), outline(PdfReader(parallel), with_top=True)
    assert len(a) > 30
    assert a == b
    assert {level for level, *_ in a} == {0, 1}


def test_metadata_size_and_validity(pdfs: tuple[Path, Path, dict]) -> None:
    single, parallel, _info = pdfs
    a, b = PdfReader(single), PdfReader(parallel)
    for key in ("/Title", "/Author", "/Creator"):
        assert a.metadata[key] == b.metadata[key]
    assert b.trailer["/Root"]["/Lang"] == "ja"
    assert parallel.stat().st_size <= 1.5 * single.stat().st_size
    subprocess.run(["qpdf", "--check", str(parallel)], capture_output=True, check=True)
    # same fonts, and nothing but the bundled ones
    fonts = subprocess.run(["pdffonts", str(parallel)], capture_output=True, text=True, check=True).stdout
    assert "BIZ-UDGothic" in fonts and "DejaVu" not in fonts


def test_render_pdf_jobs_uses_parallel_only_when_it_can(tmp_path: Path) -> None:
    big = _report()
    assert parallel_reason(big, 2) is None
    assert "one job" in (parallel_reason(big, 1) or "")
    assert parallel_reason(_report(SPLIT_ENTRIES), 1) is None  # parts one after the other
    assert "pdf/a-3u" in (parallel_reason(big, 2, "pdf/a-3u") or "")
    assert "flow" in (parallel_reason(_report(layout="quarterly"), 2) or "")
    assert "entries" in (parallel_reason(_report(MIN_ENTRIES - 1), 2) or "")
    small = _report(12)
    out = tmp_path / "small.pdf"
    render_pdf(small, out, jobs=2)  # falls back to one process
    assert len(PdfReader(out).pages) >= 2


def test_partition_balances_consecutive_sections() -> None:
    assert partition_sections([5, 5, 5], 2) in ([1, 2], [2, 1])
    assert partition_sections([10, 1, 1, 1], 2) == [1, 3]
    assert partition_sections([1, 2, 3], 3) == [1, 1, 1]
    parts = plan_parts(_report(), 2)
    assert [p.sections for p in parts] == [(0,), (1,), (2,)]
    assert parts[0].cover and not any(p.cover for p in parts[1:])
    assert [p.sections for p in plan_parts(_report(), 1)] == [(0, 1, 2)]
    assert len(plan_parts(_report(), 3)) == 3


def test_plan_prefers_fewer_parts_when_more_would_not_help() -> None:
    """A tiny 分野 joins its neighbour; the largest 分野 bounds the run anyway."""
    data = _report(200).to_dict()
    big, small = data["sections"][0], data["sections"][1]
    small["items"] = small["items"][:1]
    data["sections"] = [big, small, data["sections"][2]]
    parts = plan_parts(Report.from_dict(data, source="<test>"), 2)
    assert len(parts) == 2 and sorted(len(p.sections) for p in parts) == [1, 2]


def test_workers_are_pinned_to_the_jobs_cpus() -> None:
    import os

    from reportgen.pdf.workerpool import job_cpus

    if not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs CPU affinity and two CPUs")
    allowed = sorted(os.sched_getaffinity(0))
    assert job_cpus(1) == frozenset(allowed[:1])
    assert job_cpus(len(allowed)) is None  # every CPU: nothing to pin


def test_sections_start_on_a_new_page_only_in_plan_status() -> None:
    report = _report(12)
    html = render_html(report)
    assert 'class="layout-plan-status"' in html
    assert html.count('<tbody class="section">') == 3


def test_lines_filter_escapes_and_breaks() -> None:
    assert str(lines("a<b>&\nc")) == "a&lt;b&gt;&amp;<br>c"
    assert str(lines(None)) == ""
    assert 'class="nb"' not in str(lines("2,974件"))


def test_cli_jobs(tmp_path: Path) -> None:
    import yaml
    from click.testing import CliRunner

    from reportgen.cli.main import main

    source = tmp_path / "big.yaml"
    source.write_text(yaml.safe_dump(_report(MIN_ENTRIES).to_dict(), allow_unicode=True), encoding="utf-8")
    out = tmp_path / "big.pdf"
    result = CliRunner().invoke(main, ["render", str(source), "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    pages = pages_text(out)
    assert re.search(rf"^1 / {len(pages)}$", pages[0], re.MULTILINE)
    assert CliRunner().invoke(main, ["render", str(source), "-o", str(out), "--jobs", "0"]).exit_code == 2


def test_failing_part_raises_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reportgen.pdf import partrender, workerpool

    def broken(html: str, css: str):  # type: ignore[no-untyped-def]
        raise RuntimeError("layout failed")

    if workerpool.start_context().get_start_method() != "fork":
        pytest.skip("the patched function reaches the workers only through fork")
    monkeypatch.setattr(partrender, "layout_html", broken)  # forked workers inherit it
    out = tmp_path / "never.pdf"
    with pytest.raises(RuntimeError, match="layout failed"):
        render_pdf(_report(MIN_ENTRIES), out, jobs=2)
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_parallel_into_a_binary_file() -> None:
    import io

    buffer = io.BytesIO()
    render_pdf(_report(MIN_ENTRIES), buffer, jobs=2)
    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    assert len(reader.pages) >= 4 and reader.outline
