"""The Word reference document, made in code from pandoc's own default.

pandoc takes every style of a DOCX from a *reference document*.  Rather than
keep a binary file that nobody can review, mdguide starts from the reference
document of the pandoc in use (``pandoc --print-default-data-file
reference.docx``) and restyles it here, so every choice is readable in this
file and the result is the same bytes on every machine:

* one accessible sans-serif font (Arial 12 pt) everywhere, no theme fonts;
* dark text and headings on white (contrast at least 4.5:1, most far more),
  links underlined as well as coloured, no italics in headings or captions;
* Word's own Heading 1-6 (the navigation pane shows the outline) and
  contents entries (toc 1-3), A4 pages with page numbers, British English
  for proofing;
* the guide's named paragraph styles (``to_pandoc.DOCX_STYLES``): a pull quote
  is larger and indented behind a blue bar, its attribution follows it on the
  same bar, case studies and editorial notes sit on a pale panel, criteria
  are bold and keep their prompting questions with them.

Colours are NHS identity colours; tests/test_docx.py checks each text colour
in the finished document against its background (at least 4.5:1).
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from mdguide_build.errors import MdguideError
from mdguide_build.pandoc import guide as to_pandoc
from mdguide_build.pandoc.runner import default_data_file
from mdguide_build.writers.zipped import unzip_entries, zip_bytes

__all__ = ["FONT", "ReferenceDocxError", "reference_docx"]

FONT = "Arial"
INK = "212B32"  # body text (NHS black)
HEADING = "003087"  # headings, pull quotes (NHS dark blue)
LINK = "005EB8"  # links and accent bars (NHS blue)
PANEL = "F0F4F5"  # pale panel behind case studies and notes (NHS pale grey)
RULE = "4C6272"  # panel borders (NHS dark grey)


class ReferenceDocxError(MdguideError):
    """pandoc's default reference document could not be read or restyled."""


@dataclass(frozen=True)
class Look:
    """How one paragraph style looks; None leaves pandoc's default."""

    size: float | None = None  # points
    bold: bool | None = None
    colour: str | None = None
    left_indent: float | None = None  # cm
    space_before: float | None = None  # points
    space_after: float | None = None  # points
    keep_with_next: bool | None = None
    page_break_before: bool | None = None
    bar: str | None = None  # colour of a bar on the left
    panel: bool = False  # pale background with a thin border
    align_left: bool = False


HEADINGS = {
    "Heading 1": Look(
        size=20, bold=True, colour=HEADING, space_before=0, space_after=12, page_break_before=True
    ),
    "Heading 2": Look(size=16, bold=True, colour=HEADING, space_before=18, space_after=6),
    "Heading 3": Look(size=14, bold=True, colour=HEADING, space_before=14, space_after=6),
    "Heading 4": Look(size=13, bold=True, colour=HEADING, space_before=12, space_after=4),
    "Heading 5": Look(size=12, bold=True, colour=HEADING, space_before=12, space_after=4),
    "Heading 6": Look(size=12, bold=True, colour=INK, space_before=10, space_after=4),
}

BUILT_IN = {
    "Normal": Look(size=12, colour=INK),
    "Body Text": Look(space_before=6, space_after=6),
    "Compact": Look(space_before=2, space_after=2),
    "Title": Look(size=28, bold=True, colour=HEADING, space_after=6, align_left=True),
    "Subtitle": Look(size=18, bold=False, colour=INK, space_after=18),
    "Author": Look(size=14, bold=False, colour=INK, space_after=2),
    "Date": Look(size=14, bold=False, colour=INK, space_before=12, space_after=24),
    "TOC Heading": Look(
        size=20, bold=True, colour=HEADING, space_before=0, space_after=12, page_break_before=True
    ),
    "Footnote Text": Look(size=11, space_before=0, space_after=2),
    "Caption": Look(size=12, bold=True, colour=INK, space_before=6, space_after=14),
    "Block Text": Look(left_indent=0.75),
    **HEADINGS,
}

