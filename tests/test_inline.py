"""Inline markup: what editors can write, and what they cannot."""

import pytest

from mdguide_build.guide import inline
from mdguide_build.guide.inline import Emph, NoteRef, Plain, ResourceLink, Strong


def test_plain_text_is_text_even_with_angle_brackets():
    assert inline.parse("a <b> & c") == (Plain("a <b> & c"),)


def test_emphasis_bold_links_and_notes():
    nodes = inline.parse("See *Good medical practice*,[^gmc] **now** and [the Fund][kf].")
    assert nodes == (
        Plain("See "),
        Emph((Plain("Good medical practice"),)),
        Plain(","),
        NoteRef("gmc", 28),
        Plain(" "),
        Strong((Plain("now"),)),
        Plain(" and "),
        ResourceLink((Plain("the Fund"),), "kf", 47),
        Plain("."),
    )
    assert inline.plain_text(nodes) == "See Good medical practice, now and the Fund."
    assert [r.resource for r in inline.references(nodes)] == ["gmc", "kf"]


def test_nested_emphasis_inside_link():
    nodes = inline.parse("[*Title* here][x]")
    assert nodes == (ResourceLink((Emph((Plain("Title"),)), Plain(" here")), "x", 0),)


def test_escapes_give_literal_characters():
    assert inline.plain_text(inline.parse(r"5 \* 3 \[not a link\] \\")) == r"5 * 3 [not a link] \ "[:-1]


@pytest.mark.parametrize(
    ("text", "message", "offset"),
    [
        ("an *open emphasis", "emphasis '*' opened at character 4 is never closed", 3),
        ("**bold", "bold '**' opened at character 1 is never closed", 0),
        ("stray ] bracket", "']' without a matching '['", 6),
        ("[link text] alone", "link text in [...] must be followed by [resource-id]", 0),
        ("[text][Bad_Id]", "malformed reference; expected [link text][resource-id]", 0),
        ("note [^]", "malformed reference; expected [^resource-id]", 5),
        ("empty **** bold", "empty '****'", 6),
        ("[][x]", "a link needs words between the brackets", 0),
    ],
)
def test_malformed_markup_is_explained(text, message, offset):
    with pytest.raises(inline.MarkupError) as caught:
        inline.parse(text)
    assert (caught.value.message, caught.value.offset) == (message, offset)
    assert caught.value.hint


@pytest.mark.parametrize(
    "text", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)"]
)
def test_markup_like_text_is_flagged(text):
    assert inline.looks_like_markup(text)


def test_ordinary_prose_is_not_flagged():
    assert inline.looks_like_markup("costs < benefits, and one day > none") is None
