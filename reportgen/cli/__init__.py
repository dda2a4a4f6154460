"""The ``reportgen`` command line: :mod:`.main` (commands), :mod:`.batch`,
:mod:`.watch`, :mod:`.summary`.
"""
