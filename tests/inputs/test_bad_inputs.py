"""Hostile and broken input: never a traceback, a hang or a memory blow-up.

``tests/bad_inputs/`` holds one file per case.  ``NAME.expected`` next to a
bad file lists, one per line, exactly the messages it must give, with
``{file}`` standing for the path as given; ``ok-*`` files are traps written
correctly and must load.  The corpus is checked both through ``reportgen.load``
(one test per case, clear failures) and through ``reportgen validate`` in one
run (exit code 2, exact stderr, nothing written).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reportgen
from reportgen import ReportError
from reportgen.inputs import source
from reportgen.core.locations import Located
from reportgen.inputs.validate import MAX_TEXT_CHARS, build_located

CORPUS = Path(__file__).resolve().parents[1] / "bad_inputs"
BAD = sorted(p for p in CORPUS.iterdir() if p.suffix != ".expected" and not p.name.startswith("ok-"))
GOOD = sorted(p for p in CORPUS.iterdir() if p.suffix != ".expected" and p.name.startswith("ok-"))

HEAD = """\
format: 1
report:
  title: 令和５年度 事業計画
  organization: 埼玉支部
  fiscal_year: 2023
"""


def expected(path: Path, shown: str) -> list[str]:
    text = (path.parent / (path.name + ".expected")).read_text(encoding="utf-8")
    return [line.replace("{file}", shown) for line in text.splitlines()]


def problems(path: Path | str) -> list[str]:
    with pytest.raises(ReportError) as info:
        reportgen.load(path)
    return [str(p) for p in info.value.problems]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reportgen", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


# -- the corpus ---------------------------------------------------------------------


def test_corpus_is_complete() -> None:
    assert len(BAD) >= 40
    for path in BAD:
        assert (CORPUS / (path.name + ".expected")).is_file(), f"{path.name} has no .expected"
    for exp in CORPUS.glob("*.expected"):
        assert (CORPUS / exp.name[: -len(".expected")]).is_file(), f"{exp.name} has no input file"
        assert exp.read_text(encoding="utf-8").strip(), f"{exp.name} is empty"


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_input_gives_exactly_its_messages(path: Path) -> None:
    assert problems(path) == expected(path, str(path))


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_trap_written_correctly_loads(path: Path) -> None:
    reportgen.load(path)


def test_validate_command_on_whole_corpus(tmp_path: Path) -> None:
    """One run over every bad file: exit 2, exactly the expected lines in order,
    nothing on stdout, no traceback, and not a single file written."""
    work = tmp_path / "corpus"
    shutil.copytree(CORPUS, work)
    before = sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in work.iterdir())
    names = [p.name for p in BAD]
    result = run_cli("validate", *names, cwd=work)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    want = [line for p in BAD for line in expected(p, p.name)]
    assert result.stderr.splitlines() == want
    after = sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in work.iterdir())
    assert after == before

    ok = run_cli("validate", *(p.name for p in GOOD), cwd=work)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count(": ok (") == len(GOOD)


def test_traps_written_correctly_keep_their_meaning() -> None:
    sjis = reportgen.load(CORPUS / "ok-shift-jis.yaml")
    # Shift_JIS 0x8160 is read as CP932 does: FULLWIDTH TILDE, the usual reading on Windows.
    assert sjis.organization == "埼玉支部" and sjis.sections[0].items[0].entries[0].plan == "～計画（１）"
    assert reportgen.load(CORPUS / "ok-cp932.yaml").organization == "髙橋①㈱支部"
    assert reportgen.load(CORPUS / "ok-utf16-bom.yaml").sections[0].items[0].entries[0].plan == "計画"
    assert reportgen.load(CORPUS / "ok-utf8-bom.json").organization == "埼玉支部"
    assert reportgen.load(CORPUS / "ok-utf16-bom.json").organization == "埼玉支部"

    merged = reportgen.load(CORPUS / "ok-anchors-and-merge.yaml")
    first, second = merged.sections[0].items[0].entries
    assert second.plan == first.plan == "適切な進捗管理を行い、処理期間を遵守する。"
    assert first.kpi is not None and second.kpi is not None
    assert (first.kpi.actual, second.kpi.actual) == (0.965, 0.95)  # merged, then overridden
    assert second.kpi.text == first.kpi.text and second.kpi.target == 0.965
    assert merged.sections[0].items[1].owner == "企画総務グループ"

    traps = reportgen.load(CORPUS / "ok-yaml-traps-written-right.yaml")
    a, b = traps.sections[0].items[0].entries
    assert a.plan == "no" and a.status == "処理時間 4:56"
    assert a.kpi is not None and (a.kpi.target, a.kpi.actual) == ("5:00", "4:56")  # not 300 and 296 (base 60)
    assert b.number == "017" and b.plan == "1e3件"  # not 15 (octal)

    tabs = reportgen.load(CORPUS / "ok-json-tabs-and-escapes.json")
    assert tabs.title == "令和５年度\t事業計画 / 埼玉 \U0001F600"
    assert tabs.sections[0].items[0].entries[0].plan == "a\nb"  # a JSON "\r\n" is a line break: LF in the model
    assert tabs.sections[0].items[0].entries[0].mark == "○"

    crlf = reportgen.load(CORPUS / "ok-crlf.yaml")
    assert crlf.sections[0].items[0].entries[0].plan == "計画"


def test_a_report_without_sections_is_valid() -> None:
    """Decision: ``sections: []`` (and no ``sections`` at all) stays valid — the
    existing suite loads such a file and expects a header-only dict to report
    only its header problems; ``validate`` prints "0 sections" for it."""
    assert reportgen.load(CORPUS / "ok-empty-sections.yaml").sections == []
    result = run_cli("validate", str(CORPUS / "ok-empty-sections.yaml"))
    assert result.returncode == 0 and "ok (0 sections, 0 entries)" in result.stdout


# -- files that are not there, or not files -------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert problems(path) == [f"{path}: cannot read: no such file"]
    result = run_cli("validate", str(path))
    assert result.returncode == 2 and result.stderr == f"{path}: cannot read: no such file\n"


def test_directory_given_as_file(tmp_path: Path) -> None:
    folder = tmp_path / "reports.yaml"
    folder.mkdir()
    assert problems(folder) == [f"{folder}: this is a folder, not a file"]
    # The command line refuses a folder before reportgen sees it (click's check,
    # one line, exit 2); still no traceback.
    result = run_cli("validate", str(folder))
    assert result.returncode == 2 and "Traceback" not in result.stderr and "directory" in result.stderr


# -- size and time --------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_ten_megabyte_text_is_refused_quickly(tmp_path: Path, suffix: str) -> None:
    big = "あ" * (10 * 1024 * 1024 // 3)  # 10 MB in UTF-8
    data = {"format": 1, "report": {"title": "t", "organization": "o", "fiscal_year": 2023},
            "sections": [{"title": "s", "items": [{"title": "i", "entries": [{"plan": big}]}]}]}
    path = tmp_path / ("big" + suffix)
    if suffix == ".json":
        text = json.dumps(data, ensure_ascii=False, indent=1)
        path.write_text(text, encoding="utf-8")
        line = text[: text.index('"plan"')].count("\n") + 1
    else:
        path.write_text(HEAD + "sections:\n  - title: s\n    items:\n      - title: i\n        entries:\n"
                        f"          - plan: {big}\n", encoding="utf-8")
        line = 11
    start = time.perf_counter()
    assert problems(path) == [f"{path}:{line}: sections[0].items[0].entries[0].plan: the text is "
                              f"{len(big):,} characters long; the limit is {MAX_TEXT_CHARS:,}"]
    assert time.perf_counter() - start < 5


def test_text_at_the_limit_loads(write) -> None:
    path = write("long.yaml", HEAD + "sections:\n  - title: s\n    items:\n      - title: i\n        entries:\n"
                 f"          - plan: {'a' * MAX_TEXT_CHARS}\n")
    assert reportgen.load(path).sections[0].items[0].entries[0].plan == "a" * MAX_TEXT_CHARS


def test_file_over_the_size_limit(write, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "MAX_INPUT_BYTES", 1024 * 1024)
    path = write("huge.yaml", HEAD + "# " + "x" * (1024 * 1024) + "\n")
    assert problems(path) == [f"{path}: the file is larger than 1 MB, the limit for a report"]


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_too_many_values(write, monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    monkeypatch.setattr(source, "MAX_NODES", 1000)
    if suffix == ".json":
        path = write("many.json", '{"format": 1,\n "x": [\n' + ",\n".join(["1"] * 2000) + "]}\n")
    else:
        path = write("many.yaml", "format: 1\nx:\n" + "  - 1\n" * 2000)
    # Keys count: the mapping, format, 1, x and the list are five values, so item 996 (line 998) tips it.
    assert problems(path) == [f"{path}:998: the file holds more than 1,000 values"]


BOMB_SCRIPT = """
import resource, sys, time
import reportgen
from reportgen import ReportError
from reportgen.inputs import source
if sys.argv[2] == "python":
    source.C_LOADER = None
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    reportgen.load(sys.argv[1])
    print("loaded")
