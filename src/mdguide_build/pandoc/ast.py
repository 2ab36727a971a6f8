"""A tiny, typed pandoc AST (pandoc-types 1.23, as read and written by pandoc 3.x).

Content reaches pandoc only through these constructors, so the checks live here:
each element refuses the wrong kind of child (a ``str`` where inlines belong, a
block inside a paragraph) at the line that built it, instead of pandoc failing
later with a JSON parse error far from the cause.

pandoc copies attributes, link targets and raw nodes straight into HTML, EPUB
and DOCX. That makes this module the security boundary:

* there is deliberately no ``RawBlock`` or ``RawInline``: content is data, never
  markup, so nothing built here can inject HTML/XML/OOXML;
* link targets are limited to http(s), mailto and in-document ``#fragments``;
* attributes refuse event handlers (``on*``), ``style`` and unsafe URL values.

The JSON shapes were checked against ``pandoc -t json`` output from pandoc 3.9;
the round-trip test in ``tests/test_pandoc.py`` keeps them honest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar

import orjson

__all__ = [
    "PANDOC_API_VERSION",
    "Attr",
    "Block",
    "BlockQuote",
    "BulletList",
    "Div",
    "Document",
    "Element",
    "Emph",
    "Figure",
    "Header",
    "Inline",
    "LineBreak",
    "Link",
    "MetaInlines",
    "MetaList",
    "MetaString",
    "MetaValue",
    "Note",
    "OrderedList",
    "Para",
    "Plain",
    "Space",
    "Span",
    "Str",
    "Strong",
    "blocks_json",
    "document_json",
    "stringify",
    "text",
]

# What pandoc 3.9 writes (pandoc-types 1.23.1.1). pandoc only compares the
# first two components when reading, but we emit exactly what it emits so
# that a round trip compares equal.
PANDOC_API_VERSION: tuple[int, ...] = (1, 23, 1, 1)

JSON = Any  # a value json.dumps accepts

# No-break spaces belong inside a word ("10\u00a0mg"); every other whitespace
# run is a word boundary.
_NO_BREAK = "\u00a0\u2007\u202f"
_WORD_BREAK = re.compile(rf"[^\S{_NO_BREAK}]+")
# C0/C1 controls (other than tab/newline/CR) are invalid in XML, hence in
# EPUB and DOCX; lone surrogates cannot be encoded as UTF-8.
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_ATTR_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]*")
_LINK_PREFIXES = ("http://", "https://", "mailto:")
# Attribute keys whose values a browser or reading system dereferences.
_URL_KEYS = frozenset(
    {
        "href",
        "src",
        "xlink:href",
        "action",
        "formaction",
        "poster",
        "cite",
        "data",
        "background",
    }
)


# Keys Attr refuses outright, with what to do instead.
_RESERVED_KEYS = {
    "style": ": inline CSS can hide text or fetch URLs; use classes",
    "id": ": use Attr(identifier=...)",
    "class": ": use Attr(classes=...)",
}


# -- argument checks --------------------------------------------------------------


def _describe(value: object) -> str:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{type(value).__name__} {shown}"


def _check_str(owner: str, name: str, value: object, *, allow_empty: bool = True) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{owner} {name} must be a str, got {_describe(value)}")
    if not allow_empty and not value:
        raise ValueError(f"{owner} {name} must not be empty")
    bad = _BAD_CHARS.search(value)
    if bad:
        raise ValueError(
            f"{owner} {name} contains the control character U+{ord(bad.group()):04X}, "
            "which EPUB and DOCX cannot represent"
        )
    return value


def _seq(owner: str, name: str, value: object) -> tuple[Any, ...]:
    # A str is a Sequence too; iterating it would silently make one child per letter.
    if isinstance(value, (str, bytes, Element, Mapping)) or not isinstance(value, Iterable):
        hint = f"; use text({value!r}) to turn a string into inlines" if isinstance(value, str) else ""
        raise TypeError(f"{owner} {name} must be a sequence, got {_describe(value)}{hint}")
    return tuple(value)


def _inlines(owner: str, value: object, name: str = "content") -> tuple[Inline, ...]:
    items = _seq(owner, name, value)
    for item in items:
        if not isinstance(item, Inline):
            hint = f"; use text({item!r})" if isinstance(item, str) else ""
            raise TypeError(f"{owner} {name} must contain Inline elements, got {_describe(item)}{hint}")
    return items


def _blocks(owner: str, value: object, name: str = "blocks") -> tuple[Block, ...]:
    items = _seq(owner, name, value)
    for item in items:
        if not isinstance(item, Block):
            hint = "; wrap inlines in Para or Plain" if isinstance(item, (Inline, str)) else ""
            raise TypeError(f"{owner} {name} must contain Block elements, got {_describe(item)}{hint}")
    return items


def _items(owner: str, value: object) -> tuple[tuple[Block, ...], ...]:
    items = tuple(_blocks(owner, item, "item") for item in _seq(owner, "items", value))
    if not items:
        raise ValueError(f"{owner} needs at least one item")
    return items


def _attr(owner: str, value: object) -> Attr:
    if not isinstance(value, Attr):
        raise TypeError(f"{owner} attr must be an Attr, got {_describe(value)}")
    return value


def _check_url(owner: str, url: object) -> str:
    url = _check_str(owner, "url", url, allow_empty=False)
    if re.search(r"\s", url):
        raise ValueError(f"{owner} url must not contain whitespace (percent-encode it): {url!r}")
    if url.lower().startswith(_LINK_PREFIXES) or (url.startswith("#") and len(url) > 1):
        return url
    raise ValueError(f"{owner} url must start with http://, https://, mailto: or #, got {url[:60]!r}")


# -- attributes -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attr:
    """pandoc's ``(identifier, [classes], [(key, value)])``.

    Only attributes mdguide generates belong here; the refusals stop content
    from smuggling script (``onclick``), styling or unsafe URLs into the output.
    Note that pandoc's HTML writer prefixes keys it does not know with
    ``data-`` (``role`` and ``aria-*`` pass through unchanged).
    """

    identifier: str = ""
    classes: Sequence[str] = ()
    attributes: Sequence[tuple[str, str]] = ()

    def __post_init__(self) -> None:
        ident = _check_str("Attr", "identifier", self.identifier)
        if re.search(r"\s", ident):
            raise ValueError(f"Attr identifier must not contain whitespace: {ident!r}")
        classes = _seq("Attr", "classes", self.classes)
        for cls in classes:
            _check_str("Attr", "class", cls, allow_empty=False)
            if re.search(r"\s", cls):
                raise ValueError(f"Attr class must not contain whitespace: {cls!r}")
        pairs: list[tuple[str, str]] = []
        seen: set[str] = set()
        for pair in _seq("Attr", "attributes", self.attributes):
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(f"Attr attributes must be (key, value) pairs, got {_describe(pair)}")
            key = _check_str("Attr", "attribute key", pair[0], allow_empty=False)
            value = _check_str("Attr", f"attribute {key!r} value", pair[1])
            lowered = key.lower()
            if not _ATTR_KEY.fullmatch(key):
                raise ValueError(f"Attr attribute key is not a valid name: {key!r}")
            if lowered.startswith("on"):
                raise ValueError(f"Attr attribute {key!r} refused: event handlers run script")
            if lowered in _RESERVED_KEYS:
                raise ValueError(f"Attr attribute {key!r} refused{_RESERVED_KEYS[lowered]}")
            if lowered in seen:
                raise ValueError(f"Attr attribute {key!r} given twice")
            if lowered in _URL_KEYS:
                _check_url(f"Attr attribute {key!r}", value)
            seen.add(lowered)
            pairs.append((key, value))
        object.__setattr__(self, "classes", classes)
        object.__setattr__(self, "attributes", tuple(pairs))

    def to_json(self) -> JSON:
        return [self.identifier, list(self.classes), [list(p) for p in self.attributes]]


# -- element bases ----------------------------------------------------------------

Check = Callable[[str, str, Any], Any]  # (owner, field name, value) -> the value to keep, or raise


def _checked_inlines(owner: str, name: str, value: object) -> tuple[Inline, ...]:
    return _inlines(owner, value, name)


def _checked_blocks(owner: str, name: str, value: object) -> tuple[Block, ...]:
    return _blocks(owner, value, name)


def _checked_items(owner: str, _name: str, value: object) -> tuple[tuple[Block, ...], ...]:
    return _items(owner, value)


def _checked_attr(owner: str, _name: str, value: object) -> Attr:
    return _attr(owner, value)


def _checked_url(owner: str, _name: str, value: object) -> str:
    return _check_url(owner, value)


def _int_from(low: int, high: int | None = None) -> Check:
    def check(owner: str, name: str, value: object) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{owner} {name} must be an int, got {_describe(value)}")
        if high is not None and not low <= value <= high:
            raise ValueError(f"{owner} {name} must be {low} to {high}, got {value}")
        return value

    return check


def _one_of(allowed: frozenset[str]) -> Check:
    def check(owner: str, name: str, value: object) -> str:
        if value not in allowed:
            raise ValueError(f"{owner} {name} must be one of {sorted(allowed)}, got {value!r}")
        return value

    return check


def _optional(check: Check) -> Check:
    return lambda owner, name, value: None if value is None else check(owner, name, value)


# The declarative checks: each node lists its fields with the check that applies.
INLINES: Check = _checked_inlines
BLOCKS: Check = _checked_blocks
ITEMS: Check = _checked_items
ATTR: Check = _checked_attr
URL: Check = _checked_url
STR: Check = _check_str


class Element:
    """Base of every AST node; ``to_json()`` gives pandoc's ``{"t", "c"}`` form.

    Subclasses declare ``checks``: (field, check) pairs, run in order when the
    node is built. A check returns the value to keep (sequences become tuples,
    so a node cannot change after it was checked) or raises, naming the node
    and the field.
    """

    __slots__ = ()
    tag: ClassVar[str]
    checks: ClassVar[tuple[tuple[str, Check], ...]] = ()

    def __post_init__(self) -> None:
        for name, check in self.checks:
            object.__setattr__(self, name, check(self.tag, name, getattr(self, name)))

    def _content(self) -> JSON:
        raise NotImplementedError

    def to_json(self) -> JSON:
        return {"t": self.tag, "c": self._content()}


class Inline(Element):
    __slots__ = ()


class Block(Element):
    __slots__ = ()


class _Leaf(Element):
    """Nodes without content serialise as ``{"t": ...}`` alone."""

    __slots__ = ()

    def to_json(self) -> JSON:
        # One shared dict per tag: json.dumps never mutates, and a long
        # document has hundreds of thousands of Spaces.
        return _LEAF_JSON.setdefault(self.tag, {"t": self.tag})


_LEAF_JSON: dict[str, JSON] = {}


def _j(elements: Iterable[Element]) -> list[JSON]:
    return [e.to_json() for e in elements]


# -- inlines ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Str(Inline):
    """One word. Build runs of words with :func:`text`, which inserts the Spaces."""

    text: str
    tag: ClassVar[str] = "Str"

    def __post_init__(self) -> None:
        _check_str("Str", "text", self.text, allow_empty=False)
        if _WORD_BREAK.search(self.text):
            raise ValueError(f"Str must be one word, got {self.text!r}; use text() to split it")

    def _content(self) -> JSON:
        return self.text

    def to_json(self) -> JSON:
        cached = _STR_JSON.get(self.text)
        if cached is None:
            cached = _STR_JSON[self.text] = {"t": "Str", "c": self.text}
        return cached


@dataclass(frozen=True, slots=True)
class Space(_Leaf, Inline):
    tag: ClassVar[str] = "Space"


@dataclass(frozen=True, slots=True)
class LineBreak(_Leaf, Inline):
    tag: ClassVar[str] = "LineBreak"


@dataclass(frozen=True, slots=True)
class Emph(Inline):
    content: Sequence[Inline]
    tag: ClassVar[str] = "Emph"
    checks: ClassVar = (("content", INLINES),)

    def _content(self) -> JSON:
        return _j(self.content)


@dataclass(frozen=True, slots=True)
class Strong(Inline):
    content: Sequence[Inline]
    tag: ClassVar[str] = "Strong"
    checks: ClassVar = (("content", INLINES),)

    def _content(self) -> JSON:
        return _j(self.content)


@dataclass(frozen=True, slots=True)
class Link(Inline):
    content: Sequence[Inline]
    url: str
    title: str = ""
    attr: Attr = field(default_factory=Attr)
    tag: ClassVar[str] = "Link"
    checks: ClassVar = (("content", INLINES), ("url", URL), ("title", STR), ("attr", ATTR))

    def _content(self) -> JSON:
        return [self.attr.to_json(), _j(self.content), [self.url, self.title]]


@dataclass(frozen=True, slots=True)
class Note(Inline):
    """A footnote; its body is blocks, not inlines."""

    blocks: Sequence[Block]
    tag: ClassVar[str] = "Note"
    checks: ClassVar = (("blocks", BLOCKS),)

    def _content(self) -> JSON:
        return _j(self.blocks)


@dataclass(frozen=True, slots=True)
class Span(Inline):
    content: Sequence[Inline]
    attr: Attr = field(default_factory=Attr)
    tag: ClassVar[str] = "Span"
    checks: ClassVar = (("content", INLINES), ("attr", ATTR))

    def _content(self) -> JSON:
        return [self.attr.to_json(), _j(self.content)]


# -- blocks -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plain(Block):
    """Inlines without a paragraph around them (tight list items, captions)."""

    content: Sequence[Inline]
    tag: ClassVar[str] = "Plain"
    checks: ClassVar = (("content", INLINES),)

    def _content(self) -> JSON:
        return _j(self.content)


@dataclass(frozen=True, slots=True)
class Para(Block):
    content: Sequence[Inline]
    tag: ClassVar[str] = "Para"
    checks: ClassVar = (("content", INLINES),)

    def _content(self) -> JSON:
        return _j(self.content)


@dataclass(frozen=True, slots=True)
class CodeBlock(Block):
    """Text shown exactly as it is, e.g. a line to paste into a content file. Printed as text, never markup."""

    text: str
    attr: Attr = field(default_factory=Attr)
    tag: ClassVar[str] = "CodeBlock"
    checks: ClassVar = (("text", STR), ("attr", ATTR))

    def _content(self) -> JSON:
        return [self.attr.to_json(), self.text]


@dataclass(frozen=True, slots=True)
class Header(Block):
    level: int
    content: Sequence[Inline]
    attr: Attr = field(default_factory=Attr)
    tag: ClassVar[str] = "Header"
    checks: ClassVar = (("level", _int_from(1, 6)), ("content", INLINES), ("attr", ATTR))

    def _content(self) -> JSON:
        return [self.level, self.attr.to_json(), _j(self.content)]


@dataclass(frozen=True, slots=True)
class BulletList(Block):
    """``items`` is one block sequence per list item."""

    items: Sequence[Sequence[Block]]
    tag: ClassVar[str] = "BulletList"
    checks: ClassVar = (("items", ITEMS),)

    def _content(self) -> JSON:
        return [_j(item) for item in self.items]


_LIST_STYLES = frozenset(
    {"DefaultStyle", "Example", "Decimal", "LowerRoman", "UpperRoman", "LowerAlpha", "UpperAlpha"}
)
_LIST_DELIMS = frozenset({"DefaultDelim", "Period", "OneParen", "TwoParens"})


@dataclass(frozen=True, slots=True)
class OrderedList(Block):
    items: Sequence[Sequence[Block]]
    start: int = 1
    style: str = "Decimal"
    delimiter: str = "Period"
    tag: ClassVar[str] = "OrderedList"
    checks: ClassVar = (
        ("items", ITEMS),
        ("start", _int_from(0)),
        ("style", _one_of(_LIST_STYLES)),
        ("delimiter", _one_of(_LIST_DELIMS)),
    )

    def _content(self) -> JSON:
        list_attrs = [self.start, {"t": self.style}, {"t": self.delimiter}]
        return [list_attrs, [_j(item) for item in self.items]]


@dataclass(frozen=True, slots=True)
class BlockQuote(Block):
    blocks: Sequence[Block]
    tag: ClassVar[str] = "BlockQuote"
    checks: ClassVar = (("blocks", BLOCKS),)

    def _content(self) -> JSON:
        return _j(self.blocks)


@dataclass(frozen=True, slots=True)
class Div(Block):
    """A generic container. pandoc's HTML writer renders class ``section`` as
    ``<section>`` (dropping that class)."""

    blocks: Sequence[Block]
    attr: Attr = field(default_factory=Attr)
    tag: ClassVar[str] = "Div"
    checks: ClassVar = (("blocks", BLOCKS), ("attr", ATTR))

    def _content(self) -> JSON:
        return [self.attr.to_json(), _j(self.blocks)]


@dataclass(frozen=True, slots=True)
class Figure(Block):
    """pandoc 3's figure: ``[Attr, [short caption | null, caption blocks], blocks]``.

    HTML renders it as ``<figure>`` with the ``<figcaption>`` after the body.
    """

    caption: Sequence[Block]
    blocks: Sequence[Block]
    attr: Attr = field(default_factory=Attr)
    short_caption: Sequence[Inline] | None = None
    tag: ClassVar[str] = "Figure"
    checks: ClassVar = (
        ("caption", BLOCKS),
        ("blocks", BLOCKS),
        ("attr", ATTR),
        ("short_caption", _optional(INLINES)),
    )

    def _content(self) -> JSON:
        short = None if self.short_caption is None else _j(self.short_caption)
        return [self.attr.to_json(), [short, _j(self.caption)], _j(self.blocks)]


# -- metadata ---------------------------------------------------------------------


class MetaValue(Element):
    __slots__ = ()


@dataclass(frozen=True, slots=True)
class MetaString(MetaValue):
    """A plain string; templates and writers treat it as literal text."""

    text: str
    tag: ClassVar[str] = "MetaString"
    checks: ClassVar = (("text", STR),)

    def _content(self) -> JSON:
        return self.text


@dataclass(frozen=True, slots=True)
class MetaInlines(MetaValue):
    content: Sequence[Inline]
    tag: ClassVar[str] = "MetaInlines"
    checks: ClassVar = (("content", INLINES),)

    def _content(self) -> JSON:
        return _j(self.content)


def _meta_values(owner: str, _name: str, value: object) -> tuple[MetaValue, ...]:
    items = _seq(owner, "items", value)
    for item in items:
        if not isinstance(item, MetaValue):
            raise TypeError(
                f"{owner} items must be MetaValue elements (MetaString, ...), got {_describe(item)}"
            )
    return items


def _meta_mapping(owner: str, value: object) -> Mapping[str, MetaValue]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{owner} must be a mapping of str to MetaValue, got {_describe(value)}")
    for key, item in value.items():
        _check_str(owner, "key", key, allow_empty=False)
        if not isinstance(item, MetaValue):
            raise TypeError(
                f"{owner} value for {key!r} must be a MetaValue (MetaString, ...), got {_describe(item)}"
            )
    # Sorted once here so the JSON (and every output built from it) is
    # independent of the order the caller happened to fill the dict in.
    return MappingProxyType(dict(sorted(value.items())))


@dataclass(frozen=True, slots=True)
class MetaList(MetaValue):
    items: Sequence[MetaValue]
    tag: ClassVar[str] = "MetaList"
    checks: ClassVar = (("items", _meta_values),)

    def _content(self) -> JSON:
        return _j(self.items)


# -- document ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Document:
    blocks: Sequence[Block]
    meta: Mapping[str, MetaValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "blocks", _blocks("Document", self.blocks))
        object.__setattr__(self, "meta", _meta_mapping("Document meta", self.meta))

    def to_json(self) -> JSON:
        return {
            "pandoc-api-version": list(PANDOC_API_VERSION),
            "meta": {key: value.to_json() for key, value in self.meta.items()},
            "blocks": _j(self.blocks),
        }

    def to_json_text(self) -> str:
        """Compact JSON, byte-for-byte the same for equal documents.

        No ``sort_keys``: every dict is already built in a fixed order (meta
        keys sorted on construction), and keeping pandoc's ``"t"``-first order
        makes the text diffable against ``pandoc -t json``.

        orjson writes exactly what ``json.dumps(..., ensure_ascii=False,
        separators=(",", ":"))`` writes for these values (tests/test_pandoc_ast.py
        checks), ~15 times faster: 0.5 ms for the guide instead of 9, for each
        format and each preview rebuild.
        """
        return orjson.dumps(self.to_json()).decode("utf-8")


def blocks_json(blocks: Sequence[Block]) -> list[bytes]:
    """Each block's JSON text: a large document can then be converted in parts (``document_json``)."""
    return [orjson.dumps(block.to_json()) for block in _blocks("blocks_json", blocks)]


