"""The public functions scripts call: reading and rendering, in memory or on disk.

Modelled on WeasyPrint (``write_pdf()`` without a target returns the bytes)
and pandas (a path or an open file):

* every renderer takes a path (written atomically), an open binary file, or
  nothing, and then returns the document: bytes for PDF and xlsx, a str for
  HTML;
* :func:`load` takes a path or an open file (binary or text) and tells YAML,
  JSON and xlsx apart by content when there is no suffix to go by;
  :func:`loads` reads a string or bytes;
* every renderer checks its report first (:mod:`reportgen.inputs.objects`): an object
  built or changed in Python that a file could not have produced raises
  :class:`~reportgen.core.errors.ReportError` naming the field, never
  AttributeError or TypeError deep inside a renderer. A plain dict is read
  with :meth:`Report.from_dict`;
* warnings (:mod:`reportgen.core.reportwarnings`) are issued as Python warnings,
  logged to the ``reportgen`` logger and appended to ``warnings=`` when a
  list is given.

The lower-level renderers (:mod:`reportgen.pdf.engine`, :mod:`reportgen.xlsx.writer`) stay
as they were for the command line, which reads files that are already valid.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, Union

from .core.errors import Problem, ReportError

if TYPE_CHECKING:  # pragma: no cover
    from .model.report import Report
    from .core.reportwarnings import LineOf, ReportWarning

__all__ = ["LoadedFile", "REPORT_SUFFIXES", "html_to_pdf", "load", "load_file", "loads", "render_html", "render_pdf",
           "render_xlsx"]

#: A path, or an open binary file (``open(f, "wb")``, ``io.BytesIO()``).
Target = Union[str, "os.PathLike[str]", IO[bytes], None]
Format = Literal["yaml", "json", "xlsx"]
FORMATS: tuple[str, ...] = ("yaml", "json", "xlsx")

_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".xlsx": "xlsx"}
#: Suffixes of the files a report is read from (the command line picks these out of folders).
REPORT_SUFFIXES: tuple[str, ...] = tuple(_SUFFIXES)


def _fail(source: str, message: str) -> ReportError:
    return ReportError([Problem(source, None, "", message)])


def sniff(raw: bytes | str) -> str:
    """"xlsx", "json" or "yaml" from the content: a zip is a workbook, ``{``/``[`` is JSON."""
    if isinstance(raw, bytes):
        if raw.startswith(b"PK\x03\x04"):
            return "xlsx"
        head = raw[:64].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
        return "json" if head[:1] in (b"{", b"[") else "yaml"
    return "json" if raw.lstrip("\ufeff \t\r\n")[:1] in ("{", "[") else "yaml"


def _check_format(format: str | None, source: str) -> None:
    if format is not None and format not in FORMATS:
        raise _fail(source, f"unknown format {format!r}; use one of {', '.join(FORMATS)}")


def loads(data: str | bytes, format: Format | None = None, *, source: str = "<string>") -> Report:
    """Read a report from a string or bytes (YAML, JSON, or xlsx bytes); raises ReportError.

    ``format`` is "yaml", "json" or "xlsx"; without it the content decides.
    Bytes are decoded as a file would be (UTF-8, UTF-16 with BOM, Shift_JIS).
    """
    from .inputs.source import MAX_INPUT_BYTES, decode, parse_text
    from .inputs.validate import build_located

    _check_format(format, source)
    if not isinstance(data, (str, bytes, bytearray)):
        raise _fail(source, f"expected text or bytes, found a {type(data).__name__}")
    if isinstance(data, bytearray):
        data = bytes(data)
    kind = format or sniff(data)
    if kind == "xlsx":
        if isinstance(data, str):
            raise _fail(source, "an xlsx workbook is bytes, not text")
        from .xlsx.read import read_xlsx_bytes

        return read_xlsx_bytes(data, source=source)
    if isinstance(data, bytes):
        if len(data) > MAX_INPUT_BYTES:
            raise _fail(source, f"the file is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB, "
                                f"the limit for a report")
        data = decode(data, source)
    return build_located(parse_text(data, source, kind=kind))


def load(source: str | os.PathLike[str] | IO[bytes] | IO[str], format: Format | None = None) -> Report:
    """Read and validate a report; raises ReportError listing every problem.

    ``source`` is a path (.yaml / .yml / .json / .xlsx) or an open file, binary
    (``open(f, "rb")``, ``io.BytesIO``) or text (``io.StringIO``). ``format``
    ("yaml", "json", "xlsx") overrides the suffix; an open file without it is
    told apart by its content.
    """
    if hasattr(source, "read"):
        name = getattr(source, "name", None)
        label = name if isinstance(name, str) else "<stream>"
        _check_format(format, label)
        data = source.read()  # type: ignore[union-attr]
        if format is None and isinstance(name, str):
            format = _SUFFIXES.get(Path(name).suffix.lower())  # type: ignore[assignment]
        return loads(data, format, source=label)
    loaded = load_file(source, format)  # type: ignore[arg-type]
    if loaded.warnings:
        # tracker edits not read back: Python warnings here, ``warning:`` lines in the command line
        import warnings

        from .xlsx.tracker_import import TrackerImportWarning

        for problem in loaded.warnings:
            warnings.warn(TrackerImportWarning(problem), stacklevel=2)
    return loaded.report


@dataclass(frozen=True)
class LoadedFile:
    """A report read from a path, with what the reading found to warn about."""

    report: Report
    #: Where a field was written in a YAML/JSON file (the ``file:line:`` of later warnings);
    #: None for a workbook.
    line_of: LineOf | None = None
    #: Reading warnings: edits of a tracker workbook that are not read back.
    warnings: list[Problem] = field(default_factory=list)


def load_file(source: str | os.PathLike[str], format: Format | None = None) -> LoadedFile:
    """The one reader of a report file, by its suffix (.yaml / .yml / .json / .xlsx); raises ReportError.

    :func:`load` and the command line (which prints the warnings as
    ``warning:`` lines and stops on them with ``--strict``) both read through
    it. ``source`` names the file in messages as given; ``format`` overrides
    the suffix.
    """
    path = Path(source)
    _check_format(format, str(source))
    kind = format or _SUFFIXES.get(path.suffix.lower())
    if kind == "xlsx":
        # a reportgen tracker (edits read back) or one made by hand (imported)
        from .core.gcpause import collector_paused

        with collector_paused():  # the modules it imports too (reportgen.core.gcpause says why)
            from .xlsx.tracker_import import read_workbook

            report, warned = read_workbook(source)
        return LoadedFile(report, None, list(warned))
    if format is not None and _SUFFIXES.get(path.suffix.lower()) != format:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise _fail(str(source), f"cannot read: {exc.strerror or exc}") from None
        return LoadedFile(loads(raw, format, source=str(source)))
    from .inputs.source import read_located
    from .inputs.validate import build_located

    located = read_located(source)
    return LoadedFile(build_located(located), located.line)


# -- rendering --------------------------------------------------------------------


def _prepare(report: Any, sink: list[ReportWarning] | None, *, font: str | None,
             check_marks: bool) -> Report:
    """The checked report; its warnings issued, logged and appended to ``sink``."""
    from .inputs.objects import OBJECT_SOURCE, check_report, object_path
    from .core.reportwarnings import emit
    from .checks.collect import report_warnings

    checked = check_report(report)
    found = report_warnings(checked, source=OBJECT_SOURCE, font=font, check_marks=check_marks)
    emit([type(w)(object_path(w.problem)) for w in found], sink, stacklevel=4)
    return checked


def _is_file(target: object) -> bool:
    return hasattr(target, "write")


def render_pdf(
    report: Report,
    target: Target = None,
    *,
    paper: str = "A4",
    orientation: str = "landscape",
    font: str = "gothic",
    pdf_variant: str | None = None,
    jobs: int = 1,
    templates: str | os.PathLike[str] | None = None,
    check_marks: bool = False,
    warnings: list[ReportWarning] | None = None,
    cache: bool = False,
) -> bytes | None:
    """Render ``report`` as PDF; without ``target`` return the PDF's bytes.

    ``target`` is a path (written atomically) or an open binary file.
    ``paper`` "A4", "A3", "B4" or "B5" (JIS), ``orientation`` "landscape" or
    "portrait", ``font`` "gothic"/"mincho", ``pdf_variant`` None or
    one of :data:`reportgen.PDF_VARIANTS`, ``jobs`` > 1 renders a large report in
    that many processes. ``templates`` is a folder of your own templates,
    searched before the built-ins (:mod:`reportgen.pdf.usertemplates`). ``cache``
    True keeps laid-out parts (one per 分野) in the user's cache and lays out
    only those whose input changed (:mod:`reportgen.pdf.partcache`). Raises
    ReportError (bad report), ValueError (unknown paper, font, variant or
    folder) or RenderError (cannot write), before a path is touched.
    """
    from .pdf import engine as pdf
    from .core.papers import paper_key

    key = paper_key(paper, orientation)
    checked = _prepare(report, warnings, font=font, check_marks=check_marks)
    if target is None:
        buffer = io.BytesIO()
        pdf.render_pdf(checked, buffer, paper=key, font=font, pdf_variant=pdf_variant, jobs=jobs,
                       templates=templates, cache=cache)
        return buffer.getvalue()
    pdf.render_pdf(checked, target, paper=key, font=font, pdf_variant=pdf_variant, jobs=jobs,
                   templates=templates, cache=cache)
    return None


def render_html(
    report: Report,
    target: Target = None,
    *,
    paper: str = "A4",
    orientation: str = "landscape",
    font: str = "gothic",
    templates: str | os.PathLike[str] | None = None,
    check_marks: bool = False,
    warnings: list[ReportWarning] | None = None,
) -> str | None:
    """The HTML the PDF is made from; without ``target`` return it as a str.

    The HTML loads nothing but the bundled stylesheets and fonts (through its
    ``<base>``, the installed templates folder) and ``data:`` URLs; turn an
    edited copy into a PDF with :func:`reportgen.html_to_pdf`, which serves it
    through the same sandbox. With a target it is written as UTF-8.
    """
    from .pdf import engine as pdf
    from .core.output import write_bytes_atomic
    from .core.papers import paper_key

    key = paper_key(paper, orientation)
    checked = _prepare(report, warnings, font=font, check_marks=check_marks)
    html = pdf.render_html(checked, paper=key, font=font, templates=templates)
    if target is None:
        return html
    write_bytes_atomic(target, html.encode("utf-8"))
    return None


def render_xlsx(
    report: Report,
    target: Target = None,
    *,
    paper: str = "A3",
    check_marks: bool = False,
    warnings: list[ReportWarning] | None = None,
) -> bytes | None:
    """Write the Excel 進捗状況 tracker; without ``target`` return the workbook's bytes.

    ``paper`` is "A3" or "A4" (landscape). Glyph coverage is not checked:
    Excel draws with the fonts of the machine that opens the workbook.
    """
    from .xlsx import writer as xlsx

    checked = _prepare(report, warnings, font=None, check_marks=check_marks)
    if target is None:
        buffer = io.BytesIO()
        xlsx.render_xlsx(checked, buffer, paper=paper)  # type: ignore[arg-type]
        return buffer.getvalue()
    xlsx.render_xlsx(checked, target, paper=paper)  # type: ignore[arg-type]
    return None


def html_to_pdf(html: str, target: Target = None) -> bytes | None:
    """A PDF from HTML made by :func:`render_html` (possibly edited), through the sandbox.

    Only ``data:`` URLs and the bundled stylesheets and fonts are loaded
    (:class:`reportgen.pdf.fetch.SafeFetcher`); anything else the HTML names is
    refused and left out. Without ``target`` the PDF's bytes are returned.
    """
    from .core.output import write_bytes_atomic
    from .pdf.engine import pdf_from_html

    data = pdf_from_html(html)
    if target is None:
        return data
    write_bytes_atomic(target, data)
    return None
