"""Table input: one row per plan entry (CSV, a plain worksheet, a DataFrame's records).

Offices keep plans in spreadsheets; a script or ``reportgen import plan.csv``
turns such a table into a format-1 report without hand conversion.

Columns (the header row; Japanese or English names, case and width
insensitive, see :data:`COLUMNS`): 分野 / section, 分野番号 / section_number,
グループ / group, 項番 / item_number, 施策 / item, タグ / tags, 担当 / owner,
番号 / entry_number, 計画 / plan, 実施状況 / status, 評価 / mark, and the KPI's
KPI / kpi, 目標 / kpi_target, 方向 / kpi_direction, 表示形式 / kpi_format,
前年度実績 / kpi_prior, 実績 / kpi_actual; ``fields.NAME`` columns become the
entry's extra field NAME. Any other column is an error (nothing is dropped).

Rows:

* each row is one entry; an empty 分野, グループ or 施策 cell means "the same as
  the row above", as in a table with merged cells (a new 分野 starts without a
  group; leave グループ empty from the 分野's first row to put items directly
  under it);
* ``''``, None and NaN (pandas' empty cell) mean "no value": an empty 評価 is
  an entry without a mark, not a mark "";
* text that is a number where the field is numeric becomes that number
  (``fiscal_year "2024"`` → 2024, 目標 ``"0.6"`` → 0.6, ``"60%"`` → 0.6,
  ``"1,234"`` → 1234); numbers where text is expected become text (a 項番 1.0
  read by pandas is 1).

The rows become plain format-1 data validated by
:func:`reportgen.inputs.validate.build_located`, so every rule of a file applies, and
problems name the row: ``plan.csv:7: sections[0].items[2].entries[0].mark: …``
(the file's line for CSV, the sheet's row for xlsx, the record's number,
counted from 1, for :meth:`Report.from_records`).
"""

from __future__ import annotations

import csv
import io
import math
import os
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import Problem, ReportError
from ..core.locations import Located, PathKey

if TYPE_CHECKING:  # pragma: no cover
    from ..model.report import Report

__all__ = [
    "COLUMNS",
    "column_key",
    "read_csv",
    "read_table",
    "read_xlsx_table",
    "records_to_data",
    "records_to_report",
]

#: Canonical column → the names accepted in a header (compared after NFKC, lower case,
#: spaces and hyphens as underscores).
COLUMNS: dict[str, tuple[str, ...]] = {
    "section": ("section", "分野", "大項目"),
    "section_number": ("section_number", "分野番号"),
    "group": ("group", "グループ", "区分"),
    "item_number": ("item_number", "項番", "施策番号", "項目番号"),
    "item": ("item", "item_title", "title", "施策", "施策名", "項目"),
    "tags": ("tags", "タグ"),
    "owner": ("owner", "担当", "担当グループ"),
    "entry_number": ("entry_number", "number", "番号"),
    "plan": ("plan", "計画", "計画内容", "事業計画"),
    "status": ("status", "実施状況", "進捗状況", "取組状況"),
    "mark": ("mark", "評価", "自己評価"),
    "kpi": ("kpi", "kpi_text", "指標"),
    "kpi_target": ("kpi_target", "target", "目標", "目標値", "kpi目標"),
    "kpi_direction": ("kpi_direction", "direction", "方向"),
    "kpi_format": ("kpi_format", "format", "表示形式"),
    "kpi_prior": ("kpi_prior", "prior", "前年度実績", "前年度"),
    "kpi_actual": ("kpi_actual", "actual", "実績", "実績値"),
}

_LOOKUP = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
_NUMERIC = ("kpi_target", "kpi_prior", "kpi_actual")
_NUMBERS = ("section_number", "item_number", "entry_number")
_REPORT_NUMERIC = ("fiscal_year", "format")


def column_key(name: str) -> str | None:
    """The canonical column for a header cell, "fields.NAME" for extra fields, or None."""
    text = unicodedata.normalize("NFKC", str(name)).strip()
    if text.lower().startswith("fields.") and len(text) > len("fields."):
        return "fields." + text[len("fields."):]
    return _LOOKUP.get(text.lower().replace(" ", "_").replace("-", "_"))


def is_empty(value: Any) -> bool:
    """'', whitespace, None, NaN and pandas' NA/NaT are "no value"."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):  # pandas.NA refuses bool()
        return True


def _number(value: Any) -> Any:
    """A number from a numeric text ("2024", "0.6", "60%", "1,234", "２０２４"); else the value."""
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return int(value)
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
    scale = 1.0
    if text.endswith("%"):
        text, scale = text[:-1].strip(), 0.01
    try:
        number = float(text)
    except ValueError:
        return value
    if not math.isfinite(number):
        return value
    if scale != 1.0:
        return round(number * scale, 12)
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def _text(value: Any) -> Any:
    """Numbers read where text belongs (pandas turns "1" into 1.0) as text; else the value."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value.strip("\r\n") if value.strip() else value
    return value


