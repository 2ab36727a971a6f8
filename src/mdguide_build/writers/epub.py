"""Finish an EPUB that pandoc wrote, then zip it again, reproducibly.

pandoc writes a valid EPUB 3, but under ``--sandbox`` it

* refuses ``--css``: the one stylesheet it writes and links (its default) is
  replaced with ours;
* dates ``dcterms:modified`` 1970-01-01: set here from the content's edition
  date (or ``SOURCE_DATE_EPOCH``);
* cannot write ``dcterms:conformsTo`` or ``a11y:certifiedBy`` at all (EPUB
  Accessibility 1.1): added here;

and, sandbox or not, it

* titles each chapter file after its file name ("ch003.xhtml"): each
  document's ``<title>`` becomes its first heading;
* writes one ``dc:publisher`` and no subtitle: one ``dc:publisher`` per
  publisher, and the subtitle as a second ``dc:title`` refined as such;
* restarts footnote numbers in every chapter file and gives a note neither a
  visible number nor a way back: notes are numbered in reading order through
  the book (as in the other formats), and each note shows its number and
  links back to its reference;
* lists no ``bodymatter`` landmark: one is added for the first file whose
  body is body matter.

Every change is made with lxml on parsed XML, so text stays text.  The zip is
then written again as OCF requires and reproducibility needs: ``mimetype``
first and stored, everything else deflated, one fixed date, a fixed order,
no extra fields.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote

from lxml import etree

from mdguide_build.errors import MdguideError
from mdguide_build.writers.zipped import zip_bytes

__all__ = ["Book", "EpubPackageError", "Finish", "finish", "one", "pack", "parse", "serialise", "unzipped"]

MIMETYPE = b"application/epub+zip"
OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"
NCX = "http://www.daisy.org/z3986/2005/ncx/"
NS = {"opf": OPF, "dc": DC, "x": XHTML, "epub": OPS, "c": CONTAINER, "n": NCX}
EPUB_TYPE = f"{{{OPS}}}type"
_IS_HEADING = " or ".join(f"self::x:h{n}" for n in range(1, 7))

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


class EpubPackageError(MdguideError):
    """pandoc's EPUB was not shaped as expected, so it could not be finished."""


@dataclass(frozen=True)
class Finish:
    """What to put into the book besides what pandoc wrote."""

    stylesheet: bytes
    modified: datetime  # timezone-aware; also the date of every zip entry
    publishers: Sequence[str]
    subtitle: str
    conforms_to: str
    certified_by: str
    bodymatter_label: str  # the landmark's link text
    back_label: str = "Back to reference {n}"  # a note's link back to where it is cited
    note_label: str = "Note {n}"  # a reference's accessible name


def finish(files: dict[str, bytes], spec: Finish) -> bytes:
    """The files of pandoc's EPUB (``unzipped``) -> the finished, reproducible EPUB bytes."""
    book = Book(files)
    _package_metadata(book.opf, spec)
    documents = {path: parse(files[path], path) for path in book.spine_documents()}
    nav_path = book.nav_path()
    documents.setdefault(nav_path, parse(files[nav_path], nav_path))
    for root in documents.values():
        _title_from_heading(root)
    _number_notes([documents[p] for p in book.spine_documents()], spec)
    _add_bodymatter_landmark(documents, nav_path, book.spine_documents(), spec.bodymatter_label)
    files[book.stylesheet_path()] = spec.stylesheet
    files[book.opf_path] = serialise(book.opf)
    # Written by lxml, as the NCX of a book made in parts is (``epub_parts``): the same bytes either way.
    ncx = book.ncx_path()
    files[ncx] = serialise(parse(files.get(ncx, b""), ncx))
    for path, root in documents.items():
        files[path] = serialise(root)
    return pack(files, spec.modified)


def pack(files: dict[str, bytes], when: datetime) -> bytes:
    """Zip ``files`` as an EPUB: mimetype first and stored, then the rest, deflated.

    The result depends on nothing but the arguments: entries are sorted
    (``META-INF`` before the publication), all dated ``when`` (at the earliest
    1980-01-01, the first date a zip can hold) and written with fixed
    permissions and compression level.
    """
    if files.get("mimetype") != MIMETYPE:
        raise EpubPackageError("the EPUB has no 'mimetype' file saying application/epub+zip")
    order = sorted(files, key=lambda name: (name != "mimetype", not name.startswith("META-INF/"), name))
    return zip_bytes([(name, files[name]) for name in order], when, stored={"mimetype"})


# --- reading -------------------------------------------------------------------------


def unzipped(epub: bytes) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(epub)) as archive:
            return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
    except zipfile.BadZipFile as exc:
        raise EpubPackageError(f"pandoc's EPUB is not a readable zip: {exc}") from exc


