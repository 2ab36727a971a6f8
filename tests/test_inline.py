"""Inline markup: what editors can write, and what they cannot."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# --- round trip: any tree of markup, written out, parses back to itself ---------------------

_WORDS = st.text(alphabet=st.sampled_from("ab \\*[]^_<&é\u00a0"), min_size=1, max_size=8)
_IDS = st.from_regex(r"[a-z0-9]{1,4}(?:-[a-z0-9]{1,3})?", fullmatch=True)


def _escaped(words: str) -> str:
    return "".join(f"\\{c}" if c in "\\*[]^" else c for c in words)  # "[^" would open a note


def _trees(depth: int = 2, inside: str = ""):
    """Lists of nodes in which a Plain stands between any two markers and at both ends,
    so that the written markup is unambiguous ('*a**b*' would read as bold). Emphasis
    directly inside emphasis (bold inside bold) cannot be written: its '*' closes the outer."""
    leaf = st.builds(Plain, _WORDS)
    if depth == 0:
        return st.lists(leaf, min_size=1, max_size=1).map(tuple)
    kinds = [
        st.tuples(st.just(kind), _trees(depth - 1, kind)) for kind in ("emph", "strong") if kind != inside
    ]
    marked = st.one_of(
        *kinds,
        st.tuples(st.just("link"), _trees(depth - 1, "link"), _IDS),
        st.tuples(st.just("note"), _IDS),
    )
    return st.lists(st.tuples(leaf, marked), max_size=3).flatmap(
        lambda pairs: leaf.map(lambda last: (pairs, last))
    )


def _write(tree, start: int = 0) -> tuple[str, tuple]:
    """The markup for ``tree`` (as drawn by _trees) and the nodes parse() should give for it."""
    if isinstance(tree, tuple) and tree and isinstance(tree[0], Plain):
        return _escaped(tree[0].text), (tree[0],)
    pairs, last = tree
    text, nodes = "", []
    for plain, marked in pairs:
        text += _escaped(plain.text)
        nodes.append(plain)
        at = start + len(text)
        kind = marked[0]
        if kind == "note":
            text += f"[^{marked[1]}]"
            nodes.append(NoteRef(marked[1], at))
            continue
        marker = {"emph": "*", "strong": "**", "link": "["}[kind]
        inner_text, inner_nodes = _write(marked[1], at + len(marker))
        if kind == "link":
            text += f"[{inner_text}][{marked[2]}]"
            nodes.append(ResourceLink(inner_nodes, marked[2], at))
        else:
            text += f"{marker}{inner_text}{marker}"
            nodes.append((Emph if kind == "emph" else Strong)(inner_nodes))
    text += _escaped(last.text)
    nodes.append(last)
    return text, tuple(nodes)


@settings(max_examples=300, deadline=None)
@given(_trees())
def test_written_markup_parses_back_to_the_same_nodes(tree):
    text, expected = _write(tree)
    assert inline.parse(text) == expected


@given(st.text(alphabet=st.sampled_from("ab *[]^_\\"), max_size=12))
def test_a_backslash_before_an_ordinary_character_stays(text):
    # "\a" is not an escape: the backslash is text, as is everything escaped.
    assert inline.plain_text(inline.parse(_escaped(text) + "\\a")) == text + "\\a"
