"""The name of a text's place, in the words `mdguide diff` uses: "Section 4: paragraph 3".

``place_of(content, relpath, pointer)`` gives (place, what) as the diff's
``Change`` has them, so the import report names comments and unmappable
changes exactly as it names the changes it applied.
"""

from __future__ import annotations

from mdguide_build.guide import models as m
from mdguide_build.guide.content import Content
from mdguide_build.guide.numbering import figure_numbers, section_numbers
from mdguide_build.tools.content_diff.changes import SEP
from mdguide_build.tools.content_diff.recorder import capitalised
from mdguide_build.tools.content_diff.sections import FLOW_NAMES, _name, _ordinals
from mdguide_build.tools.content_diff.wording import resource_names


def place_of(content: Content, relpath: str, pointer: str) -> tuple[str, str]:
    """(place, what) for the text at ``pointer`` in ``relpath``, e.g. ("Section 4", "paragraph 3")."""
    model = content.file(relpath).model
    parts = pointer.strip("/").split("/")
    if isinstance(model, m.SectionFile):
        return _in_section(content, model, parts)
    if isinstance(model, m.ForewordFile):
        return ("Foreword", "title") if parts == ["title"] else ("Foreword", f"paragraph {int(parts[1]) + 1}")
    if isinstance(model, m.PersonSpecificationFile):
        group = model.groups[int(parts[1])]
        place = f"Person specification{SEP}{group.title}"
        if parts[2] in ("title", "lead"):
            return place, "title" if parts[2] == "title" else "opening line"
        number = int(parts[3]) + 1
        if parts[4] == "text":
            return place, f"criterion {number}"
        return f"{place}{SEP}criterion {number}", f"prompting question {int(parts[5]) + 1}"
    if isinstance(model, m.FiguresFile):
        figure = model.figures[int(parts[1])]
        number = figure_numbers(content).get(figure.id)
        place = f"Figure {number}" if number else f"Figure {figure.id}"
        if parts[-1] == "lead":
            return place, "description"
        if parts[2] == "description":
            return place, f"description item {int(parts[4]) + 1}"
        return place, parts[-1].replace("_", " ")
    if isinstance(model, m.BackMatterFile):
        place = model.contact_heading.rstrip(":")
        return (
            (place, "social media line") if parts == ["social"] else (place, f"paragraph {int(parts[1]) + 1}")
        )
    return relpath, pointer


def _in_section(content: Content, section: m.SectionFile, parts: list[str]) -> tuple[str, str]:
    number = section_numbers(content).get(section.id)
    place = f"Section {number}" if number else section.title
    node: m.SectionFile | m.Subsection = section
    i = 0
    while i < len(parts) and parts[i] == "subsections":
        node = node.subsections[int(parts[i + 1])]
        place = f"{place}{SEP}{node.title}"
        i += 2
    rest = parts[i:]
    if rest == ["title"]:
        return place, "title"
    index = int(rest[1])
    block = node.blocks[index]
    if isinstance(block, m.PullQuote):
        label = "quote" if len(block.quotes) == 1 else f"quote {int(rest[3]) + 1}"
        return capitalised(_name(block, resource_names(content))), label
    if isinstance(block, m.CaseStudy):
        return capitalised(_name(block, resource_names(content))), f"paragraph {int(rest[3]) + 1}"
    ordinal = _ordinals(node.blocks)[index] if type(block) in FLOW_NAMES else f"block {index + 1}"
    if isinstance(block, m.BulletList):
        return place, f"{ordinal}, item {int(rest[3]) + 1}"
    return place, ordinal
