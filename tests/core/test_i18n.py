"""Japanese messages (issue #15): every message of the bad-input corpus, the CLI, the catalog."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import reportgen
from reportgen import ReportError
from reportgen.core import i18n
from reportgen.core.messages import TEMPLATES

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "bad_inputs"
BAD = sorted(p for p in CORPUS.iterdir() if p.suffix != ".expected" and not p.name.startswith("ok-"))
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def corpus_problems() -> list[reportgen.Problem]:
    found = []
    for path in BAD:
        with pytest.raises(ReportError) as info:
            reportgen.load(path)
        found.extend(info.value.problems)
    return found


def test_every_problem_of_the_bad_input_corpus_has_a_japanese_text():
    problems = corpus_problems()
    assert len(problems) > 80
    missing = []
    for problem in problems:
        text, complete = i18n.translate(problem.message, "ja", complete=True)
        if not complete or not JAPANESE.search(text):
            missing.append(problem.message)
    assert not missing, missing


def test_values_from_the_data_are_kept_and_nested_phrases_translated():
    message = 'expected a number, got the text "96,5"; write it without commas: 965'
    assert i18n.translate(message, "ja") == (
        "数値が必要ですが、テキスト「96,5」が書かれています。カンマなしで書いてください: 965")
    assert i18n.translate("unknown key (did you mean 'owner'?)", "ja") == "不明なキーです（'owner' の誤りではありませんか）"
    # English stays English; a message without a template is printed as it is
    assert i18n.translate(message, "en") == message
    assert i18n.translate("something brand new happened", "ja", complete=True) == (
        "something brand new happened", False)


def test_the_compiled_catalog_translates_every_template():
    catalog = i18n.translation("ja")
    missing = [t for t in TEMPLATES if not catalog.get(t)]
    assert not missing, missing
    for template in TEMPLATES:  # the same values fit the translation
        names = set(re.findall(r"(?<!\{)\{(\w+)\}", template))
        assert set(re.findall(r"(?<!\{)\{(\w+)\}", catalog[template])) == names, template


def test_the_mo_file_is_compiled_from_the_po_file():
    from babel.messages.pofile import read_po

    po = ROOT / "reportgen" / "locale" / "ja" / "LC_MESSAGES" / "reportgen.po"
    with po.open("rb") as f:
        catalog = read_po(f)
    from_po = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    assert from_po == i18n.translation("ja"), "run scripts/i18n.sh"


def test_language_comes_from_the_environment_or_the_choice(monkeypatch):
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    assert i18n.language() == "en"
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    assert i18n.language() == "ja"
    monkeypatch.setenv("LC_ALL", "C")
    assert i18n.language() == "en"
    try:
        i18n.set_language("ja")
        assert i18n.language() == "ja"
    finally:
        i18n.set_language(None)


def _cli(*args: str, lang: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    env["LANG"] = lang
    return subprocess.run([sys.executable, "-m", "reportgen", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_validate_under_a_japanese_locale_prints_japanese_with_the_same_prefixes():
    files = [str(p) for p in BAD]
    english = _cli("validate", *files, lang="C.UTF-8")
    japanese = _cli("validate", *files, lang="ja_JP.UTF-8")
    assert english.returncode == japanese.returncode == 2
    en_lines, ja_lines = english.stderr.splitlines(), japanese.stderr.splitlines()
    assert len(en_lines) == len(ja_lines) > 80
    problems = corpus_problems()
    assert len(problems) == len(en_lines)
    for problem, en, ja in zip(problems, en_lines, ja_lines):
        prefix = en[: len(en) - len(problem.message)]
        assert en == prefix + problem.message
        assert ja.startswith(prefix), (en, ja)
        assert JAPANESE.search(ja[len(prefix):]) and ja != en, ja
        assert ja[len(prefix):] == i18n.translate(problem.message, "ja")
    assert "Traceback" not in japanese.stderr


def test_lang_option_wins_over_the_environment(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\nreport: {title: t, organization: o, fiscal_year: 二〇二三}\n", encoding="utf-8")
    ja = _cli("--lang", "ja", "validate", str(bad), lang="C.UTF-8")
    en = _cli("--lang", "en", "validate", str(bad), lang="ja_JP.UTF-8")
    assert ja.stderr.splitlines() == [
        f"{bad}:2: report.fiscal_year: 西暦の年（2023 など）が必要ですが、テキスト「二〇二三」が書かれています"]
    assert en.stderr.splitlines() == [
        f'{bad}:2: report.fiscal_year: expected a Gregorian year such as 2023, got the text "二〇二三"']
    ok = _cli("validate", str(ROOT / "examples" / "saitama-r5-excerpt.yaml"), lang="ja_JP.UTF-8")
    assert ok.returncode == 0 and "OK（分野" in ok.stdout


def test_warnings_and_usage_errors_in_japanese(tmp_path):
    source = tmp_path / "r.yaml"
    source.write_text("""\
format: 1
report: {title: t, organization: o, fiscal_year: 2024}
sections:
  - title: 分野
    items:
      - title: 施策
        entries:
          - status: 𠮷野家で説明会
