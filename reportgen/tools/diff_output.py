"""A comparison as people read it: lines for the terminal, an HTML page, a PDF.

The HTML is the ``diff.html`` Jinja2 template with autoescape, so text from
the reports is never markup; the PDF is that page through WeasyPrint.
"""

from __future__ import annotations

from .diff_changes import KIND_LABELS, ReportDiff, period_text

__all__ = ["format_text", "render_diff_html", "write_diff"]


def format_text(diff: ReportDiff) -> str:
    """The diff as lines for the terminal, ending with a count."""
    lines = [f"比較: {diff.title}"]
    lines += [f"注意: {w}" for w in diff.warnings]
    lines += [c.text() for c in diff.changes]
    lines.append(diff.summary())
    return "\n".join(lines) + "\n"



def render_diff_html(diff: ReportDiff, *, old_name: str = "", new_name: str = "") -> str:
    """The diff as an HTML page (Jinja2 with autoescape: data is never markup)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    from ..core.assets import templates_dir

    env = Environment(loader=FileSystemLoader(str(templates_dir())), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    template = env.get_template("diff.html")
    return template.render(diff=diff, old_name=old_name, new_name=new_name, kinds=KIND_LABELS,
                           old_period=period_text(diff.old), new_period=period_text(diff.new))


def write_diff(diff: ReportDiff, target: str, *, old_name: str = "", new_name: str = "") -> None:
    """Write the diff to ``target`` (.html or .pdf), atomically."""
    from pathlib import Path

    from ..core.output import atomic_target, write_bytes_atomic

    html = render_diff_html(diff, old_name=old_name, new_name=new_name)
    suffix = Path(target).suffix.lower()
    if suffix == ".html":
        write_bytes_atomic(target, html.encode("utf-8"))
    elif suffix == ".pdf":
        from ..pdf.fetch import build_html

        with atomic_target(target) as tmp:
            build_html(html).write_pdf(tmp)
    else:
        raise ValueError(f"{target}: the diff is written as .html or .pdf")
