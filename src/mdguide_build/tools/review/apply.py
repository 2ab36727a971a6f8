"""`mdguide review import`: a reviewer's DOCX back into content/, or into a report of what could not be.

How a reviewed document is read against content/:

1. The document must be a review export (its properties), of content/'s
   edition; its anchors must be whole and unique (``anchors.ReviewInfo``).
2. The same document is exported again from content/ as it is now: the
   *original*, which says what each paragraph held and which words mdguide
   itself adds around a text (a section number, "Editorial note:", quotation
   marks).
3. Each anchored paragraph of the reviewed document (changes accepted, or
   rejected with ``--reject-pending``) is compared with the original one.
   The words between the added ones become the text's new markup (italic and
   bold as ``*``/``**``, links and notes as ``[text][id]``/``[^id]``).  A text
   whose words all went is a removed paragraph, list item or question.
4. Whatever cannot be put back into one text field is listed, with its words:
   a new or changed paragraph outside the anchors, a split or joined
   paragraph, a table, an edited note, a removed heading, a text changed in
   content/ since the export.
5. The new content is validated by the loader that `mdguide validate` runs;
   only a valid result is written, each file in mdguide's own JSON form.
"""

from __future__ import annotations

import difflib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from mdguide_build.errors import ContentError, MdguideError
from mdguide_build.files import atomic_write_text
from mdguide_build.guide.content import Content
from mdguide_build.tools.content_diff import DiffResult, diff_content
from mdguide_build.tools.review import anchors as an
from mdguide_build.tools.review.export import export_review
from mdguide_build.tools.review.markup import Token, to_markup, tokens
from mdguide_build.tools.review.places import place_of
from mdguide_build.tools.review.read_docx import OBJECT, Atom, Paragraph, ReviewedDocx, read_docx
from mdguide_build.validate.loader import content_files, dump_json, read_content

# A removed text may go where its list keeps at least this many (the models' minimums).
_REMOVABLE = {("blocks",): 0, ("items",): 1, ("paragraphs",): 1, ("questions",): 0, ("about",): 0}


class ReviewImportError(MdguideError):
    """The reviewed document cannot be imported."""


@dataclass(frozen=True)
class Unmapped:
    """A change that could not be applied, with its words for the editor to apply by hand."""

    place: str
    what: str
    new: str | None = None
    old: str | None = None


@dataclass(frozen=True)
class Remark:
    """A reviewer's comment, where it belongs and the words it is on."""

    author: str
    date: str
    place: str
    quoted: str
    text: str


@dataclass
class ImportResult:
    source: str
    reject_pending: bool
    diff: DiffResult
    files: dict[str, tuple[str, str]]  # relpath -> (old text, new text), only files that change
    comments: list[Remark]
    unmapped: list[Unmapped]
    pending: list[Unmapped]  # --reject-pending: changes left out because they are still pending
    stale: int  # texts changed in content/ since the export

    def patch(self) -> str:
        """The change to content/ as a unified diff."""
        out = []
        for relpath, (old, new) in sorted(self.files.items()):
            out.extend(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    f"a/content/{relpath}",
                    f"b/content/{relpath}",
                )
            )
        return "".join(out)


# --- reading both documents --------------------------------------------------------------


@dataclass
class _Located:
    """One anchor in one view of a document."""

    name: str
    place: str  # relpath#pointer
    paragraph: int
    start: int
    end: int
    end_paragraph: int


def _locate(paragraphs: list[Paragraph], source: str) -> dict[str, _Located]:
    found: dict[str, _Located] = {}
    for index, paragraph in enumerate(paragraphs):
        for mark in paragraph.marks:
            if not mark.name.startswith(an.PREFIX):
                continue
            if mark.kind == "bookmark-start":
                if mark.name in found:
                    raise an.ReviewFormatError(
                        f"{source}: the anchor {mark.name} is in the document twice, so mdguide cannot tell "
                        "which text is which: the document's anchors are damaged or were copied (hint: export "
                        "the guide again and copy the reviewer's changes into the new export)"
                    )
                found[mark.name] = _Located(mark.name, "", index, mark.at, -1, -1)
            elif mark.kind == "bookmark-end" and mark.name in found and found[mark.name].end_paragraph < 0:
                located = found[mark.name]
                located.end_paragraph, located.end = index, mark.at
    for located in found.values():
        if located.end_paragraph < 0:
            raise an.ReviewFormatError(
                f"{source}: the anchor {located.name} has no end: the document's anchors "
                "are damaged (hint: export the guide again)"
            )
    return found


