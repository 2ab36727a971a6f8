"""The content model: one pydantic model per kind of file in ``content/``.

These models are the single source of truth for the content's shape: the JSON
Schemas in ``schema/`` are generated from them (``mdguide schema``), and a test
fails when the two drift apart.  The models hold no I/O; ``loader`` reads files.

Text fields marked ``Text`` use mdguide's small inline markup (see ``inline``):
``*emphasis*``, ``**bold**``, ``[link text][resource-id]`` and ``[^resource-id]``
for a resource's footnote.  Nothing else is markup: ``<`` and ``&`` are text.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

# One pattern for every id, so ids read alike in every file and are safe as
# HTML ids, file names and EPUB fragment identifiers.
ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# One line of text: no control characters (tabs and newlines included), because
# a paragraph is a paragraph and layout is the builders' job.
LINE_PATTERN = r"^[^\u0000-\u001f\u007f]*$"
# Written without a raw string: JSON Schema regexes are ECMA-262 with the 'u'
# flag, which refuses needless escapes such as \".
URL_PATTERN = "^https?://[^\\s<>\"'\\\\`]+$"
EMAIL_PATTERN = r"^[^\s@<>]+@[^\s@<>]+\.[a-z]{2,}$"
# A relative path inside content/: segments of safe characters that never start
# with a dot, so no '..', no hidden files, no leading '/', no backslash.
PATH_PATTERN = r"^[A-Za-z0-9_-][A-Za-z0-9._-]*(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$"
DATE_PATTERN = r"^[0-9]{4}-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]))?$"
VERSION_PATTERN = r"^[0-9]+(?:\.[0-9]+){0,2}$"

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, min_length=1, max_length=80)]
Text = Annotated[str, StringConstraints(pattern=LINE_PATTERN, min_length=1, max_length=4000)]
Line = Annotated[str, StringConstraints(pattern=LINE_PATTERN, min_length=1, max_length=300)]
Url = Annotated[str, StringConstraints(pattern=URL_PATTERN, min_length=10, max_length=500)]
RelPath = Annotated[str, StringConstraints(pattern=PATH_PATTERN, min_length=1, max_length=200)]
Date = Annotated[str, StringConstraints(pattern=DATE_PATTERN)]
Version = Annotated[str, StringConstraints(pattern=VERSION_PATTERN)]


class Model(BaseModel):
    """Base for every content model: unknown keys are errors, values immutable."""

    # strict: JSON types only, no coercion ("1" is not 1), exactly as the JSON Schema says.
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, strict=True, defer_build=True
    )


class ContentFile(Model):
    """A whole file: it names its schema so editors get completion and inline errors."""

    schema_: Annotated[str, StringConstraints(max_length=200)] = Field(
        alias="$schema",
        description="Relative path to this file's JSON Schema, e.g. '../schema/section.schema.json'.",
    )


# --- Publication metadata (guide.json) -------------------------------------------------


class Edition(Model):
    version: Version
    date: Date
    note: Text | None = Field(
        default=None, description="A short public change note for this edition (editorial)."
    )
    removed: list[Text] = Field(
        default_factory=list,
        max_length=200,
        description=(
            "Words of an earlier edition that this edition takes out, each exactly as it was "
            "(a paragraph, a list item, a quote, a title): the record that keeps them."
        ),
    )


class EditionMarks(Model):
    """Which edition brought a part of the guide: the 2017 text has no marks.

    The fidelity test holds content/ to edition 1.0 (editions/1.0/), and lets it
    differ only in parts marked here; the outputs show "New in 1.1".
    """

    since: Version | None = Field(
        default=None, description="The edition that added it, e.g. '1.1' (one listed in guide.json)."
    )
    revised: Version | None = Field(
        default=None,
        description="The edition that last changed its words, e.g. '1.1' (one listed in guide.json).",
    )


class Review(Model):
    """When the guide was last reviewed, and when it is due again (editorial)."""

    last: Date = Field(description="Date of the last review, e.g. '2025-03'.")
    next: Date = Field(description="Date the next review is due; not before 'last'.")

    @model_validator(mode="after")
    def _next_after_last(self) -> Review:
        if self.next < self.last:
            raise ValueError(f"the next review ({self.next}) is before the last one ({self.last})")
        return self


class Accessibility(Model):
    """EPUB Accessibility 1.1 / schema.org accessibility metadata for the publication."""

    summary: Text
    access_modes: list[Literal["textual", "visual"]] = Field(min_length=1)
    access_mode_sufficient: list[Literal["textual", "visual"]] = Field(min_length=1)
    features: list[Line] = Field(min_length=1, max_length=30)
    hazards: list[Literal["none", "noFlashingHazard", "noMotionSimulationHazard", "noSoundHazard"]] = Field(
        min_length=1
    )


class Statements(Model):
    """The two promises the guide makes, quoted verbatim from it."""

    other_formats: Text
    living_document: Text


class GuideFile(ContentFile):
    """``content/guide.json``: publication metadata and the order of the sections."""

    identifier: Annotated[
        str,
        StringConstraints(pattern=r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
    ] = Field(description="Stable identifier of the publication; never change it between editions.")
    slug: Id = Field(description="Base name of the output files, e.g. outputs/<slug>.html.")
    title: Line
    subtitle: Line
    publishers: list[Line] = Field(min_length=1, max_length=5)
    published: Date = Field(description="Publication date of the first edition, e.g. '2017-06'.")
    published_url: Url | None = Field(
        default=None,
        description=(
            "The address where the publisher puts the guide's HTML page (outputs/<slug>.html), with the "
            "other outputs beside it. Leave it out until the publisher knows it: never a guess. With it, "
            "a handout's 'Read more' items link to the guide's sections and its foot gives the address; "
            "without it, they name the sections and the foot says to ask the publishers (W322)."
        ),
    )
    language: Literal["en-GB"]
    edition: Edition
    history: list[Edition] = Field(
        default_factory=list, max_length=200, description="Earlier editions, newest first."
    )
    reviewed: Review | None = Field(
        default=None, description="Last and next review dates, if the guide is reviewed."
    )
    accessibility: Accessibility
    statements: Statements
    sections: list[RelPath] = Field(
        min_length=1, max_length=1000, description="Section files in reading order, relative to content/."
    )


# --- Foreword (foreword.json) ------------------------------------------------------------


class Person(Model):
    name: Line
    title: Line
    organisation: Line


class ForewordFile(ContentFile):
    title: Line
    paragraphs: list[Text] = Field(min_length=1, max_length=50)
    signatories: list[Person] = Field(min_length=1, max_length=5)


# --- Sections (sections/*.json) ----------------------------------------------------------


# --- Handout tags (content/roles.json defines the roles and themes) --------------------


class HandoutTag(Model):
    """Which readers' "what to do next" handouts include this item."""

    roles: list[Id] = Field(
        default_factory=list,
        max_length=30,
        description="Ids of the roles (content/roles.json) whose handouts include this item.",
    )
    general: bool = Field(
        default=False,
        description="True: deliberately for no one role; the item stays in the guide and goes into no handout.",
    )


