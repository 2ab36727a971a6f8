"""The typed AST refuses bad arguments where they are made and emits pandoc's JSON shapes.

These tests need no pandoc; tests/test_pandoc.py proves the shapes against pandoc itself.
"""

import dataclasses
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdguide_build.pandoc import ast as pandoc_ast
from mdguide_build.pandoc.ast import (
    PANDOC_API_VERSION,
    Attr,
    Block,
    BulletList,
    Div,
    Document,
    Element,
    Emph,
    Figure,
    Header,
    Inline,
    LineBreak,
    Link,
    MetaInlines,
    MetaList,
    MetaString,
    Note,
    OrderedList,
    Para,
    Plain,
    Space,
    Span,
    Str,
    Strong,
    blocks_json,
    document_json,
    text,
)


def raises(exc, message):
    return pytest.raises(exc, match=f"^{re.escape(message)}$")


# -- text() -----------------------------------------------------------------------


def test_text_splits_on_whitespace_runs():
    assert text("a  b\n\tc") == [Str("a"), Space(), Str("b"), Space(), Str("c")]


def test_text_keeps_no_break_spaces_inside_words():
    assert text("10\u00a0mg and 5\u202fkg") == [
        Str("10\u00a0mg"), Space(), Str("and"), Space(), Str("5\u202fkg"),
    ]  # fmt: skip


def test_text_keeps_edge_spaces_so_inlines_can_be_concatenated():
    assert text(" see ") == [Space(), Str("see"), Space()]
    assert text("") == []


def test_text_gives_a_fresh_list_each_time():
    # text() remembers what it split; a caller changing its list must not change the next answer.
    first = text("same words")
    first.append(Str("more"))
    assert text("same words") == [Str("same"), Space(), Str("words")]


def test_text_refuses_non_str():
    with raises(TypeError, "text() argument must be a str, got int 3"):
        text(3)


# -- inlines ------------------------------------------------------------------------


def test_str_is_one_word():
    with raises(ValueError, "Str must be one word, got 'a b'; use text() to split it"):
        Str("a b")
    with raises(ValueError, "Str text must not be empty"):
        Str("")


def test_str_refuses_control_characters():
    with raises(
        ValueError,
        "Str text contains the control character U+0007, which EPUB and DOCX cannot represent",
    ):
        Str("bell\x07")


def test_para_refuses_a_plain_string():
    with raises(
        TypeError,
        "Para content must be a sequence, got str 'hello'; use text('hello') to turn a string into inlines",
    ):
        Para("hello")


def test_para_refuses_strings_inside_its_content():
    with raises(
        TypeError,
        "Para content must contain Inline elements, got str 'hello'; use text('hello')",
    ):
        Para(["hello"])


def test_para_refuses_blocks():
    with raises(
        TypeError,
        "Para content must contain Inline elements, got Plain Plain(content=())",
    ):
        Para([Plain([])])


def test_div_refuses_inlines():
    with raises(
        TypeError,
        "Div blocks must contain Block elements, got Str Str(text='x'); wrap inlines in Para or Plain",
    ):
        Div([Str("x")])


def test_note_takes_blocks():
    with pytest.raises(TypeError, match="Note blocks must contain Block elements"):
        Note(text("x"))


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:x", "data:text/html,<b>", "file:///etc/passwd",
     "vbscript:x", "relative/page.html", "//evil.example/x", "#", "", "https://a.example/with space"],
)  # fmt: skip
def test_link_refuses_unsafe_or_relative_targets(url):
    with pytest.raises(ValueError, match="^Link url"):
        Link(text("x"), url)


def test_link_refusal_message():
    with raises(
        ValueError,
        "Link url must start with http://, https://, mailto: or #, got 'javascript:alert(1)'",
    ):
        Link(text("x"), "javascript:alert(1)")


@pytest.mark.parametrize(
    "url",
    [
        "https://a.example/x?y=1#z",
        "http://a.example",
        "HTTPS://A.EXAMPLE",
        "mailto:a@b.example",
        "#section-2",
    ],
)
def test_link_accepts_web_mail_and_internal_targets(url):
    assert Link(text("x"), url).url == url


def test_there_are_no_images():
    # Nothing in the guide is an image, and images would need the sandbox's data: URIs:
    # the node was removed rather than kept untested.
    assert not hasattr(pandoc_ast, "Image")


