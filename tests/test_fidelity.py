"""Fidelity: edition 1.0 is the 2017 guide, and content/ differs from it only where an edition says so.

Two steps, each checked against something the code under test does not make:

1. ``editions/1.0/`` (the content as edition 1.0 published it) against the
   text extracted from the 2017 PDF (``source/``), both ways:

   * every non-blank line of the source that is the guide's text appears
     verbatim in edition 1.0 (with markup stripped);
   * every guide-text string of edition 1.0 is a contiguous run of the
     source's words, so nothing is paraphrased, "fixed" or invented;
   * all 40 footnote URLs are exactly as printed.

2. ``content/`` (the living document) against ``editions/1.0/``: the guide's
   words are aligned in reading order, and every difference must be recorded.
   A part added or reworded carries ``"since"`` or ``"revised"`` naming its
   edition (validation checks that guide.json lists it); words taken out are
   kept, exactly, in that edition's ``"removed"`` list in guide.json.

Editorial text (figure descriptions, editorial notes, the extraction-gap note,
link-check facts, metadata) is not the guide's and is excluded by construction.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

import pytest
from click.testing import CliRunner

import edition_1_1
from expected import LOGO_LINES, SOURCE, SUPERSCRIPTS
from expected import source_lines as read_source_lines
from mdguide_build.cli import main
from mdguide_build.guide import inline
from mdguide_build.guide import models as m
from mdguide_build.guide.texts import iter_blocks
from mdguide_build.validate.loader import load_content

ROOT = Path(__file__).resolve().parent.parent
# Recorded in source/README.md: the source is the reference, never edited to fit the content.
SOURCE_SHA256 = "ffc817cdc319d77a1c4c4ecb42f1de44572101cd8edbb2f17186afde5788110f"
FIRST_EDITION = ROOT / "editions" / "1.0"
COVER_LINES = {"June 2017"}  # held as data: guide.json "published": "2017-06"


# --- the guide's words, where they are and which edition mark covers them -----------------


@dataclass(frozen=True)
class Words:
    """One string of the guide's own words, as the content holds it (markup included)."""

    file: str  # relative to the content folder, e.g. sections/4-conclusion.json
    pointer: str  # JSON pointer of the string within its file
    kind: str  # what an editor calls it: "paragraph", "quote", "case study paragraph", …
    text: str
    unit: str | None  # where an edition mark for it goes ("paragraph", "case study", …); None: nowhere
    mark: m.EditionMarks | m.Resource | None  # the nearest part around it that carries marks

    @property
    def marked(self) -> bool:
        return self.mark is not None and bool(self.mark.since or getattr(self.mark, "revised", None))

    @property
    def revises(self) -> bool:
        return self.mark is not None and bool(getattr(self.mark, "revised", None))


def _section_words(relpath: str, node: m.SectionFile | m.Subsection, at: str = "", outer=None) -> list[Words]:
    """The words of a section or subsection in reading order: title, blocks, then subsections."""
    own = node if (node.since or node.revised) else outer
    kind, unit = (
        ("section title", "section")
        if isinstance(node, m.SectionFile)
        else ("subsection title", "subsection")
    )
    out = [Words(relpath, f"{at}/title", kind, node.title, unit, own or node)]
    for i, block in enumerate(node.blocks):
        b = f"{at}/blocks/{i}"
        if not isinstance(block, (m.Paragraph, m.BulletList, m.PullQuote, m.CaseStudy)):
            continue  # editorial notes, extraction gaps, figures and the person specification placed here
        mark = block if (block.since or block.revised) else (own or block)
        if isinstance(block, m.Paragraph):
            out.append(Words(relpath, f"{b}/text", "paragraph", block.text, "paragraph", mark))
        elif isinstance(block, m.BulletList):
            out += [
                Words(relpath, f"{b}/items/{j}", "list item", t, "list", mark)
                for j, t in enumerate(block.items)
            ]
        elif isinstance(block, m.PullQuote):
            out += [
                Words(relpath, f"{b}/quotes/{j}/text", "quote", q.text, "pull quote", mark)
                for j, q in enumerate(block.quotes)
            ]
            a = block.attribution
            words = ", ".join(x for x in (a.role, a.place, a.organisation) if x)
            out.append(Words(relpath, f"{b}/attribution", "attribution", words, "pull quote", mark))
        else:
            p = block.person
            person = f"{p.name}, {p.title}, {p.organisation}"
            out.append(Words(relpath, f"{b}/person", "case study's person", person, "case study", mark))
            out += [
                Words(relpath, f"{b}/paragraphs/{j}", "case study paragraph", t, "case study", mark)
                for j, t in enumerate(block.paragraphs)
            ]
    for i, child in enumerate(node.subsections):
        out += _section_words(relpath, child, f"{at}/subsections/{i}", own)
    return out