@dataclass
class _Text:
    """One reviewed text, ready to compare: its tokens and what stands in their way."""

    tokens: list[Token]
    problems: list[str] = field(default_factory=list)


class _Reader:
    """Turns a document's atoms into markup tokens: notes and links become resource ids."""

    def __init__(self, doc: ReviewedDocx, content: Content):
        self.doc = doc
        self.by_url = {r.url: r.id for r in content.resources.resources}

    def tokens(self, atoms: list[Atom]) -> _Text:
        out = _Text([])
        for atom in atoms:
            if atom.note is not None:
                note = self.doc.footnotes.get(atom.note)
                resource = next(
                    (self.by_url[u] for u in (note.links if note else ()) if u in self.by_url), None
                )
                if resource is None:
                    out.problems.append(f"a note mdguide did not write ({note.accepted if note else '?'})")
                    out.tokens.append(Token(OBJECT))
                else:
                    out.tokens.append(Token(note=resource))
                continue
            link = None
            if atom.link:
                link = self.by_url.get(atom.link)
                if link is None:
                    out.problems.append(f"a link to {atom.link}, which is not one of the guide's resources")
            if atom.char == OBJECT:
                out.problems.append("a picture or object")
            elif atom.char in "\t\n":
                out.problems.append("a tab or line break")
            out.tokens.append(Token(atom.char, atom.italic, atom.bold, link))
        return out


def _key(token: Token) -> tuple:
    return (token.char, token.note)


def _text(found: list[Token]) -> str:
    return "".join(t.char if t.note is None else f"[^{t.note}]" for t in found)


# --- the plan -------------------------------------------------------------------------------


@dataclass
class _Plan:
    edits: dict[tuple[str, str], str] = field(default_factory=dict)  # (relpath, pointer) -> new text
    removals: list[tuple[str, str]] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)
    stale: int = 0


