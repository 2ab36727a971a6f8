"""`mdguide diff`: every kind of change, said in the guide's terms.

Each test edits a private copy of content/ the way an editor would, loads it
with the real loader (so every edit is valid content) and compares it with
the real content/.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

import edition_1_1
from conftest import edit_json
from mdguide_build.cli import main
from mdguide_build.tools.content_diff import align, diff_content, format_text, similarity, trimmed, word_diff
from mdguide_build.validate.loader import ContentError, dump_json, load_content

ROOT = Path(__file__).resolve().parent.parent
S3 = "sections/3-how-do-i-prepare.json"
RESILIENCE = "Section 3 › Courses and tools › Resilience"
USE_RESOURCES = "Section 3 › Use resources around you"


def node(tree: dict, ident: str) -> dict:
    """The section or subsection with this id, at any depth."""
    if tree.get("id") == ident:
        return tree
    for child in tree.get("subsections", []):
        found = node(child, ident)
        if found:
            return found
    return {}


def like(new: dict, neighbour: dict) -> dict:
    """``new`` with its neighbour's handout tags, if blocks carry them (the handouts require them)."""
    if "handout" in neighbour:
        new["handout"] = neighbour["handout"]
    return new


def paragraphs(tree: dict) -> list[dict]:
    return [b for b in tree["blocks"] if b["type"] == "paragraph"]


def block(tree: dict, ident: str) -> dict:
    return next(b for b in tree["blocks"] if b.get("id") == ident or b.get("figure") == ident)


@pytest.fixture
def changed(content, content_copy):
    """changed() → the diff from the real content to the edited copy."""

    def run():
        try:
            new, _ = load_content(content_copy, "copy")
        except ContentError as error:
            pytest.fail("the edited copy is invalid:\n" + "\n".join(d.format() for d in error.diagnostics))
        return diff_content(content, new, "content", "copy")

    return run


def headlines(result) -> list[str]:
    return [c.headline for c in result.changes]


# --- paragraphs -----------------------------------------------------------------------


def test_a_reworded_paragraph_shows_a_word_diff(content_copy, changed):
    def reword(d):
        p = paragraphs(node(d, "resilience"))[1]
        p["text"] = p["text"].replace("a balanced view", "an independent view")

    edit_json(content_copy / S3, reword)
    result = changed()
    assert headlines(result) == [f"{RESILIENCE}: paragraph 2 reworded"]
    change = result.changes[0]
    assert (change.thing, change.action) == ("paragraph", "reworded")
    assert ("-", "a balanced") in change.words and ("+", "an independent") in change.words
    text = format_text(result).splitlines()
    assert text == [
        "1 change since edition 1.0 (content), in copy: 1 reworded.",
        "Removed words are shown [-like this-], added words {+like this+}.",
        "",
        "Section 3: How do I prepare?",
        f"  {RESILIENCE}: paragraph 2 reworded",
        "      … patient. You will provide your executive colleagues with [-a balanced-] {+an independent+} "
        "view through your clinical experience. However, this change …",
    ]


def test_an_inserted_paragraph_is_added_not_everything_after_it_reworded(content_copy, changed):
    def insert(d):
        blocks = node(d, "use-resources-around-you")["blocks"]
        blocks.insert(
            2,
            like(
                {
                    "type": "paragraph",
                    "text": "Ask your trust's board secretary which committees welcome observers.",
                },
                blocks[1],
            ),
        )

    edit_json(content_copy / S3, insert)
    result = changed()
    assert headlines(result) == [f"{USE_RESOURCES}: paragraph 2 added"]
    assert result.changes[0].new == "Ask your trust's board secretary which committees welcome observers."


def test_a_removed_paragraph(content_copy, changed):
    edit_json(content_copy / S3, lambda d: node(d, "use-resources-around-you")["blocks"].pop(3))
    assert headlines(changed()) == [f"{USE_RESOURCES}: paragraph 3 removed"]


def test_a_paragraph_moved_within_its_subsection(content_copy, changed):
    def move(d):
        blocks = node(d, "use-resources-around-you")["blocks"]
        blocks.insert(1, blocks.pop(4))  # paragraph 4 to the top

    edit_json(content_copy / S3, move)
    assert headlines(changed()) == [f"{USE_RESOURCES}: paragraph 1 moved (was paragraph 4)"]


