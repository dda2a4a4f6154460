"""Shared fixtures: the repo's own examples (tests never read ../shared)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings


ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# Tests never fill the user's own cache (~/.cache/reportgen, or a REPORTGEN_CACHE_DIR
# set in the shell; reportgen.core.cache, reportgen.pdf.partcache): one empty cache per
# session, set before any test runs, so the reportgen processes the tests start
# inherit it too. tests/test_partcache.py gives each of its tests a cache of its own.
_CACHE = tempfile.mkdtemp(prefix="reportgen-test-cache-")
os.environ["REPORTGEN_CACHE_DIR"] = _CACHE


# Property tests run the same examples on every run (CI must not pass or fail by
# chance); REPORTGEN_HYPOTHESIS_PROFILE=explore draws new ones when hunting for bugs.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile(os.environ.get("REPORTGEN_HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(autouse=True)
def _session_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with the session's cache folder, whatever an earlier test set."""
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", _CACHE)


# Messages in English whatever the developer's locale (reportgen.core.i18n follows LANGUAGE,
# LC_ALL, LC_MESSAGES, LANG); tests/test_i18n.py sets the locale it tests.
os.environ["LANGUAGE"] = "en"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_CACHE, ignore_errors=True)


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture
def saitama_path() -> Path:
    return EXAMPLES / "saitama-r5-excerpt.yaml"


@pytest.fixture
def quarterly_path() -> Path:
    return EXAMPLES / "saitama-h29-q1-excerpt.yaml"


@pytest.fixture
def gunma_path() -> Path:
    return EXAMPLES / "gunma-r5-excerpt.yaml"


@pytest.fixture
def write(tmp_path: Path):
    """Write text to a file in tmp_path and return its path."""

    def _write(name: str, text: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return _write
