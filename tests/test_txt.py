"""Plain text: UTF-8, about 70 characters a line, headings underlined, notes after each section.

That it holds the whole guide in reading order is checked in
test_readback_alignment.py; that rebuilds are byte-identical, in test_build.py.
"""

from __future__ import annotations

import re

from expected import Guide
from mdguide_build.pandoc import ast as pa
from mdguide_build.writers.plain_text import render, text_blocks

NOTE_LINE = re.compile(r"^\[(\d+)\] (\S+)$")


def read(guide_outputs) -> str:
    return guide_outputs.one("txt", ".txt").read_bytes().decode("utf-8")  # strict: fails on bad UTF-8


def test_lines_are_about_70_characters(guide_outputs):
    lines = read(guide_outputs).split("\n")
    # Only an address, which must not be broken, may run longer.
    long = [line for line in lines if len(line) > 70 and not re.search(r"https?://\S{50,}", line)]
    assert long == []
    assert max(len(line) for line in lines if "://" not in line) <= 70


def test_headings_are_underlined(guide_outputs):
    lines = read(guide_outputs).split("\n")
    guide = Guide()
    for section in guide.sections:
        title = guide.section_title(section)
        at = lines.index(title)
        assert lines[at + 1] == "=" * len(title), title
        for sub in _subsections(section):
            assert any(
                lines[i] == sub["title"]
                and set(lines[i + 1]) <= set("-~.")
                and len(lines[i + 1]) == len(sub["title"])
                for i in range(len(lines) - 1)
            ), sub["title"]


def _subsections(node: dict):
    for child in node.get("subsections", []):
        yield child
        yield from _subsections(child)


def test_notes_follow_the_section_that_cites_them(guide_outputs):
    text = read(guide_outputs)
    # Split at top-level headings (a line underlined with '=').
    sections = re.split(r"\n\n\n(?=[^\n]+\n=+\n)", text)
    seen = 0
    for section in sections:
        body, _, notes = section.partition("\nNotes\n-----\n")
        cited = [int(n) for n in re.findall(r"\[(\d+)\]", body)]
        listed = [NOTE_LINE.match(line) for line in notes.split("\n") if line.startswith("[")]
        assert all(listed), notes
        assert cited == [int(m.group(1)) for m in listed] == list(range(seen + 1, seen + len(cited) + 1))
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
        "Title\n=====\n\n\n"
        "One\n===\n\nWords with a note[1].\n\n- first\n\n- second\n\n  - inner\n\n\n"
        "Two\n---\n\n    “Quoted”\n\n\n"
        "Notes\n-----\n\n[1] https://example.org/a\n\n\n"
        "Three\n=====\n"
    )
