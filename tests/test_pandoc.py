"""pandoc itself is the judge: it reads back exactly the AST we write, sandboxed and reproducibly."""

import io
import json
import re
import zipfile

import pytest

from mdguide_build.pandoc.ast import (
    Attr,
    BlockQuote,
    BulletList,
    Div,
    Document,
    Emph,
    Figure,
    Header,
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
    text,
)
from mdguide_build.pandoc.runner import PandocError, convert, pandoc_version

EPOCH = 1_500_000_000


def every_element() -> Document:
    """One document using every element and meta type the AST module offers."""
    inlines = [
        *text("Plain words,\u00a0no-break"), Space(), Emph(text("emph")), Space(),
        Strong(text("strong")), LineBreak(),
        Link(text("web"), "https://example.org/a?b=1", "Title", Attr(classes=["ext"])), Space(),
        Link(text("mail"), "mailto:someone@example.org"), Space(), Link(text("internal"), "#intro"),
        Note([Para(text("A footnote.")), BulletList([[Plain(text("in note"))]])]),
        Span(text("span"), Attr("s", ["k"], [("lang", "fr"), ("aria-label", "label")])),
    ]  # fmt: skip
    blocks = [
        Header(1, text("Intro"), Attr("intro", ["chapter"], [("role", "doc-chapter")])),
        Para(inlines),
        Plain(text("plain")),
        BulletList([[Plain(text("one"))], [Para(text("two")), Para(text("two b"))], []]),
        OrderedList([[Plain(text("three"))], [Plain(text("four"))]], start=3),
        OrderedList([[Plain(text("a"))]], style="LowerAlpha", delimiter="OneParen"),
        BlockQuote([Para(text("quoted"))]),
        Div(
            [Para(text("in a section"))],
            Attr("sec", ["section"], [("aria-labelledby", "intro")]),
        ),
        Figure(
            [Plain(text("Figure caption"))],
            [BlockQuote([Para(text("figure quote"))])],
            Attr("fig-1", ["pull-quote"]),
            short_caption=text("short"),
        ),
        Figure([], [Plain(text("figure without a caption"))]),
    ]
    meta = {
        "title": MetaInlines(text("Every ") + [Emph(text("element"))]),
        "identifier": MetaString("urn:uuid:0b8f1c2e-5a7d-4e3b-9c1a-2f4d6e8a0b1c"),
        "lang": MetaString("en-GB"),
        "date": MetaString("2017-07-14"),
        "author": MetaList([MetaInlines(text("NHS Improvement")), MetaInlines(text("FMLM"))]),
    }
    return Document(blocks, meta)


def test_pandoc_version():
    assert re.fullmatch(r"3\.\d+(\.\d+)*", pandoc_version())


def test_round_trip_is_exact():
    doc = every_element()
    assert json.loads(convert(doc, "json")) == doc.to_json()


def test_round_trip_is_byte_identical_to_pandocs_own_json():
    doc = every_element()
    assert convert(doc, "json").decode("utf-8") == doc.to_json_text() + "\n"


def test_html5_escapes_markup_in_content():
    evil = "<script>alert(1)</script>"
    doc = Document(
        [
            Header(1, text(evil), Attr("h")),
            Para(text(evil) + [Link(text(evil), "https://e.example", evil)]),
            Div(
                [Para(text("x"))],
                Attr(attributes=[("aria-label", '"><script>alert(1)</script>')]),
            ),
        ],
        {"title": MetaString(evil), "lang": MetaString("en")},
    )
    html = convert(doc, "html5", extra_args=["--standalone"]).decode("utf-8")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_html5_passes_role_and_aria_through_and_prefixes_other_keys():
    doc = Document(
        [
            Div(
                [Para(text("x"))],
                Attr(
                    "s",
                    ["section"],
                    [("role", "note"), ("aria-labelledby", "h"), ("key", "v")],
                ),
            )
        ]
    )
    html = convert(doc, "html5").decode("utf-8")
    assert html.startswith('<section id="s" role="note" aria-labelledby="h" data-key="v">')


def test_sandbox_refuses_local_files(tmp_path):
    # The AST has no images at all; JSON text lets us check pandoc's own guard.
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n")
    image = {
        "t": "Image",
        "c": [["", [], []], [{"t": "Str", "c": "x"}], [str(secret), ""]],
    }
    source = json.dumps(
        {
            "pandoc-api-version": [1, 23, 1, 1],
            "meta": {},
            "blocks": [{"t": "Para", "c": [image]}],
        }
    )
    with pytest.raises(PandocError) as caught:
        convert(source, "docx")
    assert str(caught.value) == (
        f"pandoc failed converting to docx (exit 3): [WARNING] Could not fetch resource {secret}: "
        f'PandocResourceNotFound "{secret}"\nFailing because there were warnings.'
    )
    assert caught.value.to == "docx"
    with pytest.raises(PandocError, match="Could not fetch resource"):
        convert(source, "html5", extra_args=["--embed-resources", "--standalone"])


