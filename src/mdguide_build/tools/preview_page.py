"""The preview's page, converting again only the parts of the guide that changed since the last save.

One pandoc run over the whole guide takes most of a preview's time after a
save, though a save usually changes a paragraph or two.  So the page is made
in parts, each converted by pandoc on its own and remembered by its AST:

* the *frame*: the template with the masthead, the contents and the footer,
  converted from a skeleton of the document that keeps its metadata, its
  headings and the divisions that hold them (all the contents list needs), with
  every other block left out; the skeleton's body is cut out of the frame;
* the *body*, in pieces that each begin at a heading of the guide's top two
  levels (Foreword, a section, a subsection), converted as fragments.

The page is the frame with the pieces' HTML, joined by newlines, where the
body goes: byte for byte what ``write_page`` makes from the whole document
(tests/test_preview.py checks it after every kind of save), because pandoc's
HTML writer renders each top-level block on its own and joins them with a
newline, and this page has no pandoc footnotes or numbered sections, which
would carry state from one block to the next.  After a save only the pieces
whose AST changed are converted again, all at once on every core: one
piece and no frame after an edit to a paragraph; every piece after the note
numbers change.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from mdguide_build.builders.html import BODY_ARGS, page_args
from mdguide_build.errors import MdguideError
from mdguide_build.pandoc import ast as pa
from mdguide_build.pandoc import runner as pandoc

# Where the template puts the body: the frame's own body (its skeleton) lies between the two.
MAIN_OPEN = b'<main id="main" tabindex="-1">\n'
MAIN_CLOSE = b"\n</main>"
PIECE_LEVELS = 2  # a piece begins at each top-level heading of these levels


class PageError(MdguideError):
    """The frame has no single place for the body: the HTML template changed."""


class IncrementalPage:
    """Makes ``write_page``'s page for one document after another, converting only what changed."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 2
        # (standalone?, pandoc JSON) -> the HTML pandoc made of it: the frame, or a piece
        self.converted: dict[tuple[bool, str], bytes] = {}

    def page(self, document: pa.Document) -> bytes:
        frame = (True, _json(skeleton(document.blocks), document.meta))
        pieces = [(False, _json(blocks)) for blocks in split(document.blocks)]
        wanted = [frame, *pieces]
        missing = list(dict.fromkeys(key for key in wanted if key not in self.converted))
        if missing:
            with ThreadPoolExecutor(min(self.workers, len(missing))) as pool:
                self.converted.update(zip(missing, pool.map(_convert, missing), strict=True))
        # Remember only what this page used: the next save is compared with it.
        self.converted = {key: self.converted[key] for key in wanted}
        return _framed(self.converted[frame], [self.converted[key] for key in pieces])


def split(blocks: list[pa.Block]) -> list[list[pa.Block]]:
    """The top-level blocks in pieces, each beginning at a heading of the top two levels."""
    pieces: list[list[pa.Block]] = []
    for block in blocks:
        if not pieces or (isinstance(block, pa.Header) and block.level <= PIECE_LEVELS):
            pieces.append([])
        pieces[-1].append(block)
    return pieces


def skeleton(blocks: list[pa.Block]) -> list[pa.Block]:
    """The headings and the divisions that hold them: what pandoc's contents list is made from."""
    kept: list[pa.Block] = []
    for block in blocks:
        if isinstance(block, pa.Header):
            kept.append(block)
        elif isinstance(block, pa.Div):
            kept.append(pa.Div(skeleton(block.blocks), block.attr))
    return kept


def _json(blocks: list[pa.Block], meta: dict | None = None) -> str:
    return pa.Document(blocks, meta or {}).to_json_text()


def _convert(key: tuple[bool, str]) -> bytes:
    standalone, source = key
    return pandoc.convert(source, "html5", extra_args=page_args() if standalone else BODY_ARGS)


def _framed(frame: bytes, pieces: list[bytes]) -> bytes:
    start, end = frame.find(MAIN_OPEN), frame.rfind(MAIN_CLOSE)
    if start < 0 or frame.count(MAIN_OPEN) != 1 or end < start:
        raise PageError(
            "the HTML template has no single '<main id=\"main\" tabindex=\"-1\">' … '</main>' "
            "for the preview to put the guide in (hint: keep that element in assets/html/template.html)"
        )
    body = b"\n".join(piece.rstrip(b"\n") for piece in pieces)
    return frame[: start + len(MAIN_OPEN)] + body + frame[end:]