def parse(data: bytes, path: str) -> etree._Element:
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise EpubPackageError(f"{path} in pandoc's EPUB is not well-formed XML: {exc}") from exc


def serialise(root: etree._Element) -> bytes:
    # The tree keeps its DOCTYPE (<!DOCTYPE html> in XHTML), so it is written again.
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def one(root: etree._Element, path: str, what: str, where: str) -> etree._Element:
    found = root.xpath(path, namespaces=NS)
    if len(found) != 1:
        raise EpubPackageError(
            f"{where}: expected one {what}, found {len(found)} "
            "(hint: pandoc's EPUB output changed shape; check the pandoc version)"
        )
    return found[0]


class Book:
    """Where things are in pandoc's EPUB, read from its container and package document."""

    def __init__(self, files: dict[str, bytes]):
        container = parse(files.get("META-INF/container.xml", b""), "META-INF/container.xml")
        rootfile = one(container, "//c:rootfile", "rootfile", "META-INF/container.xml")
        self.opf_path: str = rootfile.get("full-path", "")
        if self.opf_path not in files:
            raise EpubPackageError(f"the package document {self.opf_path!r} is missing from the EPUB")
        self.opf = parse(files[self.opf_path], self.opf_path)
        self._base = posixpath.dirname(self.opf_path)

    def path(self, href: str) -> str:
        return posixpath.normpath(posixpath.join(self._base, unquote(href)))

    def spine_documents(self) -> list[str]:
        items = {
            item.get("id"): item
            for item in self.opf.xpath("/opf:package/opf:manifest/opf:item", namespaces=NS)
        }
        paths = []
        for ref in self.opf.xpath("/opf:package/opf:spine/opf:itemref", namespaces=NS):
            item = items.get(ref.get("idref"))
            if item is None:
                raise EpubPackageError(
                    f"{self.opf_path}: spine item {ref.get('idref')!r} is not in the manifest"
                )
            if item.get("media-type") == "application/xhtml+xml":
                paths.append(self.path(item.get("href", "")))
        return paths

    def nav_path(self) -> str:
        return self._item_path("contains(concat(' ', @properties, ' '), ' nav ')", "navigation document")

    def ncx_path(self) -> str:
        return self._item_path("@media-type='application/x-dtbncx+xml'", "NCX document")

    def stylesheet_path(self) -> str:
        return self._item_path("@media-type='text/css'", "stylesheet")

    def _item_path(self, condition: str, what: str) -> str:
        """The path of the one manifest item that meets the XPath ``condition``."""
        item = one(self.opf, f"/opf:package/opf:manifest/opf:item[{condition}]", what, self.opf_path)
        return self.path(item.get("href", ""))


# --- package document --------------------------------------------------------------------


def _package_metadata(opf: etree._Element, spec: Finish) -> None:
    # pandoc declares an unused opf: prefix besides the default namespace; without
    # it, lxml writes the elements added here as <meta>, like pandoc's, not <opf:meta>.
    etree.cleanup_namespaces(opf)
    metadata = one(opf, "/opf:package/opf:metadata", "<metadata>", "package document")
    indent = metadata.text or "\n"

    modified = one(metadata, "opf:meta[@property='dcterms:modified']", "dcterms:modified", "package metadata")
    modified.text = spec.modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    # One dc:publisher per publisher, where pandoc put its single one.
    old = metadata.xpath("dc:publisher", namespaces=NS)
    anchor = old[0] if old else metadata.xpath("dc:creator | dc:language", namespaces=NS)[-1]
    for publisher in reversed(spec.publishers):
        anchor.addnext(_element(f"{{{DC}}}publisher", publisher, indent))
    for element in old:
        _remove(element)

    # The subtitle as a second title, each refined by its type (EPUB 3.3 "title-type").
    title = one(metadata, "dc:title", "dc:title", "package metadata")
    title_id = title.get("id") or "epub-title-1"
    title.set("id", title_id)
    subtitle = _element(f"{{{DC}}}title", spec.subtitle, indent, id="epub-subtitle")
    refinements = [
        _element(f"{{{OPF}}}meta", "main", indent, refines=f"#{title_id}", property="title-type"),
        subtitle,
        _element(f"{{{OPF}}}meta", "subtitle", indent, refines="#epub-subtitle", property="title-type"),
    ]
    for element in reversed(refinements):
        title.addnext(element)

    # EPUB Accessibility 1.1 conformance, after pandoc's schema.org properties.
    closing = metadata[-1].tail
    metadata[-1].tail = indent
    metadata.append(_element(f"{{{OPF}}}meta", spec.conforms_to, indent, property="dcterms:conformsTo"))
    metadata.append(_element(f"{{{OPF}}}meta", spec.certified_by, closing, property="a11y:certifiedBy"))


