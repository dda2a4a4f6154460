"""Smaller embedded fonts: compact WeasyPrint's retain-gids subsets and merge same-face copies.

Why this exists: WeasyPrint 70 subsets each font with HarfBuzz and
``HB_SUBSET_FLAGS_RETAIN_GIDS``, because its content streams show the
*original* glyph ids as CIDs under ``/CIDToGIDMap /Identity``. The subset then
still carries a ``loca``/``hmtx``/``vmtx`` entry for every glyph id up to the
largest one used (BIZ UD Gothic: ~12,000 ids for a few hundred glyphs), and a
report joined from parts (:mod:`reportgen.parallel`) embeds one such subset
of every face per part (and one more for the page-number stamps).

Measured: the empty entries compress well (1–3 KB per font after Flate);
what makes a small report heavy is the outlines of the CJK glyphs themselves
(~90–150 bytes each compressed, a few hundred glyphs per report), which no
renumbering removes. The large gain is for joined reports: one program per
face instead of one per part.

:func:`compact_fonts` post-processes such a PDF (pikepdf) without touching a
content stream:

1. every Type0 / CIDFontType2 font is rebuilt **without** retained gids: the
   glyphs of the CIDs the font dictionary declares — the keys of ``/W`` and
   of ``ToUnicode``, which WeasyPrint fills for every glyph it shows (also
   glyphs reached only through GSUB, e.g. the ``vert`` forms of the vertical
   分野 labels) — plus .notdef and composite components, renumbered in their
   original order; a ``/CIDToGIDMap`` stream (2 bytes per CID) maps each CID to
   its new glyph. Glyph bytes and metrics are copied byte for byte (only a
   composite's component indices are rewritten), so pages render exactly as
   before. This is done on the raw tables rather than with
   ``fontTools.subset``, which decompiles and recompiles every glyph: ~100 ms a
   font against a few ms, for the same outlines;
2. programs of the *same face* (PostScript/family/style names and
   unitsPerEm equal, and every glyph id present in two of them has
   byte-identical outlines and metrics) become one program with the union of
   glyphs; font dictionaries of that face whose widths, text mappings and
   encoding agree become one dictionary with a merged ``/W`` and ``ToUnicode``
   (the page resources are pointed at it). Where they disagree (a width
   rounded differently at another size) the dictionaries stay apart but share
   the program and the map.

Anything unexpected (not TrueType, no ``glyf``, variations or bitmaps, a
``/CIDToGIDMap`` stream already) leaves that font as it was, and a result
that is not smaller is not used: the output is never different to look at or
to copy text from (tests/test_fontpack.py compares pdftotext and page images).
"""

from __future__ import annotations

import io
import operator
import re
import struct
import zlib
from functools import lru_cache
from itertools import compress
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pikepdf is imported lazily: `import reportgen` stays light
    import pikepdf

__all__ = ["cid_widths", "compact_fonts", "compact_pdf_fonts", "save"]

_SUBSET_TAG = re.compile(r"^/?[A-Z]{6}\+")
_HEX = re.compile(rb"<([0-9A-Fa-f]*)>")


def compact_fonts(pdf: bytes) -> bytes:
    """``pdf`` (written by WeasyPrint, or joined from such files) with compact, merged font programs.

    Returns ``pdf`` itself when no font could be compacted or the result is not
    smaller.
    """
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        if not compact_pdf_fonts(doc):
            return pdf
        out = save(doc, preserve=True)
    # qpdf packs objects a little less tightly than WeasyPrint: a document whose
    # fonts were nearly compact already could come out larger
    return out if len(out) < len(pdf) else pdf


def save(doc: pikepdf.Pdf, preserve: bool = False) -> bytes:
    """``doc`` as bytes: small objects packed into object streams (``preserve``: WeasyPrint's
    own grouping kept, which packs a little tighter than qpdf's), existing Flate streams
    not recompressed, a content-derived /ID (the same input gives the same bytes)."""
    import pikepdf

    mode = pikepdf.ObjectStreamMode.preserve if preserve else pikepdf.ObjectStreamMode.generate
    out = io.BytesIO()
    doc.save(out, object_stream_mode=mode, compress_streams=True, deterministic_id=True)
    return out.getvalue()


# --------------------------------------------------------------------------- reading the PDF


@dataclass
class _FontDict:
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


