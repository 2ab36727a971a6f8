"""The large-print Word reference document: the standard one, restyled for clear print.

It starts from ``reference_docx.reference_docx`` (the standard DOCX's styles:
Word's own Normal, Heading 1-6, Footnote Text, the guide's named styles) and
changes only what UKAAF / RNIB clear-print guidance asks for, so the two
editions look alike and the recipient can still adjust every Word style:

* every size scaled from the standard 12 pt to ``point_size`` (18 by
  default), and nothing smaller than it: footnote text, note numbers, page
  numbers and captions are all at least the body size; every heading level
  larger than the text;
* no italics, underlining, capitals or small capitals in any style; links
  bold instead of underlined; note numbers bold and raised a little, at full
  size, instead of small superscripts;
* line spacing 1.5, every paragraph left-aligned.
"""

from __future__ import annotations

import functools
import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from mdguide_build.writers.reference_docx import ReferenceDocxError, reference_docx
from mdguide_build.writers.zipped import unzip_entries, zip_bytes

STANDARD_SIZE = 12  # points: the standard reference document's Normal
LINE_SPACING = 1.5
_NOT_IN_LARGE_PRINT = ("w:i", "w:iCs", "w:u", "w:caps", "w:smallCaps", "w:vertAlign", "w:strike", "w:dstrike")
_RAISE = 0.3  # a note number sits this fraction of the text size above the line


@functools.cache
def large_print_reference(language: str, point_size: int) -> bytes:
    """The large-print reference document as DOCX bytes (the same bytes every call)."""
    document = Document(io.BytesIO(reference_docx(language)))
    scale = point_size / STANDARD_SIZE
    styles = document.styles.element
    for size in styles.iter(qn("w:sz"), qn("w:szCs")):
        half_points = int(size.get(qn("w:val")))
        size.set(qn("w:val"), str(max(round(half_points * scale), 2 * point_size)))
    for tag in _NOT_IN_LARGE_PRINT:
        for element in list(styles.iter(qn(tag))):
            element.getparent().remove(element)
    for style in document.styles:
        if style.type == 1:  # paragraph
            _paragraph(style, scale)
        if style.name.startswith("Heading ") and style.name[-1].isdigit():
            # Headings larger than the text, each level a point apart at least.
            floor = point_size + max(7 - int(style.name[-1]), 1)
            if style.font.size is None or style.font.size.pt < floor:
                style.font.size = Pt(floor)
    _body_size(styles, point_size)
    hyperlink = _style(document, "Hyperlink")
    hyperlink.font.bold = True
    note_number = _style(document, "Footnote Reference")
    note_number.font.bold = True
    _raise(note_number, point_size)
    saved = io.BytesIO()
    document.save(saved)
    return zip_bytes(unzip_entries(saved.getvalue(), first="[Content_Types].xml"))


def _style(document, name: str):
    for style in document.styles:
        if style.name == name:
            return style
    raise ReferenceDocxError(
        f"the reference document has no style '{name}' (hint: has pandoc been upgraded?)"
    )


def _paragraph(style, scale: float) -> None:
    """Left-aligned, 1.5 line spacing, space around paragraphs scaled with the text."""
    fmt = style.paragraph_format
    ppr = style.element.pPr
    if style.name == "Normal" or (
        ppr is not None
        and ppr.find(qn("w:spacing")) is not None
        and ppr.find(qn("w:spacing")).get(qn("w:line")) is not None
    ):
        fmt.line_spacing = LINE_SPACING
    if fmt.alignment is not None and fmt.alignment != WD_ALIGN_PARAGRAPH.LEFT:
        fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
    for side in ("space_before", "space_after"):
        value = getattr(fmt, side)
        if value is not None:
            setattr(fmt, side, Pt(round(value.pt * scale)))


def _body_size(styles, point_size: int) -> None:
    """The document default size is the body size (styles without a size use it)."""
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for tag in ("w:sz", "w:szCs"):
        element = rpr.find(qn(tag))
        if element is None:
            element = OxmlElement(tag)
            rpr.insert_element_before(element, *_after(tag))
        element.set(qn("w:val"), str(2 * point_size))


def _raise(style, point_size: int) -> None:
    rpr = style.element.get_or_add_rPr()
    position = OxmlElement("w:position")
    position.set(qn("w:val"), str(round(2 * point_size * _RAISE)))  # half-points
    rpr.insert_element_before(position, *_after("w:position"))


# Run properties in the order OOXML requires (ECMA-376 CT_RPr), from w:position on.
_RPR_ORDER = (
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)


def _after(tag: str) -> tuple[str, ...]:
    """The run properties that must follow ``tag``."""
    return _RPR_ORDER[_RPR_ORDER.index(tag) + 1 :]