def _element(tag: str, text: str, tail: str, **attributes: str) -> etree._Element:
    element = etree.Element(tag, attributes)
    element.text = text
    element.tail = tail
    return element


def _remove(element: etree._Element) -> None:
    parent = element.getparent()
    previous = element.getprevious()
    if previous is not None:
        previous.tail = element.tail
    parent.remove(element)


# --- content documents ------------------------------------------------------------------


def _text(element: etree._Element) -> str:
    """The element's words on one line, leaving out note references."""
    parts = []

    def walk(node: etree._Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if child.get("role") != "doc-noteref":
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return " ".join("".join(parts).split())


def _title_from_heading(root: etree._Element) -> None:
    """The document's title is its first heading ("Contents", "1. Why become a medical director?")."""
    headings = root.xpath(f"/x:html/x:body//*[{_IS_HEADING}]", namespaces=NS)
    title = root.find(f"{{{XHTML}}}head/{{{XHTML}}}title")
    if headings and title is not None and _text(headings[0]):
        title.text = _text(headings[0])


def _number_notes(documents: list[etree._Element], spec: Finish) -> None:
    """Number footnotes 1, 2, 3 ... in reading order; show each number with a link back."""
    n = 0
    for root in documents:
        asides = {
            aside.get("id"): aside for aside in root.xpath("//x:aside[@role='doc-footnote']", namespaces=NS)
        }
        for ref in root.xpath("//x:a[@role='doc-noteref']", namespaces=NS):
            n += 1
            target = (ref.get("href") or "").removeprefix("#")
            aside = asides.pop(target, None)
            if aside is None:
                raise EpubPackageError(
                    f"note reference {ref.get('id')!r} -> {ref.get('href')!r}: no such note, or cited twice "
                    "(hint: pandoc's EPUB footnotes changed shape; check the pandoc version)"
                )
            for child in ref:
                ref.remove(child)
            ref.text = str(n)
            ref.set("aria-label", spec.note_label.format(n=n))
            # pandoc's ids count per file; these match the numbers a reader sees.
            ref.set("id", f"fnref{n}")
            ref.set("href", f"#fn{n}")
            aside.set("id", f"fn{n}")
            _mark_note(aside, n, f"fnref{n}", spec.back_label.format(n=n))
        if asides:
            raise EpubPackageError(
                f"notes {sorted(asides)} are never cited (hint: pandoc's footnotes changed shape)"
            )


def _mark_note(aside: etree._Element, n: int, ref_id: str, back_label: str) -> None:
    paragraphs = aside.xpath("x:p[1]", namespaces=NS)
    if paragraphs:
        first = paragraphs[0]
    else:
        first = etree.Element(f"{{{XHTML}}}p")
        aside.insert(0, first)
    number = etree.Element(f"{{{XHTML}}}span", {"class": "note-number"})
    number.text = f"{n}."
    number.tail = " " + (first.text or "")
    first.text = None
    first.insert(0, number)
    last = aside.xpath("x:p[last()]", namespaces=NS)[0]
    back = etree.SubElement(
        last, f"{{{XHTML}}}a", {"href": f"#{ref_id}", "class": "note-back", "role": "doc-backlink"}
    )
    back.text = back_label
    if len(last) > 1:
        previous = last[-2]
        previous.tail = (previous.tail or "").rstrip() + " "
    else:
        last.text = (last.text or "").rstrip() + " "


def _add_bodymatter_landmark(
    documents: dict[str, etree._Element], nav_path: str, spine: list[str], label: str
) -> None:
    nav = documents[nav_path]
    landmarks = one(nav, "//x:nav[@epub:type='landmarks']/x:ol", "landmarks list", nav_path)
    if landmarks.xpath("x:li/x:a[contains(concat(' ', @epub:type, ' '), ' bodymatter ')]", namespaces=NS):
        return
    start = next(
        (
            path
            for path in spine
            if "bodymatter" in (documents[path].find(f"{{{XHTML}}}body").get(EPUB_TYPE) or "").split()
        ),
        None,
    )
    if start is None:
        raise EpubPackageError("no spine document has epub:type='bodymatter' for the landmark to point at")
    items = landmarks.xpath("x:li", namespaces=NS)
    item = etree.SubElement(landmarks, f"{{{XHTML}}}li")
    link = etree.SubElement(
        item, f"{{{XHTML}}}a", {"href": posixpath.relpath(start, posixpath.dirname(nav_path))}
    )
    link.set(EPUB_TYPE, "bodymatter")
    link.text = label
    if items and len(items[-1]):  # indent like pandoc's items
        item.text, link.tail = items[-1].text, items[-1][0].tail
        item.tail, items[-1].tail = items[-1].tail, landmarks.text
