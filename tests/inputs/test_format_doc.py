"""docs/FORMAT.md describes every key the validator accepts.

The keys are read from the validator's source itself, reportgen/inputs/validate.py
and its parts validate_*.py (the allowed-keys tuple of each ``.mapping(...)``
call, with the tuples it names or spreads, wherever they are defined), so a key
added to the format without a line in the documentation fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from reportgen.model import numbers

from reportgen.inputs import validate
from reportgen.model.marks import BUILTIN_SCALES

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "FORMAT.md"
INPUTS = ROOT / "reportgen" / "inputs"
#: The validator: validate.py and the modules of its parts (validate_values, _kpi, _content…).
VALIDATE = sorted([INPUTS / "validate.py", *INPUTS.glob("validate_*.py")])


def _named_tuples(tree: ast.AST) -> dict[str, ast.expr]:
    """Every ``NAME = (...)`` in the module, functions included (e.g. ``kinds``)."""
    named: dict[str, ast.expr] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            named[node.targets[0].id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            named[node.target.id] = node.value
    return named


def _strings(expr: ast.expr, named: dict[str, ast.expr], seen: frozenset[str] = frozenset()) -> set[str]:
    """The string constants of a keys expression: a tuple, a name, a + b, *NAME."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, (ast.Tuple, ast.List)):
        return set().union(*(_strings(e, named, seen) for e in expr.elts))
    if isinstance(expr, ast.Starred):
        return _strings(expr.value, named, seen)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return _strings(expr.left, named, seen) | _strings(expr.right, named, seen)
    if isinstance(expr, ast.Name) and expr.id in named and expr.id not in seen:
        return _strings(named[expr.id], named, seen | {expr.id})
    raise AssertionError(f"validator line {getattr(expr, 'lineno', '?')}: cannot read the keys of "
                         f"{ast.dump(expr)[:80]}; teach tests/test_format_doc.py this form")


def validator_keys() -> dict[str, str]:
    """Every key of every mapping the validator accepts → "file:line" of its mapping() call.

    Names are shared across the files: a tuple defined in one module (PRINT_KEYS)
    and spread in another's mapping() call is read where it is defined."""
    trees = {path.name: ast.parse(path.read_text(encoding="utf-8")) for path in VALIDATE}
    named: dict[str, ast.expr] = {}
    for tree in trees.values():
        named.update(_named_tuples(tree))
    keys: dict[str, str] = {}
    for name, tree in trees.items():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "mapping" and len(node.args) >= 3):
                for key in _strings(node.args[2], named):
                    keys.setdefault(key, f"{name}:{node.lineno}")
    return keys


def yaml_key_in(key: str, text: str) -> bool:
    """``key:`` written as a YAML key: at a line start, after a space, { or ,."""
    return re.search(r"(^|\s|\{|,)" + re.escape(key) + r":", text, re.MULTILINE) is not None


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_the_validator_has_the_keys_the_test_expects() -> None:
    # Guards the AST reading itself: keys of the report, of a block (the local
    # tuple ``kinds``), of print options (``*PRINT_KEYS``) and of a series row.
    keys = validator_keys()
    for key in ("fiscal_year", "series", "heading", "running_header", "page_numbers",
                "total_label", "rank_prev", "not_assessed", "next_plan", "span"):
        assert key in keys
    assert len(keys) > 60
    # Every part of the validator is read, not validate.py alone.
    assert {where.split(":")[0] for where in keys.values()} >= {
        "validate_kpi.py", "validate_content.py", "validate_items.py", "validate_report.py"}


def test_every_key_of_validate_is_a_yaml_key_in_format_md(doc: str) -> None:
    missing = [f"{key} ({where})" for key, where in sorted(validator_keys().items())
               if not yaml_key_in(key, doc)]
    assert not missing, "docs/FORMAT.md lacks: " + ", ".join(missing)


def test_a_key_missing_from_the_doc_is_caught(doc: str) -> None:
    # Remove every "total_label:" from the doc: the check must see it gone.
    stripped = re.sub(r"total_label:", "total-label", doc)
    assert yaml_key_in("total_label", doc)
    assert not yaml_key_in("total_label", stripped)
    # A key only mentioned in prose (`next_plan`) is not a YAML key.
    assert not yaml_key_in("next_plan", "the keys `next_plan` and overview")


@pytest.mark.parametrize("name", validate.LAYOUTS + validate.APPENDICES)
def test_every_layout_and_appendix_is_documented(doc: str, name: str) -> None:
    assert re.search(r"`" + re.escape(name) + r"`", doc), name
    assert yaml_key_in("layout", doc) and yaml_key_in("appendix", doc)


@pytest.mark.parametrize("name", list(BUILTIN_SCALES))
def test_every_builtin_mark_scale_is_documented_with_its_symbols(doc: str, name: str) -> None:
    marks = doc.split("\n## Marks\n", 1)[1].split("\n## ", 1)[0]
    row = next((line for line in marks.splitlines() if line.startswith(f"| `{name}`")), None)
    assert row is not None, f"no row for the scale {name} in the Marks section"
    scale = BUILTIN_SCALES[name]
    for symbol in scale.symbols:
        assert symbol.symbol in row and symbol.label in row, (name, symbol)
    assert row.rstrip(" |").endswith(scale.not_assessed or "none"), (name, scale.not_assessed)


@pytest.mark.parametrize("kind", numbers.KINDS)
def test_every_number_format_kind_is_documented(doc: str, kind: str) -> None:
    assert re.search(r"\| `" + re.escape(kind) + r"(:[^`]*)?` \|", doc), kind


@pytest.mark.parametrize("choices", [validate.LEGEND_POSITIONS, ("n / N", "n", "none"),
                                     ("auto", "sum", "mean", "last", "none"), ("line", "bar"),
                                     ("monthly", "quarterly")])
def test_every_choice_of_a_key_is_documented(doc: str, choices: tuple[str, ...]) -> None:
    for value in choices:
        assert f"`{value}`" in doc or f'`"{value}"`' in doc, value


def test_doc_examples_in_the_doc_are_valid_format() -> None:
    # The measure-pages item, the series with per-row totals and the inline
    # scale of the doc, put together, validate as a report.
    import textwrap

    import yaml

    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    inline_scale = next(b for b in blocks if b.startswith("marks:\n  name:"))
    measure = next(b for b in blocks if b.startswith("- number: （1）"))
    data = yaml.safe_load(
        "format: 1\nreport:\n  title: t\n  organization: o\n  fiscal_year: 2023\n"
        "  layout: measure-pages\n" + textwrap.indent(inline_scale, "  ")
        + "sections:\n  - title: 分野\n    items:\n" + textwrap.indent(measure, "      "))
    data["sections"][0]["items"][0]["entries"][0]["status"] = "実施した。"
    report = validate.build_report(data)
    assert report.marks.name == "支部評価"
    assert report.sections[0].items[0].actions
