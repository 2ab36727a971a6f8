"""Every output, read back in reading order, carries every unit of the guide in order, and nothing twice.

The expected units come from content/ through the tests' own reader
(``expected.py``), and also straight from the 2017 source text (``source/``);
the outputs are read back by independent tools
(``readback.py``); ``alignment.py`` aligns the two word sequences.  A
paragraph, heading, quote, attribution or note that one builder drops,
duplicates or moves is reported with the content file and JSON pointer it
comes from.

The last tests prove the check itself: they break a build on purpose (one
paragraph dropped, one heading duplicated, two quotes swapped, one note
dropped) and expect each output's check to report exactly those.
"""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from alignment import Alignment, align, guide_alignments, handout_alignments, reading
from conftest import CONTENT
from expected import (
    HANDOUT_LAYOUTS,
    LAYOUTS,
    Guide,
    Unit,
    guide_units,
    source_units,
    whole_sentences,
    words,
)
from readback import read_back

# (format, how its file name ends, test id): every file of the guide's formats.
GUIDE_FILES = [
    ("html", ".html", "html"),
    ("epub", ".epub", "epub"),
    ("docx", "role.docx", "docx"),
    ("pdf", "role.pdf", "pdf"),
    ("large-print-pdf", "-large-print-18pt.pdf", "large-print-pdf"),
    ("large-print-docx", "-large-print-18pt.docx", "large-print-docx"),
    ("txt", "role.txt", "txt"),
    ("brf", ".brf", "brf"),
    ("brf", "-brf-preview.txt", "brf-preview"),
]
GUIDE_FILE_PARAMS = [pytest.param(fmt, ending, id=name) for fmt, ending, name in GUIDE_FILES]


def problems(alignments: list[Alignment]) -> list[str]:
    return [p for a in alignments for p in a.problems()]


@pytest.fixture(scope="module")
def guide() -> Guide:
    return Guide(CONTENT)


# --- the real outputs ------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "ending"), GUIDE_FILE_PARAMS)
def test_each_output_carries_the_whole_guide_in_order(guide_outputs, guide, fmt, ending):
    path = guide_outputs.one(fmt, ending)
    alignments = guide_alignments(guide, fmt, path)
    assert problems(alignments) == []
    # The check covered the whole guide, every note included, and (braille aside) found every word.
    expected = guide_units(guide, LAYOUTS[fmt])
    assert len(expected.units) > 300
    assert len([u for u in [*expected.units, *expected.apart] if u.kind == "note"]) >= 40
    body = alignments[0]
    if fmt == "brf":
        assert body.matched_words / body.expected_words >= 0.999, body.matched_words / body.expected_words
    else:
        assert body.matched_words == body.expected_words > 8000


@pytest.mark.parametrize(("fmt", "ending"), GUIDE_FILE_PARAMS)
def test_each_output_carries_the_2017_guides_lines_in_the_2017_order(guide_outputs, fmt, ending):
    """Straight against the source text: every line of the 2017 guide (its logos and contents list
    aside) is in the output, in the order the 2017 guide printed them."""
    path = guide_outputs.one(fmt, ending)
    units = source_units()
    assert len(units) > 280
    found = align(units, read_back(fmt, path), **reading(path))
    assert found.missing == []
    if path.suffix == ".brf":
        assert found.matched_words / found.expected_words >= 0.999


ROLES = [r["id"] for r in sorted(Guide(CONTENT).roles["roles"], key=lambda r: r["order"])]


@pytest.mark.parametrize("suffix", list(HANDOUT_LAYOUTS))
@pytest.mark.parametrize("role", ROLES)
def test_each_handout_carries_its_roles_items_in_order(guide_outputs, guide, role, suffix):
    folder = guide_outputs("handouts")[0].parent
    alignments = handout_alignments(guide, role, suffix, folder / f"{role}.{suffix}")
    assert problems(alignments) == []
    kinds = {u.kind for u in alignments[0].units}
    assert {"heading", "criterion", "pointer"} <= kinds  # a real handout, not an empty frame


@pytest.fixture(scope="module")
def edition_1_1_outputs(tmp_path_factory):
    """A realistic edition 1.1 (tests/edition_1_1.py: a moved link, a paragraph and a case study new
    in 1.1), built in every guide format: (its content folder, its files)."""
    import edition_1_1
    from mdguide_build.build import build

    root = tmp_path_factory.mktemp("edition-1.1")
    shutil.copytree(CONTENT, root / "content")
    shutil.copytree(CONTENT.parent / "schema", root / "schema")
    edition_1_1.make(root / "content")
    formats = list(dict.fromkeys(fmt for fmt, _, _ in GUIDE_FILES))
    return root / "content", build(root / "content", root / "out", formats).paths()


