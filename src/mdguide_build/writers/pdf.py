"""Tagged PDF from the guide's AST: pandoc writes HTML for print, WeasyPrint lays it out.

Both PDFs (the standard edition and large print) are made here, from the
guide's pandoc document in its "web" flavour, changed only in how it is shown
(``ast_rewrite``): addresses spelled out after links that no note gives, notes
as page footnotes, and for large print emphasis in bold.

What the PDF promises, and how:

* tagged PDF/UA-1 (WeasyPrint's ``pdf_variant="pdf/ua-1"``: structure tree,
  ``/Lang`` from ``<html lang>``, ``/Title`` from ``<title>`` shown as the
  window title); bookmarks follow the headings (WeasyPrint makes them from
  ``h1``-``h6``);
* nothing is fetched: the URL fetcher refuses every address, and anything
  WeasyPrint warns about fails the build, as pandoc's warnings do;
* byte-identical rebuilds: the dates come from the content
  (``<meta name="dcterms.created">`` and ``dcterms.modified``), and the file
  identifier from the guide's identifier and the PDF's own bytes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from string import Template

from mdguide_build import ASSETS
from mdguide_build.errors import MdguideError
from mdguide_build.guide.content import Content
from mdguide_build.pandoc import ast as pa
from mdguide_build.pandoc import runner as pandoc
from mdguide_build.pandoc.guide import guide_document
from mdguide_build.pandoc.rewrite import emphasis_to_strong, notes_to_footnotes, spell_out_urls

TEMPLATE = ASSETS / "pdf" / "template.html"
PRINT_CSS = ASSETS / "pdf" / "print.css"
LARGE_PRINT_CSS = ASSETS / "pdf" / "large-print.css"
ASSET_FILES = (TEMPLATE, PRINT_CSS, LARGE_PRINT_CSS)
CONTENTS_DEPTH = 3  # after the shift: sections (h2) and their subsections (h3)
FONT = "'Liberation Sans', Arial, Helvetica, sans-serif"


class PdfError(MdguideError):
    """WeasyPrint could not make the PDF, or warned about the document."""


@dataclass(frozen=True)
class Look:
    """Sizes in points and colours, filled into ``print.css``."""

    body: float
    small: float  # page numbers
    note: float
    quote: float
    title: float
    h2: float
    h3: float
    h4: float
    h5: float
    leading: float
    note_call_align: str  # how a note's number sits in the text
    note_call_size: str
    note_call_weight: str
    accent: str = "#003087"  # headings and bars: NHS dark blue, 12.6:1 on white
    link: str = "#005eb8"  # NHS blue, 5.1:1 on white
    font: str = FONT


STANDARD = Look(
    body=11,
    small=9,
    note=9,
    quote=13,
    title=30,
    h2=20,
    h3=15,
    h4=13,
    h5=12,
    leading=1.45,
    note_call_align="super",
    note_call_size="75%",
    note_call_weight="normal",
)


def large_print_look(point_size: int) -> Look:
    """UKAAF clear print: headings larger than the text, nothing smaller than it, 1.5 line spacing."""

    def scaled(factor: float) -> float:
        return round(point_size * factor * 2) / 2

    return Look(
        body=point_size,
        small=point_size,
        note=point_size,
        quote=scaled(1.1),
        title=scaled(1.8),
        h2=scaled(1.5),
        h3=scaled(1.3),
        h4=scaled(1.15),
        h5=scaled(1.08),
        leading=1.5,
        note_call_align="baseline",
        note_call_size="100%",
        note_call_weight="bold",
        link="#003087",
    )


def stylesheet(look: Look, large_print: bool) -> str:
    css = Template(PRINT_CSS.read_text(encoding="utf-8")).substitute(asdict(look))
    if large_print:
        css += "\n" + LARGE_PRINT_CSS.read_text(encoding="utf-8")
    return css


def print_document(content: Content, *, large_print: bool) -> pa.Document:
    """The guide as the PDFs show it (see the module docstring)."""
    guide = content.guide

    def dates(_content: Content) -> dict[str, pa.MetaValue]:
        return {"created": pa.MetaString(guide.published), "modified": pa.MetaString(guide.edition.date)}

    document = spell_out_urls(guide_document(content, "web", extra_meta=dates))
    if large_print:
        document = emphasis_to_strong(document)
    return notes_to_footnotes(document)


def print_html(document: pa.Document | str, css: str) -> str:
    """Standalone HTML for print: title page, contents with page numbers, the guide."""
    html = pandoc.convert(
        document,
        "html5",
        extra_args=[
            "--standalone",
            f"--template={TEMPLATE}",
            "--toc",
            f"--toc-depth={CONTENTS_DEPTH}",
            # The title is the only h1; sections are h2, as on the web page.
            "--shift-heading-level-by=1",
            "--wrap=none",  # no line breaks inside the <meta> values
            # Our own stylesheet, not content (see builders/html.py).
            f"--variable=inline-css:{css}",
        ],
    )
    return html.decode("utf-8")


def write_pdf(html: str, path: Path, identifier: str) -> None:
    """Lay ``html`` out as tagged PDF/UA-1 at ``path`` (written whole or not at all)."""
    import weasyprint  # slow to import; only the PDF builders need it

    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        with _weasyprint_problems() as problems:
            document = weasyprint.HTML(string=html, base_url=str(TEMPLATE.parent), url_fetcher=_no_fetching())
            document.write_pdf(
                partial,
                pdf_variant="pdf/ua-1",
                # The first half names the document, the second (pydyf's) changes with its bytes.
                pdf_identifier=hashlib.sha256(identifier.encode("utf-8")).hexdigest()[:32].encode("ascii"),
            )
        if problems:
            raise PdfError(f"WeasyPrint: {'; '.join(problems)} (hint: check the stylesheets in assets/pdf/)")
        os.replace(partial, path)
    except _Refused as refused:
        raise PdfError(
            f"the PDF asked for {refused.url!r}, but nothing may be fetched "
            "(hint: embed images as data: URIs; check assets/pdf/)"
        ) from None
    finally:
        partial.unlink(missing_ok=True)


class _Refused(BaseException):
    """Raised by the fetcher; a BaseException because WeasyPrint swallows the others."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


def _no_fetching():
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        def fetch(self, url, headers=None):
            raise _Refused(url)

    return NoFetching()


@contextmanager
def _weasyprint_problems() -> Iterator[list[str]]:
    """WeasyPrint's warnings and errors logged by this thread (builds run side by side)."""
    problems: list[str] = []
    thread = threading.get_ident()

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.thread == thread:
                problems.append(record.getMessage())

    handler = Collect(logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield problems
    finally:
        logger.removeHandler(handler)
