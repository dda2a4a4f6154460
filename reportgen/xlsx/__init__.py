"""Stage 3b: the 進捗状況 tracker workbook, written and read back.

:mod:`.writer` writes it (with :mod:`.sheet`, the sheet contract the readers
rely on, the modules its docstring lists, and :mod:`.charts` for the native
charts); :mod:`.read` and :mod:`.readback` read a reportgen
tracker back after staff edited it; the ``tracker_*`` modules import trackers
made by hand; :mod:`.guard` and :mod:`.limits` open untrusted workbooks.
"""
