"""Where a problem is, in the guide's own words: "Section 3 › Courses and tools › paragraph 2".

A diagnostic names its file, line and column for tools and editors that jump
there; beside them an editor reads where that is in the guide, by the names
the outputs print.  This works on the JSON as read (``describe(kind, value,
pointer)``), not on the models, so a file that fails its schema is still
described; anything not found is left out rather than guessed.  JSON pointers
are kept for ``mdguide validate --json``.

The words are those of ``mdguide diff``: sections by number (or title when
unnumbered), subsections and person-specification groups by title, blocks
counted by kind within their place ("paragraph 2", "list 1").
"""

from __future__ import annotations

SEP = " › "

# Each kind of file, by the name an editor knows it under.
FILES = {
    "guide": "Guide details",
    "foreword": "Foreword",
    "person-specification": "Person specification",
    "figures": "Figures",
    "resources": "Resources",
    "back-matter": "Back matter",
    "roles": "Roles",
}

BLOCKS = {
    "paragraph": "paragraph",
    "list": "list",
    "pull-quote": "pull quote",
    "case-study": "case study",
    "figure": "figure",
    "person-specification": "person specification",
    "editorial-note": "editorial note",
    "extraction-gap": "extraction-gap note",
}

# A list's entries, by the list's key.
ENTRIES = {
    "paragraphs": "paragraph",
    "about": "paragraph",
    "items": "item",
    "quotes": "quote",
    "criteria": "criterion",
    "questions": "prompting question",
    "signatories": "signatory",
    "contacts": "contact",
    "cites": "cited resource",
    "roles": "role",
    "basis": "basis passage",
    "sections": "section file",
    "history": "earlier edition",
    "publishers": "publisher",
    "link_texts": "link text",
    "address": "address line",
    "themes": "theme",
    "resources": "resource",
    "figures": "figure",
    "groups": "group",
    "reflection": "reflection section",
    "action": "action section",
}

# Fields left unnamed: the place already says it ("paragraph 2", not "paragraph 2 › text").
SILENT = {"text", "id", "blocks", "subsections"}
FIELDS = {"handout": "handout tag"}


def section_label(value: object, number: int | None) -> str:
    """'Section 3' for a numbered section, else its title."""
    if isinstance(value, dict) and value.get("numbered") is True and number is not None:
        return f"Section {number}"
    title = value.get("title") if isinstance(value, dict) else None
    return title if isinstance(title, str) else "Section"


def describe(kind: str, value: object, pointer: str, section_number: int | None = None) -> str:
    """The place ``pointer`` names in a file of ``kind`` holding ``value``, in words ('' if unknown)."""
    tokens = [_unescape(t) for t in pointer.split("/")[1:]] if pointer else []
    parts = [section_label(value, section_number) if kind == "section" else FILES.get(kind, kind)]
    node = value
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not isinstance(node, dict) or token not in node:
            break
        child = node[token]
        if isinstance(child, list) and i + 1 < len(tokens) and tokens[i + 1].isdigit():
            index = int(tokens[i + 1])
            if index >= len(child):
                break
            parts.append(_entry(token, child, index))
            node = child[index]
            i += 2
            continue
        if token not in SILENT:
            parts.append(FIELDS.get(token, token.replace("_", " ")))
        node = child
        i += 1
    if kind != "section" and len(parts) == 1 and not tokens:
        return ""  # the whole file: its name says it
    return SEP.join(parts)


def _entry(key: str, entries: list, index: int) -> str:
    entry = entries[index]
    if key == "subsections" and isinstance(entry, dict) and isinstance(entry.get("title"), str):
        return entry["title"]
    if key == "groups" and isinstance(entry, dict) and isinstance(entry.get("title"), str):
        return entry["title"]
    if key == "blocks":
        kind = entry.get("type") if isinstance(entry, dict) else None
        name = BLOCKS.get(kind, "block") if isinstance(kind, str) else "block"
        same = sum(
            1
            for other in entries[: index + 1]
            if isinstance(other, dict) and BLOCKS.get(other.get("type"), "block") == name
        )
        return f"{name} {same}"
    noun = ENTRIES.get(key, key.replace("_", " "))
    if isinstance(entry, dict) and isinstance(entry.get("id"), str) and key != "criteria":
        return f"{noun} '{entry['id']}'"
    return f"{noun} {index + 1}"


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")
