"""The preview's page, converting again only the parts of the guide that changed since the last save.

One pandoc run over the whole guide takes most of a preview's time after a
save, though a save usually changes a paragraph or two.  So the page is made
in parts (``writers.html_page``: the frame, and the body's pieces, each
beginning at a heading of the top two levels), each converted by pandoc on its
own and remembered by its JSON.  After a save only the parts whose JSON
changed are converted again, all at once on every core: one piece and no frame
after an edit to a paragraph; every piece after the note numbers change.  The
page is byte for byte what one pandoc run over the whole document makes
(tests/test_preview.py checks it after every kind of save).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from mdguide_build.pandoc import ast as pa
from mdguide_build.writers import html_page


class IncrementalPage:
    """Makes the guide's page for one document after another, converting only what changed."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 2
        # (standalone?, pandoc JSON) -> the HTML pandoc made of it: the frame, or a piece
        self.converted: dict[tuple[bool, str], bytes] = {}

    def page(self, document: pa.Document) -> bytes:
        source = html_page.PageSource.of(document)
        whole = not source.parts_match_whole  # then the page is one pandoc run, remembered as one part
        frame = (True, source.whole() if whole else source.frame)
        pieces = [] if whole else [(False, source.body(span)) for span in source.pieces()]
        wanted = [frame, *pieces]
        missing = list(dict.fromkeys(key for key in wanted if key not in self.converted))
        if missing:
            with ThreadPoolExecutor(min(self.workers, len(missing))) as pool:
                self.converted.update(zip(missing, pool.map(_convert, missing), strict=True))
        # Remember only what this page used: the next save is compared with it.
        self.converted = {key: self.converted[key] for key in wanted}
        if whole:
            return self.converted[frame]
        return html_page.framed(self.converted[frame], [self.converted[key] for key in pieces])


def _convert(key: tuple[bool, str]) -> bytes:
    standalone, source = key
    return html_page.convert_page(source) if standalone else html_page.convert_piece(source)
