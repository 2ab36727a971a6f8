"""The WeasyPrint route mdguide used until Typst replaced it, kept to measure the two side by side.

Not part of mdguide: ``bench/pdf_engines.py`` runs it.  Same documents as the
Typst writer (``writers/pdf.py``): the guide's "web" AST with addresses spelled
out (and emphasis in bold for large print), notes as CSS page footnotes, pandoc
HTML with the print template and stylesheets of this folder, WeasyPrint PDF/UA-1;
the handout is its finished web page made for paper, as the handouts builder did.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from string import Template

from lxml import etree
from lxml import html as lxml_html

from mdguide_build.builders.html import Endnotes
from mdguide_build.guide import handouts as ho
from mdguide_build.pandoc import ast as pa
from mdguide_build.pandoc import runner as pandoc
from mdguide_build.pandoc.guide import guide_document
from mdguide_build.pandoc.handout import CHECKBOX, web_document
from mdguide_build.pandoc.rewrite import emphasis_to_strong, map_inlines, spell_out_urls
from mdguide_build.writers import handout_html as handout_page

HERE = Path(__file__).resolve().parent
FONT = "'Liberation Sans', Arial, Helvetica, sans-serif"


@dataclass(frozen=True)
class Look:
    body: float
    small: float
    note: float
    quote: float
    title: float
    h2: float
    h3: float
    h4: float
    h5: float
    leading: float
    note_call_align: str
    note_call_size: str
    note_call_weight: str
    accent: str = "#003087"
    link: str = "#005eb8"
    font: str = FONT


STANDARD = Look(11, 9, 9, 13, 30, 20, 15, 13, 12, 1.45, "super", "75%", "normal")


def large_print_look(size: int) -> Look:
    def scaled(factor: float) -> float:
        return round(size * factor * 2) / 2

    return Look(
        size,
        size,
        size,
        scaled(1.1),
        scaled(1.8),
        scaled(1.5),
        scaled(1.3),
        scaled(1.15),
        scaled(1.08),
        1.5,
        "baseline",
        "100%",
        "bold",
        link="#003087",
    )


def _notes_to_footnotes(document: pa.Document) -> pa.Document:
    def inlines_of(blocks) -> list[pa.Inline]:
        out: list[pa.Inline] = []
        for block in blocks:
            if out:
                out.append(pa.Space())
            out.extend(block.content)
        return out

    def rewrite(inlines: list[pa.Inline]) -> list[pa.Inline]:
        return [
            pa.Span(inlines_of(i.blocks), pa.Attr(classes=["footnote"])) if isinstance(i, pa.Note) else i
            for i in inlines
        ]

    return map_inlines(document, rewrite)


def guide_html(content, large_print: bool, point_size: int = 18) -> str:
    guide = content.guide

    def dates(_content) -> dict[str, pa.MetaValue]:
        return {"created": pa.MetaString(guide.published), "modified": pa.MetaString(guide.edition.date)}

    document = spell_out_urls(guide_document(content, "web", extra_meta=dates))
    if large_print:
        document = emphasis_to_strong(document)
    document = _notes_to_footnotes(document)
    look = large_print_look(point_size) if large_print else STANDARD
    css = Template((HERE / "print.css").read_text(encoding="utf-8")).substitute(asdict(look))
    if large_print:
        css += "\n" + (HERE / "large-print.css").read_text(encoding="utf-8")
    html = pandoc.convert(
        document,
        "html5",
        extra_args=[
            "--standalone",
            f"--template={HERE / 'template.html'}",
            "--toc",
            "--toc-depth=3",
            "--shift-heading-level-by=1",
            "--wrap=none",
            f"--variable=inline-css:{css}",
        ],
    )
    return html.decode("utf-8")


def handout_html(content, role: str) -> str:
    handout = ho.select(content, role)
    page = handout_page.render_html(web_document(content, handout, Endnotes()).to_json_text())
    tree = lxml_html.document_fromstring(page)
    for box in tree.xpath('//input[@type="checkbox"]'):
        mark = etree.Element("span", {"class": "box"})
        mark.text, mark.tail = CHECKBOX, box.tail
        box.getparent().replace(box, mark)
    for label in tree.xpath("//label"):
        label.tag = "span"
        label.attrib.clear()
        label.set("class", "criterion-text")
    for link in handout_page._classed(tree, "a", "guide-link"):
        link.tag = "span"
        link.attrib.clear()
    notes = {
        f"#{item.get('id')}": item.xpath('.//a[contains(@class, "url")]/@href')
        for item in tree.xpath('//*[starts-with(@id, "note-") and not(starts-with(@id, "note-ref"))]')
    }
    for link in handout_page._classed(tree, "a", "resource"):
        passage = next(link.iterancestors("p", "li", "div"))
        given = {
            url
            for ref in passage.xpath('.//a[contains(@class, "note-ref")]/@href')
            for url in notes.get(ref, [])
        }
        if link.get("href") not in given:
            link.set("class", f"{link.get('class')} print-url")
    return lxml_html.tostring(tree, doctype="<!DOCTYPE html>", encoding="utf-8").decode("utf-8")


def write_pdf(html: str, path: Path, identifier: str) -> None:
    import weasyprint

    def refuse(url, *args, **kwargs):
        raise ValueError(f"nothing may be fetched: {url}")

    document = weasyprint.HTML(string=html, base_url=str(HERE), url_fetcher=refuse)
    document.write_pdf(
        path,
        pdf_variant="pdf/ua-1",
        pdf_identifier=hashlib.sha256(identifier.encode()).hexdigest()[:32].encode("ascii"),
    )