@pytest.mark.parametrize("to", ["docx", "epub3"])
def test_binary_output_is_byte_identical_across_runs_and_environments(to, tmp_path, monkeypatch):
    doc = every_element()
    first = convert(doc, to, source_date_epoch=EPOCH)
    # A caller's environment must not leak in: time zone, a stray
    # SOURCE_DATE_EPOCH, or a personal pandoc data directory.
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    out = tmp_path / f"guide.{to}"
    assert convert(doc, to, output_file=out, source_date_epoch=EPOCH) is None
    assert out.read_bytes() == first
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no .part left behind
    assert zipfile.ZipFile(out).testzip() is None


def test_epub_dates_are_fixed_by_the_sandbox():
    # pandoc quirk: under --sandbox it dates the EPUB 1970 and ignores SOURCE_DATE_EPOCH.
    with zipfile.ZipFile(io.BytesIO(convert(every_element(), "epub3", source_date_epoch=EPOCH))) as epub:
        opf = epub.read("EPUB/content.opf").decode("utf-8")
    assert '<meta property="dcterms:modified">1970-01-01T00:00:00Z</meta>' in opf
    assert "urn:uuid:0b8f1c2e-5a7d-4e3b-9c1a-2f4d6e8a0b1c" in opf


def test_user_data_directory_is_ignored(tmp_path, monkeypatch):
    templates = tmp_path / ".local" / "share" / "pandoc" / "templates"
    templates.mkdir(parents=True)
    (templates / "default.html5").write_text("PERSONAL $body$")
    monkeypatch.setenv("HOME", str(tmp_path))
    doc = Document([Para(text("x"))], {"title": MetaString("T")})
    assert b"PERSONAL" not in convert(doc, "html5", extra_args=["--standalone"])


def test_failed_conversion_leaves_no_file(tmp_path):
    out = tmp_path / "out.docx"
    with pytest.raises(
        PandocError,
        match=r"^pandoc failed converting to docx \(exit \d+\): JSON parse error",
    ):
        convert('{"not": "pandoc"}', "docx", output_file=out)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "arg",
    ["--sandbox=false", "--sandb=false", "--fail-if-warnings=false", "--fail-if=false", "-o", "--output=x",
     "--lua-filter=f.lua", "--filter=f", "--defaults=d.yaml", "--quiet", "-s", "-V", "input.md"],
)  # fmt: skip
def test_extra_args_cannot_weaken_the_sandbox(arg):
    with pytest.raises(ValueError, match=f"^pandoc option refused: {re.escape(repr(arg))}"):
        convert(Document([]), "html5", extra_args=[arg])


def test_extra_args_must_be_a_sequence():
    with pytest.raises(TypeError, match="^extra_args must be a sequence of options, not one str"):
        convert(Document([]), "html5", extra_args="--standalone")


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"^not a pandoc output format: 'html5 --sandbox=false'$"):
        convert(Document([]), "html5 --sandbox=false")
    with pytest.raises(ValueError, match="^source_date_epoch must not be negative, got -1$"):
        convert(Document([]), "html5", source_date_epoch=-1)
    with pytest.raises(TypeError, match="^source_date_epoch must be an int, got '1500000000'$"):
        convert(Document([]), "html5", source_date_epoch="1500000000")


def test_timeout_becomes_pandoc_error():
    with pytest.raises(PandocError, match=r"^pandoc timed out after 1e-06 s converting to epub3$"):
        convert(every_element(), "epub3", timeout=0.000001)


def test_str_elements_survive_unchanged():
    # A no-break space stays inside the word all the way through pandoc.
    doc = Document([Para(text("10\u00a0mg"))])
    assert json.loads(convert(doc, "json"))["blocks"][0]["c"] == [Str("10\u00a0mg").to_json()]


def test_sandbox_refuses_epub_css_files(tmp_path):
    # pandoc quirk: the EPUB builder must add its stylesheet after conversion.
    css = tmp_path / "guide.css"
    css.write_text("body { margin: 0 }")
    with pytest.raises(PandocError) as caught:
        convert(every_element(), "epub3", extra_args=[f"--css={css}"])
    assert str(caught.value) == (
        f"pandoc failed converting to epub3 (exit 99): File {css} not found in resource path"
    )
