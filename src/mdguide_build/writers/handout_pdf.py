"""A handout on paper: its web page's pandoc document made for paper, and the A4 PDF of it.

``paper_document`` changes only what paper needs: boxes to tick, no links
that paper cannot follow ("read more" names the part, and the foot gives the
guide's address in full; no "back to reference"), note numbers raised, and
a linked phrase's address printed after it unless its note in the same
passage gives it.  ``write_pdf`` lays it out with the one PDF writer
(``writers.pdf``, Typst, tagged PDF/UA-1, A4): at most ``MAX_PAGES`` pages,
or the build fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mdguide_build.pandoc import ast as pa
from mdguide_build.pandoc.handout import CHECKBOX
from mdguide_build.pandoc.rewrite import map_blocks, map_inlines, spell_out_urls, walk_inlines
from mdguide_build.writers import pdf as print_pdf
from mdguide_build.writers.handout_html import HandoutError

MAX_PAGES = 4
ASSET_FILES = print_pdf.ASSET_FILES

# Paper's own look for the handout's blocks (see print_pdf.BLOCK_STYLES).
PAPER_STYLES = {
    **print_pdf.BLOCK_STYLES,
    "check-item": {"text:weight": '"bold"', "below": "0.35em"},
    "check-entry": {
        "width": "100%",
        "stroke": "(top: rule)",
        "inset": "(y: 0.35em)",
        "above": "0pt",
        "below": "0pt",
    },
}
# A note's number in the text, raised and smaller, as a superscript (the AST has none).
_RAISED = (("typst:text:baseline", "-0.3em"), ("typst:text:size", "0.75em"))


def paper_document(document: pa.Document, note_urls: Sequence[str]) -> pa.Document:
    """The handout's web document made for paper; ``note_urls`` are its endnotes' addresses, in order."""

    def noted(inlines) -> set[str]:
        refs = [n for n in walk_inlines(inlines) if isinstance(n, pa.Link) and "note-ref" in n.attr.classes]
        return {note_urls[int(ref.url.removeprefix("#note-")) - 1] for ref in refs}

    def inlines(nodes: list[pa.Inline]) -> list[pa.Inline]:
        out: list[pa.Inline] = []
        for node in nodes:
            if isinstance(node, pa.Link) and "guide-link" in node.attr.classes:
                node = pa.Span(node.content)
            elif isinstance(node, pa.Link) and "note-ref" in node.attr.classes:
                node = pa.Span([node], pa.Attr(attributes=_RAISED))
            out.append(node)
        return out

    def blocks(block: pa.Block) -> pa.Block:
        if isinstance(block, pa.Div) and "check-item" in block.attr.classes:
            (first, *rest) = block.blocks
            block = pa.Div([pa.Plain([pa.Str(CHECKBOX), pa.Space(), *first.content]), *rest], block.attr)
        elif isinstance(block, pa.Div) and "checklist" in block.attr.classes:
            # On paper the box is the marker: each criterion between rules, without a bullet.
            (criteria,) = block.blocks
            block = pa.Div(
                [pa.Div(item, pa.Attr(classes=["check-entry"])) for item in criteria.items], block.attr
            )
        elif isinstance(block, pa.Div) and "note" in block.attr.classes:
            block = pa.Div([b for b in block.blocks if not _is_back_link(b)], block.attr)
        return block

    document = map_inlines(map_blocks(spell_out_urls(document, noted), blocks), inlines)
    return print_pdf.styled(document, PAPER_STYLES)


def _is_back_link(block: pa.Block) -> bool:
    return isinstance(block, pa.Para) and any(
        isinstance(n, pa.Link) and "note-back" in n.attr.classes for n in block.content
    )


def write_pdf(document: pa.Document | str, path: Path, name: str, date: tuple[int, int, int]) -> int:
    """The handout for paper as a tagged A4 PDF at ``path``; return its page count."""
    pdf, pages = print_pdf.compile_pdf(
        print_pdf.typst_source(document, print_pdf.HANDOUT_TEMPLATE, print_pdf.HANDOUT, date)
    )
    if pages > MAX_PAGES:
        raise HandoutError(
            f"{name}: {pages} pages, more than the {MAX_PAGES} a handout may have "
            "(hint: tag fewer items for this role in content/)"
        )
    path.write_bytes(pdf)
    return pages