@dataclass
class _Program:
    """One embedded TrueType program (its tables, raw) and the font dictionaries using it."""

    stream: Any
    tables: dict[str, bytes]
    num_glyphs: int
    #: ``loca`` offsets (numGlyphs + 1).
    loca: list[int]
    users: list[_FontDict] = field(default_factory=list)

    def glyph(self, gid: int) -> bytes:
        """Raw ``glyf`` bytes of ``gid`` (empty for an empty glyph or a gid out of range)."""
        if gid >= self.num_glyphs:
            return b""
        return self.tables["glyf"][self.loca[gid]:self.loca[gid + 1]]

    def metric(self, tag: str, gid: int) -> bytes:
        """``gid``'s (advance, side bearing) in hmtx/vmtx as 4 raw bytes."""
        table = self.tables.get(tag)
        if table is None:
            return b""
        head = self.tables["hhea" if tag == "hmtx" else "vhea"]
        longs = struct.unpack_from(">H", head, 34)[0]
        if gid < longs:
            return table[4 * gid:4 * gid + 4]
        advance = table[4 * (longs - 1):4 * longs - 2]
        at = 4 * longs + 2 * (gid - longs)
        return advance + (table[at:at + 2] or b"\0\0")

    @property
    def used(self) -> set[int]:
        out: set[int] = set()
        for user in self.users:
            out |= user.cids
        return out

    def nonempty(self) -> set[int]:
        # computed once: a joined report of many parts compares every program with its face group
        cached = self.__dict__.get("_nonempty")
        if cached is None:
            loca = self.loca
            cached = self.__dict__["_nonempty"] = set(compress(range(self.num_glyphs),
                                                               map(operator.lt, loca, loca[1:])))
        return cached

    def entry(self, gid: int) -> tuple[bytes, bytes, bytes]:
        """What must agree between two programs of one face at ``gid``: outline and metrics."""
        return self.glyph(gid), self.metric("hmtx", gid), self.metric("vmtx", gid)


def _resource_dicts(doc: pikepdf.Pdf) -> Iterator[Any]:
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


def _font_dict(font: Any) -> _FontDict | None:
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
    return _FontDict(font, cidfont, descriptor, program, widths, text)


#: Tables copied unchanged: none of them refers to a glyph id.
_KEEP = ("OS/2", "name", "gasp", "meta", "cvt ", "fpgm", "prep")
#: Tables that make a program one this module leaves alone (outlines elsewhere, variations, bitmaps).
_FOREIGN = ("CFF ", "CFF2", "gvar", "fvar", "EBDT", "CBDT", "sbix", "SVG ", "COLR")


def _load_program(stream: Any) -> _Program | None:
    """The TrueType program of ``stream`` (tables as raw bytes), or None if it is not a plain
    glyf-outline TrueType font."""
    import pikepdf

    try:
        data = stream.read_bytes()
        version, count = struct.unpack_from(">IH", data, 0)
        if version not in (0x00010000, 0x74727565):  # TrueType; not OTTO (CFF) nor a collection
            return None
        tables = {}
        for i in range(count):
            tag, _checksum, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
            tables[tag.decode("latin-1")] = data[offset:offset + length]
        if any(tag in tables for tag in _FOREIGN):
            return None
        if not all(tag in tables for tag in ("head", "hhea", "hmtx", "maxp", "loca", "glyf")):
            return None
        if ("vmtx" in tables) != ("vhea" in tables):
            return None
        num_glyphs = struct.unpack_from(">H", tables["maxp"], 4)[0]
        long_loca = struct.unpack_from(">h", tables["head"], 50)[0] == 1
        raw = tables["loca"]
        if long_loca:
            loca = list(struct.unpack_from(f">{num_glyphs + 1}I", raw))
        else:
            loca = [2 * v for v in struct.unpack_from(f">{num_glyphs + 1}H", raw)]
        if loca != sorted(loca) or loca[-1] > len(tables["glyf"]):  # sorted(): a C pass over sorted input
            return None
    except (struct.error, pikepdf.PdfError, ValueError):
        return None
    return _Program(stream, tables, num_glyphs, loca)


def _names(program: _Program) -> dict[int, str]:
    """name IDs 1 (family), 2 (style) and 6 (PostScript name) of the program."""
    from fontTools.ttLib import TTFont, newTable

    out: dict[int, str] = {}
    raw = program.tables.get("name")
    if not raw:
        return out
    try:
        table = newTable("name")
        table.decompile(raw, TTFont())
        for record in table.names:
            if record.nameID in (1, 2, 6) and record.nameID not in out:
                out[record.nameID] = record.toUnicode()
    except Exception:  # a broken name table: the BaseFont alone identifies the face
        return {}
    return out


