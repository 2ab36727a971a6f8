"""Checks of the reader roles (content/roles.json) and the handout tags in the content.

* every tag names roles and themes that exist (E320, E321), and makes sense
  on its own (E324);
* every item a handout could hold names the roles it serves or is marked
  general (E323);
* every role's handout gets reflection questions, development actions,
  resources and checklist criteria (E322);
* roles.json itself: ids and orders used once (E325), parts of the guide it
  names exist (E327), each role's basis is the guide's own words (E326), and
  every theme is used (W320);
* no two roles get the same items, which would make two identical handouts (W321);
* guide.json gives the address where the publisher puts the guide, which
  handouts link to; a warning while it does not, since only the publisher
  can add it (W322).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from mdguide_build.guide import handouts
from mdguide_build.guide import models as m
from mdguide_build.guide.content import Content
from mdguide_build.guide.hints import ids_hint
from mdguide_build.guide.texts import block_texts, iter_blocks, iter_subsections
from mdguide_build.validate.diagnostics import Diagnostic, Severity
from mdguide_build.validate.sources import SourceFile

_NOUNS = {
    "reflection": "reflection question",
    "action": "development action",
    "quote": "pull quote",
    "criterion": "criterion",
    None: "passage",
}


def check_roles(content: Content) -> Iterator[Diagnostic]:
    roles_file = content.file("roles.json")
    if content.roles.roles and content.guide.published_url is None:
        guide_file = content.file("guide.json")
        yield guide_file.diagnostic(
            "W322",
            "",
            "no published_url: a handout read on its own cannot link to the full guide",
            'add "published_url": the address the guide\'s web page is published at, '
            "e.g. https://example.org/guide/" + content.guide.slug + ".html",
            severity=Severity.WARNING,
        )
    yield from _unique(roles_file, content.roles)
    yield from _parts_named(content, roles_file)
    found = handouts.items(content)
    yield from _tags(content, roles_file, found)
    yield from _coverage(content, roles_file, found)


def _unique(source: SourceFile, roles: m.RolesFile) -> Iterator[Diagnostic]:
    for what, entries in (
        ("role", [(r.id, f"/roles/{i}/id") for i, r in enumerate(roles.roles)]),
        ("theme", [(t.id, f"/themes/{i}/id") for i, t in enumerate(roles.themes)]),
        ("order", [(str(r.order), f"/roles/{i}/order") for i, r in enumerate(roles.roles)]),
    ):
        first: dict[str, str] = {}
        for value, pointer in entries:
            if value in first:
                noun = f"order {value}" if what == "order" else f"{what} id '{value}'"
                yield source.diagnostic(
                    "E325",
                    pointer,
                    f"{noun} is used twice: here and at {source.place(first[value])}",
                    f"give each {what} its own",
                )
            else:
                first[value] = pointer


def _part_texts(content: Content) -> dict[str, list[str]]:
    """The plain words of every part of the guide a role's basis may quote, by id."""
    spec = content.person_specification
    parts: dict[str, list[str]] = {}
    for group in spec.groups:
        parts[group.id] = [group.lead, *(x for c in group.criteria for x in block_texts(c))]
        for criterion in group.criteria:
            parts[criterion.id] = block_texts(criterion)
    spec_texts = [text for group in spec.groups for text in parts[group.id]]

    for section in content.sections:
        nodes = [section, *(sub for _, sub in iter_subsections(section))]
        for node in nodes:
            texts: list[str] = []
            for _, block in iter_blocks(node):
                texts.extend(block_texts(block))
                if isinstance(block, m.PersonSpecificationRef):
                    texts.extend(spec_texts)
                if isinstance(block, (m.PullQuote, m.CaseStudy)):
                    parts[block.id] = block_texts(block)
            parts[node.id] = texts
    return {key: [_plain_words(t) for t in texts] for key, texts in parts.items()}


@functools.lru_cache(maxsize=65536)
def _plain_words(text: str) -> str:
    # A text is in every part above it (its subsection, section...), and the preview checks the
    # same texts after every save: make its words once.
    return _words(handouts.plain(text))


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _parts_named(content: Content, roles_file: SourceFile) -> Iterator[Diagnostic]:
    parts = _part_texts(content)
    headed = [s.id for s in content.sections] + [
        sub.id for s in content.sections for _, sub in iter_subsections(s)
    ]
    where = "the sections' files (a section, subsection, case study, pull quote or criterion id)"
    for kind in ("reflection", "action"):
        for i, ident in enumerate(getattr(content.roles.sources, kind)):
            if ident not in headed:
                yield roles_file.diagnostic(
                    "E327",
                    f"/sources/{kind}/{i}",
                    f"unknown section or subsection '{ident}'",
                    ids_hint(ident, headed, "section and subsection", "content/sections/"),
                )
    for r, role in enumerate(content.roles.roles):
        for b, basis in enumerate(role.basis):
            at = f"/roles/{r}/basis/{b}"
            if basis.at not in parts:
                yield roles_file.diagnostic(
                    "E327",
                    f"{at}/at",
                    f"unknown part of the guide '{basis.at}'",
                    ids_hint(basis.at, sorted(parts), "part", where),
                )
            elif not any(_words(basis.text) in text for text in parts[basis.at]):
                yield roles_file.diagnostic(
                    "E326",
                    f"{at}/text",
                    f"role '{role.id}': these words are not in '{basis.at}'",
                    "copy them exactly from that part of the guide, quotation marks and apostrophes included",
                )


