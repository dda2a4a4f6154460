"""The named cell styles of the workbook (fonts, borders, fills), registered once."""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

from .sheet import (
    FONT_NAME,
    SIZE_AREA,
    SIZE_BANNER,
    SIZE_BODY,
    SIZE_GRID,
    SIZE_HEADER,
    SIZE_MARK,
    SIZE_TITLE,
)

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _font(size: float, bold: bool = False) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold)


def named_styles() -> list[NamedStyle]:
    """Every look the sheets use, registered once (fast, and tidy for users)."""
    wrap_top = Alignment(wrap_text=True, vertical="top", horizontal="left")
    center = Alignment(wrap_text=True, vertical="center", horizontal="center")
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    banner_fill = PatternFill("solid", fgColor="EDEDED")
    grid_fill = PatternFill("solid", fgColor="F2F2F2")
    specs = {
        "rg.title": (_font(SIZE_TITLE, True), Alignment(vertical="center"), None, None),
        "rg.issued": (_font(SIZE_BODY), Alignment(vertical="center", horizontal="right"), None, None),
        "rg.preface": (_font(SIZE_BODY), wrap_top, None, None),
        "rg.preface.bold": (_font(SIZE_BODY, True), wrap_top, None, None),
        "rg.header": (_font(SIZE_HEADER, True), center, _BORDER, header_fill),
        "rg.banner": (_font(SIZE_BANNER, True), Alignment(vertical="center", wrap_text=True), _BORDER, banner_fill),
        "rg.area": (_font(SIZE_AREA, True),
                    Alignment(textRotation=255, vertical="top", horizontal="center", shrink_to_fit=True),
                    _BORDER, None),
        "rg.text": (_font(SIZE_BODY), wrap_top, _BORDER, None),
        "rg.text.bold": (_font(SIZE_BODY, True), wrap_top, _BORDER, None),
        "rg.center": (_font(SIZE_BODY), Alignment(wrap_text=True, vertical="top", horizontal="center"), _BORDER, None),
        "rg.mark": (_font(SIZE_MARK), Alignment(vertical="center", horizontal="center"), _BORDER, None),
        "rg.grid.head": (_font(SIZE_GRID), center, _BORDER, grid_fill),
        "rg.grid.label": (_font(SIZE_GRID), Alignment(wrap_text=True, vertical="center"), _BORDER, None),
        "rg.grid.center": (_font(SIZE_GRID), Alignment(vertical="center", horizontal="center", shrink_to_fit=True),
                           _BORDER, None),
        "rg.grid.num": (_font(SIZE_GRID), Alignment(vertical="center", horizontal="right", shrink_to_fit=True),
                        _BORDER, None),
        "rg.sum.label": (_font(SIZE_BODY, True), center, _BORDER, header_fill),
        "rg.sum.mark": (_font(SIZE_BODY), center, _BORDER, None),
        "rg.sum.count": (_font(SIZE_BODY), Alignment(vertical="center", horizontal="center"), _BORDER, None),
        "rg.sum.legend": (_font(SIZE_BODY), Alignment(vertical="center", wrap_text=True), _BORDER, None),
        "rg.data.head": (_font(SIZE_BODY, True), Alignment(vertical="top", wrap_text=True), None, header_fill),
        "rg.data": (_font(SIZE_BODY), Alignment(vertical="top"), None, None),
        "rg.data.wrap": (_font(SIZE_BODY), Alignment(vertical="top", wrap_text=True), None, None),
        "rg.hidden": (Font(size=8), Alignment(), None, None),
    }
    out = []
    for name, (font, align, border, fill) in specs.items():
        ns = NamedStyle(name=name, font=font, alignment=align)
        if border is not None:
            ns.border = border
        if fill is not None:
            ns.fill = fill
        out.append(ns)
    return out
