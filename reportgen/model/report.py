"""The report as typed Python objects (format 1 of docs/FORMAT.md).

The model keeps what the user wrote (a plain string stays a string, a number
like "（１）" stays as typed) so that ``Report.from_dict(d).to_dict()`` gives the
file's data back; renderers ask for derived views (``blocks_of``, display
numbers, periods) instead of the model storing them twice.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, Literal, Union

from .marks import MarkScale

if TYPE_CHECKING:  # pragma: no cover
    from .calendar import Period
    from ..core.errors import Problem

Scalar = Union[str, int, float, None]


@dataclass
class TableCell:
    """A cell with a span or its own format; plain cells are just values."""

    value: Scalar
    span: tuple[int, int] = (1, 1)
    format: str | None = None

    def to_data(self) -> dict[str, Any]:
        d: dict[str, Any] = {"value": self.value}
        if self.span != (1, 1):
            d["span"] = list(self.span)
        if self.format is not None:
            d["format"] = self.format
        return d


Cell = Union[Scalar, TableCell]


@dataclass
class Table:
    header: list[list[Cell]]
    rows: list[list[Cell]]
    caption: str | None = None
    formats: list[str] | None = None


@dataclass
class SeriesRow:
    label: str
    values: list[Scalar]
    #: This row's own total (docs/FORMAT.md "Totals per row"): a
    #: literal figure, or auto/sum/mean/last/none; None = the series' ``total``.
    total: Scalar = None


@dataclass
class SeriesExtra:
    """Trailing column(s) after the total, e.g. 全国平均."""

    label: str
    values: list[Scalar]


@dataclass
class Series:
    """A monthly (4月…3月) or quarterly grid: a table shorthand."""

    rows: list[SeriesRow]
    caption: str | None = None
    kind: Literal["monthly", "quarterly"] = "monthly"
    cumulative: bool = False
    format: str = "int"
    total: Scalar = "auto"
    extra: SeriesExtra | None = None
    chart: str | None = None
    #: Header of the total column as printed (計, 累計, 平均, 通期); None = derived.
    total_label: str | None = None

    @property
    def slots(self) -> int:
        """How many value columns the grid has."""
        return 12 if self.kind == "monthly" else 4


@dataclass
class Block:
    """One piece of text content; ``heading`` is printed above it when set."""

    heading: str | None = field(default=None, kw_only=True)


@dataclass
class TextBlock(Block):
    text: str


@dataclass
class BulletsBlock(Block):
    items: list[str]
    bullet: str = "・"


@dataclass
class NoteBlock(Block):
    text: str


@dataclass
class TableBlock(Block):
    table: Table


@dataclass
class SeriesBlock(Block):
    series: Series


#: Content is kept as written: a plain string, or a list of blocks.
Content = Union[str, list[Block]]


def blocks_of(content: Content | None) -> list[Block]:
    """Content as blocks; a plain string is split into paragraphs on blank lines."""
    if content is None:
        return []
    if isinstance(content, str):
        paragraphs = [p.strip("\n") for p in content.replace("\r\n", "\n").split("\n\n")]
        return [TextBlock(p) for p in paragraphs if p.strip()]
    return list(content)


@dataclass
class National:
    average: float | None = None
    rank: int | None = None
    rank_prev: int | None = None


@dataclass
class KpiNext:
    """Next year's KPI as printed on a measure page (次年度 KPI).

    ``text`` is printed as written ("対前年度以上", "2024年度よりKPI設定なし");
    without it the ``target`` is printed with the KPI's format and direction.
    """

    text: str | None = None
    target: float | Literal["prior"] | None = None


@dataclass
class KPI:
    text: str
    target: float | Literal["prior"] | None = None
    direction: Literal[">=", "<="] = ">="
    format: str = "text"
    prior: Scalar = None
    actual: Scalar = None
    achieved: bool | Literal["auto"] = "auto"
    national: National | None = None
    series: Series | None = None
    #: Optional: next year's KPI (measure-pages layout, docs/FORMAT.md).
    next: KpiNext | None = None


@dataclass
class Entry:
    """One plan entry, its status, its mark and optionally its KPI."""

    plan: Content | None = None
    status: Content | None = None
    mark: str | None = None
    number: str | int | None = None
    kpi: KPI | None = None
    fields: dict[str, Content] = field(default_factory=dict)


@dataclass
class Item:
    """One measure (施策) with its entries."""

    title: str
    number: str | int | None = None
    tags: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    owner: str | None = None
    fields: dict[str, Content] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    #: Optional (measure-pages layout, docs/FORMAT.md): the measure's
    #: purpose printed under its KPI table, this year's main actions (主な取組み;
    #: the entries' status when absent) and next year's plan (次年度の計画).
    overview: Content | None = None
    actions: Content | None = None
    next_plan: Content | None = None

    @property
    def heading(self) -> str:
        """"（１）健全な財政運営【重要度：高】" as printed in the plan column."""
        number = "" if self.number is None else str(self.number)
        return number + self.title + "".join(f"【{t}】" for t in self.tags)


@dataclass
class Group:
    """A banner group inside a section: 〇サービス水準の向上(業務グループ)."""

    title: str
    owner: str | None = None
    items: list[Item] = field(default_factory=list)


@dataclass
class Section:
    title: str
    number: str | int | None = None
    groups: list[Group] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)

    @property
    def heading(self) -> str:
        """"1 基盤的保険者関係"; a number ending in its own punctuation ("１．",
        "（Ⅲ）") is followed by the title without a space, as written."""
        from .wording import heading_text

        return heading_text(self.number, self.title)

    def iter_items(self) -> Iterator[tuple[Group | None, Item]]:
        """Items directly under the section first, then those of each group."""
        for item in self.items:
            yield None, item
        for group in self.groups:
            for item in group.items:
                yield group, item

    def iter_entries(self) -> Iterator[tuple[Group | None, Item, Entry]]:
        for group, item in self.iter_items():
            for entry in item.entries:
                yield group, item, entry


@dataclass
class Column:
    field: str
    label: str = ""
    width: str | None = None


@dataclass
class Legend:
    """Where and how the mark legend prints (docs/FORMAT.md, "Print options").

    ``position``: "head" (above the header on every page), "foot" (once, under
    the table) or "none"; ``heading`` is printed before it ("【自己評価について】");
    ``text`` replaces the legend built from the scale, printed as written.
    """

    position: Literal["head", "foot", "none"] = "head"
    heading: str | None = None
    text: str | None = None


@dataclass
class Approval:
    """A seal box 決裁欄 printed at the top right of the first page
    (docs/FORMAT-extensions.md, "Subtitle, footer and seal box"): one column
    per label (支部長, 部長, ...) with an empty cell under each for the 印."""

    labels: list[str]


#: Page number styles: "n / N" (default), "n", or none at all.
PAGE_NUMBER_STYLES = ("n / N", "n", "none")


BUILTIN_FIELDS = ("section", "number", "title", "plan", "status", "mark", "kpi", "owner", "rank")


@dataclass
class Report:
    """A whole report: metadata, mark scale, front matter and sections."""

    title: str
    organization: str
    fiscal_year: int
    marks: MarkScale
    period: str = "annual"
    issued: _dt.date | None = None
    layout: str = "plan-status"
    columns: list[Column] | None = None
    appendix: list[str] = field(default_factory=list)
    preface: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    format: int = 1
    #: Print options (docs/FORMAT.md): the legend's place, a running
    #: header printed at the top of every page, the page number style.
    legend: Legend | None = None
    running_header: str | None = None
    page_numbers: str | None = None
    #: Printed under the title, at the foot of every page, and a seal box on the
    #: first page (docs/FORMAT-extensions.md, "Subtitle, footer and seal box").
    subtitle: str | None = None
    footer: str | None = None
    approval: Approval | None = None

    @property
    def period_info(self) -> Period:
        from .calendar import Period

        return Period.parse(self.period)

    @property
    def months_reached(self) -> int:
        """Months of the fiscal year the period reaches (Q1 → 3, annual → 12): the
        months a grid prints.  12 when the period cannot be read (a report built in
        Python and not validated yet), so nothing is left out."""
        try:
            return self.period_info.months_reached(self.fiscal_year)
        except ValueError:
            return 12

    def iter_entries(self) -> Iterator[tuple[Section, Group | None, Item, Entry]]:
        for section in self.sections:
            for group, item, entry in section.iter_entries():
                yield section, group, item, entry

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "<dict>") -> Report:
        """Build and validate a report from plain data; raises ReportError."""
        from ..inputs.validate import build_report

        return build_report(data, source=source)

    def validate(self) -> list[Problem]:
        """Every problem of this object, with field paths (``sections[0].items[0].entries[0].mark``).

        An empty list means every renderer accepts it. Objects built or changed in
        Python are checked like a file (:mod:`reportgen.inputs.objects`); renderers run
        the same check first and raise ReportError with these problems.
        """
        from ..inputs.objects import object_problems

        return object_problems(self)

    @classmethod
    def from_records(cls, rows: Any, *, source: str = "<records>", **report_fields: Any) -> Report:
        """Build and validate a report from table rows, one entry per row; raises ReportError.

        ``rows`` is any iterable of mappings (``csv.DictReader``,
        ``DataFrame.to_dict("records")``) with the columns of
        :data:`reportgen.inputs.records.COLUMNS` (分野, 施策, 計画, 実施状況, 評価 …);
        ``report_fields`` are the report's own (title, organization,
        fiscal_year, period, marks …). Empty cells, None and NaN are "no value".
        """
        from ..inputs.records import records_to_report

        return records_to_report(rows, source=source, **report_fields)

    def to_dict(self) -> dict[str, Any]:
        """The plain data of this report, in the shape of a format-1 file."""
        from .serialize import report_to_dict

        return report_to_dict(self)
