"""Templates users can change, and papers (issue #15)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

import reportgen
from reportgen.pdf.usertemplates import BLOCKS, UserTemplates, export

ROOT = Path(__file__).resolve().parents[2]
SAITAMA = ROOT / "examples" / "saitama-r5-excerpt.yaml"
QUARTERLY = ROOT / "examples" / "saitama-h29-q1-excerpt.yaml"
RED = (255, 0, 0)


def pages(pdf: bytes, dpi: int = 60) -> list:
    """Every page as a PIL image (pdftoppm)."""
    import tempfile

    from PIL import Image

    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(source), f"{work}/p"], check=True)
        return [Image.open(p).convert("RGB") for p in sorted(Path(work).glob("p-*.png"))]


def text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def reddish(image) -> int:
    raw = image.tobytes()
    return sum(1 for i in range(0, len(raw), 3) if raw[i] > 200 and raw[i + 1] < 80 and raw[i + 2] < 80)


@pytest.fixture
def user_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "report.html").write_text(
        '{% extends "plan-status.html" %}\n'
        "{% block footer %}部外秘{% endblock %}\n"
        '{% block after_table %}<p class="closing">以上</p><img src="{{ assets }}seal.png">'
        '<img src="file:///etc/hostname"><img src="{{ assets }}../outside.png">{% endblock %}\n',
        encoding="utf-8")
    (folder / "style.css").write_text(".page-footer { color: #ff0000; font-size: 14pt; }\n", encoding="utf-8")
    from PIL import Image

    Image.new("RGB", (40, 20), (0, 0, 255)).save(folder / "seal.png")
    Image.new("RGB", (40, 20), (0, 255, 0)).save(tmp_path / "outside.png")
    return folder


def test_a_user_footer_and_stylesheet_change_the_pdf_from_the_api(user_folder: Path):
    report = reportgen.load(SAITAMA)
    plain = reportgen.render_pdf(report)
    mine = reportgen.render_pdf(report, templates=user_folder)
    assert "部外秘" not in text(plain)
    assert text(mine).count("部外秘") == len(pages(mine)) > 1  # a running footer: every page
    assert "以上" in text(mine)
    assert all(reddish(p) == 0 for p in pages(plain))
    assert all(reddish(p) > 10 for p in pages(mine))


def test_the_same_from_the_command_line(user_folder: Path, tmp_path: Path):
    out = tmp_path / "out.pdf"
    result = subprocess.run([sys.executable, "-m", "reportgen", "render", str(SAITAMA), "-o", str(out),
                             "--templates", str(user_folder)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    pdf = out.read_bytes()
    assert "部外秘" in text(pdf) and reddish(pages(pdf)[0]) > 10


def test_only_the_folders_own_files_are_served(user_folder: Path):
    user = UserTemplates.open(user_folder)
    fetcher = user.fetcher()
    from reportgen.pdf.engine import render_document

    render_document(reportgen.load(SAITAMA), templates=user_folder, fetcher=fetcher)
    served = " ".join(fetcher.served)
    refused = " ".join(url for url, _reason in fetcher.refused)
    assert "seal.png" in served and "style.css" in served
    assert "/etc/hostname" in refused and "outside.png" in refused and "outside.png" not in served


def test_an_exported_folder_renders_like_the_built_ins(tmp_path: Path):
    folder = tmp_path / "exported"
    assert reportgen_cli("templates", "export", str(folder)).returncode == 0
    assert {"report.html", "style.css", "README.md", "plan-status.html", "base.html"} <= {
        p.name for p in folder.iterdir()}
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in BLOCKS)
    for source in (SAITAMA, QUARTERLY):  # report.html extends the layout the report names
        report = reportgen.load(source)
        built_in, exported = reportgen.render_pdf(report), reportgen.render_pdf(report, templates=folder)
        assert text(built_in) == text(exported)
        assert [p.tobytes() for p in pages(built_in)] == [p.tobytes() for p in pages(exported)]
    with pytest.raises(FileExistsError):
        export(folder)  # never overwrites the user's edits


def test_every_documented_block_can_be_overridden(tmp_path: Path):
    folder = tmp_path / "blocks"
    folder.mkdir()
    body = "".join(f"{{% block {name} %}}<span>BLOCK-{name}</span>{{% endblock %}}" for name in BLOCKS)
    (folder / "report.html").write_text("{% extends layout %}" + body, encoding="utf-8")
    found = text(reportgen.render_pdf(reportgen.load(SAITAMA), templates=folder))
    assert [name for name in BLOCKS if f"BLOCK-{name}" not in found] == []
    assert "令和５年度" not in found.split("BLOCK-title")[0]  # the title block replaced the title


def test_data_stays_text_in_user_templates(tmp_path: Path):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "report.html").write_text("{% extends layout %}{% block footer %}{{ doc.org_line }}{% endblock %}",
                                        encoding="utf-8")
    report = reportgen.load(SAITAMA)
    report.organization = "<b>支部</b>"
    html = reportgen.render_html(report, templates=folder)
    assert "&lt;b&gt;支部&lt;/b&gt;" in html and "<b>支部</b>" not in html


def test_a_missing_templates_folder_is_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="templates folder"):
        reportgen.render_html(reportgen.load(SAITAMA), templates=tmp_path / "nope")
    result = reportgen_cli("render", str(SAITAMA), "-o", str(tmp_path / "x.pdf"), "--templates",
                           str(tmp_path / "nope"))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def reportgen_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reportgen", *args], capture_output=True, text=True, timeout=300)


# -- papers ------------------------------------------------------------------------------


def page_size_mm(pdf: bytes) -> tuple[float, float]:
    from pypdf import PdfReader

    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)


@pytest.mark.parametrize(("paper", "orientation", "size"), [
    ("B4", "portrait", (257, 364)),
    ("B5", "landscape", (257, 182)),
    ("A4", "portrait", (210, 297)),
    ("A3", "landscape", (420, 297)),
])
def test_papers_and_orientations(paper: str, orientation: str, size: tuple[int, int]):
    report = reportgen.load(SAITAMA)
    pdf = reportgen.render_pdf(report, paper=paper, orientation=orientation)
    assert page_size_mm(pdf) == size
    assert "健全な財政運営" in text(pdf)


def test_portrait_columns_fit_the_narrower_page():
    from reportgen.layouts.view import PAPERS

    assert PAPERS["B4-PORTRAIT"] == 257 - 30 and PAPERS["A4-PORTRAIT"] == 210 - 24
    html = reportgen.render_html(reportgen.load(SAITAMA), paper="b4", orientation="portrait")
    assert "size: 257mm 364mm" in html


def test_cli_paper_b4_portrait(tmp_path: Path):
    out = tmp_path / "b4.pdf"
    result = reportgen_cli("render", str(SAITAMA), "-o", str(out), "--paper", "B4", "--orientation", "portrait")
    assert result.returncode == 0, result.stderr
    assert page_size_mm(out.read_bytes()) == (257, 364)
    with pytest.raises(ValueError, match="paper must be one of"):
        reportgen.render_pdf(reportgen.load(SAITAMA), paper="B6")
