"""The "n / N" stamps laid over a report rendered in parts (reportgen.pdf.parallel).

Page numbers print in base.css's ``@bottom-center`` margin box, which never
changes the body layout, so the parts are rendered without it and the numbers
are stamped once the total N is known. The stamp must be the single-process
margin box exactly: same font, size, baseline and centring.

WeasyPrint can lay out N empty pages with that margin box, but that is its
slowest path per page (all sixteen margin boxes are styled for every page):
1 s for 184 pages, after the parts, on the critical path. Here WeasyPrint lays
out *one* page whose margin box holds every character a stamp can use
("0123456789 /"), in the same @page rules; that page gives the font, size,
baseline and glyph codes, and each of the N pages gets that page's content
with the text and its x position replaced. The margin box centres its line,
so x = centre − width / 2, the width being the sum of the glyphs' advances
(/W) — the arithmetic WeasyPrint's own centring does. 3 ms for 184 pages.

If the sample page is not the plain shape this relies on (one text object,
one glyph string without kerning, a glyph for every character), the stamps
are laid out by WeasyPrint page by page as before: slower, never wrong.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from typing import Any

__all__ = ["page_numbers_pdf"]

#: Every character of "n / N".
_ALPHABET = "0123456789 /"


def _html(pages: int, paper: str, font: str) -> str:
    from .fetch import base_url

    from ..core.papers import page_css

    a3 = '<link rel="stylesheet" href="paper-a3.css">' if paper.upper() == "A3" else ""
    a3 += f"<style>{page_css(paper.upper())}</style>" if page_css(paper.upper()) else ""
    cls = "mincho" if font == "mincho" else ""
    return (f'<!DOCTYPE html><html lang="ja" class="{cls}"><head><meta charset="utf-8">'
            f'<base href="{base_url()}"><link rel="stylesheet" href="base.css">{a3}</head>'
            f'<body>{"<div></div>" * pages}</body></html>')


def stamp_pages(pages: int, paper: str, font: str, css: str = "") -> bytes:
    """``pages`` empty pages with base.css's page box: only the margin box prints."""
    from .fetch import build_html
    from .weasy import import_weasyprint

    weasyprint = import_weasyprint()
    from .weasy import LOCK, font_config, gc_paused

    sheet = weasyprint.CSS(string="body > div + div { break-before: page !important; }\n" + css)
    out = io.BytesIO()
    with LOCK, gc_paused():
        build_html(_html(pages, paper, font)).render(font_config=font_config(), stylesheets=[sheet]).write_pdf(out)
    return out.getvalue()


@dataclass(frozen=True)
class _Sample:
    """What one WeasyPrint-laid-out stamp page tells about every stamp."""

    pdf: bytes
    #: Character → its 2-byte glyph code in the page's font.
    codes: dict[str, bytes]
    #: Character → advance in text space units (CSS px at zoom 1).
    advances: dict[str, float]
    #: x of the line's centre; the operators of the page's content stream, and
    #: the indices of the Tm and TJ operators among them.
    centre: float
    operators: tuple[tuple[list[Any], str], ...]
    tm: int
    tj: int


@cache
def _sample(paper: str, font: str) -> _Sample | None:
    """Lay out the sample page once per process (paper, font); None if its shape is unexpected."""
    import pikepdf

    from .fontdicts import cid_widths

    css = '@page { @bottom-center { content: "%s" !important; } }' % _ALPHABET
    data = stamp_pages(1, paper, font, css)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        ops: list[tuple[list[Any], str]] = [
            (list(i.operands), str(i.operator)) for i in pikepdf.parse_content_stream(page)
            if isinstance(i, pikepdf.ContentStreamInstruction)]
        tms = [i for i, (_o, op) in enumerate(ops) if op == "Tm"]
        tjs = [i for i, (_o, op) in enumerate(ops) if op in ("TJ", "Tj")]
        tfs = [operands for operands, op in ops if op == "Tf"]
        if len(tms) != 1 or len(tjs) != 1 or len(tfs) != 1:
            return None
        operands, op = ops[tjs[0]]
        strings = list(operands[0]) if op == "TJ" else [operands[0]]
        if len(strings) != 1 or not isinstance(strings[0], pikepdf.String):
            return None  # kerning between the glyphs: x positions are no longer a plain sum
        raw = bytes(strings[0])
        if len(raw) != 2 * len(_ALPHABET):
            return None
        codes = {ch: raw[2 * i:2 * i + 2] for i, ch in enumerate(_ALPHABET)}
        if len(set(codes.values())) != len(codes):
            return None  # a character without a glyph of its own (.notdef)
        size = float(tfs[0][1])
        cid_font = page.Resources.Font[tfs[0][0]].DescendantFonts[0]
        widths = cid_widths(cid_font.get("/W", pikepdf.Array()))
        if widths is None:
            return None
        default = float(cid_font.get("/DW", 1000))
        advances = {ch: widths.get(int.from_bytes(code, "big"), default) * size / 1000 for ch, code in codes.items()}
        x = float(ops[tms[0]][0][4])
        centre = x + sum(advances[ch] for ch in _ALPHABET) / 2
    return _Sample(data, codes, advances, centre, tuple(ops), tms[0], tjs[0])


def page_numbers_pdf(total: int, paper: str = "A4", font: str = "gothic") -> bytes:
    """A PDF of ``total`` pages, page n showing only "n / total" where the margin box prints it."""
    sample = _sample(paper.upper(), font) if total > 0 else None
    if sample is None:
        return stamp_pages(total, paper, font)
    import pikepdf

    from .fontpack import save

    with pikepdf.open(io.BytesIO(sample.pdf)) as source, pikepdf.new() as out:
        template = source.pages[0]
        for n in range(1, total + 1):
            text = f"{n} / {total}"
            ops: list[list[Any]] = [list(operands) for operands, _op in sample.operators]
            tm = ops[sample.tm]
            tm[4] = sample.centre - sum(sample.advances[ch] for ch in text) / 2
            glyphs = pikepdf.String(b"".join(sample.codes[ch] for ch in text))
            ops[sample.tj] = [pikepdf.Array([glyphs])] if sample.operators[sample.tj][1] == "TJ" else [glyphs]
            stream = pikepdf.unparse_content_stream(
                [pikepdf.ContentStreamInstruction(operands, pikepdf.Operator(op))
                 for operands, (_o, op) in zip(ops, sample.operators)])
            out.pages.append(template)
            out.pages[-1].Contents = out.make_stream(stream)
        return save(out)
