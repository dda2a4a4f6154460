"""The items of the 分野 table: the title (a row of its own or the first paragraph
of the heading column), one row of cells per entry with its number ①②…, the
KPI lines, and the keep-together hints the page breaking relies on.

:class:`ItemBuilder` knows the resolved columns of one document; the measure
pages (:mod:`.measures`) and the KPI list (:mod:`.appendices`) use the same
entry numbers (:func:`entry_prefix`) and headings, so an item is called alike
everywhere it is printed.
"""

from __future__ import annotations

import re

from ..model.grids import entry_label, series_grid
from ..model.kpi import judgement, target_text
from ..model.kpi import rank_text as kpi_rank_text
from ..model.report import Entry, Item, Report, TextBlock, blocks_of
from .columns import ColumnView, default_columns
from .content import ViewContext, chart_view, content_view, format_cell, grid_view, share_column_widths, \
    split_leading_number
from .heights import LINE_HEIGHT, PAGE_BODY_MM, estimate_rows_pt, text_lines
from .units import PT_PER_MM, display_width
from .views import BlockView, Bullets, CellView, ChartView, ItemView, MiniTable, Para

__all__ = [
    "CONT_CHARS", "TITLE_PT", "ItemBuilder", "continuation_title", "entry_prefix", "kpi_column", "number_text",
]

#: Font size of the item titles (base.css: html 9.5pt).
TITLE_PT = 9.5
#: Characters of the title kept in the continuation band (the number comes on top).
CONT_CHARS = 20


def continuation_title(title: str, width_mm: float) -> str:
    """The band "（６）健康保険委員と連携した事業…（続き）" that opens every page an
    item continues on: the title, cut after :data:`CONT_CHARS` characters (and
    to one line of the band) when longer, so a long title does not fill the
    continuation page again."""
    text = " ".join(title.split())
    per_line = max(int(width_mm * PT_PER_MM / TITLE_PT) - 6, 4)
    limit = min(CONT_CHARS, per_line)
    if len(text) > limit + 4 or display_width(text) > per_line:
        cut = text[:limit]
        while display_width(cut) > per_line and len(cut) > 1:
            cut = cut[:-1]
        text = cut + "…"
    return text + "（続き）"


_ENDS_ALNUM = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]$")


def number_text(number: str | int | None) -> str:
    """An item number as printed before its title: "（１）" as written, 1 → "1 "."""
    if number is None:
        return ""
    text = str(number)
    return text + " " if _ENDS_ALNUM.search(text) else text


def entry_prefix(item: Item, index: int, entry: Entry) -> str:
    """The number printed before an entry: as written, ①②… when the item has
    several entries, nothing when the plan starts with a number of its own."""
    if entry.number is not None:
        return str(entry.number)
    if len(item.entries) > 1:
        first = next((b for b in blocks_of(entry.plan) if isinstance(b, TextBlock) and not b.heading), None)
        plan = first.text if first is not None and blocks_of(entry.plan)[0] is first else ""
        if plan and split_leading_number(plan)[0]:
            return ""  # the author numbered the text itself: (1)…
        return entry_label(None, index)
    return ""


def kpi_column(entry: Entry) -> list[BlockView]:
    """The KPI column of an entry: the KPI, then its target and figures."""
    kpi = entry.kpi
    if kpi is None:
        return []
    out: list[BlockView] = [Para(kpi.text, "KPI：", "kpi")]
    figures = []
    target = target_text(kpi)
    if target:
        figures.append(f"目標：{target}")
    if kpi.prior is not None:
        figures.append(f"前年度実績：{format_cell(kpi.prior, kpi.format)[0]}")
    if kpi.actual is not None:
        figures.append(f"今年度実績：{format_cell(kpi.actual, kpi.format)[0]}")
    figures.append(f"達成状況：{judgement(kpi)}")
    out.append(Para("\n".join(figures), "", "kpi-figures"))
    return out


