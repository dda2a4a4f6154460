"""Row measurement: how tall a row must be to show its text, in Excel and LibreOffice.

Neither Excel (for merged cells) nor LibreOffice grows rows for wrapped text,
so every row height is computed here from the text, the column widths and the
font (East Asian wide characters count double).  Calibrated once against a
LibreOffice 7.4 PDF with BIZ UDゴシック (the font's ascent + descent is exactly
1 em, line gap 0):

* a column of width *w* prints 5.55·w pt wide in LibreOffice, (7w+5)·0.75 pt in
  Excel; the narrower is used for wrapping, less 4 pt of cell margin;
* wrapped lines are pitched at exactly 1.0 × the font size in LibreOffice;
  lines are counted at ``LINE_FACTOR`` = 1.1 × the size plus 4 pt per cell —
  10 % headroom for Excel, whose line pitch could not be measured here;
* stacked vertical text (textRotation 255) measured 0.93 em per character,
  sized at ``VERTICAL_FACTOR`` = 1.0 em.

Rows taller than Excel's 409 pt limit are split (:func:`split_for_rows`).
"""

from __future__ import annotations

from ..core.textwidth import char_units as east_asian_units
from .sheet import SPLIT_ROW_PT, WIDTHS

# Calibration (LibreOffice 7.4 PDF, BIZ UDゴシック): see the module docstring.
LINE_FACTOR = 1.1
VERTICAL_FACTOR = 1.0  # stacked characters measured at 0.93 em in LibreOffice
CELL_PAD_PT = 4.0      # top + bottom inner margin of a cell
WRAP_PAD_PT = 4.0      # left + right inner margin, subtracted from the width
#: Extra room under the last line of wrapped text, so it never touches the
#: cell's bottom border (LibreOffice sets the lines flush at the pad).
ROW_HEADROOM_PT = 3.0
_WIDTH_PT_LO = 5.55    # LibreOffice: points per character of column width
_WIDTH_PT_XL = 5.25    # Excel: (7w + 5) px × 0.75 = 5.25w + 3.75 pt

_NO_LINE_START = set("、。，．・：；？！゛゜ヽヾゝゞ々ー）］｝〕〉》」』】〙〗〟’”｠»ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ,.:;!?)]}%％")


#: char → half-width units, filled as characters are met (every row height of a
#: tracker measures the same few thousand characters again and again).
_UNITS: dict[str, int] = {}


def char_units(ch: str) -> int:
    """Width of one character in half-width units.

    Wide (W), full-width (F) and ambiguous (A) characters count 2: in a
    Japanese font ○ ◎ △ × ※ ① are full width, and guessing too wide only costs
    a little white space, while too narrow cuts printed text off.
    """
    units = _UNITS.get(ch)
    if units is None:
        units = _UNITS[ch] = east_asian_units(ch)
    return units


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "._/:-%,")


def wrap_lines(text: str, width_units: int) -> list[str]:
    """Lines of ``text`` wrapped at ``width_units`` half-width units.

    Mimics the spreadsheet's line breaking closely enough for sizing: runs of
    ASCII letters/digits (URLs, 2,974件) move to the next line as a whole, and
    a line never starts with closing punctuation or small kana (kinsoku).
    """
    width_units = max(width_units, 2)
    out: list[str] = []
    for paragraph in text.split("\n"):
        if 2 * len(paragraph) <= width_units or (len(paragraph) <= width_units and paragraph.isascii()):
            out.append(paragraph)   # fits whatever its characters (ASCII ones are one unit each)
            continue
        line = ""
        used = 0
        i = 0
        while i < len(paragraph):
            j = i + 1
            if _is_word_char(paragraph[i]):
                while j < len(paragraph) and _is_word_char(paragraph[j]):
                    j += 1
            token = paragraph[i:j]
            i = j
            w = sum(char_units(c) for c in token)
            if used + w > width_units and line:
                if token[0] in _NO_LINE_START and len(line) > 1:
                    token = line[-1] + token
                    line = line[:-1]
                    w = sum(char_units(c) for c in token)
                out.append(line)
                line, used = "", 0
            for ch in token:  # a word longer than a line breaks anywhere
                cw = char_units(ch)
                if used + cw > width_units and line:
                    out.append(line)
                    line, used = "", 0
                line += ch
                used += cw
        out.append(line)
    return out


def column_points(width_chars: float) -> float:
    """Printed width of a column, the narrower of Excel's and LibreOffice's."""
    return min(_WIDTH_PT_LO * width_chars, _WIDTH_PT_XL * width_chars + 3.75)


def span_points(first: int, last: int) -> float:
    return sum(column_points(WIDTHS[c]) for c in range(first, last + 1))


def line_pitch(size: float) -> float:
    return size * LINE_FACTOR


def text_lines(text: str, width_pt: float, size: float) -> int:
    units = int((width_pt - WRAP_PAD_PT) / (size / 2))
    return len(wrap_lines(text, units))


def text_height(text: str, width_pt: float, size: float) -> float:
    """Row height (pt) that shows ``text`` wrapped in a cell ``width_pt`` wide."""
    return text_lines(text, width_pt, size) * line_pitch(size) + CELL_PAD_PT + ROW_HEADROOM_PT


def vertical_height(text: str, size: float) -> float:
    """Height of stacked vertical text (textRotation 255): one character a line."""
    return len(text) * size * VERTICAL_FACTOR + CELL_PAD_PT * 2


def split_for_rows(text: str, width_pt: float, size: float) -> tuple[list[str], list[str]]:
    """Split text so that no piece needs more than one row's height.

    Returns the chunks and the separators between them ("\\n" when the split
    fell on a line break, "" inside a paragraph), which xlsx_read uses to glue
    the chunks back together.
    """
    if text_height(text, width_pt, size) <= SPLIT_ROW_PT:
        return [text], []
    units = int((width_pt - WRAP_PAD_PT) / (size / 2))
    per_row = max(1, int((SPLIT_ROW_PT - CELL_PAD_PT) / line_pitch(size)))
    chunks: list[str] = []
    seps: list[str] = []
    current: list[str] = []   # (wrapped) lines of the current chunk
    joins: list[str] = []     # joiner before each line of current (first unused)
    for p_index, paragraph in enumerate(text.split("\n")):
        for l_index, line in enumerate(wrap_lines(paragraph, units)):
            joiner = "" if l_index else "\n"
            if len(current) == per_row:
                chunks.append(_join(current, joins))
                seps.append(joiner if (p_index or l_index) else "\n")
                current, joins = [], []
            current.append(line)
            joins.append(joiner)
    chunks.append(_join(current, joins))
    return chunks, seps


def _join(lines: list[str], joins: list[str]) -> str:
    out = lines[0] if lines else ""
    for line, joiner in zip(lines[1:], joins[1:]):
        out += joiner + line
    return out
