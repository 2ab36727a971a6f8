"""`mdguide review export`: a DOCX for reviewers, anchored to content/.

The document is the normal DOCX (the guide's, or one role's handout), made by
the same builder functions, with one difference a reader does not see: each
text an editor can change sits in a bookmark, and the document's custom
properties say which text of content/ each bookmark holds (``anchors``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from mdguide_build.builders import docx as docx_builder
from mdguide_build.builders import handouts as handout_builder
from mdguide_build.errors import MdguideError
from mdguide_build.files import atomic_write_bytes
from mdguide_build.guide import handouts as ho
from mdguide_build.guide.content import Content
from mdguide_build.pandoc import ast as pa
from mdguide_build.pandoc.handout import docx_document as handout_docx_document
from mdguide_build.tools.review import anchors as an
from mdguide_build.writers.reference_docx import reference_docx


class ExportError(MdguideError):
    """The review document could not be written."""


def review_document(content: Content, role: str | None = None) -> tuple[pa.Document, list[an.Anchor]]:
    """The AST of the review DOCX (the guide, or ``role``'s handout) and the anchors in it."""
    found = an.anchors(content)
    hook = an.anchor_hook(content, found)
    if role is None:
        document = docx_builder.docx_document(content, anchor=hook)
    else:
        document = handout_docx_document(content, ho.select(content, role), anchor=hook)
    # Only the anchors the document shows: a handout holds a few of the guide's texts.
    shown = _span_ids(document.blocks)
    found = [anchor for anchor in found if anchor.name in shown]
    meta = {**document.meta, **an.review_properties(content, found, role or an.WHOLE_GUIDE)}
    return pa.Document(document.blocks, meta), found


def export_review(
    content: Content, out: Path, role: str | None = None, source_date_epoch: int | None = None
) -> list[an.Anchor]:
    """Write the review DOCX at ``out`` (atomically); return its anchors."""
    document, found = review_document(content, role)
    created, modified = docx_builder.document_dates(content, source_date_epoch)
    if not out.parent.is_dir():
        raise ExportError(f"cannot write {out}: the folder {out.parent} does not exist")
    with tempfile.TemporaryDirectory(prefix="mdguide-review-") as temp:
        made = Path(temp) / "review.docx"
        if role is None:
            docx_builder.write_docx(
                made,
                document.to_json_text(),
                docx_builder.contents_entries(document),
                content.guide.language,
                created,
                modified,
            )
        else:
            handout_builder.write_docx(
                made, document.to_json_text(), reference_docx(content.guide.language), created, modified
            )
        try:
            atomic_write_bytes(out, made.read_bytes())
        except OSError as error:
            raise ExportError(f"cannot write {out}: {error.strerror}") from error
    return found


def _span_ids(blocks) -> set[str]:
    """The identifiers of every Span in the document (the anchors it shows)."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, pa.Span) and node.attr.identifier:
            found.add(node.attr.identifier)
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
        elif isinstance(node, pa.Element):
            for name in getattr(node, "__dataclass_fields__", ()):
                value = getattr(node, name)
                if isinstance(value, (pa.Element, list, tuple)):
                    walk(value)

    walk(list(blocks))
    return found
