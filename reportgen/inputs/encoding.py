"""Bytes → text: the encodings report files arrive in, and clear refusals of the rest.

Files come from people, other systems and mail: UTF-8 with or without a BOM,
UTF-16/32 with a BOM, Shift_JIS from older Japanese tools.  A file in another
encoding, or not a text file at all (an Excel workbook, a PDF), is refused with
one located :class:`ReportError`, never decoded into nonsense.
"""

from __future__ import annotations

import re

from ..core.errors import Problem, ReportError


_SAVE_AS_UTF8 = "save the file as UTF-8"

_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive or an Excel .xlsx workbook"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel .xls or Word .doc file"),
    (b"%PDF", "a PDF document"),
)


def _line_of_byte(raw: bytes, index: int) -> int:
    return raw[:index].count(b"\n") + 1


def decode(raw: bytes, source: str) -> str:
    """Decode a file's bytes: UTF-8 (with or without BOM), UTF-16/32 with a BOM,
    else CP932/Shift_JIS.

    Japanese offices still save files as Shift_JIS from older tools; such files
    are accepted when they decode cleanly.  EUC-JP is recognised and refused by
    name (its bytes often also decode as Shift_JIS, into nonsense); anything
    else is refused with the line of the first byte that is not UTF-8.
    """
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise ReportError([Problem(source, None, "", f"this is {what}, not a YAML or JSON text file")])
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                       (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"\xef\xbb\xbf", "utf-8")):
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                name = codec.upper().replace("-LE", "").replace("-BE", "")
                raise ReportError([Problem(
                    source, _line_of_byte(raw, exc.start + len(bom)) if name == "UTF-8" else None, "",
                    f"the file starts with a {name} byte-order mark but is not valid {name} text; {_SAVE_AS_UTF8}",
                )]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        first_bad = utf8_error.start
    if _looks_utf16(raw):
        raise ReportError([Problem(source, None, "", f"the file looks like UTF-16 without a byte-order mark; {_SAVE_AS_UTF8}")])
    try:
        text = raw.decode("cp932")
    except UnicodeDecodeError:
        text = None
    if _is_euc_jp(raw, text):
        raise ReportError([Problem(source, None, "", f"the file is in the EUC-JP encoding, which is not supported; {_SAVE_AS_UTF8}")])
    if text is None:
        raise ReportError([Problem(
            source, _line_of_byte(raw, first_bad), "",
            f"the file is not text in UTF-8 or Shift_JIS (CP932): byte 0x{raw[first_bad]:02X} cannot be read; "
            + _SAVE_AS_UTF8,
        )])
    return text


def _looks_utf16(raw: bytes) -> bool:
    """Mostly-ASCII UTF-16 has a NUL in every other byte."""
    sample = raw[:4096]
    if len(sample) < 8:
        return False
    evens, odds = sample[0::2].count(0), sample[1::2].count(0)
    return max(evens, odds) > len(sample) // 4 and min(evens, odds) < len(sample) // 50


_HALFWIDTH_KANA = re.compile("[\uff61-\uff9f]")


def _is_euc_jp(raw: bytes, cp932_text: str | None) -> bool:
    """Bytes that decode as EUC-JP and as Shift_JIS only with half-width kana
    (or not at all) are EUC-JP: real Shift_JIS kanji mostly use lead bytes
    0x81–0x9F, which EUC-JP never has."""
    try:
        raw.decode("euc_jp")
    except UnicodeDecodeError:
        return False
    return cp932_text is None or _HALFWIDTH_KANA.search(cp932_text) is not None

