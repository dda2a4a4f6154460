"""Model → plain data in the shape of a format-1 file.

Defaults are left out, so a file read and written back keeps its own shape;
``Report.from_dict(r.to_dict()) == r`` holds for every valid report.
"""

from __future__ import annotations

from typing import Any

from .report import (
    KPI,
    Block,
    BulletsBlock,
    Cell,
    Content,
    Entry,
    Group,
    Item,
    NoteBlock,
    Report,
    Section,
    Series,
    SeriesBlock,
    Table,
    TableBlock,
    TableCell,
    TextBlock,
)


def _put(d: dict[str, Any], key: str, value: Any, default: Any = None) -> None:
    if value != default:
        d[key] = value


def _cell(cell: Cell) -> Any:
    return cell.to_data() if isinstance(cell, TableCell) else cell


def table_to_dict(t: Table) -> dict[str, Any]:
    d: dict[str, Any] = {}
    _put(d, "caption", t.caption)
    if t.header:
        d["header"] = [[_cell(c) for c in row] for row in t.header]
    d["rows"] = [[_cell(c) for c in row] for row in t.rows]
    _put(d, "formats", t.formats)
    return d


def series_to_dict(s: Series) -> dict[str, Any]:
    d: dict[str, Any] = {}
    _put(d, "caption", s.caption)
    d["kind"] = s.kind
    _put(d, "cumulative", s.cumulative, False)
    d["format"] = s.format
    _put(d, "total", s.total, "auto")
    if s.extra is not None:
        d["extra"] = {"label": s.extra.label, "values": list(s.extra.values)}
    _put(d, "chart", s.chart)
    _put(d, "total_label", s.total_label)
    d["rows"] = [{"label": r.label, "values": list(r.values), **({} if r.total is None else {"total": r.total})}
                 for r in s.rows]
    return d


def block_to_dict(b: Block) -> dict[str, Any]:
    d: dict[str, Any] = {}
    _put(d, "heading", b.heading)
    if isinstance(b, TextBlock):
        if b.text or b.heading is None:
            d["text"] = b.text
    elif isinstance(b, NoteBlock):
        d["note"] = b.text
    elif isinstance(b, BulletsBlock):
        d["bullets"] = list(b.items) if b.bullet == "・" else {"bullet": b.bullet, "items": list(b.items)}
    elif isinstance(b, TableBlock):
        d["table"] = table_to_dict(b.table)
    elif isinstance(b, SeriesBlock):
        d["series"] = series_to_dict(b.series)
    return d


def content_to_data(c: Content) -> Any:
    return c if isinstance(c, str) else [block_to_dict(b) for b in c]


def kpi_to_dict(k: KPI) -> dict[str, Any]:
    d: dict[str, Any] = {"text": k.text}
    _put(d, "target", k.target)
    d["direction"] = k.direction
    _put(d, "format", k.format, "text")
    _put(d, "prior", k.prior)
    _put(d, "actual", k.actual)
    _put(d, "achieved", k.achieved, "auto")
    if k.national is not None:
        n: dict[str, Any] = {}
        _put(n, "average", k.national.average)
        _put(n, "rank", k.national.rank)
        _put(n, "rank_prev", k.national.rank_prev)
        d["national"] = n
    if k.series is not None:
        d["series"] = series_to_dict(k.series)
    if k.next is not None:
        if k.next.target is None and k.next.text is not None:
            d["next"] = k.next.text
        else:
            nxt: dict[str, Any] = {}
            _put(nxt, "text", k.next.text)
            _put(nxt, "target", k.next.target)
            d["next"] = nxt
    return d


def entry_to_dict(e: Entry) -> dict[str, Any]:
    d: dict[str, Any] = {}
    _put(d, "number", e.number)
    if e.plan is not None:
        d["plan"] = content_to_data(e.plan)
    if e.status is not None:
        d["status"] = content_to_data(e.status)
    _put(d, "mark", e.mark)
    if e.kpi is not None:
        d["kpi"] = kpi_to_dict(e.kpi)
    if e.fields:
        d["fields"] = {k: content_to_data(v) for k, v in e.fields.items()}
    return d


def item_to_dict(i: Item) -> dict[str, Any]:
    d: dict[str, Any] = {}
    _put(d, "number", i.number)
    d["title"] = i.title
    _put(d, "tags", list(i.tags), [])
    _put(d, "labels", list(i.labels), [])
    _put(d, "owner", i.owner)
    if i.fields:
        d["fields"] = {k: content_to_data(v) for k, v in i.fields.items()}
    d["entries"] = [entry_to_dict(e) for e in i.entries]
    for key in ("overview", "actions", "next_plan"):  # measure-pages extensions, omitted when absent
        value = getattr(i, key)
        if value is not None:
            d[key] = content_to_data(value)
    return d


def group_to_dict(g: Group) -> dict[str, Any]:
    d: dict[str, Any] = {"title": g.title}
    _put(d, "owner", g.owner)
    d["items"] = [item_to_dict(i) for i in g.items]
    return d


def section_to_dict(s: Section) -> dict[str, Any]:
    d: dict[str, Any] = {}
    _put(d, "number", s.number)
    d["title"] = s.title
    if s.groups:
        d["groups"] = [group_to_dict(g) for g in s.groups]
    if s.items or not s.groups:
        d["items"] = [item_to_dict(i) for i in s.items]
    return d


def report_to_dict(r: Report) -> dict[str, Any]:
    head: dict[str, Any] = {
        "title": r.title,
        "organization": r.organization,
        "fiscal_year": r.fiscal_year,
        "period": r.period,
    }
    _put(head, "issued", r.issued)
    head["layout"] = r.layout
    head["marks"] = r.marks.to_data()
    if r.columns is not None:
        head["columns"] = [
            {k: v for k, v in (("field", c.field), ("label", c.label), ("width", c.width)) if v is not None}
            for c in r.columns
        ]
    _put(head, "appendix", list(r.appendix), [])
    if r.preface:
        head["preface"] = [block_to_dict(b) for b in r.preface]
    if r.legend is not None:  # print options (docs/FORMAT.md), left out when absent
        legend: dict[str, Any] = {"position": r.legend.position}
        _put(legend, "heading", r.legend.heading)
        _put(legend, "text", r.legend.text)
        head["legend"] = legend
    _put(head, "running_header", r.running_header)
    _put(head, "page_numbers", r.page_numbers)
    _put(head, "subtitle", r.subtitle)
    _put(head, "footer", r.footer)
    if r.approval is not None:
        head["approval"] = {"labels": list(r.approval.labels)}
    return {"format": r.format, "report": head, "sections": [section_to_dict(s) for s in r.sections]}
