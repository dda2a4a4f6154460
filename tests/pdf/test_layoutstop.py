"""What a re-render after an edit no longer pays (issue #16, watch): a range of items laid out
only up to the page where a cached piece begins again (reportgen.pdf.weasy.layout_until,
reportgen.pdf.partsync.lay_range), and the bundled stylesheets parsed once per process
(reportgen.pdf.weasy.install_stylesheet_cache). Both must give the very pages a full layout gives."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportgen import Report
from reportgen.core import assets
from reportgen.pdf import fetch, weasy
from reportgen.pdf.engine import render_pdf
from reportgen.pdf.partrender import layout_html, whole_view
from reportgen.pdf.partsync import Range, lay_range, range_css, range_html
from reportgen.pdf.syncfinder import SyncFinder, sync_points
from reportgen.tools.synthetic import synthetic_report


def _write(document, pages=None) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    with weasy.LOCK:
        (document if pages is None else document.copy(document.pages[:pages])).write_pdf(out)
    return out.getvalue()


def _paragraphs(count: int) -> str:
    # no page counter: a stopped document has fewer pages, "n / N" would differ
    body = "".join(f'<p id="p{n}">Paragraph{n:02d} ' + "the plan and its status, month by month. " * 12 + "</p>"
                   for n in range(count))
    return f'<html><head><style>@page {{ size: A5; margin: 15mm; }} p {{ break-inside: avoid; }}</style></head><body>{body}</body></html>'


def test_a_stopped_layout_has_the_first_pages_of_the_full_one() -> None:
    html = _paragraphs(60)
    with weasy.LOCK:
        full = fetch.build_html(html).render(font_config=weasy.font_config())
    texts = [p.extract_text() for p in PdfReader(io.BytesIO(_write(full))).pages]
    assert len(texts) > 4
    # the paragraph the fourth page begins with (kept whole: nothing of it on the third)
    target = texts[3].split()[0]
    assert target.startswith("Paragraph") and target not in texts[2]
    seen: list[str] = []

    def before_target(box, resumes_at) -> bool:  # type: ignore[no-untyped-def]
        found = resumes_at()
        element = None if found is None else getattr(found[1], "element", None)
        seen.append("" if element is None else str(element.get("id")))
        return element is not None and f"Paragraph{int(str(element.get('id'))[1:]):02d}" == target

    with weasy.LOCK:
        with weasy.layout_until(lambda box, resumes_at: True) as state:
            one = fetch.build_html(html).render(font_config=weasy.font_config())
        with weasy.layout_until(before_target) as state3:
            upto = fetch.build_html(html).render(font_config=weasy.font_config())
    assert state.pages == 1 and len(one.pages) == 1
    assert _write(one) == _write(full, 1)
    # stopped after the third page: the next one would begin with the target, from its start
    assert state3.pages == 3 and len(upto.pages) == 3 and len(seen) == 3
    assert seen[:2] != seen[2:]
    assert _write(upto) == _write(full, 3)
    # outside the block, layouts run to the end again
    with weasy.LOCK:
        again = fetch.build_html(html).render(font_config=weasy.font_config())
    assert len(again.pages) == len(full.pages)


def _short_items(items: int) -> Report:
    """One 分野 of short items kept on one page each: many pages begin with a new item."""
    plans = ["健診受診率の向上に向けて、事業所への訪問と文書による勧奨を行う。",
             "ジェネリック医薬品の使用割合を高めるため、軽減額通知を送付する。"]
    data = synthetic_report(4).to_dict()
    data["sections"] = [{"number": "１", "title": "分野その一", "items": [{
        "number": f"（{i + 1}）", "title": f"取組1-{i + 1}",
        "entries": [{"plan": plans[(i + e) % 2] * (1 + (i + e) % 4), "status": "計画どおり実施した。" * (2 + i % 5),
                     "mark": "○"} for e in range(2)],
    } for i in range(items)]}, {"number": "２", "title": "分野その二", "items": [{
        "number": "（1）", "title": "取組2-1", "entries": [{"plan": plans[0], "status": "実施した。", "mark": "○"}]}]}]
    return Report.from_dict(data, source="<short items>")


@pytest.mark.parametrize(("shape", "which"), [("synthetic", 0), ("short items", 2)])
def test_a_range_is_laid_out_only_up_to_the_cached_piece_it_reaches(shape: str, which: int) -> None:
    """The pieces of a range whose layout stopped where a target begins are byte for byte those
    of the same range laid out to its end (the last page closed as a continued 分野's)."""
    report = Report.from_dict(synthetic_report(160).to_dict(), source="<synthetic>") if shape == "synthetic" \
        else _short_items(40)
    view = whole_view(report, "A4", "gothic")
    section = 1 if shape == "synthetic" else 0
    count = len(view.sections[section].items)
    full = layout_html(range_html(view, section, 0, count), range_css(section, 0, False))
    syncs = [(k, p) for k, p in sync_points(full, 0) if 0 < k < count - 1]
    assert len(syncs) > which, "the 分野 has synchronisation points"
    target, page = syncs[which]
    stop = min(count, target + 2)
    result = lay_range(view, Range(section, 0, stop, (target,)), count)
    assert result.reached == target
    assert sum(p.pages for p in result.pieces) == page
    # the pieces are the full layout's pages before the target, cut at the same points
    offsets = dict(sync_points(full, 0))
    for piece in result.pieces:
        begin, end = offsets[piece.start], offsets.get(piece.stop, page)
        assert piece.pdf == _write(full.copy(full.pages[begin:end]))
    # laid out without a target, the range runs to its own end
    whole = lay_range(view, Range(section, 0, stop), count)
    assert result.laid in (page, page + 1)  # (+1: a target known only once its page is laid out)
    assert whole.laid > result.laid
    assert whole.laid == len(full.pages) or stop < count


def test_sync_finder_knows_the_next_page_before_it_is_laid_out() -> None:
    """The item the next page begins with, as the skip stack says, is the one the laid-out
    next page does begin with."""
    view = whole_view(synthetic_report(160), "A4", "gothic")
    section = 1
    count = len(view.sections[section].items)
    ahead = SyncFinder(0)
    predicted: dict[int, int] = {}
    pages = 0

    def record(box, resumes_at) -> bool:  # type: ignore[no-untyped-def]
        nonlocal pages
        pages += 1
        ahead.page(box)
        k = ahead.resumes_with(resumes_at())
        if k is not None:
            predicted[pages] = k
        return False

    document = layout_html(range_html(view, section, 0, count), range_css(section, 0, False), stop=record)
    actual = {p: k for k, p in sync_points(document, 0) if p > 0}
    assert predicted and predicted == actual


# --------------------------------------------------------------------------- stylesheets


def test_bundled_stylesheets_are_parsed_once_and_print_the_same(tmp_path: Path) -> None:
    """A second render in the process takes base.css from its first parse: same bytes as a render
    that parses it, and the sheets' @page rules (paper size, page numbers) still apply."""
    report = Report.from_dict(synthetic_report(6).to_dict(), source="<stylesheets>")
    weasy.clear_stylesheet_cache()
    first = tmp_path / "first.pdf"
    render_pdf(report, first)
    parsed = weasy.stylesheets_parsed()
    assert parsed >= 1
    second = tmp_path / "second.pdf"
    render_pdf(report, second)
    assert weasy.stylesheets_parsed() == parsed  # served, not parsed again
    assert first.read_bytes() == second.read_bytes()
    a3 = tmp_path / "a3.pdf"
    render_pdf(report, a3, paper="A3")
    box = PdfReader(a3).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (1191, 842)  # A3 landscape
    box = PdfReader(second).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
    pages = PdfReader(second).pages
    assert f"1 / {len(pages)}" in pages[0].extract_text()


def test_a_bundled_stylesheet_that_changes_is_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "templates"
    shutil.copytree(assets.templates_dir(), folder)
    monkeypatch.setattr(assets, "templates_dir", lambda: folder)
    monkeypatch.setattr(fetch, "templates_dir", lambda: folder)
    html = ('<html lang="ja"><head><link rel="stylesheet" href="base.css"></head>'
            '<body><p>健康保険</p></body></html>')

    def size() -> tuple[int, int]:
        with weasy.LOCK:
            document = fetch.build_html(html).render(font_config=weasy.font_config())
        box = PdfReader(io.BytesIO(_write(document))).pages[0].mediabox
        return round(float(box.width)), round(float(box.height))

    weasy.clear_stylesheet_cache()
    before = size()
    assert size() == before and weasy.stylesheets_parsed() == 1
    css = folder / "base.css"
    css.write_text(css.read_text("utf-8") + "\n@page { size: 300pt 200pt; }\n", "utf-8")
    assert size() == (300, 200)
    assert weasy.stylesheets_parsed() == 2
