"""Fidelity: the content holds every line of the 2017 guide, and nothing else as the guide's words.

Checked against the text extracted from the PDF (source/ in the repository), both ways:

* every non-blank line of the source that is the guide's text appears verbatim
  in the content (with markup stripped), except the lines listed in SKIPPED;
* every guide-text string of the content is a contiguous run of the source's
  words, so nothing is paraphrased, "fixed" or invented;
* all 40 footnote URLs are exactly as printed.

Editorial text (figure descriptions, editorial notes, the extraction-gap note,
metadata) is not the guide's and is excluded here by construction.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from expected import LOGO_LINES, SOURCE, SUPERSCRIPTS
from expected import source_lines as read_source_lines
from mdguide_build.guide import inline
from mdguide_build.guide import models as m
from mdguide_build.guide.texts import iter_blocks, iter_subsections

ROOT = Path(__file__).resolve().parent.parent
# Recorded in source/README.md: the source is the reference, never edited to fit the content.
SOURCE_SHA256 = "ffc817cdc319d77a1c4c4ecb42f1de44572101cd8edbb2f17186afde5788110f"
COVER_LINES = {"June 2017"}  # held as data: guide.json "published": "2017-06"


def _source_lines() -> list[str]:
    return [_strip_source(text) for _, text in read_source_lines()]


def _strip_source(text: str) -> str:
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # [phrase](#) -> phrase
    text = re.sub(f"[{SUPERSCRIPTS}]+", "", text)
    text = text.replace("**", "")
    text = re.sub(r"\*([^*]+)\*", r"\1", text)
    if text.startswith("“ ") and text.endswith(" ”"):
        text = text[2:-2]
    text = re.sub(r"^(- |Figure \d: |\d\. )", "", text)
    return text


def _guide_strings(content) -> list[str]:
    """Every string of the content that claims to be the guide's own words, markup stripped."""

    def words(text: str) -> str:
        return inline.plain_text(inline.parse(text))

    out = [content.guide.title, content.guide.subtitle, content.foreword.title]
    out += [words(p) for p in content.foreword.paragraphs]
    out += [line for p in content.foreword.signatories for line in (p.name, p.title, p.organisation)]
    for section in content.sections:
        out.append(section.title)
        out += [sub.title for _, sub in iter_subsections(section)]
        for _, block in iter_blocks(section):
            if isinstance(block, m.Paragraph):
                out.append(words(block.text))
            elif isinstance(block, m.BulletList):
                out += [words(i) for i in block.items]
            elif isinstance(block, m.PullQuote):
                out += [words(q.text) for q in block.quotes]
                a = block.attribution
                out.append(", ".join(x for x in (a.role, a.place, a.organisation) if x))
            elif isinstance(block, m.CaseStudy):
                p = block.person
                out.append(f"{p.name}, {p.title}, {p.organisation}")
                out += [words(t) for t in block.paragraphs]
    for group in content.person_specification.groups:
        out += [group.title, words(group.lead)]
        for criterion in group.criteria:
            out.append(words(criterion.text))
            out += [words(q) for q in criterion.questions]
    out += [f.caption for f in content.figures.figures]
    bm = content.back_matter
    out += [bm.contact_heading, words(bm.social), *(words(p) for p in bm.about)]
    for contact in bm.contacts:
        out += [contact.organisation, *contact.address, contact.phone, contact.email, contact.website]
    out.append(content.guide.statements.other_formats)
    out.append(content.guide.statements.living_document)
    return out


def test_the_source_is_in_the_repository_unchanged():
    assert SOURCE.is_relative_to(ROOT)
    assert hashlib.sha256(SOURCE.read_bytes()).hexdigest() == SOURCE_SHA256
    assert SOURCE_SHA256 in (ROOT / "source" / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def source_lines():
    assert SOURCE.is_file(), f"the source text is missing: {SOURCE}"
    return _source_lines()


def test_every_source_line_is_in_the_content(content, source_lines):
    corpus = "\n".join(_guide_strings(content))
    skipped = {_strip_source(line) for line in LOGO_LINES} | COVER_LINES
    missing = [line for line in source_lines if line not in skipped and line not in corpus]
    assert missing == []
    assert len(source_lines) > 280  # the check really covered the guide


def test_every_guide_string_is_the_guides_own_words(content, source_lines):
    stream = " " + " ".join(" ".join(line.split()) for line in source_lines) + " "
    strays = [
        s
        for s in _guide_strings(content)
        if f" {' '.join(s.split())} " not in stream
        and not re.search(rf"(?<![\w]){re.escape(' '.join(s.split()))}(?![\w])", stream)
    ]
    assert strays == []


def test_urls_are_exactly_as_printed(content):
    printed = {}
    for raw in SOURCE.read_text(encoding="utf-8").split("\n"):
        match = re.match(f"^([{SUPERSCRIPTS}]+) <?(.+?)>?$", raw)
        if match:
            printed[int("".join(str(SUPERSCRIPTS.index(c)) for c in match.group(1)))] = match.group(2)
    resources = content.resources.resources
    assert len(printed) == len(resources) == 40
    assert {r.footnote_2017: r.url for r in resources} == printed


def test_counts_match_the_guide(content):
    from mdguide_build.guide.inventory import take_inventory

    inventory = take_inventory(content)
    assert (inventory.quotes, inventory.case_studies, inventory.figures, inventory.resources) == (
        20,
        3,
        3,
        40,
    )
    assert [g.title for g in content.person_specification.groups] == [
        "Experience",
        "Knowledge",
        "Skills and competencies",
        "Desirable criteria",
    ]
    assert [
        c.person.name for s in content.sections for _, c in iter_blocks(s) if isinstance(c, m.CaseStudy)
    ] == ["Dr Vincent Kirchner", "Dr Karen Slade", "Professor Meghana Pandit"]


def test_a_paraphrase_would_be_caught(content, source_lines):
    """The check can fail: one changed word in one paragraph is reported."""
    stream = " " + " ".join(" ".join(line.split()) for line in source_lines) + " "
    altered = _guide_strings(content)[3].replace("remember", "recall", 1)
    assert f" {altered} " not in stream
