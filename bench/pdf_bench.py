"""PDF render benchmark (not a test): pages/s of reportgen vs plain WeasyPrint.

Generates plan-status reports of about 10, 100 and 400 entries with seed-like
text (long Japanese sentences, quarterly tables, 12-month series, bullets,
notes, KPIs), then measures

* reportgen: ``render_pdf(report, BytesIO)`` — view model, Jinja, layout with the
  shared font configuration, post-layout passes (（続き）, labels, marks), PDF;
* plain: ``weasyprint.HTML(string=html, base_url=…, url_fetcher=SafeFetcher())
  .write_pdf()`` on the very same HTML string (``render_html``), i.e. what
  WeasyPrint alone costs for this document;

and prints pages, seconds, pages/s and the ratio reportgen / plain.

Usage::

    python bench/pdf_bench.py                # 10, 100, 400 entries
    python bench/pdf_bench.py 10 100 --repeat 3
"""

from __future__ import annotations

import argparse
import io
import logging
import time
from typing import Any

PLANS = (
    "中長期的な視点による健全な財政運営に資するため、経済情勢の悪化による協会財政への影響が懸念される状況を踏まえ、支部評議会において丁寧な説明をした上で、保険料率に関する議論を行う。",
    "加入者や事業主に対して、ホームページや定期広報誌等において協会決算や今後の見通しに関する情報を提供する。",
    "適切な進捗管理を行い、サービススタンダード（受付日から 10 営業日以内の支払い）を遵守する。",
    "資格喪失処理後、早期に元加入者に対する文書催告を実施するとともに、被保険者証回収不能届を活用した保険証未回収者への返納催告業務を徹底する。",
    "ジェネリック医薬品に切り替えた場合の自己負担の軽減効果を通知するサービスを実施するほか、周知広報や工場見学などの啓発活動に取り組む。",
    "調達における競争性を高めるため、公告期間や納期までの期間の十分な確保、仕様書の見直し等の取組みを行う。",
)
STATUSES = (
    "５月の評議会において、令和４年度の事業実施状況および令和５年度の事業計画について報告。併せて「更なる保健事業の充実について」経緯および健診負担額軽減について報告。\n7 月の評議会において、令和 4 年度決算（見込み）について報告。",
    "繁忙期における混雑予想を HP に掲載し、混雑緩和を図った。郵送化率は 96.5％、申請件数は 2,974件（令和5年度）であった。",
    "限度額適用認定証の利用促進に係るリーフレット等を希望する医療機関あてに送付。業務グループからの様式変更に関する周知文書の送付が影響し、送付件数が増加した。",
    "ジェネリック医薬品軽減額通知サービス（第 1 回）を 8 月下旬に発送。対象年齢ごとにリーフレットの内容を変えて送付。",
)
BULLETS = (
    "新規加入事業所を対象とした説明会を開催（６月３０日、9 月 12 日、12 月 15 日、３月６日）、その中で更なる保健事業の充実、各種給付の制度などについて説明。",
    "「健康保険委員だより（８月臨時号）」、「埼玉だより（９月号）」において、令和 4 年度決算概要を掲載し、加入者や事業主に対して、協会けんぽの保険財政や業務運営に関する周知広報を実施。",
)
SECTIONS = ("基盤的保険者関係", "戦略的保険者機能関係", "組織・運営体制関係")
ITEM_TITLES = ("健全な財政運営", "サービス水準の向上", "返納金債権発生防止のための保険証回収強化",
               "ジェネリック医薬品のさらなる使用促進", "特定保健指導の実施率及び質の向上", "費用対効果を踏まえた支部運営")
FW = "０１２３４５６７８９"


def _fw(n: int) -> str:
    return "".join(FW[int(d)] for d in str(n))


def _status(k: int) -> Any:
    text = STATUSES[k % len(STATUSES)]
    kind = k % 5
    if kind == 0:
        return [{"text": text}, {"table": {
            "caption": "保険証催告の実施状況",
            "header": [["", "第1四半期\n4～6月", "第2四半期\n7～9月", "第3四半期\n10～12月", "第4四半期\n1～3月",
                        "通期\n4～3月", "【参考】R4\n年度実績"]],
            "rows": [["文書\n（１次.２次）", 27475 + k, 20244, 19635, 24266, 91620 + k, 86544],
                     ["電話等\n（元加入者）", 1162, 811, 439, 180, 2592, 2879],
                     ["回収率", 0.8431, 0.7864, 0.8050, 0.7582, 0.8015, 0.8538]],
            "formats": ["text"] + ["int:件"] * 6}}]
    if kind == 1:
        return [{"text": text}, {"series": {"caption": "郵送化率", "kind": "monthly", "format": "pct:1", "rows": [
            {"label": "令和4年度", "values": [0.955, 0.966, 0.968, 0.964, 0.970, 0.981, 0.970, 0.971, 0.972, 0.973, 0.970, 0.962]},
            {"label": "令和5年度", "values": [0.946, 0.949, 0.953, 0.955, 0.956, 0.944, 0.957, 0.955, 0.945, 0.943, 0.952, 0.944]},
        ]}}, {"note": "医科、DPC、歯科、調剤"}]
    if kind == 2:
        return [{"bullets": list(BULLETS)}]
    if kind == 3:
        return text + "\n" + STATUSES[(k + 1) % len(STATUSES)]
    return text