def test_a_paragraph_moved_to_another_subsection(content_copy, changed):
    def move(d):
        first = node(d, "resilience")["blocks"].pop(1)
        node(d, "values-and-motivators")["blocks"].append(first)

    edit_json(content_copy / S3, move)
    assert headlines(changed()) == [
        "Section 3 › Courses and tools › Values and motivators: "
        f"paragraph 3 moved (from {RESILIENCE}, paragraph 1)"
    ]


def test_a_paragraph_moved_and_reworded(content_copy, changed):
    def move(d):
        first = node(d, "resilience")["blocks"].pop(1)
        first["text"] = first["text"].replace("grow and develop", "grow")
        node(d, "values-and-motivators")["blocks"].append(first)

    edit_json(content_copy / S3, move)
    assert headlines(changed()) == [
        "Section 3 › Courses and tools › Values and motivators: "
        f"paragraph 3 moved (from {RESILIENCE}, paragraph 1)",
        "Section 3 › Courses and tools › Values and motivators: paragraph 3 reworded",
    ]


# --- quotes and case studies ------------------------------------------------------------


def test_quote_text_attribution_and_bold(content_copy, changed):
    def quotes(d):
        mistakes = block(node(d, "use-resources-around-you"), "quote-okay-to-make-mistakes")
        mistakes["quotes"][0]["text"] = mistakes["quotes"][0]["text"].replace("safety net", "net")
        mistakes["quotes"][0]["bold"] = False
        home = block(node(d, "use-resources-around-you"), "quote-learning-starts-at-home")
        home["attribution"]["place"] = "north London"

    edit_json(content_copy / S3, quotes)
    result = changed()
    assert headlines(result) == [
        "Quote “The NHS is rich in experience…”: attribution changed",
        "Quote “It's okay to make mistakes and…”: quote reworded",
        "Quote “It's okay to make mistakes and…”: quote no longer set in bold",
    ]
    assert (result.changes[0].old, result.changes[0].new) == (
        "Medical director, London",
        "Medical director, north London",
    )
    assert (
        "  Quote “The NHS is rich in experience…”: attribution changed "
        "(Medical director, London → Medical director, north London)" in format_text(result).splitlines()
    )


def test_quotes_added_removed_and_moved(content_copy, changed):
    def quotes(d):
        use = node(d, "use-resources-around-you")["blocks"]
        moved = use.pop(5)  # quote-okay-to-make-mistakes
        node(d, "resilience")["blocks"].insert(0, moved)
        removed = node(d, "taught-programmes")["blocks"].pop(0)
        assert removed["id"] == "quote-nye-bevan-programme"
        use.append(
            like(
                {
                    "type": "pull-quote",
                    "id": "quote-ask-for-feedback",
                    "quotes": [{"text": "Ask for feedback early and often", "bold": True}],
                    "attribution": {"role": "Medical director", "place": "North West"},
                },
                use[0],
            )
        )

    edit_json(content_copy / S3, quotes)
    result = changed()
    assert headlines(result) == [
        f"{USE_RESOURCES}: quote “Ask for feedback early and often” added",
        f"{RESILIENCE}: quote “It's okay to make mistakes and…” moved (from {USE_RESOURCES})",
        "Section 3 › Courses and tools › Taught programmes: quote “The Nye Bevan programme has been…” removed",
    ]
    # The words of what was added and removed, not only its name.
    assert result.changes[0].new == "“Ask for feedback early and often”\n— Medical director, North West"
    assert result.changes[2].old.startswith("“The Nye Bevan programme has been")


def test_a_quote_moved_within_its_subsection(content_copy, changed):
    def move(d):
        blocks = node(d, "use-resources-around-you")["blocks"]
        blocks.append(blocks.pop(5))

    edit_json(content_copy / S3, move)
    assert headlines(changed()) == [
        f"{USE_RESOURCES}: quote “It's okay to make mistakes and…” moved (now after paragraph 6)"
    ]


