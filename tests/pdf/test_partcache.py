"""The part cache (issue #16): only changed 分野 are laid out again, and the PDF is the same document."""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from reportgen import Report

from reportgen.pdf import partcache
from reportgen.pdf.engine import render_pdf
from reportgen.tools.synthetic import synthetic_report
from pdfread import links, outline, pages_text

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is needed")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache of this test's own (never the user's, nor the session's shared one)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", str(folder))
    return folder


def _data(entries: int = 12) -> dict[str, Any]:
    """Three 分野 of one item each, with the KPI list (掲載ページ) as appendix."""
    data = synthetic_report(entries).to_dict()
    data["report"]["appendix"] = ["kpi-summary"]
    return data


def _report(data: dict[str, Any]) -> Report:
    return Report.from_dict(copy.deepcopy(data), source="<partcache test>")


def _headings(data: dict[str, Any]) -> list[str]:
    return [f"{s['number']} {s['title']}" for s in data["sections"]]


def _render(data: dict[str, Any], out: Path, **options: Any) -> partcache.CacheRun:
    render_pdf(_report(data), out, cache=True, **options)
    return partcache.last_run()


def _pagerefs(pages: list[str]) -> list[str]:
    text = "".join(pages)
    return re.findall(r"^P\d+$", text[text.index("掲載"):], re.MULTILINE)


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / "parts").iterdir() if not p.name.startswith("."))


# --------------------------------------------------------------------------- hits and misses


def test_an_edit_re_lays_only_its_section(tmp_path: Path, cache_dir: Path) -> None:
    data = _data()
    first = _render(data, tmp_path / "a.pdf")
    assert first.relaid == [*_headings(data), "appendix"] and first.reused == 0
    again = _render(data, tmp_path / "b.pdf")
    assert again.relaid == [] and again.reused == 4
    assert (tmp_path / "b.pdf").read_bytes() == (tmp_path / "a.pdf").read_bytes()

    edited = copy.deepcopy(data)
    entry = edited["sections"][1]["items"][0]["entries"][1]  # no KPI: the appendix does not show it
    assert "kpi" not in entry
    entry["mark"] = "×" if entry["mark"] != "×" else "◎"
    run = _render(edited, tmp_path / "c.pdf")
    assert run.relaid == [_headings(data)[1]]
    assert run.reused == 3
    assert "re-laid ２ 戦略的保険者機能関係" in run.describe()
    render_pdf(_report(edited), tmp_path / "plain.pdf")  # no cache
    assert pages_text(tmp_path / "c.pdf") == pages_text(tmp_path / "plain.pdf")


def test_view_options_are_part_of_the_key(tmp_path: Path) -> None:
    data = _data()
    _render(data, tmp_path / "a.pdf")
    assert len(_render(data, tmp_path / "b.pdf", font="mincho").relaid) == 4
    assert len(_render(data, tmp_path / "c.pdf", paper="A3").relaid) == 4
    assert _render(data, tmp_path / "d.pdf", font="mincho").relaid == []


def test_versions_and_fonts_are_part_of_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _data()
    _render(data, tmp_path / "a.pdf")
    monkeypatch.setattr(partcache, "versions", lambda: ("reportgen 99.0", "weasyprint 71.0"))
    assert len(_render(data, tmp_path / "b.pdf").relaid) == 4
    assert _render(data, tmp_path / "c.pdf").relaid == []
    monkeypatch.setattr(partcache, "font_digest", lambda: "another font file")
    assert len(_render(data, tmp_path / "d.pdf").relaid) == 4


def test_font_digest_follows_the_font_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import reportgen.core.assets

    fonts = tmp_path / "fonts"
    fonts.mkdir()
    (fonts / "Face.ttf").write_bytes(b"glyphs")
    monkeypatch.setattr(reportgen.core.assets, "fonts_dir", lambda: fonts)
    before = partcache.font_digest()
    assert partcache.font_digest() == before
    (fonts / "Face.ttf").write_bytes(b"other glyphs")
    assert partcache.font_digest() != before


def test_templates_and_css_are_part_of_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reportgen.core.assets import templates_dir

    # The digest covers every file of every template folder: a copy stands in for them here.
    copied = tmp_path / "templates"
    shutil.copytree(templates_dir(), copied)
    monkeypatch.setattr(partcache, "template_folders", lambda: [copied])
    data = _data()
    _render(data, tmp_path / "a.pdf")
    assert _render(data, tmp_path / "b.pdf").relaid == []
    with open(copied / "base.css", "a", encoding="utf-8") as f:
        f.write("\n/* changed */\n")
    assert len(_render(data, tmp_path / "c.pdf").relaid) == 4
    (copied / "plan-status.html").write_text((copied / "plan-status.html").read_text("utf-8") + "\n", "utf-8")
    assert len(_render(data, tmp_path / "d.pdf").relaid) == 4
    (copied / "mine.html").write_text("{# a user template #}", "utf-8")
    assert len(_render(data, tmp_path / "e.pdf").relaid) == 4


