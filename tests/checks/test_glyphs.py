"""Characters the bundled fonts lack are named in a warning, never silent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import reportgen
from reportgen.checks.glyphs import coverage, missing_glyphs

DOC = """\
format: 1
report: {{title: {title}, organization: 葛飾支部, fiscal_year: 2023}}
sections:
  - title: 基盤
    items:
      - title: 髙橋と﨑
        entries:
          - {{plan: "{plan}", status: ok}}
"""


def test_covered_text_gives_no_warning(saitama_path: Path) -> None:
    assert missing_glyphs(reportgen.load(saitama_path)) == []


def test_missing_characters_are_named_with_their_place(write) -> None:
    path = write("g.yaml", DOC.format(title="𠮷野家", plan="計画😀です"))
    report = reportgen.load(path)
    warnings = [str(w) for w in missing_glyphs(report, source=str(path))]
    assert warnings == [
        f"{path}: report.title: not in the bundled font, printed with a fallback font or as a blank box: '𠮷' (U+20BB7)",
        f"{path}: sections[0].items[0].entries[0].plan: not in the bundled font, printed with a fallback font or as a blank box: '😀' (U+1F600)",
    ]


def test_ivs_sequences_checked_against_the_font() -> None:
    cov = coverage("gothic")
    known = sorted(cov.sequences)[0]
    assert list(cov.missing(chr(known[0]) + chr(known[1]))) == []
    unknown_base = next(cp for cp in range(0x4E00, 0x9FFF) if cp in cov.codepoints and (cp, 0xE01EF) not in cov.sequences)
    assert list(cov.missing(chr(unknown_base) + chr(0xE01EF))) == [chr(unknown_base) + chr(0xE01EF)]


def test_cli_render_prints_located_warning(write, tmp_path: Path) -> None:
    path = write("g.yaml", DOC.format(title="𠮷野家", plan="計画"))
    result = subprocess.run(
        [sys.executable, "-m", "reportgen", "render", str(path), "-o", str(tmp_path / "g.xlsx")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert f"warning: {path}:2: report.title: not in the bundled font" in result.stderr
    assert "'𠮷' (U+20BB7)" in result.stderr


def test_cached_coverage_is_what_fonttools_reads(tmp_path: Path, monkeypatch) -> None:
    """The warnings rest on the font's own cmap: the cached sets are fontTools' sets."""
    from reportgen.checks import glyphs
    from reportgen.core.assets import fonts_dir

    monkeypatch.setenv("REPORTGEN_CACHE_DIR", str(tmp_path))
    for font, name in glyphs.FONT_FILES.items():
        expected = glyphs.fonttools_coverage(fonts_dir() / name)
        glyphs.coverage.cache_clear()
        assert glyphs.coverage(font) == expected  # computed, then stored
        glyphs.coverage.cache_clear()
        assert glyphs.coverage(font) == expected  # read back from the cache
    assert len(list((tmp_path / "glyphs").iterdir())) == len(glyphs.FONT_FILES)
    glyphs.coverage.cache_clear()


def test_damaged_cache_falls_back_to_fonttools(tmp_path: Path, monkeypatch) -> None:
    from reportgen.checks import glyphs
    from reportgen.core.assets import fonts_dir

    monkeypatch.setenv("REPORTGEN_CACHE_DIR", str(tmp_path))
    glyphs.coverage.cache_clear()
    glyphs.coverage("gothic")
    (stored,) = (tmp_path / "glyphs").iterdir()
    stored.write_bytes(b"\x00not marshal")
    glyphs.coverage.cache_clear()
    assert glyphs.coverage("gothic") == glyphs.fonttools_coverage(fonts_dir() / glyphs.FONT_FILES["gothic"])
    glyphs.coverage.cache_clear()


def test_a_sequence_is_checked_even_when_the_font_maps_the_selector_itself() -> None:
    """The one-set-test shortcut for text whose characters are all mapped never skips a
    variation sequence the font lacks (a cmap may map the selector code point too)."""
    from reportgen.checks.glyphs import Coverage

    cov = Coverage(codepoints=frozenset({0x845B, 0xE0100, 0x3042}), sequences=frozenset({(0x845B, 0xE0101)}))
    assert list(cov.missing("あ葛")) == []
    assert list(cov.missing("葛\U000E0100")) == ["葛\U000E0100"]
    assert list(cov.missing("葛\U000E0101")) == []
