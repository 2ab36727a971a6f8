"""A large document converted by pandoc in parts at once, on every core, within a memory budget.

One pandoc run over a large guide takes one core for seconds, with memory
growing with the document (~44 bytes per byte of pandoc JSON, whatever the
format: most of it is pandoc's reading of the JSON), while the build makes one
output at a time so as to stay under 1 GiB.  So the web page
(``html_page``) and the EPUB (``epub_parts``) of a large guide are converted
in parts, each beginning at a heading, and put together again: byte for byte
what one run over the whole document makes (tests/test_html_parts.py,
tests/test_epub_parts.py).

Each top-level block is serialised once, and a part's JSON is made only in
the thread that converts it, so a large document is never held as one text
as well.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from mdguide_build.pandoc import ast as pa

# Parts of ~1 M bytes of pandoc JSON each (the guide has ~0.33 M), at most one per core and never
# more at once than fit in the memory one pandoc run over the whole document would take: pandoc
# needs ~44 bytes per byte of JSON, and ~180 MiB however small the part. So parts begin where two
# fit: ~8.6 M, about 26 copies of the guide. Measured on the page of 50 copies (2 cores): 6.5 s in
# one run, 3.6 s in parts of 1 M; parts of 0.5 M and 2 M were slower.
PART_CHARS = 1_000_000
PANDOC_BYTES_PER_CHAR = 44
PANDOC_BYTES_PER_PART = 180 * 2**20
PARTS_FROM = 2 * PANDOC_BYTES_PER_PART // PANDOC_BYTES_PER_CHAR

Span = tuple[int, int]  # blocks [start, end)
T = TypeVar("T")


@dataclass(frozen=True)
class Blocks:
    """A document's top-level blocks as pandoc JSON, with the blocks where a part may begin."""

    meta: Mapping[str, pa.MetaValue]
    blocks: tuple[bytes, ...]
    starts: tuple[int, ...]  # where each piece begins: its first block (always 0)

    @classmethod
    def from_document(cls, document: pa.Document, begins_piece: Callable[[pa.Block], bool], **fields):
        """``document``'s blocks, a piece beginning at each block ``begins_piece`` names (and the first)."""
        return cls(
            meta=document.meta,
            blocks=tuple(pa.blocks_json(document.blocks)),
            starts=tuple(i for i, block in enumerate(document.blocks) if i == 0 or begins_piece(block)),
            **fields,
        )

    @property
    def size(self) -> int:
        """Characters (bytes) of the blocks' JSON."""
        return sum(map(len, self.blocks))

    def whole(self) -> str:
        return pa.document_json(self.blocks, self.meta)

    def pieces(self) -> list[Span]:
        return list(zip(self.starts, [*self.starts[1:], len(self.blocks)]))

    def parts(self, chars: int) -> list[Span]:
        """Consecutive pieces joined into parts of about ``chars`` characters of JSON each."""
        spans: list[Span] = []
        for start, end in self.pieces():
            if spans and sum(map(len, self.blocks[spans[-1][0] : end])) <= chars:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
        return spans

    def body(self, span: Span) -> str:
        """The blocks of ``span`` as a document of their own, without the metadata."""
        return pa.document_json(self.blocks[span[0] : span[1]])

    def with_meta(self, span: Span) -> str:
        """The blocks of ``span`` as a document of their own, with the metadata."""
        return pa.document_json(self.blocks[span[0] : span[1]], self.meta)

    def worth_parts(self) -> bool:
        """Whether the document is large enough to be converted in parts."""
        return self.size >= PARTS_FROM


@contextmanager
def converting(size: int, part_bytes: int | None = None) -> Iterator[Conversions]:
    """Threads to convert the parts of a document of ``size`` characters: one per core, and no more
    than fit, at ``part_bytes`` each (default ``PANDOC_BYTES_PER_PART``), in the memory one pandoc
    run over the whole document would take."""
    at_once = size * PANDOC_BYTES_PER_CHAR // (part_bytes or PANDOC_BYTES_PER_PART)
    pool = ThreadPoolExecutor(max(1, min(at_once, os.cpu_count() or 1)))
    try:
        yield Conversions(pool)
    finally:
        # A failed part (or Ctrl-C) stops here before the other parts are asked for, and a plain
        # ``with`` would wait for every part to be converted (seconds of pandoc) before saying so.
        pool.shutdown(wait=True, cancel_futures=True)


class Conversions:
    """Conversions on threads, begun in the order given; once one fails, none not yet begun begins.

    Ctrl+C in a terminal stops the running pandocs too, and each such conversion
    fails; without this, a thread freed by the first would begin the next part
    before the failure was seen, and the build would wait seconds for it.
    """

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self._pool = pool
        self._failed = threading.Event()

    def submit(self, convert: Callable[..., bytes], *args: object) -> Future[bytes]:
        return self._pool.submit(self._run, convert, *args)

    def map(self, convert: Callable[[T], bytes], items: Iterable[T]) -> Iterator[bytes]:
        """``convert`` of each item, in order, as they come (all are submitted at once)."""
        futures = [self.submit(convert, item) for item in items]
        return (future.result() for future in futures)

    def _run(self, convert: Callable[..., bytes], *args: object) -> bytes:
        if self._failed.is_set():
            raise PartNotBegun("an earlier part failed")  # its own error is raised first, in order
        try:
            return convert(*args)
        except BaseException:
            self._failed.set()
            raise


class PartNotBegun(Exception):
    """A part not converted because an earlier one failed (never seen: the failure comes first)."""