def guide_words(content) -> list[Words]:
    """Every string of the content that is the guide's own words, in reading order."""
    g, fw = content.guide, content.foreword
    out = [
        Words("guide.json", "/title", "title", g.title, None, None),
        Words("guide.json", "/subtitle", "subtitle", g.subtitle, None, None),
        Words("foreword.json", "/title", "foreword title", fw.title, None, None),
    ]
    out += [
        Words("foreword.json", f"/paragraphs/{i}", "foreword paragraph", p, None, None)
        for i, p in enumerate(fw.paragraphs)
    ]
    for i, person in enumerate(fw.signatories):
        for name in ("name", "title", "organisation"):
            out.append(
                Words(
                    "foreword.json",
                    f"/signatories/{i}/{name}",
                    "signatory",
                    getattr(person, name),
                    None,
                    None,
                )
            )
    for relpath, section in zip(g.sections, content.sections, strict=True):
        out += _section_words(relpath, section)
    spec = "person-specification.json"
    for gi, group in enumerate(content.person_specification.groups):
        at = f"/groups/{gi}"
        out.append(Words(spec, f"{at}/title", "criteria group title", group.title, "criteria group", group))
        out.append(
            Words(spec, f"{at}/lead", "criteria group's opening line", group.lead, "criteria group", group)
        )
        for ci, criterion in enumerate(group.criteria):
            mark = criterion if (criterion.since or criterion.revised) else group
            out.append(
                Words(spec, f"{at}/criteria/{ci}/text", "criterion", criterion.text, "criterion", mark)
            )
            out += [
                Words(
                    spec, f"{at}/criteria/{ci}/questions/{q}", "prompting question", text, "criterion", mark
                )
                for q, text in enumerate(criterion.questions)
            ]
    for fi, figure in enumerate(content.figures.figures):
        out.append(
            Words(
                "figures.json", f"/figures/{fi}/caption", "figure caption", figure.caption, "figure", figure
            )
        )
    for ri, resource in enumerate(content.resources.resources):
        out.append(
            Words(
                "resources.json",
                f"/resources/{ri}/url",
                "resource address",
                resource.url,
                "resource",
                resource,
            )
        )
    bm = content.back_matter
    out.append(
        Words("back-matter.json", "/contact_heading", "contact heading", bm.contact_heading, None, None)
    )
    for ci, contact in enumerate(bm.contacts):
        for name in ("organisation", "phone", "email", "website"):
            out.append(
                Words(
                    "back-matter.json",
                    f"/contacts/{ci}/{name}",
                    "contact",
                    getattr(contact, name),
                    None,
                    None,
                )
            )
        out += [
            Words("back-matter.json", f"/contacts/{ci}/address/{a}", "contact", line, None, None)
            for a, line in enumerate(contact.address)
        ]
    out += [
        Words("back-matter.json", f"/about/{i}", "paragraph about the publishers", p, None, None)
        for i, p in enumerate(bm.about)
    ]
    out.append(Words("back-matter.json", "/social", "social media line", bm.social, None, None))
    out.append(
        Words("guide.json", "/statements/other_formats", "statement", g.statements.other_formats, None, None)
    )
    out.append(
        Words(
            "guide.json", "/statements/living_document", "statement", g.statements.living_document, None, None
        )
    )
    return out


def _plain(text: str) -> str:
    return inline.plain_text(inline.parse(text))


