"""Stage 3b: the 進捗状況 tracker workbook, written and read back.

:mod:`.writer` writes it; :mod:`.read` and :mod:`.readback` read a reportgen
tracker back after staff edited it; the ``tracker_*`` modules import trackers
made by hand; :mod:`.guard` and :mod:`.limits` open untrusted workbooks.
"""
