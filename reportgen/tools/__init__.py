"""Tools around the reports: :mod:`.diff` (what changed between two reports)
and :mod:`.synthetic` (reports of any size for benchmarks and tests).
"""
