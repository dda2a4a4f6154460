"""WeasyPrint imported with its C libraries looked up from one ldconfig read (cold start)."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys

import pytest

from reportgen.pdf import weasy

NAMES = ["gobject-2.0", "pango-1.0", "harfbuzz", "fontconfig", "pangoft2-1.0",
         "libpango-1.0-0", "harfbuzz-vector", "no-such-library-anywhere"]


@pytest.mark.skipif(weasy.ldconfig_cache() is None, reason="needs Linux with ldconfig")
def test_quick_lookup_finds_what_the_standard_lookup_finds() -> None:
    original = ctypes.util.find_library
    with weasy.find_library_from_cache():
        quick = {name: ctypes.util.find_library(name) for name in NAMES}
    assert ctypes.util.find_library is original  # put back
    for name, found in quick.items():
        if found is not None:
            assert found == original(name), name
    # the libraries WeasyPrint needs are found without gcc or ld
    assert all(quick[name] for name in ("gobject-2.0", "pango-1.0", "harfbuzz", "fontconfig"))
    assert quick["no-such-library-anywhere"] is None


def _fresh(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)


def test_failing_quick_lookup_falls_back_to_the_standard_import() -> None:
    code = """
import contextlib
from reportgen.pdf import weasy

@contextlib.contextmanager
def broken():
    raise OSError("cannot load library")
    yield

weasy.find_library_from_cache = broken
module = weasy.import_weasyprint()
import ctypes.util, weasyprint
assert module is weasyprint and weasyprint.HTML
print("ok")
"""
    done = _fresh(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"  # and nothing else (no installation help printed)


@pytest.mark.skipif(weasy.ldconfig_cache() is None, reason="needs Linux with ldconfig")
def test_rendering_modules_import_weasyprint_through_it() -> None:
    code = """
import ctypes.util
calls = []
original = ctypes.util.find_library
ctypes.util.find_library = lambda name: calls.append(name) or original(name)
import reportgen.pdf.engine
print(len(calls))
"""
    done = _fresh(code)
    assert done.returncode == 0, done.stderr
    # the standard lookup (spawning ldconfig, gcc, ld) was not asked once
    assert done.stdout.strip() == "0"
