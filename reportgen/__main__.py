"""``python -m reportgen`` runs the command line."""

from .cli.main import run

run()
