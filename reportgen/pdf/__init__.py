"""Stage 3a: view model → HTML (Jinja) → PDF (WeasyPrint).

:mod:`.engine` is the entry point; :mod:`.weasy` is the one door to
WeasyPrint (its import, fonts, variants and laid-out boxes); :mod:`.boxes`
holds the post-layout steps; :mod:`.parallel`, :mod:`.partcache` and
:mod:`.pagenumbers` render large reports in parts and join them.
"""
