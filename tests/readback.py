"""Reading each output back as a reader's software does: its text in reading order, and a PDF's furniture.

The texts go to ``alignment.align`` with the units of ``expected.py``.  Each
reader is independent of the builders: lxml for HTML and XHTML (EPUB in spine
order), the DOCX package's XML parts, poppler's ``pdftotext`` for PDFs, and
liblouis's back-translation for braille.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
import zipfile
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from validators import lou_back_translate, pdftotext

XHTML = "{http://www.w3.org/1999/xhtml}"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Elements that end a line of text: their words never run into the next element's.
BLOCKS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "caption",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "label",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
    "input",
}
SKIPPED = {"head", "script", "style", "template"}


def element_text(root: etree._Element) -> str:
    """The text of an (X)HTML element in document order, with a line break at every block's edges."""
    out: list[str] = []

    def walk(element) -> None:
        tag = etree.QName(element).localname if isinstance(element.tag, str) else None
        if tag in SKIPPED:
            return
        block = tag in BLOCKS
        if block:
            out.append("\n")
        if tag is not None and element.text:
            out.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                out.append(child.tail)
        if block:
            out.append("\n")

    walk(root)
    return "".join(out)


def html_text(path: Path) -> str:
    """An HTML page's body."""
    return element_text(lxml_html.parse(str(path)).getroot().body)


def epub_spine(path: Path) -> list[tuple[str, etree._Element]]:
    """The EPUB's documents in spine order: (path in the zip, parsed XHTML)."""
    with zipfile.ZipFile(path) as book:
        container = etree.fromstring(book.read("META-INF/container.xml"))
        opf_path = container.find(".//{*}rootfile").get("full-path")
        opf = etree.fromstring(book.read(opf_path))
        base = posixpath.dirname(opf_path)
        href = {
            i.get("id"): posixpath.normpath(posixpath.join(base, i.get("href")))
            for i in opf.iter("{http://www.idpf.org/2007/opf}item")
        }
        spine = [href[r.get("idref")] for r in opf.iter("{http://www.idpf.org/2007/opf}itemref")]
        return [(name, etree.fromstring(book.read(name))) for name in spine]


def epub_text(path: Path) -> str:
    """The bodies of an EPUB's documents, in spine order."""
    return "\n".join(element_text(root.find(f"{XHTML}body")) for _, root in epub_spine(path))


def docx_text(path: Path, part: str = "word/document.xml") -> str:
    """The text of a DOCX part in document order: paragraphs on lines, breaks and tabs as spaces.

    For ``word/footnotes.xml`` only the notes themselves count, not Word's separator notes.
    """
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read(part))
    out: list[str] = []
    for element in root.iter(f"{W}p", f"{W}t", f"{W}br", f"{W}tab", f"{W}cr", f"{W}footnote"):
        if element.tag == f"{W}footnote" and element.get(f"{W}type") is not None:
            continue
        if any(a.tag == f"{W}footnote" and a.get(f"{W}type") is not None for a in element.iterancestors()):
            continue
        if element.tag == f"{W}t":
            out.append(element.text or "")
        elif element.tag == f"{W}p" or element.tag == f"{W}footnote":
            out.append("\n")
        else:
            out.append(" ")
    return "".join(out)


def pdf_text(path: Path) -> str:
    return pdftotext(path, layout=True)


def squeeze(text: str) -> str:
    """No whitespace, no hyphens (a line may end at one), ligatures folded: what a line break cannot change.

    For a text that must be printed whole and as it is, an address or a literal string, where
    ``alignment``'s words would not see a character dropped."""
    return re.sub(r"[\s\u00ad\u2010-]+", "", unicodedata.normalize("NFKC", text))


def brf_pages(path: Path) -> list[list[str]]:
    """A BRF file's pages, each a list of its lines (the first is the braille page number)."""
    data = path.read_bytes().decode("ascii")
    assert data.endswith("\r\n\f"), f"{path.name}: a BRF file ends with a form feed after the last line"
    return [page.split("\r\n")[:-1] for page in data.split("\f")[:-1]]


