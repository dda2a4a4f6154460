"""Validation of located data into the model, collecting every problem.

Each ``_x`` function checks one object of docs/FORMAT.md, records problems with
their path, and returns the model object (or None when it cannot be built).
Nothing stops at the first problem: a user fixing a file wants the whole list.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from typing import Any, Callable, TypeVar

from ..model.calendar import Period
from ..core.errors import Problem, ReportError
from ..core.locations import Located, PathKey, is_finite_number, printable
from ..layouts.registry import layout_names
from ..model.marks import BUILTIN_SCALES, MarkScale, MarkSymbol
from ..model.report import (
    BUILTIN_FIELDS,
    KPI,
    Approval,
    Block,
    BulletsBlock,
    Cell,
    Column,
    Content,
    Entry,
    Group,
    Item,
    KpiNext,
    Legend,
    National,
    PAGE_NUMBER_STYLES,
    NoteBlock,
    Report,
    Section,
    Series,
    SeriesBlock,
    SeriesExtra,
    SeriesRow,
    Table,
    TableBlock,
    TableCell,
    TextBlock,
)
from ..model.numbers import NumberFormat, parse_time
from ..core.text_rules import text_problem

T = TypeVar("T")

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
#: Longest text of one field, in characters (about 50 printed pages).
MAX_TEXT_CHARS = 100_000
#: Largest row or column span of a table cell.
MAX_SPAN = 100
#: Largest magnitude of a number (figures, series values, table cells): every
#: renderer can sum, scale (pct: ×100) and round a figure this large, and Excel
#: holds its digits exactly (15 significant digits).  1e308 passes as "finite"
#: yet overflows to inf in a sum or a percentage.
MAX_MAGNITUDE = 10**15
#: First date that can be printed in 和暦: Japan adopted the Gregorian calendar on 1873-01-01.
FIRST_DATE = _dt.date(1873, 1, 1)
#: Longest message, so that a huge value quoted in one stays readable.
_MAX_MESSAGE = 400


def _clip(text: str, limit: int = 20) -> str:
    return printable(text if len(text) <= limit else text[:limit] + "…")


def _kind(value: Any) -> str:
    """What a value is, as a message says it was found: 'the text "abc"'."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isnan(value):
        return "NaN (not a number)"
    if isinstance(value, float) and math.isinf(value):
        return "infinity" if value > 0 else "minus infinity"
    if isinstance(value, (int, float)):
        shown = str(value) if not isinstance(value, int) or abs(value) < 10**30 else f"{value:.3e}"
        return f"the number {shown}"
    if isinstance(value, str):
        return f'the text "{_clip(value)}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping (key: value pairs)"
    if isinstance(value, (_dt.date, _dt.datetime)):
        return f"the date {value.isoformat()}"
    return f"a value of type {type(value).__name__}"


def _number_hint(text: str) -> str:
    """Why a text that looks like a number is not one, and how to write it."""
    t = unicodedata.normalize("NFKC", text).strip()
    if t.endswith("%"):
        try:
            ratio = float(t[:-1].replace(",", "")) / 100
            return f"; write a percentage as a ratio: {round(ratio, 10):g} for {t}"
        except ValueError:
            return ""
    plain = t.replace(",", "")
    try:
        number = float(plain)
    except ValueError:
        try:
            number = float(int(plain, 0))  # 0o17, 0x1F: YAML 1.1 reads these as text
        except ValueError:
            return ""
    if not math.isfinite(number):
        return ""
    shown = f"{int(number)}" if number.is_integer() and abs(number) < 10**15 else f"{number:g}"
    if "," in t:
        return f"; write it without commas: {shown}"
    if t != text.strip():
        return f"; write it with half-width digits: {shown}"
    return f"; write it as the number {shown}"


def _bad_char(text: str) -> str | None:
    """Characters that cannot be data (controls, bidi controls, lone surrogates):
    the one rule of every input source, :func:`reportgen.core.text_rules.text_problem`."""
    return text_problem(text)


