"""Smaller embedded fonts: compact WeasyPrint's retain-gids subsets and merge same-face copies.

Why this exists: WeasyPrint 70 subsets each font with HarfBuzz and
``HB_SUBSET_FLAGS_RETAIN_GIDS``, because its content streams show the
*original* glyph ids as CIDs under ``/CIDToGIDMap /Identity``. The subset then
still carries a ``loca``/``hmtx``/``vmtx`` entry for every glyph id up to the
largest one used (BIZ UD Gothic: ~12,000 ids for a few hundred glyphs), and a
report joined from parts (:mod:`reportgen.pdf.parallel`) embeds one such subset
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

The PDF dictionaries are read and written by :mod:`reportgen.pdf.fontdicts`,
the TrueType programs compared and rebuilt by :mod:`reportgen.pdf.truetype`;
this module finds the fonts, groups them by face and puts the results in place.

Anything unexpected (not TrueType, no ``glyf``, variations or bitmaps, a
``/CIDToGIDMap`` stream already) leaves that font as it was, and a result
that is not smaller is not used: the output is never different to look at or
to copy text from (tests/test_fontpack.py compares pdftotext and page images).
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from typing import TYPE_CHECKING, Any

from .fontdicts import FontDict, cid_set, cid_to_gid_map, font_dict, merge_dicts, mergeable, resource_dicts
from .truetype import Program, build_program, face_names, load_program, same_face

if TYPE_CHECKING:  # pikepdf is imported lazily: `import reportgen` stays light
    import pikepdf

__all__ = ["compact_fonts", "compact_pdf_fonts", "save"]

_SUBSET_TAG = re.compile(r"^/?[A-Z]{6}\+")


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


def _face_key(program: Program) -> tuple[Any, ...]:
    """What must be equal for two programs to be subsets of one original font."""
    names = face_names(program)
    users = program.users
    base = _SUBSET_TAG.sub("", str(users[0].font.get("/BaseFont", ""))) if users else ""
    upem = struct.unpack_from(">H", program.tables["head"], 18)[0]
    return (names.get(6) or base, names.get(1), names.get(2), upem, "vmtx" in program.tables)


def compact_pdf_fonts(doc: pikepdf.Pdf) -> int:
    """Compact and merge the TrueType CID fonts of ``doc`` in place (see the module doc).

    Returns how many font programs were written (0: nothing changed).
    """
    import pikepdf

    # every Type0 font the resources name, grouped by the program it embeds
    fonts: dict[tuple[int, int], FontDict] = {}
    others: set[tuple[int, int]] = set()  # fonts left as they are (e.g. a joined block's, already mapped)
    resources = list(resource_dicts(doc))
    for res in resources:
        for _key, font in res.Font.items():
            if isinstance(font, pikepdf.Dictionary) and font.is_indirect:
                objgen = font.objgen
                if objgen in fonts or objgen in others:
                    continue
                parsed = font_dict(font)
                if parsed is None:
                    others.add(objgen)
                else:
                    fonts[objgen] = parsed
    programs: dict[tuple[int, int], Program | None] = {}  # None: a program left as it is
    for parsed in fonts.values():
        key = parsed.program.objgen
        if key not in programs:
            programs[key] = load_program(parsed.program)
        loaded = programs[key]
        if loaded is not None:
            loaded.users.append(parsed)

    # programs of one face: same names, then identical glyphs wherever two have the same gid
    faces: list[list[Program]] = []
    by_key: dict[tuple[Any, ...], list[list[Program]]] = {}
    for program in programs.values():
        if program is None:
            continue
        groups = by_key.setdefault(_face_key(program), [])
        for group in groups:
            if all(same_face(program, member) for member in group):
                group.append(program)
                break
        else:
            groups.append([program])
            faces.append(groups[-1])

    replaced: dict[tuple[int, int], Any] = {}
    written = 0
    for group in faces:
        group.sort(key=lambda p: -p.num_glyphs)  # the base's tables cover every gid
        users = [user for program in group for user in program.users]
        used: set[int] = set()
        for user in users:
            used |= user.cids
        data, mapping = build_program(group, used)
        original = sum(len(p.stream.read_raw_bytes()) for p in group)
        compressed = zlib.compress(data, 9)
        # a CID the program lacks (WeasyPrint's ids for characters no font has) shows .notdef
        cid_map = cid_to_gid_map(doc, {cid: mapping.get(cid, 0) for cid in used})
        if len(compressed) + len(cid_map.read_raw_bytes()) >= original:
            continue  # not worth it (not a retain-gids subset, or already compact)
        stream = group[0].stream
        stream.write(compressed, filter=pikepdf.Name.FlateDecode)
        stream.Length1 = len(data)
        shared_cid_set = None
        for user in users:
            user.descriptor.FontFile2 = stream
            user.cidfont.CIDToGIDMap = cid_map
            if len(users) > 1 and "/CIDSet" in user.descriptor:
                # PDF/A: a CIDSet names every CID the (now shared) program has
                shared_cid_set = shared_cid_set or cid_set(doc, used)
                user.descriptor.CIDSet = shared_cid_set
        written += 1
        if len(users) > 1 and mergeable(users):
            replaced.update(merge_dicts(doc, users))

    if replaced:
        for res in resources:
            table = res.Font
            for key, font in list(table.items()):
                if isinstance(font, pikepdf.Dictionary) and font.is_indirect and font.objgen in replaced:
                    table[key] = replaced[font.objgen]
    return written
