"""The diff for people: readable text, and a draft change note (a pandoc document).

Both show the guide's words as a reader sees them (``wording``): italic is
italic in the note and plain words in the text, a citation reads "[note: …]",
and nothing of the content's markup or of git or JSON shows through.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from mdguide_build.guide.labels import human_date
from mdguide_build.pandoc import ast as pa
from mdguide_build.tools.content_diff.changes import PARAGRAPH_BREAK, SEP, Change, DiffResult, Segment
from mdguide_build.tools.content_diff.wording import inlines, readable
from mdguide_build.tools.content_diff.words import trimmed

TEXT_INDENT = "    "
LEGEND = "Removed words are shown [-like this-], added words {+like this+}."


def _short(value: str | None) -> bool:
    return value is not None and "\n" not in value and len(value) <= 60


def parts(result: DiffResult) -> dict[str, list[Change]]:
    """The changes grouped by part of the guide, parts in reading order."""
    grouped: dict[str, list[Change]] = {}
    for change in result.changes:
        grouped.setdefault(change.part, []).append(change)
    return grouped


def format_text(result: DiffResult) -> str:
    """Readable text: the summary, then per part of the guide one headline per change and its words.

    Reworded text is a word diff (see ``LEGEND``), long unchanged stretches cut
    to a few words ("…"); added and removed text is shown in full.
    """
    lines = [result.summary()]
    if any(c.words for c in result.changes):
        lines.append(LEGEND)
    for part, changes in parts(result).items():
        lines += ["", part]
        for change in changes:
            headline, *details = _text_change(change, result.resource_names)
            lines += [f"  {headline}", *(f"  {line}" for line in details)]
    return "\n".join(lines) + "\n"


def _text_change(change: Change, names: dict[str, str]) -> list[str]:
    old = None if change.old is None else readable(change.old, names)
    new = None if change.new is None else readable(change.new, names)
    if change.words:
        shown = " ".join(_text_segment(op, text) for op, text in trimmed(change.words))
        return [change.headline, TEXT_INDENT + shown]
    if old is not None and new is not None:
        if _short(old) and _short(new) and change.kind != "resource-moved":
            return [f"{change.headline} ({old} → {new})"]
        was, now = change.labels
        return [change.headline, f"{TEXT_INDENT}{was}: {old}", f"{TEXT_INDENT}{now}: {new}"]
    if new is not None or old is not None:
        sign, value = ("+", new) if new is not None else ("-", old)
        return [change.headline, *(f"{TEXT_INDENT}{sign} {line}" for line in value.split(PARAGRAPH_BREAK))]
    return [change.headline]


def _text_segment(op: str, text: str) -> str:
    return {"=": text, "-": f"[-{text}-]", "+": f"{{+{text}+}}"}[op]


# --- the change note ----------------------------------------------------------------------


# What a reader is told an edition adds, by the kind of thing added.
ADDED_PHRASES = {
    "quote": "a pull quote in {where}",
    "editorial note": "an editorial note in {where}",
    "prompting question": "a prompting question in the person specification",
    "criterion": "a criterion in the person specification",
    "subsection": "a subsection in {where}",
    "section": "a section",
    "figure": "a figure",
}


def suggested_note(result: DiffResult) -> str:
    """One plain sentence for the edition's public "note" in guide.json, drafted from the changes."""
    adds: list[str] = []
    moves: list[str] = []
    archived: list[str] = []
    reworded = other = 0
    new_paragraphs: dict[str, int] = {}
    for change in result.changes:
        if change.thing in ("edition", "history", "edition mark"):
            continue  # recording the edition is not news to a reader
        if change.action == "added" and change.thing in ADDED_PHRASES:
            adds.append(ADDED_PHRASES[change.thing].format(where=change.place.split(SEP)[0]))
        elif change.thing == "case study" and change.action == "added":
            adds.append(f"a case study of {(change.new or '').split(',')[0]}")
        elif change.thing in ("paragraph", "list") and change.action == "added":
            where = change.place.split(SEP)
            key = f"{where[0]} ({where[-1]})" if len(where) > 1 else where[0]
            new_paragraphs[key] = new_paragraphs.get(key, 0) + 1
        elif change.thing == "resource" and change.action == "moved":
            moves.append(change.place.removeprefix("Resource "))
        elif change.thing == "resource" and change.action == "added":
            continue  # it comes with the text that cites it
        elif change.thing == "resource" and "no longer works" in change.what:
            archived.append(change.place.removeprefix("Resource "))
        elif change.action == "reworded":
            reworded += 1
        else:
            other += 1
    adds += [f"{_count(n, 'new paragraph')} in {where}" for where, n in new_paragraphs.items()]
    said = []
    if adds:
        said.append("adds " + _and(adds))
    if reworded:
        said.append(f"rewords the text in {'one place' if reworded == 1 else f'{reworded} places'}")
    if moves:
        said.append(
            f"gives the new address of {_and(moves)}, which {'has' if len(moves) == 1 else 'have'} moved"
        )
    if archived:
        said.append(
            f"offers an archived copy of {_and(archived)}, which no longer {'works' if len(archived) == 1 else 'work'}"
        )
    if other:
        said.append(f"makes {_count(other, 'smaller change')}")
    if not said:
        return "No changes to the guide's text."
    return f"This edition {said[0] if len(said) == 1 else ', '.join(said[:-1]) + ', and ' + said[-1]}."


