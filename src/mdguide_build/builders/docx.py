"""Word document: for the people who will edit a handout or send it on.

pandoc writes the DOCX from the ``"docx"`` flavour of the guide's AST, styled
by the reference document made in ``mdguide_build.reference_docx``: Word's own
Heading 1-6, real footnotes for the resources, the guide's named paragraph
styles, a contents field, title, subject, authors and language in the
document properties.

Two things are done after pandoc (``finish``):

* pandoc leaves its contents field empty for Word to fill after asking, so
  LibreOffice and converters show a blank contents page; the entries, computed
  from the AST like every other format's contents, are put in the field, each
  linked to its heading (Word still refreshes it, adding page numbers);
* under ``--sandbox`` pandoc dates the document 1 January 1970; it is dated
  from the content instead (created: the guide's first publication; modified:
  ``SOURCE_DATE_EPOCH`` if set, else the edition's date), and the zip is
  re-packed with that date on every entry, in pandoc's order.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from mdguide_build.builders.base import Builder, Output
from mdguide_build.errors import MdguideError
from mdguide_build.guide.content import Content
from mdguide_build.guide.labels import human_date
from mdguide_build.pandoc import ast as pa
from mdguide_build.pandoc import runner as pandoc
from mdguide_build.pandoc.guide import AnchorHook, guide_document, plain
from mdguide_build.writers.reference_docx import reference_docx
from mdguide_build.writers.zipped import unzip_entries, zip_bytes

CORE = "docProps/core.xml"
BODY = "word/document.xml"
CONTENTS_DEPTH = 2  # as in the HTML page: sections and their subsections
_DCTERMS = "{http://purl.org/dc/terms/}"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# The metadata a Word document shows: core properties (title, creator, subject,
# description, language) and the title block.  pandoc would put every other key
# (EPUB accessibility lists, edition notes) into custom properties, some empty.
_META_KEYS = ("title", "subtitle", "author", "subject", "description", "lang", "identifier")
_UPGRADE_HINT = (
    "hint: mdguide expects the DOCX of pandoc 3.9 (pypandoc-binary in constraints.txt); was it upgraded?"
)


class DocxError(MdguideError):
    """pandoc's DOCX is not shaped as the finish step expects."""


def docx_document(content: Content, anchor: AnchorHook | None = None) -> pa.Document:
    """The guide in its Word flavour, with the metadata a Word document uses."""
    document = guide_document(content, "docx", anchor=anchor)
    meta = {key: document.meta[key] for key in _META_KEYS if key in document.meta}
    # Shown under the title; the machine-readable dates go into core.xml (see finish()).
    meta["date"] = pa.MetaInlines(plain(human_date(content.guide.published)))
    meta["toc-title"] = pa.MetaInlines(plain("Contents"))
    return pa.Document(document.blocks, meta)


def document_dates(content: Content, source_date_epoch: int | None) -> tuple[datetime, datetime]:
    """(created, modified) for the document properties."""
    created = _first_day(content.guide.published)
    if source_date_epoch is not None:
        modified = datetime.fromtimestamp(source_date_epoch, UTC)
    else:
        modified = _first_day(content.guide.edition.date)
    return created, modified


def contents_entries(document: pa.Document, depth: int = CONTENTS_DEPTH) -> list[tuple[int, str, str]]:
    """(level, text, bookmark) of every listed heading down to ``depth``, in reading order."""
    entries = []

    def walk(blocks) -> None:
        for block in blocks:
            if isinstance(block, pa.Header):
                if block.level <= depth and block.attr.identifier and "unlisted" not in block.attr.classes:
                    entries.append((block.level, pa.stringify(block.content), block.attr.identifier))
            elif isinstance(block, pa.Div):
                walk(block.blocks)

    walk(document.blocks)
    return entries


def finish(
    docx: bytes, contents: list[tuple[int, str, str]] | None, created: datetime, modified: datetime
) -> bytes:
    """pandoc's DOCX with dated core properties (and its contents filled in, if given), re-packed."""
    entries = unzip_entries(docx)
    change = {CORE: lambda data: _dated_core(data, created, modified)}
    if contents is not None:
        change[BODY] = lambda data: _filled_contents(data, contents)
    entries = [(name, change[name](data) if name in change else data) for name, data in entries]
    return zip_bytes(entries, modified)


def convert_with_reference(document: str, path: Path, reference: bytes, extra_args: list[str]) -> bytes:
    """pandoc's DOCX for ``document``, styled by the ``reference`` document.

    pandoc reads ``--reference-doc`` from a file, before its sandbox starts,
    so the bytes go into a private file beside ``path`` for the run.
    """
    reference_path = path.with_name(f".{path.name}.{secrets.token_hex(4)}.reference.docx")
    try:
        reference_path.write_bytes(reference)
        return pandoc.convert(document, "docx", extra_args=[f"--reference-doc={reference_path}", *extra_args])
    finally:
        reference_path.unlink(missing_ok=True)


