"""Shared fixtures: the repo's own examples (tests never read ../shared)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


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
