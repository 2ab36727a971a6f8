"""The guide's web page from its pandoc document: in one pandoc run, or in parts at once.

The page is ``assets/html/template.html`` around the guide's body, with a
contents list.  It can be made in parts, each converted by pandoc on its own:

* the *frame*: the template with the masthead, the contents and the footer,
  converted from a skeleton of the document that keeps its metadata, its
  headings and the divisions that hold them (all the contents list needs), with
  every other block left out; the skeleton's body is cut out of the frame;
* the *body*, in pieces that each begin at a heading of the guide's top two
  levels (Foreword, a section, a subsection), converted as fragments.

The frame with the pieces' HTML, joined by newlines, where the body goes, is
byte for byte the page one pandoc run makes of the whole document, because
pandoc's HTML writer renders each top-level block on its own and joins them
with a newline, and this page has no pandoc footnotes or numbered sections,
which would carry state from one block to the next.  tests/test_preview.py and
tests/test_html_parts.py compare the two.

Two users of the parts:

* the preview (``tools.preview_page``) converts again only the pieces a save
  changed;
* the build converts a large guide's page in parts at once (``write_page``):
  one pandoc run over the whole of it would take one core for seconds, with
  memory growing with the document, while the build makes one output at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from mdguide_build import ASSETS
from mdguide_build.errors import MdguideError
from mdguide_build.pandoc import ast as pa
from mdguide_build.pandoc import runner as pandoc
from mdguide_build.writers import parts
from mdguide_build.writers.parts import Blocks

TEMPLATE = ASSETS / "html" / "template.html"
CSS = ASSETS / "html" / "guide.css"

# The page's body: headings one level down (the title is the masthead's <h1>).
BODY_ARGS = ("--shift-heading-level-by=1",)

# Where the template puts the body: the frame's own body (its skeleton) lies between the two.
MAIN_OPEN = b'<main id="main" tabindex="-1">\n'
MAIN_CLOSE = b"\n</main>"
PIECE_LEVELS = 2  # a piece begins at each top-level heading of these levels


class PageError(MdguideError):
    """The frame has no single place for the body: the HTML template changed."""


def html_args() -> list[str]:
    """pandoc options for the page's frame.

    No ``--section-divs``: it moves each heading's identifier onto a wrapping
    ``<section>``, so a case study's ``aria-labelledby`` would name the region
    after all of its text instead of its heading.
    """
    return [
        "--standalone",
        f"--template={TEMPLATE}",
        # The stylesheet is ours, not content: pass it as a template variable so
        # the page is self-contained without pandoc reading files in the sandbox.
        f"--variable=inline-css:{CSS.read_text(encoding='utf-8')}",
    ]


def page_args() -> list[str]:
    """pandoc options for the whole page: the frame, the contents, and the body."""
    return [*html_args(), *BODY_ARGS, "--toc", "--toc-depth=3"]


@dataclass(frozen=True)
class PageSource(Blocks):
    """A page's document as pandoc JSON, to convert whole or as the frame and parts of the body."""

    frame: str = ""  # the skeleton with the metadata

    @classmethod
    def of(cls, document: pa.Document) -> PageSource:
        frame = pa.Document(skeleton(document.blocks), document.meta).to_json_text()
        return cls.from_document(document, _starts_piece, frame=frame)

    @property
    def parts_match_whole(self) -> bool:
        """False when the body has pandoc footnotes: pandoc numbers them on from block to block, so
        only a whole run numbers them right. (The guide's page has its own endnotes instead.)"""
        # A note's tag as pandoc JSON (text that reads '"t":"Note"' is escaped, never taken for one)
        return not any(b'"t":"Note"' in block for block in self.blocks)


def _starts_piece(block: pa.Block) -> bool:
    return isinstance(block, pa.Header) and block.level <= PIECE_LEVELS


def skeleton(blocks: Sequence[pa.Block]) -> list[pa.Block]:
    """The headings and the divisions that hold them: what pandoc's contents list is made from."""
    kept: list[pa.Block] = []
    for block in blocks:
        if isinstance(block, pa.Header):
            kept.append(block)
        elif isinstance(block, pa.Div):
            kept.append(pa.Div(skeleton(block.blocks), block.attr))
    return kept


def convert_page(document: str) -> bytes:
    """A standalone page of a document: the whole guide, or the frame's skeleton."""
    return pandoc.convert(document, "html5", extra_args=page_args())


def convert_piece(piece: str) -> bytes:
    """A fragment of the body: one of ``piece_documents`` or ``parts``."""
    return pandoc.convert(piece, "html5", extra_args=BODY_ARGS)


def framed(frame: bytes, pieces: Iterable[bytes]) -> bytes:
    """The page: the converted frame with the converted pieces where its body was."""
    return b"".join(_page(frame, pieces))


def _page(frame: bytes, pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The page, chunk by chunk: the frame's head, the pieces joined by newlines, its foot."""
    start, end = frame.find(MAIN_OPEN), frame.rfind(MAIN_CLOSE)
    if start < 0 or frame.count(MAIN_OPEN) != 1 or end < start:
        raise PageError(
            "the HTML template has no single '<main id=\"main\" tabindex=\"-1\">' … '</main>' "
            "for the page's body (hint: keep that element in assets/html/template.html)"
        )
    yield frame[: start + len(MAIN_OPEN)]
    joined = 0
    for piece in pieces:
        piece = piece.rstrip(b"\n")
        if piece:  # pandoc leaves out a block that renders as nothing, and its newline with it
            yield (b"\n" if joined else b"") + piece
            joined += 1
    yield frame[end:]


def write_page(source: PageSource, path: Path) -> None:
    """Write the page at ``path``: in one pandoc run, or in parts at once when it is large."""
    # pandoc writes to a pipe, and Python the file: a pandoc left running by a killed
    # build then dies on the closed pipe, rather than recreate the staging folder that
    # the next build removed (pandoc makes the folders of --output).
    if not source.worth_parts() or not source.parts_match_whole:
        path.write_bytes(convert_page(source.whole()))
        return
    with parts.converting(source.size) as conversions:
        frame = conversions.submit(convert_page, source.frame)
        body = conversions.map(lambda span: convert_piece(source.body(span)), source.parts(parts.PART_CHARS))
        with path.open("wb") as page:  # written as the parts come: the page is never whole in memory
            page.writelines(_page(frame.result(), body))
