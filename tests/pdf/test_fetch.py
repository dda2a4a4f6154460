"""Tests for the sandboxed WeasyPrint URL fetcher (reportgen.pdf.fetch) and asset lookup.

Why these matter: report text comes from data files; anything that slips past
escaping must not make the renderer read local files, embed them as PDF
attachments, or open network connections. A refused URL must also never abort
the render.
"""

from __future__ import annotations

import builtins
import io
import os
import socket
from pathlib import Path
from urllib.request import OpenerDirector

import pytest

from reportgen.core.assets import fonts_dir, templates_dir
from reportgen.pdf.fetch import MIME_TYPES, FetchRefused, SafeFetcher, base_url, build_html

PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8ffff3f0005fe02fea7d6a4"
    "a40000000049454e44ae426082"
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail loudly on any socket or urllib opener use; return the attempts."""
    attempts: list[str] = []

    def deny(*args: object, **kwargs: object) -> None:
        attempts.append(repr(args[:2]))
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "create_connection", deny)
    monkeypatch.setattr(socket.socket, "connect", deny)
    monkeypatch.setattr(OpenerDirector, "open", deny)
    return attempts


@pytest.fixture
def opened_paths(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every path opened through open()/io.open()/os.open() during the test."""
    seen: list[str] = []
    real_open, real_io_open, real_os_open = builtins.open, io.open, os.open

    def track_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(file, (str, bytes, os.PathLike)):
            seen.append(os.fsdecode(file))
        return real_open(file, *args, **kwargs)

    def track_io_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(file, (str, bytes, os.PathLike)):
            seen.append(os.fsdecode(file))
        return real_io_open(file, *args, **kwargs)

    def track_os_open(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(os.fsdecode(path))
        return real_os_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", track_open)
    monkeypatch.setattr(io, "open", track_io_open)
    monkeypatch.setattr(os, "open", track_os_open)
    return seen


@pytest.fixture
def sandbox(tmp_path: Path) -> tuple[Path, Path]:
    """A private asset root with a few files, and a secret file outside it."""
    root = tmp_path / "assets"
    root.mkdir()
    (root / "style.css").write_text("p { color: red }", encoding="utf-8")
    (root / "pic.png").write_bytes(PNG_1x1)
    (root / "icon.svg").write_bytes(SVG)
    (root / "notes.txt").write_text("not served", encoding="utf-8")
    secret = tmp_path / "secret.css"
    secret.write_text("secret { }", encoding="utf-8")
    return root, secret


# -- asset lookup -----------------------------------------------------------------


def test_asset_dirs_are_siblings_with_the_bundled_files() -> None:
    """base.css reaches the fonts as ../fonts/, which needs sibling directories."""
    assert (templates_dir() / "base.css").is_file()
    assert (fonts_dir() / "BIZUDGothic-Regular.ttf").is_file()
    assert templates_dir().parent == fonts_dir().parent
    assert base_url().startswith("file://") and base_url().endswith("/templates/")


# -- what is served ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "mime"),
    [
        ("BIZUDGothic-Regular.ttf", "font/ttf"),
        ("BIZUDGothic-Bold.ttf", "font/ttf"),
        ("BIZUDMincho-Regular.ttf", "font/ttf"),
    ],
)
def test_bundled_fonts_are_served_as_font_ttf(name: str, mime: str, no_network: list[str]) -> None:
    fetcher = SafeFetcher()
    response = fetcher.fetch((fonts_dir() / name).as_uri())
    body = response.read()
    response.close()
    assert response.content_type == mime
    assert body[:4] in (b"\x00\x01\x00\x00", b"true", b"OTTO")
    assert fetcher.refused == []


def test_font_url_relative_to_the_templates_base_url_is_served() -> None:
    """The exact URL base.css produces: url(../fonts/X) against templates/base.css."""
    from urllib.parse import urljoin

    url = urljoin(base_url() + "base.css", "../fonts/BIZUDGothic-Bold.ttf")
    response = SafeFetcher().fetch(url)
    assert response.content_type == "font/ttf"
    response.close()