CUSTOM = {
    to_pandoc.STYLE_PULL_QUOTE: Look(
        size=14,
        colour=HEADING,
        left_indent=0.75,
        space_before=14,
        space_after=4,
        keep_with_next=True,
        bar=LINK,
    ),
    to_pandoc.STYLE_ATTRIBUTION: Look(
        size=12, bold=True, colour=INK, left_indent=0.75, space_before=0, space_after=16, bar=LINK
    ),
    to_pandoc.STYLE_CASE_STUDY_PERSON: Look(
        bold=True, left_indent=0.4, space_before=0, space_after=6, keep_with_next=True, panel=True
    ),
    to_pandoc.STYLE_CASE_STUDY: Look(left_indent=0.4, space_before=0, space_after=8, panel=True),
    to_pandoc.STYLE_CRITERION: Look(bold=True, space_before=8, space_after=2, keep_with_next=True),
    to_pandoc.STYLE_PROMPTING_QUESTION: Look(space_before=2, space_after=2),
    to_pandoc.STYLE_FIGURE_DESCRIPTION: Look(left_indent=0.4, space_before=4, space_after=6, bar=LINK),
    to_pandoc.STYLE_EDITORIAL: Look(size=11, left_indent=0.4, space_before=6, space_after=8, panel=True),
}

# Word's own names for the entries of a table of contents (styleId TOC1, TOC2, ...).
CONTENTS = {
    1: Look(bold=True, space_before=6, space_after=2),
    2: Look(left_indent=0.6, space_before=0, space_after=2),
    3: Look(left_indent=1.2, space_before=0, space_after=2),
}
TEXT_WIDTH = 16.0  # cm: A4 less two 2.5 cm margins; the page numbers' tab stop

CHARACTER = {
    "Hyperlink": LINK,
    **{f"Heading {n} Char": HEADINGS[f"Heading {n}"].colour for n in range(1, 7)},
    "Title Char": HEADING,
    "Subtitle Char": INK,
}

# Where <w:pBdr> and <w:shd> go in <w:pPr> (ECMA-376 CT_PPrBase order, the elements after them).
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
    "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip
_THEME_ATTRIBUTES = (
    "asciiTheme",
    "hAnsiTheme",
    "eastAsiaTheme",
    "cstheme",
    "themeColor",
    "themeShade",
    "themeTint",
)


@functools.cache
def reference_docx(language: str = "en-GB") -> bytes:
    """The restyled reference document as DOCX bytes (the same bytes every call)."""
    document = Document(io.BytesIO(_pandoc_default()))
    styles = document.styles
    _plain_fonts_and_colours(styles.element, language)
    for name, look in BUILT_IN.items():
        _apply(_style(styles, name), look)
    for name, look in CUSTOM.items():
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = _style(styles, "Body Text")
        style.quick_style = True
        _apply(style, look)
    for level, look in CONTENTS.items():
        style = styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = f"TOC{level}"
        style.base_style = _style(styles, "Normal")
        style.paragraph_format.tab_stops.add_tab_stop(
            Cm(TEXT_WIDTH), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
        )
        _apply(style, look)
    for name, colour in CHARACTER.items():
        _character(_style(styles, name), colour)
    _page_setup(document)
    _settings(document, language)
    saved = io.BytesIO()
    document.save(saved)
    entries = unzip_entries(saved.getvalue(), first="[Content_Types].xml")  # first, as Word writes it
    return zip_bytes([(name, _APP_XML if name == "docProps/app.xml" else data) for name, data in entries])


def _pandoc_default() -> bytes:
    data = default_data_file("reference.docx")  # through the one runner: no HOME, fixed environment
    if not data.startswith(b"PK"):
        raise ReferenceDocxError(
            "pandoc printed something other than a DOCX as its default reference.docx "
            "(hint: reinstall pypandoc-binary with `pip install -c constraints.txt -e .`)"
        )
    return data


def _style(styles, name: str):
    # Not styles[name]: python-docx looks built-in names up in lower case, and
    # pandoc spells one of them "Caption".
    for style in styles:
        if style.name == name:
            return style
    raise ReferenceDocxError(
        f"pandoc's reference.docx has no style '{name}' (hint: has pandoc been upgraded?)"
    )


