"""Reading a large workbook without the cyclic garbage collector's passes (issue #13).

A workbook's load makes some hundred thousand objects that stay alive until
it ends: XML elements, openpyxl cells and merged ranges, the report model
twice.  Python's cyclic collector walks every one of them again each time
their number has grown by a quarter (and the young ones every 700
allocations): measured on the bench's workbooks, 0.2–0.4 s of a 1.4 s load,
the largest single cost left.  None of that work finds anything: what a load
drops is freed by reference counting, and the few cycles it leaves (a
workbook and its sheets point at each other) are collected afterwards, when
the collector runs again.  Memory stays bounded by reportgen.xlsx.limits
either way (the bench measures the peak).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off while the block runs, then as it was (also usable as a
    decorator).  Nested or concurrent uses only turn it back on where it was on before."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