def test_stylesheet_is_served_as_text_css_utf8() -> None:
    response = SafeFetcher().fetch(base_url() + "base.css")
    text = response.read().decode(response.charset or "ascii")
    response.close()
    assert response.content_type == "text/css"
    assert response.charset == "utf-8"
    assert "@font-face" in text


@pytest.mark.parametrize(
    ("name", "mime"),
    [("style.css", "text/css"), ("pic.png", "image/png"), ("icon.svg", "image/svg+xml")],
)
def test_mime_types_from_suffix(sandbox: tuple[Path, Path], name: str, mime: str) -> None:
    root, _ = sandbox
    response = SafeFetcher(roots=[root]).fetch((root / name).as_uri())
    assert response.content_type == mime
    assert response.read() == (root / name).read_bytes()
    response.close()
    assert MIME_TYPES[Path(name).suffix] == mime


def test_data_urls_are_served_inline() -> None:
    fetcher = SafeFetcher()
    css = fetcher.fetch("data:text/css;charset=utf-8;base64,cCB7IGNvbG9yOiByZWQgfQ==")
    assert css.content_type == "text/css"
    assert css.read() == b"p { color: red }"
    plain = fetcher.fetch("data:,a%20b")
    assert plain.content_type == "text/plain"
    assert plain.read() == b"a b"