except ReportError as exc:
    print(exc)
print(time.perf_counter() - start)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
"""


@pytest.mark.parametrize("parser", ["libyaml", "python"])
@pytest.mark.parametrize("name", ["alias-bomb.yaml", "alias-text-bomb.yaml"])
def test_alias_bomb_fails_fast_and_small(name: str, parser: str) -> None:
    """Measured in a fresh process: under 2 s and under 200 MB of peak RSS growth."""
    out = subprocess.run([sys.executable, "-c", BOMB_SCRIPT, str(CORPUS / name), parser],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    message, seconds, megabytes = out.stdout.strip().splitlines()
    assert "alias bomb" in message
    assert float(seconds) < 2
    assert float(megabytes) < 200


# -- the pure-Python parser gives the same results as libyaml --------------------------


@pytest.mark.parametrize("path", [p for p in BAD + GOOD if p.suffix == ".yaml"], ids=lambda p: p.name)
def test_without_libyaml_results_are_the_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def outcome() -> Any:
        try:
            return reportgen.load(path)
        except ReportError as exc:
            return [str(p) for p in exc.problems]

    with_c = outcome()
    monkeypatch.setattr(source, "C_LOADER", None)
    assert outcome() == with_c


@pytest.mark.skipif(source.C_LOADER is None, reason="libyaml is not installed")
@pytest.mark.parametrize("path", [p for p in BAD if p.suffix == ".yaml"], ids=lambda p: p.name)
def test_libyaml_syntax_messages_read_the_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large files are not re-read by the slow Python parser: libyaml's own
    errors must then give the same plain-language lines."""
    monkeypatch.setattr(source, "REPARSE_CHARS", 0)
    want = expected(path, str(path))
    if path.name == "lone-surrogate.yaml":  # libyaml refuses the escape itself
        want = [f"{path}:3: YAML syntax error: an invalid \\u escape in a double-quoted text (no such character)"]
    assert problems(path) == want