def _number_or_text(value: Any) -> Any:
    """項番 and 番号: integers stay integers, as written otherwise."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


class _Builder:
    """Rows → format-1 data, remembering each path's row for messages."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.sections: list[dict[str, Any]] = []
        self.lines: dict[PathKey, int] = {}
        self.problems: list[Problem] = []
        self.section: dict[str, Any] | None = None
        self.group: dict[str, Any] | None = None
        self.item: dict[str, Any] | None = None
        self.item_path: PathKey = ()

    def add(self, row: dict[str, Any], line: int) -> None:
        section = _text(row["section"]) if "section" in row else None
        if section is not None or self.section is None:
            if section is None:
                self.problems.append(Problem(self.source, line, "分野 (section)",
                                             "the first row needs a 分野 (section)"))
                return
            if self.section is None or section != self.section["title"] or (
                    "section_number" in row and _number_or_text(row["section_number"]) != self.section.get("number")):
                self.section = {"title": section}
                if "section_number" in row:
                    self.section["number"] = _number_or_text(row["section_number"])
                self.sections.append(self.section)
                self.lines[("sections", len(self.sections) - 1)] = line
                self.group, self.item = None, None
        s_index = len(self.sections) - 1
        group = _text(row["group"]) if "group" in row else None
        if group is not None and (self.group is None or group != self.group["title"]):
            self.group = {"title": group, "items": []}
            groups = self.section.setdefault("groups", [])  # type: ignore[union-attr]
            groups.append(self.group)
            self.lines[("sections", s_index, "groups", len(groups) - 1)] = line
            self.item = None
        title = _text(row["item"]) if "item" in row else None
        number = _number_or_text(row["item_number"]) if "item_number" in row else None
        new_item = self.item is None or (title is not None and title != self.item["title"]) or (
            number is not None and number != self.item.get("number"))
        if new_item:
            if title is None:
                self.problems.append(Problem(self.source, line, "施策 (item)",
                                             "a new item needs its title (施策 / item)"))
                return
            self.item = {"title": title, "entries": []}
            if number is not None:
                self.item["number"] = number
            for key in ("tags", "owner"):
                if key in row:
                    value = row[key]
                    self.item[key] = [t.strip() for t in str(value).replace("、", ",").split(",")
                                      if t.strip()] if key == "tags" else _text(value)
            if self.group is not None:
                container, path = self.group["items"], ("sections", s_index, "groups",
                                                        len(self.section["groups"]) - 1)  # type: ignore[index]
            else:
                container, path = self.section.setdefault("items", []), ("sections", s_index)  # type: ignore[union-attr]
            container.append(self.item)
            self.item_path = path + ("items", len(container) - 1)
            self.lines[self.item_path] = line
        entry: dict[str, Any] = {}
        if "entry_number" in row:
            entry["number"] = _number_or_text(row["entry_number"])
        for key in ("plan", "status"):
            if key in row:
                entry[key] = _text(row[key])
        if "mark" in row:
            entry["mark"] = _text(row["mark"]).strip()
        kpi = {k[len("kpi_"):]: (_number(v) if k in _NUMERIC else _text(v))
               for k, v in row.items() if k.startswith("kpi_")}
        if "kpi" in row or kpi:
            if "kpi" in row:
                kpi = {"text": _text(row["kpi"]), **kpi}
            entry["kpi"] = kpi
        fields = {k[len("fields."):]: _text(v) for k, v in row.items() if k.startswith("fields.")}
        if fields:
            entry["fields"] = fields
        entries = self.item["entries"]  # type: ignore[index]
        entries.append(entry)
        self.lines[self.item_path + ("entries", len(entries) - 1)] = line


def _header(names: Iterable[Any], source: str, line: int) -> tuple[dict[Any, str], list[Problem]]:
    """Header cell → canonical column; unknown and repeated columns are problems."""
    keys: dict[Any, str] = {}
    problems: list[Problem] = []
    seen: dict[str, Any] = {}
    for name in names:
        if is_empty(name):
            continue
        key = column_key(name)
        if key is None:
            problems.append(Problem(source, line, str(name),
                                    "unknown column; use one of " + ", ".join(COLUMNS) + " or fields.NAME "
                                    "(Japanese names: see reportgen.inputs.records.COLUMNS)"))
        elif key in seen:
            problems.append(Problem(source, line, str(name), f"the same column as {seen[key]!s}"))
        else:
            seen[key] = name
            keys[name] = key
    return keys, problems


