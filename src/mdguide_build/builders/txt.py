"""Plain text: UTF-8, about 70 characters a line, for screen-reader users who ask for it and for email.

Laid out by ``plain_text`` from the same AST as every other format: a
contents list, numbered headings set off by blank lines, figure descriptions
and case studies between start and end marks, lists indented, and each
note's resource title and address gathered under "Notes" at the end of the
section that cites it.
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
    return text_blocks(spell_out_urls(guide_document(content, "web")), resource_titles(content))


def resource_titles(content: Content) -> dict[str, str]:
    """Each resource's address -> the words the guide links to it with, for notes that follow none."""
    titles = {}
    for resource in content.resources.resources:
        if resource.link_texts:
            for url in filter(None, (resource.url, resource.current_url)):
                titles[url] = resource.link_texts[0]
    return titles


class TxtBuilder(Builder):
    name = "txt"
    summary = (
        "Plain text (UTF-8, 70 columns, a contents list, numbered headings, notes after each section): "
        "for screen-reader users who ask for it and for email."
    )

    def outputs(self, content: Content) -> list[Output]:
        text = render(plain_text_blocks(content))

        def write(path: Path) -> None:
            path.write_text(text, encoding="utf-8", newline="\n")

        return [Output(f"{content.guide.slug}.txt", self.fingerprint(text), write)]