def _face_key(program: _Program) -> tuple[Any, ...]:
    """What must be equal for two programs to be subsets of one original font."""
    names = _names(program)
    users = program.users
    base = _SUBSET_TAG.sub("", str(users[0].font.get("/BaseFont", ""))) if users else ""
    upem = struct.unpack_from(">H", program.tables["head"], 18)[0]
    return (names.get(6) or base, names.get(1), names.get(2), upem, "vmtx" in program.tables)


def _same_face(a: _Program, b: _Program) -> bool:
    """Glyph ids present in both programs have identical outlines and metrics (one gid numbering)."""
    shared = (a.nonempty() & b.nonempty()) - {0}
    if not shared:
        return False  # nothing proves the numbering is the same
    for gid in shared:
        if a.glyph(gid) != b.glyph(gid):
            return False
        if a.metric("hmtx", gid) != b.metric("hmtx", gid) or a.metric("vmtx", gid) != b.metric("vmtx", gid):
            return False
    return True


def _same_as_group(program: _Program, seen: dict[int, tuple[bytes, bytes, bytes]]) -> bool:
    """:func:`_same_face` against the union of a group's glyphs (``seen``: gid → outline and metrics)."""
    shared = [gid for gid in program.nonempty() - {0} if gid in seen]
    return bool(shared) and all(program.entry(gid) == seen[gid] for gid in shared)


def _components(data: bytes) -> list[tuple[int, int]]:
    """(byte offset of the glyph index, component gid) of a composite glyph; [] for a simple one."""
    if len(data) < 10 or struct.unpack_from(">h", data, 0)[0] >= 0:
        return []
    out = []
    at = 10
    while True:
        flags, gid = struct.unpack_from(">HH", data, at)
        out.append((at + 2, gid))
        at += 4 + (4 if flags & 0x0001 else 2)
        if flags & 0x0008:
            at += 2
        elif flags & 0x0040:
            at += 4
        elif flags & 0x0080:
            at += 8
        if not flags & 0x0020:
            return out


def _cmap(unicodes: dict[int, int], count: int) -> bytes:
    """A cmap (3,1 format 4 and, beyond the BMP, 3,10 format 12) for code point → new gid."""
    from fontTools.ttLib import TTFont, newTable
    from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

    font = TTFont()
    names = [f"g{i}" for i in range(count)]
    font.setGlyphOrder(names)
    table = newTable("cmap")
    table.tableVersion = 0
    table.tables = []
    bmp = {u: names[g] for u, g in unicodes.items() if u <= 0xFFFF}
    subtable = CmapSubtable.newSubtable(4)
    subtable.platformID, subtable.platEncID, subtable.language, subtable.cmap = 3, 1, 0, bmp
    table.tables.append(subtable)
    if len(bmp) < len(unicodes):
        full = CmapSubtable.newSubtable(12)
        full.platformID, full.platEncID, full.language = 3, 10, 0
        full.cmap = {u: names[g] for u, g in unicodes.items()}
        table.tables.append(full)
    return table.compile(font)


@lru_cache(maxsize=8)
def _glyph_order(count: int) -> tuple[str, ...]:
    """Glyph names g0…g<count−1> (the same few counts for every copy of a face in a joined report)."""
    return tuple(f"g{i}" for i in range(count))


def _read_cmap(program: _Program) -> dict[int, int]:
    """Code point → gid from the program's best cmap subtable ({} when there is none)."""
    from fontTools.ttLib import TTFont, newTable

    raw = program.tables.get("cmap")
    if not raw:
        return {}
    try:
        font = TTFont()
        font.setGlyphOrder(list(_glyph_order(program.num_glyphs)))
        table = newTable("cmap")
        table.decompile(raw, font)
        best = table.getBestCmap() or {}
        return {u: int(name[1:]) for u, name in best.items() if name.startswith("g") and name[1:].isdigit()}
    except Exception:  # an odd cmap: the PDF does not need it (CIDToGIDMap)
        return {}


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


