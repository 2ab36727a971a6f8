"""Read a reviewer's DOCX: its text with tracked changes, comments, notes and properties.

Only what an import needs is read, from the zip with limits on everything
(size of the file, number of entries, each part's size and compression
ratio, counted while reading rather than trusted from the zip's headers), so
a damaged or hostile file fails with a message, not with the memory of the
machine.  XML is parsed without DTDs, entities or network.

The body becomes a list of paragraphs in two *views*:

* ``accepted``: as if every tracked change were accepted (``w:ins`` kept,
  ``w:del`` dropped, ``w:rPrChange`` ignored, paragraph marks deleted as a
  change joined to the next paragraph);
* ``rejected``: as if every tracked change were rejected (the opposite).

Each paragraph is a list of ``Atom`` (one character, or one note reference,
with its italic, bold and link) and the zero-width ``Mark`` s between them
(bookmarks and comment ranges), which both views keep.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree

from mdguide_build.errors import MdguideError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ENTRIES = 2000
MAX_PART_BYTES = 64 * 1024 * 1024  # one XML part, uncompressed
MAX_TOTAL_BYTES = 160 * 1024 * 1024  # every part read, uncompressed
MAX_RATIO = 200  # uncompressed / compressed: Word's XML compresses about 10:1
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
OBJECT = "\ufffc"  # stands for a picture, a text box or anything else that is not text

# Elements whose content is not text in the reading order (properties, field codes, drawings).
_SKIP = {
    "pPr",
    "rPr",
    "sectPr",
    "tblPr",
    "tblGrid",
    "trPr",
    "tcPr",
    "sdtPr",
    "sdtEndPr",
    "instrText",
    "delInstrText",
    "proofErr",
    "permStart",
    "permEnd",
    "lastRenderedPageBreak",
    "fldChar",
    "commentReference",
    "footnoteRef",
    "endnoteRef",
    "annotationRef",
    "separator",
    "continuationSeparator",
    "moveFromRangeStart",
    "moveFromRangeEnd",
    "moveToRangeStart",
    "moveToRangeEnd",
    "customXmlInsRangeStart",
    "customXmlInsRangeEnd",
    "customXmlDelRangeStart",
    "customXmlDelRangeEnd",
    "rsid",
}
_OBJECTS = {"drawing", "pict", "object", "AlternateContent", "ptab"}
_OFF = {"0", "false", "off"}


class ReviewInputError(MdguideError):
    """The file is not a DOCX that can be read safely."""


@dataclass(frozen=True)
class Atom:
    """One character of text (``char``), or one note reference (``note``: the footnote's id)."""

    char: str = ""
    italic: bool = False
    bold: bool = False
    link: str | None = None  # the hyperlink's target: a URL, or "#bookmark" inside the document
    note: str | None = None


@dataclass(frozen=True)
class Mark:
    """A zero-width marker before atom ``at``: a bookmark or a comment range starting or ending."""

    at: int
    kind: str  # "bookmark-start", "bookmark-end", "comment-start", "comment-end", "comment"
    name: str  # the bookmark's name, or the comment's id


@dataclass
class Paragraph:
    style: str
    atoms: list[Atom] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    in_table: bool = False
    changed: bool = False  # holds a tracked change (in either view)

    @property
    def text(self) -> str:
        return "".join(a.char for a in self.atoms)


@dataclass(frozen=True)
class Comment:
    id: str
    author: str
    date: str
    text: str


@dataclass(frozen=True)
class Footnote:
    id: str
    accepted: str  # its text, changes accepted
    rejected: str
    links: tuple[str, ...]  # hyperlink targets in it, accepted view


@dataclass
class ReviewedDocx:
    source: str
    properties: dict[str, str]
    accepted: list[Paragraph]
    rejected: list[Paragraph]
    comments: dict[str, Comment]
    footnotes: dict[str, Footnote]


# --- the zip --------------------------------------------------------------------------------


class _Package:
    """The parts of a DOCX, read within limits."""

    def __init__(self, data: bytes, source: str):
        self.source = source
        self.total = 0
        if data.startswith(OLE_MAGIC):
            raise ReviewInputError(
                f"{source} is encrypted (password-protected) or is an old Word 97-2003 document, not a DOCX "
                "(hint: ask the reviewer to remove the password, or open it in Word and save it as "
                "'Word Document (*.docx)', then import that)"
            )
        if not data.startswith(ZIP_MAGIC):
            raise ReviewInputError(
                f"{source} is not a Word document (DOCX): it is not a zip file "
                "(hint: import the .docx file the reviewer saved)"
            )
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
            raise ReviewInputError(f"{source} is damaged: {error} (hint: ask for the file again)") from None
        if len(infos) > MAX_ENTRIES:
            raise ReviewInputError(
                f"{source} holds {len(infos)} files; a DOCX holds far fewer "
                f"(at most {MAX_ENTRIES} are read): it is not a DOCX mdguide can read"
            )
        names = [info.filename for info in infos]
        if len(set(names)) != len(names):
            raise ReviewInputError(
                f"{source} is damaged: its zip lists a file twice (hint: ask for the file again)"
            )
        self.infos = {info.filename: info for info in infos}

    def read(self, name: str) -> bytes | None:
        info = self.infos.get(name)
        if info is None:
            return None
        if info.flag_bits & 0x1:
            raise ReviewInputError(
                f"{self.source} is encrypted (its part {name} is): "
                "(hint: ask the reviewer to save it without a password)"
            )
        limit = min(MAX_PART_BYTES, MAX_TOTAL_BYTES - self.total)
        declared_ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limit or declared_ratio > MAX_RATIO:
            raise ReviewInputError(self._bomb(name))
        try:
            with self.zip.open(info) as stream:
                data = stream.read(limit + 1)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as error:
            raise ReviewInputError(
                f"{self.source} is damaged: cannot read {name}: {error} (hint: ask for the file again)"
            ) from None
        # The headers can lie: what counts is what came out.
        if len(data) > limit or len(data) / max(info.compress_size, 1) > MAX_RATIO:
            raise ReviewInputError(self._bomb(name))
        self.total += len(data)
        return data

    def _bomb(self, name: str) -> str:
        return (
            f"{self.source} is refused: its part {name} unpacks to too much data (more than "
            f"{MAX_PART_BYTES // (1024 * 1024)} MiB, or over {MAX_RATIO} times its packed size), as a "
            "zip bomb does (hint: a reviewed guide is far smaller; ask for the file again)"
        )

    def xml(self, name: str, required: bool = False) -> etree._Element | None:
        data = self.read(name)
        if data is None:
            if required:
                raise ReviewInputError(
                    f"{self.source} is not a Word document (DOCX): it has no {name} "
                    "(hint: import the .docx file the reviewer saved)"
                )
            return None
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        try:
            return etree.fromstring(data, parser)
        except etree.XMLSyntaxError as error:
            raise ReviewInputError(
                f"{self.source} is damaged: {name} is not well-formed XML ({error}) "
                "(hint: ask for the file again)"
            ) from None

    def main_part(self) -> str:
        rels = self.xml("_rels/.rels")
        if rels is not None:
            for rel in rels.iter(f"{{{PKG_REL}}}Relationship"):
                if rel.get("Type") == OFFICE_DOCUMENT:
                    return rel.get("Target", "").lstrip("/")
        return "word/document.xml"

    def relationships(self, part: str) -> dict[str, str]:
        """Relationship id -> target of one part (hyperlinks' addresses)."""
        path = PurePosixPath(part)
        rels = self.xml(str(path.parent / "_rels" / f"{path.name}.rels"))
        if rels is None:
            return {}
        return {rel.get("Id", ""): rel.get("Target", "") for rel in rels.iter(f"{{{PKG_REL}}}Relationship")}


# --- the body -----------------------------------------------------------------------------


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _w(element: etree._Element, name: str) -> str | None:
    return element.get(f"{{{W}}}{name}")


def _on(properties: etree._Element | None, name: str) -> bool:
    if properties is None:
        return False
    found = properties.find(f"{{{W}}}{name}")
    if found is not None:
        return (_w(found, "val") or "true").lower() not in _OFF
    style = properties.find(f"{{{W}}}rStyle")
    styled = {"i": ("Emphasis",), "b": ("Strong",)}[name]
    return style is not None and _w(style, "val") in styled


@dataclass
class _Event:
    kind: str  # "start" (paragraph), "end" (paragraph mark), "atom", "mark"
    inserted: bool = False
    deleted: bool = False
    atom: Atom | None = None
    old: Atom | None = None  # the atom's formatting before a tracked formatting change
    mark: tuple[str, str] | None = None
    style: str = ""
    in_table: bool = False


class _Walker:
    """Turns a body (or a footnote) into events in reading order, each knowing its tracked state."""

    def __init__(self, links: dict[str, str]):
        self.links = links
        self.events: list[_Event] = []
        self.bookmarks: dict[str, str] = {}  # bookmark id -> name

    def walk(self, element, inserted=False, deleted=False, link=None, in_table=False) -> None:
        for child in element:
            name = _local(child)
            if not name or name in _SKIP:
                continue
            if name == "p":
                self.paragraph(child, inserted, deleted, link, in_table)
            elif name in ("ins", "moveTo"):
                self.walk(child, True, deleted, link, in_table)
            elif name in ("del", "moveFrom"):
                self.walk(child, inserted, True, link, in_table)
            elif name == "r":
                self.run(child, inserted, deleted, link)
            elif name == "hyperlink":
                rid = child.get(f"{{{R}}}id")
                target = self.links.get(rid, "") if rid else f"#{_w(child, 'anchor') or ''}"
                self.walk(child, inserted, deleted, target, in_table)
            elif name == "bookmarkStart":
                self.bookmarks[_w(child, "id") or ""] = _w(child, "name") or ""
                self.events.append(_Event("mark", mark=("bookmark-start", _w(child, "name") or "")))
            elif name == "bookmarkEnd":
                self.events.append(_Event("mark", mark=("bookmark-end", _w(child, "id") or "")))
            elif name in ("commentRangeStart", "commentRangeEnd"):
                kind = "comment-start" if name == "commentRangeStart" else "comment-end"
                self.events.append(_Event("mark", mark=(kind, _w(child, "id") or "")))
            elif name == "tbl":
                self.walk(child, inserted, deleted, link, True)
            elif name in _OBJECTS:
                self.atom(Atom(OBJECT), None, inserted, deleted)
            else:  # containers: sdt, sdtContent, smartTag, customXml, fldSimple, tr, tc, …
                self.walk(child, inserted, deleted, link, in_table)

    def paragraph(self, p, inserted, deleted, link, in_table) -> None:
        properties = p.find(f"{{{W}}}pPr")
        style = ""
        mark_inserted, mark_deleted = inserted, deleted
        if properties is not None:
            found = properties.find(f"{{{W}}}pStyle")
            style = (_w(found, "val") or "") if found is not None else ""
            mark = properties.find(f"{{{W}}}rPr")
            if mark is not None:
                mark_inserted = mark_inserted or any(
                    mark.find(f"{{{W}}}{t}") is not None for t in ("ins", "moveTo")
                )
                mark_deleted = mark_deleted or any(
                    mark.find(f"{{{W}}}{t}") is not None for t in ("del", "moveFrom")
                )
        self.events.append(_Event("start", style=style, in_table=in_table))
        self.walk(p, inserted, deleted, link, in_table)
        self.events.append(_Event("end", mark_inserted, mark_deleted))

    def run(self, r, inserted, deleted, link) -> None:
        properties = r.find(f"{{{W}}}rPr")
        italic, bold = _on(properties, "i"), _on(properties, "b")
        old_italic, old_bold = italic, bold
        if properties is not None:
            change = properties.find(f"{{{W}}}rPrChange")
            if change is not None:
                before = change.find(f"{{{W}}}rPr")
                old_italic, old_bold = _on(before, "i"), _on(before, "b")
        for child in r:
            name = _local(child)
            if name in ("t", "delText"):
                for char in child.text or "":
                    self.atom(
                        Atom(char, italic, bold, link),
                        Atom(char, old_italic, old_bold, link),
                        inserted,
                        deleted,
                    )
            elif name == "tab":
                self.atom(
                    Atom("\t", italic, bold, link), Atom("\t", old_italic, old_bold, link), inserted, deleted
                )
            elif name in ("br", "cr"):
                self.atom(
                    Atom("\n", italic, bold, link), Atom("\n", old_italic, old_bold, link), inserted, deleted
                )
            elif name == "noBreakHyphen":
                self.atom(
                    Atom("\u2011", italic, bold, link),
                    Atom("\u2011", old_italic, old_bold, link),
                    inserted,
                    deleted,
                )
            elif name == "sym":
                char = (
                    chr(int(_w(child, "char") or "fffc", 16))
                    if (_w(child, "char") or "").isalnum()
                    else OBJECT
                )
                self.atom(
                    Atom(char, italic, bold, link), Atom(char, old_italic, old_bold, link), inserted, deleted
                )
            elif name == "footnoteReference":
                note = _w(child, "id") or ""
                self.atom(Atom(note=note, link=link), Atom(note=note, link=link), inserted, deleted)
            elif name == "endnoteReference" or name in _OBJECTS:
                self.atom(Atom(OBJECT), Atom(OBJECT), inserted, deleted)
            elif name == "commentReference":
                self.events.append(_Event("mark", mark=("comment", _w(child, "id") or "")))

    def atom(self, atom: Atom, old: Atom | None, inserted: bool, deleted: bool) -> None:
        self.events.append(_Event("atom", inserted, deleted, atom=atom, old=old or atom))


def _views(walker: _Walker) -> tuple[list[Paragraph], list[Paragraph]]:
    return _view(walker, accept=True), _view(walker, accept=False)


def _view(walker: _Walker, accept: bool) -> list[Paragraph]:
    """The paragraphs with every change accepted (or rejected)."""
    out: list[Paragraph] = []
    current: Paragraph | None = None
    joining = False  # the last paragraph's mark is gone in this view: the next one continues it
    for event in walker.events:
        if event.kind == "start":
            if current is None or not joining:
                current = Paragraph(event.style, in_table=event.in_table)
                out.append(current)
            joining = False
        elif current is None:
            continue  # nothing outside a paragraph is text
        elif event.kind == "end":
            gone = event.deleted if accept else event.inserted
            joining = gone
            if event.inserted or event.deleted:
                current.changed = True
        elif event.kind == "mark":
            kind, name = event.mark
            if kind == "bookmark-end":
                name = walker.bookmarks.get(name, "")
            current.marks.append(Mark(len(current.atoms), kind, name))
        else:
            if event.inserted or event.deleted or event.atom != event.old:
                current.changed = True
            shown = not event.deleted if accept else not event.inserted
            if shown:
                current.atoms.append(event.atom if accept else event.old)
    return out


# --- the other parts ----------------------------------------------------------------------


def _properties(package: _Package) -> dict[str, str]:
    root = package.xml("docProps/custom.xml")
    if root is None:
        return {}
    found: dict[str, str] = {}
    for prop in root:
        name = prop.get("name")
        if name is None:
            continue
        found[name] = "".join(prop.itertext())
    return found


def _comments(package: _Package, main: str) -> dict[str, Comment]:
    root = package.xml(str(PurePosixPath(main).parent / "comments.xml"))
    if root is None:
        return {}
    found = {}
    for comment in root.iter(f"{{{W}}}comment"):
        ident = _w(comment, "id") or ""
        paragraphs = ["".join(t.text or "" for t in p.iter(f"{{{W}}}t")) for p in comment.iter(f"{{{W}}}p")]
        found[ident] = Comment(
            ident,
            _w(comment, "author") or "",
            _w(comment, "date") or "",
            "\n".join(p for p in paragraphs if p),
        )
    return found


def _footnotes(package: _Package, main: str) -> dict[str, Footnote]:
    part = str(PurePosixPath(main).parent / "footnotes.xml")
    root = package.xml(part)
    if root is None:
        return {}
    links = package.relationships(part)
    found = {}
    for note in root.iter(f"{{{W}}}footnote"):
        if _w(note, "type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        walker = _Walker(links)
        walker.walk(note)
        accepted, rejected = _views(walker)
        targets = tuple(dict.fromkeys(a.link for p in accepted for a in p.atoms if a.link))
        ident = _w(note, "id") or ""
        found[ident] = Footnote(
            ident,
            " ".join(p.text.strip() for p in accepted if p.text.strip()),
            " ".join(p.text.strip() for p in rejected if p.text.strip()),
            targets,
        )
    return found


def read_docx(path: Path, source: str | None = None) -> ReviewedDocx:
    """Read ``path`` safely; ``source`` names it in messages (default: the path)."""
    source = source or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ReviewInputError(
                f"{source} is {size // (1024 * 1024)} MiB; a reviewed guide is far smaller "
                f"(at most {MAX_FILE_BYTES // (1024 * 1024)} MiB are read)"
            )
        data = path.read_bytes()
    except OSError as error:
        raise ReviewInputError(f"cannot read {source}: {error.strerror}") from None
    package = _Package(data, source)
    main = package.main_part()
    root = package.xml(main, required=True)
    body = root.find(f"{{{W}}}body")
    if body is None:
        raise ReviewInputError(f"{source} is not a Word document: {main} has no body")
    walker = _Walker(package.relationships(main))
    walker.walk(body)
    accepted, rejected = _views(walker)
    return ReviewedDocx(
        source, _properties(package), accepted, rejected, _comments(package, main), _footnotes(package, main)
    )
