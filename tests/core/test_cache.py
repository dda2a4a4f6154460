"""The compiled-template cache never changes what is printed, and never gets in the way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from reportgen.core.cache import TemplateCache, fingerprint, cache_dir

ROOT = Path(__file__).resolve().parents[2]


def _env(folder: Path, cache: Path, **options: object) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=True, **options)  # type: ignore[arg-type]
    env.bytecode_cache = TemplateCache(cache, fingerprint(env))
    return env


def test_cli_output_is_the_same_with_an_empty_a_filled_and_no_cache(tmp_path: Path) -> None:
    outputs = []
    for run, cache in enumerate([tmp_path / "cache", tmp_path / "cache", ""]):
        target = tmp_path / f"out{run}.html"
        env = dict(os.environ, REPORTGEN_CACHE_DIR=str(cache))
        done = subprocess.run([sys.executable, "-m", "reportgen", "render", "examples/gunma-r5-excerpt.yaml",
                               "-o", str(target)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        outputs.append(target.read_text(encoding="utf-8"))
        if run == 0:
            assert list((tmp_path / "cache" / "templates").glob("*.jinja"))  # the second run reads these
    assert outputs[0] == outputs[1] == outputs[2]


def test_an_edited_template_is_compiled_again(tmp_path: Path) -> None:
    (tmp_path / "t.html").write_text("old {{ x }}", encoding="utf-8")
    assert _env(tmp_path, tmp_path).get_template("t.html").render(x=1) == "old 1"
    (tmp_path / "t.html").write_text("new {{ x }}", encoding="utf-8")
    assert _env(tmp_path, tmp_path).get_template("t.html").render(x=1) == "new 1"


def test_code_compiled_under_other_options_is_not_reused(tmp_path: Path) -> None:
    (tmp_path / "t.html").write_text("{% if x %}\nyes\n{% endif %}", encoding="utf-8")
    assert _env(tmp_path, tmp_path, trim_blocks=False).get_template("t.html").render(x=1) == "\nyes\n"
    assert _env(tmp_path, tmp_path, trim_blocks=True).get_template("t.html").render(x=1) == "yes\n"
    assert _env(tmp_path, tmp_path, trim_blocks=False).get_template("t.html").render(x=1) == "\nyes\n"


def test_a_damaged_cache_file_is_a_miss(tmp_path: Path) -> None:
    (tmp_path / "t.html").write_text("{{ x }}!", encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    _env(tmp_path, cache).get_template("t.html")
    for stored in cache.glob("*.jinja"):
        stored.write_bytes(stored.read_bytes()[:40])
    assert _env(tmp_path, cache).get_template("t.html").render(x=2) == "2!"


def test_no_usable_folder_means_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", str(blocker))
    assert cache_dir("templates") is None
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", "")
    assert cache_dir("templates") is None
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", str(tmp_path / "c"))
    folder = cache_dir("templates")
    assert folder == tmp_path / "c" / "templates" and folder.is_dir()


def test_a_cache_that_cannot_be_written_is_harmless(tmp_path: Path) -> None:
    (tmp_path / "t.html").write_text("{{ x }}", encoding="utf-8")
    cache = tmp_path / "gone"  # removed after the cache was set up: every write fails
    assert _env(tmp_path, cache).get_template("t.html").render(x=3) == "3"
    assert not cache.exists()
