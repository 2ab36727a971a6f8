"""Plain text for screen readers: UTF-8, about 70 characters a line, a contents list,
headings a screen reader reads sensibly, figure descriptions and case studies marked, notes titled.

That it holds the whole guide in reading order is checked in
test_readback_alignment.py; that rebuilds are byte-identical, in test_build.py.
"""

from __future__ import annotations

import re

from mdguide_build.guide import inline
from mdguide_build.guide import models as m
from mdguide_build.guide.texts import iter_blocks
from mdguide_build.pandoc import ast as pa
from mdguide_build.writers.plain_text import render, text_blocks


def read(guide_outputs) -> str:
    return guide_outputs.one("txt", ".txt").read_bytes().decode("utf-8")  # strict: fails on bad UTF-8


def test_lines_are_about_70_characters(guide_outputs):
    lines = read(guide_outputs).split("\n")
    # Only an address, which must not be broken, may run longer.
    long = [line for line in lines if len(line) > 70 and not re.search(r"https?://\S{50,}", line)]
    assert long == []
    assert max(len(line) for line in lines if "://" not in line) <= 70


def _section_titles(content) -> list[str]:
    """Each top-level heading as the guide numbers it, from the content."""
    numbered = [s for s in content.sections if s.numbered]
    return [f"{numbered.index(s) + 1}. {s.title}" if s.numbered else s.title for s in content.sections]


def test_a_contents_list_follows_the_title(guide_outputs, content):
    lines = read(guide_outputs).split("\n")
    at = lines.index("Contents")
    listed = lines[at + 2 : lines.index("", at + 2)]
    expected = [content.foreword.title]
    for section, title in zip(content.sections, _section_titles(content)):
        expected.append(title)
        number = title.split(".")[0] if section.numbered else None
        for k, sub in enumerate(section.subsections, start=1):
            expected.append(f"  {number}.{k} {sub.title}" if number else f"  {sub.title}")
    expected += [content.back_matter.contact_heading.rstrip(":"), "Changes in this edition"]
    assert listed == expected


def test_headings_are_lines_of_their_own_numbered_as_in_the_contents(guide_outputs, content):
    """No underlines (some screen readers read '=====' out); two blank lines before a section."""
    lines = read(guide_outputs).split("\n")
    assert [line for line in lines if line and set(line) <= set("=-~.")] == []
    for title in _section_titles(content):
        at = [i for i, line in enumerate(lines) if line == title][-1]  # the first is in the contents
        assert lines[at - 2 : at] == ["", ""] and lines[at + 1] == "", title
    for section, title in zip(content.sections, _section_titles(content)):
        if not section.numbered:
            continue
        number = title.split(".")[0]

        def walk(node, prefix):
            for k, sub in enumerate(node.subsections, start=1):
                heading = f"{prefix}.{k} {sub.title}"
                at = [i for i, line in enumerate(lines) if line == heading]
                assert at and lines[at[-1] - 1] == "" and lines[at[-1] + 1] == "", heading
                walk(sub, f"{prefix}.{k}")

        walk(section, number)


def _plain(text: str) -> str:
    return " ".join(inline.plain_text(inline.parse(text)).split())


