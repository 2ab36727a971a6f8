"""Plain text: UTF-8, about 70 characters a line, for screen-reader users who ask for it and for email.

Laid out by ``plain_text`` from the same AST as every other format: headings
underlined (= for sections, - below them), lists indented, each note's
address gathered under "Notes" at the end of the section that cites it.
"""

from __future__ import annotations

from pathlib import Path

from mdguide_build.builders.base import Builder, Output
from mdguide_build.guide.content import Content
from mdguide_build.pandoc.guide import guide_document
from mdguide_build.pandoc.rewrite import spell_out_urls
from mdguide_build.writers.plain_text import render, text_blocks


def plain_text_blocks(content: Content):
    """The guide as text blocks, shared with the braille edition."""
    return text_blocks(spell_out_urls(guide_document(content, "web")))


class TxtBuilder(Builder):
    name = "txt"
    summary = (
        "Plain text (UTF-8, 70 columns, addresses in notes after each section): "
        "for screen-reader users who ask for it and for email."
    )

    def outputs(self, content: Content) -> list[Output]:
        text = render(plain_text_blocks(content))

        def write(path: Path) -> None:
            path.write_text(text, encoding="utf-8", newline="\n")

        return [Output(f"{content.guide.slug}.txt", self.fingerprint(text), write)]
