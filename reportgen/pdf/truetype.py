"""The font side of font packing: TrueType programs as raw tables, compared and rebuilt.

WeasyPrint's retain-gids subsets keep an entry for every glyph id up to the
largest one used; :func:`build_program` writes one program with only the glyphs
wanted, renumbered in their original order, taking each glyph's bytes and
metrics from whichever of several subsets of one face has it.  Glyph data are
copied byte for byte (only a composite's component indices are rewritten), on
the raw tables rather than with ``fontTools.subset`` (which decompiles and
recompiles every glyph: ~100 ms a font against a few ms, for the same outlines).
:func:`same_face` tells whether two subsets share one glyph numbering.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .fontdicts import FontDict

__all__ = ["Program", "build_program", "face_names", "load_program", "same_face"]


@dataclass
class Program:
    """One embedded TrueType program (its tables, raw) and the font dictionaries using it."""

    stream: Any
    tables: dict[str, bytes]
    num_glyphs: int
    #: ``loca`` offsets (numGlyphs + 1).
    loca: list[int]
    users: list[FontDict] = field(default_factory=list)
    #: :meth:`nonempty`, once computed.
    nonempty_gids: frozenset[int] | None = field(default=None, repr=False, compare=False)
    #: :meth:`signature` by glyph id, as read.
    signatures: dict[int, tuple[bytes, bytes, bytes]] = field(default_factory=dict, repr=False, compare=False)
    #: Digest of the program's bytes: what this process learnt of the same bytes before is reused.
    digest: bytes = field(default=b"", repr=False, compare=False)

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

    def signature(self, gid: int) -> tuple[bytes, bytes, bytes]:
        """``gid``'s outline and metrics, kept once read: the face grouping compares every
        program with each member of its group, glyph by glyph."""
        found = self.signatures.get(gid)
        if found is None:
            found = self.signatures[gid] = (self.glyph(gid), self.metric("hmtx", gid), self.metric("vmtx", gid))
        return found

    def nonempty(self) -> frozenset[int]:
        """Glyph ids with an outline; computed once (the face grouping asks for every pair)."""
        if self.nonempty_gids is None:
            known = _KNOWN.get(self.digest) if self.digest else None
            if known is not None and known[1] is not None:
                self.nonempty_gids = known[1]
                return known[1]
            loca = self.loca
            self.nonempty_gids = frozenset(gid for gid in range(self.num_glyphs) if loca[gid + 1] > loca[gid])
            if self.digest:
                _remember(self.digest, (self.loca, self.nonempty_gids))
        return self.nonempty_gids


# The same pieces' fonts are packed again on every join after an edit (watch: every save; the
# cached pieces of the block holding the edit): what was read of a program's bytes, and
# whether two programs share a face, is kept for the process, by the programs' digests.
#: digest → (loca offsets, non-empty glyph ids or None).
_KNOWN: dict[bytes, tuple[list[int], frozenset[int] | None]] = {}
#: (digest, digest) → :func:`same_face`.
_SAME: dict[tuple[bytes, bytes], bool] = {}
#: Programs remembered at most (a 12,000-glyph subset's offsets: ~0.1 MB).
_KNOWN_LIMIT = 256


def _remember(digest: bytes, value: tuple[list[int], frozenset[int] | None]) -> None:
    if len(_KNOWN) >= _KNOWN_LIMIT:
        _KNOWN.pop(next(iter(_KNOWN)))  # the oldest
    _KNOWN[digest] = value



#: Tables copied unchanged: none of them refers to a glyph id.
_KEEP = ("OS/2", "name", "gasp", "meta", "cvt ", "fpgm", "prep")
#: Tables that make a program one this module leaves alone (outlines elsewhere, variations, bitmaps).
_FOREIGN = ("CFF ", "CFF2", "gvar", "fvar", "EBDT", "CBDT", "sbix", "SVG ", "COLR")


def load_program(stream: Any) -> Program | None:
    """The TrueType program of ``stream`` (tables as raw bytes), or None if it is not a plain
    glyf-outline TrueType font."""
    import hashlib

    import pikepdf

    try:
        data = stream.read_bytes()
        digest = hashlib.blake2b(data, digest_size=20).digest()
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
        known = _KNOWN.get(digest)
        if known is not None:  # the same bytes, checked before
            return Program(stream, tables, num_glyphs, known[0], digest=digest)
        long_loca = struct.unpack_from(">h", tables["head"], 50)[0] == 1
        raw = tables["loca"]
        if long_loca:
            loca = list(struct.unpack_from(f">{num_glyphs + 1}I", raw))
        else:
            loca = [2 * v for v in struct.unpack_from(f">{num_glyphs + 1}H", raw)]
        if any(b < a for a, b in zip(loca, loca[1:])) or loca[-1] > len(tables["glyf"]):
            return None
    except (struct.error, pikepdf.PdfError, ValueError):
        return None
    _remember(digest, (loca, None))
    return Program(stream, tables, num_glyphs, loca, digest=digest)


def face_names(program: Program) -> dict[int, str]:
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



def same_face(a: Program, b: Program) -> bool:
    """Glyph ids present in both programs have identical outlines and metrics (one gid numbering)."""
    pair = (a.digest, b.digest)
    if a.digest and b.digest and pair in _SAME:
        return _SAME[pair]
    shared = (a.nonempty() & b.nonempty()) - {0}
    # (nothing shared: nothing proves the numbering is the same)
    same = bool(shared) and all(a.signature(gid) == b.signature(gid) for gid in shared)
    if a.digest and b.digest:
        if len(_SAME) >= 16 * _KNOWN_LIMIT:
            _SAME.clear()
        _SAME[pair] = same
    return same


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


def _read_cmap(program: Program) -> dict[int, int]:
    """Code point → gid from the program's best cmap subtable ({} when there is none)."""
    from fontTools.ttLib import TTFont, newTable

    raw = program.tables.get("cmap")
    if not raw:
        return {}
    try:
        font = TTFont()
        font.setGlyphOrder([f"g{i}" for i in range(program.num_glyphs)])
        table = newTable("cmap")
        table.decompile(raw, font)
        best = table.getBestCmap() or {}
        return {u: int(name[1:]) for u, name in best.items() if name.startswith("g") and name[1:].isdigit()}
    except Exception:  # an odd cmap: the PDF does not need it (CIDToGIDMap)
        return {}


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


def build_program(programs: list[Program], gids: set[int]) -> tuple[bytes, dict[int, int]]:
    """One TrueType program with ``gids`` (plus .notdef and composite components) renumbered
    0, 1, 2 … in their original order, each glyph's bytes and metrics taken from the first
    program that has it; and old gid → new gid.

    Glyph data are copied byte for byte (only a composite's component indices are
    rewritten), so outlines render exactly as before.
    """
    base = programs[0]
    limit = max(p.num_glyphs for p in programs)

    used = [program.used for program in programs]

    def source(gid: int) -> Program:
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