def test_header_level_is_checked():
    with raises(ValueError, "Header level must be 1 to 6, got 7"):
        Header(7, text("x"))
    with raises(TypeError, "Header level must be an int, got bool True"):
        Header(True, text("x"))


def test_lists_need_items_of_blocks():
    with raises(ValueError, "BulletList needs at least one item"):
        BulletList([])
    with pytest.raises(TypeError, match="^BulletList item must contain Block elements"):
        BulletList([text("x")])
    with raises(
        ValueError,
        "OrderedList delimiter must be one of ['DefaultDelim', 'OneParen', 'Period', 'TwoParens'], got ')'",
    ):
        OrderedList([[Plain(text("x"))]], delimiter=")")


# -- attributes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ([("onclick", "x()")], "Attr attribute 'onclick' refused: event handlers run script"),
        ([("OnLoad", "x()")], "Attr attribute 'OnLoad' refused: event handlers run script"),
        ([("style", "display:none")], "Attr attribute 'style' refused: inline CSS can hide text or fetch URLs; use classes"),
        ([("id", "x")], "Attr attribute 'id' refused: use Attr(identifier=...)"),
        ([("class", "x")], "Attr attribute 'class' refused: use Attr(classes=...)"),
        ([("href", "javascript:x")], "Attr attribute 'href' url must start with http://, https://, mailto: or #, got 'javascript:x'"),
        ([("src", "file:///etc/passwd")], "Attr attribute 'src' url must start with http://, https://, mailto: or #, got 'file:///etc/passwd'"),
        ([("a b", "x")], "Attr attribute key is not a valid name: 'a b'"),
        ([("role", "note"), ("ROLE", "x")], "Attr attribute 'ROLE' given twice"),
        (["role=note"], "Attr attributes must be (key, value) pairs, got str 'role=note'"),
    ],
)  # fmt: skip
def test_attr_refuses_unsafe_attributes(attributes, message):
    with raises((TypeError, ValueError), message):
        Attr(attributes=attributes)


def test_attr_refuses_whitespace_in_identifier_and_classes():
    with raises(ValueError, "Attr identifier must not contain whitespace: 'a b'"):
        Attr("a b")
    with raises(ValueError, "Attr class must not contain whitespace: 'a b'"):
        Attr(classes=["a b"])


def test_attr_normalises_lists_to_tuples_so_elements_compare_and_hash():
    attr = Attr("x", ["c"], [["role", "note"]])
    assert attr == Attr("x", ("c",), (("role", "note"),))
    assert hash(Para([Span(text("a"), attr)])) == hash(Para((Span(tuple(text("a")), attr),)))


