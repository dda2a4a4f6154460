"""CSS/HTML experiments on WeasyPrint's layout time (not a test; issue #6 part 1).

Renders one synthetic plan-status report with variations of base.css or of the
generated HTML and reports, per variant: seconds (best of --repeat), pages,
whether the text of every page (pdftotext) is identical to the baseline and
whether every page looks identical (pdftoppm PNGs, pixel by pixel).

Only a variant that is identical in text AND look may be kept in base.css /
the templates; the others are listed for the record (what a change would buy).

Usage::

    python bench/css_experiments.py              # 100 entries, 2 runs each
    python bench/css_experiments.py --entries 400 --repeat 1
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import io
import logging
import re
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from reportgen.core.assets import templates_dir
from reportgen.pdf.fetch import SafeFetcher, base_url
from reportgen.pdf.boxes import center_marks, prune_continuation_marks, trim_vertical_labels
from reportgen.pdf.engine import render_html
from reportgen.pdf.weasy import font_config
from reportgen.tools.synthetic import synthetic_report

BASE_CSS = (templates_dir() / "base.css").read_text(encoding="utf-8")


class _Fetcher(SafeFetcher):
    """SafeFetcher that serves a modified base.css."""

    def __init__(self, css: str) -> None:
        super().__init__()
        self.css = css

    def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
        response = super().fetch(url, headers)
        if url.endswith("/base.css"):
            from weasyprint.urls import URLFetcherResponse

            return URLFetcherResponse(response.url, self.css.encode("utf-8"),
                                      {"Content-Type": "text/css; charset=utf-8"})
        return response


def _drop(css: str, pattern: str) -> str:
    new = re.sub(pattern, "", css, flags=re.DOTALL)
    assert new != css, pattern
    return new


def _mini_nb(html: str) -> str:
    """Drop the nb spans inside embedded tables (their cells are nowrap already),
    except in wrapping text cells (td.txt)."""
    def table(m: re.Match[str]) -> str:
        def cell(c: re.Match[str]) -> str:
            if 'class="txt"' in c.group(1):
                return c.group(0)
            return c.group(1) + re.sub(r'<span class="nb">(.*?)</span>', r"\1", c.group(2)) + c.group(3)
        return re.sub(r"(<t[hd][^>]*>)(.*?)(</t[hd]>)", cell, m.group(0), flags=re.DOTALL)
    return re.sub(r'<table class="mini.*?</table>', table, html, flags=re.DOTALL)


# name → (css transform, html transform)
VARIANTS: dict[str, tuple[Callable[[str], str], Callable[[str], str]]] = {
    "baseline": (lambda c: c, lambda h: h),
    "no box-decoration-break": (lambda c: _drop(c, r"box-decoration-break: clone;"), lambda h: h),
    "no column stripes": (
        lambda c: _drop(c, r"background-image:\s*linear-gradient.*?100% 0;"),
        lambda h: re.sub(r'<td class="nest" style="[^"]*">', '<td class="nest">', h)),
    "no font-feature-settings": (lambda c: _drop(c, r'font-feature-settings: "vert" 1;'), lambda h: h),
    "no overflow-wrap on td/th": (lambda c: _drop(c, r"td, th \{ overflow-wrap: break-word; \}"), lambda h: h),
    "no nb spans in embedded tables": (lambda c: c, _mini_nb),
    "no nb spans at all": (lambda c: c, lambda h: re.sub(r'<span class="nb">(.*?)</span>', r"\1", h)),
    "embedded tables border-collapse: separate": (
        lambda c: c + "\ntable.mini { border-collapse: separate; border-spacing: 0; }", lambda h: h),
    "no td.nest overflow: hidden": (
        lambda c: _drop(c, r"table\.report > tbody > tr > td\.nest \{ overflow: hidden; \}"), lambda h: h),
}


def render(html: str, css: str) -> tuple[float, bytes]:
    import weasyprint

    gc.collect()
    gc.disable()  # as reportgen.pdf.engine does while rendering; also steadier timings
    t0 = time.perf_counter()
    document = weasyprint.HTML(string=html, base_url=base_url(), url_fetcher=_Fetcher(css)).render(
        font_config=font_config())
    prune_continuation_marks(document)
    trim_vertical_labels(document)
    center_marks(document)
    out = io.BytesIO()
    document.write_pdf(out)
    seconds = time.perf_counter() - t0
    gc.enable()
    return seconds, out.getvalue()


def fingerprints(pdf: bytes, work: Path, name: str) -> tuple[list[str], list[str]]:
    path = work / f"{name}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout.split("\f")
    prefix = work / name
    subprocess.run(["pdftoppm", "-r", "50", "-gray", str(path), str(prefix)], check=True)
    pngs = sorted(work.glob(f"{name}-*.pgm"))
    looks = [hashlib.sha1(p.read_bytes()).hexdigest() for p in pngs]
    for p in pngs:
        p.unlink()
    return text, looks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("variants", nargs="*", help="names (default: all)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    report = synthetic_report(args.entries)
    html = render_html(report)
    render(render_html(synthetic_report(4)), BASE_CSS)  # warm-up
    names = args.variants or list(VARIANTS)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base_text, base_look = None, None
        print(f"{'variant':44} {'s':>6} {'pages':>5} {'vs base':>8}  text  look")
        base_t = None
        for name in ["baseline"] + [n for n in names if n != "baseline"]:
            css_fn, html_fn = VARIANTS[name]
            css, doc = css_fn(BASE_CSS), html_fn(html)
            best, pdf = float("inf"), b""
            for _ in range(args.repeat):
                t, pdf = render(doc, css)
                best = min(best, t)
            text, look = fingerprints(pdf, work, re.sub(r"\W+", "_", name))
            if base_text is None:
                base_text, base_look, base_t = text, look, best
            same_text = "same" if text == base_text else "DIFF"
            same_look = "same" if look == base_look else f"DIFF({sum(a != b for a, b in zip(look, base_look)) + abs(len(look) - len(base_look))}p)"
            print(f"{name:44} {best:6.2f} {len(look):5d} {100 * (best / base_t - 1):+7.1f}%  {same_text:4}  {same_look}",
                  flush=True)


if __name__ == "__main__":
    main()