def _report_head(fields: Mapping[str, Any]) -> dict[str, Any]:
    head: dict[str, Any] = {}
    for key, value in fields.items():
        if is_empty(value):
            continue
        if key == "marks" and hasattr(value, "to_data"):
            value = value.to_data()
        head[key] = _number(value) if key in _REPORT_NUMERIC else value
    head.setdefault("marks", "standard")
    return head


def records_to_data(rows: Iterable[tuple[int, Mapping[Any, Any]]], source: str,
                    header_line: int | None, **report_fields: Any) -> Located:
    """Numbered rows (line, mapping) → located format-1 data; raises ReportError on bad columns."""
    builder = _Builder(source)
    keys: dict[Any, str] | None = None
    for line, record in rows:
        if not isinstance(record, Mapping):
            raise ReportError([Problem(source, line, "", f"expected a mapping of column → value, "
                                                         f"found a {type(record).__name__}")])
        if keys is None or any(k not in keys for k in record if not is_empty(k)):
            keys, problems = _header(list(record), source, header_line if header_line is not None else line)
            if problems:
                raise ReportError(problems)
        row = {keys[k]: v for k, v in record.items() if k in keys and not is_empty(v)}
        if not row:
            continue  # a blank line
        builder.add(row, line)
    if builder.problems:
        raise ReportError(builder.problems)
    head = _report_head(report_fields)
    return Located({"format": 1, "report": head, "sections": builder.sections}, source, builder.lines)


def records_to_report(rows: Iterable[Mapping[Any, Any]], *, source: str = "<records>",
                      **report_fields: Any) -> Report:
    """:meth:`Report.from_records`: rows (mappings) → a validated Report; raises ReportError."""
    from .validate import build_located

    return build_located(records_to_data(enumerate(rows, start=1), source, None, **report_fields))


def read_csv(path: str | os.PathLike[str], **report_fields: Any) -> Report:
    """A CSV table (UTF-8 with or without BOM, or Shift_JIS as Excel saves it) → Report."""
    from .source import MAX_INPUT_BYTES, decode
    from .validate import build_located

    from ..core.inputcheck import read_input

    source = str(path)
    # a regular file of bounded size, checked before it is opened (a FIFO would hang)
    raw = read_input(path, source, max_bytes=MAX_INPUT_BYTES,
                     too_large=f"the file is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB, "
                               "the limit for a report")
    text = decode(raw, source).lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ReportError([Problem(source, None, "", "the file is empty; the first line names the columns")]) \
            from None
    except csv.Error as exc:
        raise ReportError([Problem(source, 1, "", f"not a CSV table: {exc}")]) from None

    def rows() -> Iterable[tuple[int, dict[Any, Any]]]:
        start = reader.line_num + 1
        try:
            for values in reader:
                extra = values[len(header):]
                if any(v.strip() for v in extra):
                    raise ReportError([Problem(source, start, "", f"{len(values)} cells but the header "
                                                                  f"names {len(header)} columns")])
                yield start, dict(zip(header, values))
                start = reader.line_num + 1
        except csv.Error as exc:
            raise ReportError([Problem(source, start, "", f"not a CSV table: {exc}")]) from None

    return build_located(records_to_data(rows(), source, 1, **report_fields))


def read_xlsx_table(path: str | os.PathLike[str], **report_fields: Any) -> Report:
    """A worksheet whose first row holds column names (not a tracker) → Report.

    The first sheet whose row 1 names a known column is read; formulas give
    their last computed value (as Excel saved it).
    """
    from .validate import build_located
    from ..xlsx.read import open_workbook

    source = str(path)
    wb = open_workbook(path, data_only=True)
    for ws in wb.worksheets:
        first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
        if any(not is_empty(v) and column_key(v) is not None for v in first):
            break
    else:
        raise ReportError([Problem(source, 1, "", "no sheet has column names in its first row "
                                                  "(分野, 施策, 計画, 実施状況, 評価 …)")])
    header = list(first)

    def rows() -> Iterable[tuple[int, dict[Any, Any]]]:
        for number, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
            record: dict[Any, Any] = {}
            for name, value in zip(header, values):
                if is_empty(name):
                    if not is_empty(value):
                        raise ReportError([Problem(f"{source} ({ws.title})", number, "",
                                                   "a value in a column without a name in row 1")])
                    continue
                record[name] = value
            yield number, record

    return build_located(records_to_data(rows(), f"{source} ({ws.title})", 1, **report_fields))


def read_table(path: str | os.PathLike[str], **report_fields: Any) -> Report:
    """A .csv or .xlsx table → Report (the ``reportgen import`` of tables)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return read_csv(path, **report_fields)
    if suffix == ".xlsx":
        return read_xlsx_table(path, **report_fields)
    raise ReportError([Problem(str(path), None, "", "a table is read from a .csv or .xlsx file")])