def _count(n: int, noun: str) -> str:
    return f"{'a' if n == 1 else n} {noun}{'s' * (n != 1)}"


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def change_note(result: DiffResult, edition=None) -> pa.Document:
    """A draft change note as a pandoc document (the CLI writes it as Markdown).

    It opens with a one-sentence note ready to paste into guide.json, then
    lists every change by part of the guide, with the words added, removed or
    reworded (the changed words in bold).
    """
    title = "Changes in this edition (draft)"
    if edition is not None:
        title = f"Changes in edition {edition.version}, {human_date(edition.date)} (draft)"
    names = result.resource_names
    blocks: list[pa.Block] = [
        pa.Header(1, pa.text(title)),
        pa.Para(pa.text(f"Drafted by mdguide diff: {result.summary()}")),
        pa.Header(2, pa.text("The note for content/guide.json")),
        pa.Para(
            pa.text(
                'Edit the sentence if you like, then paste this line as the "note" of the new edition '
                "in content/guide.json:"
            )
        ),
        pa.CodeBlock(f'"note": {json.dumps(suggested_note(result), ensure_ascii=False)}'),
    ]
    if not result.changes:
        blocks.append(pa.Para(pa.text("No changes.")))
    for part, changes in parts(result).items():
        blocks.append(pa.Header(2, pa.text(part)))
        blocks.append(pa.BulletList([_note_item(c, names) for c in changes]))
    return pa.Document(blocks, {"title": pa.MetaInlines(pa.text(title))})


def _note_item(change: Change, names: dict[str, str]) -> list[pa.Block]:
    item: list[pa.Block] = [pa.Plain(pa.text(change.headline[0].upper() + change.headline[1:] + "."))]
    details: list[list[pa.Inline]] = []
    if change.words:
        segments = trimmed(change.words)
        details.append([pa.Emph(pa.text("Was:")), pa.Space(), *_marked(segments, "-")])
        details.append([pa.Emph(pa.text("Now:")), pa.Space(), *_marked(segments, "+")])
    else:
        was, now = (f"{label.capitalize()}:" for label in change.labels)
        for value, label in (
            (change.old, was if change.new is not None else "Removed:"),
            (change.new, now if change.old is not None else "Added:"),
        ):
            if value is not None:
                for line in value.split(PARAGRAPH_BREAK):
                    details.append([pa.Emph(pa.text(label)), pa.Space(), *inlines(line, names)])
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
