"""A realistic edition 1.1, made on a copy of content/ as an editor makes it (docs/editing.md).

* a moved link: HQIP moved its guide to quality improvement methods; the printed address stays;
* a new paragraph for edition 1.1, citing a new resource;
* a fourth case study, new in edition 1.1;
* edition 1.1 recorded in guide.json, with 1.0 in its history.

Several test files use it (fidelity, the outputs, `mdguide diff`), so they all
speak of the same edition.
"""

from __future__ import annotations

import json
from pathlib import Path

from mdguide_build.validate.loader import dump_json

S2 = "sections/2-skills-and-experience.json"
S3 = "sections/3-how-do-i-prepare.json"

MOVED = "hqip-guide-to-qi-methods"
MOVED_FROM = "http://www.hqip.org.uk/resources/guide-to-quality-improvement-methods/"
MOVED_TO = "https://www.hqip.org.uk/resource/guide-to-quality-improvement-methods/"
EDITION = {
    "version": "1.1",
    "date": "2026-03",
    "note": "A fourth case study, a course on resilience, and the new address of HQIP's guide to quality "
    "improvement methods.",
}
CASE_STUDY = {
    "type": "case-study",
    "id": "case-study-amira-hassan",
    "since": "1.1",
    "person": {
        "name": "Dr Amira Hassan",
        "title": "Medical Director",
        "organisation": "Northshire Community Health NHS Trust",
    },
    "paragraphs": [
        "I became a medical director in 2023, after six years as a clinical director in community services.",
        "What helped most was a mentor outside my own trust, and *Developing people – improving care*."
        "[^nhsi-developing-people-improving-care]",
    ],
}
NEW_RESOURCE = {
    "id": "nhse-building-resilience",
    "url": "https://www.england.nhs.uk/building-resilience/",
    "link_texts": ["NHS England"],
    "since": "1.1",
}
NEW_PARAGRAPH = {
    "type": "paragraph",
    "since": "1.1",
    "text": "*Building resilience in the NHS workforce* is a free online course from [NHS England][nhse-building-"
    "resilience] for clinicians who lead teams.[^nhse-building-resilience]",
}


def edit(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(dump_json(data), encoding="utf-8")


def node(tree: dict, ident: str) -> dict:
    """The section or subsection with this id, at any depth."""
    if tree.get("id") == ident:
        return tree
    for child in tree.get("subsections", []):
        found = node(child, ident)
        if found:
            return found
    return {}


def record_edition(content: Path) -> None:
    def guide(d):
        d["history"] = [d["edition"], *d["history"]]
        d["edition"] = dict(EDITION)

    edit(content / "guide.json", guide)


def move_link(content: Path) -> None:
    def resources(d):
        moved = next(r for r in d["resources"] if r["id"] == MOVED)
        moved.update(status="moved", checked="2026-02-20", current_url=MOVED_TO)

    edit(content / "resources.json", resources)


def add_case_study(content: Path, case_study: dict = CASE_STUDY) -> None:
    def section(d):
        blocks = node(d, "the-person-specification")["blocks"]
        after = next(i for i, b in enumerate(blocks) if b.get("id") == "case-study-karen-slade")
        blocks.insert(after + 1, dict(case_study))

    edit(content / S2, section)


def add_paragraph(content: Path, paragraph: dict = NEW_PARAGRAPH, resource: dict = NEW_RESOURCE) -> None:
    def section(d):
        blocks = node(d, "resilience")["blocks"]
        neighbour = next(b for b in blocks if b["type"] == "paragraph")
        blocks.append({**paragraph, "handout": neighbour["handout"]})

    edit(content / S3, section)
    edit(content / "resources.json", lambda d: d["resources"].append(dict(resource)))


def make(content: Path) -> Path:
    """Turn the copy of content/ at ``content`` into edition 1.1."""
    record_edition(content)
    move_link(content)
    add_paragraph(content)
    add_case_study(content)
    return content
