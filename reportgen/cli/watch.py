"""``reportgen watch``: re-render whenever the data or a template changes.

While editing the data file (or the CSS of the templates) one wants the PDF
viewer to show the result of every save.  The loop polls modification times
(no extra dependency, works on network drives where change notifications do
not) every ``interval`` seconds:

* a change to the data file, or to any file under
  :func:`reportgen.core.assets.templates_dir`, triggers one render;
* every render prints one line: the time, ``ok`` or ``errors``;
* invalid data prints its ``file:line: field: what`` lines and the loop keeps
  watching; nothing is written, so the last good output stays in place (all
  outputs are written atomically);
* Ctrl-C ends it with exit status 0.

:func:`watch` is the loop itself, independent of rendering, so tests drive it
with a real file and a bounded number of cycles.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Callable, Iterable

import click

from ..core.terminal import for_terminal
from ..core.i18n import translate
from .common import EXIT_FAILURE, FORMATS, count_pdf_pages, font_option, load_and_warn, paper_option, render_report

__all__ = ["Stamp", "snapshot", "watch", "watch_command"]

#: What tells a file changed: (mtime in ns, size); None when it is missing.
Stamp = tuple[int, int] | None


def _expand(paths: Iterable[Path]) -> list[Path]:
    """Files to watch: files as given, folders as every file below them (re-listed each poll)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            for here, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                out.extend(Path(here) / f for f in files if not f.startswith("."))
        else:
            out.append(path)
    return out


def snapshot(paths: Iterable[Path]) -> dict[Path, Stamp]:
    """Modification stamp of every watched file; new or deleted files change it too."""
    stamps: dict[Path, Stamp] = {}
    for path in _expand(paths):
        try:
            st = path.stat()
        except OSError:
            stamps[path] = None
        else:
            stamps[path] = (st.st_mtime_ns, st.st_size)
    return stamps


def _now() -> str:
    return time.strftime("%H:%M:%S")


def watch(paths: Iterable[Path], render: Callable[[], str | None], *, interval: float = 0.5,
          max_cycles: int | None = None, echo: Callable[[str], None] | None = None,
          sleep: Callable[[float], None] = time.sleep, after: Callable[[], object] | None = None) -> int:
    """Render now, then again after every change of ``paths``; return how many renders ran.

    ``render`` writes the outputs and returns a short description of them, or
    raises: :class:`~reportgen.core.errors.ReportError` for invalid data (its
    problems are printed), any other exception for other failures (one line).
    The loop never stops on a render failure.  It polls ``max_cycles`` times
    (forever when None) after the first render. ``after`` runs once a render's line is
    printed: work that need not delay the output (the part cache's pending block joins).
    """
    from ..core.errors import ReportError
    from ..core.i18n import problem_text

    say = echo or (lambda line: click.echo(for_terminal(line)))
    watched = [Path(p) for p in paths]

    def once() -> None:
        start = time.perf_counter()
        try:
            what = render()
        except ReportError as exc:
            for problem in exc.problems:
                say(problem_text(problem))
            say(translate(f"{_now()} errors ({len(exc.problems)}); keeping the last good output"))
        except Exception as exc:  # noqa: BLE001 - keep watching, never a traceback
            say(f"{_now()} errors: {type(exc).__name__}: {exc}")
        else:
            took = time.perf_counter() - start
            say(translate(f"{_now()} ok") + (f"  {what}" if what else "") + f"  ({took:.1f} s)")
            if after is not None:
                try:
                    after()
                except Exception:  # noqa: BLE001 - only a later render's speed depends on it
                    pass

    last = snapshot(watched)
    once()
    renders, cycles = 1, 0
    while max_cycles is None or cycles < max_cycles:
        sleep(interval)
        cycles += 1
        current = snapshot(watched)
        if current != last:
            # Taken before rendering: a save during the render shows up next poll.
            last = current
            once()
            renders += 1
    return renders


@click.command("watch")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, help="Output file: .pdf (or .xlsx, .html).")
@click.option("--html", "html", default=None, help="Also write this .html file on every render.")
@paper_option
@font_option
@click.option("--interval", type=click.FloatRange(min=0.05), default=0.5, show_default=True,
              help="Seconds between checks for changes.")
# not common.no_cache_option: here the cache is what keeps every save quick
@click.option("--no-cache", is_flag=True,
              help="Lay out every page on every save instead of only the 分野 that changed.")
def watch_command(file: str, output: str, html: str | None, paper: str, font: str, interval: float,
                  no_cache: bool = False) -> None:
    """Render FILE, then render it again whenever it or a template changes.

    Prints one line per render (time, ok or errors, and which 分野 were laid
    out again: the others come from the part cache).  Invalid data prints its
    problems (file:line: field: what) and keeps watching; the last good
    output stays in place.  Stop with Ctrl-C (exit status 0).

    \b
    Examples:
      reportgen watch examples/saitama-r5-excerpt.yaml -o out.pdf
      reportgen watch plan.yaml -o plan.pdf --html plan.html --paper A3
    """
    from ..core.assets import templates_dir

    source = Path(file)
    targets = [Path(output)] + ([Path(html)] if html else [])
    for target, allowed in zip(targets, (FORMATS, ("html",))):
        kind = target.suffix.lower().lstrip(".")
        if kind not in allowed:
            raise click.UsageError(f"{target}: expected a {' or '.join('.' + a for a in allowed)} file name")
        if target.resolve() == source.resolve():
            raise click.UsageError(f"{target}: refusing to overwrite the input file")
        if target.is_dir():
            raise click.UsageError(f"{target} is a folder; give a file name")
    try:
        templates = templates_dir()
    except FileNotFoundError as exc:
        click.echo(for_terminal(f"error: {translate(str(exc))}"), err=True)
        sys.exit(EXIT_FAILURE)

    def render() -> str:
        report = load_and_warn(source, font)
        written = []
        for target in targets:
            render_report(report, target, paper=paper.upper(), font=font, pdf_variant=None, cache=not no_cache)
            pages = count_pdf_pages(target) if target.suffix.lower() == ".pdf" else None
            written.append(translate(f"{target} ({pages} pages)") if pages else f"{target}")
            if target.suffix.lower() == ".pdf" and not no_cache:
                from ..pdf.partcache import last_run

                written[-1] += f"; {translate(last_run().describe())}"
        return f"{source} -> " + ", ".join(written)

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    # A terminal closing or a process manager stopping us (SIGTERM) ends the
    # loop like Ctrl-C: a render in progress removes its temporary file.
    signal.signal(signal.SIGTERM, stop)
    click.echo(for_terminal(translate(f"watching {source} and {templates} (Ctrl-C to stop)")), err=True)
    try:
        from ..pdf.partcache import finish_pending

        watch([source, templates], render, interval=interval, after=None if no_cache else finish_pending)
    except KeyboardInterrupt:
        click.echo(translate("stopped"), err=True)
