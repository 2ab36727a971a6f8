"""Rewrites of the guide's pandoc document for the alternative formats.

Pure functions, Document in and Document out, built on one generic walker
over the typed AST (``pandoc_ast``), so the alternative formats start from the
very document the other formats use and only change how it is shown:

* ``emphasis_to_strong`` — large print has no italics (UKAAF clear print);
* ``spell_out_urls`` — on paper a link is just words: a resource link whose
  address is not given in a note of the same paragraph gets the address
  printed after it, so every resource's URL is readable;
* ``map_blocks`` — a block-level rewrite (the PDF's look in
  ``writers.pdf.styled``; the handout made for paper).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence

from mdguide_build.pandoc import ast as pa

InlineRewrite = Callable[[list[pa.Inline]], list[pa.Inline]]
BlockRewrite = Callable[[pa.Block], pa.Block]


def map_inlines(document: pa.Document, rewrite: InlineRewrite) -> pa.Document:
    """Apply ``rewrite`` to every sequence of inlines, innermost first."""
    return pa.Document([_element(b, rewrite) for b in document.blocks], document.meta)


def _element(node: pa.Element, rewrite: InlineRewrite) -> pa.Element:
    changes = {}
    for spec in dataclasses.fields(node):
        value = getattr(node, spec.name)
        new = _value(value, rewrite)
        if new is not value:
            changes[spec.name] = new
    return dataclasses.replace(node, **changes) if changes else node


def _value(value: object, rewrite: InlineRewrite) -> object:
    if isinstance(value, pa.Element):
        return _element(value, rewrite)
    if isinstance(value, tuple) and value and not isinstance(value[0], str):
        items = [_value(item, rewrite) for item in value]
        if all(isinstance(item, pa.Inline) for item in items):
            return tuple(rewrite(items))
        return tuple(items)
    return value  # str, int, Attr, None, (): nothing inside to rewrite


def walk_inlines(inlines: Sequence[pa.Inline]):
    for node in inlines:
        yield node
        if isinstance(node, pa.Note):
            for block in node.blocks:
                yield from walk_inlines(getattr(block, "content", ()))
        else:
            yield from walk_inlines(getattr(node, "content", ()))


def emphasis_to_strong(document: pa.Document) -> pa.Document:
    """Emphasis becomes bold: large print avoids italics."""

    def rewrite(inlines: list[pa.Inline]) -> list[pa.Inline]:
        return [pa.Strong(i.content) if isinstance(i, pa.Emph) else i for i in inlines]

    return map_inlines(document, rewrite)


def map_blocks(document: pa.Document, rewrite: BlockRewrite) -> pa.Document:
    """Apply ``rewrite`` to every block (those inside it first), list items included."""
    return pa.Document([_map_block(b, rewrite) for b in document.blocks], document.meta)


def _map_block(block: pa.Block, rewrite: BlockRewrite) -> pa.Block:
    changes = {}
    for spec in dataclasses.fields(block):
        value = getattr(block, spec.name)
        if isinstance(value, tuple) and value and isinstance(value[0], pa.Block):
            changes[spec.name] = [_map_block(b, rewrite) for b in value]
        elif isinstance(value, tuple) and value and isinstance(value[0], tuple):  # list items
            changes[spec.name] = [[_map_block(b, rewrite) for b in item] for item in value]
    return rewrite(dataclasses.replace(block, **changes) if changes else block)


def notes_in(inlines: Iterable[pa.Inline]) -> set[str]:
    """The addresses the footnotes among ``inlines`` give."""
    return {n.url for n in walk_inlines(inlines) if isinstance(n, pa.Link) and "url" in n.attr.classes}


def spell_out_urls(
    document: pa.Document, noted: Callable[[Sequence[pa.Inline]], set[str]] = notes_in
) -> pa.Document:
    """Print a resource link's address after it, unless a note in the same paragraph gives it.

    ``noted(inlines)`` says which addresses a paragraph's notes give: by default
    those in its footnotes; a page with endnotes says where its note references point.
    """
    return pa.Document([_spell_out_block(b, noted) for b in document.blocks], document.meta)


def _spell_out_block(block: pa.Block, noted_in) -> pa.Block:
    if isinstance(block, (pa.Para, pa.Plain, pa.Header)):
        noted = noted_in(block.content)

        def rewrite(inlines: list[pa.Inline]) -> list[pa.Inline]:
            out: list[pa.Inline] = []
            for node in inlines:
                out.append(node)
                if isinstance(node, pa.Link) and "resource" in node.attr.classes and node.url not in noted:
                    out.extend(
                        [
                            pa.Space(),
                            pa.Str("("),
                            pa.Link([pa.Str(node.url)], node.url, attr=pa.Attr(classes=["url"])),
                            pa.Str(")"),
                        ]
                    )
            return out

        return _element(block, rewrite)
    changes = {}
    for spec in dataclasses.fields(block):
        value = getattr(block, spec.name)
        new = _spell_out_value(value, noted_in)
        if new is not value:
            changes[spec.name] = new
    return dataclasses.replace(block, **changes) if changes else block


def _spell_out_value(value: object, noted_in) -> object:
    if isinstance(value, pa.Block):
        return _spell_out_block(value, noted_in)
    if isinstance(value, tuple) and value and isinstance(value[0], (pa.Block, tuple)):
        return tuple(_spell_out_value(v, noted_in) for v in value)
    return value
