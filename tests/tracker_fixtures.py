"""Hand-made 進捗状況 workbooks for the importer tests (seed 004, transcribed).

The data below is a transcription of the Gunma R5 tracker (seed 004: items
1–4, 6–9, 12 and 24 with their grids, marks and ranks).  ``build_tracker``
lays it out the way offices do by hand — title and date rows, the header
wherever asked, optional blank spacer columns, merged area / 項番 / 事業 /
実施概要 cells, the header and area label repeated per printed page, a
summary and legend block at the bottom — so each test can ask for another
shape of the same content.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

PCT100 = ["100%"] * 12


@dataclass
class Grid:
    corner: str
    rows: list[tuple[str, list[Any], Any, Any]]       # label, 12 values, total, extra
    total_label: str | None = None
    extra_label: str | None = None
    number_format: str | None = None                  # for numeric cells written as numbers


@dataclass
class Entry:
    plan: str | None
    status: list[str | Grid] = field(default_factory=list)
    mark: str | None = None
    rank: str | None = None


@dataclass
class Item:
    number: int
    title: str
    tags: list[str]
    entries: list[Entry]
    labels: list[str] = field(default_factory=list)


@dataclass
class Banner:
    text: str
    items: list[Item]


@dataclass
class Area:
    number: str
    title: str
    banners: list[Banner]


R4_1 = [("傷病手当金", [2657, 2826, 2870, 2284, 2560, 2881, 4305, 3653, 3439, 2704, 3297, 4002], 37478, None),
        ("出産手当金", [196, 242, 241, 208, 249, 233, 262, 282, 268, 213, 270, 289], 2953, None),
        ("出産一時金", [41, 45, 33, 21, 38, 33, 46, 44, 52, 37, 13, 33], 436, None)]
R5_1 = [("傷病手当金", [2481, 2411, 2278, 2020, 2253, 2316, 2719, 2429, 2372, 1999, 2292, 2392], 27962, None),
        ("出産手当金", [209, 286, 227, 244, 262, 239, 256, 232, 275, 218, 221, 234], 2903, None),
        ("出産一時金", [23, 73, 45, 60, 58, 56, 58, 70, 42, 68, 63, 58], 674, None)]
DAYS_R4 = ["8.21", "7.84", "7.96", "8.77", "8.52", "8.72", "9.30", "9.01", "8.97", "8.93", "9.16", "9.09"]
DAYS_R5 = ["7.76", "6.70", "6.25", "6.38", "6.23", "6.45", "6.12", "5.96", "6.06", "6.17", "6.01", "6.23"]

SEED = [
    Area("1", "基盤的保険者機能関係", [
        Banner("〇サービス水準の向上(業務グループ)", [
            Item(1, "サービス水準の向上", ["重要度:高", "困難度:高"], [
                Entry("(1)現金給付の申請受付から支給までの標準期間(サービススタンダード:10日間)を遵守する。\n"
                      "【KPI】サービススタンダードの達成状況を100%とする。", [
                          "※インフォメーション>カテゴリー:業務関係のお知らせ>【業務】サービススタンダードの達成状況",
                          Grid("達成率", [("令和4年度", PCT100, "100%", None)], "計"),
                          Grid("令和4年度", [*R4_1, ("平均所要日数", DAYS_R4, "8.76", None)], "計"),
                          Grid("達成率", [("令和5年度", PCT100, "100%", None)], "計"),
                          Grid("令和5年度", [*R5_1, ("平均所要日数", DAYS_R5, "6.36", None)], "計"),
                      ], "⊚"),
                Entry("(2)加入者・事業主の利便性の向上や負担軽減の観点から、郵送による申請を促進する。\n"
                      "【KPI】現金給付等の申請に係る郵送化率を97.0%以上とする。", [
                          Grid("達成率", [
                              ("令和4年度", ["95.5%", "96.6%", "96.8%", "96.4%", "97.0%", "98.1%", "97.0%",
                                            "97.1%", "97.2%", "97.3%", "97.0%", "96.2%"], "96.9%", None),
                              ("窓口件数", [423, 393, 364, 332, 329, 413, 346, 386, 413, 440, 353, 451], 4643, None),
                              ("郵送件数", [7421, 7307, 7341, 6973, 7183, 6998, 7632, 8178, 7115, 7337, 7033, 7550],
                               88068, None),
                              ("令和5年度", ["94.6%", "94.9%", "95.3%", "95.5%", "95.6%", "94.4%", "95.7%",
                                            "95.5%", "94.5%", "94.3%", "95.2%", "94.4%"], "95.0%", None)], "累計"),
                          "・月に一度改善会議を開催し、職員が課題を認識できる環境を整備する。",
                      ], "Δ"),
                Entry("(3)お客様満足度調査、お客様の声に基づく加入者・事業主の意見や苦情等から支部の課題を見いだし、迅速に対応する。",
                      ["・お客様の声の共有(毎月)"], "○"),
            ]),
        ]),
        Banner("〇業務改革の推進(業務グループ)", [
            Item(2, "業務改革の推進", ["困難度:高"], [
                Entry("(1)山崩し方式の実践に継続的に取組み、業務の標準化・効率化・簡素化を推進する。\n"
                      "(2)職員の意識改革の促進を図り、生産性の向上を推進する。",
                      ["山活月次報告6/14(水)実施", "山活月次報告7/12(水)実施", "山活月次報告8/9(水)実施"], "〇"),
            ]),
        ]),
        Banner("〇現金給付の適正化の推進(業務グループ)", [
            Item(3, "現金給付の適正化の推進", [], [
                Entry("(1)標準化した業務プロセスを徹底し、審査業務の正確性と迅速性を高める。",
                      ["・傷病手当金と障害年金等との併給調整を実施している。"], "○"),
                Entry("(4)柔道整復施術療養費について、多部位かつ頻回の申請について文書照会を強化する。\n"
                      "【KPI】柔道整復施術療養費の申請に占める、施術箇所3部位以上、かつ月15日以上の施術の申請の割合について対前年度以下とする。", [
                          "照会件数 465件 照会率 294.3%",
                          Grid("単月", [
                              ("令和4年度", [0.96, 1.02, 0.86, 0.84, 1.05, 0.99, 0.94, 1.08, 1.00, 0.79, 0.90, 0.90],
                               None, None),
                              ("令和5年度", [0.94, 1.00, 0.84, 0.88, 0.95, 0.94, 1.11, 1.09, 1.16, 1.07, 0.99, 0.99],
                               None, None)], number_format="0.00"),
                          Grid("累計", [
                              ("令和4年度", [0.96, 0.99, 0.95, 0.92, 0.95, 0.95, 0.95, 0.97, 0.97, 0.95, 0.95, 0.94],
                               None, None),
                              ("令和5年度", [0.94, 0.97, 0.93, 0.91, 0.92, 0.93, 0.95, 0.97, 0.99, 1.00, 1.00, 1.00],
                               None, None)], number_format="0.00"),
                      ], "△"),
            ]),
        ]),
        Banner("〇限度額適用認定証の利用促進(業務グループ)", [
            Item(4, "限度額適用認定証の利用促進", [], [
                Entry("(1)オンライン資格確認の進捗状況も踏まえつつ、引き続き事業主や健康保険委員への広報を行う。",
                      ["・医療機関に向けたオンライン資格確認の案内(6/20発送)161医療機関"], "◎"),
                Entry("(2)医療機関の窓口で自己負担額を確認できる制度について、積極的に周知を図る。", [
                    Grid("申請件数", [
                        ("令和4年度", ["1,969", "1,838", "2,009", "1,860", "1,996", "1,772", "1,754", "1,779",
                                      "1,509", "1,759", "1,602", "1,781"], "21,808", None),
                        ("令和5年度", ["1,576", "1,569", "1,609", "1,471", "1,405", "1,202", "1,111", "968",
                                      "904", "1,035", "944", "913"], "14,778", None)], "計"),
                ], "○"),
            ]),
        ]),
        Banner("〇効果的なレセプト点検の推進(レセプトグループ)", [
            Item(6, "効果的なレセプト点検の推進", ["困難度:高"], [
                Entry("(1)内容点検については、効果的なレセプト点検を推進する。", ["・点検員勉強会(毎月)"], "○"),
                Entry("【KPI】社会保険診療報酬支払基金と合算したレセプト点検の査定率について対前年度以上とする。", [
                    Grid("累計", [
                        ("令和4年度", [0.00174, 0.00191, 0.00195, 0.00203, 0.00198, 0.00193, 0.00189, 0.00187,
                                      0.00184, 0.00184, 0.00188, 0.00191], None, None),
                        ("令和5年度", [0.00179, 0.00191, 0.00204, 0.00213, 0.00233, 0.00240, 0.00245, 0.00245,
                                      0.00246, 0.00248, 0.00250, 0.00251], None, None)], number_format="0.000%"),
                ], "○", "46位 (前月46位)"),
                Entry("【KPI】協会けんぽの再審査レセプト1件当たりの査定額を対前年度以上とする。", [
                    Grid("累計", [
                        ("令和4年度", [4186, 4024, 3999, 4060, 3748, 3580, 3421, 3339, 3277, 3181, 3152, 3151],
                         None, None),
                        ("令和5年度", [2410, 2517, 2476, 2613, 2991, 3235, 3443, 3629, 3679, 3672, None, 3788],
                         None, None)], number_format="#,##0"),
                    "R6.3 実績額 累計108,338千円(前年同月169,615千円)▲61,276千円",
                ], "○", "47位 (前月47位)"),
            ]),
            Item(7, "適正受診の啓発と勧奨", [], [
                Entry("レセプトが20枚/月以上となる多受診者に対して、適正受診を促す。",
                      ["令和6年3月現在(対応中10名)(前年同月5名)→3月通知文書送付(1件)"], "○"),
            ]),
        ]),
        Banner("〇返納金債権の発生防止のための保険証回収強化、債権管理回収業務の推進(レセプトグループ)", [
            Item(8, "返納金債権の発生防止のための保険証回収強化、債権管理回収業務の推進", ["困難度:高"], [
                Entry("(1)保険証未回収者に対し、早期に返納催告を行う。", ["※債権進捗会議資料の通り。"]),
                Entry("【KPI】日本年金機構回収分も含めた資格喪失後1か月以内の保険証回収率を対前年度以上とする。", [
                    Grid("累計", [
                        ("令和4年度", ["94.18%", "92.78%", "91.16%", "90.72%", "89.76%", "89.25%", "91.23%",
                                      "90.70%", "90.21%", "89.97%", "89.63%", "89.32%"], None, "82.10%"),
                        ("令和5年度", ["92.84%", "91.49%", "89.85%", "89.11%", "88.48%", "88.06%", "87.77%",
                                      "87.18%", "86.36%", "85.81%", "85.27%", "85.15%"], None, None)],
                         extra_label="全国平均"),
                ], "Δ", "34位 (34位)"),
                Entry("【KPI】返納金債権(資格喪失後受診に係るものに限る。)の回収率を対前年度以上とする。", [
                    Grid("累計", [
                        ("令和4年度", ["4.57%", "8.84%", "13.22%", "16.41%", "17.76%", "31.70%", "32.50%",
                                      "33.17%", "51.72%", "50.62%", None, "68.55%"], None, None),
                        ("令和5年度", ["8.96%", "24.41%", "26.71%", "30.19%", "29.11%", "30.08%", "29.16%",
                                      "36.29%", "38.76%", "38.30%", "-", "53.98%"], None, "53.29%")],
                         extra_label="全国平均"),
                ], "△", "38位 (27位)"),
            ]),
        ]),
        Banner("〇オンライン資格確認の円滑な実施(企画総務グループ)", [
            Item(9, "オンライン資格確認の円滑な実施", ["重要度:高"], [
                Entry("(1)オンライン資格確認の円滑な実施のため、加入者へのマイナンバー登録の促進を行い、"
                      "加入者のマイナンバー収録率向上を図る。",
                      ["・マイナンバー未収録者への勧奨を実施した。"], "○"),
            ]),
        ]),
    ]),
    Area("2", "戦略的保険者機能関係", [
        Banner("〇第2期保健事業実施計画(データヘルス計画)の着実な実施(企画総務・保健グループ)", [
            Item(12, "特定健診実施率・事業者健診データ取得の向上", ["重要度:高", "困難度:高"], [
                Entry("特定健診実施率及び事業者健診データ取得率の向上のため、次の事業を効果的・効率的に実施する。\n"
                      "① 健診・保健指導カルテ等を活用した受診勧奨",
                      ["・支部の戦略会議での情報共有および事業所先の選定時に健診・保健指導カルテを活用した。"], "○"),
                Entry("② 生活習慣病予防健診実施機関・事業者健診データ作成機関の拡大",
                      ["・事業者健診データ作成医療機関は2機関増加して79機関に拡大した。"], "○"),
                Entry("【KPI】被保険者・被扶養者合わせて特定健診受診率を67.0%以上とする", ["資料2−1のとおり"]),
            ], ["インセンティブ関連"]),
        ]),
    ]),
    Area("3", "組織・運営体制関係", [
        Banner("〇組織・運営体制関係(全グループ)", [
            Item(24, "費用対効果を踏まえたコスト削減", [], [
                Entry("(4)消耗品使用量削減ならびに光熱費削減について、コスト意識の向上を図る。", [
                    "【超過勤務時間】",
                    Grid("単月", [
                        ("令和4年度", ["4:56", "4:05", "3:15", "2:42", "2:29", "3:48", "5:09", "4:08", "4:34",
                                      "5:06", "4:05", "4:28"], "4:04", None),
                        ("令和5年度", [dt.time(3, 5), dt.time(2, 13), dt.time(2, 15), dt.time(2, 57),
                                      dt.time(2, 13), dt.time(3, 46), dt.time(4, 48), dt.time(3, 10),
                                      dt.time(3, 44), dt.time(3, 50), dt.time(3, 59), dt.time(3, 49)],
                         dt.time(3, 19), None)], "平均", number_format="h:mm"),
                    "・経費節減対策の支部内回覧:4月実施(コピー用紙節減)",
                ], "△"),
            ]),
        ]),
    ]),
]

HEADER_LABELS = ("項番", "事業", "実施（手段スケジュール）概要",
                 "進捗状況（計画を下回る場合は、今後改善すべき点等）", "実施状況", "全国順位")


@dataclass
class Shape:
    """How the hand-made workbook is laid out."""

    sheet: str = "Sheet1"
    spacer: int = 0                     # blank columns before the table
    title: str | None = "令和5年度 群馬支部事業計画"
    date_row: bool = True               # a date under the title
    blank_rows: int = 0                 # more blank rows above the header
    header_breaks: bool = False         # header text with line breaks, half-width parentheses
    totals: str = "values"              # values | formulas | formulas-uncached
    page_repeat: bool = True            # header + area label repeated after each area's 3rd banner
    summary: bool = True
    areas: list[Area] | None = None
    number_below_tags: bool = False     # 項番 merged from the 事業 name down, the 【tags】 rows above it


@dataclass
class Built:
    path: Path
    cols: dict[str, int]
    header_row: int
    cells: dict[str, str] = field(default_factory=dict)      # named cells → coordinates


def build_tracker(path: Path, shape: Shape | None = None) -> Built:
    """Write a hand-made tracker of the seed-004 layout to ``path``."""
    shape = shape or Shape()
    wb = Workbook()
    ws = wb.active
    ws.title = shape.sheet
    s = shape.spacer
    col = {"area": 1 + s, "number": 2 + s, "title": 3 + s, "plan": 4 + s, "corner": 5 + s,
           "mark": 20 + s, "rank": 21 + s}
    months = [col["corner"] + 1 + k for k in range(12)]
    total_col, extra_col = col["corner"] + 13, col["corner"] + 14
    r = 1
    if shape.title:
        ws.cell(r, col["area"], shape.title)
        r += 1
    if shape.date_row:
        ws.cell(r, col["rank"], dt.date(2024, 4, 30))
        r += 1
    r += shape.blank_rows

    def header(row: int) -> None:
        labels = HEADER_LABELS
        if shape.header_breaks:
            labels = ("項\n番", "事 業", "実施(手段\nスケジュール)概要", "進捗状況(計画を下回る場合は、\n今後改善すべき点等)",
                      "実施\n状況", "全国\n順位")
        ws.cell(row, col["area"], labels[0])
        ws.merge_cells(start_row=row, start_column=col["area"], end_row=row, end_column=col["number"])
        ws.cell(row, col["title"], labels[1])
        ws.cell(row, col["plan"], labels[2])
        ws.cell(row, col["corner"], labels[3])
        ws.merge_cells(start_row=row, start_column=col["corner"], end_row=row, end_column=extra_col)
        ws.cell(row, col["mark"], labels[4])
        ws.cell(row, col["rank"], labels[5])

    header_row = r
    header(r)
    r += 1
    built = Built(path, {**col, "total": total_col, "extra": extra_col}, header_row)
    for area in shape.areas or SEED:
        area_top = r
        ws.cell(r, col["area"], f"{area.number}")
        r_area_label = r + 1
        banners_on_page = 0
        for banner in area.banners:
            if shape.page_repeat and banners_on_page == 3:
                # a new printed page: the header and the area label are typed again
                ws.merge_cells(start_row=r_area_label, start_column=col["area"], end_row=r - 1, end_column=col["area"])
                ws.cell(r_area_label, col["area"], area.title).alignment = Alignment(text_rotation=255)
                header(r)
                r += 1
                r_area_label = r
                area_top = r
                banners_on_page = 0
            banners_on_page += 1
            ws.cell(r, col["number"], banner.text)
            ws.merge_cells(start_row=r, start_column=col["number"], end_row=r, end_column=col["rank"])
            r += 1
            for item in banner.items:
                r = _item(ws, r, item, col, months, total_col, extra_col, shape, built)
        last = max(r - 1, r_area_label)
        if last > r_area_label:
            ws.merge_cells(start_row=r_area_label, start_column=col["area"], end_row=last, end_column=col["area"])
        ws.cell(r_area_label, col["area"], area.title).alignment = Alignment(text_rotation=255)
        _ = area_top
    if shape.summary:
        r += 1
        ws.cell(r, col["plan"], "全体")
        for k, (sym, n) in enumerate((("◎", 3), ("○", 20), ("△", 9), ("×", 0))):
            ws.cell(r + k, col["mark"], f"{sym} {n}")
        legend = ["◎:目標を上回る", "○:目標達成(計画通り)", "△:目標未達成", "×:未実施", "□:未実施(これから実施)"]
        for k, text in enumerate(legend):
            ws.cell(r + k, col["rank"], text)
        built.cells["summary"] = f"{get_column_letter(col['plan'])}{r}"
    wb.save(path)
    if shape.totals == "formulas":
        _cache_formula_values(path, built)
    return built


def _put(ws: Any, r: int, c: int, value: Any, number_format: str | None) -> None:
    cell = ws.cell(r, c, value)
    if number_format and not isinstance(value, str) and value is not None:
        cell.number_format = number_format
    elif isinstance(value, dt.time):
        cell.number_format = "h:mm"


def _item(ws: Any, r: int, item: Item, col: dict[str, int], months: list[int], total_col: int,
          extra_col: int, shape: Shape, built: Built) -> int:
    top = r
    for tag in item.tags:
        ws.cell(r, col["title"], f"【{tag}】")
        r += 1
    title_row = r
    for entry in item.entries:
        e_top = r
        for part in entry.status or [""]:
            if isinstance(part, str):
                ws.cell(r, col["corner"], part or None)
                ws.merge_cells(start_row=r, start_column=col["corner"], end_row=r, end_column=extra_col)
                r += 1
                continue
            ws.cell(r, col["corner"], part.corner or None)
            for k, c in enumerate(months):
                ws.cell(r, c, "4月まで" if False else f"{[4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3][k]}月")
            if part.total_label:
                ws.cell(r, total_col, part.total_label)
            if part.extra_label:
                ws.cell(r, extra_col, part.extra_label)
            r += 1
            for label, values, total, extra in part.rows:
                ws.cell(r, col["corner"], label)
                for c, v in zip(months, values):
                    _put(ws, r, c, v, part.number_format)
                if part.total_label:
                    if shape.totals in ("formulas", "formulas-uncached") and isinstance(total, (int, float)) \
                            and total is not None:
                        first, last = get_column_letter(months[0]), get_column_letter(months[-1])
                        how = "AVERAGE" if part.total_label == "平均" else "SUM"
                        ws.cell(r, total_col, f"={how}({first}{r}:{last}{r})")
                        built.cells.setdefault("formulas", "")
                        built.cells["formulas"] += f"{get_column_letter(total_col)}{r}={total};"
                    else:
                        _put(ws, r, total_col, total, part.number_format)
                if extra is not None:
                    ws.cell(r, extra_col, extra)
                built.cells.setdefault(f"{item.number}:{label}", f"{get_column_letter(months[0])}{r}")
                r += 1
        if entry.plan:
            ws.cell(e_top, col["plan"], entry.plan)
            if r - 1 > e_top:
                ws.merge_cells(start_row=e_top, start_column=col["plan"], end_row=r - 1, end_column=col["plan"])
        if entry.mark:
            ws.cell(e_top, col["mark"], entry.mark)
        if entry.rank:
            ws.cell(e_top, col["rank"], entry.rank)
            built.cells[f"rank{item.number}:{entry.rank}"] = f"{get_column_letter(col['rank'])}{e_top}"
    ws.cell(title_row, col["title"], item.title)
    label_rows = [r - 1 - k for k in range(len(item.labels)) if r - 1 - k > title_row]
    for label, row in zip(item.labels, label_rows):
        ws.cell(row, col["title"], label)
    title_last = min(label_rows, default=r) - 1
    if title_last > title_row:   # 事業 merged over the item's rows, as offices do
        ws.merge_cells(start_row=title_row, start_column=col["title"], end_row=title_last, end_column=col["title"])
    number_row = title_row if shape.number_below_tags else top
    ws.cell(number_row, col["number"], item.number)
    if r - 1 > number_row:
        ws.merge_cells(start_row=number_row, start_column=col["number"], end_row=r - 1, end_column=col["number"])
    return r


def _cache_formula_values(path: Path, built: Built) -> None:
    """Store the values Excel would have cached for the formulas openpyxl wrote."""
    wanted = dict(pair.split("=", 1) for pair in built.cells.get("formulas", "").split(";") if pair)
    raw = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                text = data.decode("utf-8")

                def fill(m: re.Match[str]) -> str:
                    ref = m.group(1)
                    if ref not in wanted:
                        return m.group(0)
                    return f'<c r="{ref}"{m.group(2)}><f>{m.group(3)}</f><v>{wanted[ref]}</v></c>'

                text = re.sub(r'<c r="([A-Z]+[0-9]+)"([^>]*)><f>([^<]*)</f><v\s*/?>(?:</v>)?</c>', fill, text)
                data = text.encode("utf-8")
            zout.writestr(info, data)
    path.write_bytes(out.getvalue())