class PassageTag(HandoutTag):
    """A paragraph or list that handouts quote: a reflection question or a development action."""

    kind: Literal["reflection", "action"] | None = Field(
        default=None,
        description="'reflection': self-reflection questions; 'action': a development opportunity or course.",
    )
    theme: Id | None = Field(
        default=None,
        description="Development actions: the theme (content/roles.json) they are grouped under.",
    )


class Paragraph(EditionMarks):
    type: Literal["paragraph"]
    text: Text
    handout: PassageTag | None = None


class BulletList(EditionMarks):
    type: Literal["list"]
    items: list[Text] = Field(min_length=1, max_length=50)
    handout: PassageTag | None = None


class Attribution(Model):
    role: Line = Field(description="e.g. 'Medical director'.")
    place: Line | None = Field(
        default=None, description="Region, e.g. 'West Midlands', where the guide gives one."
    )
    organisation: Line | None = Field(default=None, description="e.g. 'healthcare charity', where given.")


class Quote(Model):
    text: Text
    bold: bool = Field(description="Whether the 2017 guide sets this quote in bold.")


class PullQuote(EditionMarks):
    """One or more quotes sharing one attribution line, as the guide prints them."""

    type: Literal["pull-quote"]
    id: Id
    quotes: list[Quote] = Field(min_length=1, max_length=5)
    attribution: Attribution
    handout: HandoutTag | None = None


class CaseStudy(EditionMarks):
    type: Literal["case-study"]
    id: Id
    person: Person
    paragraphs: list[Text] = Field(min_length=1, max_length=30)


