"""Stage 2: model → view model, one registered spec per layout.

:mod:`.registry` names every layout (template, default columns, styles, split
rule, post-layout steps, workbook columns); :mod:`.view` builds what the
templates print, already formatted (its entry point ``build_view``; the pieces
in :mod:`.columns`, :mod:`.views`, :mod:`.content`, :mod:`.labels`,
:mod:`.items`, :mod:`.sections`, :mod:`.frontmatter`, :mod:`.appendices` and
:mod:`.builder`); :mod:`.measures`, :mod:`.tracker` and :mod:`.charts` build
the parts specific to a layout.
"""
