"""Counts of what the content holds, for `mdguide validate` and reports."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from mdguide_build.guide import models as m
from mdguide_build.guide.content import Content
from mdguide_build.guide.texts import iter_blocks


@dataclass(frozen=True)
class Inventory:
    sections: int
    paragraphs: int
    list_items: int
    quotes: int
    case_studies: int
    criteria: int
    prompting_questions: int
    figures: int
    resources: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def line(self) -> str:
        return (
            f"{_n(self.sections, 'section')}, {_n(self.paragraphs, 'paragraph')}, "
            f"{_n(self.quotes, 'pull quote')}, {_n(self.case_studies, 'case study', 'case studies')}, "
            f"{_n(self.criteria, 'criterion', 'criteria')} with "
            f"{_n(self.prompting_questions, 'prompting question')}, {_n(self.figures, 'figure')}, "
            f"{_n(self.resources, 'resource')}"
        )


def _n(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def take_inventory(content: Content) -> Inventory:
    paragraphs = len(content.foreword.paragraphs) + len(content.back_matter.about)
    list_items = quotes = case_studies = 0
    for section in content.sections:
        for _, block in iter_blocks(section):
            if isinstance(block, m.Paragraph):
                paragraphs += 1
            elif isinstance(block, m.BulletList):
                list_items += len(block.items)
            elif isinstance(block, m.PullQuote):
                quotes += len(block.quotes)
            elif isinstance(block, m.CaseStudy):
                case_studies += 1
                paragraphs += len(block.paragraphs)
    criteria = [c for g in content.person_specification.groups for c in g.criteria]
    return Inventory(
        sections=len(content.sections),
        paragraphs=paragraphs,
        list_items=list_items,
        quotes=quotes,
        case_studies=case_studies,
        criteria=len(criteria),
        prompting_questions=sum(len(c.questions) for c in criteria),
        figures=len(content.figures.figures),
        resources=len(content.resources.resources),
    )