def _too_large(value: Any) -> str | None:
    """Why a finite number cannot be a figure: beyond ±:data:`MAX_MAGNITUDE`."""
    if abs(value) > MAX_MAGNITUDE:
        shown = f"{value:.6g}" if isinstance(value, float) or len(str(value)) > 20 else str(value)
        return f"the number {shown} is too large; numbers are limited to ±{MAX_MAGNITUDE:.0e} (10^15)"
    return None


class _Builder:
    def __init__(self, located: Located) -> None:
        self.loc = located
        self.problems: list[Problem] = []
        self.marks: MarkScale | None = None
        self.entries = 0

    # -- primitives -------------------------------------------------------
    def err(self, path: PathKey, message: str) -> None:
        message = printable(message)
        if len(message) > _MAX_MESSAGE:
            message = message[:_MAX_MESSAGE] + "…"
        self.problems.append(self.loc.problem(path, message))

    def kind(self, value: Any, path: PathKey) -> str:
        """``_kind`` plus, for YAML's yes/no/on/off, how the value was written."""
        if isinstance(value, bool):
            written = self.loc.written.get(tuple(path))
            if written is not None and written.lower() not in ("true", "false"):
                return (f"{written} (YAML reads an unquoted {written} as {str(value).lower()}; "
                        f'write "{written}" in quotes to mean the text)')
        return _kind(value)

    def mapping(self, value: Any, path: PathKey, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            some = ", ".join(allowed[:3])
            self.err(path, f"expected a mapping with keys such as {some}, got {self.kind(value, path)}")
            return None
        for key in value:
            if key not in allowed:
                hint = _closest(key, allowed)
                self.err(path + (key,), "unknown key" + (f" (did you mean '{hint}'?)" if hint
                                                         else f"; expected one of {', '.join(allowed)}"))
        for key in required:
            if key not in value:
                self.err(path, f"missing required key '{key}'")
        return value

    def text(self, value: Any, path: PathKey, *, allow_number: bool = False) -> str | None:
        if isinstance(value, str):
            bad = _bad_char(value)
            if bad:
                self.err(path, bad)
                return None
            if len(value) > MAX_TEXT_CHARS:
                self.err(path, f"the text is {len(value):,} characters long; the limit is {MAX_TEXT_CHARS:,}")
                return None
            # A carriage return is a line break (old Mac files, a "\r" escape, an Excel
            # cell): one kind of line break in the model, so a workbook cell read back
            # (XML turns CR into LF) compares equal to what was written.
            return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value
        if allow_number and is_finite_number(value):
            return str(value)
        self.err(path, f"expected text, got {self.kind(value, path)}")
        return None

    def number_or_text(self, value: Any, path: PathKey) -> str | int | None:
        """Numbers like 項番 may be written 1 or "（１）"; both print as written."""
        if isinstance(value, int) and not isinstance(value, bool):
            return self.bounded(value, path)
        return self.text(value, path)

    def texts(self, value: Any, path: PathKey) -> list[str]:
        if not isinstance(value, list):
            hint = f" (write [{_clip(value, 40)}] for a list of one)" if isinstance(value, str) else ""
            self.err(path, f"expected a list of texts, got {self.kind(value, path)}{hint}")
            return []
        out = [self.text(v, path + (i,), allow_number=True) for i, v in enumerate(value)]
        return [t for t in out if t is not None]

    def number(self, value: Any, path: PathKey, *, allow_none: bool = True) -> float | int | None:
        if value is None and allow_none:
            return None
        if is_finite_number(value):
            return self.bounded(value, path)
        if isinstance(value, float):
            self.err(path, f"expected a number, got {_kind(value)}; only finite numbers can be printed")
            return None
        hint = _number_hint(value) if isinstance(value, str) else ""
        self.err(path, f"expected a number, got {self.kind(value, path)}{hint}")
        return None

    def bounded(self, value: Any, path: PathKey) -> Any:
        """A finite number within ±MAX_MAGNITUDE, or None (and a located problem)."""
        problem = _too_large(value)
        if problem:
            self.err(path, problem)
            return None
        return value

    def integer(self, value: Any, path: PathKey, what: str = "an integer") -> int | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self.err(path, f"expected {what}, got {self.kind(value, path)}")
        return None

    def boolean(self, value: Any, path: PathKey) -> bool:
        if isinstance(value, bool):
            return value
        self.err(path, f"expected true or false, got {self.kind(value, path)}")
        return False

    def choice(self, value: Any, path: PathKey, options: tuple[str, ...]) -> str | None:
        if isinstance(value, str) and value in options:
            return value
        self.err(path, f"expected one of {', '.join(options)}, got {self.kind(value, path)}")
        return None

    def fmt(self, value: Any, path: PathKey) -> str | None:
        spec = self.text(value, path)
        if spec is None:
            return None
        if len(spec) > 40:
            self.err(path, f"expected a format such as int:件 or pct:1, got {_kind(spec)}")
            return None
        try:
            NumberFormat.parse(spec)
        except ValueError as exc:
            self.err(path, str(exc))
            return None
        return spec

    def each(self, value: Any, path: PathKey, fn: Callable[[Any, PathKey], T | None]) -> list[T]:
        if not isinstance(value, list):
            self.err(path, f"expected a list (lines starting with '- '), got {self.kind(value, path)}")
            return []
        out = []
        for i, v in enumerate(value):
            built = fn(v, path + (i,))
            if built is not None:
                out.append(built)
        return out

    # -- report -----------------------------------------------------------
    def document(self, data: Any) -> Report | None:
        if not isinstance(data, dict):
            self.err((), f"expected a report (a mapping with format: 1, report: and sections:), got {_kind(data)}")
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
        fy = None
        if "fiscal_year" in head:
            fy = self.integer(head["fiscal_year"], p + ("fiscal_year",), "a Gregorian year such as 2023")
            if fy is not None and not 1873 <= fy <= 2200:
                self.err(p + ("fiscal_year",), f"year {fy} is out of range")
                fy = None
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
        issued = None
        if "issued" in head and head["issued"] is not None:
            issued = self.date(head["issued"], p + ("issued",))
        layout = "plan-status"
        if "layout" in head:
            named = self.text(head["layout"], p + ("layout",))
            if named is not None and named not in LAYOUTS:
                # a misspelt layout used to print silently as plan-status
                hint = _closest(named, LAYOUTS)
                self.err(p + ("layout",), f"unknown layout '{_clip(named, 40)}'"
                         + (f" (did you mean '{hint}'?)" if hint else f"; layouts are {', '.join(LAYOUTS)}"))
            elif named:
                layout = named
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
        if title is None or org is None or fy is None or marks is None:
            return None
        return Report(
            title=title, organization=org, fiscal_year=fy, marks=marks, period=period,
            issued=issued, layout=layout, columns=columns, appendix=appendix,
            preface=preface, sections=sections,
            legend=legend, running_header=running_header, page_numbers=page_numbers,
            subtitle=subtitle, footer=footer, approval=approval,
        )

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

    def date(self, value: Any, path: PathKey) -> _dt.date | None:
        found = self.calendar_date(value, path)
        if found is not None and found < FIRST_DATE:
            self.err(path, f"{found.isoformat()} is before Japan adopted the Gregorian calendar "
                           f"({FIRST_DATE.isoformat()}); it cannot be printed in 和暦")
            return None
        return found

    def calendar_date(self, value: Any, path: PathKey) -> _dt.date | None:
        if isinstance(value, _dt.datetime):
            return value.date()
        if isinstance(value, _dt.date):
            return value
        if isinstance(value, str):
            try:
                return _dt.date.fromisoformat(value)
            except ValueError:
                if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value.strip()):
                    y, m, d = (int(x) for x in value.strip().split("-"))
                    try:
                        return _dt.date(y, m, d)  # 2024-5-20, which YAML also reads as a date
                    except ValueError as exc:
                        self.err(path, f"there is no date {value.strip()} in the calendar ({exc})")
                        return None
        hint = ("; write the Western date such as 2024-05-20 (it is printed in 和暦)"
                if isinstance(value, str) and re.search("明治|大正|昭和|平成|令和|年", value) else "")
        self.err(path, f"expected a date YYYY-MM-DD, got {self.kind(value, path)}{hint}")
        return None

    def scale(self, value: Any, path: PathKey) -> MarkScale | None:
        if isinstance(value, str):
            if value in BUILTIN_SCALES:
                return BUILTIN_SCALES[value]
            self.err(path, f"unknown mark scale '{_clip(value, 40)}'; built-in scales are {', '.join(BUILTIN_SCALES)}")
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

    # -- sections and items -----------------------------------------------
    def section(self, value: Any, path: PathKey) -> Section | None:
        d = self.mapping(value, path, ("number", "title", "groups", "items"), ("title",))
        if d is None:
            return None
        title = self.title(d["title"], path + ("title",)) if "title" in d else None
        number = self.number_or_text(d["number"], path + ("number",)) if d.get("number") is not None else None
        groups = self.each(d["groups"], path + ("groups",), self.group) if "groups" in d else []
        items = self.each(d["items"], path + ("items",), self.item) if "items" in d else []
        if title is None:
            return None
        section = Section(title, number, groups, items)
        limit = getattr(self, "label_limit", None)
        if limit is not None:
            from ..layouts.view import section_label

            n = len(section_label(section, getattr(self, "layout", "plan-status")))
            if n > limit[0]:
                self.err(path + ("title",),
                         f"the 分野 title prints {n} characters in its vertical label; a {limit[1]:.0f} mm label "
                         f"column holds at most {limit[0]} on a page (shorten it or widen the section column)")
        return section

    def title(self, value: Any, path: PathKey) -> str | None:
        """A 分野, group or item title: text with something visible in it. A title of
        spaces printed as nothing and could not be told apart from a deleted one in
        the tracker (an empty 事業 cell), so the round trip failed."""
        title = self.text(value, path)
        if title is not None and not title.strip():
            self.err(path, "the title is blank (only spaces)")
            return None
        return title

    def section_label_limit(self, columns: list[Column] | None, layout: str) -> tuple[int, float] | None:
        """(characters, column mm) a vertical 分野 label holds on one A4 page, or None
        without a label column. A longer 分野 title used to print a blank page or
        crash the renderer (issue #12.4); it is refused with this limit instead."""
        from ..layouts.view import PAPERS, default_columns, label_capacity, resolve_columns

        try:
            resolved = resolve_columns(columns or default_columns(layout), PAPERS["A4"])
        except (KeyError, ValueError):
            return None
        width = sum(c.width_mm for c in resolved if c.field == "section")
        return (label_capacity(width), width) if width else None

    def group(self, value: Any, path: PathKey) -> Group | None:
        d = self.mapping(value, path, ("title", "owner", "items"), ("title",))
        if d is None:
            return None
        title = self.title(d["title"], path + ("title",)) if "title" in d else None
        owner = self.text(d["owner"], path + ("owner",)) if d.get("owner") is not None else None
        items = self.each(d.get("items", []), path + ("items",), self.item)
        return Group(title, owner, items) if title is not None else None

    def item(self, value: Any, path: PathKey) -> Item | None:
        d = self.mapping(value, path, ("number", "title", "tags", "labels", "owner", "fields", "entries",
                                       "overview", "actions", "next_plan"), ("title",))
        if d is None:
            return None
        title = self.title(d["title"], path + ("title",)) if "title" in d else None
        number = self.number_or_text(d["number"], path + ("number",)) if d.get("number") is not None else None
        tags = self.texts(d["tags"], path + ("tags",)) if "tags" in d else []
        labels = self.texts(d["labels"], path + ("labels",)) if "labels" in d else []
        owner = self.text(d["owner"], path + ("owner",)) if d.get("owner") is not None else None
        fields = self.fields(d["fields"], path + ("fields",)) if "fields" in d else {}
        entries = self.each(d.get("entries", []), path + ("entries",), self.entry)
        # measure pages (docs/FORMAT.md): text or blocks, like plan/status
        extra = {k: self.content(d[k], path + (k,)) if d.get(k) is not None else None
                 for k in ("overview", "actions", "next_plan")}
        if title is None:
            return None
        return Item(title, number, tags, labels, owner, fields, entries, **extra)

    def fields(self, value: Any, path: PathKey) -> dict[str, Content]:
        if not isinstance(value, dict):
            self.err(path, f"expected a mapping of field names to text, got {_kind(value)}")
            return {}
        out: dict[str, Content] = {}
        for k, v in value.items():
            c = self.content(v, path + (k,))
            if c is not None:
                out[k] = c
        return out

    def entry(self, value: Any, path: PathKey) -> Entry | None:
        d = self.mapping(value, path, ("number", "plan", "status", "mark", "kpi", "fields"))
        if d is None:
            return None
        self.entries += 1
        number = self.number_or_text(d["number"], path + ("number",)) if d.get("number") is not None else None
        plan = self.content(d["plan"], path + ("plan",)) if d.get("plan") is not None else None
        status = self.content(d["status"], path + ("status",)) if d.get("status") is not None else None
        mark = None
        if d.get("mark") is not None:
            raw = self.text(d["mark"], path + ("mark",))
            if raw is not None and self.marks is not None:
                mark = self.marks.normalise(raw)
                if mark is None:
                    self.err(path + ("mark",), f"'{_clip(raw)}' is not a mark of the '{self.marks.name}' scale "
                                               f"({' '.join(self.marks.allowed)})")
        kpi = self.kpi(d["kpi"], path + ("kpi",)) if d.get("kpi") is not None else None
        fields = self.fields(d["fields"], path + ("fields",)) if "fields" in d else {}
        return Entry(plan, status, mark, number, kpi, fields)

    def kpi(self, value: Any, path: PathKey) -> KPI | None:
        d = self.mapping(value, path, ("text", "target", "direction", "format", "prior", "actual",
                                       "achieved", "national", "series", "next"), ("text",))
        if d is None:
            return None
        text = self.text(d["text"], path + ("text",)) if "text" in d else None
        fmt = self.fmt(d.get("format", "text"), path + ("format",)) or "text"
        target: Any = None
        if d.get("target") is not None:
            target = "prior" if d["target"] == "prior" else (
                self.figure(d["target"], path + ("target",), fmt) if fmt == "time"
                else self.number(d["target"], path + ("target",)))
        direction = d.get("direction", ">=")
        if direction not in (">=", "<="):
            self.err(path + ("direction",), f'expected ">=" (以上) or "<=" (以下), got '
                                            f'{self.kind(direction, path + ("direction",))}')
            direction = None
        prior = self.figure(d.get("prior"), path + ("prior",), fmt)
        actual = self.figure(d.get("actual"), path + ("actual",), fmt)
        achieved: Any = d.get("achieved", "auto")
        if achieved != "auto" and not isinstance(achieved, bool):
            self.err(path + ("achieved",), f"expected auto, true or false, got {self.kind(achieved, path + ('achieved',))}")
            achieved = "auto"
        national = None
        if d.get("national") is not None:
            n = self.mapping(d["national"], path + ("national",), ("average", "rank", "rank_prev"))
            if n is not None:
                np = path + ("national",)
                national = National(
                    self.number(n.get("average"), np + ("average",)),
                    self.rank(n.get("rank"), np + ("rank",)),
                    self.rank(n.get("rank_prev"), np + ("rank_prev",)),
                )
        series = self.series(d["series"], path + ("series",)) if d.get("series") is not None else None
        if target == "prior" and "prior" not in d:
            self.err(path + ("target",), "target 'prior' needs a 'prior' figure")
        following = self.kpi_next(d["next"], path + ("next",), fmt) if d.get("next") is not None else None
        if text is None or direction is None:
            return None
        return KPI(text, target, direction, fmt, prior, actual, achieved, national, series,  # type: ignore[arg-type]
                   following)

    def kpi_next(self, value: Any, path: PathKey, fmt: str) -> KpiNext | None:
        """Next year's KPI: a text ("対前年度以上") or {text, target} (docs/FORMAT.md, "KPI")."""
        if isinstance(value, str):
            text = self.text(value, path)
            return KpiNext(text) if text is not None else None
        if not isinstance(value, dict):
            self.err(path, f"expected a text or a mapping with text and/or target, got {self.kind(value, path)}")
            return None
        d = self.mapping(value, path, ("text", "target"))
        if d is None:
            return None
        if d.get("text") is None and d.get("target") is None:
            self.err(path, "next year's KPI needs a 'text' or a 'target'")
            return None
        text = self.text(d["text"], path + ("text",), allow_number=True) if d.get("text") is not None else None
        target: Any = None
        if d.get("target") is not None:
            target = "prior" if d["target"] == "prior" else (
                self.figure(d["target"], path + ("target",), fmt) if fmt == "time"
                else self.number(d["target"], path + ("target",)))
        if text is None and target is None:
            return None
        return KpiNext(text, target)

    def rank(self, value: Any, path: PathKey) -> int | None:
        if value is None:
            return None
        r = self.integer(value, path, "a rank (1–47)")
        if r is not None and r < 1:
            self.err(path, "a rank starts at 1")
        elif r is not None and self.bounded(r, path) is None:
            return None
        return r

    def figure(self, value: Any, path: PathKey, fmt: str) -> Any:
        """A KPI figure or series value: a number, null, or "H:MM" for time."""
        if value is None:
            return None
        if fmt == "time":
            if isinstance(value, str):
                try:
                    parse_time(value)
                    return value
                except ValueError as exc:
                    self.err(path, str(exc) if len(value) <= 40 else f"expected a time written H:MM, got {_kind(value)}")
                    return None
            # A number would be taken for minutes by some parts and refused by others.
            self.err(path, f'expected a time written H:MM in quotes, such as "4:56", got {self.kind(value, path)}')
            return None
        if fmt == "date":
            return self.date(value, path)
        if fmt == "text":
            if is_finite_number(value):
                return self.bounded(value, path)
            if isinstance(value, float):
                return self.number(value, path)
            return self.text(value, path)
        return self.number(value, path)

    # -- content ----------------------------------------------------------
    def content(self, value: Any, path: PathKey) -> Content | None:
        if isinstance(value, str):
            return self.text(value, path)
        if isinstance(value, list):
            return self.blocks(value, path)
        self.err(path, f"expected text or a list of blocks, got {self.kind(value, path)}")
        return None

    def blocks(self, value: Any, path: PathKey) -> list[Block]:
        return self.each(value, path, self.block)

    def block(self, value: Any, path: PathKey) -> Block | None:
        kinds = ("text", "bullets", "note", "table", "series")
        d = self.mapping(value, path, kinds + ("heading",))
        if d is None:
            return None
        present = [k for k in kinds if k in d]
        heading = self.text(d["heading"], path + ("heading",)) if d.get("heading") is not None else None
        if len(present) != 1:
            if not present and heading is not None:
                return TextBlock("", heading=heading)
            if not present and any(k not in kinds + ("heading",) for k in d):
                return None  # the unknown key is the problem, already reported
            self.err(path, "a block needs exactly one of " + ", ".join(kinds)
                     + (f" (found {', '.join(present)})" if present else ""))
            return None
        kind = present[0]
        p = path + (kind,)
        v = d[kind]
        if kind in ("text", "note"):
            t = self.text(v, p, allow_number=True)
            if t is None:
                return None
            return TextBlock(t, heading=heading) if kind == "text" else NoteBlock(t, heading=heading)
        if kind == "bullets":
            if isinstance(v, dict):
                b = self.mapping(v, p, ("bullet", "items"), ("items",))
                if b is None or "items" not in b:
                    return None
                bullet = self.text(b.get("bullet", "・"), p + ("bullet",)) or "・"
                return BulletsBlock(self.texts(b["items"], p + ("items",)), bullet, heading=heading)
            return BulletsBlock(self.texts(v, p), heading=heading)
        if kind == "table":
            built = self.table(v, p)
            return TableBlock(built, heading=heading) if built else None
        s = self.series(v, p)
        return SeriesBlock(s, heading=heading) if s else None

    def cell(self, value: Any, path: PathKey, *, inner: bool = False) -> tuple[Cell, tuple[int, int]] | None:
        if isinstance(value, dict):
            if inner:
                self.err(path, "a cell's value must be a text or a number, not another cell")
                return None
            d = self.mapping(value, path, ("value", "span", "format"))
            if d is None:
                return None
            built = self.cell(d.get("value"), path + ("value",), inner=True)
            span = (1, 1)
            if "span" in d:
                sp = d["span"]
                if (isinstance(sp, list) and len(sp) == 2
                        and all(isinstance(x, int) and not isinstance(x, bool) and 1 <= x <= MAX_SPAN for x in sp)):
                    span = (sp[0], sp[1])
                else:
                    shown = (f"[{', '.join(_clip(x) if isinstance(x, str) else str(x) for x in sp)}]"
                             if isinstance(sp, list) and len(sp) <= 4 and all(not isinstance(x, (list, dict)) for x in sp)
                             else self.kind(sp, path + ("span",)))
                    self.err(path + ("span",), f"expected [rows, columns], two whole numbers from 1 to {MAX_SPAN}, "
                                               f"got {shown}")
            fmt = self.fmt(d["format"], path + ("format",)) if d.get("format") is not None else None
            val = built[0] if built else None
            return TableCell(val if not isinstance(val, TableCell) else val.value, span, fmt), span
        if value is None:
            return value, (1, 1)
        if is_finite_number(value):
            return (value, (1, 1)) if self.bounded(value, path) is not None else None
        if isinstance(value, float):
            self.err(path, f"expected a text or a number, got {_kind(value)}; only finite numbers can be printed")
            return None
        if isinstance(value, (_dt.date,)):
            return value.isoformat(), (1, 1)
        t = self.text(value, path)
        return (t, (1, 1)) if t is not None else None

    def grid(self, value: Any, path: PathKey, width: int | None) -> tuple[list[list[Cell]], int | None]:
        """Rows of cells; checks each row's width against ``width`` (spans counted)."""
        rows: list[list[Cell]] = []
        if not isinstance(value, list):
            self.err(path, f"expected a list of rows, got {_kind(value)}")
            return rows, width
        carry: dict[int, int] = {}  # column → rows still covered by a rowspan above
        for r, row in enumerate(value):
            rp = path + (r,)
            if not isinstance(row, list):
                self.err(rp, f"expected a row (a list of cells), got {_kind(row)}")
                continue
            cells: list[Cell] = []
            col = 0
            taken = {c for c, n in carry.items() if n > 0}
            for c, raw in enumerate(row):
                built = self.cell(raw, rp + (c,))
                while col in taken:
                    col += 1
                if built is None:
                    col += 1
                    continue
                cell, (rs, cs) = built
                cells.append(cell)
                for k in range(col, col + cs):
                    if rs > 1:
                        carry[k] = max(carry.get(k, 0), rs)
                col += cs
            while col in taken:
                col += 1
            row_width = max([col] + [c + 1 for c in taken])
            if width is None:
                width = row_width
            elif row_width != width:
                self.err(rp, f"row has {row_width} columns (spans counted); the header has {width}")
            carry = {c: n - 1 for c, n in carry.items() if n - 1 > 0}
            rows.append(cells)
        return rows, width

    def table(self, value: Any, path: PathKey) -> Table | None:
        d = self.mapping(value, path, ("caption", "header", "rows", "formats"), ("rows",))
        if d is None:
            return None
        caption = self.text(d["caption"], path + ("caption",)) if d.get("caption") is not None else None
        header_raw = d.get("header", [])
        if isinstance(header_raw, list) and header_raw and not any(isinstance(h, list) for h in header_raw):
            self.err(path + ("header",), "expected a list of header rows, e.g. [[年度, 件数]]")
            header_raw = []
        header, width = self.grid(header_raw, path + ("header",), None)
        rows, width = self.grid(d.get("rows", []), path + ("rows",), width)
        formats = None
        if d.get("formats") is not None:
            if isinstance(d["formats"], list):
                formats = [self.fmt(f, path + ("formats", i)) or "text" for i, f in enumerate(d["formats"])]
                if width is not None and len(formats) != width:
                    self.err(path + ("formats",), f"{len(formats)} formats for a table of {width} columns "
                                                  "(spans counted); give one format per column")
            else:
                self.err(path + ("formats",), f"expected a list of formats, got {_kind(d['formats'])}")
        return Table(header, rows, caption, formats)

    def series(self, value: Any, path: PathKey) -> Series | None:
        d = self.mapping(value, path, ("caption", "kind", "cumulative", "format", "total", "extra", "rows", "chart",
                                             "total_label"),
                         ("rows",))
        if d is None:
            return None
        caption = self.text(d["caption"], path + ("caption",)) if d.get("caption") is not None else None
        kind = self.choice(d.get("kind", "monthly"), path + ("kind",), ("monthly", "quarterly")) or "monthly"
        slots = 12 if kind == "monthly" else 4
        cumulative = self.boolean(d["cumulative"], path + ("cumulative",)) if "cumulative" in d else False
        fmt = self.fmt(d.get("format", "int"), path + ("format",)) or "int"
        total: Any = d.get("total", "auto")
        if isinstance(total, str) and total in ("auto", "sum", "mean", "last", "none"):
            pass
        else:
            total = self.figure(total, path + ("total",), fmt)
        chart = self.choice(d["chart"], path + ("chart",), ("line", "bar")) if d.get("chart") is not None else None
        total_label = (self.text(d["total_label"], path + ("total_label",))
                       if d.get("total_label") is not None else None)

        def values(v: Any, vp: PathKey, limit: int) -> list[Any]:
            if not isinstance(v, list):
                self.err(vp, f"expected a list of values, got {_kind(v)}")
                return []
            if len(v) > limit:
                what = "months April to March" if kind == "monthly" else "quarters"
                self.err(vp, f"{len(v)} values; a {kind} series has at most {limit} ({limit} {what})"
                         if vp[-2:-1] != ("extra",) else f"{len(v)} values; the extra column has at most {limit}, "
                                                         "one per row")
            return [self.figure(x, vp + (i,), fmt) for i, x in enumerate(v[:limit])]

        def row(v: Any, rp: PathKey) -> SeriesRow | None:
            r = self.mapping(v, rp, ("label", "values", "total"), ("label", "values"))
            if r is None or "label" not in r:
                return None
            label = self.text(r["label"], rp + ("label",), allow_number=True)
            vals = values(r.get("values", []), rp + ("values",), slots)
            row_total: Any = r.get("total")
            if not (isinstance(row_total, str) and row_total in ("auto", "sum", "mean", "last", "none")):
                row_total = self.figure(row_total, rp + ("total",), fmt)
            return SeriesRow(label, vals, row_total) if label is not None else None

        rows = self.each(d.get("rows", []), path + ("rows",), row)
        extra = None
        if d.get("extra") is not None:
            e = self.mapping(d["extra"], path + ("extra",), ("label", "values"), ("label", "values"))
            if e is not None and "label" in e:
                label = self.text(e["label"], path + ("extra", "label"))
                vals = values(e.get("values", []), path + ("extra", "values"), max(len(rows), 1))
                extra = SeriesExtra(label or "", vals)
        return Series(rows, caption, kind, cumulative, fmt, total, extra, chart,  # type: ignore[arg-type]
                      total_label)