def report_data(entries: int) -> dict[str, Any]:
    """A plan-status report with ``entries`` entries, 2–4 per item, over three sections."""
    sections: list[dict[str, Any]] = [{"number": _fw(i + 1), "title": t, "items": []} for i, t in enumerate(SECTIONS)]
    made = 0
    i = 0
    while made < entries:
        per = 2 + i % 3
        section = sections[min(made * 3 // entries, 2)]
        item_entries = []
        for _ in range(min(per, entries - made)):
            k = made
            entry: dict[str, Any] = {"plan": PLANS[k % len(PLANS)], "status": _status(k), "mark": "○◎△○×―"[k % 6]}
            if k % 4 == 2:
                entry["kpi"] = {"text": "現金給付等の申請に係る郵送化率を 96.5％以上とする。", "target": 0.965,
                                "direction": ">=", "format": "pct:1", "prior": 0.963,
                                "actual": round(0.955 + (k % 7) * 0.003, 3)}
            item_entries.append(entry)
            made += 1
        section["items"].append({
            "number": f"（{_fw(len(section['items']) + 1)}）", "title": ITEM_TITLES[i % len(ITEM_TITLES)],
            "tags": ["重要度：高", "困難度：高"][: i % 3], "owner": "業務グループ", "entries": item_entries,
        })
        i += 1
    return {
        "format": 1,
        "report": {
            "title": "令和５年度 事業計画", "organization": "埼玉支部", "fiscal_year": 2023,
            "layout": "plan-status", "marks": "standard", "appendix": ["kpi-summary", "mark-summary"],
            "preface": [{"heading": "基本方針", "bullets": ["能動的な業務体制への変革", "組織運営の強化とリスク管理の徹底"]},
                        {"heading": "重点施策", "bullets": ["健全な財政運営", "コラボヘルスの推進"]}],
        },
        "sections": [s for s in sections if s["items"]],
    }


def _best(fn, repeat: int) -> tuple[float, Any]:  # type: ignore[no-untyped-def]
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[10, 100, 400])
    parser.add_argument("--repeat", type=int, default=2, help="runs per measurement (best is kept)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    import weasyprint
    from pypdf import PdfReader

    from reportgen import Report
    from reportgen.pdf.fetch import SafeFetcher, base_url
    from reportgen.pdf.engine import render_html, render_pdf

    # Warm-up: imports, font configuration, template compilation.
    warm = Report.from_dict(report_data(4))
    render_pdf(warm, io.BytesIO())
    weasyprint.HTML(string=render_html(warm), base_url=base_url(), url_fetcher=SafeFetcher()).write_pdf()

    rows = []
    for size in args.sizes:
        report = Report.from_dict(report_data(size), source=f"<bench {size}>")
        html = render_html(report)

        def ours(report: Report = report) -> bytes:
            buffer = io.BytesIO()
            render_pdf(report, buffer)
            return buffer.getvalue()

        def plain(html: str = html) -> bytes:
            return weasyprint.HTML(string=html, base_url=base_url(), url_fetcher=SafeFetcher()).write_pdf()

        repeat = args.repeat if size <= 100 else 1
        t_ours, pdf = _best(ours, repeat)
        t_plain, plain_pdf = _best(plain, repeat)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        plain_pages = len(PdfReader(io.BytesIO(plain_pdf)).pages)
        rows.append((size, pages, plain_pages, t_ours, t_plain, len(pdf)))

    print(f"{'entries':>7} {'pages':>5} {'reportgen s':>11} {'pages/s':>7} {'plain s':>8} {'pages/s':>7} "
          f"{'ratio':>6} {'KiB':>6}")
    for size, pages, plain_pages, t_ours, t_plain, nbytes in rows:
        note = "" if pages == plain_pages else f"  (plain: {plain_pages} pages)"
        print(f"{size:7d} {pages:5d} {t_ours:11.2f} {pages / t_ours:7.2f} {t_plain:8.2f} {plain_pages / t_plain:7.2f} "
              f"{t_ours / t_plain:6.2f} {nbytes / 1024:6.0f}{note}")
    print("ratio = reportgen time / plain WeasyPrint time on the same HTML (same base_url, SafeFetcher)")


if __name__ == "__main__":
    main()
