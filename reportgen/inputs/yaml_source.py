"""YAML → plain data with the line of every field, read as parser events within bounds.

Validation needs to say on which line a bad field sits, which
``yaml.safe_load`` does not tell.  YAML is therefore read as parser events
(which carry their marks) and built by hand: no recursion however deep the
file, and the bounds (:class:`~reportgen.inputs.limits.ParseLimits`: values,
alias expansion, depth, length of a number) are checked as the file is read,
so an alias bomb stops at once.  Syntax errors are worded in plain language,
the same whether libyaml or the pure-Python parser found them.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import ScalarNode

from ..core.errors import Problem, ReportError
from ..core.locations import PathKey, format_path, printable
from .limits import ParseLimits

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_MERGE = _TAG + "merge"


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


class PythonLoader(yaml.SafeLoader):
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


def _syntax_problem(exc: yaml.MarkedYAMLError, source: str, text: str, max_depth: int) -> Problem:
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
        return Problem(source, line, "", f"lists or mappings are nested deeper than {max_depth} levels")
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

    def __init__(self, loader: Any, source: str, limits: ParseLimits) -> None:
        self.loader = loader
        self.source = source
        self.limits = limits
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
        max_nodes, max_chars = self.limits.max_nodes, self.limits.max_expanded_chars
        if self.values > max_nodes or self.chars > max_chars:
            what = f"{max_nodes:,} values" if self.values > max_nodes else f"{max_chars:,} characters of text"
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
        if tag in (_TAG + "int", _TAG + "float") and len(event.value) > self.limits.max_number_chars:
            self.problem(line, path, f"a number written with {len(event.value):,} characters; "
                                     f"the limit is {self.limits.max_number_chars}")
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
                    if len(stack) >= self.limits.max_depth:
                        raise self.fail(line, f"lists or mappings are nested deeper than {self.limits.max_depth} "
                                              "levels")
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


def _parse_yaml(text: str, source: str, loader_class: type, limits: ParseLimits) -> tuple[Any, _Builder]:
    loader = loader_class(text)
    try:
        builder = _Builder(loader, source, limits)
        return builder.build(), builder
    finally:
        loader.dispose()


#: Up to this size a file libyaml refuses is read again by the pure-Python
#: parser (about 1 MB a second), which then decides: it reads a few things
#: libyaml refuses (such as "\\ud800" escapes), and results match a set-up
#: without libyaml.  Past it, libyaml's error is reported as it is.
REPARSE_CHARS = 1_000_000


def compose_yaml(text: str, source: str, limits: ParseLimits, *, c_loader: type | None = C_LOADER,
                 reparse_chars: int = REPARSE_CHARS
                 ) -> tuple[Any, dict[PathKey, int], dict[PathKey, str], list[Problem]]:
    """Data, line of every path, booleans as written (yes/no …) and field problems of a YAML text.

    ``c_loader`` (libyaml) is tried first when given; a file it refuses of up to
    ``reparse_chars`` characters is read again by :class:`PythonLoader`, which decides.
    Syntax errors and broken bounds raise :class:`ReportError`.
    """
    result = None
    try:
        if c_loader is not None:
            try:
                result = _parse_yaml(text, source, c_loader, limits)
            except yaml.MarkedYAMLError:
                if len(text) > reparse_chars:
                    raise
            except ReportError:
                raise
            except Exception:  # noqa: BLE001 - e.g. libyaml's own reader errors: the Python parser decides
                pass
        if result is None:
            result = _parse_yaml(text, source, PythonLoader, limits)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise ReportError([Problem(source, line, "", f"the control character U+{ord(char):04X} is not allowed "
                                                     "in a YAML file (is it a text file?)")]) from None
    except yaml.MarkedYAMLError as exc:
        raise ReportError([_syntax_problem(exc, source, text, limits.max_depth)]) from None
    except yaml.YAMLError as exc:
        raise ReportError([Problem(source, None, "", "YAML error: " + printable(str(exc)))]) from None
    data, builder = result
    if data is _EMPTY:
        empty = not text.strip("\ufeff \t\r\n")
        raise ReportError([Problem(source, 1, "", "the file is empty" if empty
                                   else "the file holds no data (only comments or blank lines)")])
    return data, builder.lines, builder.written, list(dict.fromkeys(builder.problems))