def _plain_fonts_and_colours(styles, language: str) -> None:
    """Replace theme fonts and colours with explicit ones, so Word and LibreOffice agree."""
    for element in styles.iter(qn("w:rFonts"), qn("w:color")):
        for attribute in _THEME_ATTRIBUTES:
            element.attrib.pop(qn(f"w:{attribute}"), None)
    for fonts in styles.iter(qn("w:rFonts")):
        if fonts.get(qn("w:ascii")) in (None, FONT):  # leave Consolas on code
            for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
                fonts.set(qn(f"w:{attribute}"), FONT)
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    defaults.find(qn("w:lang")).set(qn("w:val"), language)
    fonts = defaults.find(qn("w:rFonts"))
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attribute}"), FONT)


def _apply(style, look: Look) -> None:
    font, paragraph = style.font, style.paragraph_format
    if look.size is not None:
        font.size = Pt(look.size)
        _complex_script_size(style, look.size)
    if look.bold is not None:
        font.bold = look.bold
    _no_italics(style)
    if look.colour is not None:
        font.color.rgb = RGBColor.from_string(look.colour)
    if look.left_indent is not None:
        paragraph.left_indent = Cm(look.left_indent)
    if look.space_before is not None:
        paragraph.space_before = Pt(look.space_before)
    if look.space_after is not None:
        paragraph.space_after = Pt(look.space_after)
    if look.keep_with_next is not None:
        paragraph.keep_with_next = look.keep_with_next
    if look.page_break_before is not None:
        paragraph.page_break_before = look.page_break_before
    if look.align_left:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    if look.bar:
        _borders(style, {"left": ("single", 24, 8, look.bar)})
    if look.panel:
        edges = {side: ("single", 4, 4, RULE) for side in ("top", "bottom", "right")}
        edges["left"] = ("single", 24, 8, LINK)
        _borders(style, edges)
        _shading(style, PANEL)


def _character(style, colour: str) -> None:
    style.font.color.rgb = RGBColor.from_string(colour)
    _no_italics(style)
    if style.name == "Hyperlink":
        style.font.underline = True  # not colour alone (WCAG 1.4.1)


def _no_italics(style) -> None:
    """pandoc's Heading 4, Heading 6 and Caption are italic, which is harder to read."""
    rpr = style.element.rPr
    if rpr is not None:
        for tag in ("w:i", "w:iCs"):
            for element in rpr.findall(qn(tag)):
                rpr.remove(element)


def _complex_script_size(style, size: float) -> None:
    rpr = style.element.get_or_add_rPr()
    size_cs = rpr.find(qn("w:szCs"))
    if size_cs is None:
        size_cs = OxmlElement("w:szCs")
        rpr.find(qn("w:sz")).addnext(size_cs)
    size_cs.set(qn("w:val"), str(round(size * 2)))


def _borders(style, edges: dict[str, tuple[str, int, int, str]]) -> None:
    ppr = style.element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):  # schema order
        if side in edges:
            kind, eighths, space, colour = edges[side]
            edge = OxmlElement(f"w:{side}")
            edge.set(qn("w:val"), kind)
            edge.set(qn("w:sz"), str(eighths))
            edge.set(qn("w:space"), str(space))
            edge.set(qn("w:color"), colour)
            borders.append(edge)
    ppr.insert_element_before(borders, *_AFTER_PBDR)


def _shading(style, fill: str) -> None:
    ppr = style.element.get_or_add_pPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    ppr.insert_element_before(shading, *_AFTER_PBDR[1:])


def _page_setup(document) -> None:
    """A4, 2.5 cm margins, the page number centred in the footer."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    section.header_distance, section.footer_distance, section.gutter = Cm(1.25), Cm(1.25), Cm(0)
    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    paragraph._p.append(field)


def _settings(document, language: str) -> None:
    settings = document.settings.element
    theme_language = settings.find(qn("w:themeFontLang"))
    if theme_language is not None:
        theme_language.set(qn("w:val"), language)
    # The default claims spelling and grammar were checked; let Word check them.
    proof_state = settings.find(qn("w:proofState"))
    if proof_state is not None:
        settings.remove(proof_state)


# pandoc's default app.xml counts the words of its sample document; Word recounts on save.
_APP_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    b"<Application>mdguide</Application><DocSecurity>0</DocSecurity><SharedDoc>false</SharedDoc>"
    b"<HyperlinksChanged>false</HyperlinksChanged><LinksUpToDate>false</LinksUpToDate>"
    b"</Properties>"
)
