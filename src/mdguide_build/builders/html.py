"""Accessible HTML: one self-contained page, CSS inlined, no script.

The page's frame (skip link, masthead, contents, landmarks, footer) is
``assets/html/template.html``; everything inside ``<main>`` is the guide's
AST from ``to_pandoc``, in its "web" flavour, with two changes made here:

* headings move down one level (``--shift-heading-level-by=1``): the guide's
  title is the page's only ``<h1>``, in the masthead, so Foreword, Introduction
  and the numbered sections are ``<h2>``;
* the resources are endnotes that this module numbers and writes itself, not
  pandoc footnotes, whose back links are an unlabelled "↩︎".  Here each
  reference says which note it opens and each back link which reference it
  returns to, and the notes have a heading the contents can list.
"""

from __future__ import annotations

from pathlib import Path

from mdguide_build.builders.base import Builder, Output
from mdguide_build.guide import models as m
from mdguide_build.guide.content import Content
from mdguide_build.pandoc import ast as pa
from mdguide_build.pandoc.guide import Context, guide_blocks, metadata, note_lines
from mdguide_build.writers import html_page

NOTES_ID = "notes"


class Endnotes:
    """The page's notes, numbered in the order the text cites them.

    ``cite`` stands where pandoc's ``Note`` would (``Context.note``); ``blocks``
    is the notes section for the end of ``<main>``, built once every citation
    has been made.
    """

    def __init__(self) -> None:
        self.cited: list[m.Resource] = []

    @property
    def urls(self) -> list[str]:
        """The printed address of each note, in order (note n is ``urls[n - 1]``)."""
        return [resource.url for resource in self.cited]

    def cite(self, resource: m.Resource) -> pa.Inline:
        self.cited.append(resource)
        n = len(self.cited)
        return pa.Link(
            [pa.Str(str(n))],
            f"#note-{n}",
            attr=pa.Attr(
                identifier=f"note-ref-{n}",
                classes=["note-ref"],
                attributes=[("role", "doc-noteref"), ("aria-label", f"Note {n}")],
            ),
        )

    def blocks(self) -> list[pa.Block]:
        if not self.cited:
            return []
        items = []
        for n, resource in enumerate(self.cited, start=1):
            back = pa.Link(
                pa.text(f"Back to reference {n}"),
                f"#note-ref-{n}",
                attr=pa.Attr(classes=["note-back"], attributes=[("role", "doc-backlink")]),
            )
            items.append(
                [
                    pa.Div(
                        [
                            *(pa.Para(line) for line in note_lines(resource)),
                            pa.Para([back]),
                        ],
                        pa.Attr(identifier=f"note-{n}", classes=["note"]),
                    )
                ]
            )
        heading = pa.Header(1, [pa.Str("Notes")], pa.Attr(identifier=f"{NOTES_ID}-heading"))
        return [
            pa.Div(
                [heading, pa.OrderedList(items)],
                pa.Attr(
                    identifier=NOTES_ID,
                    classes=["section", "endnotes"],  # not "notes": pandoc reads that as speaker notes
                    attributes=[("role", "doc-endnotes"), ("aria-labelledby", f"{NOTES_ID}-heading")],
                ),
            )
        ]


def guide_page(content: Content, *, source_map: bool = False) -> pa.Document:
    """The guide as the web page's AST: the "web" flavour with our own endnotes.

    ``source_map``: for the live editor's page, which says where each editable part comes from.
    """
    notes = Endnotes()
    blocks = guide_blocks(Context(content, "web", note=notes.cite, source_map=source_map))
    return pa.Document([*blocks, *notes.blocks()], metadata(content))


class HtmlBuilder(Builder):
    name = "html"
    summary = (
        "Accessible web page (WCAG 2.2 AA), one self-contained file: for the web, email and screen readers."
    )
    assets = (html_page.TEMPLATE, html_page.CSS)

    def outputs(self, content: Content) -> list[Output]:
        source = html_page.PageSource.of(guide_page(content))

        def write(path: Path) -> None:
            html_page.write_page(source, path)

        return [Output(f"{content.guide.slug}.html", self.fingerprint(source.frame, *source.blocks), write)]
