#!/bin/sh
# Rebuild the Japanese message catalog (reportgen/core/messages.py -> .pot -> .po -> .mo).
# After `update`, translate the new entries of reportgen/locale/ja/LC_MESSAGES/reportgen.po.
set -e
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
"$PYBABEL" extract -k N_ --no-location --no-wrap --project reportgen -o reportgen/locale/reportgen.pot reportgen/core/messages.py
"$PYBABEL" update --no-wrap -D reportgen -i reportgen/locale/reportgen.pot -d reportgen/locale -l ja
"$PYBABEL" compile -D reportgen -d reportgen/locale -l ja --statistics
# Click's own messages (usage, "Error:", missing options): gettext's default domain "messages",
# bound to reportgen/locale by the command line (reportgen.core.i18n.install_for_click).
"$PYBABEL" compile -D messages -d reportgen/locale -l ja --statistics