class _Importer:
    def __init__(self, content: Content, reviewed: ReviewedDocx, original: ReviewedDocx, info: an.ReviewInfo):
        self.content = content
        self.reviewed, self.original, self.info = reviewed, original, info
        original_info = an.ReviewInfo.parse(original.properties, "the fresh export")
        self.original_names = {e.place: e.name for e in original_info.anchors.values()}
        self.reviewed_reader = _Reader(reviewed, content)
        self.original_reader = _Reader(original, content)
        self.original_located = _locate(original.accepted, "the fresh export")

    # -- places ---------------------------------------------------------------------------

    def where(self, place: str) -> tuple[str, str]:
        relpath, pointer = place.split("#", 1)
        try:
            return place_of(self.content, relpath, pointer)
        except (LookupError, ValueError, AttributeError, StopIteration):
            return relpath, pointer

    def value(self, place: str) -> str | None:
        """The text at ``place`` in content/ now, or None if there is none."""
        relpath, pointer = place.split("#", 1)
        try:
            node: object = self.content.file(relpath).model
        except StopIteration:
            return None
        for segment in pointer.split("/")[1:]:
            try:
                node = node[int(segment)] if isinstance(node, list) else getattr(node, segment)
            except (LookupError, ValueError, AttributeError):
                return None
        return node if isinstance(node, str) else None

    # -- one view ----------------------------------------------------------------------------

    def plan(self, view: list[Paragraph]) -> _Plan:
        plan = _Plan()
        located = _locate(view, self.reviewed.source)
        for name, exported in self.info.anchors.items():
            if name in located:
                located[name].place = exported.place
        by_paragraph: dict[int, list[_Located]] = {}
        for item in located.values():
            if item.place:
                by_paragraph.setdefault(item.paragraph, []).append(item)
        for name in sorted(set(located) - set(self.info.anchors)):
            raise an.ReviewFormatError(
                f"{self.reviewed.source}: the anchor {name} is not listed in the document's "
                "properties: the document's anchors are damaged (hint: export it again)"
            )
        for exported in self.info.anchors.values():
            self.anchor(plan, view, exported, located.get(exported.name), by_paragraph)
        self.outside(plan, view, located)
        return plan

    def anchor(
        self,
        plan: _Plan,
        view: list[Paragraph],
        exported: an.Exported,
        here: _Located | None,
        by_paragraph: dict[int, list[_Located]],
    ) -> None:
        place, what = self.where(exported.place)
        current = self.value(exported.place)
        original = self.original_located.get(self.original_names.get(exported.place, ""))
        if current is None or original is None:
            plan.unmapped.append(
                Unmapped(
                    place,
                    f"{what}: its place ({exported.place}) is no longer in content/",
                    new=_text(self.reviewed_tokens(view, here).tokens) if here else None,
                )
            )
            return
        stale = an.Anchor("", "", "", current, True).digest != exported.digest
        plan.stale += stale
        before = self.original_tokens(original)
        if here is None:
            self.missing(plan, exported, place, what, current, view)
            return
        if here.end_paragraph != here.paragraph:
            parts = [view[i].text for i in range(here.paragraph, here.end_paragraph + 1)]
            plan.unmapped.append(
                Unmapped(
                    place,
                    f"{what} split into {len(parts)} paragraphs (not applied)",
                    new=" ¶ ".join(parts),
                    old=current,
                )
            )
            return
        sharing = by_paragraph.get(here.paragraph, [])
        others_hold_words = any(o is not here and o.end > o.start for o in sharing)
        # Joined to a neighbour: only a text deleted whole (empty, and removable) can still be applied.
        if (
            len(sharing) > 1
            and others_hold_words
            and (here.end > here.start or not _removable(exported.pointer))
        ):
            plan.unmapped.append(
                Unmapped(
                    place,
                    f"{what} joined with the paragraph next to it (not applied)",
                    new=view[here.paragraph].text,
                    old=current,
                )
            )
            return
        text = self.reviewed_tokens(view, here, original, alone=len(sharing) == 1)
        if text is None:
            plan.unmapped.append(
                Unmapped(
                    place,
                    f"{what}: the words mdguide adds around it were changed (not applied)",
                    new=view[here.paragraph].text,
                    old=current,
                )
            )
            return
        if [_key(t) for t in text.tokens] == [_key(t) for t in before.tokens] and [
            (t.italic, t.bold, t.link) for t in text.tokens
        ] == [(t.italic, t.bold, t.link) for t in before.tokens]:
            return  # as exported
        if stale:
            plan.unmapped.append(
                Unmapped(
                    place,
                    f"{what} was changed in content/ since the export, and by the reviewer (not applied)",
                    new=_text(text.tokens),
                    old=current,
                )
            )
            return
        if not "".join(t.char for t in text.tokens).strip() and not any(t.note for t in text.tokens):
            self.remove(plan, exported, place, what, current)
            return
        if text.problems:
            plan.unmapped.append(
                Unmapped(
                    place,
                    f"{what} now holds {', '.join(dict.fromkeys(text.problems))} (not applied)",
                    new=_text(text.tokens),
                    old=current,
                )
            )
            return
        markup = self.markup(exported, text.tokens, before.tokens, current)
        if markup is None:
            plan.unmapped.append(
                Unmapped(
                    place,
                    f"{what}: its formatting cannot be written in mdguide's markup (not applied)",
                    new=_text(text.tokens),
                    old=current,
                )
            )
            return
        if markup != current:
            relpath, pointer = exported.place.split("#", 1)
            plan.edits[(relpath, pointer)] = markup

    def markup(
        self, exported: an.Exported, found: list[Token], before: list[Token], current: str
    ) -> str | None:
        """The new text in markup; None if the markup cannot say it."""
        marked = not exported.pointer.endswith("/title")  # titles hold plain words
        source = tokens(current) if marked else [Token(c) for c in current]
        chars = [t for t in before if t.note is None]
        source_chars = [t for t in source if t.note is None]
        base_italic = bool(chars) and all(t.italic for t in chars) and not all(t.italic for t in source_chars)
        base_bold = bool(chars) and all(t.bold for t in chars) and not all(t.bold for t in source_chars)
        own = [
            Token(t.char, t.italic and not base_italic, t.bold and not base_bold, t.link, t.note)
            for t in found
        ]
        if not marked:
            if any(t.italic or t.bold or t.link or t.note for t in own):
                return None
            return "".join(t.char for t in own)
        text = to_markup(own)
        try:
            if tokens(text) != own:
                return None
        except ValueError:
            return None
        if any(base_bold and not t.bold for t in found if t.note is None) or any(
            base_italic and not t.italic for t in found if t.note is None
        ):
            return None
        return text

    def original_tokens(self, located: _Located) -> _Text:
        paragraph = self.original.accepted[located.paragraph]
        return self.original_reader.tokens(paragraph.atoms[located.start : located.end])

    def reviewed_tokens(
        self, view: list[Paragraph], here: _Located, original: _Located | None = None, alone: bool = True
    ) -> _Text | None:
        """The reviewed words of an anchor.

        Alone in its paragraph, the anchor holds everything between the words
        mdguide adds (wherever the word processor moved the bookmark's ends);
        sharing it, only what lies between its bookmark's ends.
        """
        paragraph = view[here.paragraph]
        if original is None or not alone:
            return self.reviewed_reader.tokens(paragraph.atoms[here.start : here.end])
        whole = self.reviewed_reader.tokens(paragraph.atoms)
        source = self.original.accepted[original.paragraph]
        prefix = self.original_reader.tokens(source.atoms[: original.start]).tokens
        suffix = self.original_reader.tokens(source.atoms[original.end :]).tokens
        found = whole.tokens
        if len(found) < len(prefix) + len(suffix):
            return None
        if [_key(t) for t in found[: len(prefix)]] != [_key(t) for t in prefix]:
            return None
        if suffix and [_key(t) for t in found[len(found) - len(suffix) :]] != [_key(t) for t in suffix]:
            return None
        inner = found[len(prefix) : len(found) - len(suffix)]
        problems = self.reviewed_reader.tokens(
            paragraph.atoms[len(prefix) : len(paragraph.atoms) - len(suffix)]
        ).problems
        return _Text(inner, problems)

    def missing(
        self, plan: _Plan, exported: an.Exported, place: str, what: str, current: str, view: list[Paragraph]
    ) -> None:
        """An anchor gone from the document: its text was deleted, or its bookmark was."""
        words = " ".join(current.split())
        plain = (
            "".join(t.char for t in tokens(current) if t.note is None)
            if not exported.pointer.endswith("/title")
            else current
        )
        if any(" ".join(p.text.split()) in (words, " ".join(plain.split())) for p in view if p.text.strip()):
            raise an.ReviewFormatError(
                f"{self.reviewed.source}: the anchor {exported.name} ({place}: {what}) is missing, but its text "
                "is still in the document: the document's anchors are damaged (hint: export the guide again "
                "and copy the reviewer's changes into the new export)"
            )
        self.remove(plan, exported, place, what, current)

    def remove(self, plan: _Plan, exported: an.Exported, place: str, what: str, current: str) -> None:
        if _removable(exported.pointer):
            plan.removals.append((exported.relpath, exported.pointer))
        else:
            kind = "heading" if exported.pointer.endswith("/title") else what
            plan.unmapped.append(
                Unmapped(
                    place,
                    f"{kind} deleted (not applied: mdguide cannot remove it on its "
                    "own; change content/ by hand)",
                    old=current,
                )
            )

    # -- text outside the anchors -----------------------------------------------------------

    def outside(self, plan: _Plan, view: list[Paragraph], located: dict[str, _Located]) -> None:
        """New, changed and removed paragraphs that hold no anchor: listed, never applied."""

        def skeleton(paragraphs: list[Paragraph], where: dict[str, _Located], places: dict[str, str]):
            names: dict[int, str] = {}
            for name, item in where.items():
                if name in places:
                    names.setdefault(item.paragraph, places[name])
            keys, labels = [], []
            last = ("Start of the document", "")
            for index, paragraph in enumerate(paragraphs):
                if index in names:
                    keys.append(("anchor", names[index]))
                    last = self.where(names[index])
                elif paragraph.text.strip():
                    keys.append(("text", " ".join(paragraph.text.split()), paragraph.in_table))
                else:
                    continue
                labels.append((index, last))
            return keys, labels

        reviewed_places = {n: e.place for n, e in self.info.anchors.items()}
        original_places = {n: p for p, n in self.original_names.items()}
        old_keys, old_labels = skeleton(self.original.accepted, self.original_located, original_places)
        new_keys, new_labels = skeleton(view, located, reviewed_places)
        matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            olds = [old_keys[i] for i in range(i1, i2) if old_keys[i][0] == "text"]
            news = [(new_keys[j], new_labels[j][1]) for j in range(j1, j2) if new_keys[j][0] == "text"]
            old_at = [old_labels[i][1] for i in range(i1, i2) if old_keys[i][0] == "text"]
            for k in range(max(len(olds), len(news))):
                if k < len(news):
                    key, (place, what) = news[k]
                    after = f" after {what}" if what else ""
                    if k < len(olds):
                        label = f"text mdguide writes changed{after} (not applied: change it in content/)"
                        plan.unmapped.append(Unmapped(place, label, new=key[1], old=olds[k][1]))
                    else:
                        kind = "table" if key[2] else "new paragraph"
                        plan.unmapped.append(Unmapped(place, f"{kind}{after} (not applied)", new=key[1]))
                else:
                    place, what = old_at[k]
                    after = f" after {what}" if what else ""
                    plan.unmapped.append(
                        Unmapped(
                            place,
                            f"text mdguide writes deleted{after} (not applied: change it in content/)",
                            old=olds[k][1],
                        )
                    )

    # -- notes and comments ---------------------------------------------------------------

    def notes(self) -> list[Unmapped]:
        """Edits inside notes: a note gives a resource's address, which lives in content/resources.json."""
        expected = {note.accepted for note in self.original.footnotes.values()}
        numbers: dict[str, int] = {}
        for paragraph in self.reviewed.accepted:
            for atom in paragraph.atoms:
                if atom.note is not None:
                    numbers.setdefault(atom.note, len(numbers) + 1)
        out = []
        for ident, note in self.reviewed.footnotes.items():
            if note.accepted != note.rejected or note.accepted not in expected:
                number = numbers.get(ident)
                label = f"note {number}" if number else "a note"
                out.append(
                    Unmapped(
                        "Notes",
                        f"{label} edited (not applied: a note gives a resource's address; "
                        "change it in content/resources.json)",
                        new=note.accepted,
                        old=note.rejected,
                    )
                )
        return out

    def comments(self) -> list[Remark]:
        view = self.reviewed.accepted
        located = _locate(view, self.reviewed.source)
        anchor_at: dict[int, list[_Located]] = {}
        for name, item in located.items():
            if name in self.info.anchors:
                anchor_at.setdefault(item.paragraph, []).append(item)
        starts: dict[str, tuple[int, int]] = {}
        ends: dict[str, tuple[int, int]] = {}
        for index, paragraph in enumerate(view):
            for mark in paragraph.marks:
                if mark.kind in ("comment-start", "comment"):
                    starts.setdefault(mark.name, (index, mark.at))
                if mark.kind == "comment-end":
                    ends.setdefault(mark.name, (index, mark.at))
        out = []
        for ident, comment in self.reviewed.comments.items():
            start = starts.get(ident)
            if start is None:
                out.append(
                    Remark(
                        comment.author,
                        comment.date,
                        "Somewhere in the document (its place is lost)",
                        "",
                        comment.text,
                    )
                )
                continue
            end = ends.get(ident, start)
            quoted = _between(view, start, end)
            label = "Start of the document"
            for index in range(start[0], -1, -1):
                if index in anchor_at:
                    place, what = self.where(self.info.anchors[anchor_at[index][0].name].place)
                    label = f"{place}: {what}" if index == start[0] else f"{place}: after {what}"
                    break
            out.append(Remark(comment.author, comment.date, label, quoted, comment.text))
        return out


