"""A handout's web page: pandoc's HTML, finished with lxml (never string templating).

pandoc's AST has no form controls and allows no relative links, so after
pandoc:

* the checklist's marked items become native ``<input type="checkbox">`` +
  ``<label>`` pairs (they tick without script);
* the index's links to a role's files (``#consultant.pdf``) are pointed at
  the files beside it.

The PDF is made from the same pandoc document, made for paper
(``writers.handout_pdf``).
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from mdguide_build import ASSETS
from mdguide_build.errors import MdguideError
from mdguide_build.pandoc import runner as pandoc

TEMPLATE = ASSETS / "html" / "handout.html"
GUIDE_CSS = ASSETS / "html" / "guide.css"
HANDOUT_CSS = ASSETS / "html" / "handout.css"
ASSET_FILES = (TEMPLATE, GUIDE_CSS, HANDOUT_CSS)

_SIBLING = re.compile(r"#([a-z0-9]+(?:-[a-z0-9]+)*\.(?:html|docx|pdf))")


class HandoutError(MdguideError):
    """A handout could not be made as promised (too long, or it tried to fetch something)."""


def html_args() -> list[str]:
    css = GUIDE_CSS.read_text(encoding="utf-8") + "\n" + HANDOUT_CSS.read_text(encoding="utf-8")
    return [
        "--standalone",
        f"--template={TEMPLATE}",
        f"--variable=inline-css:{css}",
        "--shift-heading-level-by=1",
        "--wrap=none",
    ]


def render_html(document: str) -> bytes:
    """The finished web page of a handout's (or the index's) pandoc document."""
    return finish_html(pandoc.convert(document, "html5", extra_args=html_args()))


def _classed(tree, tag: str, cls: str) -> list:
    return tree.xpath(f'//{tag}[contains(concat(" ", normalize-space(@class), " "), " {cls} ")]')


def finish_html(page: bytes) -> bytes:
    """pandoc's page with native checkboxes and links to the sibling files."""
    tree = lxml_html.document_fromstring(page)
    for div in _classed(tree, "div", "check-item"):
        ident = div.get("id")
        box = etree.Element("input", type="checkbox", id=ident)
        label = etree.Element("label", {"for": ident})
        label.text = div.text
        label.extend(list(div))
        box.tail, label.tail = "\n", div.tail
        parent = div.getparent()
        index = parent.index(div)
        parent.remove(div)
        parent.insert(index, box)
        parent.insert(index + 1, label)
    for link in _classed(tree, "a", "sibling"):
        match = _SIBLING.fullmatch(link.get("href", ""))
        if not match:
            raise HandoutError(f"unexpected sibling link {link.get('href')!r}")
        link.set("href", match.group(1))
    return lxml_html.tostring(tree, doctype="<!DOCTYPE html>", encoding="utf-8")
