"""The installed package finds its own templates and fonts, outside the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel and install it (without dependencies) into a private folder."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(work), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = work.glob("reportgen-*.whl")
    site = work / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )
    return site


def run_installed(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(site))
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_wheel_carries_templates_fonts_and_types(installed: Path) -> None:
    pkg = installed / "reportgen"
    assert (pkg / "py.typed").is_file()
    assert (pkg / "templates" / "base.css").is_file()
    assert sorted(p.name for p in (pkg / "fonts").glob("*.ttf")) == [
        "BIZUDGothic-Bold.ttf", "BIZUDGothic-Regular.ttf", "BIZUDMincho-Regular.ttf",
    ]
    assert (pkg / "fonts" / "OFL.txt").is_file()
    assert (pkg / "locale" / "ja" / "LC_MESSAGES" / "reportgen.mo").is_file()  # Japanese messages
    assert (pkg / "locale" / "ja" / "LC_MESSAGES" / "messages.mo").is_file()  # Click's, in Japanese


def test_installed_package_uses_its_own_assets(installed: Path, tmp_path: Path) -> None:
    code = (
        "import reportgen, reportgen.core.assets as a; "
        "print(reportgen.__file__); print(a.templates_dir()); print(a.fonts_dir())"
    )
    result = run_installed(installed, tmp_path, "-c", code)
    assert result.returncode == 0, result.stderr
    module, templates, fonts = result.stdout.split()
    for shown in (module, templates, fonts):
        assert Path(shown).resolve().is_relative_to(installed.resolve())


def test_installed_cli_validates_and_renders(installed: Path, tmp_path: Path) -> None:
    for name in ("saitama-r5-excerpt.yaml", "saitama-h29-q1-excerpt.yaml", "gunma-r5-excerpt.yaml"):
        shutil.copy(ROOT / "examples" / name, tmp_path / name)
    result = run_installed(installed, tmp_path, "-m", "reportgen", "validate", *sorted(p.name for p in tmp_path.glob("*.yaml")))
    assert result.returncode == 0, result.stderr
    result = run_installed(installed, tmp_path, "-m", "reportgen", "render", "gunma-r5-excerpt.yaml", "-o", "t.xlsx")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "t.xlsx").stat().st_size > 5000
    for name, out in (("saitama-r5-excerpt.yaml", "s.pdf"), ("saitama-h29-q1-excerpt.yaml", "q.pdf")):
        result = run_installed(installed, tmp_path, "-m", "reportgen", "render", name, "-o", out)
        assert result.returncode == 0, result.stderr
        assert (tmp_path / out).read_bytes().startswith(b"%PDF")
