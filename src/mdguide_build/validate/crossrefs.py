"""Checks across files: ids, references, citations, figures, markup.

Each check is a function ``(content) -> Iterator[Diagnostic]`` listed in
``CHECKS``; a new kind of content adds its check there.
"""

from __future__ import annotations

from collections.abc import Iterator

from mdguide_build.guide import inline
from mdguide_build.guide import models as m
from mdguide_build.guide.content import Content
from mdguide_build.guide.hints import ids_hint
from mdguide_build.guide.texts import iter_blocks, iter_subsections, marked_texts
from mdguide_build.validate.diagnostics import Diagnostic, Severity
from mdguide_build.validate.role_checks import check_roles
from mdguide_build.validate.sources import SourceFile, unsafe_path


def _ids(content: Content) -> Iterator[tuple[str, SourceFile, str]]:
    """(id, file, pointer) of everything that has an id."""
    for source in content.files:
        model = source.model
        if isinstance(model, m.SectionFile):
            yield model.id, source, "/id"
            for at, sub in iter_subsections(model):
                yield sub.id, source, f"{at}/id"
            for at, block in iter_blocks(model):
                if isinstance(block, (m.PullQuote, m.CaseStudy)):
                    yield block.id, source, f"{at}/id"
        elif isinstance(model, m.PersonSpecificationFile):
            for g, group in enumerate(model.groups):
                yield group.id, source, f"/groups/{g}/id"
                for c, criterion in enumerate(group.criteria):
                    yield criterion.id, source, f"/groups/{g}/criteria/{c}/id"
        elif isinstance(model, m.FiguresFile):
            for f, figure in enumerate(model.figures):
                yield figure.id, source, f"/figures/{f}/id"
        elif isinstance(model, m.ResourcesFile):
            for r, resource in enumerate(model.resources):
                yield resource.id, source, f"/resources/{r}/id"


def check_unique_ids(content: Content) -> Iterator[Diagnostic]:
    first: dict[str, tuple[SourceFile, str]] = {}
    for ident, source, pointer in _ids(content):
        if ident in first:
            other, other_pointer = first[ident]
            # Both places: the one read first may be the one just added, or the untouched original.
            yield source.diagnostic(
                "E301",
                pointer,
                f"id '{ident}' is used twice: here and at {other.place(other_pointer)}",
                "give one of them another id (ids must be unique across all files), "
                "and change whatever refers to it",
            )
        else:
            first[ident] = (source, pointer)


def _resource_ids(content: Content) -> list[str]:
    return [r.id for r in content.resources.resources]


def check_markup_and_references(content: Content) -> Iterator[Diagnostic]:
    """Markup parses; every cited resource exists; every resource is cited."""
    known = _resource_ids(content)
    known_set = set(known)
    cited: set[str] = set()
    markup_errors = 0
    resources_file = next(f for f in content.files if f.kind == "resources")
    for source in content.files:
        for pointer, text in marked_texts(source.model):
            try:
                nodes = inline.parse(text)
            except inline.MarkupError as error:
                markup_errors += 1
                yield source.diagnostic("E401", pointer, error.message, error.hint, offset=error.offset)
                continue
            suspicious = inline.looks_like_markup(text)
            if suspicious:
                yield source.diagnostic(
                    "W301",
                    pointer,
                    f"'{suspicious.group()[:40]}' looks like HTML or script",
                    "mdguide prints it as text, never as markup; remove it unless the guide says it",
                    offset=suspicious.start(),
                    severity=Severity.WARNING,
                )
            for ref in inline.references(nodes):
                if ref.resource in known_set:
                    cited.add(ref.resource)
                else:
                    yield source.diagnostic(
                        "E302",
                        pointer,
                        f"unknown resource '{ref.resource}'",
                        ids_hint(ref.resource, known, "resource", resources_file.display),
                        offset=ref.offset,
                    )
        if isinstance(source.model, m.SectionFile):
            for at, block in iter_blocks(source.model):
                if isinstance(block, m.ExtractionGap):
                    for i, ident in enumerate(block.cites):
                        if ident in known_set:
                            cited.add(ident)
                        else:
                            yield source.diagnostic(
                                "E302",
                                f"{at}/cites/{i}",
                                f"unknown resource '{ident}'",
                                ids_hint(ident, known, "resource", resources_file.display),
                            )
    if markup_errors:
        return  # citations inside unparsable text are unknown: report the markup first
    for r, resource in enumerate(content.resources.resources):
        if resource.id not in cited:
            yield resources_file.diagnostic(
                "E304",
                f"/resources/{r}",
                f"resource '{resource.id}' is never cited",
                f"cite it in a text with [^{resource.id}], or delete it if the guide no longer uses it",
            )