def _tags(content: Content, roles_file: SourceFile, found: list[handouts.Item]) -> Iterator[Diagnostic]:
    role_ids = [r.id for r in content.roles.roles]
    theme_ids = [t.id for t in content.roles.themes]
    for item in found:
        source = content.file(item.place.relpath)
        at = f"{item.place.pointer}/handout"
        tag = item.tag
        noun = _NOUNS[item.kind]
        if tag is None:
            if not role_ids:
                continue  # no roles, no handouts: nothing needs a tag
            yield source.diagnostic(
                "E323",
                item.place.pointer,
                f"this {noun} is not tagged for any role",
                'add "handout": {"roles": [...]} naming the roles it serves, '
                'or {"general": true} if it serves no one role',
            )
            continue
        if tag.general and tag.roles:
            yield source.diagnostic(
                "E324",
                f"{at}/general",
                "marked general but also tagged for roles",
                'a general item goes into no handout: remove "general" or the roles',
            )
        elif not tag.general and not tag.roles and role_ids:
            yield source.diagnostic(
                "E323",
                at,
                f"this {noun} is not tagged for any role",
                'name the roles it serves in "roles", or set "general": true if it serves no one role',
            )
        for i, ident in enumerate(tag.roles):
            if ident not in role_ids:
                yield source.diagnostic(
                    "E320",
                    f"{at}/roles/{i}",
                    f"unknown role '{ident}'",
                    ids_hint(ident, role_ids, "role", roles_file.display),
                )
        if isinstance(tag, m.PassageTag) and tag.roles and not tag.general:
            yield from _passage_tag(source, at, item, tag, theme_ids, roles_file)


def _passage_tag(
    source: SourceFile,
    at: str,
    item: handouts.Item,
    tag: m.PassageTag,
    theme_ids: list[str],
    roles_file: SourceFile,
) -> Iterator[Diagnostic]:
    if item.kind is None:
        yield source.diagnostic(
            "E324",
            at,
            "a passage for a handout needs a kind",
            'add "kind": "reflection" (self-reflection questions) or "kind": "action"',
        )
    elif item.kind == "action" and tag.theme is None:
        yield source.diagnostic(
            "E324",
            at,
            "a development action needs a theme",
            f'add "theme": one of the theme ids in {roles_file.display}',
        )
    elif item.kind != "action" and tag.theme is not None:
        yield source.diagnostic(
            "E324",
            f"{at}/theme",
            "only development actions have a theme",
            'remove "theme", or make it "kind": "action"',
        )
    if tag.theme is not None and tag.theme not in theme_ids:
        yield source.diagnostic(
            "E321",
            f"{at}/theme",
            f"unknown theme '{tag.theme}'",
            ids_hint(tag.theme, theme_ids, "theme", roles_file.display),
        )


_NEEDS = (
    (
        "reflections",
        "reflection questions",
        'tag a paragraph of self-reflection questions with "handout": {{"roles": ["{role}"], "kind": "reflection"}}',
    ),
    (
        "actions",
        "development actions",
        'tag a development opportunity or course with "handout": {{"roles": ["{role}"], "kind": "action", '
        '"theme": ...}}',
    ),
    ("resources", "resources", "tag for it a development action that cites a resource"),
    (
        "criteria",
        "checklist criteria",
        'tag person-specification criteria with "handout": {{"roles": ["{role}"]}}',
    ),
)


def _coverage(content: Content, roles_file: SourceFile, found: list[handouts.Item]) -> Iterator[Diagnostic]:
    theme_ids = {t.id for t in content.roles.themes}
    for r, role in enumerate(content.roles.roles):
        mine = [i for i in found if i.serves(role.id)]
        counts = {
            "reflections": sum(i.kind == "reflection" for i in mine),
            "actions": sum(i.kind == "action" and i.tag.theme in theme_ids for i in mine),
            "resources": len({res for i in mine if i.kind == "action" for res in i.resources()}),
            "criteria": sum(i.kind == "criterion" for i in mine),
        }
        for key, what, hint in _NEEDS:
            if not counts[key]:
                yield roles_file.diagnostic(
                    "E322", f"/roles/{r}", f"role '{role.id}' gets no {what}", hint.format(role=role.id)
                )
    yield from _alike(content, roles_file, found)
    used = {i.tag.theme for i in found if i.kind == "action" and i.tag and i.tag.roles}
    for t, theme in enumerate(content.roles.themes):
        if theme.id not in used:
            yield roles_file.diagnostic(
                "W320",
                f"/themes/{t}",
                f"theme '{theme.id}' has no development actions",
                "tag actions with it, or delete it",
                severity=Severity.WARNING,
            )


def _alike(content: Content, roles_file: SourceFile, found: list[handouts.Item]) -> Iterator[Diagnostic]:
    """Two roles tagged for exactly the same items would get the same handout under two names."""
    first: dict[frozenset[tuple[str, str]], str] = {}
    for r, role in enumerate(content.roles.roles):
        mine = frozenset((i.place.relpath, i.place.pointer) for i in found if i.serves(role.id))
        if not mine:
            continue  # E322 already says it gets nothing
        if mine in first:
            yield roles_file.diagnostic(
                "W321",
                f"/roles/{r}",
                f"role '{role.id}' gets the same {len(mine)} items as role '{first[mine]}': "
                "their handouts would be the same",
                f"remove '{role.id}' from the tags of items that do not suit it, or tag more for it "
                f"('mdguide role show {role.id}' lists them); or merge the two roles",
                severity=Severity.WARNING,
            )
        else:
            first[mine] = role.id
