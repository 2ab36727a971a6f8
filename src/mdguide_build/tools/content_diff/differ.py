"""The per-file comparers: guide.json, the foreword, the person specification, figures,
resources, the back matter and any other file; the sections are ``sections.SectionAligner``'s."""

from __future__ import annotations

import dataclasses

from mdguide_build.guide import models as m
from mdguide_build.guide.content import Content
from mdguide_build.guide.labels import edition_label, human_date
from mdguide_build.tools.content_diff.changes import (
    SEP,
    Change,
    DiffResult,
    Side,
)
from mdguide_build.tools.content_diff.recorder import by_id, person_text, with_mark
from mdguide_build.tools.content_diff.sections import SectionAligner
from mdguide_build.tools.content_diff.wording import name_of
from mdguide_build.tools.content_diff.words import reordered


class _Differ(SectionAligner):
    # -- the whole guide ----------------------------------------------------------------

    def run(self) -> list[Change]:
        self.guide()
        self.foreword()
        self.sections()
        self.person_specification()
        self.figures()
        self.resources()
        self.back_matter()
        self.other_files()
        return sorted(self.changes, key=lambda c: c.order)

    def guide(self) -> None:
        o, n = self.old.guide, self.new.guide
        part = "Edition and publication details"
        for name in ("title", "subtitle"):
            self.text_field(name, "Guide", name, part, getattr(o, name), getattr(n, name))
        for name, label in (
            ("slug", "file name (slug)"),
            ("identifier", "identifier"),
            ("published", "first publication date"),
            ("language", "language"),
        ):
            self.text_field(name, "Guide", label, part, getattr(o, name), getattr(n, name), prose=False)
        if o.publishers != n.publishers:
            self.add(
                "publishers",
                "changed",
                "Guide",
                "publishers changed",
                part,
                old=" and ".join(o.publishers),
                new=" and ".join(n.publishers),
            )
        if o.edition.version != n.edition.version:
            # A new edition: one change, its note in full. The old edition moving into the
            # history is what recording an edition means, so it is not a change of its own.
            self.add(
                "edition",
                "added",
                f"Edition {n.edition.version}, {human_date(n.edition.date)}",
                "new edition, with this change note",
                part,
                new=n.edition.note,
            )
        else:
            self.edition("Edition", part, o.edition, n.edition)
        old_history = {e.version: e for e in [o.edition, *o.history]}
        new_history = {e.version: e for e in [n.edition, *n.history]}
        for version, edition, before in by_id(old_history, new_history):
            if version in (o.edition.version, n.edition.version):
                if edition is not None and before is not None and version != n.edition.version:
                    self.edition(f"Edition history › {version}", part, before, edition)
                continue
            if before is None:
                self.add(
                    "history",
                    "added",
                    "Edition history",
                    f"edition {version} added",
                    part,
                    new=_edition_text(edition),
                )
            elif edition is None:
                self.add(
                    "history",
                    "removed",
                    "Edition history",
                    f"edition {version} removed",
                    part,
                    old=_edition_text(before),
                )
            else:
                self.edition(f"Edition history › {version}", part, before, edition)
        self.text_field(
            "review",
            "Guide",
            "review dates",
            part,
            _review_text(o.reviewed),
            _review_text(n.reviewed),
            prose=False,
        )
        self.text_field(
            "published address",
            "Guide",
            "published address",
            part,
            o.published_url,
            n.published_url,
            prose=False,
        )
        self.text_field(
            "accessibility",
            "Accessibility",
            "summary",
            part,
            o.accessibility.summary,
            n.accessibility.summary,
        )
        for name in ("access_modes", "access_mode_sufficient", "features", "hazards"):
            a, b = getattr(o.accessibility, name), getattr(n.accessibility, name)
            if a != b:
                self.add(
                    "accessibility",
                    "changed",
                    "Accessibility",
                    f"{name.replace('_', ' ')} changed",
                    part,
                    old=", ".join(a),
                    new=", ".join(b),
                )
        for name in ("other_formats", "living_document"):
            self.text_field(
                "statement",
                "Statements",
                f"statement '{name.replace('_', ' ')}'",
                part,
                getattr(o.statements, name),
                getattr(n.statements, name),
            )
        self.rest(
            "Guide",
            part,
            o,
            n,
            {
                "schema_",
                "title",
                "subtitle",
                "slug",
                "identifier",
                "published",
                "published_url",
                "language",
                "publishers",
                "edition",
                "history",
                "reviewed",
                "accessibility",
                "statements",
                "sections",
            },
        )

    def edition(self, place: str, part: str, o: m.Edition, n: m.Edition) -> None:
        self.text_field("edition", place, "date", part, human_date(o.date), human_date(n.date), prose=False)
        self.text_field("edition", place, "change note", part, o.note, n.note)
        self.text_list("edition", place, "removed text", part, o.removed, n.removed)

    def foreword(self) -> None:
        o, n = self.old.foreword, self.new.foreword
        place = part = "Foreword"
        self.text_field("title", place, "title", part, o.title, n.title)
        self.text_list("paragraph", place, "paragraph", part, o.paragraphs, n.paragraphs)
        old_people = {p.name: p for p in o.signatories}
        new_people = {p.name: p for p in n.signatories}
        for name, person, before in by_id(old_people, new_people):
            if before is None:
                self.add(
                    "signatory", "added", place, f"signatory {name} added", part, new=person_text(person)
                )
            elif person is None:
                self.add(
                    "signatory", "removed", place, f"signatory {name} removed", part, old=person_text(before)
                )
            elif before != person:
                self.add(
                    "signatory",
                    "changed",
                    place,
                    f"signatory {name} changed",
                    part,
                    old=person_text(before),
                    new=person_text(person),
                )

    # -- the other files ----------------------------------------------------------------

    def person_specification(self) -> None:
        part = top = "Person specification"
        old_groups = {g.id: g for g in self.old.person_specification.groups}
        new_groups = {g.id: g for g in self.new.person_specification.groups}
        old_criteria = {c.id: (g, c) for g in old_groups.values() for c in g.criteria}
        new_criteria = {c.id: (g, c) for g in new_groups.values() for c in g.criteria}
        moved_groups = reordered(list(old_groups), list(new_groups))
        for _gid, group, before in by_id(old_groups, new_groups):
            if group is None:
                place = f"{top}{SEP}{before.title}"
                self.add("criteria group", "removed", place, "group removed", part, old=before.title)
                continue
            place = f"{top}{SEP}{group.title}"
            if before is None:
                self.add("criteria group", "added", place, "group added", part, new=group.title)
            else:
                if group.id in moved_groups:
                    self.add("criteria group", "moved", place, "group moved", part)
                if before.title != group.title:
                    self.add(
                        "criteria group",
                        "renamed",
                        place,
                        "group renamed",
                        part,
                        old=before.title,
                        new=group.title,
                        words=True,
                    )
                self.text_field("criteria group", place, "opening line", part, before.lead, group.lead)
                self.rest(place, part, before, group, {"id", "title", "lead", "criteria"})
            kept_here = [c.id for c in before.criteria] if before else []
            moved_within = reordered(kept_here, [c.id for c in group.criteria])
            for index, criterion in enumerate(group.criteria, start=1):
                found = old_criteria.get(criterion.id)
                if found is None:
                    self.add(
                        "criterion",
                        "added",
                        place,
                        with_mark("criterion added", criterion),
                        part,
                        new=criterion.text,
                    )
                    continue
                old_group, old_criterion = found
                start = len(self.changes)
                if old_group.id != group.id:
                    self.add(
                        "criterion",
                        "moved",
                        place,
                        f"criterion {index} moved from {old_group.title}",
                        part,
                        new=criterion.text,
                    )
                elif criterion.id in moved_within:
                    self.add(
                        "criterion", "moved", place, f"criterion {index} moved", part, new=criterion.text
                    )
                if old_criterion.text != criterion.text:
                    self.add(
                        "criterion",
                        "reworded",
                        place,
                        f"criterion {index} reworded",
                        part,
                        old=old_criterion.text,
                        new=criterion.text,
                        words=True,
                    )
                self.text_list(
                    "prompting question",
                    f"{place}{SEP}criterion {index}",
                    "prompting question",
                    part,
                    old_criterion.questions,
                    criterion.questions,
                )
                self.rest(
                    f"{place}{SEP}criterion {index}",
                    part,
                    old_criterion,
                    criterion,
                    {"id", "text", "questions"},
                    start,
                )
        for _cid, now, was in by_id(old_criteria, new_criteria):
            if now is None:
                group, criterion = was
                self.add(
                    "criterion",
                    "removed",
                    f"{top}{SEP}{group.title}",
                    "criterion removed",
                    part,
                    old=criterion.text,
                )

    def figures(self) -> None:
        part = "Figures"
        old = {f.id: f for f in self.old.figures.figures}
        new = {f.id: f for f in self.new.figures.figures}
        for fid, figure, before in by_id(old, new):
            if figure is None:
                self.add(
                    "figure",
                    "removed",
                    "Figures",
                    f"figure “{before.caption}” removed",
                    part,
                    old=before.caption,
                )
                continue
            place = self.figure_label(fid)
            if before is None:
                self.add(
                    "figure",
                    "added",
                    "Figures",
                    with_mark(f"figure “{figure.caption}” added", figure),
                    part,
                    new=figure.caption,
                )
                continue
            self.text_field("figure", place, "caption", part, before.caption, figure.caption)
            d0, d1 = before.description, figure.description
            if d0.basis != d1.basis:
                self.add(
                    "figure",
                    "changed",
                    place,
                    "description's basis changed",
                    part,
                    old=d0.basis,
                    new=d1.basis,
                )
            self.text_field("figure", place, "description", part, d0.lead, d1.lead)
            self.text_list("figure", place, "description item", part, d0.items, d1.items)
            self.text_field("figure", place, "image", part, before.image, figure.image, prose=False)
            self.text_field("figure", place, "note on the image", part, before.image_note, figure.image_note)
            self.rest(place, part, before, figure, {"id", "caption", "description", "image", "image_note"})

    def resources(self) -> None:
        """Resources by the name a reader knows them by; link-check bookkeeping only where it tells a reader something."""
        part = "Resources"
        old = {r.id: r for r in self.old.resources.resources}
        new = {r.id: r for r in self.new.resources.resources}
        for _rid, resource, before in by_id(old, new):
            if before is None:
                what = with_mark(f"new resource “{name_of(resource)}”", resource)
                self.add("resource", "added", "Resources", what, part, new=resource.url)
                continue
            if resource is None:
                self.add(
                    "resource",
                    "removed",
                    "Resources",
                    f"resource “{name_of(before)}” removed",
                    part,
                    old=before.url,
                )
                continue
            place = f"Resource “{name_of(resource)}”"
            self.text_field("resource", place, "printed address", part, before.url, resource.url, prose=False)
            if before.link_texts != resource.link_texts:
                self.add(
                    "resource",
                    "changed",
                    place,
                    "link text changed",
                    part,
                    old=" | ".join(before.link_texts) or "(none)",
                    new=" | ".join(resource.link_texts) or "(none)",
                )
            if before.current_url != resource.current_url:
                if resource.current_url is None:
                    self.add(
                        "resource",
                        "changed",
                        place,
                        "no longer marked as moved",
                        part,
                        old=before.current_url,
                    )
                else:
                    self.add(
                        "resource",
                        "moved",
                        place,
                        "has moved (the notes give both addresses)",
                        part,
                        old=resource.url,
                        new=resource.current_url,
                    )
            dead = resource.status == "dead" and resource.archived_url
            if dead and (before.status != "dead" or before.archived_url != resource.archived_url):
                self.add(
                    "resource",
                    "changed",
                    place,
                    "no longer works; the notes offer an archived copy",
                    part,
                    new=resource.archived_url,
                )
            elif resource.archived_url != before.archived_url and not dead:
                self.text_field(
                    "resource",
                    place,
                    "archived copy",
                    part,
                    before.archived_url,
                    resource.archived_url,
                    prose=False,
                )
            if before.footnote_2017 != resource.footnote_2017:
                self.text_field(
                    "resource",
                    place,
                    "2017 note number",
                    part,
                    str(before.footnote_2017),
                    str(resource.footnote_2017),
                    prose=False,
                )
            # What check-links records (status, date checked) is bookkeeping: shown only through the above.
            self.rest(
                place,
                part,
                before,
                resource,
                {
                    "id",
                    "url",
                    "link_texts",
                    "footnote_2017",
                    "status",
                    "checked",
                    "archived_url",
                    "current_url",
                    "since",
                },
            )

    def back_matter(self) -> None:
        o, n = self.old.back_matter, self.new.back_matter
        place = part = n.contact_heading.rstrip(":")
        self.text_field("contact", place, "heading", part, o.contact_heading, n.contact_heading)
        old_contacts = {c.organisation: c for c in o.contacts}
        new_contacts = {c.organisation: c for c in n.contacts}
        for name, contact, before in by_id(old_contacts, new_contacts):
            if contact is None:
                self.add(
                    "contact", "removed", place, f"contact {name} removed", part, old=_contact_text(before)
                )
                continue
            if before is None:
                self.add("contact", "added", place, f"contact {name} added", part, new=_contact_text(contact))
                continue
            for field_name in ("address", "phone", "email", "website"):
                a, b = getattr(before, field_name), getattr(contact, field_name)
                if a != b:
                    self.add(
                        "contact",
                        "changed",
                        f"{place}{SEP}{name}",
                        f"{field_name} changed",
                        part,
                        old=", ".join(a) if isinstance(a, list) else a,
                        new=", ".join(b) if isinstance(b, list) else b,
                    )
        self.text_list("paragraph", place, "paragraph", part, o.about, n.about)
        self.text_field("paragraph", place, "social media line", part, o.social, n.social)

    def other_files(self) -> None:
        """Files this module has no words for yet (e.g. roles.json): compared field by field."""
        for item in dataclasses.fields(self.new):
            if item.name in KNOWN_FILES:
                continue
            old, new = getattr(self.old, item.name, None), getattr(self.new, item.name, None)
            if isinstance(old, m.ContentFile) or isinstance(new, m.ContentFile):
                label = item.name.replace("_", " ").capitalize()
                self.generic(label, label, _dump(old), _dump(new))


KNOWN_FILES = {
    "root",
    "files",
    "guide",
    "foreword",
    "sections",
    "person_specification",
    "figures",
    "resources",
    "back_matter",
}


def _dump(model: m.ContentFile | None) -> dict:
    return {} if model is None else model.model_dump(mode="json", exclude={"schema_"})


def _edition_text(edition: m.Edition) -> str:
    text = edition_label(edition)
    return f"{text}: {edition.note}" if edition.note else text


def _review_text(review: m.Review | None) -> str | None:
    if review is None:
        return None
    return f"last {human_date(review.last)}, next {human_date(review.next)}"


def _contact_text(contact: m.Contact) -> str:
    return ", ".join([contact.organisation, *contact.address, contact.phone, contact.email, contact.website])


def diff_content(old: Content, new: Content, old_label: str = "OLD", new_label: str = "NEW") -> DiffResult:
    """Every change from ``old`` to ``new``, in reading order."""
    differ = _Differ(old, new)
    changes = differ.run()
    sides = Side(old_label, old.guide.edition.version), Side(new_label, new.guide.edition.version)
    return DiffResult(*sides, changes, differ.names)
