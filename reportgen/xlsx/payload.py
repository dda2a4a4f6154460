"""The report embedded in the workbook: the very hidden sheet ``_reportgen`` and its JSON.

The printed sheet cannot hold everything the model has (series formats, KPI
targets, spans, tags), so the writer stores the whole report, the exact texts
written into each editable cell and where the body starts; the reader takes
them back.  Both directions live here so the format of the payload is
decided in one place.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from openpyxl import Workbook

from ..model.marks import MarkScale
from ..model.report import Report
from .cellwrite import put
from .guard import fail
from .rows import Layout
from .sheet import HIDDEN_SHEET, PAYLOAD_CHUNK, PAYLOAD_MAGIC, PAYLOAD_VERSION, SYMBOL_LIST_COL

__all__ = ["MAX_PAYLOAD_CHUNKS", "payload_json", "read_payload", "write_payload"]

MAX_PAYLOAD_CHUNKS = 5_000


def read_payload(wb: Any, source: str) -> dict[str, Any]:
    """The JSON the writer embedded; its absence means "not a tracker"."""
    if HIDDEN_SHEET not in wb.sheetnames:
        raise fail(source, "not a reportgen tracker workbook: the embedded report data "
                            f"(sheet {HIDDEN_SHEET}) is missing")
    ws = wb[HIDDEN_SHEET]
    count = ws.cell(1, 2).value
    if ws.cell(1, 1).value != PAYLOAD_MAGIC or not isinstance(count, int) or not 0 < count <= MAX_PAYLOAD_CHUNKS:
        raise fail(source, f"not a reportgen tracker workbook: sheet {HIDDEN_SHEET} holds no report data")
    parts = [ws.cell(r, 1).value for r in range(2, count + 2)]
    if not all(isinstance(p, str) for p in parts):
        raise fail(source, "the embedded report data is damaged (a part is missing)")
    try:
        data = json.loads("".join(parts))
    except (ValueError, RecursionError) as exc:
        raise fail(source, f"the embedded report data is damaged ({exc})") from None
    if not isinstance(data, dict) or data.get("magic") != PAYLOAD_MAGIC:
        raise fail(source, "the embedded report data is damaged")
    if not isinstance(data.get("version"), int) or data["version"] > PAYLOAD_VERSION:
        raise fail(source, f"written by a newer reportgen (data version {data.get('version')!r})")
    if not isinstance(data.get("written"), dict):
        raise fail(source, "the embedded report data is damaged (no written texts)")
    return data


def _json_default(value: Any) -> Any:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in the workbook")


def payload_json(report: Report, layout: Layout, positions: dict[str, Any]) -> str:
    """The very hidden sheet's JSON: the whole report, the texts written, where the body starts."""
    written = {k: {"plan": w.plan, "prefix": w.prefix, "kpi_line": w.kpi_line, "pieces": w.pieces,
                   **({"fields": w.fields} if w.fields else {})}
               for k, w in layout.written.items()}
    payload = {"magic": PAYLOAD_MAGIC, "version": PAYLOAD_VERSION, "report": report.to_dict(),
               "written": written, **positions}
    return json.dumps(payload, ensure_ascii=False, default=_json_default, separators=(",", ":"))


def write_payload(wb: Workbook, text: str, scale: MarkScale) -> None:
    """The very hidden sheet: the payload in chunks under the magic word, and the scale's
    symbols for the mark dropdown (a list too long or too odd to write inline)."""
    ws = wb.create_sheet(HIDDEN_SHEET)
    ws.sheet_state = "veryHidden"
    for r, symbol in enumerate(scale.allowed, start=1):
        put(ws.cell(r, SYMBOL_LIST_COL), symbol)
    chunks = [text[i:i + PAYLOAD_CHUNK] for i in range(0, len(text), PAYLOAD_CHUNK)] or [""]
    put(ws.cell(1, 1), PAYLOAD_MAGIC)
    ws.cell(1, 2).value = len(chunks)
    for i, chunk in enumerate(chunks, start=2):
        put(ws.cell(i, 1), chunk)
