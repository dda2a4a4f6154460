"""The architecture rules (#14) hold, and the checker catches each kind of breach.

``scripts/check-architecture`` runs in CI before the tests; here the checker is
also run on small planted trees, so a rule that silently stopped working (a
typo in the walk, a new import form) fails a test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import check_architecture  # noqa: E402

sys.path.pop(0)


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in {"reportgen/__init__.py": "", "tests/__init__.py": "", **files}.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_the_package_keeps_the_rules() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_architecture.py")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_cycle_between_subpackages_is_found_even_through_a_deferred_import(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "reportgen/pdf/__init__.py": "", "reportgen/pdf/engine.py": "from ..layouts.view import build\n",
        "reportgen/layouts/__init__.py": "",
        "reportgen/layouts/view.py": "def build():\n    from ..pdf import engine\n    return engine\n",
    })
    problems = check_architecture.check(root)
    assert any("import-cycle" in p and "layouts" in p and "pdf" in p for p in problems), problems


def test_imports_for_type_checkers_only_are_no_dependency(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "reportgen/pdf/__init__.py": "", "reportgen/pdf/engine.py": "from ..layouts.view import build\n",
        "reportgen/layouts/__init__.py": "",
        "reportgen/layouts/view.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..pdf import engine\n",
    })
    assert check_architecture.check(root) == []


@pytest.mark.parametrize("code", [
    "from ..layouts.view import _Builder\n",
    "from ..layouts import view\nview._Builder()\n",
])
def test_an_underscore_name_across_modules_is_found(tmp_path: Path, code: str) -> None:
    root = _tree(tmp_path, {
        "reportgen/pdf/__init__.py": "", "reportgen/pdf/engine.py": code,
        "reportgen/layouts/__init__.py": "", "reportgen/layouts/view.py": "class _Builder: ...\n",
    })
    problems = check_architecture.check(root)
    assert len(problems) == 1 and "_Builder" in problems[0] and problems[0].startswith("reportgen/pdf/engine.py:")


def test_tests_use_the_public_surface_too(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "reportgen/layouts/__init__.py": "", "reportgen/layouts/view.py": "def _fmt(): ...\n",
        "tests/test_x.py": "from reportgen.layouts.view import _fmt\n",
    })
    assert [p.split(":")[0] for p in check_architecture.check(root)] == ["tests/test_x.py"]


def test_weasyprint_internals_only_behind_the_adapter(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "reportgen/pdf/__init__.py": "",
        "reportgen/pdf/weasy.py": "from weasyprint.formatting_structure import boxes\n",
        "reportgen/pdf/engine.py": "import weasyprint\nfrom weasyprint.layout.absolute import AbsolutePlaceholder\n",
    })
    problems = check_architecture.check(root)
    assert len(problems) == 1 and problems[0].startswith("reportgen/pdf/engine.py:2: weasyprint-internals"), problems


def test_a_module_or_class_too_long_is_found(tmp_path: Path) -> None:
    limit = check_architecture.MAX_MODULE_LINES
    body = "".join(f"    x{i} = {i}\n" for i in range(check_architecture.MAX_CLASS_LINES))
    root = _tree(tmp_path, {
        "reportgen/long.py": "x = 1\n" * (limit + 1),
        "reportgen/fine.py": "x = 1\n" * limit,
        "reportgen/big.py": "class Big:\n" + body,
        "reportgen/small.py": "class Small:\n" + body[: -len(f"    x{check_architecture.MAX_CLASS_LINES - 1} = "
                                                               f"{check_architecture.MAX_CLASS_LINES - 1}\n")],
    })
    problems = check_architecture.check(root)
    assert sorted(p.split(": ")[0] + ": " + p.split(": ")[1] for p in problems) == [
        "reportgen/big.py:1: class-size", "reportgen/long.py:1: module-size"], problems