@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "ending"), GUIDE_FILE_PARAMS)
def test_a_later_editions_marks_and_moved_links_are_where_they_belong(edition_1_1_outputs, fmt, ending):
    """Text new in 1.1 with its "New in 1.1" label before it, a moved link's note with both addresses,
    the changes page listing both editions: all in order, in every format."""
    content, paths = edition_1_1_outputs
    [path] = [p for p in paths if p.name.endswith(ending)]
    guide = Guide(content)
    assert guide.guide["edition"]["version"] == "1.1"
    alignments = guide_alignments(guide, fmt, path)
    assert problems(alignments) == []
    units = [u for a in alignments for u in [*a.units, *(a.apart.units if a.apart else [])]]
    assert [u.text for u in units if u.kind == "edition mark"] == ["New in 1.1", "New in 1.1"]
    assert any("This resource has moved; it is now at https://" in u.text for u in units)


# --- the check can fail -----------------------------------------------------------------------------


def test_the_expected_units_cover_every_printed_field_of_the_content(guide):
    """The tests' reader misses nothing: every text field of content/ is in some unit (or a note)."""
    units = guide_units(guide, LAYOUTS["txt"]).units
    printed = "\n".join(u.text for u in units)
    checked = 0
    for file in sorted(CONTENT.rglob("*.json")):
        if file.name in ("roles.json", "resources.json"):
            continue  # the handouts' words (handout_units), and the addresses (notes)
        for key, value in _strings(json.loads(file.read_text(encoding="utf-8"))):
            if key in PRINTED:
                checked += 1
                assert words(value).rstrip(":") in printed, (
                    f"{file.relative_to(CONTENT)}: {key} {value[:60]!r}"
                )
    assert checked > 300


# The keys of content/ whose strings the guide prints (the others are ids, types, paths, dates, tags).
PRINTED = {
    "text",
    "title",
    "subtitle",
    "paragraphs",
    "items",
    "caption",
    "lead",
    "image_note",
    "note",
    "name",
    "organisation",
    "address",
    "phone",
    "email",
    "website",
    "about",
    "social",
    "other_formats",
    "living_document",
    "role",
    "place",
    "questions",
    "publishers",
    "contact_heading",
}


def _strings(value, key=None):
    """(key, string) for every string in a JSON value; a list's strings take the list's key."""
    if isinstance(value, dict):
        for name, child in value.items():
            yield from _strings(child, name)
    elif isinstance(value, list):
        for child in value:
            yield from _strings(child, key)
    elif isinstance(value, str):
        yield key, value


def test_a_dropped_duplicated_or_moved_unit_is_reported(guide):
    """The alignment, on a made-up text, reports each kind of fault where it happened."""
    units = [
        Unit("heading", "The board", "h"),
        Unit("paragraph", "One two three four five.", "p1"),
        Unit("quote", "Six seven eight nine.", "q1"),
        Unit("quote", "Ten eleven twelve thirteen.", "q2"),
        Unit("note", "https://example.org/a-b", "n1"),
    ]
    whole = "The board. One two three four five. Six seven eight nine. Ten eleven twelve thirteen. 1. https://example.org/a-b"
    assert align(units, whole).problems() == []
    assert align(units, whole.replace("One two three four five.", "")).missing == [
        "paragraph at p1: 'One two three four five.' (0 of 5 words found in order)"
    ]
    assert align(units, whole.replace("The board.", "The board. The board.")).problems() == [
        "printed but not expected here: 'the board'"
    ]
    swapped = whole.replace(
        "Six seven eight nine. Ten eleven twelve thirteen.",
        "Ten eleven twelve thirteen. Six seven eight nine.",
    )
    found = align(units, swapped).problems()
    assert len(found) == 2 and found[1].startswith("printed but not expected here")
    assert align(units, whole.replace("https://example.org/a-b", "")).missing == [
        "note at n1: 'https://example.org/a-b' (0 of 5 words found in order)"
    ]


def test_a_paragraph_cut_by_a_gap_is_quoted_to_its_last_whole_sentence():
    """The tests' own reading of what a handout quotes of a paragraph an extraction gap cut short."""
    assert whole_sentences("First sentence. Second one, cut") == "First sentence."
    assert whole_sentences("It works.[^res-a] And then") == "It works.[^res-a]"
    assert whole_sentences("It works. [Read more][res-a] on") == "It works."
    assert whole_sentences("See *Good medical practice.* and") == "See *Good medical practice.* and"
    assert whole_sentences("No end at all") == "No end at all"