def test_case_study_person_and_paragraphs(content_copy, changed):
    def case(d):
        study = block(node(d, "the-person-specification"), "case-study-karen-slade")
        study["person"]["title"] = "Chief Medical Officer"
        study["paragraphs"][1] = study["paragraphs"][1].replace("healthcare quality", "the quality of care")
        study["paragraphs"].append("Since then I have mentored two aspiring medical directors.")

    edit_json(content_copy / "sections/2-skills-and-experience.json", case)
    result = changed()
    assert headlines(result) == [
        "Case study of Dr Karen Slade: person's title changed",
        "Case study of Dr Karen Slade: paragraph 2 reworded",
        "Case study of Dr Karen Slade: paragraph added",
    ]
    assert result.changes[0].old == "Medical Director" and result.changes[0].new == "Chief Medical Officer"


# --- lists and notes ------------------------------------------------------------------


def test_list_items_reworded_and_added(content_copy, changed):
    def items(d):
        listed = next(b for b in node(d, "taught-programmes")["blocks"] if b["type"] == "list")
        listed["items"][1] = listed["items"][1].replace("GenerationQ", "GenerationQ fellowship")
        listed["items"].append("your own trust's leadership programme")

    edit_json(content_copy / S3, items)
    assert headlines(changed()) == [
        "Section 3 › Courses and tools › Taught programmes: list 1, item 2 reworded",
        "Section 3 › Courses and tools › Taught programmes: list 1, item added",
    ]


def test_editorial_and_extraction_gap_notes(content_copy, changed):
    def notes(d):
        quality = node(d, "quality-improvement")
        gap = quality["blocks"][-1]
        gap["note"] = gap["note"].replace("did not survive", "was lost in")
        quality["blocks"].insert(
            1, {"type": "editorial-note", "text": "The guides cited here were updated in 2024."}
        )

    edit_json(content_copy / S3, notes)
    place = "Section 3 › Development opportunities › Quality improvement"
    assert headlines(changed()) == [
        f"{place}: editorial note 1 added",
        f"{place}: extraction-gap note 1 reworded",
    ]


# --- person specification ---------------------------------------------------------------


def test_criteria_and_prompting_questions(content_copy, changed):
    def spec(d):
        knowledge = d["groups"][1]
        assert knowledge["title"] == "Knowledge"
        knowledge["criteria"].append(
            like(
                {"id": "ps-knowledge-digital-health", "text": "Digital health and data", "questions": []},
                knowledge["criteria"][0],
            )
        )
        knowledge["criteria"][2]["text"] = knowledge["criteria"][2]["text"] + " and policy"
        knowledge["criteria"][2]["questions"].append("Can you explain a recent policy change to a colleague?")
        knowledge["criteria"][3]["questions"][0] = knowledge["criteria"][3]["questions"][0].replace(
            "?", " now?"
        )
        moved = d["groups"][0]["criteria"].pop(3)
        d["groups"][2]["criteria"].insert(0, moved)
        d["groups"][3]["criteria"].pop()
        d["groups"][3]["title"] = "Desirable"

    edit_json(content_copy / "person-specification.json", spec)
    result = changed()
    assert headlines(result) == [
        "Person specification › Knowledge: criterion 3 reworded",
        "Person specification › Knowledge › criterion 3: prompting question added",
        "Person specification › Knowledge › criterion 4: prompting question 1 reworded",
        "Person specification › Knowledge: criterion added",
        "Person specification › Skills and competencies: criterion 1 moved from Experience",
        "Person specification › Desirable: group renamed",
        "Person specification › Desirable criteria: criterion removed",
    ]
    assert result.changes[3].new == "Digital health and data"


# --- resources and figures --------------------------------------------------------------


def test_resource_url_link_text_and_check_facts(content_copy, changed):
    def resources(d):
        first, second = d["resources"][:2]
        first["url"] = "https://www.england.nhs.uk/publication/supporting-the-medical-director/"
        first["link_texts"] = ["NHS England"]
        first.update(status="dead", checked="2025-03-01", archived_url="https://web.archive.org/web/2017/x")
        second.update(status="ok", checked="2025-03-01")  # bookkeeping only: not news to a colleague

    edit_json(content_copy / "resources.json", resources)
    result = changed()
    assert headlines(result) == [
        "Resource “NHS England”: printed address changed",
        "Resource “NHS England”: link text changed",
        "Resource “NHS England”: no longer works; the notes offer an archived copy",
    ]
    assert result.changes[2].new == "https://web.archive.org/web/2017/x"