def test_template_folders_include_the_loaders_search_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reportgen.core.assets import templates_dir
    from reportgen.pdf.engine import environment

    loader = environment().loader
    monkeypatch.setattr(loader, "searchpath", [str(tmp_path), *loader.searchpath])
    folders = partcache.template_folders()
    assert templates_dir() in folders and tmp_path.resolve() in folders
    before = partcache.templates_digest()
    (tmp_path / "user.css").write_text("td { color: red; }", "utf-8")
    assert partcache.templates_digest() != before


def test_one_document_reports_are_cached_whole(tmp_path: Path) -> None:
    data = _data()
    data["report"]["layout"] = "quarterly"  # 分野 flow on the same page: nothing to split
    assert _render(data, tmp_path / "a.pdf").relaid == ["document"]
    assert _render(data, tmp_path / "b.pdf").relaid == []
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    data["sections"][0]["items"][0]["entries"][0]["mark"] = "×"
    assert _render(data, tmp_path / "c.pdf").relaid == ["document"]


def test_a_tracker_says_it_was_laid_out_whole(tmp_path: Path) -> None:
    """The tracker renders as one document, outside the cache: what `watch` prints after it says
    so, not the line of the cached render before it."""
    assert _render(_data(), tmp_path / "a.pdf").relaid  # a cached render first
    tracker = _data()
    tracker["report"]["layout"] = "tracker"
    run = _render(tracker, tmp_path / "b.pdf")
    assert run.relaid == ["document"] and run.reused == 0
    assert run.describe() == "re-laid document; 0 of 1 parts from the cache"


# --------------------------------------------------------------------------- the same document


def test_a_part_that_grows_shifts_every_later_page(tmp_path: Path) -> None:
    data = _data()
    before = tmp_path / "before.pdf"
    _render(data, before)
    grown = copy.deepcopy(data)
    entries = grown["sections"][0]["items"][0]["entries"]
    entries.extend(copy.deepcopy([entries[0], entries[1], entries[3]] * 2))  # no KPI: the KPI list keeps its rows
    cached, plain = tmp_path / "cached.pdf", tmp_path / "plain.pdf"
    run = _render(grown, cached)
    # the grown 分野 and the KPI list (its 掲載ページ moved) are laid out; the other two come from the cache
    assert run.relaid == [_headings(data)[0], "appendix"]
    assert run.reused == 2
    render_pdf(_report(grown), plain)  # no cache: one WeasyPrint document
    text, expected = pages_text(cached), pages_text(plain)
    assert len(expected) > len(pages_text(before))  # it did grow
    assert text == expected
    total = len(text)
    for number, page in enumerate(text, 1):
        assert re.findall(r"^(\d+) / (\d+)$", page, re.MULTILINE) == [(str(number), str(total))]
    assert _pagerefs(text) == _pagerefs(expected)
    assert _pagerefs(text)[-1] != _pagerefs(pages_text(before))[-1]  # the last 分野's item moved on
    assert outline(PdfReader(cached)) == outline(PdfReader(plain))
    assert links(cached) == links(plain)


# --------------------------------------------------------------------------- the store