def _guide_strings(content) -> list[str]:
    """The guide's words with markup stripped, as the 2017 source has them (addresses are checked apart)."""
    return [_plain(w.text) for w in guide_words(content) if w.kind != "resource address"]


# --- 1. edition 1.0 is the 2017 guide ----------------------------------------------------


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


@pytest.fixture(scope="module")
def source_lines():
    assert SOURCE.is_file(), f"the source text is missing: {SOURCE}"
    return _source_lines()


@pytest.fixture(scope="module")
def first_edition():
    """Edition 1.0 as published: editions/1.0/, loaded and validated like content/."""
    loaded, _ = load_content(FIRST_EDITION, "editions/1.0")
    return loaded


def test_the_source_is_in_the_repository_unchanged():
    assert SOURCE.is_relative_to(ROOT)
    assert hashlib.sha256(SOURCE.read_bytes()).hexdigest() == SOURCE_SHA256
    assert SOURCE_SHA256 in (ROOT / "source" / "README.md").read_text(encoding="utf-8")


def test_the_snapshot_is_edition_1_0(first_edition):
    edition = first_edition.guide.edition
    assert (edition.version, edition.date, first_edition.guide.history) == ("1.0", "2017-06", [])
    assert first_edition.guide.published == "2017-06"


def test_every_source_line_is_in_edition_1_0(first_edition, source_lines):
    corpus = "\n".join(_guide_strings(first_edition))
    skipped = {_strip_source(line) for line in LOGO_LINES} | COVER_LINES  # the logos, the cover's date
    missing = [line for line in source_lines if line not in skipped and line not in corpus]
    assert missing == []
    assert len(source_lines) > 280  # the check really covered the guide


def test_every_guide_string_of_edition_1_0_is_the_guides_own_words(first_edition, source_lines):
    stream = " " + " ".join(" ".join(line.split()) for line in source_lines) + " "
    strays = [
        s
        for s in _guide_strings(first_edition)
        if f" {' '.join(s.split())} " not in stream
        and not re.search(rf"(?<![\w]){re.escape(' '.join(s.split()))}(?![\w])", stream)
    ]
    assert strays == []


def test_urls_are_exactly_as_printed(first_edition):
    printed = {}
    for raw in SOURCE.read_text(encoding="utf-8").split("\n"):
        match = re.match(f"^([{SUPERSCRIPTS}]+) <?(.+?)>?$", raw)
        if match:
            printed[int("".join(str(SUPERSCRIPTS.index(c)) for c in match.group(1)))] = match.group(2)
    resources = first_edition.resources.resources
    assert len(printed) == len(resources) == 40
    assert {r.footnote_2017: r.url for r in resources} == printed


def test_counts_match_the_guide(first_edition):
    from mdguide_build.guide.inventory import take_inventory

    inventory = take_inventory(first_edition)
    assert (inventory.quotes, inventory.case_studies, inventory.figures, inventory.resources) == (
        20,
        3,
        3,
        40,
    )
    assert [g.title for g in first_edition.person_specification.groups] == [
        "Experience",
        "Knowledge",
        "Skills and competencies",
        "Desirable criteria",
    ]
    assert [
        c.person.name for s in first_edition.sections for _, c in iter_blocks(s) if isinstance(c, m.CaseStudy)
    ] == ["Dr Vincent Kirchner", "Dr Karen Slade", "Professor Meghana Pandit"]


def test_a_paraphrase_would_be_caught(first_edition, source_lines):
    """The check can fail: one changed word in one paragraph is reported."""
    stream = " " + " ".join(" ".join(line.split()) for line in source_lines) + " "
    altered = _guide_strings(first_edition)[3].replace("remember", "recall", 1)
    assert f" {altered} " not in stream


# --- 2. content/ differs from edition 1.0 only where an edition records it ----------------


def _where(content, words: Words) -> str:
    line, column = content.file(words.file).locate(words.pointer)
    return f"{content.file(words.file).display}:{line}:{column}"


def _quoted(text: str, limit: int = 70) -> str:
    text = _plain(text)
    return f"“{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}”"