def _between(view: list[Paragraph], start: tuple[int, int], end: tuple[int, int]) -> str:
    if end < start:
        end = start
    words = []
    for index in range(start[0], end[0] + 1):
        text = view[index].text
        lo = start[1] if index == start[0] else 0
        hi = end[1] if index == end[0] else len(text)
        words.append(text[lo:hi])
    return " ¶ ".join(w for w in words if w.strip()).strip()


def _removable(pointer: str) -> bool:
    """A paragraph block, a list item, a case study's paragraph, a question or an 'about' paragraph."""
    parts = pointer.strip("/").split("/")
    if len(parts) >= 3 and parts[-3] == "blocks" and parts[-1] == "text":
        return True
    return (
        len(parts) >= 2 and parts[-2] in ("items", "paragraphs", "questions", "about") and parts[-1].isdigit()
    )


# --- the new content ---------------------------------------------------------------------------


def _apply(content: Content, plan: _Plan) -> dict[str, tuple[str, str]]:
    """Each changed file's old and new text."""
    data: dict[str, object] = {}

    def load(relpath: str) -> object:
        if relpath not in data:
            data[relpath] = json.loads(content.file(relpath).text)
        return data[relpath]

    for (relpath, pointer), text in plan.edits.items():
        *path, last = pointer.strip("/").split("/")
        parent = _walk(load(relpath), path)
        parent[int(last) if isinstance(parent, list) else last] = text
    removals: dict[tuple[str, tuple[str, ...]], set[int]] = {}
    for relpath, pointer in plan.removals:
        parts = pointer.strip("/").split("/")
        if parts[-1] == "text":  # a paragraph or note block: remove the block
            parts = parts[:-1]
        removals.setdefault((relpath, tuple(parts[:-1])), set()).add(int(parts[-1]))
    for (relpath, path), indices in removals.items():
        items = _walk(load(relpath), list(path))
        for index in sorted(indices, reverse=True):
            del items[index]
    out = {}
    for relpath, value in data.items():
        old = content.file(relpath).text
        new = dump_json(value)
        if new != old:
            out[relpath] = (old, new)
    return out