def _valid_width(width: str) -> bool:
    import re

    return re.fullmatch(r"\d+(\.\d+)?(%|mm|cm|pt|fr)", width.strip()) is not None


def _closest(key: str, allowed: tuple[str, ...]) -> str | None:
    import difflib

    if len(str(key)) > 40:  # a pasted paragraph is no typo of a key (and difflib is slow on it)
        return None
    match = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.7)
    return match[0] if match else None


def build_located(located: Located) -> Report:
    """Validate located data into a Report, or raise ReportError with every problem."""
    builder = _Builder(located)
    report = builder.document(located.data)
    if builder.problems or report is None:
        if not builder.problems:
            builder.err((), "not a report")
        # In file order, as a user reads and fixes them.
        raise ReportError(sorted(builder.problems, key=lambda p: p.line or 0))
    return report


def build_report(data: Any, *, source: str = "<dict>") -> Report:
    """Validate plain data (no line information) into a Report."""
    return build_located(Located(data, source))


def revalidate(report: Report, source: str) -> Report:
    """The rules of the format applied again to a report built by other means.

    A workbook read back carries texts and marks typed into cells after
    validation; they must meet the same rules as a YAML file (controls, bidi
    controls, magnitudes…), so a workbook reader ends with this.  Problems are
    located by field path (``x.xlsx: sections[0]…status: …``).
    """
    return build_report(report.to_dict(), source=source)
