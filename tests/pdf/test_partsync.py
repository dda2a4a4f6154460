"""Pieces of a 分野 (reportgen.partsync): an edit re-lays a few items, and the PDF is still the document
a full render prints — same pages, text per page, page numbers, 掲載ページ, outline and links."""

from __future__ import annotations

import copy
import re
import shutil
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

_ADDED = "追記：第３四半期の実施状況を反映し、説明会の開催回数と参加事業所数を更新する。"


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", str(folder))
    return folder


def _synthetic(entries: int) -> dict[str, Any]:
    data = synthetic_report(entries).to_dict()
    data["report"]["appendix"] = ["kpi-summary"]
    return data


def _short_items(sections: int, items: int, entries: int = 2) -> dict[str, Any]:
    """Short items (each kept on one page, so many pages start with a new item), ``sections`` 分野."""
    plans = ["健診受診率の向上に向けて、事業所への訪問と文書による勧奨を行う。",
             "ジェネリック医薬品の使用割合を高めるため、軽減額通知を送付する。"]
    data = synthetic_report(4).to_dict()
    data["sections"] = [{
        "number": "０１２３４５６７８９"[s + 1], "title": f"分野その{s + 1}",
        "items": [{
            "number": f"（{i + 1}）", "title": f"取組{s + 1}-{i + 1}",
            "entries": [{"plan": plans[(i + e) % 2] * (1 + (i + e) % 4), "status": "計画どおり実施した。" * (2 + i % 5),
                         "mark": "○"} for e in range(entries)],
        } for i in range(items)],
    } for s in range(sections)]
    return data


def _report(data: dict[str, Any]) -> Report:
    return Report.from_dict(copy.deepcopy(data), source="<partsync test>")


def _cached(data: dict[str, Any], out: Path) -> partcache.CacheRun:
    render_pdf(_report(data), out, cache=True)
    return partcache.last_run()


def _same_document(data: dict[str, Any], cached: Path, tmp_path: Path) -> list[str]:
    """Assert ``cached`` is what a full render without the cache prints; its text per page."""
    plain = tmp_path / f"plain-{cached.stem}.pdf"
    render_pdf(_report(data), plain)  # no cache: one WeasyPrint document
    text, expected = pages_text(cached), pages_text(plain)
    assert text == expected
    for number, page in enumerate(text, 1):
        assert re.findall(r"^(\d+) / (\d+)$", page, re.MULTILINE) == [(str(number), str(len(text)))]
    assert outline(PdfReader(cached)) == outline(PdfReader(plain))
    assert links(cached) == links(plain)
    return text


def _entry_count(data: dict[str, Any]) -> int:
    return sum(len(i["entries"]) for s in data["sections"] for i in s["items"])


# --------------------------------------------------------------------------- an edit re-lays a few items