def _likeness(new: Words, old: Words) -> float:
    """How far ``new`` is ``old`` reworded: their words in common, for parts of the same kind."""
    if new.kind != old.kind:
        return 0.0
    return SequenceMatcher(None, new.text.split(), old.text.split(), autojunk=False).ratio()


def unrecorded_changes(first, current) -> list[str]:
    """Every difference between edition 1.0 and the current content that no edition records."""
    old, new = guide_words(first), guide_words(current)
    version = current.guide.edition.version
    next_version = version if version != "1.0" else "1.1"
    removed = {
        text for edition in [current.guide.edition, *current.guide.history] for text in edition.removed
    }
    problems: list[str] = []
    uncovered: list[Words] = []
    matcher = SequenceMatcher(None, [w.text for w in old], [w.text for w in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for words in new[j1:j2]:
            if words.marked:
                continue
            if words.unit is None:
                hint = f"a {words.kind} cannot be changed by an edition yet: restore the words of editions/1.0/{words.file}"
            elif words.unit == "resource":
                hint = (
                    f'write "since": "{next_version}" in the resource if edition {next_version} cites it; a 2017 '
                    'address that has moved keeps its "url" and gets a "current_url" (docs/editing.md, '
                    '"A resource has moved")'
                )
            else:
                hint = (
                    f'write "since": "{next_version}" in the {words.unit} if edition {next_version} adds it, or '
                    f'"revised": "{next_version}" if it rewords the 2017 text; otherwise restore the words of '
                    f"editions/1.0/{words.file}"
                )
                if version == "1.0":
                    hint += " (record edition 1.1 in content/guide.json first)"
            problems.append(
                f"{_where(current, words)}: {words.kind} {_quoted(words.text)} is not the text of edition 1.0, "
                f"and no edition is recorded for it (hint: {hint})"
            )
        # Words of edition 1.0 that left this stretch are accounted for by the words that reword them
        # there: marked "revised", or unmarked and so reported above. New parts ("since") reword nothing.
        rewording = [w for w in new[j1:j2] if w.revises or not w.marked]
        for words in old[i1:i2]:
            best = max(rewording, key=lambda w: _likeness(w, words), default=None)
            if best is not None and _likeness(best, words) >= 0.5:
                rewording.remove(best)
                continue
            uncovered.append(words)
    present = {w.text for w in new}
    for words in uncovered:
        if words.text in present or words.text in removed:  # moved elsewhere, or its removal is recorded
            continue
        line, column = first.file(words.file).locate(words.pointer)
        problems.append(
            f"editions/1.0/{words.file}:{line}:{column}: the {words.kind} {_quoted(words.text)} of edition 1.0 "
            f"is not in content/, and no edition records its removal (hint: put it back, or copy it exactly "
            f'into "removed" of edition {next_version} in content/guide.json)'
        )
    return problems


def test_content_differs_from_edition_1_0_only_where_an_edition_records_it(content, first_edition):
    assert unrecorded_changes(first_edition, content) == []


# --- a new edition, written as an editor would (docs/editing.md) -------------------------

S3 = edition_1_1.S3


@pytest.fixture
def edition_copy(tmp_path) -> Path:
    """A copy of the project's content with edition 1.1 recorded, and nothing else changed yet."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    edition_1_1.record_edition(tmp_path / "content")
    return tmp_path / "content"


def _check(content_dir: Path, first_edition) -> list[str]:
    validated = CliRunner().invoke(main, ["validate", "--content", str(content_dir)])
    assert validated.exit_code == 0, validated.output
    current, _ = load_content(content_dir, "content")
    return unrecorded_changes(first_edition, current)


def _unmarked(part: dict) -> dict:
    return {k: v for k, v in part.items() if k != "since"}


def _node(tree: dict, ident: str) -> dict:
    return edition_1_1.node(tree, ident)


def _edit(path: Path, change) -> None:
    edition_1_1.edit(path, change)


def test_the_editors_edition_1_1_passes(edition_copy, first_edition):
    """A fourth case study, a new paragraph with a new resource, a moved link: all marked, all valid."""
    edition_1_1.move_link(edition_copy)
    edition_1_1.add_paragraph(edition_copy)
    edition_1_1.add_case_study(edition_copy)
    assert _check(edition_copy, first_edition) == []


def test_new_text_without_its_edition_fails_with_a_clear_message(edition_copy, first_edition):
    edition_1_1.add_case_study(edition_copy, _unmarked(edition_1_1.CASE_STUDY))
    edition_1_1.add_paragraph(
        edition_copy, _unmarked(edition_1_1.NEW_PARAGRAPH), _unmarked(edition_1_1.NEW_RESOURCE)
    )
    problems = _check(edition_copy, first_edition)
    assert [p.split(": ", 1)[1].split(" (hint")[0] for p in problems] == [
        f"{kind} “{words}” is not the text of edition 1.0, and no edition is recorded for it"
        for kind, words in [
            ("case study's person", "Dr Amira Hassan, Medical Director, Northshire Community Health NHS Tr…"),
            (
                "case study paragraph",
                "I became a medical director in 2023, after six years as a clinical di…",
            ),
            (
                "case study paragraph",
                "What helped most was a mentor outside my own trust, and Developing pe…",
            ),
            ("paragraph", "Building resilience in the NHS workforce is a free online course from…"),
            ("resource address", "https://www.england.nhs.uk/building-resilience/"),
        ]
    ]
    assert problems[3].startswith("content/sections/3-how-do-i-prepare.json:")
    assert problems[3].endswith(
        '(hint: write "since": "1.1" in the paragraph if edition 1.1 adds it, or "revised": "1.1" if it '
        "rewords the 2017 text; otherwise restore the words of editions/1.0/sections/3-how-do-i-prepare.json)"
    )


def test_an_unrecorded_change_to_2017_text_fails(edition_copy, first_edition):
    def reword(d):
        paragraph = next(b for b in _node(d, "resilience")["blocks"] if b["type"] == "paragraph")
        paragraph["text"] = paragraph["text"].replace("grow and develop", "grow")

    _edit(edition_copy / S3, reword)
    [problem] = _check(edition_copy, first_edition)
    assert re.fullmatch(
        r"content/sections/3-how-do-i-prepare\.json:\d+:\d+: paragraph “.+” is not the text of edition 1\.0, "
        r"and no edition is recorded for it \(hint: .+\)",
        problem,
    ), problem
    # Recorded as a revision of edition 1.1, it passes.
    _edit(
        edition_copy / S3,
        lambda d: next(b for b in _node(d, "resilience")["blocks"] if b["type"] == "paragraph").update(
            revised="1.1"
        ),
    )
    assert _check(edition_copy, first_edition) == []


def test_removed_2017_text_must_be_kept_in_the_edition_that_removes_it(edition_copy, first_edition):
    taken = {}

    def remove(d):
        blocks = _node(d, "resilience")["blocks"]
        index = next(i for i, b in enumerate(blocks) if b["type"] == "paragraph")
        taken["text"] = blocks.pop(index)["text"]

    _edit(edition_copy / S3, remove)
    [problem] = _check(edition_copy, first_edition)
    assert problem.startswith("editions/1.0/sections/3-how-do-i-prepare.json:")
    assert "of edition 1.0 is not in content/, and no edition records its removal" in problem
    assert problem.endswith('copy it exactly into "removed" of edition 1.1 in content/guide.json)')
    _edit(edition_copy / "guide.json", lambda d: d["edition"].update(removed=[taken["text"]]))
    assert _check(edition_copy, first_edition) == []


def test_a_mark_cannot_hide_a_change_elsewhere(edition_copy, first_edition):
    """A revised paragraph covers its own old words, not a neighbour removed beside it."""

    def change(d):
        blocks = _node(d, "resilience")["blocks"]
        paragraphs = [b for b in blocks if b["type"] == "paragraph"]
        paragraphs[1]["text"] = paragraphs[1]["text"].replace("a balanced", "an independent")
        paragraphs[1]["revised"] = "1.1"
        blocks.remove(paragraphs[0])

    _edit(edition_copy / S3, change)
    problems = _check(edition_copy, first_edition)
    assert len(problems) == 1 and "no edition records its removal" in problems[0]
