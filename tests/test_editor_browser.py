"""The browser editor end to end: a real editor's session in Chromium, keyboard use, axe, escaping.

The content is a private copy committed to a fresh git repository (so that
the Changes panel has a last edition to compare with), served by
``Preview(edit=True)`` on a free port.  After the session, ``git diff`` of
content/ must equal tests/golden/editor/session.patch exactly, ``mdguide
validate`` must pass, and a build of the edited content must show the edits.
Screenshots go to $MDGUIDE_SCREENSHOTS when it is set.

    pytest tests/test_editor_browser.py --update-golden    rewrites the expected patch (read it!)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lxml import html as lxml_html

from mdguide_build.build import build
from mdguide_build.tools.serve import Preview

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "editor" / "session.patch"
MDGUIDE = Path(sys.executable).parent / "mdguide"
SCREENSHOTS = Path(os.environ["MDGUIDE_SCREENSHOTS"]) if os.environ.get("MDGUIDE_SCREENSHOTS") else None
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
CONCLUSION = "sections/4-conclusion.json"
PREPARE = "sections/3-how-do-i-prepare.json"
NEW_ROLE = "Newly appointed or interim medical director"
# How Chromium logs an answer with an error status, e.g. a refused edit (422): expected, not a script error.
REFUSED = re.compile(r"Failed to load resource: the server responded with a status of (409|422) ")


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    """content/ and schema/ in a fresh git repository: the last commit is the last edition."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "content", repo / "content")
    shutil.copytree(ROOT / "schema", repo / "schema")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Edition 1.0")
    return repo


@pytest.fixture
def editor(repo):
    with Preview(repo / "content", "127.0.0.1", 0, content_display="content", edit=True) as running:
        yield running


def block_pointer(relpath: str, starts: str, root: Path = ROOT / "content") -> str:
    """The JSON pointer of the block whose text starts with ``starts``, in the real content."""
    value = json.loads((root / relpath).read_text(encoding="utf-8"))

    def walk(node: dict, at: str):
        for i, block in enumerate(node.get("blocks", [])):
            if block.get("text", "").startswith(starts):
                return f"{at}/blocks/{i}"
        for i, child in enumerate(node.get("subsections", [])):
            found = walk(child, f"{at}/subsections/{i}")
            if found:
                return found
        return None

    found = walk(value, "")
    assert found, f"no block starting {starts!r} in {relpath}"
    return found


class Editing:
    """A page of the editor, driven as a person would."""

    def __init__(self, page, shots: Path | None):
        self.page = page
        self.shots = shots
        self.seconds: list[float] = []
        self.problems: list[str] = []
        page.on(
            "console",
            lambda m: (
                self.problems.append(m.text) if m.type == "error" and not REFUSED.match(m.text) else None
            ),
        )
        page.on("pageerror", lambda error: self.problems.append(str(error)))

    def edit_button(self, where: str):
        return self.page.locator(f'[data-edit="{where}"] > .mdg-edit')

    def open(self, where: str):
        self.edit_button(where).click()
        form = self.page.locator("form.mdg-form").last
        form.wait_for()
        return form

    def select(self, field, text: str, *, collapse_to_end: bool = False) -> None:
        """Select ``text`` in a formatted text field (or put the caret after it), as a mouse drag would."""
        field.click()
        found = field.evaluate(
            """(root, [text, collapse]) => {
                const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
                for (let node; (node = walker.nextNode()); ) {
                    const at = node.data.indexOf(text);
                    if (at < 0) continue;
                    const range = document.createRange();
                    range.setStart(node, collapse ? at + text.length : at);
                    range.setEnd(node, at + text.length);
                    const selection = window.getSelection();
                    selection.removeAllRanges();
                    selection.addRange(range);
                    return true;
                }
                return false;
            }""",
            [text, collapse_to_end],
        )
        assert found, text
        self.page.wait_for_timeout(100)  # ProseMirror reads the selection on 'selectionchange'

    def save(self, form, button: str = "Save") -> dict:
        """Save and wait until the rebuilt preview has loaded; returns what the editor said then."""
        self.page.evaluate("window.__before_reload = true")
        form.get_by_role("button", name=button, exact=True).click()
        return self.reloaded()

    def reloaded(self) -> dict:
        self.page.wait_for_function(
            "() => (window.__before_reload === undefined && window.mdguideLastSave)"
            " || [...document.querySelectorAll('.mdg-summary, .mdg-bar-error')].some(e => e.textContent)",
            timeout=30_000,
        )
        refused = self.page.locator(".mdg-summary, .mdg-bar-error").all_inner_texts()
        assert not any(refused), refused
        after = self.page.evaluate("window.mdguideLastSave")
        self.seconds.append(after["seconds"])
        return after

    def shot(self, name: str, *, full_page: bool = False) -> None:
        if self.shots:
            self.page.screenshot(path=str(self.shots / name), full_page=full_page)

    def axe(self, browser) -> list[dict]:
        return [
            (v["id"], [n["target"] for n in v["nodes"]])
            for v in browser.run_axe(self.page, AXE_TAGS)["violations"]
        ]