""", encoding="utf-8")
    result = _cli("render", str(source), "-o", str(tmp_path / "r.html"), lang="ja_JP.UTF-8")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"warning: {source}:8: sections[0].items[0].entries[0].status: "
        "同梱フォントにない文字です。代わりのフォントか空白の四角で印刷されます: '𠮷' (U+20BB7)"]
    result = _cli("render", str(source), str(source), "-o", str(tmp_path / "x.pdf"), lang="ja_JP.UTF-8")
    assert result.returncode == 2 and "入力が複数のときは" in result.stderr


def test_api_problems_can_be_printed_in_japanese():
    with pytest.raises(ReportError) as info:
        reportgen.loads("format: 2\nreport: {}\n", source="x.yaml")
    lines = [i18n.problem_text(p, "ja") for p in info.value.problems]
    assert lines[0].startswith("x.yaml:1: format: このファイルは形式 2 です")


def test_messages_of_objects_tables_and_warnings_have_japanese_texts():
    from reportgen import Report

    messages = []
    report = reportgen.load(ROOT / "examples" / "saitama-r5-excerpt.yaml")
    report.marks = "standard"  # type: ignore[assignment]
    report.fiscal_year = "2023"  # type: ignore[assignment]
    messages += [p.message for p in report.validate()]
    head = {"title": "t", "organization": "o", "fiscal_year": 2024}
    for rows in ([{"分野": "a", "施策": "b", "備考": "x"}], [{"施策": "b"}], [{"分野": "a", "計画": "c"}]):
        with pytest.raises(ReportError) as info:
            Report.from_records(rows, **head)
        messages += [p.message for p in info.value.problems]
    q1 = Report.from_records([{"分野": "a", "施策": "b", "KPI": "件数", "評価": "◎", "目標": "10", "実績": "5"}],
                             **head, period="Q1")
    q1.sections[0].items[0].entries[0].kpi.series = reportgen.Series(
        rows=[reportgen.SeriesRow("件数", [1, 2, 3, 4])])
    q1.sections[0].items[0].entries[0].status = "𠮷"
    from reportgen.checks.collect import report_warnings

    found = report_warnings(q1, check_marks=True)
    assert {type(w).__name__ for w in found} == {"GlyphWarning", "TruncationWarning", "MarkWarning"}
    messages += [w.problem.message for w in found]
    assert len(messages) == 8
    for message in messages:
        text, complete = i18n.translate(message, "ja", complete=True)
        assert complete and JAPANESE.search(text), message


def test_clicks_own_messages_follow_the_language(tmp_path):
    ja = _cli("render", str(tmp_path / "x.yaml"), lang="ja_JP.UTF-8")
    assert ja.returncode == 2
    assert ja.stderr.splitlines()[0].startswith("使い方: ")
    assert "エラー: オプションがありません" in ja.stderr
    en = _cli("render", str(tmp_path / "x.yaml"), lang="C.UTF-8")
    assert en.stderr.startswith("Usage: ") and "Error: Missing option" in en.stderr


# --- every message raised in the modules merged since the catalog was written has a template ---------

import ast  # noqa: E402

#: Modules whose messages reach the user: tracker round trip and import, hostile input, layout and
#: print options, warnings, records import, part cache and watch lines, the command line.
#: Every module of the package (a module split in two keeps its messages checked), but
#: papers and pagenumbers (their strings are CSS and HTML), fetch (its refusals go to the
#: log of the sandbox) and parallel, partplan (its reasons decide how to render; never printed).
MESSAGE_MODULES = tuple(sorted(
    name for name in (p.relative_to(ROOT / "reportgen").with_suffix("").as_posix()
                      for p in (ROOT / "reportgen").rglob("*.py"))
    if name not in ("core/papers", "pdf/fetch", "pdf/pagenumbers", "pdf/parallel", "pdf/partplan")))
#: Calls whose last argument is a message (Problem(file, line, path, message), sheet.warn(r, c, message) …).
MESSAGE_CALLS = frozenset({
    "Problem", "_fail", "fail", "_refuse", "_Refused", "warn", "err", "error", "OutputError", "RenderError",
    "UsageError", "BadParameter", "ClickException", "ReportError",
})
VALUE = "X9"  # what a {…} of an f-string stands for: data, not prose
PROSE = re.compile(r"[A-Za-z]{2,} [A-Za-z]{2,}")


def _shapes(node: ast.AST) -> list[str]:
    """The texts an argument can be, each value of the f-string as VALUE; [] if it is no text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value if isinstance(v, ast.Constant) else VALUE for v in node.values)]
    if isinstance(node, ast.IfExp):
        return _shapes(node.body) + _shapes(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _shapes(node.left) or [VALUE], _shapes(node.right) or [VALUE]
        return [a + b for a in left for b in right] if left != [VALUE] or right != [VALUE] else []
    return []


#: Shapes whose value is a word of the message, with the words it can be (each has its own template).
WORDS = {
    "the file holds more than X9": ["the file holds more than X9 values",
                                    "the file holds more than X9 characters of text"],
    "through its aliases (*name) the document expands to more than X9 (a YAML alias bomb?)": [
        "through its aliases (*name) the document expands to more than X9 values (a YAML alias bomb?)",
        "through its aliases (*name) the document expands to more than X9 characters of text (a YAML alias bomb?)"],
    "more than X9 X9 cells": ["more than X9 merged cells", "more than X9 hyperlinked cells"],
    "X9 values; a X9 series has at most X9 (X9 X9)": [
        "X9 values; a monthly series has at most X9 (X9 months April to March)",
        "X9 values; a quarterly series has at most X9 (X9 quarters)"],
}

#: Texts returned in those modules that are no message.
NOT_MESSAGES = {"# Imported from X9 by `reportgen import`.\nX9"}  # the head of a YAML file written


def raised_messages() -> list[tuple[str, int, str]]:
    """(module, line, message shape) of every message written where it is raised."""
    found = []
    for module in MESSAGE_MODULES:
        tree = ast.parse((ROOT / "reportgen" / f"{module}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Return) and node.value is not None:  # a helper saying why (_too_large)
                found += [(module, node.lineno, s.removeprefix("; ")) for s in _shapes(node.value)
                          if PROSE.search(s.replace(VALUE, "")) and s not in NOT_MESSAGES]
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name not in MESSAGE_CALLS or not node.args:
                continue
            for shape in (w for s in _shapes(node.args[-1]) for w in WORDS.get(s, [s])):
                if PROSE.search(shape.replace(VALUE, "")):
                    found.append((module, node.lineno, shape))
    return found


def _in_japanese(message: str) -> bool:
    text, complete = i18n.translate(message, "ja", complete=True)
    return complete and bool(JAPANESE.search(text)) and not PROSE.search(text)


def untranslated(messages: list[tuple[str, int, str]]) -> list[str]:
    missing = []
    for module, line, shape in messages:
        parts = [p for p in shape.split("; ") if p != VALUE]  # message + "; …": the added part
        if not _in_japanese(shape) and not all(_in_japanese(p) for p in parts):
            missing.append(f"reportgen/{module}.py:{line}: {shape}")
    return missing


def test_every_message_raised_in_the_code_has_a_japanese_template():
    messages = raised_messages()
    assert len(messages) > 170  # the scan finds the messages (Problem, err, warn, OutputError …)
    assert not untranslated(messages)


def test_the_template_check_catches_a_message_without_a_template():
    messages = [("tracker_import", 1, "could not place X9: a text above the header that is not taken for "
                                      "the title"),
                ("output", 2, "X9: is a folder; give a file name to write")]
    assert not untranslated(messages)
    # a new message, or one whose wording changed, has no template: the check says so
    changed = [("tracker_import", 1, "could not place X9: a text below the header"),
               ("xlsx_read", 3, "a grid's rows were removed; removing a grid is not read back")]
    assert untranslated(changed) == [f"reportgen/{m}.py:{n}: {s}" for m, n, s in changed]


def test_problems_of_real_tracker_edits_hostile_files_and_outputs_print_in_japanese(tmp_path):
    """Real failure paths of the new modules, end to end: each problem's message has a Japanese text."""
    import warnings

    import openpyxl

    from reportgen.core.output import OutputError, check_target

    report = reportgen.load(ROOT / "examples" / "saitama-r5-excerpt.yaml")
    tracker = tmp_path / "t.xlsx"
    reportgen.render_xlsx(report, tracker)
    messages = []
    wb = openpyxl.load_workbook(tracker)
    ws = wb["進捗状況"]
    ws["A1"].value = None  # the title cleared: a warning
    wb.save(tmp_path / "warned.xlsx")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reportgen.load(tmp_path / "warned.xlsx")
    messages += [w.message.problem.message for w in caught if hasattr(w.message, "problem")]
    marks = [c for row in ws.iter_rows() for c in row if c.value in ("◎", "○", "△", "×")]
    marks[0].value = "良"  # not a mark: an error
    wb.save(tracker)
    with pytest.raises(ReportError) as info:
        reportgen.load(tracker)
    messages += [p.message for p in info.value.problems]
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    big = tmp_path / "big.yaml"
    big.write_text("format: 1\nreport: {title: t, organization: o, fiscal_year: 2024}\nsections:\n"
                   "  - title: 分野\n    items:\n      - title: 施策\n        entries:\n"
                   "          - kpi: {text: 件数, target: 1.0e+20}\n", encoding="utf-8")
    for bad in (fifo, big):
        with pytest.raises(ReportError) as info:
            reportgen.load(bad)
        messages += [p.message for p in info.value.problems]
    real = tmp_path / "real.pdf"
    real.write_bytes(b"%PDF")
    (tmp_path / "link.pdf").symlink_to(real)
    with pytest.raises(OutputError) as out:
        check_target(tmp_path / "link.pdf")
    messages.append(str(out.value))
    assert len(messages) == 5, messages
    for message in messages:
        text, complete = i18n.translate(message, "ja", complete=True)
        assert complete and JAPANESE.search(text) and not PROSE.search(text), (message, text)
