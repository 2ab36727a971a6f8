"""What an editor meets at the command line, done as the editor does it: through `mdguide`.

Expectations come from the content's JSON and the docs, never from the code
under test: the tags a role has are counted in the files themselves, and the
messages are the exact lines an editor reads.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from mdguide_build.cli import main

ROOT = Path(__file__).resolve().parent.parent


def mdguide(*args: str, cwd: Path | None = None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, list(args), catch_exceptions=False)
    import os

    here = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(here)


def tags(root: Path, role: str) -> list[tuple[str, str]]:
    """(file, item text) of every item whose handout tag names ``role``, read from the JSON."""
    found = []

    def walk(value, relpath: str) -> None:
        if isinstance(value, dict):
            tag = value.get("handout")
            if isinstance(tag, dict) and role in tag.get("roles", []):
                text = value.get("text") or " ".join(value.get("items", [])) or value.get("id", "")
                found.append((relpath, text))
            for child in value.values():
                walk(child, relpath)
        elif isinstance(value, list):
            for child in value:
                walk(child, relpath)

    for path in sorted(root.rglob("*.json")):
        walk(json.loads(path.read_text(encoding="utf-8")), path.relative_to(root).as_posix())
    return found


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.org", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


# --- reader roles -------------------------------------------------------------------------


def test_role_add_like_copies_the_tags_and_git_diff_shows_only_the_change(content_copy):
    project = content_copy.parent
    git(project, "init", "-q")
    git(project, "add", "content")
    git(project, "commit", "-q", "-m", "before")
    before = tags(content_copy, "senior-medical-leader")

    added = mdguide(
        "role",
        "add",
        "clinical-director",
        "--like",
        "senior-medical-leader",
        "--name",
        "Clinical director",
        cwd=project,
    )

    assert added.exit_code == 0, added.output
    assert added.output.startswith(
        f"Added role 'clinical-director' (order 7) to content/roles.json, with the {len(before)} items "
        "'senior-medical-leader' gets; changed content/roles.json, "
    )
    # The new role has exactly the other role's items, and the other role lost none.
    assert tags(content_copy, "clinical-director") == before
    assert tags(content_copy, "senior-medical-leader") == before
    beside = re.findall(
        r'"senior-medical-leader",\s*"([a-z-]+)"',
        "".join(p.read_text(encoding="utf-8") for p in content_copy.rglob("*.json")),
    )
    assert beside.count("clinical-director") == len(before)  # named beside it, as an editor would
    roles = json.loads((content_copy / "roles.json").read_text(encoding="utf-8"))["roles"]
    assert [r["id"] for r in roles][-1] == "clinical-director"
    assert roles[-1]["editorial_name"] == "Clinical director"
    # git diff: nothing removed (a line that gains a comma aside), and besides the new role's entry in
    # roles.json only the new id, once per tag that names the other role.
    diff = git(project, "diff", "--unified=0", "content")
    removed = [line[1:] for line in diff.splitlines() if line[:1] == "-" and line[:3] != "---"]
    added = [line[1:] for line in diff.splitlines() if line[:1] == "+" and line[:3] != "+++"]
    for line in removed:
        assert line + "," in added, line
        added.remove(line + ",")
    in_tags = [line for line in added if re.fullmatch(r' +"clinical-director",?', line)]
    assert len(in_tags) == len(before)
    rest = [line for line in added if line not in in_tags]
    entry = json.dumps(roles[-1], indent=2, ensure_ascii=False).splitlines()
    # git shows the new entry as "}," "{" … with the last role's own "}" closing it.
    assert [line.strip() for line in rest] == ["},", "{", *[line.strip() for line in entry[1:-1]]]
    assert git(project, "diff", "--stat", "content").count("content/roles.json") == 1
    # The editor is warned that the two handouts are the same, with what to do.
    checked = mdguide("validate", "--content", "content", cwd=project)
    assert checked.exit_code == 0
    assert re.search(
        r"^content/roles.json:\d+:5: W321 Roles › role 'clinical-director': role 'clinical-director' gets the "
        rf"same {len(before)} items as role 'senior-medical-leader': their handouts would be the same \(hint: ",
        checked.output,
        re.M,
    )
    # role show lists the same handout for both, under each one's own name.
    new = mdguide("role", "show", "clinical-director", "--content", "content", cwd=project).output
    old = mdguide("role", "show", "senior-medical-leader", "--content", "content", cwd=project).output
    assert (
        new.splitlines()[0]
        == "Clinical director (clinical-director): outputs/handouts/clinical-director.html, .docx and .pdf"
    )
    assert new.splitlines()[1:] == old.splitlines()[1:]


def test_role_add_refuses_an_unknown_or_existing_role_and_changes_nothing(content_copy):
    project = content_copy.parent
    snapshot = {p: p.read_bytes() for p in content_copy.rglob("*.json")}
    unknown = mdguide("role", "add", "clinical-director", "--like", "senior-medical-leeder", cwd=project)
    assert unknown.exit_code == 1
    assert unknown.output == (
        "Error: unknown role 'senior-medical-leeder' (hint: did you mean 'senior-medical-leader'? the roles are "
        "consultant, senior-medical-leader, associate-medical-director, medical-educator, new-medical-director, "
        "recruiter)\n"
    )
    taken = mdguide("role", "add", "consultant", "--like", "recruiter", cwd=project)
    assert taken.exit_code == 1
    assert "role 'consultant' already exists" in taken.output
    assert {p: p.read_bytes() for p in content_copy.rglob("*.json")} == snapshot


def test_role_show_lists_what_the_handout_holds(content):
    shown = mdguide("role", "show", "recruiter").output
    spec = json.loads((ROOT / "content" / "person-specification.json").read_text(encoding="utf-8"))
    mine = [
        c["text"]
        for g in spec["groups"]
        for c in g["criteria"]
        if "recruiter" in c.get("handout", {}).get("roles", [])
    ]
    others = [
        c["text"]
        for g in spec["groups"]
        for c in g["criteria"]
        if "recruiter" not in c.get("handout", {}).get("roles", [])
    ]
    headings = content.roles.editorial.headings
    assert f"{headings.checklist}: {len(mine)} criteri{'a' if len(mine) != 1 else 'on'}" in shown
    for text in mine:
        assert f"    - {text[:40]}" in shown
    for text in others:
        assert f"    - {text[:40]}" not in shown
    lines = shown.splitlines()
    # The parts in the handout's order, with the handout's own headings.
    order = [headings.for_whom, headings.reflection, headings.actions, headings.checklist, headings.read_more]
    at = [next(i for i, line in enumerate(lines) if line.startswith(h)) for h in order]
    assert at == sorted(at)


# --- errors, for editors --------------------------------------------------------------------


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def without_w322(output: str, content: Path) -> tuple[list[str], str]:
    """validate's lines but W322, and how its summary counts W322 (" and 1 warning", or nothing).

    W322 warns while guide.json gives no published_url, as the real one does until the publisher says
    where the guide will be; it is not what the tests of other messages are about."""
    lines = [line for line in output.splitlines() if " W322 " not in line]
    guide = json.loads((content / "guide.json").read_text(encoding="utf-8"))
    return lines, "" if "published_url" in guide else " and 1 warning"


def test_a_misspelt_citation_prints_the_cause_first_with_its_place_in_words(content_copy):
    _edit(
        content_copy / "sections" / "3-how-do-i-prepare.json",
        "[^kings-fund-better-value-nhs]",
        "[^kings-fund-better-value]",
    )
    result = mdguide("validate", "--content", "content", cwd=content_copy.parent)
    lines, warned = without_w322(result.output, content_copy)
    assert result.exit_code == 1
    assert re.fullmatch(
        r"content/sections/3-how-do-i-prepare.json:\d+:\d+: E302 Section 3 › Development opportunities › Value "
        r"and finance › paragraph 1: unknown resource 'kings-fund-better-value' \(hint: did you mean "
        r"'kings-fund-better-value-nhs'\? ids are listed in content/resources.json\)",
        lines[0],
    ), lines[0]
    assert re.fullmatch(
        r"content/resources.json:\d+:5: E304 Resources › resource 'kings-fund-better-value-nhs': resource "
        r"'kings-fund-better-value-nhs' is never cited .*",
        lines[1],
    ), lines[1]
    assert lines[2:] == [f"Error: Aborted: 2 errors{warned} in content"]
    # docs/errors.md and docs/editing.md show this very line as their example of how to read one.
    for doc in ("errors.md", "editing.md"):
        assert f"```text\n{lines[0]}\n```" in (ROOT / "docs" / doc).read_text(encoding="utf-8"), doc
    assert "/subsections/" not in result.output  # JSON pointers only in --json
    as_json = json.loads(
        mdguide("validate", "--content", "content", "--json", cwd=content_copy.parent).stdout
    )
    as_json = [d for d in as_json if d["code"] != "W322"]
    assert [d["code"] for d in as_json] == ["E302", "E304"]
    assert as_json[0]["pointer"] == "/subsections/2/subsections/1/blocks/1/text"
    assert as_json[0]["where"] == "Section 3 › Development opportunities › Value and finance › paragraph 1"


def test_a_duplicate_id_names_both_places(content_copy):
    _edit(
        content_copy / "sections" / "3-how-do-i-prepare.json",
        '"id": "quote-mhps-course"',
        '"id": "quote-okay-to-make-mistakes"',
    )
    result = mdguide("validate", "--content", "content", cwd=content_copy.parent)
    assert result.exit_code == 1
    first = without_w322(result.output, content_copy)[0][0]
    assert re.fullmatch(
        r"content/sections/3-how-do-i-prepare.json:359:\d+: E301 Section 3 › Courses and tools › Managing "
        r"performance concerns › pull quote 1: id 'quote-okay-to-make-mistakes' is used twice: here and at "
        r"content/sections/3-how-do-i-prepare.json:108:\d+ \(Section 3 › Use resources around you › pull quote 2\) "
        r"\(hint: .*\)",
        first,
    ), first


def test_docs_errors_md_lists_every_code_and_editing_md_points_there():
    from mdguide_build.cli_docs import ERRORS, error_reference
    from mdguide_build.validate.diagnostics import CATALOGUE

    page = (ROOT / ERRORS).read_text(encoding="utf-8")
    assert page == error_reference(), "docs/errors.md is out of date: run 'mdguide docs'"
    for code, meaning in CATALOGUE.items():
        assert f"| {code} | {meaning} |" in page
    editing = (ROOT / "docs" / "editing.md").read_text(encoding="utf-8")
    assert "diagnostics.py" not in editing
    assert "[errors.md](errors.md)" in editing


# --- formats and options ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("braille", "brf"), ("Braille", "brf"), ("word", "docx"), ("htm", "html"), ("pdff", "pdf")],
)
def test_a_mistyped_format_suggests_the_nearest_name(typed, meant, tmp_path):
    result = mdguide("build", "--format", typed, "--out", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: unknown format '{typed}' (hint: did you mean '{meant}'? formats are html, "
    )
    assert not (tmp_path / "o").exists()


def test_options_for_formats_not_built_warn(tmp_path):
    result = mdguide(
        "build", "--format", "txt", "--role", "consultant", "--point-size", "24", "--out", str(tmp_path / "o")
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        "Warning: --role applies only to --format handouts, which this build does not make; it is ignored.",
        "Warning: --point-size applies only to --format large-print-pdf and large-print-docx, which this build "
        "does not make; it is ignored.",
    ]
    quiet = mdguide(
        "build", "--format", "large-print-docx", "--point-size", "24", "--out", str(tmp_path / "o")
    )
    assert "Warning" not in quiet.output


def test_help_keeps_developer_commands_apart():
    shown = mdguide("--help").output
    editors, _, developers = shown.partition("Commands for developers:")
    assert re.search(r"^  validate ", editors, re.M) and re.search(r"^  build ", editors, re.M)
    assert re.search(r"^  role ", editors, re.M)
    for name in ("docs", "schema"):
        assert re.search(rf"^  {name} ", developers, re.M)
        assert not re.search(rf"^  {name} ", editors, re.M)


def test_build_prints_one_line_per_output_built_and_a_summary(tmp_path):
    out = str(tmp_path / "o")
    first = mdguide("build", "--format", "txt", "--format", "brf", "--out", out).output.splitlines()
    assert [line.split(" (")[0] for line in first[:-1]] == sorted(
        [
            "  built   the-medical-directors-role.txt",
            "  built   the-medical-directors-role.brf",
            "  built   the-medical-directors-role-brf-preview.txt",
        ],
        key=[line.split(" (")[0] for line in first[:-1]].index,
    )
    assert len(first) == 4
    assert re.fullmatch(rf"Done: 3 built, 0 up to date, in {re.escape(out)}/ \(\d+\.\d\d s\)\.", first[-1])
    again = mdguide("build", "--format", "txt", "--format", "brf", "--out", out).output.splitlines()
    assert len(again) == 1 and again[0].startswith("Done: 0 built, 3 up to date, in ")
    verbose = mdguide("build", "--format", "txt", "-v", "--out", out).output.splitlines()
    assert "  current the-medical-directors-role.txt (unchanged)" in verbose


# --- outputs an editor sends on their own ------------------------------------------------------


def test_a_handout_built_from_the_cli_links_to_the_address_in_guide_json(content_copy, tmp_path):
    guide = content_copy / "guide.json"
    data = json.loads(guide.read_text(encoding="utf-8"))
    data["published_url"] = "https://guides.example.org/mdr/index.html"
    guide.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    built = mdguide(
        "build",
        "--content",
        str(content_copy),
        "--out",
        str(out),
        "--format",
        "handouts",
        "--role",
        "consultant",
    )
    assert built.exit_code == 0, built.output
    from lxml import html as lxml_html

    page = lxml_html.parse(str(out / "handouts" / "consultant.html")).getroot()
    read_more = page.xpath('//*[@id="read-more"]/following-sibling::ul[1]//a/@href')
    assert read_more and all(h.startswith("https://guides.example.org/mdr/index.html#") for h in read_more)
    assert page.xpath("//footer//a/@href") == [
        "https://guides.example.org/mdr/index.html",
        "https://guides.example.org/mdr/",
    ]
    assert "did not survive extraction" not in page.text_content()


def test_the_plain_text_and_braille_preview_built_from_the_cli(tmp_path):
    out = tmp_path / "out"
    built = mdguide("build", "--format", "txt", "--format", "brf", "--out", str(out))
    assert built.exit_code == 0, built.output
    text = (out / "the-medical-directors-role.txt").read_text(encoding="utf-8").split("\n")
    assert "Contents" in text and "3.2 Courses and tools" in text
    assert [line for line in text if line and set(line) <= set("=-~")] == []
    preview = (out / "the-medical-directors-role-brf-preview.txt").read_text(encoding="utf-8").split("\n")
    assert max(map(len, preview)) <= 40
