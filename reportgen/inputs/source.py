"""Reading report files: bytes → text → plain data with the line of every field.

Validation needs to say on which line a bad field sits, which neither
``yaml.safe_load`` nor ``json.load`` tell.  YAML is therefore read as parser
events (which carry their marks) and built by hand; JSON is decoded by the
json module (its escapes and strictness are right) and located by a small
scanner of its tokens (iterative, so it copes with tabs, any escape and deep
nesting, none of which the YAML parser reads as JSON does).

Files come from people, other systems and mail, so everything here is bounded:
the file's size, the number of values a document may hold or expand to (YAML
aliases), the nesting depth and the length of a number.  Every failure is a
:class:`ReportError` carrying located problems, never a traceback.
"""

from __future__ import annotations

import bisect
import json
import os
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import ScalarNode

from ..core.errors import Problem, ReportError
from ..core.locations import Located, PathKey, format_path, printable


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

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_MERGE = _TAG + "merge"


# -- bytes → text -------------------------------------------------------------

_SAVE_AS_UTF8 = "save the file as UTF-8"

_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive or an Excel .xlsx workbook"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel .xls or Word .doc file"),
    (b"%PDF", "a PDF document"),
)


def _line_of_byte(raw: bytes, index: int) -> int:
    return raw[:index].count(b"\n") + 1


def decode(raw: bytes, source: str) -> str:
    """Decode a file's bytes: UTF-8 (with or without BOM), UTF-16/32 with a BOM,
    else CP932/Shift_JIS.

    Japanese offices still save files as Shift_JIS from older tools; such files
    are accepted when they decode cleanly.  EUC-JP is recognised and refused by
    name (its bytes often also decode as Shift_JIS, into nonsense); anything
    else is refused with the line of the first byte that is not UTF-8.
    """
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise ReportError([Problem(source, None, "", f"this is {what}, not a YAML or JSON text file")])
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                       (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"\xef\xbb\xbf", "utf-8")):
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                name = codec.upper().replace("-LE", "").replace("-BE", "")
                raise ReportError([Problem(
                    source, _line_of_byte(raw, exc.start + len(bom)) if name == "UTF-8" else None, "",
                    f"the file starts with a {name} byte-order mark but is not valid {name} text; {_SAVE_AS_UTF8}",
                )]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        first_bad = utf8_error.start
    if _looks_utf16(raw):
        raise ReportError([Problem(source, None, "", f"the file looks like UTF-16 without a byte-order mark; {_SAVE_AS_UTF8}")])
    try:
        text = raw.decode("cp932")
    except UnicodeDecodeError:
        text = None
    if _is_euc_jp(raw, text):
        raise ReportError([Problem(source, None, "", f"the file is in the EUC-JP encoding, which is not supported; {_SAVE_AS_UTF8}")])
    if text is None:
        raise ReportError([Problem(
            source, _line_of_byte(raw, first_bad), "",
            f"the file is not text in UTF-8 or Shift_JIS (CP932): byte 0x{raw[first_bad]:02X} cannot be read; "
            + _SAVE_AS_UTF8,
        )])
    return text


def _looks_utf16(raw: bytes) -> bool:
    """Mostly-ASCII UTF-16 has a NUL in every other byte."""
    sample = raw[:4096]
    if len(sample) < 8:
        return False
    evens, odds = sample[0::2].count(0), sample[1::2].count(0)
    return max(evens, odds) > len(sample) // 4 and min(evens, odds) < len(sample) // 50


_HALFWIDTH_KANA = re.compile("[\uff61-\uff9f]")


def _is_euc_jp(raw: bytes, cp932_text: str | None) -> bool:
    """Bytes that decode as EUC-JP and as Shift_JIS only with half-width kana
    (or not at all) are EUC-JP: real Shift_JIS kanji mostly use lead bytes
    0x81–0x9F, which EUC-JP never has."""
    try:
        raw.decode("euc_jp")
    except UnicodeDecodeError:
        return False
    return cp932_text is None or _HALFWIDTH_KANA.search(cp932_text) is not None


# -- YAML -----------------------------------------------------------------------


def _resolvers(base: type) -> dict[Any, list[tuple[str, Any]]]:
    """Plain scalars resolved as YAML 1.1 (the PyYAML default) except for
    silent traps: ``4:56`` (base 60, i.e. 296) and ``017`` (octal, i.e. 15)
    stay text as written, and ``=`` is text."""
    table = {
        first: [(tag, rx) for tag, rx in resolvers
                if tag not in (_TAG + "int", _TAG + "float", _TAG + "value", _TAG + "yaml")]
        for first, resolvers in base.yaml_implicit_resolvers.items()  # type: ignore[attr-defined]
    }
    ints = re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$")
    floats = re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                |[-+]?\.(?:inf|Inf|INF)
                |\.(?:nan|NaN|NAN))$""", re.X)
    for first in "-+0123456789":
        table.setdefault(first, []).append((_TAG + "int", ints))
    for first in "-+0123456789.":
        table.setdefault(first, []).append((_TAG + "float", floats))
    return table


class _Loader(yaml.SafeLoader):
    """Pure-Python parser: slow, but the source of the clearest syntax messages."""

    yaml_implicit_resolvers = _resolvers(yaml.SafeLoader)


C_LOADER: type | None = None
if getattr(yaml, "__with_libyaml__", False):  # pragma: no branch
    class _CLoaderImpl(yaml.CSafeLoader):  # type: ignore[name-defined,misc]
        """libyaml's parser, about ten times faster; tried first."""

        yaml_implicit_resolvers = _resolvers(yaml.SafeLoader)

    C_LOADER = _CLoaderImpl