def document_json(blocks: Sequence[bytes], meta: Mapping[str, MetaValue] | None = None) -> str:
    """The JSON text of a document whose blocks ``blocks_json`` made: ``Document.to_json_text``'s bytes.

    Each block is then serialised once, whether the document goes to pandoc
    whole or in parts (tests/test_pandoc_ast.py checks the two agree).
    """
    meta = _meta_mapping("document_json meta", meta or {})
    return orjson.dumps(
        {
            "pandoc-api-version": list(PANDOC_API_VERSION),
            "meta": {key: value.to_json() for key, value in meta.items()},
            "blocks": [orjson.Fragment(block) for block in blocks],
        }
    ).decode("utf-8")


def stringify(inlines: Iterable[Inline]) -> str:
    """The words of some inlines, as plain text (like panflute's ``stringify``).

    Spaces and breaks become one space; emphasis, spans and links give their
    words; notes are left out (they are not running text).
    """
    out = []
    for node in inlines:
        if isinstance(node, Str):
            out.append(node.text)
        elif isinstance(node, (Space, LineBreak)):
            out.append(" ")
        elif isinstance(node, (Span, Emph, Strong, Link)):
            out.append(stringify(node.content))
    return "".join(out)


def text(s: str) -> list[Inline]:
    """Split plain text into Str and Space inlines, as pandoc's readers do.

    Every whitespace run (newlines included) becomes one Space, also at either
    end, so ``text("see ") + [Emph(text("this"))]`` keeps its space. No-break
    spaces stay inside the word, keeping "10\u00a0mg" together.
    """
    made = _TEXT_CACHE.get(s)
    if made is None:
        _check_str("text()", "argument", s)
        words: list[Inline] = []
        space = Space()
        for i, word in enumerate(_WORD_BREAK.split(s)):
            if i:
                words.append(space)
            if word:
                words.append(_trusted_str(word))
        made = tuple(words)
        if len(_TEXT_CACHE) > _TEXT_CACHE_LIMIT:
            _TEXT_CACHE.clear()
        _TEXT_CACHE[s] = made
    return list(made)


def _trusted_str(word: str) -> Str:
    """A Str for a word that ``text()`` has already checked and split.

    Skips the per-word checks, which were most of the cost of building a
    document: the whole string was checked once, and splitting on
    ``_WORD_BREAK`` leaves no break inside a word.
    """
    node = _STR_CACHE.get(word)
    if node is None:
        if len(_STR_CACHE) > _WORD_CACHE_LIMIT:  # a guide's vocabulary is small; stay bounded anyway
            _STR_CACHE.clear()
            _STR_JSON.clear()
        node = object.__new__(Str)
        object.__setattr__(node, "text", word)
        _STR_CACHE[word] = node
    return node


# Words repeat: one immutable Str (and one JSON dict) per distinct word, shared.
_WORD_CACHE_LIMIT = 200_000
# So do whole texts: every format (and every rebuild of the preview) splits the same ones.
_TEXT_CACHE_LIMIT = 100_000
_TEXT_CACHE: dict[str, tuple[Inline, ...]] = {}
_STR_CACHE: dict[str, Str] = {}
_STR_JSON: dict[str, JSON] = {}
