"""The import's report, in the words of `mdguide diff`.

First what was applied (the diff's own text), then the reviewers' comments
with where each belongs, then every change that was not applied, with its
words, so that nothing is dropped silently.
"""

from __future__ import annotations

from mdguide_build.tools.content_diff import format_text
from mdguide_build.tools.content_diff.report import TEXT_INDENT
from mdguide_build.tools.review.apply import ImportResult, Unmapped


def format_report(result: ImportResult, *, written: bool) -> str:
    lines: list[str] = []
    if result.stale:
        lines.append(
            f"Note: {result.stale} text{'s' * (result.stale != 1)} changed in content/ since "
            f"{result.source} was exported; reviewers' changes to them are listed, not applied."
        )
    verb = "Applied to content/" if written else "Would apply to content/ (nothing written)"
    if result.diff.changes:
        lines.append(f"{verb}:")
        lines.extend(
            TEXT_INDENT + line if line else "" for line in format_text(result.diff).rstrip("\n").split("\n")
        )
    else:
        lines.append(f"No change to apply to content/ from {result.source}.")
    if result.comments:
        lines.append(f"Comments ({len(result.comments)}):")
        for remark in result.comments:
            by = f"{remark.author}, {remark.date[:10]}" if remark.date else remark.author
            lines.append(f"{TEXT_INDENT}{remark.place}: comment by {by or 'an unnamed reviewer'}")
            if remark.quoted:
                lines.append(f"{TEXT_INDENT * 2}on: “{_clip(remark.quoted)}”")
            lines.extend(f"{TEXT_INDENT * 2}{line}" for line in remark.text.split("\n"))
    if result.unmapped:
        lines.append(
            f"Not applied: {len(result.unmapped)} change{'s' * (len(result.unmapped) != 1)} to make by "
            "hand, if wanted:"
        )
        lines.extend(_unmapped(item) for item in result.unmapped)
    if result.pending:
        lines.append(
            f"Left pending (--reject-pending): {len(result.pending)} change"
            f"{'s' * (len(result.pending) != 1)}:"
        )
        lines.extend(_unmapped(item) for item in result.pending)
    return "\n".join(lines) + "\n"


def _unmapped(item: Unmapped) -> str:
    lines = [f"{TEXT_INDENT}{item.place}: {item.what}"]
    if item.old is not None and item.new is not None:
        lines.append(f"{TEXT_INDENT * 2}was: {item.old}")
        lines.append(f"{TEXT_INDENT * 2}now: {item.new}")
    elif item.new is not None:
        lines.append(f"{TEXT_INDENT * 2}+ {item.new}")
    elif item.old is not None:
        lines.append(f"{TEXT_INDENT * 2}- {item.old}")
    return "\n".join(lines)


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
