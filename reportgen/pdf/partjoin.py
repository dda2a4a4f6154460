"""Joining the parts of a parallel render into one PDF (pikepdf), page numbers stamped.

Moved out of :mod:`reportgen.pdf.parallel` (#14: one job per module).
"""

from __future__ import annotations

import io
from typing import Any

from .partplan import PartResult
from .partrender import Appendix


def _stamp(out: Any, stamps: Any) -> None:
    """Lay each page of ``stamps`` over the same page of ``out`` as a form XObject.

    What pikepdf's ``Page.add_overlay`` does, with two differences: the form's
    resource name is ``/RGpn<page>`` (add_overlay draws a random name, so the
    same input gave different bytes, and the names of every page of a part
    land in the part's shared resources), and the page's own content stream is
    kept as it is (``[q, content, Q + stamp]``, the ``q`` stream shared) instead
    of being rewritten into one stream.
    """
    import pikepdf

    push = out.make_stream(b"q\n")
    for number, (page, stamp) in enumerate(zip(out.pages, stamps.pages)):
        form = stamp.as_form_xobject()
        name = page.add_resource(form, pikepdf.Name.XObject, pikepdf.Name(f"/RGpn{number}"))
        placed = page.obj.Resources.XObject[name]
        draw = page.calc_form_xobject_placement(placed, name, pikepdf.Rectangle(page.trimbox))
        contents = page.obj.get("/Contents")
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [] if contents is None else [contents]
        page.obj.Contents = pikepdf.Array([push, *streams, out.make_stream(b"Q\n" + draw)])


def join_parts(results: list[PartResult], appendix: Appendix | None, numbers: bytes | None) -> bytes:
    """The parts and the appendix as one PDF (pikepdf): pages, outline and named
    destinations in order, the "n / N" page stamped onto each page, the
    掲載ページ links added, the first part's metadata and /Lang; then the fonts
    compacted and each face merged into one program (:mod:`reportgen.pdf.fontpack`).

    pikepdf (qpdf's C++ library) is a runtime dependency: no qpdf executable
    and no pypdf (a test extra) are needed.
    """
    import pikepdf

    from .fontpack import compact_pdf_fonts, save

    from .partsync import adopt

    out = pikepdf.new()
    sources = [pikepdf.open(io.BytesIO(pdf)) for pdf in [r.pdf for r in results] + ([appendix.pdf] if appendix else [])]
    stamps = pikepdf.open(io.BytesIO(numbers)) if numbers is not None else None  # None: a block of pieces
    try:
        first = sources[0]
        dests = pikepdf.NameTree.new(out)
        items: list[Any] = []  # the top-level outline entries (pikepdf dictionaries), in order
        count = 0
        continues = [r.continues for r in results] + [False]
        heads = False  # a source that starts a 分野 gave the top-level entries
        for number, source in enumerate(sources):
            out.pages.extend(source.pages)  # copy_foreign: links to these pages map to the copies
            names = source.Root.get("/Names")
            if isinstance(names, pikepdf.Dictionary) and "/Dests" in names:
                for name, dest in pikepdf.NameTree(names.Dests).items():
                    if name not in dests:  # the first definition wins, as in one document
                        dests[name] = out.copy_foreign(dest if dest.is_indirect else source.make_indirect(dest))
            outline = source.Root.get("/Outlines")
            if isinstance(outline, pikepdf.Dictionary) and "/First" in outline:
                item = out.copy_foreign(outline.First)
                chain = []
                while True:
                    chain.append(item)
                    if "/Next" not in item:
                        break
                    item = item.Next
                if continues[number] and heads:
                    if not adopt(items[-1], chain):
                        continue  # under a closed 分野: not visible, not counted
                else:
                    items.extend(chain)  # (a block of pieces that continue a 分野: its items stay siblings)
                    heads = heads or not continues[number]
                count += int(outline.get("/Count", 0))
        if len(dests):
            out.Root.Names = pikepdf.Dictionary(Dests=dests.obj)
        if items:
            root = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines, First=items[0],
                                                        Last=items[-1], Count=count))
            for previous, item in zip([None, *items], items):
                item.Parent = root
                if previous is None:
                    if "/Prev" in item:
                        del item.Prev
                else:
                    previous.Next, item.Prev = item, previous
            if "/Next" in items[-1]:
                del items[-1].Next
            out.Root.Outlines = root
        if stamps is not None:
            _stamp(out, stamps)
        if appendix is not None:
            offset = sum(r.pages for r in results)
            for number, target, rect in appendix.links:
                page = out.pages[offset + number].obj
                if "/Annots" not in page:
                    page.Annots = pikepdf.Array()
                page.Annots.append(out.make_indirect(pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=pikepdf.Array(rect),
                    BS=pikepdf.Dictionary(W=0), Dest=pikepdf.String(target))))
        out.docinfo = out.copy_foreign(first.docinfo)  # type: ignore[assignment]  # a Dictionary
        for key in ("/Lang", "/MarkInfo", "/PageMode", "/PageLayout", "/ViewerPreferences"):
            if key in first.Root:
                value = first.Root[key]
                out.Root[key] = out.copy_foreign(value) if isinstance(value, pikepdf.Dictionary) else value
        compact_pdf_fonts(out)
        return save(out)
    finally:
        for pdf in [*sources, stamps, out]:
            if pdf is not None:
                pdf.close()


def join_cached(results: list[PartResult], appendix: Appendix | None, numbers: bytes, run: Any) -> bytes:
    """:func:`join_parts`, or with the part cache the joined PDF of the very same parts when
    kept (the join and the font compaction are most of a render that found every part)."""
    if run is None:
        return join_parts(results, appendix, numbers)
    from . import partcache

    name = partcache.key("joined", "\n".join(run.keys), "", run.environment)
    entry = partcache.load(name)
    run.keys.append(name)
    if entry is not None:
        return entry.pdf
    pdf = join_parts(results, appendix, numbers)
    partcache.store(name, partcache.Entry(pdf, {"kind": "joined"}))
    return pdf