# -- fuzzing: any value anywhere, any text -----------------------------------------------

_leaves = (st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=True, allow_infinity=True)
           | st.text(max_size=12) | st.sampled_from(["", "○", "Q5", "2023-02-30", "pct:x", "4:99", "prior", "auto"]))
_values = st.recursive(_leaves, lambda kids: st.lists(kids, max_size=4)
                       | st.dictionaries(st.text(max_size=8) | st.sampled_from(
                           ["value", "span", "rows", "header", "text", "table", "series", "values", "label"]),
                           kids, max_size=4), max_leaves=12)


def _saitama() -> tuple[Any, list[tuple[Any, ...]]]:
    located = source.read_located(Path(__file__).resolve().parents[2] / "examples" / "saitama-r5-excerpt.yaml")
    return located.data, sorted(located.lines, key=str)


_DATA, _PATHS = _saitama()


def _replace(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, list):
        return [(_replace(v, rest, value) if i == head else v) for i, v in enumerate(data)]
    return {k: (_replace(v, rest, value) if k == head else v) for k, v in data.items()}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(where=st.sampled_from(_PATHS), value=_values)
def test_any_value_anywhere_gives_problems_not_crashes(where: tuple[Any, ...], value: Any) -> None:
    data = _replace(_DATA, where, value)
    try:
        build_located(Located(data, "f.yaml"))
    except ReportError as exc:
        assert exc.problems
        for p in exc.problems:
            text = str(p)
            assert "\n" not in text and len(text) < 800


_YAMLISH = st.text(alphabet=st.sampled_from(list("ab:-[]{},'\"&*!|>#%@`?~ \n\t\\0123.") + ["\u3042", "\x00", "\ufeff"]),
                   max_size=60)


@settings(max_examples=200, deadline=None)
@given(text=_YAMLISH, kind=st.sampled_from(["yaml", "json"]))
def test_any_text_parses_or_gives_problems(text: str, kind: str) -> None:
    try:
        source.parse_text(text, "f." + kind, kind=kind)
    except ReportError as exc:
        assert exc.problems and all("\n" not in str(p) for p in exc.problems)


@settings(max_examples=100, deadline=None)
@given(raw=st.binary(max_size=80))
def test_any_bytes_decode_or_give_a_problem(raw: bytes) -> None:
    try:
        text = source.decode(raw, "f.yaml")
    except ReportError as exc:
        assert len(exc.problems) == 1
        return
    try:
        source.parse_text(text, "f.yaml", kind="yaml")
    except ReportError:
        pass


def test_messages_never_break_lines_or_leak_escapes(write) -> None:
    path = write("esc.yaml", HEAD + textwrap.dedent("""\
        sections:
          - title: "a\\nb"
            "\\e]0;title\\a": 1
            items: [{title: i, entries: [{plan: p, mark: "\\n★"}]}]
        """))
    lines = problems(path)
    assert len(lines) == 2
    assert all("\x1b" not in l and "\x07" not in l for l in lines)
    assert lines[0] == f"{path}:8: sections[0].\\x1b]0;title\\x07: unknown key; expected one of number, title, groups, items"
    assert lines[1].endswith("mark: '\\n★' is not a mark of the 'standard' scale (◎ ○ △ × ―)")
