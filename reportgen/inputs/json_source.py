"""JSON → plain data with the line of every field, within bounds.

JSON is decoded by the json module (its escapes and strictness are right) and
located by a small scanner of its tokens (iterative, so it copes with tabs, any
escape and deep nesting, none of which the YAML parser reads as JSON does).
The scanner also finds duplicate keys and checks the bounds
(:class:`~reportgen.inputs.limits.ParseLimits`).
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

from ..core.errors import Problem, ReportError
from ..core.locations import Located, PathKey, format_path
from .limits import ParseLimits


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


def _locate_json(text: str, source: str, index: _LineIndex, limits: ParseLimits, *, depth_only: bool = False
                 ) -> tuple[dict[PathKey, int], list[Problem]]:
    """Line of every path of a JSON text, and its duplicate keys, depth and size problems.

    Iterative over tokens: no recursion however deep the file.
    """
    lines: dict[PathKey, int] = {}
    problems: list[Problem] = []
    # Each frame: [path, is_object, next index, pending key, {key: line}]
    stack: list[list[Any]] = []
    nodes = 0
    max_nodes, max_depth, max_number_chars = limits.max_nodes, limits.max_depth, limits.max_number_chars

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
                if len(stack) > max_depth:
                    return lines, [Problem(source, index.line(m.start()), "",
                                           f"lists or mappings are nested deeper than {max_depth} levels")]
            continue
        frame = stack[-1] if stack else None
        if frame is not None and frame[1] and frame[3] is None:  # a key
            if first != '"':
                continue
            key = json.loads(tok)
            line = index.line(m.start())
            nodes += 1  # keys count as values, as in YAML
            if nodes > max_nodes:
                problems.append(Problem(source, line, "", f"the file holds more than {max_nodes:,} values"))
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
        if nodes > max_nodes:
            problems.append(Problem(source, index.line(m.start()), "", f"the file holds more than {max_nodes:,} values"))
            return lines, problems
        lines.setdefault(path, index.line(m.start()))
        if first == "[" or first == "{":
            if len(stack) >= max_depth:
                problems.append(Problem(source, index.line(m.start()), "",
                                        f"lists or mappings are nested deeper than {max_depth} levels"))
                return lines, problems
            stack.append([path, first == "{", 0, None, {}])
        elif first != '"' and tok not in ("true", "false", "null") and len(tok) > max_number_chars:
            problems.append(Problem(source, index.line(m.start()), format_path(path),
                                    f"a number written with {len(tok):,} characters; the limit is {max_number_chars}"))
    return lines, problems


def parse_json(text: str, source: str, limits: ParseLimits) -> Located:
    """A JSON text as located data; syntax errors and broken bounds raise :class:`ReportError`."""
    index = _LineIndex(text)

    def json_int(digits: str) -> int | None:
        return int(digits) if len(digits) <= limits.max_number_chars else None

    def json_float(digits: str) -> float | None:
        return float(digits) if len(digits) <= limits.max_number_chars else None

    try:
        data = json.loads(text, parse_int=json_int, parse_float=json_float)
    except json.JSONDecodeError as exc:
        raise ReportError([_json_syntax_problem(exc, text, source, index)]) from None
    except RecursionError:
        _, problems = _locate_json(text, source, index, limits, depth_only=True)
        raise ReportError(problems or [Problem(source, None, "", f"nested deeper than {limits.max_depth} levels")]
                          ) from None
    lines, problems = _locate_json(text, source, index, limits)
    if problems:
        raise ReportError(problems)
    return Located(data, source, lines)

