"""The Changes panel and the New edition form: what changed since the last edition, from ``mdguide diff``.

The last edition is the git tag ``v<version>`` of the edition guide.json
names (``v1.0``), as docs/editing.md asks publishers to tag each edition; with
no such tag, the last commit (``HEAD``).  Both versions are read and compared
by the same library as ``mdguide diff``.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from mdguide_build.errors import ContentError
from mdguide_build.tools.content_diff import diff_content
from mdguide_build.tools.editor.store import EditRefused
from mdguide_build.tools.revisions import RevisionError, content_version
from mdguide_build.validate.loader import load_content

NOTE_LIMIT = 4000  # an edition's note is one Text field


def since_last_edition(content_dir: Path, display: str) -> dict:
    """The changes since the last edition, their summary, and a draft note and version for the next."""
    try:
        current, _ = load_content(content_dir, display)
    except ContentError as error:
        raise EditRefused(409, f"the content has errors now ({error}); fix them to see the changes") from None
    edition = current.guide.edition
    tag = f"v{edition.version}"
    for spec, described in ((tag, f"edition {edition.version} (git tag {tag})"), ("HEAD", "the last commit")):
        try:
            with content_version(spec, content_dir) as (old_root, old_label):
                before, _ = load_content(old_root, old_label)
                result = diff_content(before, current, described, "now")
            break
        except RevisionError as error:
            problem = str(error)
            continue
        except ContentError as error:
            raise EditRefused(
                409, f"{described} cannot be read under today's content models ({error})"
            ) from None
    else:
        raise EditRefused(
            409,
            f"no earlier version to compare with: {problem}",
            f"keep {display}/ in git, and tag each published edition (e.g. {tag})",
        )
    return {
        "base": described,
        "summary": result.summary(),
        "changes": [change.to_dict() for change in result.changes],
        "draft": {
            "version": next_version(edition.version),
            "date": datetime.date.today().strftime("%Y-%m"),
            "note": draft_note([change.headline for change in result.changes]),
        },
    }


def next_version(version: str) -> str:
    """'1.0' -> '1.1'; '2' -> '2.1'."""
    parts = version.split(".")
    if len(parts) == 1:
        return f"{version}.1"
    return ".".join([*parts[:-1], str(int(parts[-1]) + 1)])


def draft_note(headlines: list[str]) -> str:
    """A one-line change note to start from: what changed, in the diff's words."""
    if not headlines:
        return ""
    note = "Changes: " + "; ".join(headlines) + "."
    return note if len(note) <= NOTE_LIMIT else note[: NOTE_LIMIT - 1].rsplit(";", 1)[0] + "…"
