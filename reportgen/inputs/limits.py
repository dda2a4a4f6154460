"""The bounds a report file is read within, handed to the YAML and JSON readers.

The values live in :mod:`reportgen.inputs.source` (``MAX_NODES`` …) and are read
there at every call, so that a test or an embedding program can lower them on
that one module; the readers receive them as one :class:`ParseLimits`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParseLimits:
    """How much a document may hold: values, expanded text, nesting, digits of a number."""

    #: Most values (texts, numbers, lists, mappings) a document may hold or expand to.
    max_nodes: int
    #: Most characters of text a document may expand to through YAML aliases.
    max_expanded_chars: int
    #: Deepest nesting of lists and mappings.
    max_depth: int
    #: Longest number as written (digits, sign, point, exponent).
    max_number_chars: int