def test_a_one_entry_edit_re_lays_a_few_items_of_its_section(tmp_path: Path) -> None:
    data = _synthetic(160)
    first = _cached(data, tmp_path / "a.pdf")
    pieces = first.parts - 1  # the KPI list is a part too
    assert pieces > len(data["sections"])  # the 分野 were cut into pieces
    edited = copy.deepcopy(data)
    items = edited["sections"][1]["items"]
    entry = items[len(items) // 2]["entries"][1]
    assert "kpi" not in entry
    entry["plan"] += _ADDED
    run = _cached(edited, tmp_path / "b.pdf")
    heading = "２ 戦略的保険者機能関係"
    assert run.relaid == [heading]
    # part of the 分野, not all of it: its detail names the items laid out again
    assert run.details[heading].startswith(heading + " （")
    assert run.reused >= pieces - 2
    assert f"re-laid {run.details[heading]};" in run.describe()
    _same_document(edited, tmp_path / "b.pdf", tmp_path)


def test_an_edit_that_grows_an_item_by_a_page_shifts_every_later_page(tmp_path: Path) -> None:
    data = _synthetic(160)
    _cached(data, tmp_path / "a.pdf")
    before = pages_text(tmp_path / "a.pdf")
    grown = copy.deepcopy(data)
    items = grown["sections"][0]["items"]
    items[len(items) // 2]["entries"][1]["plan"] += _ADDED * 25  # about a page more
    run = _cached(grown, tmp_path / "b.pdf")
    assert "１ 基盤的保険者関係" in run.relaid and "appendix" in run.relaid  # 掲載ページ moved
    assert run.reused > 0
    text = _same_document(grown, tmp_path / "b.pdf", tmp_path)
    assert len(text) > len(before)
    assert text[-1] != before[-1]  # the KPI list's 掲載ページ follow the shift


def test_an_edit_that_shrinks_an_item_pulls_later_pages_back(tmp_path: Path) -> None:
    data = _synthetic(160)
    _cached(data, tmp_path / "a.pdf")
    before = pages_text(tmp_path / "a.pdf")
    shrunk = copy.deepcopy(data)
    items = shrunk["sections"][1]["items"]
    for item in items[len(items) // 2 - 1:len(items) // 2 + 1]:
        del item["entries"][1:]
    run = _cached(shrunk, tmp_path / "b.pdf")
    assert run.reused > 0
    text = _same_document(shrunk, tmp_path / "b.pdf", tmp_path)
    assert len(text) < len(before)


@pytest.mark.parametrize("where", ["first", "last"])
def test_editing_the_first_or_the_last_entry(tmp_path: Path, where: str) -> None:
    data = _synthetic(160)
    _cached(data, tmp_path / "a.pdf")
    edited = copy.deepcopy(data)
    section = edited["sections"][0 if where == "first" else -1]
    entry = section["items"][0 if where == "first" else -1]["entries"][0 if where == "first" else -1]
    entry["plan"] += _ADDED * 3
    run = _cached(edited, tmp_path / "b.pdf")
    heading = f"{section['number']} {section['title']}"
    assert heading in run.relaid and run.reused > 0
    _same_document(edited, tmp_path / "b.pdf", tmp_path)


# --------------------------------------------------------------------------- other shapes


def test_many_small_sections(tmp_path: Path) -> None:
    data = _short_items(sections=6, items=3)
    _cached(data, tmp_path / "a.pdf")
    edited = copy.deepcopy(data)
    edited["sections"][3]["items"][1]["entries"][0]["plan"] += _ADDED * 6
    run = _cached(edited, tmp_path / "b.pdf")
    assert run.relaid == ["４ 分野その4"]
    _same_document(edited, tmp_path / "b.pdf", tmp_path)


def test_one_large_section_is_cut_into_pieces(tmp_path: Path) -> None:
    data = _short_items(sections=1, items=30)
    first = _cached(data, tmp_path / "a.pdf")
    assert first.relaid == ["１ 分野その1"] and first.parts > 3  # not one document: pieces
    _same_document(data, tmp_path / "a.pdf", tmp_path)
    edited = copy.deepcopy(data)
    edited["sections"][0]["items"][20]["entries"][1]["status"] += _ADDED * 2
    run = _cached(edited, tmp_path / "b.pdf")
    assert run.relaid == ["１ 分野その1"] and run.reused > 0
    assert run.details["１ 分野その1"].startswith("１ 分野その1 （")
    _same_document(edited, tmp_path / "b.pdf", tmp_path)
    # an item inserted renumbers the rest: everything after it is laid out again, still the same document
    inserted = copy.deepcopy(edited)
    inserted["sections"][0]["items"].insert(5, copy.deepcopy(inserted["sections"][0]["items"][2]))
    for number, item in enumerate(inserted["sections"][0]["items"], 1):
        item["number"] = f"（{number}）"
    _cached(inserted, tmp_path / "c.pdf")
    _same_document(inserted, tmp_path / "c.pdf", tmp_path)


def test_groups_and_tables(tmp_path: Path) -> None:
    """Group banners open items (a piece may start with one) and entries carry tables and series."""
    data = _synthetic(96)
    for section in data["sections"]:
        items = section.pop("items")
        half = len(items) // 2
        section["items"] = items[:1]
        section["groups"] = [{"title": "サービス水準の向上", "owner": "業務グループ", "items": items[1:half]},
                             {"title": "（Ⅲ）ICT化の推進", "items": items[half:]}]
    _cached(data, tmp_path / "a.pdf")
    _same_document(data, tmp_path / "a.pdf", tmp_path)
    edited = copy.deepcopy(data)
    edited["sections"][1]["groups"][1]["items"][0]["entries"][0]["plan"] += _ADDED * 8
    run = _cached(edited, tmp_path / "b.pdf")
    assert "２ 戦略的保険者機能関係" in run.relaid and run.reused > 0
    _same_document(edited, tmp_path / "b.pdf", tmp_path)


def test_a_legend_at_the_foot_prints_once_after_the_table(tmp_path: Path) -> None:
    data = _short_items(sections=3, items=6)
    data["report"]["legend"] = "foot"
    _cached(data, tmp_path / "a.pdf")
    text = _same_document(data, tmp_path / "a.pdf", tmp_path)
    assert sum(page.count("○：") for page in text) == 1
    edited = copy.deepcopy(data)
    edited["sections"][2]["items"][4]["entries"][0]["plan"] += _ADDED * 4
    _cached(edited, tmp_path / "b.pdf")
    _same_document(edited, tmp_path / "b.pdf", tmp_path)


def test_a_stale_map_costs_a_layout_never_another_document(tmp_path: Path, cache_dir: Path) -> None:
    """The map of synchronisation points is a hint: from another report with the same 分野 headings
    and item counts, or pointing at pieces that no longer chain, it still gives the full render's pages."""
    data = _short_items(sections=2, items=12)
    _cached(data, tmp_path / "a.pdf")
    other = copy.deepcopy(data)
    for section in other["sections"]:
        for number, item in enumerate(section["items"]):
            item["entries"][0]["status"] = "計画どおり実施した。" * (9 - number % 7)  # other page breaks
    run = _cached(other, tmp_path / "b.pdf")
    assert sorted(run.relaid) == ["１ 分野その1", "２ 分野その2"]
    _same_document(other, tmp_path / "b.pdf", tmp_path)
    assert _entry_count(other) == _entry_count(data)
