"""Tagged PDF from a pandoc document: pandoc writes Typst, Typst lays it out.

The one PDF writer: the guide's PDF, its large-print PDF and every handout's
PDF are made here (``write_pdf``), each from a pandoc document (``pandoc.ast``)
and a ``Look`` (sizes and colours).  Why Typst and not WeasyPrint:
``bench/pdf_engines.py`` measures both (time, memory, tagging, large print,
text, pages).

What every PDF promises, and how:

* **Content is data.** Every text reaches Typst through pandoc's typst writer,
  which escapes Typst's markup characters (``#``, ``$``, ``@``, ``<``, ``[``, ``\\``
  ...).  The templates (``assets/pdf/*.typ``) and the block styles below are
  mdguide's own code; ``--variable`` values are numbers and colours from
  ``Look``, never content.
* **Tagged PDF/UA-1** (Typst's ``pdf_standards=["ua-1"]``, which refuses a
  document that breaks it): structure tree, ``/Lang``, ``/Title`` shown as the
  window title, bookmarks for every heading.
* **Nothing is fetched or read** but the templates and the fonts shipped in
  ``assets/fonts``: Typst sees only an empty project folder and no system
  fonts, and it has no network access here (no ``@preview`` packages).  Any
  Typst warning fails the build, as pandoc's do.
* **Byte-identical rebuilds**: the date comes from the content, the fonts are
  pinned (shipped with mdguide), and Typst writes nothing else that varies.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mdguide_build import ASSETS
from mdguide_build.errors import MdguideError
from mdguide_build.guide.content import Content
from mdguide_build.pandoc import ast as pa
from mdguide_build.pandoc import runner as pandoc
from mdguide_build.pandoc.guide import guide_document
from mdguide_build.pandoc.rewrite import emphasis_to_strong, map_blocks, spell_out_urls

TEMPLATES = ASSETS / "pdf"
GUIDE_TEMPLATE = TEMPLATES / "guide.typ"
HANDOUT_TEMPLATE = TEMPLATES / "handout.typ"
LOOK_TEMPLATE = TEMPLATES / "look.typ"
FONTS = ASSETS / "fonts"
CONTENTS_DEPTH = 3  # after the shift: sections (level 2) and their subsections (level 3)
ASSET_FILES = (GUIDE_TEMPLATE, HANDOUT_TEMPLATE, LOOK_TEMPLATE, *sorted(FONTS.glob("*.ttf")))


class PdfError(MdguideError):
    """Typst could not make the PDF, or warned about the document."""


@dataclass(frozen=True)
class Look:
    """Sizes in points and colours, filled into the templates."""

    body: float
    small: float  # page numbers
    note: float
    quote: float
    title: float
    h2: float
    h3: float
    h4: float
    h5: float
    leading: float  # CSS-like line height: 1.5 means one and a half lines
    accent: str = "#003087"  # headings and bars: NHS dark blue, 12.6:1 on white
    link: str = "#005eb8"  # NHS blue, 5.1:1 on white
    editorial_fill: str = "#ffffff"
    large_print: bool = False

    def variables(self) -> list[str]:
        values = {
            "look-" + field.name.replace("_", "-"): getattr(self, field.name)
            for field in dataclasses.fields(self)
        }
        # Typst's leading is the gap between one line's descender and the next one's ascender.
        values["look-leading"] = round(max(self.leading - _ASCENT_DESCENT, 0.1), 3)
        out = []
        for key, value in values.items():
            if isinstance(value, bool):
                if value:
                    out.append(f"--variable={key}")
            else:
                out.append(f"--variable={key}:{value}")
        return out


_ASCENT_DESCENT = 1.117  # Liberation Sans: ascender 0.905 + descender 0.212 of the em

STANDARD = Look(body=11, small=9, note=9, quote=13, title=30, h2=20, h3=15, h4=13, h5=12, leading=1.45)
# A handout fits on at most four pages: smaller type, as the 2017 guide's own leaflets.
HANDOUT = Look(
    body=9.5,
    small=8,
    note=9.5,
    quote=10.5,
    title=18,
    h2=14,
    h3=11,
    h4=10.5,
    h5=10,
    leading=1.35,
    link="#005eb8",
    editorial_fill="#fff9c4",
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
        link="#003087",
        large_print=True,
    )


# --- how each kind of block looks ------------------------------------------------------------

# pandoc's typst writer drops classes; it passes ``typst:`` attributes on a Div to
# Typst's ``block``.  Names (``rule``, ``accent``...) are defined in look.typ.
BLOCK_STYLES: Mapping[str, Mapping[str, str]] = {
    "editorial": {
        "width": "100%",
        "inset": "(x: 0.8em, y: 0.5em)",
        "stroke": "editorial-stroke",
        "fill": "editorial-fill",
        "above": "0.9em",
        "below": "0.9em",
    },
    "case-study": {
        "width": "100%",
        "inset": "(x: 1em, top: 0.3em, bottom: 0.6em)",
        "stroke": "(top: 4pt + accent, rest: rule)",
        "above": "1.4em",
        "below": "1.4em",
    },
    "pull-quote": {
        "width": "100%",
        "inset": "(left: 1em, y: 0.2em)",
        "stroke": "(left: 4pt + accent)",
        "breakable": "false",
        "above": "1.2em",
        "below": "1.2em",
    },
    "case-study-person": {"text:weight": '"bold"'},
    "criterion": {"text:weight": '"bold"', "below": "0.4em"},
    "prompting-questions": {
        "width": "100%",
        "inset": "(left: 0.8em, y: 0.3em)",
        "stroke": "(left: 2pt + rule-colour)",
        "fill": "pale",
    },
    "person-specification": {"width": "100%"},
    "signatories": {"breakable": "true"},
}


def styled(document: pa.Document, styles: Mapping[str, Mapping[str, str]] = BLOCK_STYLES) -> pa.Document:
    """The document with each classed Div given its Typst look, and pull quotes as styled blocks.

    A pull quote is a pandoc Figure on the web; in print it is a block with a
    bar, its quotes, and its attribution in bold (a Typst figure would number it).
    """

    def rewrite(block: pa.Block) -> pa.Block:
        if isinstance(block, pa.Figure) and "pull-quote" in block.attr.classes:
            caption = [inline for b in block.caption for inline in getattr(b, "content", ())]
            block = pa.Div([*block.blocks, pa.Para([pa.Strong(caption)])], block.attr)
        return _styled_div(block, styles) if isinstance(block, pa.Div) else block

    return map_blocks(document, rewrite)


def _styled_div(div: pa.Div, styles: Mapping[str, Mapping[str, str]]) -> pa.Div:
    properties: dict[str, str] = {}
    for cls in div.attr.classes:
        properties.update(styles.get(cls, {}))
    if not properties:
        return div
    blocks = list(div.blocks)
    if blocks and isinstance(blocks[0], pa.Header) and not blocks[0].attr.identifier:
        # pandoc's writer drops a Div that starts with an anonymous heading (it makes the
        # Div's identifier the heading's): keep the Div, and its look, around an inner one.
        blocks = [pa.Div(blocks)]
    attributes = [*div.attr.attributes, *((f"typst:{key}", value) for key, value in properties.items())]
    return pa.Div(blocks, dataclasses.replace(div.attr, attributes=attributes))


# --- the guide ----------------------------------------------------------------------------


def print_document(content: Content, *, large_print: bool) -> pa.Document:
    """The guide as its PDFs show it: addresses spelled out after links no note gives, and
    for large print emphasis in bold; each block in its Typst look."""
    document = spell_out_urls(guide_document(content, "web"))
    if large_print:
        document = emphasis_to_strong(document)
    return styled(document)


def edition_date(content: Content) -> tuple[int, int, int]:
    """The PDF's date: this edition's (``YYYY-MM`` means the month's first day)."""
    year, month, *day = (int(part) for part in content.guide.edition.date.split("-"))
    return year, month, day[0] if day else 1


# --- writing ------------------------------------------------------------------------------


def typst_source(
    document: pa.Document | str,
    template: Path,
    look: Look,
    date: tuple[int, int, int],
    contents_depth: int = CONTENTS_DEPTH,
) -> bytes:
    """What pandoc's typst writer makes of ``document`` with ``template``."""
    year, month, day = (int(part) for part in date)  # numbers only: variables are not escaped
    return pandoc.convert(
        document,
        "typst",
        extra_args=[
            "--standalone",
            f"--template={template}",
            f"--toc-depth={contents_depth}",
            "--shift-heading-level-by=1",  # the title is the only level-1 heading
            "--wrap=none",
            *look.variables(),
            f"--variable=year:{year}",
            f"--variable=month:{month}",
            f"--variable=day:{day}",
        ],
    )


def compile_pdf(source: bytes) -> tuple[bytes, int]:
    """Lay out Typst ``source`` as tagged PDF/UA-1; return the PDF and its number of pages.

    Typst's project folder is a temporary one holding only the source, so the
    source can read no other file, and Typst sees only the fonts shipped in
    ``assets/fonts`` (and its own).
    """
    import typst  # only the PDF builders need it

    with tempfile.TemporaryDirectory(prefix="mdguide-typst-") as root:
        main = Path(root) / "main.typ"
        main.write_bytes(source)
        compiler = typst.Compiler(
            input=str(main),
            root=root,
            font_paths=[str(FONTS)],
            ignore_system_fonts=True,
            package_path=root,
            package_cache_path=root,
        )
        try:
            pdf, warnings = compiler.compile_with_warnings(format="pdf", pdf_standards=["ua-1"])
            if not warnings:
                pages = compiler.query("<mdguide-pages>", field="value", one=True)  # look.typ puts it there
        except (typst.TypstError, RuntimeError) as error:
            raise PdfError(
                f"Typst: {_typst_message(error)} (hint: check the templates in assets/pdf/)"
            ) from None
    if warnings:
        raise PdfError(
            "Typst: "
            + "; ".join(_typst_message(w) for w in warnings)
            + " (hint: check the templates in assets/pdf/)"
        )
    return pdf, int(pages)


def write_pdf(
    document: pa.Document | str, path: Path, *, template: Path, look: Look, date: tuple[int, int, int]
) -> int:
    """``document`` as a tagged PDF at ``path``; return its number of pages."""
    pdf, pages = compile_pdf(typst_source(document, template, look, date))
    path.write_bytes(pdf)  # into the build's staging folder, made whole before it is written
    return pages


def _typst_message(problem: object) -> str:
    message = str(getattr(problem, "message", None) or problem).strip()
    hints = getattr(problem, "hints", None) or []
    return " ".join([message, *(f"(hint: {h})" for h in hints)])
