"""Checking report objects built in Python (not read from a file).

A file goes through :mod:`reportgen.inputs.validate` and becomes a model whose every
field holds what the renderers expect. Objects built in Python skip that:
``Report(..., marks="standard")`` or ``entry.mark = "★"`` constructs fine and
used to fail deep inside a renderer with AttributeError, or print ★.

Checking is done in two steps, so that the rules stay in one place:

1. the object graph is walked against the dataclasses' own type hints, so
   a value of the wrong *type* (a str where a MarkScale belongs, a dict
   where an Entry belongs) is named by its field path instead of crashing
   the serializer;
2. the graph, now known to be well typed, is turned into plain data
   (:meth:`Report.to_dict`) and validated by the same
   :func:`reportgen.inputs.validate.build_report` as a file, so every value rule
   (marks on the scale, finite numbers, periods, text limits) applies.

Problems carry field paths (``sections[0].items[0].entries[0].mark``) and no
line, and are the same :class:`~reportgen.core.errors.Problem` objects a file's
:class:`~reportgen.core.errors.ReportError` lists.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import types
import typing
from functools import cache
from typing import Any, Literal, Union

from ..core.errors import Problem, ReportError
from ..core.locations import PathKey, format_path

__all__ = ["OBJECT_SOURCE", "check_report", "object_path", "object_problems"]

#: The "file" named by problems found in an object built in Python.
OBJECT_SOURCE = "<Report>"


@cache
def _hints(cls: type) -> dict[str, Any]:
    from ..model import marks
    from ..model import report as model

    namespace = {**vars(model), **vars(marks), **vars(_dt)}
    return typing.get_type_hints(cls, globalns=namespace)


def _found(value: Any) -> str:
    if value is None:
        return "nothing (None)"
    if isinstance(value, str):
        shown = value if len(value) <= 20 else value[:20] + "…"
        return f'the text "{shown}"'
    if isinstance(value, bool):
        return f"the boolean {value}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    return f"a {type(value).__name__}"


def _expected(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if tp is type(None):
        return "None"
    if origin in (Union, types.UnionType):
        return " or ".join(_expected(a) for a in typing.get_args(tp))
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if origin is list:
        return "a list"
    if origin is dict:
        return "a dict"
    if origin is tuple:
        return "a tuple"
    if tp is str:
        return "a text (str)"
    if tp is int:
        return "a whole number (int)"
    if tp is float:
        return "a number"
    if tp is bool:
        return "True or False"
    if isinstance(tp, type):
        if tp.__name__ == "MarkScale":
            return 'a MarkScale (e.g. reportgen.BUILTIN_SCALES["standard"])'
        article = "an" if tp.__name__[0] in "AEIOU" else "a"
        return f"{article} {tp.__name__}"
    return str(tp)


def _shallow(value: Any, tp: Any) -> bool:
    """Whether ``value`` is of ``tp``'s outer kind (the list, not its items)."""
    origin = typing.get_origin(tp)
    if tp is Any:
        return True
    if tp is type(None):
        return value is None
    if origin is Literal:
        return any(value == a and type(value) is type(a) for a in typing.get_args(tp))
    if origin in (Union, types.UnionType):
        return any(_shallow(value, a) for a in typing.get_args(tp))
    if origin is list:
        return isinstance(value, list)
    if origin is dict:
        return isinstance(value, dict)
    if origin is tuple:
        return isinstance(value, (tuple, list))
    if tp is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(tp, type):
        return isinstance(value, tp)
    return True


def _walk(value: Any, tp: Any, path: PathKey, out: list[Problem]) -> None:
    if not _shallow(value, tp):
        out.append(Problem(OBJECT_SOURCE, None, format_path(path),
                           f"expected {_expected(tp)}, found {_found(value)}"))
        return
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        alt = next(a for a in typing.get_args(tp) if _shallow(value, a))
        _walk(value, alt, path, out)
    elif origin is list:
        (inner,) = typing.get_args(tp) or (Any,)
        for i, v in enumerate(value):
            _walk(v, inner, path + (i,), out)
    elif origin is dict:
        _k, inner = typing.get_args(tp) or (Any, Any)
        for k, v in value.items():
            if not isinstance(k, str):
                out.append(Problem(OBJECT_SOURCE, None, format_path(path),
                                   f"keys must be texts, found {_found(k)}"))
                continue
            _walk(v, inner, path + (k,), out)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        hints = _hints(type(value))
        for f in dataclasses.fields(value):
            _walk(getattr(value, f.name), hints.get(f.name, Any), path + (f.name,), out)


def object_problems(report: Any) -> list[Problem]:
    """Every problem of a Report object, with field paths (empty when valid)."""
    return _checked(report)[1]


def _checked(report: Any) -> tuple[Any, list[Problem]]:
    from ..model.report import Report
    from .validate import build_report

    if not isinstance(report, Report):
        return None, [Problem(OBJECT_SOURCE, None, "",
                              f"expected a reportgen.Report (or a dict for Report.from_dict), "
                              f"found {_found(report)}")]
    out: list[Problem] = []
    _walk(report, Report, (), out)
    if out:
        return None, out
    try:
        return build_report(report.to_dict(), source=OBJECT_SOURCE), []
    except ReportError as exc:
        return None, [object_path(p) for p in exc.problems]


def object_path(problem: Problem) -> Problem:
    """A file's ``report.marks`` is the object's ``marks``: the header fields are the Report's own."""
    path = problem.path
    if path == "report":
        path = ""
    elif path.startswith("report."):
        path = path[len("report."):]
    return dataclasses.replace(problem, path=path)


def check_report(report: Any) -> Any:
    """The report to render: ``report`` checked (a dict goes through Report.from_dict).

    Raises ReportError naming every bad field; returns the validated model
    (the same data, with marks folded onto the scale as a file's would be).
    """
    from ..model.report import Report

    if isinstance(report, dict):
        return Report.from_dict(report)
    checked, problems = _checked(report)
    if problems:
        raise ReportError(problems)
    return checked
