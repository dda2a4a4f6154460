"""The ``reportgen`` command line: :mod:`.main` (the group, validate, diff, render, templates),
:mod:`.common` (exit codes, the shared options, reading and writing a report), :mod:`.importer`,
:mod:`.batch` (the command) and :mod:`.batchjobs` (its tasks), :mod:`.watch`, :mod:`.summary`.
"""