def test_a_moved_resource_keeps_its_printed_address(content_copy, changed):
    def resources(d):
        d["resources"][0].update(
            status="moved", checked="2025-03-01", current_url="https://www.england.nhs.uk/md/"
        )

    edit_json(content_copy / "resources.json", resources)
    result = changed()
    assert headlines(result) == ["Resource “NHS Improvement”: has moved (the notes give both addresses)"]
    assert format_text(result).splitlines()[3:] == [
        "  Resource “NHS Improvement”: has moved (the notes give both addresses)",
        "      printed: https://www.gov.uk/government/publications/supporting-the-role-of-the-medical-director",
        "      now at: https://www.england.nhs.uk/md/",
    ]


def test_resources_added_and_removed_with_their_citations(content_copy, changed):
    def cite(d):
        resilience = node(d, "resilience")
        first, last = paragraphs(resilience)[0], paragraphs(resilience)[3]
        first["text"] += "[^nhs-practitioner-health]"
        last["text"] = last["text"].replace(
            "[Management Advisory Service][mas-resilience-training].[^mas-resilience-training]",
            "Management Advisory Service.",
        )

    def resources(d):
        d["resources"] = [r for r in d["resources"] if r["id"] != "mas-resilience-training"]
        d["resources"].append(
            {"id": "nhs-practitioner-health", "url": "https://www.practitionerhealth.nhs.uk/"}
        )

    edit_json(content_copy / S3, cite)
    edit_json(content_copy / "resources.json", resources)
    assert headlines(changed()) == [
        f"{RESILIENCE}: paragraph 1 reworded",
        f"{RESILIENCE}: paragraph 4 reworded",
        "Resources: new resource “https://www.practitionerhealth.nhs.uk/”",
        "Resources: resource “Management Advisory Service” removed",
    ]


def test_figures_caption_description_and_placement(content_copy, changed):
    def figures(d):
        second = d["figures"][1]
        second["caption"] = "The five key areas of responsibility"
        second["description"]["items"].append("Research and innovation")

    def place(d):
        blocks = node(d, "resilience")["blocks"]
        blocks.insert(2, blocks.pop())  # figure 3 after paragraph 1

    edit_json(content_copy / "figures.json", figures)
    edit_json(content_copy / S3, place)
    assert headlines(changed()) == [
        f"{RESILIENCE}: figure 3 moved (now after paragraph 1)",
        "Figure 2: caption reworded",
        "Figure 2: description item added",
    ]


# --- structure ------------------------------------------------------------------------


def test_subsections_added_renamed_removed_and_moved(content_copy, changed):
    def structure(d):
        courses = node(d, "courses-and-tools")
        node(d, "resilience")["title"] = "Resilience and wellbeing"
        courses["subsections"].insert(
            0,
            {
                "id": "sleep",
                "title": "Sleep",
                "blocks": [
                    like(
                        {"type": "paragraph", "text": "Protect your sleep before a board meeting."},
                        paragraphs(node(d, "resilience"))[0],
                    )
                ],
            },
        )
        development = node(d, "development-opportunities")
        inspection = next(s for s in development["subsections"] if s["id"] == "inspection")
        development["subsections"].remove(inspection)
        courses["subsections"].append(inspection)
        external = node(d, "external-stakeholders-and-system-leadership")["subsections"]
        external.remove(node(d, "medical-royal-colleges-and-learned-societies"))

    edit_json(content_copy / S3, structure)
    result = changed()
    assert headlines(result) == [
        "Section 3 › Courses and tools › Sleep: subsection added",
        "Section 3 › Courses and tools › Resilience and wellbeing: subsection renamed",
        "Section 3 › Courses and tools › Inspection: subsection moved from Section 3 › Development opportunities",
        "Section 3 › Development opportunities › Working with external stakeholders and system leadership"
        " › Medical royal colleges and learned societies: subsection removed",
    ]
    assert result.changes[1].words == (("=", "Resilience"), ("+", "and wellbeing"))


