"""Compact embedded fonts (reportgen.pdf.fontpack): same text and pages, smaller file, one copy per face.

What a reader relies on is checked with the tools their viewer agrees with:
pdftotext (text per page), pdftoppm (page images, compared pixel for pixel),
pdffonts (fonts embedded, subset, with a Unicode map) and qpdf --check. The
PDFs are WeasyPrint's own output before and after :func:`compact_fonts`.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont

import reportgen
from reportgen import Report
from reportgen.pdf.fontpack import compact_fonts
from reportgen.pdf.partplan import MIN_ENTRIES
from reportgen.pdf.engine import render_document, render_pdf
from reportgen.tools.synthetic import synthetic_report

pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("pdftotext", "pdffonts", "pdftoppm", "qpdf")),
    reason="poppler-utils and qpdf are needed",
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
#: A 分野 title with the characters that get vertical glyphs (GSUB "vert", no cmap entry).
VERTICAL_TITLE = "基盤「サービス」ー（向上）"


def _vertical_report() -> Report:
    data = synthetic_report(10).to_dict()
    data["sections"][0]["title"] = VERTICAL_TITLE
    return Report.from_dict(data, source="<test>")


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """name → (WeasyPrint's PDF, the same compacted), for the tracker example and a synthetic report."""
    folder = tmp_path_factory.mktemp("fontpack")
    out = {}
    for name, report in (("gunma", reportgen.load(EXAMPLES / "gunma-r5-excerpt.yaml")),
                         ("vertical", _vertical_report())):
        raw = render_document(report).write_pdf()
        before, after = folder / f"{name}-raw.pdf", folder / f"{name}.pdf"
        before.write_bytes(raw)
        after.write_bytes(compact_fonts(raw))
        out[name] = (before, after)
    return out


@pytest.fixture(scope="module")
def joined(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A report rendered in parts and joined: (joined without font compaction, as render_pdf writes it)."""
    from reportgen.pdf import fontpack

    folder = tmp_path_factory.mktemp("fontpack-join")
    data = synthetic_report(MIN_ENTRIES).to_dict()
    data["report"]["appendix"] = ["kpi-summary", "mark-summary"]
    report = Report.from_dict(data, source="<test>")
    plain, packed = folder / "plain.pdf", folder / "packed.pdf"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fontpack, "compact_pdf_fonts", lambda doc: 0)
        render_pdf(report, plain, jobs=2)
    render_pdf(report, packed, jobs=2)
    return plain, packed


def _text(path: Path) -> list[str]:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout.split("\f")


def _images(path: Path, folder: Path) -> list[bytes]:
    """Every page at 70 dpi as PPM bytes."""
    prefix = folder / path.stem
    subprocess.run(["pdftoppm", "-r", "70", str(path), str(prefix)], check=True)
    return [p.read_bytes() for p in sorted(folder.glob(f"{path.stem}-*.ppm"))]


def _fonts(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def _shown_cids(doc: pikepdf.Pdf) -> dict[tuple[int, int], set[int]]:
    """Font (objgen) → every 2-byte code its text operators show, pages and forms."""
    out: dict[tuple[int, int], set[int]] = {}

    def walk(content: object, resources: pikepdf.Dictionary) -> None:
        fonts = resources.get("/Font", pikepdf.Dictionary())
        current = None
        for operands, operator in pikepdf.parse_content_stream(content):
            op = str(operator)
            if op == "Tf":
                current = fonts[operands[0]]
            elif op in ("Tj", "TJ", "'", '"'):
                strings = list(operands[0]) if op == "TJ" else [operands[-1]]
                for s in strings:
                    if isinstance(s, pikepdf.String):
                        raw = bytes(s)
                        out.setdefault(current.objgen, set()).update(
                            int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2))
            elif op == "Do":
                xobject = resources.XObject[operands[0]]
                if xobject.get("/Subtype") == "/Form":
                    walk(xobject, xobject.get("/Resources", resources))

    for page in doc.pages:
        walk(page, page.obj.get("/Resources", pikepdf.Dictionary()))
    return out


def _glyph(font_dict: pikepdf.Dictionary, cid: int) -> bytes:
    """The outline (points and contour ends) the viewer draws for ``cid`` of a Type0/CIDFontType2 font."""
    cidfont = font_dict.DescendantFonts[0]
    gid = cid
    cid_map = cidfont.get("/CIDToGIDMap")
    if isinstance(cid_map, pikepdf.Stream):
        table = cid_map.read_bytes()
        gid = int.from_bytes(table[2 * cid:2 * cid + 2], "big") if 2 * cid < len(table) else 0
    font = TTFont(io.BytesIO(cidfont.FontDescriptor.FontFile2.read_bytes()))
    order = font.getGlyphOrder()
    assert gid < len(order), f"CID {cid} maps to gid {gid}, beyond the program"
    glyph = font["glyf"][order[gid]]
    glyph.expand(font["glyf"])
    coordinates, ends, _flags = glyph.getCoordinates(font["glyf"])
    return repr((list(coordinates), ends)).encode()


# --------------------------------------------------------------------------- one document


def _assert_same_pages(before: Path, after: Path, tmp_path: Path, *, at_least: int) -> None:
    """Same text (pdftotext) and the same pixels on every page (pdftoppm)."""
    assert _text(after) == _text(before)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = _images(before, tmp_path / "a"), _images(after, tmp_path / "b")
    assert len(a) == len(b) >= at_least
    for number, (x, y) in enumerate(zip(a, b), 1):
        assert x == y, f"page {number} looks different"


@pytest.mark.parametrize("name", ["gunma", "vertical"])
def test_same_text_and_page_images(single: dict[str, tuple[Path, Path]], name: str, tmp_path: Path) -> None:
    before, after = single[name]
    _assert_same_pages(before, after, tmp_path, at_least=1)


@pytest.mark.parametrize("name", ["gunma", "vertical"])
def test_smaller_fonts_still_embedded_and_valid(single: dict[str, tuple[Path, Path]], name: str) -> None:
    before, after = single[name]
    assert after.stat().st_size < before.stat().st_size
    fonts = _fonts(after)
    assert fonts and len(fonts) == len(_fonts(before))
    for row in fonts:
        assert "+" in row[0] and row[-5:-2] == ["yes", "yes", "yes"], row  # emb, sub, uni
    subprocess.run(["qpdf", "--check", str(after)], capture_output=True, check=True)
    with pikepdf.open(after) as doc:
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/CIDFontType2":
                assert isinstance(obj.CIDToGIDMap, pikepdf.Stream)


def test_every_shown_glyph_kept_vertical_forms_too(single: dict[str, tuple[Path, Path]]) -> None:
    """Each code the pages show draws the same outline as before, including the vertical
    forms of ー（）「」, which only the "vert" feature reaches (no cmap entry)."""
    before, after = single["vertical"]
    with pikepdf.open(before) as old, pikepdf.open(after) as new:
        shown_old, shown_new = _shown_cids(old), _shown_cids(new)
        assert sorted(map(sorted, shown_old.values())) == sorted(map(sorted, shown_new.values()))
        by_name = {str(old.get_object(og).BaseFont): og for og in shown_old}
        vertical_seen = False
        for og, cids in shown_new.items():
            font = new.get_object(og)
            old_font = old.get_object(by_name[str(font.BaseFont)])
            program = TTFont(io.BytesIO(old_font.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes()))
            mapped = set(program.getBestCmap().values())
            order = program.getGlyphOrder()
            for cid in cids:
                assert _glyph(font, cid) == _glyph(old_font, cid), f"{font.BaseFont} CID {cid}"
                vertical_seen |= bool(cid) and order[cid] not in mapped
        assert vertical_seen, "the vertical label's glyphs were not exercised"


def test_variant_keeps_its_requirements(tmp_path: Path) -> None:
    """A compacted PDF/A stays valid and PDF/A (metadata, output intent)."""
    out = tmp_path / "a3u.pdf"
    render_pdf(reportgen.load(EXAMPLES / "gunma-r5-excerpt.yaml"), out, pdf_variant="pdf/a-3u")
    out.write_bytes(compact_fonts(out.read_bytes()))
    subprocess.run(["qpdf", "--check", str(out)], capture_output=True, check=True)
    with pikepdf.open(out) as doc:
        assert "/OutputIntents" in doc.Root and "/Metadata" in doc.Root
        assert "pdfaid" in doc.Root.Metadata.read_bytes().decode()
        assert any(isinstance(o, pikepdf.Dictionary) and isinstance(o.get("/CIDToGIDMap"), pikepdf.Stream)
                   for o in doc.objects)


def test_nothing_to_compact_returns_the_input(single: dict[str, tuple[Path, Path]]) -> None:
    _before, after = single["gunma"]
    data = after.read_bytes()
    assert compact_fonts(data) == data  # already compact: left as it is
    with pikepdf.new() as doc:
        doc.add_blank_page()
        buffer = io.BytesIO()
        doc.save(buffer)
    assert compact_fonts(buffer.getvalue()) == buffer.getvalue()


# --------------------------------------------------------------------------- joined parts


def test_joined_embeds_each_face_once(joined: tuple[Path, Path]) -> None:
    plain, packed = joined
    names = [row[0] for row in _fonts(plain)]
    assert len(names) > len(set(names))  # one copy of each face per part before
    packed_names = [row[0] for row in _fonts(packed)]
    assert sorted(packed_names) == sorted(set(names))
    with pikepdf.open(packed) as doc:
        programs = {obj.FontFile2.objgen for obj in doc.objects
                    if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"}
        assert len(programs) == len(set(names))
    assert packed.stat().st_size < plain.stat().st_size


def test_joined_same_text_and_page_images(joined: tuple[Path, Path], tmp_path: Path) -> None:
    plain, packed = joined
    _assert_same_pages(plain, packed, tmp_path, at_least=4)
    subprocess.run(["qpdf", "--check", str(packed)], capture_output=True, check=True)
