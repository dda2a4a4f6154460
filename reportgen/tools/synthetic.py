"""Synthetic reports of any size, built from real seed sentences.

Benchmarks and robustness tests need reports of 10 to 1,000 entries (and 47
branch variants) that look like the real thing — long Japanese sentences,
embedded tables, monthly series, KPIs — without shipping large fixtures.
Deterministic: the same arguments always give the same report.
"""

from __future__ import annotations

from typing import Any

from ..model.report import Report

_PLANS = (
    "中長期的な視点による健全な財政運営に資するため、支部評議会において丁寧な説明をした上で、保険料率に関する議論を行う。",
    "加入者や事業主に対して、ホームページや定期広報誌等において協会決算や今後の見通しに関する情報を提供する。",
    "適切な進捗管理を行い、サービススタンダード（受付日から 10 営業日以内の支払い）を遵守する。",
    "資格喪失処理後、早期に元加入者に対する文書催告を実施するとともに、被保険者証回収不能届を活用した保険証未回収者への返納催告業務を徹底する。",
    "ジェネリック医薬品に切り替えた場合の自己負担の軽減効果を通知するサービスを実施するほか、周知広報や工場見学などの啓発活動に取り組む。",
    "調達における競争性を高めるため、公告期間や納期までの期間の十分な確保、仕様書の見直し等の取組みを行う。",
)
_STATUSES = (
    "５月の評議会において、令和４年度の事業実施状況および令和５年度の事業計画について報告。\n7 月の評議会において、令和 4 年度決算（見込み）について報告。",
    "新規加入事業所を対象とした説明会を開催（６月３０日、9 月 12 日、12 月 15 日、３月６日）、その中で更なる保健事業の充実、各種給付の制度などについて説明。",
    "繁忙期における混雑予想を HP に掲載し、混雑緩和を図った。",
    "ジェネリック医薬品軽減額通知サービス（第 1 回）を 8 月下旬に発送。対象年齢ごとにリーフレットの内容を変えて送付。",
)
_SECTIONS = ("基盤的保険者関係", "戦略的保険者機能関係", "組織・運営体制関係")
_FULL = "０１２３４５６７８９"


def _fw(n: int) -> str:
    return "".join(_FULL[int(d)] for d in str(n))


def _status(k: int) -> Any:
    text = _STATUSES[k % len(_STATUSES)]
    if k % 3 == 0:
        return [
            {"text": text},
            {"table": {
                "caption": "保険証催告の実施状況",
                "header": [["", "第1四半期\n4～6月", "第2四半期\n7～9月", "第3四半期\n10～12月", "第4四半期\n1～3月", "通期\n4～3月"]],
                "rows": [["文書", 27475 + k, 20244, 19635, 24266, 91620 + k],
                         ["電話等", 1162, 811, 439, 180, 2592]],
                "formats": ["text"] + ["int:件"] * 5,
            }},
        ]
    if k % 3 == 1:
        return [
            {"text": text},
            {"series": {"caption": "郵送化率", "kind": "monthly", "format": "pct:1", "rows": [
                {"label": "令和4年度", "values": [0.955, 0.966, 0.968, 0.964, 0.970, 0.981, 0.970, 0.971, 0.972, 0.973, 0.970, 0.962]},
                {"label": "令和5年度", "values": [0.946, 0.949, 0.953, 0.955, 0.956, 0.944, 0.957, 0.955, 0.945, 0.943, 0.952, 0.944]},
            ]}},
            {"note": "医科、DPC、歯科、調剤"},
        ]
    return text


def synthetic_report(entries: int, *, branch: str = "埼玉支部", layout: str = "plan-status", seed: int = 0) -> Report:
    """A valid report with ``entries`` entries, four per item, spread over three sections."""
    marks = ("○", "◎", "△", "○", "×", "○")
    sections: list[dict[str, Any]] = [
        {"number": _fw(i + 1), "title": title, "items": []} for i, title in enumerate(_SECTIONS)
    ]
    per_item = 4
    items = max(1, -(-entries // per_item))
    made = 0
    for i in range(items):
        section = sections[min(i * len(sections) // items, len(sections) - 1)]
        item_entries = []
        for _ in range(min(per_item, entries - made)):
            k = made + seed
            entry: dict[str, Any] = {"plan": _PLANS[k % len(_PLANS)], "status": _status(k), "mark": marks[k % len(marks)]}
            if k % 4 == 2:
                entry["kpi"] = {
                    "text": "現金給付等の申請に係る郵送化率を 96.5％以上とする。",
                    "target": 0.965, "direction": ">=", "format": "pct:1",
                    "prior": 0.963, "actual": round(0.955 + (k % 7) * 0.003, 3),
                }
            item_entries.append(entry)
            made += 1
        section["items"].append({
            "number": f"（{_fw(len(section['items']) + 1)}）",
            "title": ("サービス水準の向上", "健全な財政運営", "ジェネリック医薬品のさらなる使用促進")[i % 3],
            "tags": ["重要度：高"] if i % 2 == 0 else [],
            "owner": ("企画総務グループ", "業務グループ", "レセプトグループ")[i % 3],
            "entries": item_entries,
        })
    data = {
        "format": 1,
        "report": {
            "title": "令和５年度 事業計画", "organization": branch, "fiscal_year": 2023,
            "layout": layout, "marks": "standard",
            "preface": [{"heading": "基本方針", "bullets": ["能動的な業務体制への変革", "組織運営の強化とリスク管理の徹底"]}],
        },
        "sections": [s for s in sections if s["items"]],
    }
    return Report.from_dict(data, source=f"<synthetic {entries}>")