def test_sections_added_and_renamed(content_copy, changed):
    (content_copy / "sections" / "5-next-steps.json").write_text(
        dump_json(
            {
                "$schema": "../../schema/section.schema.json",
                "id": "next-steps",
                "title": "Next steps",
                "numbered": True,
                "blocks": [{"type": "paragraph", "text": "Talk to your medical director this week."}],
            }
        ),
        encoding="utf-8",
    )
    edit_json(content_copy / "guide.json", lambda d: d["sections"].append("sections/5-next-steps.json"))
    edit_json(content_copy / "sections/4-conclusion.json", lambda d: d.update(title="In conclusion"))
    assert headlines(changed()) == ["Section 4: section renamed", "Section 5: section added"]


def test_edition_history_and_review_dates(content_copy, changed):
    def edition(d):
        d["history"] = [d["edition"]]
        d["edition"] = {"version": "1.1", "date": "2025-03", "note": "Addresses of moved resources updated."}
        d["reviewed"] = {"last": "2025-03", "next": "2026-03"}

    edit_json(content_copy / "guide.json", edition)
    result = changed()
    # One change for the new edition; edition 1.0 moving into the history is part of recording it.
    assert headlines(result) == [
        "Edition 1.1, March 2025: new edition, with this change note",
        "Guide: review dates added",
    ]
    assert format_text(result).splitlines() == [
        "2 changes from edition 1.0 (content) to edition 1.1 (copy): 2 added.",
        "",
        "Edition and publication details",
        "  Edition 1.1, March 2025: new edition, with this change note",
        "      + Addresses of moved resources updated.",
        "  Guide: review dates added",
        "      + last March 2025, next March 2026",
    ]


def test_the_published_address_added_changed_and_removed(content_copy):
    """guide.json's published_url, which the publisher adds once they know it, said as an address."""

    def at(url: str | None):
        def give(d):
            if url is None:
                d.pop("published_url", None)
            else:
                d["published_url"] = url

        edit_json(content_copy / "guide.json", give)
        loaded, _ = load_content(content_copy, "copy")
        return loaded

    unpublished = at(None)
    published = at("https://example.org/guide/the-medical-directors-role.html")
    moved = at("https://example.org/guides/mdr.html")

    def said(old, new) -> list[str]:
        return format_text(diff_content(old, new, "old", "new")).splitlines()[2:]

    assert said(unpublished, published) == [
        "Edition and publication details",
        "  Guide: published address added",
        "      + https://example.org/guide/the-medical-directors-role.html",
    ]
    assert said(published, moved) == [
        "Edition and publication details",
        "  Guide: published address changed "
        "(https://example.org/guide/the-medical-directors-role.html → https://example.org/guides/mdr.html)",
    ]
    assert said(moved, unpublished) == [
        "Edition and publication details",
        "  Guide: published address removed",
        "      - https://example.org/guides/mdr.html",
    ]


def test_an_earlier_editions_note_reworded(content_copy, changed):
    def edition(d):
        d["history"] = [{**d["edition"], "note": "The first edition."}]
        d["edition"] = {"version": "1.1", "date": "2025-03", "note": "Addresses of moved resources updated."}

    edit_json(content_copy / "guide.json", edition)
    assert headlines(changed()) == [
        "Edition 1.1, March 2025: new edition, with this change note",
        "Edition history › 1.0: change note reworded",
    ]


def test_foreword_and_back_matter(content_copy, changed):
    edit_json(
        content_copy / "foreword.json",
        lambda d: d["paragraphs"].__setitem__(
            1, d["paragraphs"][1].replace("for 30 years", "for over 30 years")
        ),
    )
    edit_json(
        content_copy / "back-matter.json", lambda d: d.update(social=d["social"].replace("Twitter", "X"))
    )
    assert headlines(changed()) == [
        "Foreword: paragraph 2 reworded",
        "Contact us: social media line reworded",
    ]


def test_files_without_their_own_words_are_compared_field_by_field(content_copy, changed):
    edit_json(content_copy / "roles.json", lambda d: d["editorial"].update(series_title="What to do now"))
    result = changed()
    assert headlines(result) == ["Roles › editorial: series title reworded"]


def test_no_changes(content, content_copy, changed):
    result = changed()
    assert result.changes == []
    assert format_text(result) == "No changes since edition 1.0 (content), in copy.\n"


# --- the engine's parts -----------------------------------------------------------------


