"""Accessible HTML: one self-contained page, CSS inlined, no script."""

from __future__ import annotations

from pathlib import Path

from .. import pandoc
from ..loader import Content
from ..to_pandoc import guide_document
from .base import ASSETS, Builder, Output

TEMPLATE = ASSETS / "html" / "template.html"
CSS = ASSETS / "html" / "guide.css"


def html_args() -> list[str]:
    """pandoc options shared by every HTML page mdguide writes (guide and handouts)."""
    return [
        "--standalone",
        f"--template={TEMPLATE}",
        "--section-divs",
        # The stylesheet is ours, not content: pass it as a template variable so
        # the page is self-contained without pandoc reading files in the sandbox.
        f"--variable=inline-css:{CSS.read_text(encoding='utf-8')}",
    ]


class HtmlBuilder(Builder):
    name = "html"
    summary = "Accessible web page (WCAG 2.2 AA), one self-contained file: for the web, email and screen readers."
    assets = (TEMPLATE, CSS)

    def outputs(self, content: Content) -> list[Output]:
        document = guide_document(content, "web").to_json_text()

        def write(path: Path) -> None:
            pandoc.convert(document, "html5", output_file=path,
                           extra_args=[*html_args(), "--toc", "--toc-depth=2"])

        return [Output(f"{content.guide.slug}.html", self.fingerprint(document), write)]
