"""KPI and series: the figures of the format (docs/FORMAT.md, "KPI" and "Series").

A layer of the validator (:mod:`reportgen.inputs.validate`) over the values of
:mod:`reportgen.inputs.validate_values`: a figure is a number, a time "H:MM", a
date or a text by the format of its KPI or series, and a series holds at most
its 12 months or 4 quarters.  Series stand here rather than with the other
content blocks because a KPI holds one too.
"""

from __future__ import annotations

from typing import Any

from ..core.locations import PathKey, is_finite_number
from ..model.numbers import parse_time
from ..model.report import KPI, KpiNext, National, Series, SeriesExtra, SeriesRow
from .validate_values import ValueRules, value_kind


class KpiRules(ValueRules):
    """KPI (target, prior, actual, national figures, next year's KPI) and series."""

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
                    self.err(path, str(exc) if len(value) <= 40 else f"expected a time written H:MM, got {value_kind(value)}")
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
                self.err(vp, f"expected a list of values, got {value_kind(v)}")
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
