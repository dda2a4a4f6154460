"""The golden harness (#14): every case prints exactly what tests/golden/data holds.

A failure lists where the capture moved (page, line, cell).  When the change
is deliberate, run ``scripts/golden --update`` and commit the data with it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))
import harness  # noqa: E402

sys.path.pop(0)

CASES = harness.cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_output_is_unchanged(case: harness.Case) -> None:
    stored = harness.path_of(case)
    assert stored.exists(), f"no golden data for {case.name}: run scripts/golden --update {case.name}"
    expected = json.loads(stored.read_text(encoding="utf-8"))
    got = json.loads(harness.dump(harness.capture(case)))
    if case.kind == "pdf" and not got["pixels"]:
        expected.pop("pixels"), got.pop("pixels")   # pdftoppm missing: text and page count only
    problems = harness.differences(expected, got)
    assert not problems, f"{case.name} differs from {stored.name}:\n" + "\n".join(problems[:40])


def test_every_golden_file_has_a_case() -> None:
    names = {f"{c.name}.json" for c in CASES}
    stale = sorted(p.name for p in harness.DATA.glob("*.json") if p.name not in names)
    assert not stale, f"golden data without a case (remove it): {stale}"