@pytest.fixture
def editing(editor, browser, tmp_path):
    # bypass_csp: only so that axe can be injected; the CSP itself is tested in test_the_page_allows_only_its_scripts.
    page = browser.page(editor.url, viewport=(1100, 900), bypass_csp=True)
    shots = SCREENSHOTS or tmp_path
    yield Editing(page, shots)
    page.context.close()


def test_an_editors_session(editor, editing, browser, repo, request):
    page = editing.page
    content = repo / "content"
    assert editing.axe(browser) == []  # edit mode as it opens
    editing.shot("editor-edit-mode.png")

    # 1. Change a word.
    challenge = f"{CONCLUSION}#{block_pointer(CONCLUSION, 'This will be challenge')}"
    form = editing.open(challenge)
    text = form.locator("[contenteditable='true']").first
    editing.select(text, "challenge")
    page.keyboard.type("a challenge")
    editing.shot("editor-form.png")
    assert editing.axe(browser) == []  # with a form open
    said = editing.save(form)
    assert said["message"] == "Saved: Edit paragraph in Conclusion. The preview shows it."
    assert page.evaluate("document.activeElement.className") == "mdg-edit"  # focus back where it was
    assert "This will be a challenge for medical leaders" in page.locator("main").inner_text()

    # 2. Italicise a title.
    five = f"{PREPARE}#{block_pointer(PREPARE, 'The Five Year Forward View')}"
    form = editing.open(five)
    text = form.locator("[contenteditable='true']").first
    editing.select(text, "Five Year Forward View")
    page.keyboard.press("Control+i")
    assert form.get_by_role("button", name="Italic").get_attribute("aria-pressed") == "true"
    editing.save(form)
    assert page.locator(f'[data-edit="{five}"] em').inner_text() == "Five Year Forward View"

    # 3. Cite an existing resource and create a new one.
    form = editing.open(five)
    text = form.locator("[contenteditable='true']").first
    editing.select(text, "Five Year Forward View", collapse_to_end=True)
    form.get_by_role("button", name="Cite a resource…").click()
    picker = page.get_by_role("dialog", name="Cite a resource")
    picker.get_by_label("Id (how texts cite it)").fill("nhs-five-year-forward-view")
    picker.get_by_label("Web address, as the guide prints it").fill(
        "https://www.england.nhs.uk/five-year-forward-view/"
    )
    picker.get_by_role("button", name="Create and cite").click()
    assert text.locator(".mdg-cite").inner_text() == "note: nhs-five-year-forward-view"
    editing.select(text, "these new care models.", collapse_to_end=True)
    form.get_by_role("button", name="Cite a resource…").click()
    picker.get_by_label("Find a resource").fill("national programmes")
    assert picker.get_by_role("status").inner_text() == "1 resource matches."
    editing.shot("editor-resource-picker.png")
    assert editing.axe(browser) == []  # with the picker open
    picker.get_by_role("button", name="national-programmes-of-care").click()
    said = editing.save(form)
    notes = page.locator(f'[data-edit="{five}"] a.note-ref')
    assert notes.count() == 2

    # 4. Add a pull quote, and move it to another section.
    last = f"{CONCLUSION}#{block_pointer(CONCLUSION, 'We hope this guide')}"
    form = editing.open(last)
    form.get_by_label("Add after this one a new").select_option(label="Pull quote")
    form.get_by_role("button", name="Add", exact=True).click()
    new = page.locator("form.mdg-form").last
    assert new.locator(".mdg-form-title").inner_text() == "New pull quote in Conclusion"
    new.get_by_label("Id", exact=True).fill("quote-tell-you-the-truth")
    new.locator("[contenteditable='true']").first.click()
    page.keyboard.type("Find people who will tell you the truth about how you are doing, and listen to them")
    new.get_by_label("Role, e.g. Medical director").fill("Medical director")
    new.get_by_label("Place (optional), e.g. West Midlands").fill("North West")
    new.locator("summary").click()
    new.get_by_label(NEW_ROLE).check()
    editing.save(new)
    quote = f"{CONCLUSION}#/blocks/5"
    assert "Find people who will tell you the truth" in editing.edit_button(quote).inner_text()
    form = editing.open(quote)
    form.get_by_label("Move to the end of").select_option(label="Introduction")
    said = editing.save(form, "Move")
    assert said["message"] == "Saved: Move pull quote to Introduction. The preview shows it."
    intro = json.loads((content / "sections/0-introduction.json").read_text())
    moved = f"sections/0-introduction.json#/blocks/{len(intro['blocks']) - 1}"
    assert page.evaluate("document.activeElement.parentElement.dataset.edit") == moved

    # 5. Tick a role for a paragraph.
    relevant = f"{PREPARE}#{block_pointer(PREPARE, 'Relevant experience coupled')}"
    form = editing.open(relevant)
    form.get_by_label(NEW_ROLE).check()
    editing.save(form)

    # 6. An invalid edit is refused, with the validator's words next to the field; nothing is written.
    before = {p: p.read_bytes() for p in content.rglob("*.json")}
    form = editing.open(moved)
    form.get_by_label("Id", exact=True).fill("Quote Tell")
    form.get_by_role("button", name="Save").click()
    summary = form.locator(".mdg-summary[role='alert']")
    summary.wait_for()
    assert summary.locator(".mdg-summary-title").inner_text() == (
        "Not saved: this edit would make the content invalid (1 error); nothing was saved"
    )
    error = form.locator(".mdg-field-error:visible")
    assert error.count() == 1
    assert form.get_by_label("Id", exact=True).get_attribute("aria-invalid") == "true"
    assert (
        form.get_by_label("Id", exact=True)
        .get_attribute("aria-describedby")
        .endswith(error.get_attribute("id"))
    )
    shown = summary.locator("li").inner_text()
    form.get_by_label("Id", exact=True).scroll_into_view_if_needed()
    editing.shot("editor-refused-edit.png")
    assert editing.axe(browser) == []  # with the problems shown
    assert {p: p.read_bytes() for p in content.rglob("*.json")} == before
    # `mdguide validate` on the same edit made by hand says the very same.
    shadow = repo.parent / "shadow"
    shutil.copytree(content, shadow / "content")
    path = shadow / "content" / "sections/0-introduction.json"
    value = json.loads(path.read_text())
    value["blocks"][-1]["id"] = "Quote Tell"
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    done = subprocess.run([str(MDGUIDE), "validate"], cwd=shadow, capture_output=True, text=True)
    assert shown.startswith(done.stderr.splitlines()[0]), (shown, done.stderr)
    form.get_by_role("button", name="Cancel").click()

    # 7. Undo (the last save: step 5's role).
    undo = page.locator("#mdg-editor").get_by_role("button", name="Undo: Edit paragraph in How do I prepare?")
    page.evaluate("window.__before_reload = true")
    undo.click()
    said = editing.reloaded()
    assert (
        said["message"]
        == "Undone: Edit paragraph in How do I prepare? › Use resources around you. The preview shows it."
    )

    # 8. Publish edition 1.1: see what changed, then the form drafts the note from it.
    page.locator("#mdg-editor").get_by_role("button", name="Changes since the last edition").click()
    changes = page.get_by_role("dialog", name="Changes since the last edition")
    changes.locator(".mdg-headline").first.wait_for()
    headlines = changes.locator(".mdg-headline").all_inner_texts()
    assert "Section 4: paragraph 3 reworded" in headlines, changes.inner_text()
    assert "Resources: new resource “https://www.england.nhs.uk/five-year-forward-view/”" in headlines
    editing.shot("editor-changes-panel.png")
    assert editing.axe(browser) == []
    changes.get_by_role("button", name="Close").click()
    page.locator("#mdg-editor").get_by_role("button", name="New edition…").click()
    dialog = page.get_by_role("dialog", name="New edition")
    dialog.wait_for()
    assert dialog.get_by_label("Version").input_value() == "1.1"
    draft = dialog.get_by_label("Change note (public, editorial)").input_value()
    # The draft is the note `mdguide diff` suggests for the same changes.
    suggested = subprocess.run(
        [str(MDGUIDE), "diff", "HEAD", "--format", "markdown"],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert f'"note": {json.dumps(draft, ensure_ascii=False)}' in suggested, (draft, suggested)
    dialog.get_by_label("Date").fill("2025-03")
    editing.shot("editor-new-edition.png")
    assert editing.axe(browser) == []
    dialog.get_by_label("Change note (public, editorial)").fill(
        "A word in the conclusion, the Five Year Forward View in italics with its own note, and a pull quote "
        "in the introduction."
    )
    page.evaluate("window.__before_reload = true")
    dialog.get_by_role("button", name="Publish this edition").click()
    editing.reloaded()
    assert "Edition 1.1, March 2025" in page.locator("header").inner_text()
    assert editing.problems == []

    # Afterwards: git diff, validate, and a build of the edited content.
    patch = "".join(
        line
        for line in git(repo, "diff", "--", "content").splitlines(keepends=True)
        if not line.startswith("index ")
    )
    if request.config.getoption("--update-golden"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(patch, encoding="utf-8")
    assert patch == GOLDEN.read_text(encoding="utf-8")
    done = subprocess.run([str(MDGUIDE), "validate"], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = build(content, repo / "outputs", ["html", "txt"])
    page_html = next(p for p in report.paths() if p.suffix == ".html")
    tree = lxml_html.parse(str(page_html)).getroot()
    words = " ".join(tree.text_content().split())
    assert "This will be a challenge for medical leaders" in words
    assert "Five Year Forward View" in [e.text_content() for e in tree.iter("em")]
    assert tree.xpath("//a[@href='https://www.england.nhs.uk/five-year-forward-view/']")
    introduction = tree.get_element_by_id("introduction").getparent()
    assert introduction.get_element_by_id("quote-tell-you-the-truth") is not None
    assert "Edition 1.1, March 2025 (this edition)" in words
    text = next(p for p in report.paths() if p.suffix == ".txt").read_text(encoding="utf-8")
    assert (
        "— Medical director, North West" in text
        and "https://www.england.nhs.uk/five-year-forward-view/" in text
    )
    print(
        f"\nsave to updated preview: median {statistics.median(editing.seconds):.2f} s, "
        f"max {max(editing.seconds):.2f} s over {len(editing.seconds)} saves"
    )


def tab_to(page, selector: str, *, limit: int = 600, back: bool = False) -> int:
    """Press Tab (or Shift+Tab) until the focus is on ``selector``; returns how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} not reached with the keyboard in {limit} presses")


def test_keyboard_only_and_nothing_but_its_own_scripts(editor, browser, repo):
    """Every step by keys alone, in a page with its Content-Security-Policy (no script but the editor's)."""
    page = browser.page(editor.url, viewport=(1100, 900))
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        challenge = f"{CONCLUSION}#{block_pointer(CONCLUSION, 'This will be challenge')}"
        button = f'[data-edit="{challenge}"] > .mdg-edit'
        tab_to(page, button)
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.activeElement.getAttribute('role') === 'textbox'")
        for _ in range(3):
            page.keyboard.press("Control+ArrowRight")  # after "This will be"
        page.keyboard.type(" a")
        # Cite a resource from the picker, by keyboard: the Cite button is just before the text.
        page.keyboard.press("Shift+Tab")
        assert page.evaluate("document.activeElement.textContent") == "Cite a resource…"
        page.keyboard.press("Enter")
        page.get_by_role("dialog", name="Cite a resource").wait_for()
        assert page.evaluate("document.activeElement.type") == "search"
        page.keyboard.type("model hospital")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.activeElement.getAttribute('role') === 'textbox'")
        assert page.locator("form.mdg-form .mdg-cite").inner_text() == "note: model-hospital"
        page.keyboard.press("Control+z")  # the text field's own undo takes the citation back out
        assert page.locator("form.mdg-form .mdg-cite").count() == 0
        assert (
            page.locator("form.mdg-form [role=textbox]").inner_text().startswith("This will be a challenge")
        )
        tab_to(page, "form.mdg-form button[type=submit]")
        page.evaluate("window.__before_reload = true")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "() => window.__before_reload === undefined && window.mdguideLastSave", timeout=30_000
        )
        assert page.evaluate(
            "document.activeElement.matches(arguments[0])".replace("arguments[0]", repr(button))
        )
        assert page.get_by_role("status").inner_text().startswith("Saved: Edit paragraph in Conclusion.")
        saved = json.loads((repo / "content" / CONCLUSION).read_text())
        assert any(b.get("text", "").startswith("This will be a challenge") for b in saved["blocks"])

        # Escape closes a form without saving, and the focus goes back to its Edit button.
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.activeElement.getAttribute('role') === 'textbox'")
        page.keyboard.type("Unsaved ")
        page.keyboard.press("Escape")
        assert page.locator("form.mdg-form").count() == 0
        assert page.evaluate(f"document.activeElement.matches({button!r})")

        # Back up to the bar, whose Undo says what it would undo.
        tab_to(page, "#mdg-editor .mdg-bar-row > button:first-of-type", back=True)
        assert page.evaluate("document.activeElement.textContent") == "Undo: Edit paragraph in Conclusion"
    finally:
        page.context.close()
    assert problems == []  # no script errors, no Content-Security-Policy violations


def test_resources_and_readers(editor, editing, browser, repo):
    page = editing.page
    bar = page.locator("#mdg-editor")
    bar.get_by_role("button", name="Resources…").click()
    dialog = page.get_by_role("dialog", name="Resources")
    dialog.get_by_role("button", name="Edit resource model-hospital").click()
    dialog.get_by_label("Current web address, if it has moved").fill("https://model.nhs.uk/")
    editing.shot("editor-resource-form.png")
    assert editing.axe(browser) == []
    editing.save(dialog)
    resources = json.loads((repo / "content" / "resources.json").read_text())
    entry = next(r for r in resources["resources"] if r["id"] == "model-hospital")
    assert entry["current_url"] == "https://model.nhs.uk/"
    assert list(entry)[-1] == "current_url"  # where the model puts it

    bar.get_by_role("button", name="Readers…").click()
    dialog = page.get_by_role("dialog", name="Readers and their handouts")
    dialog.get_by_role("button", name="Edit reader recruiter").click()
    name = dialog.get_by_label("Name (editorial)")
    name.fill("")
    dialog.get_by_role("button", name="Save").click()
    dialog.locator(".mdg-summary li").first.wait_for()
    assert name.get_attribute("aria-invalid") == "true"
    assert editing.axe(browser) == []
    name.fill("Chair, chief executive or HR director appointing a medical director")
    editing.save(dialog)
    roles = json.loads((repo / "content" / "roles.json").read_text())
    assert next(r for r in roles["roles"] if r["id"] == "recruiter")["editorial_name"].endswith(
        "appointing a medical director"
    )
    assert git(repo, "diff", "--stat").count("|") == 2  # resources.json and roles.json, nothing else


PAYLOAD = '"><img src=x onerror="window.__pwned=1">'


def test_content_is_always_text(repo, browser):
    """Markup in every kind of text the editor shows: in the page, forms, labels and the picker."""
    content = repo / "content"

    def change(relpath: str, edit) -> None:
        path = content / relpath
        value = json.loads(path.read_text())
        edit(value)
        path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")

    at = block_pointer(CONCLUSION, "This will be challenge").split("/")[-1]
    change(CONCLUSION, lambda v: v["blocks"][int(at)].update(text=f"This will be {PAYLOAD} challenge"))
    change("resources.json", lambda v: v["resources"][0].update(link_texts=[PAYLOAD]))
    change("roles.json", lambda v: v["roles"][0].update(editorial_name=f"Consultant {PAYLOAD}"))
    change(PREPARE, lambda v: v["blocks"][0]["attribution"].update(place=PAYLOAD))
    with Preview(content, "127.0.0.1", 0, content_display="content", edit=True) as running:
        page = browser.page(running.url, viewport=(1100, 900))
        try:
            page.locator(f'[data-edit="{CONCLUSION}#/blocks/{at}"] > .mdg-edit').click()
            page.get_by_role("button", name="Cite a resource…").click()
            picker = page.get_by_role("dialog", name="Cite a resource")
            picker.get_by_label("Find a resource").fill("onerror")
            assert PAYLOAD in picker.locator(".mdg-choice-detail").first.inner_text()
            picker.get_by_role("button", name="Cancel").click()
            page.locator(f'[data-edit="{PREPARE}#/blocks/0"] > .mdg-edit').click()
            quote = page.locator(f'[data-edit="{PREPARE}#/blocks/0"] + form.mdg-form')
            assert quote.get_by_label("Place (optional), e.g. West Midlands").input_value() == PAYLOAD
            quote.locator("summary").click()
            assert quote.get_by_label(f"Consultant {PAYLOAD}").count() == 1
            paragraph = page.locator(
                f'[data-edit="{CONCLUSION}#/blocks/{at}"] + form.mdg-form [role=textbox]'
            )
            assert PAYLOAD in paragraph.inner_text()  # the text field shows it as text
            assert page.evaluate("window.__pwned") is None
            assert page.locator("img[src='x']").count() == 0
        finally:
            page.context.close()


def first_block(kind: str) -> tuple[str, str, dict]:
    """(file, pointer, block) of the first block of ``kind`` in the real content, in reading order."""
    guide = json.loads((ROOT / "content" / "guide.json").read_text())
    for relpath in guide["sections"]:
        value = json.loads((ROOT / "content" / relpath).read_text())
        stack = [(value, "")]
        while stack:
            node, at = stack.pop(0)
            for i, block in enumerate(node.get("blocks", [])):
                if block["type"] == kind:
                    return relpath, f"{at}/blocks/{i}", block
            stack += [(child, f"{at}/subsections/{i}") for i, child in enumerate(node.get("subsections", []))]
    raise AssertionError(f"no {kind} block in the content")


def test_every_kind_of_part_can_be_edited(editor, editing, browser, repo):
    """A change in each kind of form lands at the right place of the right file, and each form passes axe."""
    page = editing.page
    content = repo / "content"

    def value(relpath: str) -> dict:
        return json.loads((content / relpath).read_text())

    def edit(where: str, change, shot: str | None = None):
        form = editing.open(where)
        form.locator("[contenteditable='true'], input, select").first.wait_for()
        page.wait_for_function("() => document.activeElement.closest('form.mdg-form')")
        change(form)
        assert editing.axe(browser) == [], where
        if shot:
            form.scroll_into_view_if_needed()
            editing.shot(shot)
        said = editing.save(form)
        assert said["message"].startswith("Saved: "), said

    def retype(form, label: str, text: str, nth: int = 0) -> None:
        field = form.get_by_role("textbox", name=label, exact=True).nth(nth)
        field.click()
        page.keyboard.press("Control+a")
        page.keyboard.type(text)

    # A list: change an item, add one, move it up.
    relpath, at, block = first_block("list")

    def list_change(form):
        retype(form, "Item", "the first item, reworded")
        form.get_by_role("button", name="Add item").click()
        page.keyboard.type("a new last item")
        form.get_by_role("button", name=f"Move up Item {len(block['items']) + 1}").click()

    edit(f"{relpath}#{at}", list_change)
    items = value(relpath)
    items = json.loads(json.dumps(items))
    got = next(b for b in _blocks(items) if b.get("items", [None])[0] == "the first item, reworded")
    assert got["items"][1:] == [*block["items"][1:-1], "a new last item", block["items"][-1]]

    # A pull quote's attribution.
    relpath, at, block = first_block("pull-quote")
    edit(f"{relpath}#{at}", lambda form: form.get_by_label("Organisation (optional)").fill("an acute trust"))
    assert _at(value(relpath), at)["attribution"] == {
        **block["attribution"],
        "organisation": "an acute trust",
    }

    # A case study: the person's title, and a paragraph.
    relpath, at, block = first_block("case-study")
    quoted = [b["text"] for r in value("roles.json")["roles"] for b in r["basis"] if b["at"] == block["id"]]
    free = next(
        i for i, p in enumerate(block["paragraphs"]) if not any(q in p for q in quoted)
    )  # no role quotes it

    def case(form):
        form.get_by_label("Title", exact=True).fill("Medical director (retired)")
        retype(form, "Paragraph", "One paragraph now.", nth=free)

    edit(f"{relpath}#{at}", case, "editor-case-study-form.png")
    got = _at(value(relpath), at)
    assert (
        got["person"]["title"] == "Medical director (retired)"
        and got["paragraphs"][free] == "One paragraph now."
    )
    assert (
        got["paragraphs"][:free] + got["paragraphs"][free + 1 :]
        == block["paragraphs"][:free] + block["paragraphs"][free + 1 :]
    )

    # A figure: its caption and description live in figures.json.
    relpath, at, block = first_block("figure")
    figures_before = value("figures.json")
    edit(
        f"{relpath}#{at}",
        lambda form: form.get_by_label("Caption (without “Figure N:”, which is numbered for you)").fill(
            "A new caption"
        ),
    )
    figure = next(f for f in value("figures.json")["figures"] if f["id"] == block["figure"])
    assert figure["caption"] == "A new caption"
    assert value("figures.json")["figures"] != figures_before["figures"]

    # A criterion of the person specification: a new prompting question.
    spec = value("person-specification.json")

    def criterion(form):
        form.get_by_role("button", name="Add question").click()
        page.keyboard.type("What would you do first?")

    edit("person-specification.json#/groups/0/criteria/0", criterion)
    questions = value("person-specification.json")["groups"][0]["criteria"][0]["questions"]
    assert questions == [*spec["groups"][0]["criteria"][0]["questions"], "What would you do first?"]

    # The opening line of a group, a foreword paragraph, the back matter's social media line.
    edit(
        "person-specification.json#/groups/1",
        lambda form: retype(form, "Opening line", "Applicants must know:"),
    )
    assert value("person-specification.json")["groups"][1]["lead"] == "Applicants must know:"
    edit("foreword.json#/paragraphs/0", lambda form: retype(form, "Paragraph", "A new first paragraph."))
    assert value("foreword.json")["paragraphs"][0] == "A new first paragraph."
    edit("back-matter.json#/social", lambda form: retype(form, "Paragraph", "Follow us."))
    assert value("back-matter.json")["social"] == "Follow us."

    # This edition's note, from the page that lists the editions.
    edit(
        "guide.json#/edition",
        lambda form: form.get_by_label("Change note (public, editorial)").fill("The first."),
    )
    assert value("guide.json")["edition"]["note"] == "The first."

    # An editorial note, added after a paragraph.
    relpath, at, block = first_block("paragraph")

    def add_note(form):
        form.get_by_label("Add after this one a new").select_option(label="Editorial note")
        form.get_by_role("button", name="Add", exact=True).click()
        page.wait_for_function("() => document.activeElement.getAttribute('role') === 'textbox'")
        page.keyboard.type("Our own words.")

    before = (content / relpath).read_bytes()
    form = editing.open(f"{relpath}#{at}")
    add_note(form)
    editing.save(page.locator("form.mdg-form", has_text="New editorial note"))
    index = int(at.rsplit("/", 1)[1]) + 1
    assert _at(value(relpath), f"{at.rsplit('/', 1)[0]}/{index}") == {
        "type": "editorial-note",
        "text": "Our own words.",
    }
    subprocess.run([str(MDGUIDE), "validate"], cwd=repo, check=True, capture_output=True)

    # ... and deleted again: the section file is as it was.
    form = editing.open(f"{relpath}#{at.rsplit('/', 1)[0]}/{index}")
    form.get_by_role("button", name="Delete…").click()
    assert page.evaluate("document.activeElement.textContent") == "Delete this editorial note"
    page.evaluate("window.__before_reload = true")
    page.keyboard.press("Enter")
    said = editing.reloaded()
    assert said["message"] == "Saved: Delete editorial note. The preview shows it."
    assert (content / relpath).read_bytes() == before


def _at(value: dict, pointer: str):
    for token in pointer.split("/")[1:]:
        value = value[int(token)] if isinstance(value, list) else value[token]
    return value


def _blocks(node: dict):
    yield from node.get("blocks", [])
    for child in node.get("subsections", []):
        yield from _blocks(child)


def test_a_conflict_offers_the_version_on_disk(editor, editing, browser, repo):
    """Another editor saves the same file while a form is open: the save is refused, nothing overwritten."""
    page = editing.page
    where = block_pointer(CONCLUSION, "This will be challenge")
    form = editing.open(f"{CONCLUSION}#{where}")
    editing.select(form.locator("[contenteditable='true']").first, "challenge")
    page.keyboard.type("a challenge")
    path = repo / "content" / CONCLUSION
    theirs = json.loads(path.read_text())
    _at(theirs, where)["text"] = "Another editor's sentence."
    path.write_text(json.dumps(theirs, indent=2, ensure_ascii=False) + "\n")
    status = page.get_by_role("status")
    page.wait_for_function(
        "() => document.querySelector('.mdg-status').textContent.startsWith('The guide changed')"
    )
    assert (
        status.inner_text()
        == "The guide changed on disk. Save or cancel your edit, then reload the page to see it."
    )
    form.get_by_role("button", name="Save").click()
    summary = form.locator(".mdg-summary")
    summary.locator("blockquote").wait_for()
    assert summary.locator(".mdg-summary-title").inner_text() == (
        "Not saved: content/sections/4-conclusion.json changed on disk since the page was shown "
        "(another editor, or a git pull); nothing was saved"
    )
    assert summary.locator("blockquote").inner_text() == "Another editor's sentence."
    assert (
        form.get_by_role("textbox", name="Paragraph").inner_text().startswith("This will be a challenge")
    )  # kept
    assert editing.axe(browser) == []
    assert _at(json.loads(path.read_text()), where)["text"] == "Another editor's sentence."
    page.evaluate("window.__before_reload = true")
    summary.get_by_role(
        "button", name="Show the version on disk (your edit in this form is discarded)"
    ).click()
    page.wait_for_function("() => window.__before_reload === undefined")
    assert "Another editor's sentence." in page.locator("main").inner_text()


def test_a_save_answered_after_its_rebuild_still_shows_the_rebuilt_page(editor, editing, repo, monkeypatch):
    """The preview can announce a save's rebuild before the save's answer reaches the page.

    The page must wait for the answer, not take its own save for another editor's change and
    ask to "save or cancel" an edit that is saved.  Here the answer is held back until the
    rebuild has been announced, so the event always comes first.
    """
    real = editor.api.handle

    def answered_late(method, path, *args):
        before = editor.generation
        answer = real(method, path, *args)
        if method == "POST" and path.endswith("/save"):
            deadline = time.monotonic() + 20
            while editor.generation == before and time.monotonic() < deadline:
                time.sleep(0.01)
            assert editor.generation != before, "the save was not rebuilt"
            time.sleep(0.3)  # the event reaches the page before this answer does
        return answer

    monkeypatch.setattr(editor.api, "handle", answered_late)
    where = block_pointer(CONCLUSION, "This will be challenge")
    form = editing.open(f"{CONCLUSION}#{where}")
    editing.select(form.locator("[contenteditable='true']").first, "challenge")
    editing.page.keyboard.type("a great challenge")
    said = editing.save(form)
    assert said["message"].startswith("Saved: "), said
    assert "a great challenge" in editing.page.locator("main").inner_text()
    assert "a great challenge" in (repo / "content" / CONCLUSION).read_text(encoding="utf-8")


def test_edition_marks(repo, browser):
    """Words changed for edition 1.1 are marked so: the page says "Revised in 1.1" before them."""
    content = repo / "content"
    guide = json.loads((content / "guide.json").read_text())
    guide["history"] = [guide["edition"], *guide.get("history", [])]
    guide["edition"] = {"version": "1.1", "date": "2025-03"}
    (content / "guide.json").write_text(json.dumps(guide, indent=2, ensure_ascii=False) + "\n")
    at = block_pointer(CONCLUSION, "This will be challenge")
    with Preview(content, "127.0.0.1", 0, content_display="content", edit=True) as running:
        editing = Editing(browser.page(running.url, viewport=(1100, 900), bypass_csp=True), None)
        try:
            form = editing.open(f"{CONCLUSION}#{at}")
            editing.select(form.locator("[contenteditable='true']").first, "challenge")
            editing.page.keyboard.type("a challenge")
            form.get_by_label("Words changed in").select_option(label="Edition 1.1")
            assert editing.axe(browser) == []
            editing.save(form)
            marked = editing.page.locator(f'[data-edit="{CONCLUSION}#{at}"]')
            assert marked.locator(".edition-mark").inner_text() == "Revised in 1.1"
            name = " ".join(marked.locator(".mdg-edit").text_content().split())
            assert name.startswith("Edit paragraph: Revised in 1.1 This will be a challenge")
        finally:
            editing.page.context.close()
    block = _at(json.loads((content / CONCLUSION).read_text()), at)
    assert list(block) == ["type", "revised", "text"] and block["revised"] == "1.1"
