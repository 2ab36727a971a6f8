"""Words back into mdguide's inline markup (see ``inline``).

A reviewed text arrives as *tokens*: characters with their italic, bold and
resource link, and note references naming their resource.  ``to_markup``
writes them as markup, in one canonical form that ``inline.parse`` reads back
as the same tokens: links outermost, then bold, then italics; ``\\``, ``*``,
``[`` and ``]`` escaped.  ``tokens`` goes the other way, from markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from mdguide_build.guide import inline

_ESCAPE = "\\*[]"


@dataclass(frozen=True)
class Token:
    """One character (``char``) or one note reference (``note``: a resource id)."""

    char: str = ""
    italic: bool = False
    bold: bool = False
    link: str | None = None  # resource id of a [text][id] link
    note: str | None = None


def tokens(text: str) -> list[Token]:
    """The tokens of one text in markup."""
    out: list[Token] = []

    def walk(nodes, italic: bool, bold: bool, link: str | None) -> None:
        for node in nodes:
            if isinstance(node, inline.Plain):
                out.extend(Token(c, italic, bold, link) for c in node.text)
            elif isinstance(node, inline.Emph):
                walk(node.children, True, bold, link)
            elif isinstance(node, inline.Strong):
                walk(node.children, italic, True, link)
            elif isinstance(node, inline.ResourceLink):
                walk(node.children, italic, bold, node.resource)
            elif isinstance(node, inline.NoteRef):
                out.append(Token(note=node.resource))

    walk(inline.parse(text), False, False, None)
    return out


def to_markup(found: list[Token]) -> str:
    """Markup whose ``tokens`` are ``found``."""
    out: list[str] = []
    i = 0
    while i < len(found):
        token = found[i]
        if token.note is not None:
            out.append(f"[^{token.note}]")
            i += 1
        elif token.link is not None:
            j = i
            while j < len(found) and found[j].note is None and found[j].link == token.link:
                j += 1
            out.append(f"[{_formatted(found[i:j])}][{token.link}]")
            i = j
        else:
            j = i
            while j < len(found) and found[j].note is None and found[j].link is None:
                j += 1
            out.append(_formatted(found[i:j]))
            i = j
    return "".join(out)


def _formatted(chars: list[Token]) -> str:
    """Characters with bold and italics: bold stretches outside, italic stretches inside."""
    out: list[str] = []
    for bold, stretch in _stretches(chars, lambda t: t.bold):
        inner = "".join(
            f"*{_text(part)}*" if italic else _text(part)
            for italic, part in _stretches(stretch, lambda t: t.italic)
        )
        out.append(f"**{inner}**" if bold else inner)
    return "".join(out)


def _stretches(chars, key):
    stretch: list[Token] = []
    for token in chars:
        if stretch and key(token) != key(stretch[0]):
            yield key(stretch[0]), stretch
            stretch = []
        stretch.append(token)
    if stretch:
        yield key(stretch[0]), stretch


def _text(chars: list[Token]) -> str:
    out = []
    for k, token in enumerate(chars):
        char = token.char
        if char in "*[]":
            out.append(f"\\{char}")
        elif char == "\\":
            # The parser reads a backslash as an escape only before an escapable character;
            # at the end of a stretch a marker may follow, so escape it there too.
            after = chars[k + 1].char if k + 1 < len(chars) else "*"
            out.append("\\\\" if after in inline._ESCAPABLE else "\\")
        else:
            out.append(char)
    return "".join(out)