def check_figures(content: Content) -> Iterator[Diagnostic]:
    figures_file = next(f for f in content.files if f.kind == "figures")
    known = [f.id for f in content.figures.figures]
    placed: set[str] = set()
    for source in content.files:
        if isinstance(source.model, m.SectionFile):
            for at, block in iter_blocks(source.model):
                if isinstance(block, m.FigureRef):
                    if block.figure in known:
                        placed.add(block.figure)
                    else:
                        yield source.diagnostic(
                            "E303",
                            f"{at}/figure",
                            f"unknown figure '{block.figure}'",
                            ids_hint(block.figure, known, "figure", figures_file.display),
                        )
    for f, figure in enumerate(content.figures.figures):
        if figure.id not in placed:
            yield figures_file.diagnostic(
                "E305",
                f"/figures/{f}",
                f"figure '{figure.id}' is never placed",
                f'place it in a section with {{"type": "figure", "figure": "{figure.id}"}}',
            )
        if figure.image is not None:
            reason = unsafe_path(content.root, figure.image)
            if reason:
                yield figures_file.diagnostic(
                    "E107",
                    f"/figures/{f}/image",
                    reason,
                    "keep figure images inside content/, e.g. figures/figure-1.png",
                )
            elif not (content.root / figure.image).is_file():
                yield figures_file.diagnostic(
                    "E106",
                    f"/figures/{f}/image",
                    f"image '{figure.image}' not found",
                    'check the file name, or set "image": null',
                )


def check_person_specification_placed(content: Content) -> Iterator[Diagnostic]:
    places = [
        (source, at)
        for source in content.files
        if isinstance(source.model, m.SectionFile)
        for at, block in iter_blocks(source.model)
        if isinstance(block, m.PersonSpecificationRef)
    ]
    if len(places) > 1:
        for source, at in places[1:]:
            yield source.diagnostic(
                "E306",
                at,
                "the person specification is placed more than once",
                'keep one {"type": "person-specification"} block',
            )
    elif not places:
        guide = next(f for f in content.files if f.kind == "guide")
        yield guide.diagnostic(
            "E306",
            "/sections",
            "no section places the person specification",
            'add {"type": "person-specification"} to a section\'s blocks',
        )


def _edition_marks(node: object, at: str) -> Iterator[tuple[str, str]]:
    """(pointer, version) of every ``since`` and ``revised`` mark in a file, at any depth."""
    if isinstance(node, m.Model):
        for name in type(node).model_fields:
            value = getattr(node, name)
            if name in ("since", "revised") and isinstance(value, str):
                yield f"{at}/{name}", value
            elif isinstance(value, (m.Model, list)):
                yield from _edition_marks(value, f"{at}/{name}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _edition_marks(item, f"{at}/{i}")


def check_edition_marks(content: Content) -> Iterator[Diagnostic]:
    """A "since" or "revised" mark names an edition that guide.json lists."""
    guide = content.guide
    known = [guide.edition.version, *(e.version for e in guide.history)]
    for source in content.files:
        for pointer, version in _edition_marks(source.model, ""):
            if version not in known:
                yield source.diagnostic(
                    "E308",
                    pointer,
                    f"edition {version} is not an edition of the guide (content/guide.json lists "
                    + ", ".join(known)
                    + ")",
                    f'record edition {version} as "edition" in content/guide.json first '
                    "(see docs/editing.md), or name an edition it lists",
                )


CHECKS = [
    check_unique_ids,
    check_edition_marks,
    check_markup_and_references,
    check_figures,
    check_person_specification_placed,
    check_roles,
]


def check(content: Content) -> list[Diagnostic]:
    return [d for run in CHECKS for d in run(content)]
