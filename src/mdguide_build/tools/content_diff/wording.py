"""The guide's marked-up texts as a colleague reads them in a diff: markup rendered, never shown raw.

Emphasis is italic (``inlines``) or plain words (``readable``); a citation reads
"[note: <link text or address>]"; a linked phrase is its words.  A value that
is not valid markup (a title with a stray ``*``) is shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping

from mdguide_build.guide import inline
from mdguide_build.guide import models as m
from mdguide_build.guide.content import Content
from mdguide_build.pandoc import ast as pa


def resource_names(*versions: Content) -> dict[str, str]:
    """How each resource is named in a diff: its first link text, else its address (later versions win)."""
    names: dict[str, str] = {}
    for content in versions:
        names.update({r.id: name_of(r) for r in content.resources.resources})
    return names


def name_of(resource: m.Resource) -> str:
    return resource.link_texts[0] if resource.link_texts else resource.url


def _parsed(text: str) -> tuple[inline.Inline, ...]:
    try:
        return inline.parse(text)
    except inline.MarkupError:
        return (inline.Plain(text),)


def _note(resource: str, names: Mapping[str, str]) -> str:
    return f"[note: {names.get(resource, resource)}]"


def readable(text: str, names: Mapping[str, str]) -> str:
    """``text`` as plain words: '*Title*.[^x]' -> 'Title. [note: King's Fund]'."""

    def walk(nodes) -> str:
        out = []
        for node in nodes:
            if isinstance(node, inline.Plain):
                out.append(node.text)
            elif isinstance(node, inline.NoteRef):
                out.append(f" {_note(node.resource, names)}")
            else:
                out.append(walk(node.children))
        return "".join(out)

    return walk(_parsed(text))


def inlines(text: str, names: Mapping[str, str]) -> list[pa.Inline]:
    """``text`` as pandoc inlines: italic as italic, bold as bold, a citation as '[note: …]'."""

    def walk(nodes) -> list[pa.Inline]:
        out: list[pa.Inline] = []
        for node in nodes:
            if isinstance(node, inline.Plain):
                out.extend(pa.text(node.text))
            elif isinstance(node, inline.Emph):
                out.append(pa.Emph(walk(node.children)))
            elif isinstance(node, inline.Strong):
                out.append(pa.Strong(walk(node.children)))
            elif isinstance(node, inline.ResourceLink):
                out.extend(walk(node.children))
            else:
                out.extend([pa.Space(), *pa.text(_note(node.resource, names))])
        return out

    return walk(_parsed(text))
