"""Edit a DOCX the way Microsoft Word writes its edits (ECMA-376 WordprocessingML), for fixtures.

Word records a tracked change as ``w:ins``/``w:del`` around runs, with ``w:id``, ``w:author`` and
``w:date``; deleted words move into ``w:delText``; a formatting change keeps the old run
properties in ``w:rPrChange``; a comment is ``w:commentRangeStart``/``End`` in the text, a
``w:commentReference`` run, and a ``w:comment`` in word/comments.xml.  Word also splits runs where
it likes (mid-word, at each editing session) and stamps ``w:rsid*`` attributes on runs and
paragraphs.  These helpers do the same to a document exported by ``mdguide review export``, so the
tests read what Word would send back, not what mdguide wrote.
"""

from __future__ import annotations

import copy
import io
import itertools
import zipfile
from pathlib import Path

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
COMMENTS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
COMMENTS_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
DATE = "2025-03-14T09:30:00Z"
_ids = itertools.count(9001)


class Docx:
    """A DOCX held in memory: its parts, with document.xml parsed."""

    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as archive:
            self.parts = {name: archive.read(name) for name in archive.namelist()}
        self.document = etree.fromstring(self.parts["word/document.xml"])

    def save(self, path: Path) -> Path:
        self.parts["word/document.xml"] = etree.tostring(
            self.document, xml_declaration=True, encoding="UTF-8", standalone=True
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in self.parts.items():
                archive.writestr(name, data)
        path.write_bytes(buffer.getvalue())
        return path

    def paragraph(self, words: str) -> etree._Element:
        """The one body paragraph whose text holds ``words``."""
        found = [p for p in self.document.iter(f"{W}p") if words in _text(p)]
        assert len(found) == 1, f"{len(found)} paragraphs hold {words!r}"
        return found[0]

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.parts[name])

    def set_xml(self, name: str, root: etree._Element) -> None:
        self.parts[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _text(element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{W}t"))


def _w(tag: str, **attributes: str) -> etree._Element:
    element = etree.Element(f"{W}{tag}", nsmap={"w": W_NS})
    for name, value in attributes.items():
        element.set(f"{W}{name}", value)
    return element


def _run(text: str, properties=None, deleted: bool = False, rsid: str = "00C4F2A1") -> etree._Element:
    run = _w("r", rsidR=rsid)
    if properties is not None:
        run.append(copy.deepcopy(properties))
    t = _w("delText" if deleted else "t")
    t.text = text
    t.set(XML_SPACE, "preserve")
    run.append(t)
    return run


def _change(tag: str, author: str) -> etree._Element:
    return _w(tag, id=str(next(_ids)), author=author, date=DATE)


def _span(p, words: str, at: int | None = None) -> list[etree._Element]:
    """The runs holding exactly ``words`` (first found, or at character ``at``), split where needed
    (as Word splits runs mid-word).  The runs must be siblings (not across a hyperlink's edge).
    """
    runs = [r for r in p.iter(f"{W}r") if r.find(f"{W}t") is not None]
    text = "".join(_text(r) for r in runs)
    start = text.index(words) if at is None else at
    assert text[start : start + len(words)] == words, (text[start : start + len(words)], words)
    end = start + len(words)
    for offset in (start, end):
        position = 0
        for run in [r for r in p.iter(f"{W}r") if r.find(f"{W}t") is not None]:
            length = len(_text(run))
            if position < offset < position + length:
                _split(run, offset - position)
                break
            position += length
    runs = [r for r in p.iter(f"{W}r") if r.find(f"{W}t") is not None]
    chosen, position = [], 0
    for run in runs:
        length = len(_text(run))
        if start <= position and position + length <= end and length:
            chosen.append(run)
        position += length
    assert "".join(_text(r) for r in chosen) == words, (words, [_text(r) for r in chosen])
    assert len({r.getparent() for r in chosen}) == 1, "the words cross a hyperlink's edge"
    return chosen


def _split(run, at: int) -> None:
    """Split one run into two at character ``at``, each with the run's properties and a new rsid."""
    t = run.find(f"{W}t")
    first, second = t.text[:at], t.text[at:]
    t.text = first
    t.set(XML_SPACE, "preserve")
    twin = copy.deepcopy(run)
    twin.find(f"{W}t").text = second
    twin.set(f"{W}rsidR", "00D71E55")
    run.addnext(twin)


def split_mid_word(p) -> None:
    """Split every run of more than three characters in the middle, as Word does after edits."""
    for run in list(p.iter(f"{W}r")):
        t = run.find(f"{W}t")
        if t is not None and t.text and len(t.text) > 3:
            _split(run, len(t.text) // 2)
    p.set(f"{W}rsidR", "00A93C17")
    p.set(f"{W}rsidRDefault", "00A93C17")
    p.set(f"{W}rsidP", "00A93C17")


def track_delete(p, words: str, author: str = "Dr A Reviewer", at: int | None = None) -> etree._Element:
    runs = _span(p, words, at)
    deletion = _change("del", author)
    runs[0].addprevious(deletion)
    for run in runs:
        t = run.find(f"{W}t")
        t.tag = f"{W}delText"
        deletion.append(run)
    return deletion


def track_insert_after(p, words: str, new: str, author: str = "Dr A Reviewer", at: int | None = None) -> None:
    last = _span(p, words, at)[-1]
    insertion = _change("ins", author)
    insertion.append(_run(new, last.find(f"{W}rPr")))
    last.addnext(insertion)


def track_replace(p, old: str, new: str, author: str = "Dr A Reviewer", at: int | None = None) -> None:
    properties = _span(p, old, at)[0].find(f"{W}rPr")
    deletion = track_delete(p, old, author, at)
    insertion = _change("ins", author)
    insertion.append(_run(new, properties))
    deletion.addnext(insertion)


def replace_untracked(p, old: str, new: str, at: int | None = None) -> None:
    runs = _span(p, old, at)
    if new:
        runs[0].addprevious(_run(new, runs[0].find(f"{W}rPr")))
    for run in runs:
        run.getparent().remove(run)


def track_format(
    p, words: str, author: str = "Dr A Reviewer", italic: bool = False, bold: bool = False
) -> None:
    """Make ``words`` italic or bold as a tracked formatting change (``w:rPrChange``)."""
    for run in _span(p, words):
        properties = run.find(f"{W}rPr")
        if properties is None:
            properties = _w("rPr")
            run.insert(0, properties)
        old = copy.deepcopy(properties)
        for tag, on in (("b", bold), ("i", italic)):
            if on and properties.find(f"{W}{tag}") is None:
                properties.insert(0, _w(tag))
        change = _change("rPrChange", author)
        change.append(old)
        properties.append(change)


def track_new_paragraph_after(p, text: str, author: str = "Dr A Reviewer") -> etree._Element:
    """Enter at the end of ``p`` and type ``text``: Word marks p's paragraph mark as inserted."""
    new = _w("p", rsidR="00B51D9E")
    properties = p.find(f"{W}pPr")
    if properties is not None:
        new.append(copy.deepcopy(properties))
        mark = properties.find(f"{W}rPr")
        if mark is None:
            mark = _w("rPr")
            properties.append(mark)
        mark.append(_change("ins", author))
    insertion = _change("ins", author)
    insertion.append(_run(text))
    new.append(insertion)
    p.addnext(new)
    return new


def track_delete_paragraph(p, author: str = "Dr A Reviewer") -> None:
    """Select a whole paragraph, mark included, and delete it with changes tracked."""
    runs = [r for r in p if r.tag in (f"{W}r", f"{W}hyperlink")]  # words, notes and links alike
    deletion = _change("del", author)
    runs[0].addprevious(deletion)
    for run in runs:
        for t in run.iter(f"{W}t"):
            t.tag = f"{W}delText"
        deletion.append(run)
    properties = p.find(f"{W}pPr")
    if properties is None:
        properties = _w("pPr")
        p.insert(0, properties)
    mark = properties.find(f"{W}rPr")
    if mark is None:
        mark = _w("rPr")
        properties.append(mark)
    mark.append(_change("del", author))


def comment(docx: Docx, p, words: str, text: str, author: str = "Dr A Reviewer") -> None:
    """A comment on ``words``, in document.xml and word/comments.xml (made if missing)."""
    ident = str(next(_ids))
    runs = _span(p, words)
    runs[0].addprevious(_w("commentRangeStart", id=ident))
    runs[-1].addnext(_w("commentRangeEnd", id=ident))
    reference = _w("r")
    reference.append(_w("commentReference", id=ident))
    p.find(f"{W}commentRangeEnd[@{W}id='{ident}']").addnext(reference)
    if "word/comments.xml" in docx.parts:
        comments = docx.xml("word/comments.xml")
    else:
        comments = _w("comments")
    note = _w("comment", id=ident, author=author, date=DATE, initials="AR")
    paragraph = _w("p")
    paragraph.append(_run(text))
    note.append(paragraph)
    comments.append(note)
    docx.set_xml("word/comments.xml", comments)
    rels = docx.xml("word/_rels/document.xml.rels")
    if not any(r.get("Type") == COMMENTS_TYPE for r in rels):
        etree.SubElement(
            rels, f"{REL}Relationship", Id="rIdComments9", Type=COMMENTS_TYPE, Target="comments.xml"
        )
        docx.set_xml("word/_rels/document.xml.rels", rels)
    types = docx.xml("[Content_Types].xml")
    if not any(o.get("PartName") == "/word/comments.xml" for o in types):
        etree.SubElement(types, f"{CT}Override", PartName="/word/comments.xml", ContentType=COMMENTS_CT)
        docx.set_xml("[Content_Types].xml", types)


def set_property(docx: Docx, name: str, value: str) -> None:
    """Change one custom document property (docProps/custom.xml)."""
    root = docx.xml("docProps/custom.xml")
    for prop in root:
        if prop.get("name") == name:
            prop[0].text = value
    docx.set_xml("docProps/custom.xml", root)


def table(text: str) -> etree._Element:
    """A one-cell table, as pasted from a spreadsheet."""
    cell_paragraph = _w("p")
    cell_paragraph.append(_run(text))
    cell = _w("tc")
    cell.append(cell_paragraph)
    row = _w("tr")
    row.append(cell)
    grid = _w("tbl")
    grid.append(row)
    return grid
