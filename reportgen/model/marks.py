"""Mark scales (◎○△×…), look-alike normalisation and counting.

Offices type marks with whatever their IME offers: 〇 (kanji zero) instead of
○, ⊚ instead of ◎, a hyphen or a long-vowel mark instead of ―.  Counting and
validation only work if these are folded onto the scale's own symbols first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Mapping

if TYPE_CHECKING:  # pragma: no cover
    from .report import Report

#: Characters people use for "not assessed"; folded onto the scale's own symbol.
NOT_ASSESSED_LOOKALIKES = frozenset("-‐‑–—―ーｰ－−")

#: Look-alikes of real symbols.
_LOOKALIKES = {
    "〇": "○",  # U+3007 ideographic zero
    "◯": "○",  # U+25EF large circle
    "⭕": "○",
    "⊚": "◎",  # U+229A circled ring operator
    "Δ": "△",  # U+0394 Greek capital delta (text copied from PDFs)
    "∆": "△",  # U+2206 increment
    "✕": "×",
    "✖": "×",
    "ｘ": "×",
    "x": "×",
    "X": "×",
    "▢": "□",
    "☐": "□",
}


@dataclass(frozen=True)
class MarkSymbol:
    """One symbol of a scale and the legend text printed for it."""

    symbol: str
    label: str


@dataclass(frozen=True)
class MarkScale:
    """A set of marks an office uses; ``name`` refers to a built-in or inline scale."""

    name: str
    symbols: tuple[MarkSymbol, ...]
    not_assessed: str | None = None
    builtin: bool = False

    @property
    def allowed(self) -> tuple[str, ...]:
        """Every symbol a mark may take, the not-assessed one last."""
        syms = tuple(s.symbol for s in self.symbols)
        return syms + ((self.not_assessed,) if self.not_assessed else ())

    def normalise(self, raw: str) -> str | None:
        """Fold a typed mark onto this scale, or return None if it is not on it."""
        text = raw.strip()
        if text in self.allowed:
            return text
        folded = _LOOKALIKES.get(text, text)
        if folded in self.allowed:
            return folded
        if self.not_assessed and text in NOT_ASSESSED_LOOKALIKES:
            return self.not_assessed
        # ASCII/full-width letters for letter scales (ｓ → S).
        upper = text.upper().translate(_FULLWIDTH_ASCII)
        if upper in self.allowed:
            return upper
        return None

    def legend(self) -> str:
        """The legend line of the printed table: ◎（…）、○（…）."""
        return "、".join(f"{s.symbol}（{s.label}）" for s in self.symbols)

    def to_data(self) -> str | dict[str, object]:
        """The form written in a file: a built-in's name or the inline mapping."""
        if self.builtin:
            return self.name
        data: dict[str, object] = {
            "name": self.name,
            "symbols": [{"symbol": s.symbol, "label": s.label} for s in self.symbols],
        }
        if self.not_assessed is not None:
            data["not_assessed"] = self.not_assessed
        return data


_FULLWIDTH_ASCII = {ord(c): ord(c) - 0xFEE0 for c in "ＡＢＣＤＥＦＳ"}


def _scale(name: str, pairs: Iterable[tuple[str, str]], not_assessed: str | None) -> MarkScale:
    return MarkScale(name, tuple(MarkSymbol(s, l) for s, l in pairs), not_assessed, builtin=True)


BUILTIN_SCALES: Mapping[str, MarkScale] = {
    s.name: s
    for s in (
        _scale(
            "standard",
            # As seed 000 prints it, the 。 inside the brackets included.
            [("◎", "計画を大幅に上回る"), ("○", "計画通り"), ("△", "実施中又は計画を下回る。"), ("×", "未実施")],
            "―",
        ),
        _scale("quarterly", [("○", "計画通り"), ("△", "実施中又は計画を下回る")], "—"),
        _scale(
            "gunma",
            [
                ("◎", "目標を上回る"),
                ("○", "目標達成(計画通り)"),
                ("△", "目標未達成"),
                ("×", "未実施"),
                ("□", "未実施(これから実施)"),
            ],
            None,
        ),
        _scale(
            "evaluation",
            [
                ("S", "目標を大きく上回る"),
                ("A", "目標を上回る"),
                ("B", "概ね目標達成"),
                ("C", "目標達成に至らず"),
                ("D", "目標を大きく下回る"),
            ],
            None,
        ),
        _scale("achievement", [("達成", "達成"), ("未達成", "未達成")], None),
    )
}


@dataclass
class MarkCounts:
    """Counts per symbol for one part of a report (a section, the whole, KPI only)."""

    label: str
    counts: Counter[str] = field(default_factory=Counter)
    unmarked: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + self.unmarked


@dataclass
class MarkSummary:
    """What the mark-summary appendix and the tracker's summary block print."""

    scale: MarkScale
    sections: list[MarkCounts]
    whole: MarkCounts
    kpi: MarkCounts


def count_marks(report: Report) -> MarkSummary:
    """Count marks per section, for the whole report and for KPI entries only."""
    sections: list[MarkCounts] = []
    whole = MarkCounts("全体")
    kpi = MarkCounts("（再掲）KPI")
    for section in report.sections:
        per = MarkCounts(section.heading)
        for _group, _item, entry in section.iter_entries():
            targets = [per, whole] + ([kpi] if entry.kpi is not None else [])
            for counts in targets:
                if entry.mark is None:
                    counts.unmarked += 1
                else:
                    counts.counts[entry.mark] += 1
        sections.append(per)
    return MarkSummary(report.marks, sections, whole, kpi)