def test_figure_descriptions_and_case_studies_are_marked_where_they_start_and_end(guide_outputs, content):
    """The marks frame exactly the figure's description or the case study: the guide's next words come after."""
    text = " ".join(read(guide_outputs).split())
    flow = [b for section in content.sections for _, b in iter_blocks(section)]
    following = {
        id(b): next((_plain(n.text) for n in flow[i + 1 :] if isinstance(n, m.Paragraph)), None)
        for i, b in enumerate(flow)
    }
    figures = {f.id: f for f in content.figures.figures}
    placed = list(dict.fromkeys(b.figure for b in flow if isinstance(b, m.FigureRef)))
    for block in (b for b in flow if isinstance(b, m.FigureRef)):
        number, figure = placed.index(block.figure) + 1, figures[block.figure]
        start = text.index(f"Start of figure {number} description: {figure.caption}")
        end = text.index(f"End of figure {number} description", start)
        for words in [figure.description.lead, *figure.description.items]:
            assert start < text.index(_plain(words), start) < end, words
        assert text.index(following[id(block)], start) > end
        assert text.count(f"figure {number} description") == 2
    studies = [b for b in flow if isinstance(b, m.CaseStudy)]
    assert len(studies) == 3
    for study in studies:
        start = text.index(f"Start of case study: {study.person.name}")
        end = text.index(f"End of case study: {study.person.name}", start)
        for paragraph in study.paragraphs:
            assert start < text.index(_plain(paragraph), start) < end
        if following[id(study)]:
            assert text.index(following[id(study)], start) > end


NOTE = re.compile(r"^\[(\d+)\] (?:(.+?): )?(https?://\S+)$")


def _notes(text: str) -> list[re.Match]:
    """Each note, its lines joined."""
    found = []
    for paragraph in text.split("\n\n"):
        if paragraph.startswith("["):
            found.append(NOTE.match(" ".join(paragraph.split())))
    return found


def test_notes_give_the_resources_title_and_address(guide_outputs, content):
    notes = _notes(read(guide_outputs))
    assert all(notes) and len(notes) >= 40
    by_url = {r.url: r for r in content.resources.resources}
    titled = 0
    for note in notes:
        resource = by_url[note.group(3)]
        if resource.link_texts:
            # The guide's own words for it: its linked words (two, where it links a report by two names).
            assert note.group(2) and set(note.group(2).split(" and ")) <= set(resource.link_texts), (
                note.group(0)
            )
            titled += 1
        else:
            assert note.group(2) is None, note.group(0)  # the guide gives it no title
    assert titled >= 32


def test_notes_follow_the_section_that_cites_them(guide_outputs, content):
    text = read(guide_outputs)
    body = text[text.index("\n\n\n" + content.foreword.title + "\n") :]
    headings = [
        content.foreword.title,
        *_section_titles(content),
        content.back_matter.contact_heading.rstrip(":"),
    ]
    sections = re.split("|".join(rf"\n\n\n(?={re.escape(h)}\n)" for h in headings), body)
    seen = 0
    for section in sections:
        body, _, notes = section.partition("\nNotes\n\n")
        cited = [int(n) for n in re.findall(r"\[(\d+)\]", body)]
        listed = [int(note.group(1)) for note in _notes(notes)]
        assert cited == listed == list(range(seen + 1, seen + len(cited) + 1))
        seen += len(cited)
    assert seen >= 40  # every resource is cited at least once


def test_render_marks_headings_lists_quotes_and_notes():
    url = "https://example.org/a"
    note = pa.Note([pa.Para([pa.Link([pa.Str(url)], url, attr=pa.Attr(classes=["url"]))])])
    document = pa.Document(
        [
            pa.Header(1, pa.text("One")),
            pa.Para([*pa.text("Words with a note"), note, pa.Str(".")]),
            pa.BulletList(
                [
                    [pa.Plain([pa.Emph(pa.text("first"))])],
                    [pa.Plain(pa.text("second")), pa.BulletList([[pa.Plain(pa.text("inner"))]])],
                ]
            ),
            pa.Header(2, pa.text("Two")),
            pa.BlockQuote([pa.Para(pa.text("“Quoted”"))]),
            pa.Header(1, pa.text("Three")),
        ],
        {"title": pa.MetaInlines(pa.text("Title"))},
    )
    assert render(text_blocks(document)) == (
        "Title\n\n\n"
        "Contents\n\nOne\n  Two\nThree\n\n\n"
        "One\n\nWords with a note[1].\n\n- first\n\n- second\n\n  - inner\n\n\n"
        "Two\n\n    “Quoted”\n\n\n"
        "Notes\n\n[1] https://example.org/a\n\n\n"
        "Three\n"
    )
