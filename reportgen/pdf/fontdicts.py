"""The PDF side of font packing: Type0 / CIDFontType2 font dictionaries, read and written.

:mod:`reportgen.pdf.fontpack` needs to know, for every TrueType CID font
WeasyPrint embedded, which CIDs it shows (the keys of ``/W`` and of
``ToUnicode``), and afterwards to point the dictionaries at a rebuilt program
(``/CIDToGIDMap``, ``/CIDSet``) or merge dictionaries of one face (``/W``,
``ToUnicode``, ``/FontBBox``).  That is this module; the font programs
themselves are :mod:`reportgen.pdf.truetype`.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pikepdf is imported lazily: `import reportgen` stays light
    import pikepdf

__all__ = ["FontDict", "cid_set", "cid_to_gid_map", "cid_widths", "font_dict", "merge_dicts", "mergeable",
           "resource_dicts"]

_HEX = re.compile(rb"<([0-9A-Fa-f]*)>")


@dataclass
class FontDict:
    """One Type0 font dictionary with a CIDFontType2 descendant and a TrueType program."""

    font: Any  # pikepdf.Dictionary (indirect)
    cidfont: Any
    descriptor: Any
    program: Any  # pikepdf.Stream: /FontFile2
    widths: dict[int, float]
    #: CID → text; None when ToUnicode is missing or not understood (then never merged).
    text: dict[int, str] | None

    @property
    def cids(self) -> set[int]:
        return set(self.widths) | set(self.text or ())




def resource_dicts(doc: pikepdf.Pdf) -> Iterator[Any]:
    """Every resource dictionary with a /Font entry (pages, forms, patterns, Type 3 fonts, AcroForm)."""
    import pikepdf

    for obj in doc.objects:
        if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            continue
        if obj.get("/Type") == "/Font":
            resources = obj.get("/Resources")  # Type 3 glyph procedures
            if isinstance(resources, pikepdf.Dictionary) and "/Font" in resources:
                yield resources
            continue
        if isinstance(obj.get("/Font"), pikepdf.Dictionary):
            yield obj
        resources = obj.get("/Resources")
        if isinstance(resources, pikepdf.Dictionary) and isinstance(resources.get("/Font"), pikepdf.Dictionary):
            yield resources
    form = doc.Root.get("/AcroForm")
    if isinstance(form, pikepdf.Dictionary):
        dr = form.get("/DR")
        if isinstance(dr, pikepdf.Dictionary) and isinstance(dr.get("/Font"), pikepdf.Dictionary):
            yield dr


def cid_widths(w: Any) -> dict[int, float] | None:
    """/W as CID → width (``c [w1 w2 …]`` and ``c_first c_last w`` forms)."""
    import pikepdf

    out: dict[int, float] = {}
    items = list(w)
    i = 0
    try:
        while i < len(items):
            first = int(items[i])
            nxt = items[i + 1]
            if isinstance(nxt, pikepdf.Array):
                for k, value in enumerate(nxt):
                    out[first + k] = float(value)
                i += 2
            else:
                width = float(items[i + 2])
                for cid in range(first, int(nxt) + 1):
                    out[cid] = width
                i += 3
    except (IndexError, TypeError, ValueError):
        return None
    return out


def _utf16(hexdigits: bytes) -> str:
    return bytes.fromhex(hexdigits.decode("ascii")).decode("utf-16-be", errors="surrogatepass")


def _parse_to_unicode(data: bytes) -> dict[int, str] | None:
    """A ToUnicode CMap's bfchar/bfrange entries as CID → text; None if anything is not understood."""
    out: dict[int, str] = {}
    try:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.DOTALL):
            codes = _HEX.findall(block)
            if len(codes) % 2 or len(codes) != block.count(b"<"):
                return None
            for src, dst in zip(codes[::2], codes[1::2]):
                out[int(src, 16)] = _utf16(dst)
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.DOTALL):
            for line in re.findall(rb"<[0-9A-Fa-f]+>\s*<[0-9A-Fa-f]+>\s*(?:<[0-9A-Fa-f]*>|\[[^\]]*\])", block):
                parts = _HEX.findall(line)
                lo, hi = int(parts[0], 16), int(parts[1], 16)
                if b"[" in line:
                    for k, dst in enumerate(parts[2:]):
                        out[lo + k] = _utf16(dst)
                else:
                    base = _utf16(parts[2])
                    for k in range(hi - lo + 1):
                        out[lo + k] = base[:-1] + chr(ord(base[-1]) + k)
    except (ValueError, UnicodeDecodeError, IndexError):
        return None
    if b"beginbfchar" in data and not out:
        return None
    return out


