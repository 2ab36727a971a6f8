"""`mdguide role`: add a reader role like another one, and say what a role's handout holds.

Adding a role by hand means a new entry in content/roles.json and the new id
in the handout tag of every item the role should get, across several files.
``add_role`` does both from an existing role: the new role starts with the
same items, and the editor then untags what does not fit it (validation warns,
W321, while the two handouts are the same).  Files are rewritten in mdguide's
canonical JSON form (``dump_json``, the form the content is kept in), so
``git diff`` shows only the change.

``handout_outline`` lists a role's handout in words, grouped as the handout
prints it, from the same selection the builder uses (``guide.handouts``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from mdguide_build.errors import MdguideError
from mdguide_build.files import atomic_write_text
from mdguide_build.guide import handouts as ho
from mdguide_build.guide import models as m
from mdguide_build.guide.content import Content
from mdguide_build.guide.hints import did_you_mean
from mdguide_build.guide.labels import attribution_text
from mdguide_build.guide.numbering import section_numbers
from mdguide_build.validate.loader import dump_json

EXCERPT = 72  # characters of a passage shown by `role show`


class RoleError(MdguideError):
    """A role cannot be added as asked."""


@dataclass(frozen=True)
class AddedRole:
    role: str
    like: str
    order: int
    tagged: int  # items now tagged for the new role
    files: tuple[str, ...]  # content files rewritten, relative to the content folder


def add_role(content: Content, new_id: str, like: str, name: str | None = None) -> AddedRole:
    """Add role ``new_id`` to ``content``'s folder with the handout items of role ``like``."""
    known = [role.id for role in ho.roles_in_order(content)]
    if like not in known:
        guess = did_you_mean(like, known)
        raise RoleError(f"unknown role '{like}' (hint: {guess}the roles are {', '.join(known)})")
    if new_id in known:
        raise RoleError(f"role '{new_id}' already exists (hint: choose another id, or edit it in roles.json)")
    if not re.fullmatch(m.ID_PATTERN, new_id) or len(new_id) > 80:
        raise RoleError(
            f"'{new_id}' cannot be a role id (hint: use lower-case letters, digits and hyphens, "
            "e.g. clinical-director)"
        )
    root = content.root
    changed: dict[str, object] = {}
    roles_path = "roles.json"
    data = _read(root / roles_path)
    source = next(role for role in data["roles"] if role["id"] == like)
    order = max((role["order"] for role in data["roles"]), default=0) + 1
    entry = {
        **source,
        "id": new_id,
        "order": order,
        "editorial_name": name or new_id.replace("-", " ").capitalize(),
    }
    data["roles"].append(entry)
    changed[roles_path] = data
    tagged = 0
    for source_file in content.files:
        if source_file.kind not in ("section", "person-specification"):
            continue
        value = _read(root / source_file.relpath)
        count = _tag_alongside(value, like, new_id)
        if count:
            changed[source_file.relpath] = value
            tagged += count
    for relpath, value in changed.items():
        atomic_write_text(root / relpath, dump_json(value))
    return AddedRole(new_id, like, order, tagged, tuple(changed))


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RoleError(f"cannot read {path}: {error}") from None


def _tag_alongside(value: object, like: str, new_id: str) -> int:
    """Name ``new_id`` right after ``like`` in every handout tag under ``value``; return how many."""
    count = 0
    if isinstance(value, dict):
        tag = value.get("handout")
        if isinstance(tag, dict) and like in tag.get("roles", []) and new_id not in tag["roles"]:
            roles = tag["roles"]
            roles.insert(roles.index(like) + 1, new_id)
            count += 1
        for child in value.values():
            count += _tag_alongside(child, like, new_id)
    elif isinstance(value, list):
        for child in value:
            count += _tag_alongside(child, like, new_id)
    return count


# --- what a handout holds, in words -------------------------------------------------------


def _excerpt(text: str) -> str:
    words = " ".join(ho.plain(text).split())
    return words if len(words) <= EXCERPT else words[: EXCERPT - 1].rsplit(" ", 1)[0] + " …"


def _place(item: ho.Item, numbers: dict[str, int]) -> str:
    section = item.place.section
    top = f"Section {numbers[section.id]}" if section.id in numbers else section.title
    return " › ".join([top, *(sub.title for sub in item.place.path)])


def _passage(item: ho.Item, numbers: dict[str, int]) -> str:
    node = item.node
    text = node.text if isinstance(node, m.Paragraph) else "; ".join(node.items)
    return f"{_place(item, numbers)}: “{_excerpt(text)}”"


def handout_outline(content: Content, role_id: str) -> list[str]:
    """What ``role_id``'s handout holds, part by part, as lines to print."""
    handout = ho.select(content, role_id)
    role = handout.role
    headings = content.roles.editorial.headings
    numbers = section_numbers(content)
    counts = handout.counts()
    lines = [
        f"{role.editorial_name} ({role.id}): outputs/handouts/{role.id}.html, .docx and .pdf",
        "",
        headings.for_whom,
        f"  {_excerpt(role.editorial_description)}",
    ]

    def part(title: str, count: int, noun: str) -> None:
        lines.extend(["", f"{title}: {count} {noun}{'s' * (count != 1)}"])

    if handout.quotes:
        part(headings.quotes, counts["quotes"], "pull quote")
        for item in handout.quotes:
            quote = item.node
            said = _excerpt(" ".join(q.text for q in quote.quotes))
            lines.append(f"  - “{said}” – {attribution_text(quote.attribution)}")
    part(headings.reflection, counts["reflections"], "passage")
    lines += [f"  - {_passage(item, numbers)}" for item in handout.reflections]
    part(headings.actions, counts["actions"], "passage")
    for theme, items in handout.actions:
        lines.append(f"  {theme.editorial_name}")
        lines += [f"    - {_passage(item, numbers)}" for item in items]
    part(headings.checklist, counts["criteria"], "criterion")
    lines[-1] = lines[-1].replace("criterions", "criteria")
    for group, criteria in handout.checklist:
        lines.append(f"  {group.title}")
        lines += [f"    - {_excerpt(criterion.text)}" for criterion in criteria]
    part(headings.read_more, counts["pointers"], "part")
    for pointer in handout.read_more:
        name = f"{pointer.number}. {pointer.section.title}" if pointer.number else pointer.section.title
        lines.append(f"  - {name}" + (f" – {pointer.subsection.title}" if pointer.subsection else ""))
    lines += ["", f"Resources in its notes: {counts['resources']}"]
    return lines
