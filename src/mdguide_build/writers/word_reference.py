"""The Word reference documents as builders use them: from mdguide's cache, made only when missing.

Making one (``reference_docx.make_reference_docx``, ``large_print_docx.make_large_print_reference``)
costs an extra pandoc run, python-docx's import and its restyling: ~50 ms of
every build that writes a DOCX, most of it before any pandoc can start. The
bytes depend only on mdguide's code and tools (pandoc's default
reference.docx, python-docx and lxml are all in ``toolchain_digest``) and on
the arguments, so they are kept in the cache (``mdguide_build.cache``) under a
digest of those and made again only when one of them changes. python-docx is
imported only then.
"""

from __future__ import annotations

import functools

from mdguide_build import cache

__all__ = ["large_print_reference", "reference_docx"]


@functools.cache
def reference_docx(language: str = "en-GB") -> bytes:
    """The standard reference document (``writers/reference_docx.py``) as DOCX bytes."""

    def make() -> bytes:
        from mdguide_build.writers.reference_docx import make_reference_docx

        return make_reference_docx(language)

    return cache.cached("reference-docx", cache.key("standard", language), make)


@functools.cache
def large_print_reference(language: str, point_size: int) -> bytes:
    """The large-print reference document (``writers/large_print_docx.py``) as DOCX bytes."""

    def make() -> bytes:
        from mdguide_build.writers.large_print_docx import make_large_print_reference

        return make_large_print_reference(language, point_size)

    return cache.cached("reference-docx", cache.key("large print", language, str(point_size)), make)