def _build(programs: list[_Program], gids: set[int]) -> tuple[bytes, dict[int, int]]:
    """One TrueType program with ``gids`` (plus .notdef and composite components) renumbered
    0, 1, 2 … in their original order, each glyph's bytes and metrics taken from the first
    program that has it; and old gid → new gid.

    Glyph data are copied byte for byte (only a composite's component indices are
    rewritten), so outlines render exactly as before.
    """
    base = programs[0]
    limit = max(p.num_glyphs for p in programs)

    used = [program.used for program in programs]

    def source(gid: int) -> _Program:
        for program in programs:
            if gid < program.num_glyphs and program.loca[gid + 1] > program.loca[gid]:
                return program
        for program, cids in zip(programs, used):  # an empty glyph (a space): whoever shows it
            if gid in cids and gid < program.num_glyphs:
                return program
        return base

    keep = {0} | {g for g in gids if g < limit}
    todo = list(keep)
    while todo:  # composite closure
        gid = todo.pop()
        for _at, component in _components(source(gid).glyph(gid)):
            if component < limit and component not in keep:
                keep.add(component)
                todo.append(component)
    order = sorted(keep)
    mapping = {old: new for new, old in enumerate(order)}

    glyf = bytearray()
    offsets = []
    hmtx = bytearray()
    vmtx = bytearray()
    vertical = "vmtx" in base.tables
    for old in order:
        program = source(old)
        data = program.glyph(old)
        components = _components(data)
        if components:
            patched = bytearray(data)
            for at, component in components:
                struct.pack_into(">H", patched, at, mapping.get(component, 0))
            data = bytes(patched)
        offsets.append(len(glyf))
        glyf += data
        glyf += b"\0" * (-len(glyf) % 4)
        hmtx += program.metric("hmtx", old) or b"\0\0\0\0"
        if vertical:
            vmtx += program.metric("vmtx", old) or b"\0\0\0\0"
    offsets.append(len(glyf))
    count = len(order)
    short = offsets[-1] < 0x20000
    loca = struct.pack(f">{count + 1}H", *(o // 2 for o in offsets)) if short else \
        struct.pack(f">{count + 1}I", *offsets)

    tables = {tag: base.tables[tag] for tag in _KEEP if tag in base.tables}
    head = bytearray(base.tables["head"])
    struct.pack_into(">I", head, 8, 0)  # checkSumAdjustment, set below
    struct.pack_into(">h", head, 50, 0 if short else 1)
    tables["head"] = bytes(head)
    maxp = bytearray(base.tables["maxp"])
    struct.pack_into(">H", maxp, 4, count)
    tables["maxp"] = bytes(maxp)
    hhea = bytearray(base.tables["hhea"])
    struct.pack_into(">H", hhea, 34, count)
    tables["hhea"] = bytes(hhea)
    tables["hmtx"] = bytes(hmtx)
    if vertical:
        vhea = bytearray(base.tables["vhea"])
        struct.pack_into(">H", vhea, 34, count)
        tables["vhea"], tables["vmtx"] = bytes(vhea), bytes(vmtx)
    tables["loca"], tables["glyf"] = loca, bytes(glyf)
    post = bytearray(base.tables.get("post", b"")[:32].ljust(32, b"\0"))
    struct.pack_into(">I", post, 0, 0x00030000)  # no glyph names
    tables["post"] = bytes(post)
    unicodes: dict[int, int] = {}
    for program in programs:
        for code, gid in _read_cmap(program).items():
            if gid in mapping and gid and code not in unicodes:
                unicodes[code] = mapping[gid]
    tables["cmap"] = _cmap(unicodes, count)

    tags = sorted(tables)
    entry = 1 << (len(tags).bit_length() - 1)
    header = struct.pack(">IHHHH", 0x00010000, len(tags), entry * 16, entry.bit_length() - 1,
                         len(tags) * 16 - entry * 16)
    directory = bytearray()
    body = bytearray()
    offset = 12 + 16 * len(tags)
    for tag in tags:
        data = tables[tag]
        directory += struct.pack(">4sIII", tag.encode("latin-1"), _checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    font = bytearray(header + directory + body)
    head_at = offset + sum(len(tables[t]) + (-len(tables[t]) % 4) for t in tags[:tags.index("head")])
    struct.pack_into(">I", font, head_at + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font), mapping


def _cid_to_gid_map(doc: pikepdf.Pdf, mapping: dict[int, int]) -> Any:
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


def _cid_set(doc: pikepdf.Pdf, cids: set[int]) -> Any:
    """A /CIDSet stream (one bit per CID, PDF/A-1's requirement) for ``cids``."""
    import pikepdf

    size = max(cids, default=0) // 8 + 1
    bits = bytearray(size)
    for cid in cids:
        bits[cid // 8] |= 0x80 >> (cid % 8)
    return doc.make_stream(zlib.compress(bytes(bits), 9), Filter=pikepdf.Name.FlateDecode)


def _mergeable(users: list[_FontDict]) -> bool:
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


def _merge_dicts(doc: pikepdf.Pdf, users: list[_FontDict]) -> dict[tuple[int, int], Any]:
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
        target.descriptor.CIDSet = _cid_set(doc, set(widths) | set(text))
    target.widths, target.text = widths, text
    return {user.font.objgen: target.font for user in users[1:]}


def compact_pdf_fonts(doc: pikepdf.Pdf) -> int:
    """Compact and merge the TrueType CID fonts of ``doc`` in place (see the module doc).

    Returns how many font programs were written (0: nothing changed).
    """
    import pikepdf

    # every Type0 font the resources name, grouped by the program it embeds
    fonts: dict[tuple[int, int], _FontDict] = {}
    resources = list(_resource_dicts(doc))
    for res in resources:
        for _key, font in res.Font.items():
            if isinstance(font, pikepdf.Dictionary) and font.is_indirect and font.objgen not in fonts:
                parsed = _font_dict(font)
                if parsed is not None:
                    fonts[font.objgen] = parsed
    programs: dict[tuple[int, int], _Program | None] = {}  # None: a program left as it is
    for parsed in fonts.values():
        key = parsed.program.objgen
        if key not in programs:
            programs[key] = _load_program(parsed.program)
        loaded = programs[key]
        if loaded is not None:
            loaded.users.append(parsed)

    # programs of one face: same names, then identical glyphs wherever two have the same gid
    faces: list[list[_Program]] = []
    by_key: dict[tuple[Any, ...], list[tuple[list[_Program], dict[int, tuple[bytes, bytes, bytes]]]]] = {}
    for program in programs.values():
        if program is None:
            continue
        groups = by_key.setdefault(_face_key(program), [])
        for group, seen in groups:
            # the same as comparing with every member (they agree with each other wherever they
            # share a gid), in the program's size instead of the group's: joined reports have dozens
            if _same_as_group(program, seen):
                group.append(program)
                seen.update((gid, program.entry(gid)) for gid in program.nonempty() - {0} if gid not in seen)
                break
        else:
            groups.append(([program], {gid: program.entry(gid) for gid in program.nonempty() - {0}}))
            faces.append(groups[-1][0])

    replaced: dict[tuple[int, int], Any] = {}
    written = 0
    for group in faces:
        group.sort(key=lambda p: -p.num_glyphs)  # the base's tables cover every gid
        users = [user for program in group for user in program.users]
        used: set[int] = set()
        for user in users:
            used |= user.cids
        data, mapping = _build(group, used)
        original = sum(len(p.stream.read_raw_bytes()) for p in group)
        compressed = zlib.compress(data, 9)
        # a CID the program lacks (WeasyPrint's ids for characters no font has) shows .notdef
        cid_map = _cid_to_gid_map(doc, {cid: mapping.get(cid, 0) for cid in used})
        if len(compressed) + len(cid_map.read_raw_bytes()) >= original:
            continue  # not worth it (not a retain-gids subset, or already compact)
        stream = group[0].stream
        stream.write(compressed, filter=pikepdf.Name.FlateDecode)
        stream.Length1 = len(data)
        cid_set = None
        for user in users:
            user.descriptor.FontFile2 = stream
            user.cidfont.CIDToGIDMap = cid_map
            if len(users) > 1 and "/CIDSet" in user.descriptor:
                # PDF/A: a CIDSet names every CID the (now shared) program has
                cid_set = cid_set or _cid_set(doc, used)
                user.descriptor.CIDSet = cid_set
        written += 1
        if len(users) > 1 and _mergeable(users):
            replaced.update(_merge_dicts(doc, users))

    if replaced:
        for res in resources:
            table = res.Font
            for key, font in list(table.items()):
                if isinstance(font, pikepdf.Dictionary) and font.is_indirect and font.objgen in replaced:
                    table[key] = replaced[font.objgen]
    return written