# A number, in braille ASCII: the numeric indicator, then digits (A-J), full stops (4) and commas (1).
_NUMBER_THEN_NUMERIC_SPACE = re.compile(r'(#[A-J41]*[A-J])"(?=[A-J])')


def brf_text(path: Path) -> str:
    """A BRF file back-translated to print by liblouis, without the page number lines.

    liblouis brails "3.2.1 360" with a numeric space (dot 5) between the two
    numbers but cannot back-translate one ("3.2.1\\5/cfj"): it is read here as a
    space and a new number, which is what it stands for.
    """
    lines = [line.strip() for page in brf_pages(path) for line in page[1:]]
    lines = [_NUMBER_THEN_NUMERIC_SPACE.sub(r"\1 #", line) for line in lines]
    return lou_back_translate("\n".join(lines) + "\n")


def read_back(fmt: str, path: Path) -> str:
    """The text of an output of format ``fmt``, in reading order."""
    if path.suffix == ".html":
        return html_text(path)
    if path.suffix == ".epub":
        return epub_text(path)
    if path.suffix == ".docx":
        return docx_text(path)
    if path.suffix == ".pdf":
        return pdf_text(path)
    if path.suffix == ".brf":
        return brf_text(path)
    return path.read_bytes().decode("utf-8")  # strict: bad UTF-8 fails


# --- PDF ----------------------------------------------------------------------------


def pdf_text_sizes(path, pages: slice = slice(None)) -> dict[float, int]:
    """Characters of text by the size they are set in (points), read from the page contents."""
    import math
    from collections import Counter

    from pypdf import PdfReader

    sizes: Counter = Counter()
    for page in PdfReader(path).pages[pages]:

        def visit(text, cm, tm, font, font_size):
            if text.strip():
                scale = math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])
                sizes[round(font_size * scale, 2)] += len(text.strip())

        page.extract_text(visitor_text=visit)
    return dict(sizes)


def outline_titles(path) -> list[tuple[int, str]]:
    """The bookmarks, depth first: (level, title)."""
    from pypdf import PdfReader

    out: list[tuple[int, str]] = []

    def walk(items, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                out.append((level, item.title))

    walk(PdfReader(path).outline, 1)
    return out


def structure_headings(path) -> list[str]:
    """The heading tags (/H1 ... /H6) of the structure tree, in its (reading) order."""
    from pypdf import PdfReader

    root = PdfReader(path).trailer["/Root"]
    out: list[str] = []

    def walk(element) -> None:
        element = element.get_object()
        if not hasattr(element, "get"):
            return
        tag = element.get("/S")
        if tag in ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6"):
            out.append(str(tag)[1:])
        kids = element.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            if hasattr(kid, "get_object"):
                walk(kid)

    walk(root["/StructTreeRoot"])
    return out


def pdfua_part(xmp: str) -> str | None:
    """The PDF/UA part the XMP metadata claims (RDF allows it as an attribute or as an element)."""
    from lxml import etree

    ns = "http://www.aiim.org/pdfua/ns/id/"
    root = etree.fromstring(xmp.encode("utf-8"))
    for description in root.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"):
        value = description.get(f"{{{ns}}}part") or description.findtext(f"{{{ns}}}part")
        if value:
            return value.strip()
    return None


def xmp_title(xmp: str) -> str | None:
    """The title (dc:title) in the XMP metadata."""
    from lxml import etree

    found = etree.fromstring(xmp.encode("utf-8")).find(
        ".//{http://purl.org/dc/elements/1.1/}title//{http://www.w3.org/1999/02/22-rdf-syntax-ns#}li"
    )
    return None if found is None else found.text


def link_targets(path) -> set[str]:
    from pypdf import PdfReader

    targets = set()
    for page in PdfReader(path).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and action.get("/URI"):
                targets.add(str(action["/URI"]))
    return targets
