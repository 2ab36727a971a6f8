"""The diff as text for people, and as a draft change note (a pandoc document)."""

from __future__ import annotations

from collections.abc import Sequence

from mdguide_build.guide import models as m
from mdguide_build.guide.labels import human_date
from mdguide_build.pandoc import ast as pa
from mdguide_build.tools.content_diff.changes import Change, DiffResult, Segment
from mdguide_build.tools.content_diff.words import trimmed

# --- formats ----------------------------------------------------------------------------

TEXT_INDENT = "    "
LONG = 100  # values longer than this go on their own lines


def _short(value: str | None) -> bool:
    return value is not None and len(value) <= 60


def format_text(result: DiffResult) -> str:
    """Readable text: one headline per change, then its detail, indented.

    Reworded text is shown as a word diff, ``[-deleted-]{+inserted+}``, with
    long unchanged stretches cut to a few words ("…").
    """
    lines: list[str] = []
    for change in result.changes:
        if change.words:
            lines.append(change.headline)
            lines.append(
                TEXT_INDENT + " ".join(_text_segment(op, text) for op, text in trimmed(change.words))
            )
        elif change.old is not None and change.new is not None:
            if _short(change.old) and _short(change.new):
                lines.append(f"{change.headline} ({change.old} → {change.new})")
            else:
                lines.append(change.headline)
                lines.append(f"{TEXT_INDENT}was: {change.old}")
                lines.append(f"{TEXT_INDENT}now: {change.new}")
        elif change.new is not None or change.old is not None:
            lines.append(change.headline)
            sign, value = ("+", change.new) if change.new is not None else ("-", change.old)
            lines.append(f"{TEXT_INDENT}{sign} {_clip(value)}")
        else:
            lines.append(change.headline)
    lines.append(result.summary())
    return "\n".join(lines) + "\n"


def _text_segment(op: str, text: str) -> str:
    return {"=": text, "-": f"[-{text}-]", "+": f"{{+{text}+}}"}[op]


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def change_note(result: DiffResult, edition: m.Edition | None = None) -> pa.Document:
    """A draft change note as a pandoc document (the CLI writes it as Markdown).

    Grouped by part of the guide, one bullet per change; reworded text shows
    what it was and what it is now, with the changed words in bold.
    """
    title = "Changes in this edition (draft)"
    if edition is not None:
        title = f"Changes in edition {edition.version}, {human_date(edition.date)} (draft)"
    blocks: list[pa.Block] = [
        pa.Header(1, pa.text(title)),
        pa.Para(
            pa.text(
                f"Drafted by mdguide diff from {result.old_label} to {result.new_label}. "
                "Edit it into a short public note for the edition in content/guide.json."
            )
        ),
    ]
    if not result.changes:
        blocks.append(pa.Para(pa.text("No changes.")))
    parts: dict[str, list[Change]] = {}
    for change in result.changes:
        parts.setdefault(change.part, []).append(change)
    for part, changes in parts.items():
        blocks.append(pa.Header(2, pa.text(part)))
        blocks.append(pa.BulletList([_note_item(c) for c in changes]))
    return pa.Document(blocks, {"title": pa.MetaInlines(pa.text(title))})


def _note_item(change: Change) -> list[pa.Block]:
    item: list[pa.Block] = [pa.Plain(pa.text(change.headline[0].upper() + change.headline[1:] + "."))]
    details: list[list[pa.Inline]] = []
    if change.words:
        segments = trimmed(change.words)
        details.append([pa.Emph(pa.text("Was:")), pa.Space(), *_marked(segments, "-")])
        details.append([pa.Emph(pa.text("Now:")), pa.Space(), *_marked(segments, "+")])
    else:
        if change.old is not None:
            details.append(
                [
                    pa.Emph(pa.text("Was:" if change.new is not None else "Removed:")),
                    pa.Space(),
                    *pa.text(_clip(change.old)),
                ]
            )
        if change.new is not None:
            details.append(
                [
                    pa.Emph(pa.text("Now:" if change.old is not None else "Added:")),
                    pa.Space(),
                    *pa.text(_clip(change.new)),
                ]
            )
    if details:
        item.append(pa.BulletList([[pa.Plain(d)] for d in details]))
    return item


def _marked(segments: Sequence[Segment], side: str) -> list[pa.Inline]:
    """One side of a word diff, its changed words in bold."""
    out: list[pa.Inline] = []
    for op, text in segments:
        if op == "=":
            words = pa.text(text)
        elif op == side:
            words = [pa.Strong(pa.text(text))]
        else:
            continue
        if out:
            out.append(pa.Space())
        out.extend(words)
    return out
