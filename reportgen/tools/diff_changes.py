"""The result of comparing two reports: one :class:`Change` per difference, in a :class:`ReportDiff`.

Changes are located in the report's own words (分野 / 施策 ②) and carry printed
values, so the terminal, HTML and PDF outputs (:mod:`reportgen.tools.diff_output`)
only lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model.report import Report

__all__ = ["KIND_LABELS", "NONE_TEXT", "Change", "ReportDiff", "period_text", "report_name"]

#: Printed for a value that is absent on one side.
NONE_TEXT = "（なし）"

#: Change kinds, in the order the summary line counts them.
KIND_LABELS = {
    "mark": "評価",
    "kpi": "KPI",
    "series": "系列",
    "status": "実施状況",
    "plan": "計画",
    "heading": "見出し・順序",
    "added": "追加",
    "removed": "削除",
}


@dataclass(frozen=True)
class Change:
    """One difference, located in the report's own words.

    ``kind`` is one of mark, kpi, series, status, plan, added, removed;
    ``where`` names the entry ("１ 基盤的保険者関係 / （２）サービス水準の向上 ②"),
    ``what`` the field ("評価", "KPI 実績"); ``old``/``new`` are printed values
    (None when there is none); ``note`` adds context ("(未達成 → 達成)", an excerpt).
    """

    kind: str
    where: str
    what: str
    old: str | None = None
    new: str | None = None
    note: str = ""
    details: tuple[tuple[str, str | None, str | None], ...] = ()

    @property
    def arrow(self) -> str:
        """"○ → △", or "" when the change has no before/after values."""
        if self.old is None and self.new is None:
            return ""
        return f"{self.old if self.old is not None else NONE_TEXT} → {self.new if self.new is not None else NONE_TEXT}"

    @property
    def detail_text(self) -> str:
        """Month-by-month changes of a series row: "6月 96.3％ → 96.4％、7月 （なし） → 96.6％"."""
        return "、".join(f"{label} {old or NONE_TEXT} → {new or NONE_TEXT}" for label, old, new in self.details)

    def text(self) -> str:
        """The change as one line of ``reportgen diff`` output."""
        parts = [self.what]
        if self.arrow:
            parts.append(self.arrow)
        if self.details:
            parts.append(self.detail_text)
        if self.note:
            parts.append(self.note)
        body = " ".join(p for p in parts if p)
        return f"{self.where}: {body}" if self.where else body


@dataclass
class ReportDiff:
    """Every change from ``old`` to ``new``, in the new report's order."""

    old: Report
    new: Report
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def of_kind(self, *kinds: str) -> list[Change]:
        return [c for c in self.changes if c.kind in kinds]

    @property
    def title(self) -> str:
        """"令和５年度 事業計画（埼玉支部） 第1四半期 → 第2四半期"."""
        return f"{report_name(self.new)} {period_text(self.old)} → {period_text(self.new)}"

    def summary(self) -> str:
        """"変更 12 件（評価 3、KPI 4、…）" or "変更はありません"."""
        if not self.changes:
            return "変更はありません"
        counts = [(label, len(self.of_kind(kind))) for kind, label in KIND_LABELS.items()]
        shown = "、".join(f"{label} {n}" for label, n in counts if n)
        return f"変更 {len(self.changes)} 件（{shown}）"



def report_name(report: Report) -> str:
    return f"{report.title}（{report.organization}）"


def period_text(report: Report) -> str:
    try:
        period = report.period_info
    except ValueError:
        return report.period
    label = period.label()
    if period.kind == "quarter":
        return f"{label}（{period.months_label()}）"
    return label
