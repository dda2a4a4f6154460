"""Reading report files: bytes → text → plain data with the line of every field.

Validation needs to say on which line a bad field sits, which neither
``yaml.safe_load`` nor ``json.load`` tell.  YAML is therefore read as parser
events (which carry their marks) and built by hand; JSON is decoded by the
json module (its escapes and strictness are right) and located by a small
scanner of its tokens (iterative, so it copes with tabs, any escape and deep
nesting, none of which the YAML parser reads as JSON does).

The work is done by :mod:`~reportgen.inputs.encoding` (bytes → text),
:mod:`~reportgen.inputs.yaml_source` and :mod:`~reportgen.inputs.json_source`;
this module holds the entry points and the bounds.  The bounds are module
constants read at every call (:func:`current_limits`), and so is ``C_LOADER``
(libyaml, or None for the pure-Python parser) and ``REPARSE_CHARS``: setting
them here (``monkeypatch.setattr(source, "MAX_NODES", 1000)``) changes how the
next file is read.

Files come from people, other systems and mail, so everything here is bounded:
the file's size, the number of values a document may hold or expand to (YAML
aliases), the nesting depth and the length of a number.  Every failure is a
:class:`ReportError` carrying located problems, never a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..core.errors import Problem, ReportError
from ..core.locations import Located, printable
from .encoding import decode
from .json_source import parse_json
from .limits import ParseLimits
from .yaml_source import C_LOADER, REPARSE_CHARS, compose_yaml

__all__ = ["C_LOADER", "MAX_DEPTH", "MAX_EXPANDED_CHARS", "MAX_INPUT_BYTES", "MAX_NODES", "MAX_NUMBER_CHARS",
           "REPARSE_CHARS", "current_limits", "decode", "parse_text", "read_located"]


#: Largest input file accepted; an office report is a few hundred kilobytes.
MAX_INPUT_BYTES = 20 * 1024 * 1024
#: Most values (texts, numbers, lists, mappings) a document may hold or expand
#: to through YAML aliases; guards against alias bombs and runaway files.
MAX_NODES = 500_000
#: Most characters of text a document may expand to through YAML aliases.
MAX_EXPANDED_CHARS = MAX_INPUT_BYTES
#: Deepest nesting accepted; format 1 needs about 12 levels.
MAX_DEPTH = 64
#: Longest number as written (digits, sign, point, exponent).
MAX_NUMBER_CHARS = 100


# -- entry points ---------------------------------------------------------------


def current_limits() -> ParseLimits:
    """The bounds as this module's constants say now."""
    return ParseLimits(max_nodes=MAX_NODES, max_expanded_chars=MAX_EXPANDED_CHARS, max_depth=MAX_DEPTH,
                       max_number_chars=MAX_NUMBER_CHARS)


def parse_text(text: str, source: str, *, kind: str) -> Located:
    """Parse YAML or JSON text into located data; raises ReportError on syntax errors."""
    if kind == "json":
        return parse_json(text, source, current_limits())
    data, lines, written, problems = compose_yaml(text, source, current_limits(), c_loader=C_LOADER,
                                                  reparse_chars=REPARSE_CHARS)
    if problems:
        raise ReportError(problems)
    return Located(data, source, lines, written)


def read_located(path: str | os.PathLike[str]) -> Located:
    """Read a .yaml/.yml/.json file into located plain data."""
    p = Path(path)
    source = str(path)

    def fail(message: str) -> ReportError:
        return ReportError([Problem(source, None, "", message)])

    try:
        if p.is_dir():
            raise fail("this is a folder, not a file")
        kind = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}.get(p.suffix.lower())
        if kind is None:
            got = f"'{printable(p.suffix)}'" if p.suffix else "no extension"
            raise fail(f"unknown file type ({got}); expected a .yaml, .yml, .json or .xlsx file")
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror or exc}") from None
    from ..core.inputcheck import read_input  # a regular file of bounded size, checked before it is opened

    raw = read_input(p, source, max_bytes=MAX_INPUT_BYTES,
                     too_large=f"the file is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB, the limit for a report")
    return parse_text(decode(raw, source), source, kind=kind)