class ItemBuilder:
    """Items of one document on its resolved columns: which column holds the
    heading, whether the title is a row of its own, and the entry numbers given
    so far (``prefixes``, read again by the KPI list)."""

    def __init__(self, report: Report, paper: str, style: str, ctx: ViewContext, columns: list[ColumnView],
                 total_mm: float) -> None:
        self.report = report
        self.paper = paper
        self.style = style
        self.ctx = ctx
        self.total_mm = total_mm
        self.fields = [c.field for c in columns]
        self.item_cols = [c for c in columns if c.field != "section"]
        item_fields = [c.field for c in self.item_cols]
        if "title" in item_fields:
            self.heading_field = "title"
        elif "plan" in item_fields:
            self.heading_field = "plan"
        else:
            self.heading_field = item_fields[0] if item_fields else ""
        default_fields = [c.field for c in default_columns(report.layout)]
        #: The title is a row of its own only in the default plan-status table (see item()).
        self.title_band = self.style == "plan-status" and self.fields == default_fields
        self.label_mm = sum(c.width_mm for c in columns if c.field == "section")
        self.body_mm = self.total_mm - self.label_mm
        self.page_pt = PAGE_BODY_MM[paper] * PT_PER_MM
        self.prefixes: dict[int, str] = {}  # id(entry) → printed number

    def item_heading(self, item: Item, with_tags: bool = True) -> str:
        number = "" if "number" in self.fields else number_text(item.number)
        tags = "".join(f"【{t}】" for t in item.tags) if with_tags else ""
        return number + item.title + tags

    def kpi_lines(self, entry: Entry) -> list[BlockView]:
        kpi = entry.kpi
        if kpi is None or "kpi" in self.fields:
            return []
        plan = entry.plan if isinstance(entry.plan, str) else ""
        if plan.lstrip().startswith(("【KPI】", "KPI：", "KPI:")):
            return []
        return [Para(kpi.text, "KPI：", "kpi")]

    def field_blocks(self, name: str, item: Item, entry: Entry, first: bool, avail: float) -> list[BlockView]:
        if name in entry.fields:
            return content_view(entry.fields[name], self.ctx, avail_mm=avail)
        if name in item.fields and first:
            return content_view(item.fields[name], self.ctx, avail_mm=avail)
        return []

    def cell(self, col: ColumnView, item: Item, index: int, entry: Entry | None) -> CellView:
        f = col.field
        first = index == 0
        cell = CellView(col.css)
        avail = col.content_mm
        labels: list[Para | Bullets | MiniTable | ChartView] = [Para("　".join(item.labels), "", "labels")] \
            if first and item.labels and f == self.heading_field else []
        if entry is None:
            cell.blocks = labels
            return cell
        prefix = self.prefixes.get(id(entry), "")
        if f == "plan":
            cell.blocks = labels + content_view(entry.plan, self.ctx, prefix, avail) + self.kpi_lines(entry)
            if not cell.blocks and prefix:
                cell.blocks = [Para("", prefix)]
        elif f == "status":
            blocks = content_view(entry.status, self.ctx, prefix, avail)
            if entry.kpi is not None and entry.kpi.series is not None:
                grid = series_grid(entry.kpi.series, self.ctx.reached, truncate=self.ctx.truncate)
                blocks.extend(grid_view(grid, avail, entry.kpi.series))
                chart = chart_view(entry.kpi.series, self.ctx, avail, entry.kpi)
                if chart is not None:
                    blocks.append(chart)
            cell.blocks = labels + blocks
        elif f == "mark":
            cell.mark = entry.mark or ""
            cell.width_mm = avail
            # 18pt for a symbol (10pt for words such as 未達成), smaller if the column is narrow
            wide = max(display_width(cell.mark), 1.0)
            cell.font_pt = round(min(18.0 if wide <= 1 else 10.0, avail * PT_PER_MM * 0.95 / wide), 1)
        elif f == "kpi":
            cell.blocks = labels + kpi_column(entry)
        elif f == "rank":
            cell.blocks = labels + ([Para(kpi_rank_text(entry.kpi))] if kpi_rank_text(entry.kpi) else [])
        elif f == "number":
            cell.blocks = labels  # the number is in the item's header row
        elif f == "owner":
            cell.blocks = labels + ([Para(item.owner)] if first and item.owner else [])
        elif f == "title":
            cell.blocks = labels
        else:
            cell.blocks = labels + self.field_blocks(f, item, entry, first, avail)
        share_column_widths(cell.blocks, avail)
        return cell

    def item(self, item: Item, anchor: str, banner: str | None) -> ItemView:
        heads: list[tuple[str, str]] = []
        for col in self.item_cols:
            if col.field == self.heading_field:
                text = self.item_heading(item)
            elif col.field == "status" and self.style == "plan-status":
                text = self.item_heading(item, with_tags=False)
            elif col.field == "number" and item.number is not None:
                heads.append((str(item.number), ""))
                continue
            else:
                heads.append(("", ""))
                continue
            heads.append((text, ""))
        for i, e in enumerate(item.entries):
            self.prefixes[id(e)] = entry_prefix(item, i, e)
        rows = []
        entries: list[Entry | None] = list(item.entries) or [None]
        for i, entry in enumerate(entries):
            rows.append([self.cell(col, item, i, entry) for col in self.item_cols])
        # The default plan-status table prints the title as a row of its own over
        # 計画内容 and 実施状況 (seed 000); every other column set starts all
        # columns at the row top, the title first in its own column (seed 002).
        title_row = self.title_band
        if not title_row and rows:
            k = next((i for i, c in enumerate(self.item_cols) if c.field == self.heading_field), 0)
            number = "" if "number" in self.fields else number_text(item.number)
            rest = item.title + "".join(f"【{t}】" for t in item.tags)
            rows[0][k].blocks.insert(0, Para(rest, number, "item-title"))
        if rows and rows[0]:
            rows[0][0].anchor = anchor
            rows[0][0].bookmark = number_text(item.number) + item.title
        cont = continuation_title(number_text(item.number) + item.title, self.body_mm)
        third = self.page_pt / 3
        keep = estimate_rows_pt(rows, self.item_cols, self.title_pt(heads) if title_row else 0.0) <= third
        # an entry row is split only when long: a third of a page for the first row
        # (it carries the title, which must not stay behind alone), a fifth for others
        row_keep = [estimate_rows_pt([row], self.item_cols) <= (third if i == 0 else self.page_pt / 5)
                    for i, row in enumerate(rows)]
        title_keep = title_row and self.title_pt(heads) <= third
        return ItemView(anchor, self.item_heading(item), heads, rows, banner, title_row, cont, keep, row_keep,
                        title_keep)

    def title_pt(self, heads: list[tuple[str, str]]) -> float:
        """Height of the title row (base.css: 9.5pt bold, 1.2mm + 0.3mm padding)."""
        lines = max((text_lines(text, TITLE_PT, c.content_mm) for (text, _), c in zip(heads, self.item_cols)),
                    default=1)
        return lines * TITLE_PT * LINE_HEIGHT + 1.5 * PT_PER_MM

    def item_pt(self, it: ItemView) -> float:
        """Estimated printed height of an item with its banner."""
        extra = self.title_pt(it.heads) if it.title_row else 0.0
        extra += (TITLE_PT * LINE_HEIGHT + 1.6 * PT_PER_MM) if it.banner else 0.0
        return estimate_rows_pt(it.rows, self.item_cols, extra)