def write_docx(
    path: Path,
    document: str,
    contents: list[tuple[int, str, str]],
    language: str,
    created: datetime,
    modified: datetime,
) -> None:
    """The guide's DOCX at ``path``, from its AST as JSON (also `mdguide review export`)."""
    # The reference is made here, in the worker, so it overlaps other formats' pandoc
    # runs; it depends only on mdguide's code (in every fingerprint) and the language.
    written = convert_with_reference(
        document,
        path,
        reference_docx(language),
        [
            "--toc",
            f"--toc-depth={CONTENTS_DEPTH}",
            "--syntax-highlighting=none",  # no code: keep pandoc's token styles out of Word's list
        ],
    )
    path.write_bytes(finish(written, contents, created, modified))


class DocxBuilder(Builder):
    name = "docx"
    summary = (
        "Word document with Word's own headings, footnotes and named styles: for editing and sending on."
    )

    def outputs(self, content: Content) -> list[Output]:
        ast = docx_document(content)
        document = ast.to_json_text()
        contents = contents_entries(ast)
        language = content.guide.language
        created, modified = document_dates(content, self.options.source_date_epoch)

        def write(path: Path) -> None:
            write_docx(path, document, contents, language, created, modified)

        fingerprint = self.fingerprint(document, language, created.isoformat(), modified.isoformat())
        return [Output(f"{content.guide.slug}.docx", fingerprint, write)]


def _first_day(date: str) -> datetime:
    """'2017-06' -> 1 June 2017, 00:00 UTC; '2017-06-05' -> 5 June 2017."""
    year, month, *day = (int(part) for part in date.split("-"))
    return datetime(year, month, day[0] if day else 1, tzinfo=UTC)


def _dated_core(core: bytes, created: datetime, modified: datetime) -> bytes:
    root = etree.fromstring(core)
    for name, when in (("created", created), ("modified", modified)):
        element = root.find(f"{_DCTERMS}{name}")
        if element is None:
            raise DocxError(f"pandoc's DOCX has no dcterms:{name} in {CORE} ({_UPGRADE_HINT})")
        element.text = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _filled_contents(body: bytes, contents: list[tuple[int, str, str]]) -> bytes:
    """Put the contents entries into the result of pandoc's (empty) TOC field.

    pandoc leaves the field for Word to fill, which it does only after asking;
    LibreOffice and every converter show an empty contents page.  With the
    entries in place, each links to its heading's bookmark, and Word still
    refreshes the field (adding page numbers) since pandoc marks it dirty.
    """
    root = etree.fromstring(body)
    field = next(
        (
            p
            for p in root.iter(f"{_W}p")
            if any(c.get(f"{_W}fldCharType") == "begin" for c in p.iter(f"{_W}fldChar"))
            and "TOC" in "".join(t.text or "" for t in p.iter(f"{_W}instrText"))
        ),
        None,
    )
    if field is None or not contents:
        raise DocxError(f"pandoc's DOCX has no contents field to fill ({_UPGRADE_HINT})")
    bookmarks = {b.get(f"{_W}name") for b in root.iter(f"{_W}bookmarkStart")}
    missing = [anchor for _, _, anchor in contents if anchor not in bookmarks]
    if missing:
        raise DocxError(f"pandoc's DOCX has no bookmark for the headings {missing} ({_UPGRADE_HINT})")
    runs = list(field.iter(f"{_W}r"))
    paragraphs = [_contents_paragraph(level, text, anchor) for level, text, anchor in contents]
    # The field begins (begin, instruction, separate) in the first entry and ends after the last.
    properties = paragraphs[0].find(f"{_W}pPr")
    for run in reversed(runs):
        properties.addnext(run)
    end = next(c for run in runs for c in run.iter(f"{_W}fldChar") if c.get(f"{_W}fldCharType") == "end")
    end.getparent().remove(end)
    paragraphs[-1].append(_element("r", _element("fldChar", fldCharType="end")))
    field.getparent().replace(field, paragraphs[0])
    for paragraph in reversed(paragraphs[1:]):
        paragraphs[0].addnext(paragraph)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _contents_paragraph(level: int, text: str, anchor: str):
    words = _element("t", space="preserve")
    words.text = text
    return _element(
        "p",
        _element("pPr", _element("pStyle", val=f"TOC{level}")),
        _element("hyperlink", _element("r", words), anchor=anchor, history="1"),
    )


def _element(tag: str, *children, space: str | None = None, **attributes: str):
    element = etree.Element(f"{_W}{tag}", nsmap={"w": _W[1:-1]})
    for name, value in attributes.items():
        element.set(f"{_W}{name}", value)
    if space:
        element.set("{http://www.w3.org/XML/1998/namespace}space", space)
    element.extend(children)
    return element