def test_elements_are_frozen():
    para = Para(text("x"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        para.content = ()


def test_there_are_no_raw_nodes():
    # Content is data, never markup: nothing may inject HTML or OOXML.
    assert not hasattr(pandoc_ast, "RawBlock")
    assert not hasattr(pandoc_ast, "RawInline")

    def all_subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from all_subclasses(sub)

    assert not [c for c in all_subclasses(Element) if c.__name__.startswith("Raw")]


# -- JSON shapes (as pandoc 3.9 writes them) -------------------------------------------------


def test_inline_json_shapes():
    attr = Attr("i", ["c"], [("role", "note")])
    assert Space().to_json() == {"t": "Space"}
    assert LineBreak().to_json() == {"t": "LineBreak"}
    assert Link(text("a"), "https://e.example", "T").to_json() == {
        "t": "Link", "c": [["", [], []], [{"t": "Str", "c": "a"}], ["https://e.example", "T"]],
    }  # fmt: skip
    assert Span(text("a"), attr).to_json() == {
        "t": "Span",
        "c": [attr.to_json(), [{"t": "Str", "c": "a"}]],
    }
    assert Note([Para(text("n"))]).to_json() == {
        "t": "Note",
        "c": [{"t": "Para", "c": [{"t": "Str", "c": "n"}]}],
    }
    assert Strong(text("s")).to_json() == {"t": "Strong", "c": [{"t": "Str", "c": "s"}]}


def test_block_json_shapes():
    plain = Plain(text("x"))
    assert Header(2, text("x"), Attr("h")).to_json() == {
        "t": "Header",
        "c": [2, ["h", [], []], [plain.to_json()["c"][0]]],
    }
    assert OrderedList([[plain]], start=3).to_json() == {
        "t": "OrderedList", "c": [[3, {"t": "Decimal"}, {"t": "Period"}], [[plain.to_json()]]],
    }  # fmt: skip
    assert BulletList([[plain], []]).to_json() == {
        "t": "BulletList",
        "c": [[plain.to_json()], []],
    }


def test_figure_json_shape_is_pandoc_3():
    fig = Figure(
        [Plain(text("cap"))],
        [Plain(text("body"))],
        Attr("f"),
        short_caption=text("s"),
    )
    attr, caption, body = fig.to_json()["c"]
    assert attr == ["f", [], []]
    assert caption == [
        [{"t": "Str", "c": "s"}],
        [{"t": "Plain", "c": [{"t": "Str", "c": "cap"}]}],
    ]
    assert body[0]["t"] == "Plain"
    assert Figure([], []).to_json()["c"][1] == [None, []]


# -- metadata and documents ---------------------------------------------------------


def test_meta_json_shapes():
    assert MetaString("x").to_json() == {"t": "MetaString", "c": "x"}
    assert MetaInlines(text("a")).to_json() == {
        "t": "MetaInlines",
        "c": [{"t": "Str", "c": "a"}],
    }
    assert MetaList([MetaString("a")]).to_json() == {
        "t": "MetaList",
        "c": [{"t": "MetaString", "c": "a"}],
    }


def test_meta_refuses_plain_python_values():
    with raises(
        TypeError,
        "Document meta value for 'title' must be a MetaValue (MetaString, ...), got str 'x'",
    ):
        Document([], {"title": "x"})
    with raises(
        TypeError,
        "MetaList items must be MetaValue elements (MetaString, ...), got str 'a'",
    ):
        MetaList(["a"])


def test_document_json():
    doc = Document([Para(text("x"))], {"title": MetaString("T")})
    assert doc.to_json() == {
        "pandoc-api-version": [1, 23, 1, 1],
        "meta": {"title": {"t": "MetaString", "c": "T"}},
        "blocks": [{"t": "Para", "c": [{"t": "Str", "c": "x"}]}],
    }
    assert list(PANDOC_API_VERSION) == doc.to_json()["pandoc-api-version"]


def test_json_text_is_compact_deterministic_and_utf8():
    a = Document([Para(text("café"))], {"title": MetaString("T"), "lang": MetaString("en-GB")})
    b = Document([Para(text("café"))], {"lang": MetaString("en-GB"), "title": MetaString("T")})
    assert a.to_json_text() == b.to_json_text()
    assert a.to_json_text().startswith('{"pandoc-api-version":[1,23,1,1],"meta":{"lang":')
    assert "café" in a.to_json_text()
    assert json.loads(a.to_json_text()) == a.to_json()


# Whatever the text, the JSON is what Python's own encoder writes in the same compact form.
_ANY_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),  # lone surrogates: AST refuses them, like C0 and C1 controls
        blacklist_characters="".join(map(chr, [*range(0x20), *range(0x7F, 0xA0)])),
    ),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(words=_ANY_TEXT, title=_ANY_TEXT, url_tail=st.text(alphabet="abc/?=&%\"'<>", max_size=10))
def test_json_text_is_exactly_the_standard_encoders_output(words, title, url_tail):
    doc = Document(
        [
            Header(2, text(title), Attr("h", ["c"], [("aria-label", title)])),
            Para(
                [
                    *text(words),
                    Link(text(words) or [Str("x")], f"https://example.org/{url_tail}".replace(" ", "")),
                ]
            ),
            OrderedList([[Plain(text(words))]], start=3),
        ],
        {"title": MetaInlines(text(title)), "lang": MetaString(words), "n": MetaList([MetaString(title)])},
    )
    assert doc.to_json_text() == json.dumps(doc.to_json(), ensure_ascii=False, separators=(",", ":"))
    assert document_json(blocks_json(doc.blocks), doc.meta) == doc.to_json_text()
    assert document_json(blocks_json(doc.blocks[1:])) == Document(doc.blocks[1:]).to_json_text()


def test_base_classes_group_elements():
    assert isinstance(Emph(text("x")), Inline)
    assert isinstance(Div([]), Block)
    assert not isinstance(Div([]), Inline)