def font_dict(font: Any) -> FontDict | None:
    """The parts of a Type0 font this module can compact, or None."""
    import pikepdf

    if font.get("/Subtype") != "/Type0" or not font.is_indirect:
        return None
    descendants = font.get("/DescendantFonts")
    if not isinstance(descendants, pikepdf.Array) or len(descendants) != 1:
        return None
    cidfont = descendants[0]
    if cidfont.get("/Subtype") != "/CIDFontType2":
        return None
    if cidfont.get("/CIDToGIDMap", pikepdf.Name.Identity) != pikepdf.Name.Identity:
        return None  # already mapped
    descriptor = cidfont.get("/FontDescriptor")
    program = descriptor.get("/FontFile2") if isinstance(descriptor, pikepdf.Dictionary) else None
    if not isinstance(program, pikepdf.Stream) or not program.is_indirect:
        return None
    widths = cid_widths(cidfont.get("/W", pikepdf.Array()))
    if widths is None:
        return None
    text = None
    to_unicode = font.get("/ToUnicode")
    if isinstance(to_unicode, pikepdf.Stream):
        try:
            text = _parse_to_unicode(to_unicode.read_bytes())
        except pikepdf.PdfError:
            text = None
    return FontDict(font, cidfont, descriptor, program, widths, text)



def cid_to_gid_map(doc: pikepdf.Pdf, mapping: dict[int, int]) -> Any:
    """A /CIDToGIDMap stream: big-endian 2-byte glyph index for each CID 0…max (unused: 0)."""
    import pikepdf

    table = bytearray(2 * (max(mapping, default=0) + 1))
    for cid, gid in mapping.items():
        struct.pack_into(">H", table, 2 * cid, gid)
    return doc.make_stream(zlib.compress(bytes(table), 9), Filter=pikepdf.Name.FlateDecode)


def _write_widths(widths: dict[int, float]) -> Any:
    """/W in WeasyPrint's form: ``first [w w …]`` for each run of consecutive CIDs."""
    import pikepdf

    out: list[Any] = []
    run: list[Any] = []
    previous = None
    for cid in sorted(widths):
        if previous is None or cid != previous + 1:
            run = []
            out.extend([cid, run])
        value = widths[cid]
        run.append(int(value) if value == int(value) else value)
        previous = cid
    return pikepdf.Array([item if not isinstance(item, list) else pikepdf.Array(item) for item in out])


def _write_to_unicode(doc: pikepdf.Pdf, text: dict[int, str]) -> Any:
    """A ToUnicode CMap as WeasyPrint writes it (bfchar, 100 a block)."""
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", b"/CIDSystemInfo",
             b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def", b"1 begincodespacerange",
             b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(text.items())
    for i in range(0, len(items), 100):
        batch = items[i:i + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        for cid, value in batch:
            lines.append(f"<{cid:04x}> <{value.encode('utf-16-be', errors='surrogatepass').hex()}>".encode())
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    import pikepdf

    return doc.make_stream(zlib.compress(b"\n".join(lines), 9), Filter=pikepdf.Name.FlateDecode)


def cid_set(doc: pikepdf.Pdf, cids: set[int]) -> Any:
    """A /CIDSet stream (one bit per CID, PDF/A-1's requirement) for ``cids``."""
    import pikepdf

    size = max(cids, default=0) // 8 + 1
    bits = bytearray(size)
    for cid in cids:
        bits[cid // 8] |= 0x80 >> (cid % 8)
    return doc.make_stream(zlib.compress(bytes(bits), 9), Filter=pikepdf.Name.FlateDecode)


def mergeable(users: list[FontDict]) -> bool:
    """Font dictionaries that can become one without a change in width, text or encoding."""
    import pikepdf

    first = users[0]
    encoding = first.font.get("/Encoding")
    if not isinstance(encoding, pikepdf.Name):
        return False
    widths: dict[int, float] = {}
    text: dict[int, str] = {}
    for user in users:
        if user.text is None or user.font.get("/Encoding") != encoding:
            return False
        if user.cidfont.get("/DW") != first.cidfont.get("/DW"):
            return False
        if user.cidfont.get("/DW2") != first.cidfont.get("/DW2") or "/W2" in user.cidfont:
            return False
        for cid, value in user.widths.items():
            if widths.setdefault(cid, value) != value:
                return False
        for cid, chars in user.text.items():
            if text.setdefault(cid, chars) != chars:
                return False
    return True


def merge_dicts(doc: pikepdf.Pdf, users: list[FontDict]) -> dict[tuple[int, int], Any]:
    """Make ``users[0]`` carry every width and text mapping; returns objgen → that font, for the others."""
    import pikepdf

    target = users[0]
    widths: dict[int, float] = {}
    text: dict[int, str] = {}
    boxes = []
    for user in users:
        widths.update(user.widths)
        text.update(user.text or {})
        box = user.descriptor.get("/FontBBox")
        if isinstance(box, pikepdf.Array) and len(box) == 4:
            boxes.append([float(v) for v in box])
    target.cidfont.W = _write_widths(widths)
    target.font.ToUnicode = _write_to_unicode(doc, text)
    if boxes:
        merged = [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                  max(b[3] for b in boxes)]
        target.descriptor.FontBBox = pikepdf.Array([int(v) if v == int(v) else v for v in merged])
    flags = int(target.descriptor.get("/Flags", 0))
    if flags & 1 and len(set(widths.values())) > 1:
        target.descriptor.Flags = flags & ~1  # no longer fixed pitch
    if "/CIDSet" in target.descriptor:
        target.descriptor.CIDSet = cid_set(doc, set(widths) | set(text))
    target.widths, target.text = widths, text
    return {user.font.objgen: target.font for user in users[1:]}
