"""Stage 2: model → view model, one registered spec per layout.

:mod:`.registry` names every layout (template, default columns, styles, split
rule, post-layout steps, workbook columns); :mod:`.view` builds what the
templates print, already formatted; :mod:`.measures`, :mod:`.tracker` and
:mod:`.charts` build the parts specific to a layout.
"""