# -- what is refused -------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://example.invalid/x.css",
        "https://example.invalid/font.ttf",
        "ftp://example.invalid/x.png",
        "gopher://example.invalid/",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "file:///etc/hostname",
        "file://evil.example/etc/passwd",
        "file:///tmp/evil.css",
        "file:///usr/share/fonts/truetype/bizud-gothic/BIZUDGothic-Regular.ttf",
    ],
)
def test_foreign_urls_are_refused_without_disk_or_network(
    url: str, no_network: list[str], opened_paths: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refusal happens before any stat/open: Path.resolve must not even be called."""

    def no_resolve(self: Path, strict: bool = False) -> Path:
        raise AssertionError(f"disk access (resolve) for a refused URL: {self}")

    fetcher = SafeFetcher()  # roots are resolved here, before the patch
    monkeypatch.setattr(Path, "resolve", no_resolve)
    with pytest.raises(FetchRefused):
        fetcher.fetch(url)
    assert fetcher.refused and fetcher.refused[0][0] == url
    assert fetcher.served == []
    assert no_network == []
    assert opened_paths == []


@pytest.mark.parametrize(
    "suffix",
    [
        "../../x",
        "../../etc/passwd",
        "%2e%2e/%2e%2e/etc/passwd",
        "./../fonts/../../etc/passwd",
    ],
)
def test_dot_dot_escapes_from_templates_are_refused(suffix: str, opened_paths: list[str]) -> None:
    url = base_url() + suffix
    fetcher = SafeFetcher()
    with pytest.raises(FetchRefused):
        fetcher.fetch(url)
    assert opened_paths == []


def test_dot_dot_inside_the_sandbox_is_fine() -> None:
    """templates/../fonts/X is the sibling fonts directory: allowed."""
    response = SafeFetcher().fetch(base_url() + "../fonts/BIZUDGothic-Regular.ttf")
    assert response.content_type == "font/ttf"
    response.close()


def test_symlink_escape_is_refused(sandbox: tuple[Path, Path]) -> None:
    root, secret = sandbox
    link = root / "innocent.css"
    link.symlink_to(secret)
    fetcher = SafeFetcher(roots=[root])
    with pytest.raises(FetchRefused, match="symlink"):
        fetcher.fetch(link.as_uri())


def test_symlinked_directory_escape_is_refused(sandbox: tuple[Path, Path]) -> None:
    root, secret = sandbox
    (root / "sub").symlink_to(secret.parent, target_is_directory=True)
    fetcher = SafeFetcher(roots=[root])
    with pytest.raises(FetchRefused):
        fetcher.fetch((root / "sub" / secret.name).as_uri())


def test_unlisted_file_types_and_directories_are_refused(sandbox: tuple[Path, Path]) -> None:
    root, _ = sandbox
    fetcher = SafeFetcher(roots=[root])
    with pytest.raises(FetchRefused, match="file type"):
        fetcher.fetch((root / "notes.txt").as_uri())
    with pytest.raises(FetchRefused):
        fetcher.fetch(root.as_uri() + "/")
    with pytest.raises(FetchRefused, match="no such file"):
        fetcher.fetch((root / "missing.css").as_uri())
    with pytest.raises(FetchRefused, match="file type"):
        SafeFetcher().fetch((fonts_dir() / "OFL.txt").as_uri())


# -- end to end through WeasyPrint ---------------------------------------------------


def test_render_with_hostile_urls_still_produces_a_pdf_and_reads_nothing(
    opened_paths: list[str], no_network: list[str]
) -> None:
    """<img src=file:///etc/hostname> and friends: logged, skipped, never opened."""
    html = """<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">
      <title>t</title>
      <link rel="stylesheet" href="base.css">
      <link rel="stylesheet" href="file:///etc/passwd">
      <link rel="stylesheet" href="http://example.invalid/x.css">
      <link rel="attachment" href="file:///etc/hostname">
      <style>@import url(file:///etc/passwd); p { background: url(http://example.invalid/bg.png) }</style>
      </head><body>
      <p>令和５年度 事業計画 <img src="file:///etc/hostname" alt="x"></p>
      <p><img src="http://example.invalid/x.png"></p>
      <svg width="10" height="10"><image href="file:///etc/hostname" width="10" height="10"/></svg>
      </body></html>"""
    fetcher = SafeFetcher()
    pdf = build_html(html, fetcher=fetcher).write_pdf()
    assert pdf is not None and pdf.startswith(b"%PDF-")
    refused = {url for url, _ in fetcher.refused}
    assert "file:///etc/hostname" in refused
    assert "file:///etc/passwd" in refused
    assert "http://example.invalid/x.png" in refused
    assert not {"/etc/hostname", "/etc/passwd"} & set(opened_paths), opened_paths
    assert no_network == []
    # Only the stylesheet and the bundled fonts were read through the fetcher.
    served = {url.rsplit("/", 1)[-1] for url in fetcher.served}
    assert served <= {
        "base.css",
        "BIZUDGothic-Regular.ttf",
        "BIZUDGothic-Bold.ttf",
        "BIZUDMincho-Regular.ttf",
    }
    assert b"/EmbeddedFile" not in pdf  # the attachment was not embedded


def test_escaped_markup_prints_literally_and_fetches_nothing() -> None:
    """Jinja autoescape turns an injected <img> into text; the fetcher never sees it."""
    jinja2 = pytest.importorskip("jinja2")
    pypdf = pytest.importorskip("pypdf")
    env = jinja2.Environment(autoescape=True)
    template = env.from_string(
        '<html lang="ja"><head><link rel="stylesheet" href="base.css"></head>'
        "<body><p>{{ status }}</p></body></html>"
    )
    status = '注入：<img src="http://example.invalid/x.png">'
    fetcher = SafeFetcher()
    pdf = build_html(template.render(status=status), fetcher=fetcher).write_pdf()
    assert fetcher.refused == []
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "example.invalid" in text and "<img" in text


def test_bundled_fonts_are_the_only_embedded_fonts() -> None:
    """The @font-face rules in base.css resolve through the fetcher to fonts_dir()."""
    pypdf = pytest.importorskip("pypdf")
    html = (
        '<html lang="ja"><head><link rel="stylesheet" href="base.css"></head><body>'
        "<p>郵送化率は96.5％</p><p><b>重要度：高</b></p><p class='mincho'>明朝</p></body></html>"
    )
    fetcher = SafeFetcher()
    pdf = build_html(html, fetcher=fetcher).write_pdf()
    served = [url for url in fetcher.served if url.endswith(".ttf")]
    assert served and all(url.startswith(fonts_dir().as_uri()) for url in served)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    assert names and all("BIZ-UD" in name for name in names), names
