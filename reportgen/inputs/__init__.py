"""Stage 1: bytes → located plain data → checked model.

:mod:`.source` reads YAML/JSON with the line of every field, :mod:`.validate`
builds the model collecting every problem, :mod:`.objects` checks objects built
in Python, :mod:`.records` reads one-row-per-entry tables (CSV, plain sheets).
"""
