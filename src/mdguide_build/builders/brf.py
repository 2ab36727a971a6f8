"""Braille-ready file: Unified English Braille grade 2, formatted 40 cells by 25 lines.

The text is the plain-text edition's (``builders.txt.plain_text_blocks``),
translated and laid out by ``braille``.  Beside the BRF ships a preview: the
print text that was translated, in braille order, marked with where each
braille page begins, so a sighted transcriber or checker can follow along.
"""

from __future__ import annotations

import functools
import textwrap
from pathlib import Path

from mdguide_build.builders.base import Builder, Output
from mdguide_build.builders.txt import plain_text_blocks
from mdguide_build.guide.content import Content
from mdguide_build.writers import braille
from mdguide_build.writers.plain_text import TextBlock, render_block


@functools.lru_cache(maxsize=4)
def _book(blocks: tuple[TextBlock, ...]) -> braille.BrailleBook:
    # Both outputs need the same layout; builds run them side by side, so make it once.
    return braille.layout(list(blocks))


def preview(blocks: tuple[TextBlock, ...], book: braille.BrailleBook, brf_name: str) -> str:
    """The print text of the BRF, 40 characters a line, with a marker line where each braille page begins."""
    pages_at: dict[int, list[tuple[int, int]]] = {}
    for page in range(1, len(book.pages) + 1):
        owner = max((i for i, (p, line) in enumerate(book.starts) if (p, line) <= (page, 2)), default=0)
        pages_at.setdefault(owner, []).append((page, book.starts[owner][0]))
    note = (
        f"Editorial note: this file is not part of the guide. It is the print text of {brf_name}, "
        "the braille edition (Unified English Braille, grade 2, 40 cells by 25 lines), in the order it "
        "is brailled, 40 characters a line. A line '--- braille page N ---' marks where each braille "
        "page begins; '--- braille page N began above ---' follows the text in which it begins."
    )
    out = textwrap.wrap(note, braille.CELLS, break_on_hyphens=False)
    for index, block in enumerate(blocks):
        marks = pages_at.get(index, [])
        if marks or not (
            block.kind == "contents" == blocks[index - 1].kind
        ):  # the contents list is one block
            out.append("")
        for page, starts_on in marks:
            if starts_on == page:
                out.append(f"--- braille page {page} ---")
        out.extend(render_block(block, braille.CELLS, break_long_words=True))
        for page, starts_on in marks:
            if starts_on != page:
                out.append(f"--- braille page {page} began above ---")
    return "\n".join(out) + "\n"


class BrfBuilder(Builder):
    name = "brf"
    summary = (
        "Braille-ready file, Unified English Braille grade 2 (40 cells x 25 lines), with a print "
        "preview: for braille readers, embossers and braille displays."
    )

    def outputs(self, content: Content) -> list[Output]:
        blocks = tuple(plain_text_blocks(content))
        slug = content.guide.slug
        fingerprint = self.fingerprint(repr(blocks), braille.TABLES, braille.liblouis_version())

        def write_brf(path: Path) -> None:
            path.write_bytes(_book(blocks).brf())

        def write_preview(path: Path) -> None:
            path.write_text(preview(blocks, _book(blocks), f"{slug}.brf"), encoding="utf-8", newline="\n")

        return [
            Output(f"{slug}.brf", fingerprint, write_brf),
            Output(f"{slug}-brf-preview.txt", fingerprint, write_preview),
        ]