def _short_tag(tag: str | None) -> str:
    if tag and tag.startswith(_TAG):
        return "!!" + tag[len(_TAG):]
    return tag or "?"


def _char_at(text: str, line: int, column: int) -> str:
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    return text[start + column: start + column + 1]


def _syntax_problem(exc: yaml.MarkedYAMLError, source: str, text: str) -> Problem:
    """One plain-language message for a YAML syntax error, worded the same
    whether libyaml or the pure-Python parser found it."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    problem, context = exc.problem or "", exc.context or ""
    where = exc.context_mark.line + 1 if exc.context_mark else None
    char = _char_at(text, exc.problem_mark.line, exc.problem_mark.column) if exc.problem_mark else ""
    if "maximum nesting depth" in problem:
        # libyaml ≥ 0.2.5 (PyYAML 6.0.4 wheels) stops deep nesting itself,
        # before our own depth count; say it the same way.
        return Problem(source, line, "", f"lists or mappings are nested deeper than {MAX_DEPTH} levels")
    if "tab character" in problem or ("cannot start any token" in problem and (char == "\t" or "'\\t'" in problem)):
        what = "a tab character; YAML must be indented with spaces, not tabs"
    elif "cannot start any token" in problem:
        shown = printable(char) or "this character"
        what = f'a text cannot start with {shown} in YAML; put the whole text in quotes ("{shown}…")'
    elif context in ("while scanning an alias", "while scanning an anchor"):
        sign = "*" if context.endswith("alias") else "&"
        what = f'a text cannot start with {sign} in YAML; put the whole text in quotes ("{sign}…")'
    elif context == "while scanning a block scalar":
        what = ("a value starting with > or | begins a block of text in YAML; "
                'put the value in quotes (for example direction: ">=")')
    elif "mapping values are not allowed" in problem:
        what = ("a colon followed by a space (': ') is not allowed here; check the indentation, "
                "or put a text that contains ': ' in quotes")
    elif "could not find expected ':'" in problem:
        what = "expected 'key: value' (a colon and a space after the key)"
    elif "found unexpected end of stream" in problem:
        what = ("a text in quotes is not closed before the end of the file" if "quoted" in context
                else "the file ends in the middle of a value")
    elif "unknown escape character" in problem:
        what = ("an unknown escape after a backslash in a double-quoted text; "
                "write \\\\ for a backslash or use single quotes")
    elif "invalid Unicode character escape" in problem:
        what = "an invalid \\u escape in a double-quoted text (no such character)"
    elif "expected ',' or ']'" in problem and where:
        what = f"the [ list opened on line {where} is not closed with ] (or a comma is missing)"
    elif "expected ',' or '}'" in problem and where:
        what = f"the {{ mapping opened on line {where} is not closed with }} (or a comma is missing)"
    elif context in ("while parsing a block mapping", "while parsing a block collection") and where:
        what = (f"this line is indented differently from the lines above it; line up keys of the same "
                f"mapping or list (it starts on line {where})")
    else:
        what = (problem or context or "invalid YAML").replace("<stream end>", "the end of the file")
        if context and where and problem:
            what += f" ({context} on line {where})"
    return Problem(source, line, "", "YAML syntax error: " + printable(what))


class _Builder:
    """Builds plain data from parser events, recording lines and problems.

    Events rather than composed nodes: nothing is kept but the data, no
    recursion however deep the file, and the limits are checked as the file
    is read, so an oversized or alias-bomb document stops at once.  An alias
    shares the anchored data (validation only reads it); its expansion is
    counted in full against the limits, since validation and rendering walk it.
    """

    def __init__(self, loader: Any, source: str) -> None:
        self.loader = loader
        self.source = source
        self.lines: dict[PathKey, int] = {}
        self.written: dict[PathKey, str] = {}
        self.problems: list[Problem] = []
        self.values = 0
        self.chars = 0
        self.anchors: dict[str, tuple[Any, int, int]] = {}  # name → (data, values, chars)

    def problem(self, line: int, path: PathKey, message: str) -> None:
        self.problems.append(Problem(self.source, line, format_path(path), message))

    def fail(self, line: int | None, message: str) -> ReportError:
        return ReportError([Problem(self.source, line, "", message)])

    def count(self, values: int, chars: int, line: int, *, alias: bool) -> None:
        self.values += values
        self.chars += chars
        if self.values > MAX_NODES or self.chars > MAX_EXPANDED_CHARS:
            what = f"{MAX_NODES:,} values" if self.values > MAX_NODES else f"{MAX_EXPANDED_CHARS:,} characters of text"
            if alias:
                raise self.fail(line, f"through its aliases (*name) the document expands to more than {what} "
                                      "(a YAML alias bomb?)")
            raise self.fail(line, f"the file holds more than {what}")

    def scalar(self, event: Any, path: PathKey, line: int) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(ScalarNode, event.value, event.implicit)
        if tag == _TAG + "str":
            return event.value
        if tag == _MERGE:  # "<<" where no merge is possible is just text
            return event.value
        if tag not in _SCALAR_TAGS:
            self.problem(line, path, f"the YAML tag {printable(_short_tag(tag))} is not allowed here; "
                                     "write plain text, numbers, lists and mappings")
            return None
        if tag in (_TAG + "int", _TAG + "float") and len(event.value) > MAX_NUMBER_CHARS:
            self.problem(line, path, f"a number written with {len(event.value):,} characters; "
                                     f"the limit is {MAX_NUMBER_CHARS}")
            return None
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            value = self.loader.yaml_constructors[tag](self.loader, node)
        except (ValueError, OverflowError, yaml.YAMLError):
            if tag == _TAG + "timestamp":
                return event.value  # not a real date (2023-02-30): validation says so where a date is wanted
            shown = printable(event.value if len(event.value) <= 20 else event.value[:20] + "…")
            self.problem(line, path, f'"{shown}" cannot be read as {_short_tag(tag)}')
            return None
        if isinstance(value, bool) and not event.style and event.value.lower() not in ("true", "false"):
            self.written[path] = event.value  # yes, no, on, off: said back in messages
        return value

    def build(self) -> Any:
        """The single document of the stream, or ReportError."""
        get, check = self.loader.get_event, self.loader.check_event
        get()  # StreamStart
        if check(yaml.StreamEndEvent):
            return _EMPTY
        get()  # DocumentStart
        # Frame: [path, out (list|dict), anchor, values, chars, is_map, key state, {key: line}, merges]
        stack: list[list[Any]] = []
        root: Any = _EMPTY
        while True:
            event = get()
            line = event.start_mark.line + 1
            if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                frame = stack.pop()
                value = frame[1]
                if frame[5] and frame[8]:
                    value = self.merged(frame)
                finished = (value, frame[3], frame[4], frame[2])
            else:
                # Where does this event go: the root, a list, a mapping's key or its value?
                parent = stack[-1] if stack else None
                if parent is None:
                    path: PathKey = ()
                    self.lines[()] = line
                elif not parent[5]:
                    path = parent[0] + (len(parent[1]),)
                    self.lines.setdefault(path, line)
                elif parent[6] is _KEY:
                    self.key(event, parent, line)
                    continue
                else:
                    key = parent[6]
                    path = parent[0] + (key if isinstance(key, str) else "?",)
                if isinstance(event, yaml.AliasEvent):
                    if event.anchor not in self.anchors:
                        anchor = event.anchor or ""
                        building = any(f[2] == event.anchor for f in stack)
                        raise self.fail(line, f"the alias *{printable(anchor)} refers to the list or mapping "
                                              "that contains it; it would never end" if building else
                                              f"the alias *{printable(anchor)} refers to no anchor "
                                              f"&{printable(anchor)} above it (for a text starting with *, "
                                              "put the whole text in quotes)")
                    data, values, chars = self.anchors[event.anchor]
                    self.count(values, chars, line, alias=True)
                    finished = (data, values, chars, None)
                elif isinstance(event, yaml.ScalarEvent):
                    self.count(1, len(event.value), line, alias=False)
                    finished = (self.scalar(event, path, line), 1, len(event.value), event.anchor)
                elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                    self.count(1, 0, line, alias=False)
                    if len(stack) >= MAX_DEPTH:
                        raise self.fail(line, f"lists or mappings are nested deeper than {MAX_DEPTH} levels")
                    is_map = isinstance(event, yaml.MappingStartEvent)
                    if event.tag not in (None, "!", _TAG + ("map" if is_map else "seq")):
                        self.problem(line, path, f"the YAML tag {printable(_short_tag(event.tag))} is not allowed "
                                                 "here; write plain text, numbers, lists and mappings")
                    stack.append([path, {} if is_map else [], event.anchor, 1, 0, is_map, _KEY, {}, []])
                    continue
                else:  # pragma: no cover - the parser yields nothing else inside a document
                    raise self.fail(line, f"unexpected YAML event {type(event).__name__}")
            # A value is complete: anchor it, then place it in its parent.
            value, values, chars, anchor = finished
            if anchor is not None:
                self.anchors[anchor] = (value, values, chars)
            if not stack:
                root = value
                break
            parent = stack[-1]
            parent[3] += values
            parent[4] += chars
            if not parent[5]:
                parent[1].append(value)
            else:
                key = parent[6]
                if key is _MERGE_KEY:
                    parent[8].append((value, line))
                elif isinstance(key, str):
                    parent[1][key] = value
                parent[6] = _KEY
        get()  # DocumentEnd
        if not check(yaml.StreamEndEvent):
            raise self.fail(self.loader.peek_event().start_mark.line + 1,
                            "a second YAML document starts here ('---'); a file holds one report")
        return root

    def key(self, event: Any, frame: list[Any], line: int) -> None:
        """A mapping key: plain names only, as written (no, 1, 2023-04-01 are names here)."""
        if isinstance(event, yaml.ScalarEvent) and event.tag in (None, "!", _TAG + "str"):
            self.count(1, len(event.value), line, alias=False)
            if event.anchor is not None:
                self.anchors[event.anchor] = (event.value, 1, len(event.value))
            if event.tag is None and event.implicit[0] and self.loader.resolve(
                    ScalarNode, event.value, event.implicit) == _MERGE:
                frame[6] = _MERGE_KEY
                return
            key = event.value
            path = frame[0] + (key,)
            seen = frame[7]
            if key in seen:
                self.problem(line, path, f"duplicate key (first on line {seen[key]})")
                frame[6] = _SKIP
                return
            seen[key] = line
            self.lines[path] = line
            frame[6] = key
            return
        self.problem(line, frame[0], "a key must be a plain name, not a list, mapping, alias or tagged value")
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            raise self.fail(line, "a key must be a plain name, not a list or mapping")
        frame[6] = _SKIP

    def merged(self, frame: list[Any]) -> dict[str, Any]:
        """A mapping with its YAML merge keys (<<: *base) applied: keys written
        in the mapping win, then earlier merged mappings over later ones."""
        out: dict[str, Any] = {}
        for value, line in frame[8]:
            sources = value if isinstance(value, list) else [value]
            for merged in sources:
                if not isinstance(merged, dict):
                    self.problem(line, frame[0], "'<<' must merge a mapping (<<: *name) or a list of them")
                    continue
                for k, v in merged.items():
                    if k not in out and k not in frame[1]:
                        out[k] = v
                        self.lines.setdefault(frame[0] + (k,), line)
        out.update(frame[1])
        return out


_EMPTY = object()
_KEY = object()       # the mapping expects a key next
_SKIP = object()      # the next value belongs to a rejected key
_MERGE_KEY = object() # the next value is merged (<<)


def _parse_yaml(text: str, source: str, loader_class: type) -> tuple[Any, _Builder]:
    loader = loader_class(text)
    try:
        builder = _Builder(loader, source)
        return builder.build(), builder
    finally:
        loader.dispose()


#: Up to this size a file libyaml refuses is read again by the pure-Python
#: parser (about 1 MB a second), which then decides: it reads a few things
#: libyaml refuses (such as "\\ud800" escapes), and results match a set-up
#: without libyaml.  Past it, libyaml's error is reported as it is.
_REPARSE_CHARS = 1_000_000


def _compose(text: str, source: str) -> tuple[Any, dict[PathKey, int], dict[PathKey, str], list[Problem]]:
    result = None
    try:
        if C_LOADER is not None:
            try:
                result = _parse_yaml(text, source, C_LOADER)
            except yaml.MarkedYAMLError:
                if len(text) > _REPARSE_CHARS:
                    raise
            except ReportError:
                raise
            except Exception:  # noqa: BLE001 - e.g. libyaml's own reader errors: the Python parser decides
                pass
        if result is None:
            result = _parse_yaml(text, source, _Loader)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise ReportError([Problem(source, line, "", f"the control character U+{ord(char):04X} is not allowed "
                                                     "in a YAML file (is it a text file?)")]) from None
    except yaml.MarkedYAMLError as exc:
        raise ReportError([_syntax_problem(exc, source, text)]) from None
    except yaml.YAMLError as exc:
        raise ReportError([Problem(source, None, "", "YAML error: " + printable(str(exc)))]) from None
    data, builder = result
    if data is _EMPTY:
        empty = not text.strip("\ufeff \t\r\n")
        raise ReportError([Problem(source, 1, "", "the file is empty" if empty
                                   else "the file holds no data (only comments or blank lines)")])
    return data, builder.lines, builder.written, list(dict.fromkeys(builder.problems))


# -- JSON -----------------------------------------------------------------------


class _LineIndex:
    """Line numbers of character positions (\\n, \\r\\n and lone \\r all break lines)."""

    def __init__(self, text: str) -> None:
        self.breaks = [m.start() for m in re.finditer(r"\r\n?|\n", text)]

    def line(self, pos: int) -> int:
        return bisect.bisect_left(self.breaks, pos) + 1

    def column(self, pos: int) -> int:
        i = bisect.bisect_left(self.breaks, pos)
        start = 0 if i == 0 else self.breaks[i - 1] + 1
        return pos - start + 1


_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],:]|[^\s{}\[\],:"]+', re.S)

_JSON_MESSAGES = {
    "Expecting value": "expected a value (a text in double quotes, a number, true, false, null, [ or {)",
    "Expecting property name enclosed in double quotes": "expected a key in double quotes (\"key\")",
    "Expecting ':' delimiter": "expected a colon ':' after the key",
    "Expecting ',' delimiter": "expected a comma ',' between two values",
    "Unterminated string starting at": "a text in double quotes is not closed on its line",
    "Invalid control character at": "a control character (a tab or line break) inside a text in quotes; "
                                    "write it as \\t or \\n",
    "Invalid \\escape": "an unknown escape after a backslash; write \\\\ for a backslash",
    "Invalid \\uXXXX escape": "a \\u escape needs four hexadecimal digits",
    "Extra data": "more text after the end of the data (only one value, usually one { … }, is allowed)",
}


def _json_syntax_problem(exc: json.JSONDecodeError, text: str, source: str, index: _LineIndex) -> Problem:
    if not text.strip():
        return Problem(source, 1, "", "the file is empty")
    what = _JSON_MESSAGES.get(exc.msg, exc.msg)
    before = text[: exc.pos].rstrip()
    if exc.msg in ("Expecting value", "Expecting property name enclosed in double quotes") and before.endswith(","):
        following = text[exc.pos: exc.pos + 1]
        if following in ("]", "}"):
            what = f"a comma before '{following}' is not allowed in JSON (remove the last comma)"
    elif exc.msg == "Expecting property name enclosed in double quotes" and text[exc.pos: exc.pos + 1] == "'":
        what = "keys and texts must be in double quotes (\"), not single quotes (')"
    return Problem(source, index.line(exc.pos), "", f"JSON syntax error at column {index.column(exc.pos)}: {what}")


def _locate_json(text: str, source: str, index: _LineIndex, *, depth_only: bool = False
                 ) -> tuple[dict[PathKey, int], list[Problem]]:
    """Line of every path of a JSON text, and its duplicate keys, depth and size problems.

    Iterative over tokens: no recursion however deep the file.
    """
    lines: dict[PathKey, int] = {}
    problems: list[Problem] = []
    # Each frame: [path, is_object, next index, pending key, {key: line}]
    stack: list[list[Any]] = []
    nodes = 0

    def value_path() -> PathKey | None:
        if not stack:
            return ()
        frame = stack[-1]
        if frame[1]:
            return None if frame[3] is None else frame[0] + (frame[3],)
        path = frame[0] + (frame[2],)
        frame[2] += 1
        return path

    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        first = tok[0]
        if first in ",:":
            continue
        if first in "]}":
            if stack:
                stack.pop()
            continue
        if depth_only:
            if first in "[{":
                stack.append([(), False, 0, None, None])
                if len(stack) > MAX_DEPTH:
                    return lines, [Problem(source, index.line(m.start()), "",
                                           f"lists or mappings are nested deeper than {MAX_DEPTH} levels")]
            continue
        frame = stack[-1] if stack else None
        if frame is not None and frame[1] and frame[3] is None:  # a key
            if first != '"':
                continue
            key = json.loads(tok)
            line = index.line(m.start())
            nodes += 1  # keys count as values, as in YAML
            if nodes > MAX_NODES:
                problems.append(Problem(source, line, "", f"the file holds more than {MAX_NODES:,} values"))
                return lines, problems
            seen = frame[4]
            if key in seen:
                problems.append(Problem(source, line, format_path(frame[0] + (key,)),
                                        f"duplicate key (first on line {seen[key]})"))
            else:
                seen[key] = line
                lines[frame[0] + (key,)] = line
            frame[3] = key
            continue
        path = value_path()
        if frame is not None and frame[1]:
            frame[3] = None
        if path is None:
            continue
        nodes += 1
        if nodes > MAX_NODES:
            problems.append(Problem(source, index.line(m.start()), "", f"the file holds more than {MAX_NODES:,} values"))
            return lines, problems
        lines.setdefault(path, index.line(m.start()))
        if first == "[" or first == "{":
            if len(stack) >= MAX_DEPTH:
                problems.append(Problem(source, index.line(m.start()), "",
                                        f"lists or mappings are nested deeper than {MAX_DEPTH} levels"))
                return lines, problems
            stack.append([path, first == "{", 0, None, {}])
        elif first != '"' and tok not in ("true", "false", "null") and len(tok) > MAX_NUMBER_CHARS:
            problems.append(Problem(source, index.line(m.start()), format_path(path),
                                    f"a number written with {len(tok):,} characters; the limit is {MAX_NUMBER_CHARS}"))
    return lines, problems


def _json_int(text: str) -> int | None:
    return int(text) if len(text) <= MAX_NUMBER_CHARS else None


def _json_float(text: str) -> float | None:
    return float(text) if len(text) <= MAX_NUMBER_CHARS else None


def _parse_json(text: str, source: str) -> Located:
    index = _LineIndex(text)
    try:
        data = json.loads(text, parse_int=_json_int, parse_float=_json_float)
    except json.JSONDecodeError as exc:
        raise ReportError([_json_syntax_problem(exc, text, source, index)]) from None
    except RecursionError:
        _, problems = _locate_json(text, source, index, depth_only=True)
        raise ReportError(problems or [Problem(source, None, "", f"nested deeper than {MAX_DEPTH} levels")]) from None
    lines, problems = _locate_json(text, source, index)
    if problems:
        raise ReportError(problems)
    return Located(data, source, lines)


# -- entry points ---------------------------------------------------------------


def parse_text(text: str, source: str, *, kind: str) -> Located:
    """Parse YAML or JSON text into located data; raises ReportError on syntax errors."""
    if kind == "json":
        return _parse_json(text, source)
    data, lines, written, problems = _compose(text, source)
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