def test_word_diff_and_trimming():
    words = word_diff(
        "one two three four five six seven eight nine ten", "one two THREE four five six seven eight"
    )
    assert words == (
        ("=", "one two"),
        ("-", "three"),
        ("+", "THREE"),
        ("=", "four five six seven eight"),
        ("-", "nine ten"),
    )
    assert trimmed(words, context=1) == [
        ("=", "one two"),
        ("-", "three"),
        ("+", "THREE"),
        ("=", "four … eight"),
        ("-", "nine ten"),
    ]
    assert similarity("a b c d", "a b c d") == 1.0 and similarity("a b", "c d") == 0.0


def test_align_pairs_by_position_similarity_and_moves():
    old = ["kept as it was", "alpha beta gamma delta", "the quick brown fox", "lorem ipsum dolor sit"]
    new = ["kept as it was", "alpha beta gamma epsilon", "entirely new words here", "lorem ipsum dolor sit"]
    pairs = [(p.old, p.new, p.moved) for p in align(old, new)]
    assert pairs == [(0, 0, False), (1, 1, False), (2, None, False), (None, 2, False), (3, 3, False)]
    swapped = ["lorem ipsum dolor sit", "kept as it was", "alpha beta gamma delta epsilon"]
    pairs = [(p.old, p.new, p.moved) for p in align(old, swapped)]
    assert pairs == [(3, 0, True), (0, 1, False), (2, None, False), (1, 2, False)]


# --- the command ----------------------------------------------------------------------


def test_cli_formats(content_copy):
    edit_json(
        content_copy / S3,
        lambda d: paragraphs(node(d, "resilience"))[0].update(
            text=paragraphs(node(d, "resilience"))[0]["text"].replace("grow and develop", "grow and learn")
        ),
    )
    runner = CliRunner()
    text = runner.invoke(main, ["diff", str(ROOT / "content"), str(content_copy)])
    assert text.exit_code == 0, text.output
    assert text.output.splitlines()[0] == (
        f"1 change since edition 1.0 (the folder {ROOT / 'content'}), in the folder {content_copy}: 1 reworded."
    )
    assert f"  {RESILIENCE}: paragraph 1 reworded" in text.output.splitlines()
    assert "[-develop.-] {+learn.+}" in text.output

    as_json = runner.invoke(main, ["diff", str(ROOT / "content"), str(content_copy), "--format", "json"])
    data = json.loads(as_json.output)
    assert data["counts"] == {"reworded": 1}
    assert data["old"] == {"where": f"the folder {ROOT / 'content'}", "edition": "1.0"}
    assert data["changes"][0]["kind"] == "paragraph-reworded"
    assert ["-", "develop."] in data["changes"][0]["diff"]

    markdown = runner.invoke(main, ["diff", str(ROOT / "content"), str(content_copy), "--format", "markdown"])
    assert markdown.exit_code == 0, markdown.output
    lines = markdown.output.splitlines()
    assert lines[0] == "# Changes in this edition (draft)"
    assert "## Section 3: How do I prepare?" in lines
    assert f"- {RESILIENCE}: paragraph 1 reworded." in lines
    assert any(line.strip().startswith("- *Now:*") and line.endswith("grow and **learn.**") for line in lines)


