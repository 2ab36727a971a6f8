"""Numbers are computed, never typed: sections count in guide.json's order, figures in the order they are placed."""

from __future__ import annotations

from mdguide_build.guide import models as m
from mdguide_build.guide.content import Content


def figure_numbers(content: Content) -> dict[str, int]:
    numbers: dict[str, int] = {}
    for section in content.sections:
        for block in _all_blocks(section):
            if isinstance(block, m.FigureRef) and block.figure not in numbers:
                numbers[block.figure] = len(numbers) + 1
    return numbers


def _all_blocks(node: m.SectionFile | m.Subsection):
    yield from node.blocks
    for child in node.subsections:
        yield from _all_blocks(child)


def section_numbers(content: Content) -> dict[str, int]:
    """Numbered sections count from 1 in reading order; unnumbered ones are skipped."""
    numbers, n = {}, 0
    for section in content.sections:
        if section.numbered:
            n += 1
            numbers[section.id] = n
    return numbers
