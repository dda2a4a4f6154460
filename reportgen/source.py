"""Reading report files: bytes → text → plain data with the line of every field.

Validation needs to say on which line a bad field sits, which neither
``yaml.safe_load`` nor ``json.load`` tell.  YAML is therefore *composed* into
nodes (which carry their marks) and walked by hand; JSON is decoded by the
json module (its escapes and strictness are right) and located with the same
composer, since JSON's syntax is a subset of YAML's flow style.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import Problem, ReportError

PathKey = tuple[str | int, ...]

#: Largest input file accepted; an office report is a few hundred kilobytes.
MAX_INPUT_BYTES = 20 * 1024 * 1024
#: Most nodes a document may expand to (guards against YAML alias bombs).
MAX_NODES = 500_000
#: Deepest nesting accepted; format 1 needs about 12 levels.
MAX_DEPTH = 64


def format_path(path: PathKey) -> str:
    """``("sections", 0, "title")`` → ``sections[0].title``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


@dataclass
class Located:
    """Plain data plus the source line of each path, for error messages."""

    data: Any
    source: str
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line(self, path: PathKey) -> int | None:
        """Line of ``path``, or of its nearest located ancestor."""
        p = tuple(path)
        while True:
            if p in self.lines:
                return self.lines[p]
            if not p:
                return None
            p = p[:-1]

    def problem(self, path: PathKey, message: str) -> Problem:
        return Problem(self.source, self.line(path), format_path(path), message)


def decode(raw: bytes, source: str) -> str:
    """Decode a file's bytes: UTF-8 (with or without BOM), else CP932/Shift_JIS.

    Japanese offices still save files as Shift_JIS from older tools; such files
    are accepted when they decode cleanly, otherwise the error names what was
    tried so the user knows to re-save as UTF-8.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("cp932")
        except UnicodeDecodeError:
            line = raw[: utf8_error.start].count(b"\n") + 1
            raise ReportError(
                [Problem(source, line, "", "not valid UTF-8, Shift_JIS or CP932 text; save the file as UTF-8")]
            ) from None


class _Loader(yaml.SafeLoader):
    """Safe loader used only to compose nodes and construct scalars."""


def _scalar(loader: _Loader, node: ScalarNode) -> Any:
    return loader.construct_object(node, deep=True)


def _walk(
    node: Node,
    loader: _Loader,
    path: PathKey,
    lines: dict[PathKey, int],
    problems: list[Problem],
    source: str,
    budget: list[int],
) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise ReportError(
            [Problem(source, node.start_mark.line + 1, format_path(path),
                     f"document expands to more than {MAX_NODES:,} values (YAML alias bomb?)")]
        )
    if len(path) > MAX_DEPTH:
        raise ReportError(
            [Problem(source, node.start_mark.line + 1, format_path(path), f"nested deeper than {MAX_DEPTH} levels")]
        )
    if isinstance(node, ScalarNode):
        return _scalar(loader, node)
    if isinstance(node, SequenceNode):
        out_list = []
        for i, child in enumerate(node.value):
            lines.setdefault(path + (i,), child.start_mark.line + 1)
            out_list.append(_walk(child, loader, path + (i,), lines, problems, source, budget))
        return out_list
    if isinstance(node, MappingNode):
        loader.flatten_mapping(node)  # resolves YAML merge keys (<<)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(loader, key_node) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, (str, int, float, bool)) or key is None:
                problems.append(Problem(source, key_node.start_mark.line + 1, format_path(path),
                                        "a key must be a plain name"))
                continue
            key = str(key) if not isinstance(key, str) else key
            child_path = path + (key,)
            if key in out:
                problems.append(Problem(source, key_node.start_mark.line + 1, format_path(child_path),
                                        f"duplicate key (first on line {lines.get(child_path, '?')})"))
                continue
            lines[child_path] = key_node.start_mark.line + 1
            out[key] = _walk(value_node, loader, child_path, lines, problems, source, budget)
        return out
    raise ReportError([Problem(source, node.start_mark.line + 1, format_path(path), "unsupported YAML node")])


def _compose(text: str, source: str) -> tuple[Any, dict[PathKey, int], list[Problem]]:
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            what = exc.problem or exc.context or "invalid YAML"
            if "\t" in what or "found character '\\t'" in str(exc):
                what += " (tabs cannot indent YAML; use spaces)"
            raise ReportError([Problem(source, line, "", f"YAML syntax error: {what}")]) from None
        except yaml.YAMLError as exc:
            raise ReportError([Problem(source, None, "", f"YAML error: {exc}")]) from None
        if node is None:
            raise ReportError([Problem(source, 1, "", "the file is empty")])
        lines: dict[PathKey, int] = {(): node.start_mark.line + 1}
        problems: list[Problem] = []
        try:
            data = _walk(node, loader, (), lines, problems, source, [MAX_NODES])
        except yaml.constructor.ConstructorError as exc:
            mark = exc.problem_mark
            raise ReportError([Problem(source, mark.line + 1 if mark else None, "", f"YAML error: {exc.problem}")]) from None
        except RecursionError:
            raise ReportError([Problem(source, None, "", "nested too deeply")]) from None
        return data, lines, problems
    finally:
        loader.dispose()


def parse_text(text: str, source: str, *, kind: str) -> Located:
    """Parse YAML or JSON text into located data; raises ReportError on syntax errors."""
    if kind == "json":
        try:
            data = json.loads(text, object_pairs_hook=_json_pairs(source))
        except json.JSONDecodeError as exc:
            raise ReportError([Problem(source, exc.lineno, "", f"JSON syntax error: {exc.msg}")]) from None
        except RecursionError:
            raise ReportError([Problem(source, None, "", "nested too deeply")]) from None
        try:
            _, lines, problems = _compose(text, source)
        except ReportError:
            lines, problems = {(): 1}, []
        located = Located(data, source, lines)
        if problems:
            raise ReportError(problems)
        return located
    data, lines, problems = _compose(text, source)
    if problems:
        raise ReportError(problems)
    return Located(data, source, lines)


def _json_pairs(source: str) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise ReportError([Problem(source, None, key, "duplicate key")])
            out[key] = value
        return out

    return hook


def read_located(path: str | os.PathLike[str]) -> Located:
    """Read a .yaml/.yml/.json file into located plain data."""
    p = Path(path)
    source = str(path)
    kind = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}.get(p.suffix.lower())
    if kind is None:
        raise ReportError([Problem(source, None, "", "unknown file type; expected .yaml, .yml, .json or .xlsx")])
    try:
        size = p.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise ReportError([Problem(source, None, "", f"file is {size:,} bytes; the limit is {MAX_INPUT_BYTES:,}")])
        raw = p.read_bytes()
    except OSError as exc:
        raise ReportError([Problem(source, None, "", f"cannot read: {exc.strerror or exc}")]) from None
    return parse_text(decode(raw, source), source, kind=kind)