class FigureRef(Model):
    type: Literal["figure"]
    figure: Id


class PersonSpecificationRef(Model):
    """Places the person specification (person-specification.json) here."""

    type: Literal["person-specification"]


class EditorialNote(EditionMarks):
    """Text that is not the guide's own: always shown marked as editorial."""

    type: Literal["editorial-note"]
    text: Text


class ExtractionGap(Model):
    """Where text of the 2017 PDF did not survive extraction.

    The note says so (editorially); ``cites`` keeps the resources the lost text
    cited, so their footnotes are not lost with it.
    """

    type: Literal["extraction-gap"]
    note: Text
    cites: list[Id] = Field(default_factory=list, max_length=20)


Block = Annotated[
    Paragraph
    | BulletList
    | PullQuote
    | CaseStudy
    | FigureRef
    | PersonSpecificationRef
    | EditorialNote
    | ExtractionGap,
    Field(discriminator="type"),
]


class Subsection(EditionMarks):
    id: Id
    title: Line
    blocks: list[Block] = Field(default_factory=list, max_length=200)
    subsections: list[Subsection] = Field(default_factory=list, max_length=50)


class SectionFile(ContentFile, EditionMarks):
    """One top-level section. Numbered sections are numbered by their order in guide.json."""

    id: Id
    title: Line
    numbered: bool
    blocks: list[Block] = Field(default_factory=list, max_length=200)
    subsections: list[Subsection] = Field(default_factory=list, max_length=50)


# --- Person specification (person-specification.json) -----------------------------------


class Criterion(EditionMarks):
    id: Id
    text: Text
    questions: list[Text] = Field(default_factory=list, max_length=20, description="Prompting questions.")
    handout: HandoutTag | None = None


class CriteriaGroup(EditionMarks):
    id: Id
    title: Line
    lead: Text = Field(description="The group's opening line, e.g. 'Applicants must have experience of:'.")
    criteria: list[Criterion] = Field(min_length=1, max_length=50)


class PersonSpecificationFile(ContentFile):
    groups: list[CriteriaGroup] = Field(min_length=1, max_length=10)


# --- Figures (figures.json) --------------------------------------------------------------


class FigureDescription(Model):
    """A text description of a figure. It is editorial: the guide prints none."""

    basis: Literal["guide-text", "reconstructed", "original"] = Field(
        description=(
            "'guide-text': lists what the guide's own text says the figure shows; "
            "'reconstructed': only partly supported by the text, replace it from the original; "
            "'original': taken from the original figure."
        )
    )
    lead: Text
    items: list[Text] = Field(default_factory=list, max_length=20)


class Figure(EditionMarks):
    id: Id
    caption: Line = Field(description="The caption without 'Figure N:' - numbers are computed.")
    description: FigureDescription
    image: RelPath | None = Field(default=None, description="Image file relative to content/, if one exists.")
    image_note: Text | None = Field(default=None, description="Editorial note on the missing graphic.")


class FiguresFile(ContentFile):
    figures: list[Figure] = Field(min_length=0, max_length=1000)


# --- Resources (resources.json) ----------------------------------------------------------


class Resource(Model):
    id: Id
    url: Url = Field(description="The address exactly as printed in the 2017 guide.")
    link_texts: list[Line] = Field(
        default_factory=list, max_length=5, description="The guide's linked phrases that point at it, if any."
    )
    footnote_2017: int | None = Field(
        default=None, ge=1, le=999, description="Its footnote number in the 2017 edition (outputs renumber)."
    )
    # What `mdguide check-links` established (editorial; the guide prints none of it).
    status: Literal["ok", "moved", "dead", "unknown"] | None = Field(
        default=None, description="Result of the last link check; absent if never checked."
    )
    checked: Date | None = Field(default=None, description="Date of the last link check.")
    archived_url: Url | None = Field(
        default=None,
        description="An archived copy (e.g. a web-archive snapshot), offered where the link is dead.",
    )
    current_url: Url | None = Field(
        default=None,
        description="Where the resource lives now, if it has moved; `url` keeps the address the guide printed.",
    )
    since: Version | None = Field(
        default=None,
        description="The edition that first cited it, e.g. '1.1'; absent for the 2017 resources.",
    )


class ResourcesFile(ContentFile):
    resources: list[Resource] = Field(min_length=0, max_length=5000)