def test_a_corrupt_or_truncated_entry_is_laid_out_again_and_rewritten(tmp_path: Path, cache_dir: Path) -> None:
    data = _data()
    _render(data, tmp_path / "a.pdf")
    files = _entries(cache_dir)
    kinds = sorted(partcache.load(p.name).meta["kind"] for p in files)  # type: ignore[union-attr]
    assert kinds == ["appendix", "joined", "page numbers", "piece", "piece", "piece",
                     "sync map", "sync map", "sync map"]
    sizes = {p: p.stat().st_size for p in files}
    truncated, flipped = [p for p in files if partcache.load(p.name).meta["kind"] == "piece"][:2]  # type: ignore[union-attr]
    damaged_map = next(p for p in files if partcache.load(p.name).meta["kind"] == "sync map")  # type: ignore[union-attr]
    damaged_map.write_bytes(damaged_map.read_bytes()[:-3])
    truncated.write_bytes(truncated.read_bytes()[: sizes[truncated] // 2])
    raw = bytearray(flipped.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    flipped.write_bytes(bytes(raw))
    assert partcache.load(truncated.name) is None and partcache.load(flipped.name) is None
    assert partcache.load(damaged_map.name) is None
    run = _render(data, tmp_path / "b.pdf")
    assert len(run.relaid) == 2 and run.reused == 2
    assert {p: p.stat().st_size for p in _entries(cache_dir)} == sizes  # rewritten whole
    assert partcache.load(truncated.name) is not None
    assert pages_text(tmp_path / "b.pdf") == pages_text(tmp_path / "a.pdf")


def test_lru_keeps_the_recently_used_within_the_bound(cache_dir: Path) -> None:
    for number in range(6):
        partcache.store(f"k{number}", partcache.Entry(b"x" * 1000, {"n": number}))
        os.utime(cache_dir / "parts" / f"k{number}", (1000 + number, 1000 + number))
    assert partcache.load("k0") is not None  # used now: the most recent
    removed = partcache.prune(limit=3500)
    left = sorted(p.name for p in _entries(cache_dir))
    assert removed == 3 and left == ["k0", "k4", "k5"]
    assert partcache.prune(limit=0, keep={"k5"}) == 2
    assert [p.name for p in _entries(cache_dir)] == ["k5"]
    partcache.prune(limit=0)
    assert _entries(cache_dir) == []


def test_no_cache_folder_means_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", "")  # an empty value turns every cache off
    data = _data()
    assert len(_render(data, tmp_path / "a.pdf").relaid) == 4
    assert len(_render(data, tmp_path / "b.pdf").relaid) == 4


_CONCURRENT = """
import sys
from reportgen import Report
from reportgen.pdf.engine import render_pdf
from reportgen.tools.synthetic import synthetic_report
data = synthetic_report(12).to_dict()
data["report"]["appendix"] = ["kpi-summary"]
render_pdf(Report.from_dict(data, source="<x>"), sys.argv[1], cache=True)
"""


def test_two_processes_share_the_cache(tmp_path: Path, cache_dir: Path) -> None:
    env = {**os.environ, "REPORTGEN_CACHE_DIR": str(cache_dir)}
    procs = [subprocess.Popen([sys.executable, "-c", _CONCURRENT, str(tmp_path / f"{n}.pdf")], env=env,
                              stderr=subprocess.PIPE, text=True) for n in (1, 2)]
    for proc in procs:
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    assert pages_text(tmp_path / "1.pdf") == pages_text(tmp_path / "2.pdf")
    files = _entries(cache_dir)
    assert len(files) == 9 and all(partcache.load(p.name) is not None for p in files)  # 3 pieces and 3 maps
    assert not [p for p in (cache_dir / "parts").iterdir() if p.name.startswith(".")]  # no temporary left
    data = _data()
    run = _render(data, tmp_path / "3.pdf")  # the same report in this process: all from the cache
    assert run.relaid == [] and run.reused == 4
    assert pages_text(tmp_path / "3.pdf") == pages_text(tmp_path / "1.pdf")


# --------------------------------------------------------------------------- command line


def test_cli_uses_the_cache_unless_told_not_to(tmp_path: Path, cache_dir: Path) -> None:
    import yaml
    from click.testing import CliRunner

    from reportgen.cli.main import main

    source = tmp_path / "plan.yaml"
    source.write_text(yaml.safe_dump(_data(), allow_unicode=True), "utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["render", str(source), "-o", str(tmp_path / "a.pdf"), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert not (cache_dir / "parts").exists() or _entries(cache_dir) == []
    result = runner.invoke(main, ["render", str(source), "-o", str(tmp_path / "b.pdf")])
    assert result.exit_code == 0, result.output
    assert len(_entries(cache_dir)) == 9  # 3 分野 (a piece and a sync map each), the KPI list, the page numbers, the joined PDF
    assert pages_text(tmp_path / "a.pdf") == pages_text(tmp_path / "b.pdf")


def test_watch_says_what_it_re_laid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml
    from click.testing import CliRunner

    from reportgen.cli import watch as watch_module
    from reportgen.cli.main import main

    source = tmp_path / "plan.yaml"
    data = _data()
    source.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    edited = copy.deepcopy(data)
    edited["sections"][2]["items"][0]["entries"][0]["mark"] = "×"
    original = watch_module.watch

    def twice(paths, render, **kwargs):  # type: ignore[no-untyped-def]
        calls = []

        def edit(_seconds: float) -> None:
            if not calls:
                source.write_text(yaml.safe_dump(edited, allow_unicode=True) + "\n", "utf-8")
            calls.append(1)

        return original(paths, render, interval=0.01, max_cycles=1, sleep=edit)

    monkeypatch.setattr(watch_module, "watch", twice)
    result = CliRunner().invoke(main, ["watch", str(source), "-o", str(tmp_path / "out.pdf")])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if " ok " in line]
    assert len(lines) == 2
    assert "re-laid １ 基盤的保険者関係, ２ 戦略的保険者機能関係, ３ 組織・運営体制関係, appendix" in lines[0]
    assert "re-laid ３ 組織・運営体制関係; 3 of 4 parts from the cache" in lines[1]