def test_page_furniture_is_no_loss_but_still_no_hiding_place():
    """A page's footnote between a paragraph's halves, an address cut by a line break: nothing lost.
    The same text without the paragraph's second half: reported."""
    text = Unit("paragraph", "Mindtools offers professionalising tools for leaders.", "p")
    note = Unit("note", "https://www.mindtools.com/professionalising", "n")
    page = "Mindtools[1]\n1. https://www.mindtools.com/profe\nssionalising\n31\noffers professionalising tools for leaders."
    assert align([text], page, apart=[note]).problems() == []
    cut = page.replace("offers professionalising tools for leaders.", "")
    missing = align([text], cut, apart=[note]).missing
    assert missing and missing[0].startswith("paragraph at p: 'Mindtools offers professionalising")


# --- a broken build is caught in every output ---------------------------------------------------------

DROPPED = "This guide informs aspiring senior medical leaders"  # sections/0-introduction.json /blocks/1
DUPLICATED = "The board"  # sections/1-why-become-a-medical-director.json /subsections/1/title
SWAPPED_QUOTES = "quote-no-two-days-the-same"  # sections/1-why-become-a-medical-director.json /blocks/0
DROPPED_NOTE = "kings-fund-better-value-nhs"  # cited once, by a note alone (no linked phrase)


@pytest.fixture(scope="module")
def broken_outputs(tmp_path_factory, guide):
    """Every guide format, built with four faults put into the document every builder starts from."""
    from mdguide_build.build import build
    from mdguide_build.pandoc import ast as pa
    from mdguide_build.pandoc import guide as to_pandoc

    section, cite = to_pandoc.section, to_pandoc.Context.cite

    def broken_section(node, ctx, number, *rest):
        blocks = section(node, ctx, number, *rest)
        out = []
        for block in blocks:
            if isinstance(block, pa.Para) and pa.stringify(block.content).startswith(DROPPED):
                continue  # dropped
            out.append(block)
            if isinstance(block, pa.Header) and pa.stringify(block.content) == DUPLICATED:
                out.append(dataclasses.replace(block, attr=pa.Attr(identifier="the-board-again")))
        return [_swap_quotes(block, pa) for block in out]

    def broken_cite(self, resource):
        return pa.Space() if resource == DROPPED_NOTE else cite(self, resource)

    mp = pytest.MonkeyPatch()
    mp.setattr(to_pandoc, "section", broken_section)
    mp.setattr(to_pandoc.Context, "cite", broken_cite)
    try:
        formats = list(dict.fromkeys(fmt for fmt, _, _ in GUIDE_FILES))
        report = build(CONTENT, tmp_path_factory.mktemp("broken"), formats, force=True)
    finally:
        mp.undo()
    return report.paths()


def _extra_words(problem: str) -> str | None:
    prefix = "printed but not expected here: "
    if not problem.startswith(prefix):
        return None
    return " ".join(w for w in problem[len(prefix) :].strip("'").split() if not w.isdigit())


def _swap_quotes(block, pa):
    """The two quotes of the pull quote SWAPPED_QUOTES, in the other order (web and Word flavours)."""
    if isinstance(block, pa.Figure) and block.attr.identifier == SWAPPED_QUOTES:
        return dataclasses.replace(block, blocks=tuple(reversed(block.blocks)))
    if (
        isinstance(block, pa.Div)
        and ("custom-style", "Pull Quote") in block.attr.attributes
        and len(block.blocks) == 2
        and "Being the medical director" in pa.stringify(block.blocks[0].content)
    ):
        return dataclasses.replace(block, blocks=tuple(reversed(block.blocks)))
    return block


@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "ending"), GUIDE_FILE_PARAMS)
def test_each_outputs_check_catches_a_broken_build(broken_outputs, guide, fmt, ending):
    [path] = [p for p in broken_outputs if p.name.endswith(ending)]
    found = problems(guide_alignments(guide, fmt, path))
    report = "\n".join(found)
    assert any("sections/0-introduction.json /blocks/1:" in p and p.startswith("paragraph") for p in found), (
        report
    )
    assert any(_extra_words(p) == "the board" for p in found), report  # (page numbers aside)
    assert any(
        p.startswith("quote at sections/1-why-become-a-medical-director.json /blocks/0/quotes/")
        for p in found
    ), report
    assert any(f"note citing {DROPPED_NOTE}" in p for p in found), report
    # Held against the 2017 text instead, the dropped paragraph is missed there too.
    against_2017 = align(source_units(), read_back(fmt, path), **reading(path)).missing
    assert [line for line in against_2017 if DROPPED in line], "\n".join(against_2017)
