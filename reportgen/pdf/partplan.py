"""Planning the parts of a parallel render (issue #6): which reports split, and where.

A report is split into runs of whole 分野 (:class:`Part`); :func:`plan_parts`
groups them so that the slowest part decides the wall time. Moved out of
:mod:`reportgen.pdf.parallel` (#14: one job per module).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..model.report import Report

#: Below this many entries a report renders in one process: starting workers,
#: a second copy of the fonts per part and the join cost more than they save.
MIN_ENTRIES = 60
#: From this many entries a report is rendered in parts even with one job, one
#: part after the other in this process: WeasyPrint keeps every laid-out page
#: until the PDF is written (1,000 entries: ~840 MB), a part only its own.
SPLIT_ENTRIES = 600

@dataclass(frozen=True)
class Part:
    """A run of consecutive 分野 rendered by one worker."""

    index: int
    #: 0-based indices into ``report.sections``.
    sections: tuple[int, ...]
    #: The first part: title block, date and preface stay visible.
    cover: bool
    #: Estimated cost (characters of its data), for scheduling longest first.
    weight: int = 0


@dataclass
class PartResult:
    """What a worker sends back: the part's PDF and where its anchors landed."""

    index: int
    pdf: bytes
    pages: int
    #: Anchor (``item-1-2``) → 0-based page index within the part.
    anchors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    #: A piece of a 分野 after its first (reportgen.partsync): its outline entries go under the 分野's.
    continues: bool = False


# --------------------------------------------------------------------------- planning


def parallel_reason(report: Report, jobs: int, pdf_variant: str | None = None) -> str | None:
    """None when ``report`` is to be rendered in parts; otherwise why it renders as one document.

    With ``jobs`` > 1 any plan-status report of :data:`MIN_ENTRIES` or more
    entries over two or more 分野 is split; with one job only reports of
    :data:`SPLIT_ENTRIES` or more (rendered part after part, to bound memory).
    """
    reason = split_reason(report, pdf_variant)
    if reason is not None:
        return reason
    entries = sum(1 for _ in report.iter_entries())
    if jobs <= 1 and entries < SPLIT_ENTRIES:
        return f"one job and {entries} entries (split from {SPLIT_ENTRIES} to bound memory)"
    if entries < MIN_ENTRIES:
        return f"{entries} entries (parallel from {MIN_ENTRIES})"
    return None


def split_reason(report: Report, pdf_variant: str | None = None) -> str | None:
    """None when ``report`` *can* be rendered in parts (whatever its size); otherwise why not.

    The part cache (:mod:`reportgen.pdf.partcache`) splits every such report, so
    that an edit re-lays one 分野.
    """
    from ..layouts.registry import layout_spec

    if pdf_variant is not None:
        return f"{pdf_variant} needs one structure tree"
    reason = layout_spec(report.layout).parts
    if reason is not None:
        return reason
    if len(report.sections) < 2:
        return "a single 分野 (no split point)"
    return None


#: At most this many parts per job run at the same time (memory: each part
#: holds its own laid-out pages until it is written).
MAX_PARTS_PER_JOB = 2
#: Fixed cost of one more part (a worker, the repeated page header, a font
#: subset before the join), as a share of the whole report's cost. It makes the
#: planner prefer fewer parts when more would not shorten the run.
PART_COST = 0.02


def plan_parts(report: Report, jobs: int, data: dict[str, Any] | None = None) -> list[Part]:
    """Consecutive 分野 grouped into parts whose slowest decides the wall time.

    A part's cost is estimated by the size of its data (text, tables); the
    first part also pays for the title block and preface. All parts run at the
    same time on ``jobs`` CPUs (:func:`reportgen.pdf.parallel.render_parts`), where the kernel shares
    the CPUs among them, so the wall time is about
    ``max(total / jobs, largest part)`` plus a small cost per part. Hence
    more parts than jobs when that balances better: three equal 分野 on two
    CPUs as three parts finish in half the time (two parts: ⅔ of it).
    """
    data = report.to_dict() if data is None else data
    raw = data.get("sections", [])
    count = len(report.sections)
    weights = [len(json.dumps(raw[i], ensure_ascii=False)) if i < len(raw) else 1 for i in range(count)]
    weights[0] += len(json.dumps(data.get("report", {}).get("preface", []), ensure_ascii=False))
    jobs = max(1, jobs)
    total = sum(weights)
    best: tuple[float, list[int]] | None = None
    for k in range(min(jobs, count), min(count, jobs * MAX_PARTS_PER_JOB) + 1):
        sizes = partition_sections(weights, k)
        largest, start = 0, 0
        for size in sizes:
            largest = max(largest, sum(weights[start:start + size]))
            start += size
        cost = max(total / jobs, largest) + k * PART_COST * total
        if best is None or cost < best[0]:
            best = (cost, sizes)
    assert best is not None
    parts = []
    start = 0
    for k, size in enumerate(best[1]):
        indices = tuple(range(start, start + size))
        parts.append(Part(k, indices, k == 0, sum(weights[i] for i in indices)))
        start += size
    return parts


def partition_sections(weights: list[int], parts: int) -> list[int]:
    """Sizes of ``parts`` consecutive groups of ``weights`` minimising the largest sum
    (dynamic programming; a report has a handful of 分野)."""
    n = len(weights)
    prefix = [0]
    for w in weights:
        prefix.append(prefix[-1] + w)
    inf = float("inf")
    # best[k][i]: smallest possible maximum for the first i weights in k groups
    best = [[inf] * (n + 1) for _ in range(parts + 1)]
    cut = [[0] * (n + 1) for _ in range(parts + 1)]
    best[0][0] = 0
    for k in range(1, parts + 1):
        for i in range(k, n + 1):
            for j in range(k - 1, i):
                cost = max(best[k - 1][j], prefix[i] - prefix[j])
                if cost < best[k][i]:
                    best[k][i], cut[k][i] = cost, j
    sizes = []
    i = n
    for k in range(parts, 0, -1):
        j = cut[k][i]
        sizes.append(i - j)
        i = j
    return sizes[::-1]