def test_cli_reports_invalid_content_with_its_place(content_copy):
    (content_copy / "figures.json").write_text("{", encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", str(ROOT / "content"), str(content_copy)])
    assert result.exit_code == 1
    assert f"{content_copy}/figures.json:1:2: E102" in result.output
    assert f"Error: Aborted: 1 error in {content_copy} (hint: both versions must be valid" in result.output


# --- git revisions ----------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        [
            "git",
            "-c",
            "user.name=Editor",
            "-c",
            "user.email=editor@example.org",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_git_revisions(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "content", repo / "content")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "content")
    git(repo, "commit", "-q", "-m", "Edition 1.0")
    edit_json(
        repo / "content" / "resources.json",
        lambda d: d["resources"][0].update(url="https://www.england.nhs.uk/md/"),
    )
    git(repo, "commit", "-q", "-am", "Move a resource")
    edit_json(repo / "content" / "foreword.json", lambda d: d.update(title="Foreword to the guide"))
    status_before = git(repo, "status", "--porcelain")
    runner = CliRunner()
    content = str(repo / "content")

    committed = runner.invoke(main, ["diff", "HEAD~1", "HEAD", "--content", content])
    assert committed.exit_code == 0, committed.output
    first, second = (git(repo, "rev-parse", "--short=7", rev).strip() for rev in ("HEAD~1", "HEAD"))
    assert committed.output.splitlines() == [
        f"1 change since edition 1.0 (git revision HEAD~1, commit {first}), in git revision HEAD, "
        f"commit {second}: 1 changed.",
        "",
        "Resources",
        "  Resource “NHS Improvement”: printed address changed",
        "      was: https://www.gov.uk/government/publications/supporting-the-role-of-the-medical-director",
        "      now: https://www.england.nhs.uk/md/",
    ]
    working = runner.invoke(main, ["diff", "HEAD", "--content", content])
    assert working.exit_code == 0, working.output
    assert working.output.splitlines()[0] == (
        f"1 change since edition 1.0 (git revision HEAD, commit {second}), in {content}/ as it is now: 1 reworded."
    )
    assert working.output.splitlines()[1:] == [
        "Removed words are shown [-like this-], added words {+like this+}.",
        "",
        "Foreword",
        "  Foreword: title reworded",
        "      Foreword {+to the guide+}",
    ]
    assert git(repo, "status", "--porcelain") == status_before  # nothing checked out or touched

    unknown = runner.invoke(main, ["diff", "no-such-tag", "--content", content])
    assert unknown.exit_code == 1
    assert "'no-such-tag' is neither a folder nor a git revision" in unknown.output
    option = runner.invoke(main, ["diff", "--content", content, "--", "--output=x"])
    assert "'--output=x' is not a git revision" in option.output


# --- a realistic edition 1.1, as a colleague reads it (tests/edition_1_1.py) ----------------------

GOLDEN = ROOT / "tests" / "golden" / "diff"


@pytest.fixture
def edition_folders(tmp_path, monkeypatch) -> Path:
    """editions/1.0 and, beside it, content/ made into edition 1.1 from it; the working folder is theirs."""
    shutil.copytree(ROOT / "editions" / "1.0", tmp_path / "editions" / "1.0")
    shutil.copytree(ROOT / "editions" / "1.0", tmp_path / "content")
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    edition_1_1.make(tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_diff(*args: str) -> str:
    result = CliRunner().invoke(main, ["diff", "editions/1.0", *args])
    assert result.exit_code == 0, result.output
    return result.output


def check_golden(name: str, actual: str, request) -> None:
    golden = GOLDEN / name
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden}: run pytest --update-golden"
    assert actual == golden.read_text(encoding="utf-8")


RAW_MARKUP = re.compile(r"\[\^|\]\[|\\\*|\*[A-Z]|HEAD:|:content\b|\bd[0-9a-f]{6}:|\{\"|\"since\"")


def test_edition_1_1_as_text(edition_folders, request):
    text = run_diff()
    check_golden("edition-1.1.txt", text, request)
    # What a colleague needs: who and what, in the guide's words, and no markup or jargon.
    assert "case study of Dr Amira Hassan added (new in 1.1)" in text
    assert "      + " + edition_1_1.CASE_STUDY["paragraphs"][0] in text
    assert "Developing people – improving care. [note: https://improvement.nhs.uk/" in text
    assert "[note: NHS England]" in text
    assert f"      printed: {edition_1_1.MOVED_FROM}\n      now at: {edition_1_1.MOVED_TO}\n" in text
    assert not RAW_MARKUP.search(text), RAW_MARKUP.search(text)
    assert "Edition history" not in text and "status" not in text and "checked" not in text


def test_edition_1_1_change_note_is_ready_for_guide_json(edition_folders, request):
    note = run_diff("--format", "markdown")
    check_golden("edition-1.1.md", note, request)
    assert "*Building resilience in the NHS workforce* is a free online course" in note  # italic as italic
    assert "\\*" not in note and "[^" not in note
    [line] = [line.strip() for line in note.splitlines() if line.strip().startswith('"note": ')]
    sentence = json.loads("{" + line + "}")["note"]
    assert sentence.startswith(
        "This edition adds a case study of Dr Amira Hassan and a new paragraph in Section 3"
    )
    # Pasted into guide.json as the edition's note, it is valid content.
    edit_json(edition_folders / "content" / "guide.json", lambda d: d["edition"].update(note=sentence))
    validated = CliRunner().invoke(main, ["validate", "--content", "content"])
    assert validated.exit_code == 0, validated.output


