"""``mdguide diff --format html``: a page a colleague can open, like a publisher's "compare versions".

The page is a pandoc document (typed AST, never HTML strings) written by the
one pandoc runner with its own template.  Added and removed words are spans
classed ``diff-ins`` and ``diff-del`` that lxml then renames to ``<ins>`` and
``<del>`` (pandoc has no such nodes), each starting with a visible label in
words, so a screen reader and a reader who cannot tell the colours apart both
know which is which.
"""

from __future__ import annotations

from lxml import html as lxml_html

from mdguide_build import ASSETS
from mdguide_build.pandoc import ast as pa
from mdguide_build.pandoc import runner as pandoc
from mdguide_build.tools.content_diff.changes import PARAGRAPH_BREAK, Change, DiffResult
from mdguide_build.tools.content_diff.report import parts
from mdguide_build.tools.content_diff.wording import inlines
from mdguide_build.tools.content_diff.words import trimmed

TEMPLATE = ASSETS / "html" / "diff-report.html"
CSS = ASSETS / "html" / "diff-report.css"
MARKS = {"diff-ins": ("ins", "added:"), "diff-del": ("del", "removed:")}


def _marked(kind: str, words: list[pa.Inline], *, labelled: bool = True) -> list[pa.Inline]:
    """Added or removed words, after a label in words ("added:", "removed:") unless a "Was:"/"Now:" says it.

    The label stands outside the ``<ins>``/``<del>``, so only the words themselves are marked up as changed.
    """
    marked = pa.Span(words, pa.Attr(classes=[kind]))
    if not labelled:
        return [marked]
    return [pa.Span(pa.text(MARKS[kind][1]), pa.Attr(classes=["diff-label"])), pa.Space(), marked]


def _change(change: Change, names: dict[str, str], number: int) -> pa.Block:
    blocks: list[pa.Block] = [pa.Header(3, pa.text(change.headline))]
    if change.words:
        line: list[pa.Inline] = []
        for op, text in trimmed(change.words):
            if line:
                line.append(pa.Space())
            if op == "=":
                line.extend(pa.text(text))
            else:
                line.extend(_marked("diff-del" if op == "-" else "diff-ins", pa.text(text)))
        blocks.append(pa.Para(line))
    else:
        was, now = (f"{label.capitalize()}:" for label in change.labels)
        both = change.old is not None and change.new is not None
        for value, kind, label in ((change.old, "diff-del", was), (change.new, "diff-ins", now)):
            if value is None:
                continue
            for text in value.split(PARAGRAPH_BREAK):
                lead = [pa.Span(pa.text(label), pa.Attr(classes=["diff-label"])), pa.Space()] if both else []
                words = inlines(text, names)
                # A moved resource keeps the address the guide printed: nothing of it is removed.
                kept = kind == "diff-del" and change.kind == "resource-moved"
                blocks.append(pa.Para([*lead, *(words if kept else _marked(kind, words, labelled=not both))]))
    return pa.Div(blocks, pa.Attr(identifier=f"change-{number}", classes=["change"]))


def report_document(result: DiffResult, guide_title: str) -> pa.Document:
    title = f"Changes {result.span()}"
    blocks: list[pa.Block] = [
        pa.Para(pa.text(result.summary())),
        pa.Para(
            [
                *pa.text("Added words are marked"),
                pa.Space(),
                *_marked("diff-ins", pa.text("like this")),
                pa.Str(","),
                pa.Space(),
                *pa.text("removed words"),
                pa.Space(),
                *_marked("diff-del", pa.text("like this")),
                pa.Str("."),
            ]
        ),
    ]
    number = 0
    for part, changes in parts(result).items():
        section: list[pa.Block] = [pa.Header(2, pa.text(part))]
        for change in changes:
            number += 1
            section.append(_change(change, result.resource_names, number))
        blocks += section
    meta = {
        "title": pa.MetaInlines(pa.text(title)),
        "pagetitle": pa.MetaString(f"{title} – {guide_title}"),
        "guide-title": pa.MetaInlines(pa.text(guide_title)),
        "lang": pa.MetaString("en-GB"),
    }
    return pa.Document(blocks, meta)


def html_report(result: DiffResult, guide_title: str) -> bytes:
    """The whole page, self-contained (its CSS inlined)."""
    page = pandoc.convert(
        report_document(result, guide_title),
        "html5",
        extra_args=[
            "--standalone",
            f"--template={TEMPLATE}",
            f"--variable=inline-css:{CSS.read_text(encoding='utf-8')}",
        ],
    )
    tree = lxml_html.document_fromstring(page)
    for kind, (tag, _label) in MARKS.items():
        for span in tree.xpath(f"//span[contains(concat(' ', @class, ' '), ' {kind} ')]"):
            span.tag = tag
    # The legend's examples are not changes: plain spans, as before.
    for example in tree.xpath("//main/p[2]/*[self::ins or self::del]"):
        example.tag = "span"
    return lxml_html.tostring(tree, doctype="<!DOCTYPE html>", encoding="utf-8")
