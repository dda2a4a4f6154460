"""The report: its head (title, period, marks, layout, columns, appendix, print
options, seal box) and the whole document (docs/FORMAT.md, "Report").

The top layer of the validator (:mod:`reportgen.inputs.validate`):
:class:`ReportRules` holds every rule of the format through the layers below it
(values → KPI and series → content → items → report).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ..layouts.registry import layout_names
from ..core.locations import PathKey
from ..model.calendar import Period
from ..model.marks import BUILTIN_SCALES, MarkScale, MarkSymbol
from ..model.report import BUILTIN_FIELDS, PAGE_NUMBER_STYLES, Approval, Column, Legend, Report, Section
from .validate_items import ItemRules
from .validate_values import clip, closest, value_kind

#: The names report.layout accepts: the registered layouts (reportgen.layouts.registry).
LAYOUTS = layout_names()
APPENDICES = ("kpi-summary", "mark-summary")
#: Print options of report (docs/FORMAT.md, "Print options").
PRINT_KEYS = ("legend", "running_header", "page_numbers")
LEGEND_POSITIONS = ("head", "foot", "none")
#: What offices add to the printed report (docs/FORMAT-extensions.md, "Subtitle,
#: footer and seal box").
DOCUMENT_KEYS = ("subtitle", "footer", "approval")
#: Longest footer: a line or two of the bottom-left corner of a page.
MAX_FOOTER_CHARS = 50
#: A seal box holds 1 to MAX_APPROVAL_LABELS columns of short labels (支部長, グループ長).
MAX_APPROVAL_LABELS = 8
MAX_APPROVAL_LABEL_CHARS = 10
#: Longest running header or legend: what a few lines at the page's edge hold.
MAX_LINE_CHARS = 300
#: Longest running header: two lines of the top margin of an A4 page (9pt).
MAX_HEADER_CHARS = 150
#: Most entries a report may hold (documented in the README).
MAX_ENTRIES = 5_000


class PrintRules(ItemRules):
    """What the printed page adds to the data: legend, running header, page
    numbers, subtitle, footer and seal box, each a line or two of a page."""

    def document_fields(self, head: dict[str, Any], p: PathKey) -> tuple[str | None, str | None, Approval | None]:
        """report.subtitle, report.footer, report.approval (docs/FORMAT-extensions.md)."""
        subtitle = self.line(head["subtitle"], p + ("subtitle",), MAX_HEADER_CHARS) \
            if head.get("subtitle") is not None else None
        footer = self.line(head["footer"], p + ("footer",), MAX_FOOTER_CHARS) \
            if head.get("footer") is not None else None
        approval = None
        if head.get("approval") is not None:
            ap = p + ("approval",)
            d = self.mapping(head["approval"], ap, ("labels",), ("labels",))
            if d is not None and "labels" in d:
                raw = d["labels"]
                lp = ap + ("labels",)
                if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_APPROVAL_LABELS:
                    got = f"{len(raw)} labels" if isinstance(raw, list) else self.kind(raw, lp)
                    self.err(lp, f"expected a list of 1 to {MAX_APPROVAL_LABELS} labels, got {got}")
                else:
                    labels = [self.line(v, lp + (i,), MAX_APPROVAL_LABEL_CHARS) for i, v in enumerate(raw)]
                    if all(label is not None and label.strip() for label in labels):
                        approval = Approval([label for label in labels if label is not None])
                    else:
                        for i, label in enumerate(labels):
                            if label is not None and not label.strip():
                                self.err(lp + (i,), "the label is empty")
        return subtitle, footer, approval

    def print_options(self, head: dict[str, Any], p: PathKey) -> tuple[Legend | None, str | None, str | None]:
        """report.legend, report.running_header, report.page_numbers (docs/FORMAT.md)."""
        legend = None
        if head.get("legend") is not None:
            raw = head["legend"]
            lp = p + ("legend",)
            if isinstance(raw, str):
                position = self.choice(raw, lp, LEGEND_POSITIONS)
                legend = Legend(position) if position else None  # type: ignore[arg-type]
            else:
                d = self.mapping(raw, lp, ("position", "heading", "text"))
                if d is not None:
                    position = (self.choice(d["position"], lp + ("position",), LEGEND_POSITIONS)
                                if d.get("position") is not None else "head")
                    heading = self.line(d["heading"], lp + ("heading",)) if d.get("heading") is not None else None
                    text = self.line(d["text"], lp + ("text",)) if d.get("text") is not None else None
                    if position:
                        legend = Legend(position, heading, text)  # type: ignore[arg-type]
        running = self.line(head["running_header"], p + ("running_header",), MAX_HEADER_CHARS) \
            if head.get("running_header") is not None else None
        numbers = None
        if head.get("page_numbers") is not None:
            numbers = self.choice(head["page_numbers"], p + ("page_numbers",), PAGE_NUMBER_STYLES)
        return legend, running, numbers

    def line(self, value: Any, path: PathKey, limit: int = 0) -> str | None:
        """A text printed in a line or two of a page (a header, a legend): at most
        ``limit`` (MAX_LINE_CHARS) characters."""
        limit = limit or MAX_LINE_CHARS
        text = self.text(value, path, allow_number=True)
        if text is not None and len(text) > limit:
            self.err(path, f"the text is {len(text):,} characters long; this line of the page "
                           f"holds at most {limit}")
            return None
        return text



class ReportRules(PrintRules):
    """The whole report: its head and its sections; the validator of a file."""

    def document(self, data: Any) -> Report | None:
        """The whole file: format: 1, report: (its head) and sections:."""
        if not isinstance(data, dict):
            self.err((), f"expected a report (a mapping with format: 1, report: and sections:), got {value_kind(data)}")
            return None
        top = self.mapping(data, (), ("format", "report", "sections"), ("format", "report"))
        if top is None:
            return None
        fmt = top.get("format")
        if "format" in top and (fmt != 1 or isinstance(fmt, bool) or not isinstance(fmt, int)):
            if isinstance(fmt, int) and not isinstance(fmt, bool):
                self.err(("format",), f"this file is in format {fmt}; this version of reportgen reads format 1")
            else:
                self.err(("format",), f"expected format: 1, got {self.kind(fmt, ('format',))}")
        head = self.mapping(top.get("report"), ("report",), (
            "title", "organization", "fiscal_year", "period", "issued", "layout", "marks",
            "columns", "appendix", "preface", *PRINT_KEYS, *DOCUMENT_KEYS,
        ), ("title", "organization", "fiscal_year")) if "report" in top else None
        if head is None:
            return None
        p: PathKey = ("report",)
        title = self.text(head.get("title"), p + ("title",)) if "title" in head else None
        org = self.text(head.get("organization"), p + ("organization",)) if "organization" in head else None
        fy = self.fiscal_year(head, p)
        period = self.period(head, p, fy)
        issued = None
        if "issued" in head and head["issued"] is not None:
            issued = self.date(head["issued"], p + ("issued",))
        layout = self.layout_name(head, p)
        marks = self.scale(head.get("marks", "standard"), p + ("marks",))
        self.marks = marks
        columns = self.each(head["columns"], p + ("columns",), self.column) if "columns" in head else None
        appendix: list[str] = []
        if "appendix" in head:
            for i, a in enumerate(head["appendix"] if isinstance(head["appendix"], list) else [None]):
                name = self.choice(a, p + ("appendix", i), APPENDICES)
                if name:
                    appendix.append(name)
        preface = self.blocks(head["preface"], p + ("preface",)) if "preface" in head else []
        self.label_limit = self.section_label_limit(columns, layout)
        self.layout = layout
        legend, running_header, page_numbers = self.print_options(head, p)
        subtitle, footer, approval = self.document_fields(head, p)
        sections = self.each(top.get("sections", []), ("sections",), self.section)
        if self.entries > MAX_ENTRIES:
            self.err(("sections",), f"{self.entries:,} entries; the limit is {MAX_ENTRIES:,} per report")
        if columns:
            self.column_fields(columns, sections, p)
        if title is None or org is None or fy is None or marks is None:
            return None
        return Report(
            title=title, organization=org, fiscal_year=fy, marks=marks, period=period,
            issued=issued, layout=layout, columns=columns, appendix=appendix,
            preface=preface, sections=sections,
            legend=legend, running_header=running_header, page_numbers=page_numbers,
            subtitle=subtitle, footer=footer, approval=approval,
        )

    def fiscal_year(self, head: dict[str, Any], p: PathKey) -> int | None:
        """report.fiscal_year: a Gregorian year that 和暦 can print."""
        fy = None
        if "fiscal_year" in head:
            fy = self.integer(head["fiscal_year"], p + ("fiscal_year",), "a Gregorian year such as 2023")
            if fy is not None and not 1873 <= fy <= 2200:
                self.err(p + ("fiscal_year",), f"year {fy} is out of range")
                fy = None
        return fy

    def period(self, head: dict[str, Any], p: PathKey, fy: int | None) -> str:
        """report.period (annual, Q1…, a month) as :class:`Period` writes it; "annual" when absent or wrong."""
        period = "annual"
        if "period" in head:
            raw = head["period"]
            if isinstance(raw, _dt.date):  # YAML reads 2024-02-29 as a date
                raw = f"{raw.year:04d}-{raw.month:02d}"
            text = self.text(raw, p + ("period",))
            if text is not None:
                try:
                    per = Period.parse(text)
                    problem = per.check(fy) if fy is not None else None
                    if problem:
                        self.err(p + ("period",), problem)
                    period = str(per)
                except ValueError as exc:
                    self.err(p + ("period",), str(exc))
        return period

    def layout_name(self, head: dict[str, Any], p: PathKey) -> str:
        """report.layout: one of LAYOUTS; plan-status when absent or unknown."""
        layout = "plan-status"
        if "layout" in head:
            named = self.text(head["layout"], p + ("layout",))
            if named is not None and named not in LAYOUTS:
                # a misspelt layout used to print silently as plan-status
                hint = closest(named, LAYOUTS)
                self.err(p + ("layout",), f"unknown layout '{clip(named, 40)}'"
                         + (f" (did you mean '{hint}'?)" if hint else f"; layouts are {', '.join(LAYOUTS)}"))
            elif named:
                layout = named
        return layout

    def column_fields(self, columns: list[Column], sections: list[Section], p: PathKey) -> None:
        """Every column prints a field that exists: built in, or in some item's or entry's fields."""
        known = set(BUILTIN_FIELDS)
        for s in sections:
            for _g, item in s.iter_items():
                known.update(item.fields)
                for e in item.entries:
                    known.update(e.fields)
        for i, col in enumerate(columns):
            if col.field not in known:
                self.err(p + ("columns", i, "field"),
                         f"'{col.field}' is neither a built-in field nor in any item's fields")

    def scale(self, value: Any, path: PathKey) -> MarkScale | None:
        """report.marks: a built-in scale's name or an inline scale {name, symbols, not_assessed}."""
        if isinstance(value, str):
            if value in BUILTIN_SCALES:
                return BUILTIN_SCALES[value]
            self.err(path, f"unknown mark scale '{clip(value, 40)}'; built-in scales are {', '.join(BUILTIN_SCALES)}")
            return None
        if not isinstance(value, dict):
            self.err(path, f"expected a scale name ({', '.join(BUILTIN_SCALES)}) or an inline scale "
                           f"{{name, symbols}}, got {self.kind(value, path)}")
            return None
        m = self.mapping(value, path, ("name", "symbols", "not_assessed"), ("name", "symbols"))
        if m is None:
            return None
        name = self.text(m.get("name"), path + ("name",)) if "name" in m else None

        def symbol(v: Any, sp: PathKey) -> MarkSymbol | None:
            d = self.mapping(v, sp, ("symbol", "label"), ("symbol",))
            if d is None or "symbol" not in d:
                return None
            sym = self.text(d["symbol"], sp + ("symbol",))
            label = self.text(d.get("label", ""), sp + ("label",))
            if not sym:
                if sym == "":
                    self.err(sp + ("symbol",), "a symbol cannot be empty")
                return None
            return MarkSymbol(sym.strip(), label or "")

        symbols = self.each(m.get("symbols", []), path + ("symbols",), symbol) if "symbols" in m else []
        if "symbols" in m and not symbols:
            self.err(path + ("symbols",), "a scale needs at least one symbol")
        na = self.text(m["not_assessed"], path + ("not_assessed",)) if m.get("not_assessed") is not None else None
        if name is None or not symbols:
            return None
        return MarkScale(name, tuple(symbols), na.strip() if na else None)

    def column(self, value: Any, path: PathKey) -> Column | None:
        """One of report.columns: {field, label, width}."""
        d = self.mapping(value, path, ("field", "label", "width"), ("field",))
        if d is None or "field" not in d:
            return None
        name = self.text(d["field"], path + ("field",))
        label = self.text(d.get("label", ""), path + ("label",)) if d.get("label") is not None else ""
        width = None
        if d.get("width") is not None:
            width = self.text(d["width"], path + ("width",), allow_number=True)
            if width is not None and not _valid_width(width):
                self.err(path + ("width",), f'expected a width like "38%" or "40mm", got "{width}"')
                width = None
        return Column(name, label or "", width) if name else None


def _valid_width(width: str) -> bool:
    import re

    return re.fullmatch(r"\d+(\.\d+)?(%|mm|cm|pt|fr)", width.strip()) is not None