# --- Back matter (back-matter.json) ------------------------------------------------------


class Contact(Model):
    organisation: Line
    address: list[Line] = Field(min_length=1, max_length=8)
    phone: Annotated[str, StringConstraints(pattern=r"^[0-9 +()]{6,20}$")]
    email: Annotated[str, StringConstraints(pattern=EMAIL_PATTERN, max_length=200)]
    website: Annotated[
        str, StringConstraints(pattern=r"^[a-z0-9.-]+\.[a-z]{2,}(?:/[^\s]*)?$", max_length=200)
    ] = Field(description="As printed, without scheme, e.g. 'fmlm.ac.uk'.")


class BackMatterFile(ContentFile):
    contact_heading: Line
    contacts: list[Contact] = Field(min_length=1, max_length=5)
    about: list[Text] = Field(default_factory=list, max_length=10)
    social: Text


# --- Reader roles and their handouts (roles.json) ---------------------------------------
# Everything here except the basis excerpts is editorial: the guide has no roles,
# themes or handouts of its own, so those words are marked as ours in the data.


class Basis(Model):
    """Where the guide itself speaks to a role's readers: a verbatim excerpt."""

    at: Id = Field(
        description="Id of the section, subsection, case study, pull quote or criterion it is from."
    )
    text: Text = Field(description="Words from that part of the guide, exactly as they appear there.")


class Role(Model):
    id: Id = Field(description="Also the handout's file name: outputs/handouts/<id>.html.")
    order: int = Field(ge=1, le=999, description="Position of this role's handout in the list of handouts.")
    editorial_name: Line = Field(
        description="Who the handout is for, e.g. 'Consultant or clinical lead' (editorial)."
    )
    editorial_description: Text = Field(description="One paragraph on who the handout is for (editorial).")
    editorial_checklist_intro: Text | None = Field(
        default=None,
        description="How this role uses the checklist, if not as the shared introduction says (editorial).",
    )
    basis: list[Basis] = Field(min_length=1, max_length=5, description="Why the guide speaks to this reader.")


class Theme(Model):
    id: Id
    editorial_name: Line = Field(description="The heading development actions are grouped under (editorial).")


class HandoutHeadings(Model):
    """Headings of a handout's parts (editorial)."""

    for_whom: Line
    quotes: Line
    reflection: Line
    actions: Line
    checklist: Line
    read_more: Line


class HandoutEditorial(Model):
    """The handouts' own words (editorial): titles, headings and notes."""

    series_title: Line = Field(description="Shown above each role's name, e.g. 'What to do next'.")
    notice: Text = Field(description="Says what in a handout is the guide's text and what is not.")
    headings: HandoutHeadings
    checklist_intro: Text = Field(description="How to use the self-assessment checklist.")
    index_title: Line
    index_intro: Text
    basis_label: Line = Field(description="Introduces a role's basis excerpts in the list of handouts.")


class HandoutSources(Model):
    """The parts of the guide whose passages every handout item must be tagged in.

    Each id is a section or subsection (with everything under it).  Every
    paragraph and list under ``action``, every paragraph asking a question
    under ``reflection``, every pull quote and every criterion must name the
    roles it serves or be marked general.
    """

    reflection: list[Id] = Field(default_factory=list, max_length=20)
    action: list[Id] = Field(default_factory=list, max_length=20)


class RolesFile(ContentFile):
    """``content/roles.json``: the readers the handouts serve, and the handouts' own words."""

    editorial: HandoutEditorial
    sources: HandoutSources = Field(default_factory=HandoutSources)
    themes: list[Theme] = Field(
        default_factory=list, max_length=50, description="In the order handouts group actions."
    )
    roles: list[Role] = Field(
        default_factory=list,
        max_length=50,
        description="With no roles there are no handouts, and nothing in the guide needs a handout tag.",
    )


# No model_rebuild() for Subsection's reference to itself: defer_build completes each model at its
# first validation, so a build that takes remembered content (validate.remembered) builds no validator.

# Which model validates which file; the loader and the schema generator share it.
FILE_MODELS: dict[str, type[ContentFile]] = {
    "guide": GuideFile,
    "foreword": ForewordFile,
    "section": SectionFile,
    "person-specification": PersonSpecificationFile,
    "figures": FiguresFile,
    "resources": ResourcesFile,
    "back-matter": BackMatterFile,
    "roles": RolesFile,
}
