"""The sheet contract of the tracker workbook: what each column and row of it holds.

The writer lays the sheets out by these names and the readers
(:mod:`reportgen.xlsx.read`, :mod:`reportgen.xlsx.readback`) find their way
back by them: the sheet names, the columns of the printed sheet (with the
hidden helper columns that tag each row with its role), the row roles, the
データ header, and the exact texts of the 項番 / 事業 / banner / 全国順位 cells.
Kept apart so a reader depends on the contract, not on how the rows are built.
"""

from __future__ import annotations

from typing import Literal

from ..model.kpi import rank_text as kpi_rank_text
from ..model.report import Entry, Group, Item

Paper = Literal["A3", "A4"]

MAIN_SHEET = "進捗状況"
DATA_SHEET = "データ"
HIDDEN_SHEET = "_reportgen"
PAYLOAD_MAGIC = "reportgen-tracker"
PAYLOAD_VERSION = 1
#: JSON is stored in cells of this many characters (Excel's limit is 32,767).
PAYLOAD_CHUNK = 30_000

FONT_NAME = "BIZ UDゴシック"
#: Excel's largest cell text and row height.
MAX_CELL_CHARS = 32_767
MAX_ROW_PT = 409.0
#: Rows are split before this height so Excel's rounding never hits the limit.
SPLIT_ROW_PT = 400.0

# Font sizes (pt) as in the Gunma workbook: body 9, embedded grids 8, the
# header and banners 10, the title 14, marks large enough to read at a glance.
SIZE_TITLE = 14.0
SIZE_HEADER = 10.0
SIZE_BANNER = 10.0
SIZE_AREA = 12.0
SIZE_BODY = 9.0
SIZE_GRID = 8.0
SIZE_MARK = 14.0

# Columns of the main sheet (1-based).
COL_AREA = 1
COL_NUMBER = 2
COL_TITLE = 3
COL_PLAN = 4
COL_PROGRESS = 5        # first of the progress grid columns
PROGRESS_SLOTS = 15     # corner label, 12 months, total, extra
COL_MARK = COL_PROGRESS + PROGRESS_SLOTS   # 20 = T
COL_RANK = COL_MARK + 1                    # 21 = U
COL_KPI_FLAG = COL_RANK + 1                # 22 = V (hidden): 1 on a KPI entry's first row
COL_ENTRY_ID = COL_KPI_FLAG + 1            # 23 = W (hidden): E<n> on an entry's first row
COL_ROLE = COL_ENTRY_ID + 1                # 24 = X (hidden): what the row holds
LAST_PRINTED_COL = COL_RANK

WIDTHS: dict[int, float] = {
    COL_AREA: 4.5, COL_NUMBER: 7, COL_TITLE: 18, COL_PLAN: 42,
    COL_PROGRESS: 12, **{COL_PROGRESS + k: 7.5 for k in range(1, 13)},
    COL_PROGRESS + 13: 8.5, COL_PROGRESS + 14: 8.5,
    COL_MARK: 9, COL_RANK: 14, COL_KPI_FLAG: 4, COL_ENTRY_ID: 6, COL_ROLE: 6,
}

HEADER = (
    (COL_AREA, COL_NUMBER, "項番"),
    (COL_TITLE, COL_TITLE, "事業"),
    (COL_PLAN, COL_PLAN, "実施(手段スケジュール)概要"),
    (COL_PROGRESS, COL_MARK - 1, "進捗状況(計画を下回る場合は、今後改善すべき点等)"),
    (COL_MARK, COL_MARK, "実施状況"),
    (COL_RANK, COL_RANK, "全国順位"),
)

# Row roles in the hidden COL_ROLE column; xlsx_read relies on them.
ROLE_TITLE = "title"
ROLE_PREFACE = "preface"
ROLE_SUBTITLE = "subtitle"   # report.subtitle under the title; never read back
ROLE_HEADER = "header"
ROLE_BANNER = "banner"
ROLE_GRID = "grid"          # prefix; a grid row is never read back
ROLE_FILLER = "fill"
ROLE_EMPTY_STATUS = "s-"
ROLE_SUMMARY = "summary"
ROLE_GAP = "gap"
#: Status text rows are "s<block>" (body), "s<block>h" (heading), "s<block>c"
#: (table caption), with "~<k>" appended for the k-th continuation chunk.

DATA_HEADER = (
    "分野番号", "分野", "グループ", "担当", "項番", "事業", "枝番", "計画", "実施状況", "評価",
    "KPI", "KPI目標", "前年度実績", "実績", "達成状況", "全国順位", "前月順位",
)

#: Column of the hidden sheet listing the scale's symbols, for dropdowns that
#: cannot be written inline (a symbol with a comma or quote, or a long list).
SYMBOL_LIST_COL = 3


def banner_text(group: Group) -> str:
    """The banner row of a group: 〇 title (owner); the reader finds groups by it."""
    return "〇" + group.title + (f"({group.owner})" if group.owner else "")


def item_title(item: Item, group: Group | None) -> str:
    """事業 cell: title, then 【tags】, labels and the owner when no banner names it."""
    lines = [item.title]
    if item.tags:
        lines.append("".join(f"【{t}】" for t in item.tags))
    lines.extend(item.labels)
    if item.owner and (group is None or group.owner != item.owner):
        lines.append(f"（{item.owner}）")
    return "\n".join(lines)


def number_text(number: str | int | None) -> str:
    """項番 cell text as written."""
    return "" if number is None else str(number)


def rank_text(entry: Entry) -> str:
    """全国順位 cell of an entry (the KPI's national rank), as the reader compares it."""
    return kpi_rank_text(entry.kpi)
