"""Where the marked-up text lives in each kind of content file.

One walker, shared by the loader (to check markup and references) and by the
tests (to prove every text reaches every output), so the two cannot disagree
about which fields are prose.
"""

from __future__ import annotations

from collections.abc import Iterator

from mdguide_build.guide import models as m

Located = tuple[str, str]  # (JSON pointer within its file, text)


def _blocks(blocks: list, base: str) -> Iterator[Located]:
    for i, block in enumerate(blocks):
        at = f"{base}/blocks/{i}"
        if isinstance(block, m.Paragraph):
            yield f"{at}/text", block.text
        elif isinstance(block, m.BulletList):
            for j, item in enumerate(block.items):
                yield f"{at}/items/{j}", item
        elif isinstance(block, m.PullQuote):
            for j, quote in enumerate(block.quotes):
                yield f"{at}/quotes/{j}/text", quote.text
        elif isinstance(block, m.CaseStudy):
            for j, paragraph in enumerate(block.paragraphs):
                yield f"{at}/paragraphs/{j}", paragraph
        elif isinstance(block, m.EditorialNote):
            yield f"{at}/text", block.text
        elif isinstance(block, m.ExtractionGap):
            yield f"{at}/note", block.note


def _section(node: m.SectionFile | m.Subsection, base: str) -> Iterator[Located]:
    yield from _blocks(node.blocks, base)
    for i, child in enumerate(node.subsections):
        yield from _section(child, f"{base}/subsections/{i}")


def marked_texts(model: m.ContentFile) -> Iterator[Located]:
    """Every field of ``model`` that holds inline markup, with its pointer."""
    if isinstance(model, m.SectionFile):
        yield from _section(model, "")
    elif isinstance(model, m.ForewordFile):
        for i, paragraph in enumerate(model.paragraphs):
            yield f"/paragraphs/{i}", paragraph
    elif isinstance(model, m.PersonSpecificationFile):
        for g, group in enumerate(model.groups):
            yield f"/groups/{g}/lead", group.lead
            for c, criterion in enumerate(group.criteria):
                yield f"/groups/{g}/criteria/{c}/text", criterion.text
                for q, question in enumerate(criterion.questions):
                    yield f"/groups/{g}/criteria/{c}/questions/{q}", question
    elif isinstance(model, m.FiguresFile):
        for f, figure in enumerate(model.figures):
            yield f"/figures/{f}/description/lead", figure.description.lead
            for i, item in enumerate(figure.description.items):
                yield f"/figures/{f}/description/items/{i}", item
    elif isinstance(model, m.BackMatterFile):
        for i, paragraph in enumerate(model.about):
            yield f"/about/{i}", paragraph
        yield "/social", model.social


def block_texts(block: object) -> list[str]:
    """The guide's own words in a block, in reading order (editorial notes have none)."""
    if isinstance(block, m.Paragraph):
        return [block.text]
    if isinstance(block, m.BulletList):
        return list(block.items)
    if isinstance(block, m.PullQuote):
        return [quote.text for quote in block.quotes]
    if isinstance(block, m.CaseStudy):
        return list(block.paragraphs)
    if isinstance(block, m.Criterion):
        return [block.text, *block.questions]
    return []


def iter_blocks(node: m.SectionFile | m.Subsection, base: str = "") -> Iterator[tuple[str, object]]:
    """Every block of a section and its subsections, with its pointer."""
    for i, block in enumerate(node.blocks):
        yield f"{base}/blocks/{i}", block
    for i, child in enumerate(node.subsections):
        yield from iter_blocks(child, f"{base}/subsections/{i}")


def iter_subsections(
    node: m.SectionFile | m.Subsection, base: str = ""
) -> Iterator[tuple[str, m.Subsection]]:
    for i, child in enumerate(node.subsections):
        at = f"{base}/subsections/{i}"
        yield at, child
        yield from iter_subsections(child, at)
