"""A user's templates folder: blocks to override, a stylesheet, images.

Offices add a 部外秘 footer, a logo, a 決裁欄 (approval seal box) or their own
colours. Editing the package is not an option, and rendering an edited
``render_html()`` string by hand bypassed the sandbox. A folder given as
``templates=DIR`` (API) or ``--templates DIR`` (CLI) is searched before the
built-in templates:

* ``report.html`` in the folder, when present, is rendered instead of the
  layout's template. It extends the layout (``{% extends layout %}`` or a
  name such as ``{% extends "plan-status.html" %}``) and overrides the blocks
  of :data:`BLOCKS`; any other file named like a built-in template replaces it;
* ``style.css`` in the folder is linked after the built-in stylesheets;
* files of the folder (images, fonts, CSS) are served to WeasyPrint by the
  sandboxed fetcher, which still refuses everything outside the package
  assets and this folder; templates refer to them as ``{{ assets }}logo.png``.

Data stays data: autoescaping is on for user templates as for the built-ins.
:func:`export` writes a starting folder (``reportgen templates export DIR``)
that renders exactly as the built-ins until it is edited.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .fetch import SafeFetcher

__all__ = ["BLOCKS", "REPORT_TEMPLATE", "STYLESHEET", "UserTemplates", "export"]

#: The template a folder may hold to override blocks, and its stylesheet.
REPORT_TEMPLATE = "report.html"
STYLESHEET = "style.css"

#: Documented blocks: name → where it prints (plan-status and quarterly layouts;
#: header and footer in every layout).
BLOCKS: dict[str, str] = {
    "title": "the title line(s) at the top of the first page (doc.title_lines)",
    "seal": "after the organisation line, in the cover: e.g. a 決裁欄 box (empty by default)",
    "preface": "the 基本方針 / 重点施策 box under the title (doc.preface)",
    "legend": "the legend row above the column headings, repeated on every page (doc.legend)",
    "header": "running header, top right of every page (empty by default)",
    "footer": "running footer, bottom left of every page, e.g. 部外秘 (empty by default)",
    "after_table": "after the main table, before the appendices (empty by default)",
}


@dataclass(frozen=True)
class UserTemplates:
    """An existing user templates folder."""

    folder: Path

    @classmethod
    def open(cls, templates: str | os.PathLike[str] | None) -> UserTemplates | None:
        """The folder ``templates`` (None stays None); ValueError when it is not a folder."""
        if templates is None:
            return None
        folder = Path(templates).resolve()
        if not folder.is_dir():
            raise ValueError(f"templates folder {os.fspath(templates)} does not exist or is not a folder")
        return cls(folder)

    def template_for(self, layout_template: str) -> str:
        """The template to render: the folder's report.html, else the layout's (perhaps the user's copy)."""
        return REPORT_TEMPLATE if (self.folder / REPORT_TEMPLATE).is_file() else layout_template

    def context(self, layout_template: str) -> dict[str, Any]:
        """Template variables: ``layout`` (to extend), ``assets`` (folder URL), ``user_css``."""
        style = self.folder / STYLESHEET
        return {
            "layout": layout_template,
            "assets": self.folder.as_uri().rstrip("/") + "/",
            "user_css": style.as_uri() if style.is_file() else "",
        }

    def fetcher(self) -> SafeFetcher:
        """The sandboxed fetcher serving the package assets and this folder, nothing else."""
        from ..core.assets import fonts_dir, templates_dir
        from .fetch import SafeFetcher

        return SafeFetcher(roots=(templates_dir(), fonts_dir(), self.folder))


_REPORT_HTML = """\
{#- Your report template: it extends the layout the report names (plan-status,
    quarterly, kpi-summary, measure-pages) and overrides blocks. Uncomment a
    block to change it; see README.md for every block and CSS class.
    Text from the data is escaped: write {{ doc.org_line }}, never |safe. -#}
{% extends layout %}

{#- {% block footer %}部外秘{% endblock %} #}

{#- {% block header %}{{ doc.org_line }}{% endblock %} #}

{#- {% block seal %}
<table class="seal">
<tr><th>支部長</th><th>部長</th><th>グループ長</th><th>担当</th></tr>
<tr><td></td><td></td><td></td><td></td></tr>
</table>
{% endblock %} #}

{#- {% block after_table %}<p class="note">※ 数値は速報値です。</p>{% endblock %} #}

{#- {% block title %}{{ super() }}<p class="subtitle">（案）</p>{% endblock %} #}
"""

_STYLE_CSS = """\
/* Your stylesheet: applied after the built-in ones (base.css, the paper's).
   Examples (uncomment):
.page-footer { color: #c00000; font-weight: bold; }
.doc-title { color: #1f3864; }
table.seal { float: right; border-collapse: collapse; margin-top: -18mm; }
table.seal th, table.seal td { border: 0.5pt solid #000; width: 16mm; text-align: center; font-size: 8pt; }
table.seal td { height: 14mm; }
*/
"""

_README = """\
# Your reportgen templates

Render with them: `reportgen render plan.yaml -o plan.pdf --templates {folder}`
or `reportgen.render_pdf(report, "plan.pdf", templates="{folder}")`.

- `report.html` is rendered instead of the layout's template. It starts with
  `{{% extends layout %}}` (the layout the report names) and overrides blocks.
- `style.css` is linked after the built-in stylesheets: your rules win.
- Images and other files of this folder can be used from templates and CSS:
  `<img src="{{{{ assets }}}}logo.png">`. Nothing outside this folder and the
  package's own assets is ever loaded.
- The other `.html` files are copies of the built-in templates; a file here
  replaces the built-in of the same name (change them only if blocks are not
  enough: a later reportgen may change the built-ins). `*.css` copies are for
  reference: the built-in stylesheets are the ones used; put rules in style.css.
- Delete `report.html` and the copies to get the built-ins back.

## Blocks

| block | where it prints |
|---|---|
{blocks}

`title`, `seal`, `preface`, `legend` and `after_table` belong to the plan-status and
quarterly layouts; `header` and `footer` print in every layout.
Blocks of the layouts themselves: `cover` (title, preface), `content` (the main
table), `appendices`. `{{{{ super() }}}}` inside a block prints the built-in content.

## Variables

`doc` is the view model (`reportgen.layouts.view.DocView`): `doc.title_lines`,
`doc.org_line`, `doc.date`, `doc.legend`, `doc.preface`, `doc.sections`,
`doc.paper`, `doc.style`. Every value is already formatted (和暦, numbers).

## CSS classes

| class | what |
|---|---|
| `.cover`, `.doc-title`, `.doc-title.sub`, `.doc-date`, `.doc-org` | title area |
| `.preface` | 基本方針 / 重点施策 box |
| `table.report`, `tr.legend`, `tr.colhead` | main table, its legend and heading rows |
| `table.sec`, `.vlabel`, `.section-banner` | a 分野 and its vertical label |
| `.group-banner` | a group's banner line (〇…グループ) |
| `table.item`, `th.item-title`, `tr.entry` | an item (施策), its title, one entry row |
| `td.c-plan`, `td.c-status`, `td.mark` (`.markpos` the mark itself) | plan, status and mark cells |
| `.page-header`, `.page-footer` | your header and footer blocks |
| `html.mincho` | the Mincho font was chosen |
"""


def export(destination: str | os.PathLike[str]) -> list[Path]:
    """Write a templates folder that renders like the built-ins; returns the files written.

    Refuses (FileExistsError) to overwrite a report.html, style.css or README.md
    already there, so a user's edits are never lost.
    """
    from ..core.assets import templates_dir

    dest = Path(destination)
    ours = {REPORT_TEMPLATE: _REPORT_HTML, STYLESHEET: _STYLE_CSS, "README.md": _README}
    existing = [name for name in ours if (dest / name).exists()]
    if existing:
        raise FileExistsError(f"{dest}: {', '.join(existing)} already there; export to an empty folder")
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sorted(templates_dir().iterdir()):
        if source.suffix in (".html", ".css") and source.is_file():
            shutil.copyfile(source, dest / source.name)
            written.append(dest / source.name)
    blocks = "\n".join(f"| `{name}` | {where} |" for name, where in BLOCKS.items())
    for name, text in ours.items():
        (dest / name).write_text(text.format(folder=dest, blocks=blocks) if name == "README.md" else text,
                                 encoding="utf-8")
        written.append(dest / name)
    return written
