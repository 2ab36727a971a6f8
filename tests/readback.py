"""What every alternative format must hold, and how to find it in text read back from the output.

Shared by tests/test_txt.py, test_pdf.py, test_large_print.py and test_brf.py.
``expected_pieces`` lists every paragraph, list item, quote, criterion,
prompting question, heading, caption, figure description, editorial note and
contact line of the guide, taken from the content (not from the builders), each
split where the output may print something of its own in the middle: a note
number, or the address spelled out after a link.  ``missing`` says which of
them a read-back text lacks.
"""

from __future__ import annotations

import re
import unicodedata

from mdguide_build.guide import inline
from mdguide_build.guide import models as m
from mdguide_build.guide.labels import attribution_text
from mdguide_build.guide.texts import iter_blocks, iter_subsections, marked_texts
from mdguide_build.pandoc import ast as pa
from mdguide_build.pandoc.guide import guide_document


def pieces(text: str) -> list[str]:
    """A marked text's words, split after each link and at each note marker."""
    out = [""]

    def walk(nodes) -> None:
        for node in nodes:
            if isinstance(node, inline.Plain):
                out[-1] += node.text
            elif isinstance(node, inline.NoteRef):
                out.append("")
            elif isinstance(node, inline.ResourceLink):
                walk(node.children)
                out.append("")
            else:
                walk(node.children)

    walk(inline.parse(text))
    return [p.strip() for p in out if p.strip()]


def expected_pieces(content, split: bool = True) -> list[str]:
    """Every text of the guide, split as ``pieces`` does (or, with ``split=False``, whole)."""
    texts = [
        content.guide.title,
        content.guide.subtitle,
        content.foreword.title,
        content.guide.statements.other_formats,
    ]
    for model in (
        content.foreword,
        *content.sections,
        content.person_specification,
        content.figures,
        content.back_matter,
    ):
        for _, text in marked_texts(model):
            texts += pieces(text) if split else [inline.plain_text(inline.parse(text))]
    texts += [line for p in content.foreword.signatories for line in (p.name, p.title, p.organisation)]
    for section in content.sections:
        texts.append(section.title)
        texts += [sub.title for _, sub in iter_subsections(section)]
        for _, block in iter_blocks(section):
            if isinstance(block, m.PullQuote):
                texts.append(attribution_text(block.attribution))
            elif isinstance(block, m.CaseStudy):
                texts += [block.person.name, f"{block.person.title}, {block.person.organisation}"]
    for group in content.person_specification.groups:
        texts.append(group.title)
    for figure in content.figures.figures:
        texts.append(figure.caption)
        if figure.image_note:
            texts.append(figure.image_note)
    for contact in content.back_matter.contacts:
        texts += [contact.organisation, *contact.address, contact.phone, contact.email, contact.website]
    return texts


def urls(content) -> list[str]:
    return [r.url for r in content.resources.resources]


def squeeze(text: str) -> str:
    """No whitespace and no hyphens (a line may end at a hyphen), ligatures folded (NFKC)."""
    return re.sub(r"[\s\u00ad\u2010-]+", "", unicodedata.normalize("NFKC", text))


def missing(
    expected: list[str], printed: str, addresses: list[str], furniture: str = r"[\d.\[\]]*"
) -> list[str]:
    """The expected texts not in ``printed``.

    A text may be cut once by the end of a page, where only page furniture
    stands between its two halves: addresses (the page's footnotes) and what
    matches ``furniture`` (page and note numbers).
    """
    squeezed = squeeze(printed)
    squeezed_addresses = sorted((squeeze(a) for a in addresses), key=len, reverse=True)
    return [
        text for text in expected if not _found(text, squeezed, squeezed_addresses, re.compile(furniture))
    ]


def _found(text: str, printed: str, addresses: list[str], furniture: re.Pattern) -> bool:
    if squeeze(text) in printed:
        return True
    words = text.split()
    for cut in range(1, len(words)):
        head, tail = squeeze(" ".join(words[:cut])), squeeze(" ".join(words[cut:]))
        start = printed.find(head)
        while start >= 0:
            end = start + len(head)
            after = printed.find(tail, end)
            if after >= end:
                gap = printed[end:after]
                for address in addresses:
                    gap = gap.replace(address, "")
                if furniture.fullmatch(gap):
                    return True
            start = printed.find(head, start + 1)
    return False


def ast_headings(content) -> list[tuple[int, str]]:
    """(level, text) of every heading of the guide's AST, in order, as the PDF shifts them (+1)."""
    found = []

    def walk(blocks) -> None:
        for block in blocks:
            if isinstance(block, pa.Header):
                found.append((block.level + 1, pa.stringify(block.content)))
            elif isinstance(block, (pa.Div, pa.Figure)):
                walk(block.blocks)

    walk(guide_document(content, "web").blocks)
    return [(1, content.guide.title), (2, "Contents"), *found]


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