def _walk(value, path):
    for segment in path:
        value = value[int(segment)] if isinstance(value, list) else value[segment]
    return value


def _validated(content: Content, files: dict[str, tuple[str, str]], display: str) -> Content:
    """The content as it would be; ContentError (and nothing written) if it would be invalid."""
    with tempfile.TemporaryDirectory(prefix="mdguide-review-") as temp:
        root = Path(temp) / "content"
        for path in content_files(content.root):
            target = root / path.relative_to(content.root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        for relpath, (_, new) in files.items():
            (root / relpath).write_text(new, encoding="utf-8")
        after, diagnostics = read_content(root, display)
        if after is None:
            raise ContentError(diagnostics, f"the imported {display} (nothing was written)")
        after.root = content.root
        return after


def plan_import(
    content: Content,
    path: Path,
    *,
    reject_pending: bool = False,
    source: str | None = None,
    display: str = "content",
) -> ImportResult:
    """Read ``path`` against ``content``; raise if it cannot be imported or the result would be invalid."""
    source = source or str(path)
    reviewed = read_docx(path, source)
    info = an.ReviewInfo.parse(reviewed.properties, source)
    info.check_edition(content, source)
    role = None if info.role == an.WHOLE_GUIDE else info.role
    with tempfile.TemporaryDirectory(prefix="mdguide-review-") as temp:
        fresh = Path(temp) / "original.docx"
        export_review(content, fresh, role)
        original = read_docx(fresh, "the fresh export")
    importer = _Importer(content, reviewed, original, info)
    plan = importer.plan(reviewed.rejected if reject_pending else reviewed.accepted)
    pending: list[Unmapped] = []
    if reject_pending:
        accepted = importer.plan(reviewed.accepted)
        for key, text in accepted.edits.items():
            if plan.edits.get(key) != text:
                place, what = importer.where("#".join(key))
                pending.append(
                    Unmapped(
                        place,
                        f"{what}: pending change left out",
                        new=text,
                        old=plan.edits.get(key, importer.value("#".join(key))),
                    )
                )
        for removal in accepted.removals:
            if removal not in plan.removals:
                place, what = importer.where("#".join(removal))
                pending.append(
                    Unmapped(
                        place, f"{what}: pending deletion left out", old=importer.value("#".join(removal))
                    )
                )
        pending.extend(u for u in accepted.unmapped if u not in plan.unmapped)
    files = _apply(content, plan)
    after = _validated(content, files, display) if files else content
    diff = diff_content(content, after, display, source)
    return ImportResult(
        source,
        reject_pending,
        diff,
        files,
        importer.comments(),
        plan.unmapped + importer.notes(),
        pending,
        plan.stale,
    )


def write_import(result: ImportResult, root: Path) -> list[Path]:
    """Write the changed files into ``root`` (content/), each atomically."""
    written = []
    for relpath, (_, new) in sorted(result.files.items()):
        target = root / relpath
        try:
            atomic_write_text(target, new)
        except OSError as error:
            raise ReviewImportError(f"cannot write {target}: {error.strerror}") from error
        written.append(target)
    return written
