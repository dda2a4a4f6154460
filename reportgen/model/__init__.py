"""The report as typed objects, and the domain rules that need nothing else:
和暦 and fiscal months, mark scales, KPI judgement, grids of series, number
formatting, wording kept as written, and the model → plain data direction.

The model imports only :mod:`reportgen.core`, with one documented exception:
``Report.from_dict``/``from_records``/``validate`` build through
:mod:`reportgen.inputs` (deferred imports), since a report made in Python must
pass the same validator as a file.
"""