def test_edition_1_1_as_a_page_to_share(edition_folders, browser):
    def reword(d):
        first = paragraphs(node(d, "resilience"))[1]
        first.update(text=first["text"].replace("a balanced view", "an independent view"), revised="1.1")

    edit_json(edition_folders / "content" / S3, reword)
    page = edition_folders / "changes.html"
    page.write_text(run_diff("--format", "html"), encoding="utf-8")
    tree = lxml_html.parse(str(page)).getroot()
    assert " ".join(tree.xpath("string(//h1)").split()) == (
        "Changes from edition 1.0 (the folder editions/1.0) to edition 1.1 (content/ as it is now)"
    )
    headings = [" ".join(h.text_content().split()) for h in tree.xpath("//main//h3")]
    assert f"{RESILIENCE}: paragraph 2 reworded (revised in 1.1)" in headings
    assert (
        "Section 2 › The person specification: case study of Dr Amira Hassan added (new in 1.1)" in headings
    )
    # Insertions and deletions in context, each with its label in words.
    reworded = tree.xpath(
        "//main//h3[contains(normalize-space(), 'paragraph 2 reworded')]/following-sibling::p[1]"
    )[0]
    assert [(e.tag, " ".join(e.text_content().split())) for e in reworded.xpath("./ins | ./del")] == [
        ("del", "a balanced"),
        ("ins", "an independent"),
    ]
    assert "removed: a balanced added: an independent view" in " ".join(reworded.text_content().split())
    assert "You will provide your executive colleagues with" in reworded.text_content()
    case_study = tree.xpath("//main//h3[contains(normalize-space(), 'Amira Hassan')]/following-sibling::p")
    assert [" ".join(p.text_content().split()) for p in case_study][:2] == [
        "added: Dr Amira Hassan, Medical Director, Northshire Community Health NHS Trust",
        "added: " + edition_1_1.CASE_STUDY["paragraphs"][0],
    ]
    assert all(p.xpath("./ins") and p.xpath("./span[@class='diff-label']") for p in case_study)
    assert (
        " ".join(case_study[2].xpath(".//ins/em")[0].text_content().split())
        == "Developing people – improving care"
    )
    moved = tree.xpath("//main//h3[contains(normalize-space(), 'has moved')]/following-sibling::p")
    assert [" ".join(p.text_content().split()) for p in moved] == [
        f"Printed: {edition_1_1.MOVED_FROM}",
        f"Now at: {edition_1_1.MOVED_TO}",
    ]
    assert not moved[0].xpath(".//del")  # the printed address is kept, not removed
    assert moved[1].xpath("string(.//ins)") == edition_1_1.MOVED_TO
    violations = browser.axe(page)
    assert violations == [], [
        f"{v['id']}: {v['help']} {[n['html'][:100] for n in v['nodes'][:2]]}" for v in violations
    ]


def test_content_is_text_in_the_page_never_markup(edition_folders):
    edit_json(
        edition_folders / "content" / S3,
        lambda d: paragraphs(node(d, "resilience"))[1].update(
            text=paragraphs(node(d, "resilience"))[1]["text"] + " <script>alert(1)</script>", revised="1.1"
        ),
    )
    page = run_diff("--format", "html")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_removed_words_are_shown_as_a_reader_reads_them(content_copy, changed):
    """A removed paragraph's citation reads '[note: …]' and its linked phrase is plain words."""

    def remove(d):
        blocks = node(d, "resilience")["blocks"]
        blocks.remove(next(b for b in blocks if "[^mas-resilience-training]" in b.get("text", "")))

    edit_json(content_copy / S3, remove)
    # Its resource goes with it, as validation asks (nothing else cites it).
    edit_json(
        content_copy / "resources.json",
        lambda d: d.update(resources=[r for r in d["resources"] if r["id"] != "mas-resilience-training"]),
    )
    lines = format_text(changed()).splitlines()
    assert lines[3] == f"  {RESILIENCE}: paragraph 4 removed"
    assert lines[4].startswith("      - For help, look to your organisation's established guidance")
    assert lines[4].endswith(
        "through courses and workshops such as that offered by the Management Advisory Service. "
        "[note: Management Advisory Service]"
    )
