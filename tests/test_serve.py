"""`mdguide serve`: a real server on a free port, real edits, a real browser.

The preview runs in this process (a thread) for most tests and as the real
command (a subprocess) for one; the browser is the session's shared Chromium.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import edit_json
from mdguide_build.tools.serve import EVENTS_PATH, STATUS_PATH, Preview, PreviewError

ROOT = Path(__file__).resolve().parent.parent
S3 = "sections/3-how-do-i-prepare.json"
RESILIENCE_START = "Resilience is an ability to use personal qualities"
SCREENSHOTS = (
    Path(os.environ.get("MDGUIDE_SCREENSHOTS", "")) if os.environ.get("MDGUIDE_SCREENSHOTS") else None
)


def fetch(url: str) -> tuple[int, dict[str, str], str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, dict(response.headers), response.read().decode("utf-8")


def status(preview: Preview) -> dict:
    return json.loads(fetch(preview.url.rstrip("/") + STATUS_PATH)[2])


def wait_for_generation(preview: Preview, after: int, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = status(preview)
        if now["generation"] > after:
            return now
        time.sleep(0.05)
    raise AssertionError(f"no rebuild within {timeout} s (still generation {after})")


def resilience(data: dict) -> dict:
    courses = next(s for s in data["subsections"] if s["id"] == "courses-and-tools")
    return next(s for s in courses["subsections"] if s["id"] == "resilience")


def reword(new: str):
    def change(data: dict) -> None:
        first = next(b for b in resilience(data)["blocks"] if b["type"] == "paragraph")
        first["text"] = first["text"].replace("Resilience is an ability", new)

    return change


def break_it(data: dict) -> None:
    """An unknown field whose name looks like markup: the error page must show it as text."""
    resilience(data)["blocks"][1]["<b>bold</b>"] = "<script>alert(1)</script>"


@pytest.fixture
def preview(content_copy):
    with Preview(content_copy, "127.0.0.1", 0, content_display="content") as running:
        yield running
    assert not running.work_dir.exists()  # the private build folder goes with it


def test_serves_the_guide_with_reload_script_only_when_served(preview, content_copy):
    code, headers, page = fetch(preview.url)
    assert code == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert RESILIENCE_START in page
    scripts = re.findall(r"<script[^>]*>", page)
    nonce = re.search(r"'nonce-([^']+)'", headers["Content-Security-Policy"]).group(1)
    assert scripts == [f'<script nonce="{nonce}">']
    assert "script-src 'nonce-" in headers["Content-Security-Policy"]
    built = list(preview.work_dir.rglob("*.html"))
    assert len(built) == 1 and "<script" not in built[0].read_text(encoding="utf-8")
    assert ROOT not in built[0].parents  # a private folder, not outputs/
    assert fetch(preview.url)[2] != page  # a fresh nonce for every page
    with pytest.raises(urllib.error.HTTPError) as missing:
        fetch(preview.url + "../etc/passwd")
    assert missing.value.code == 404
    assert preview.url.startswith("http://127.0.0.1:")


def test_rebuilds_on_save_and_tells_the_page(preview, content_copy):
    before = status(preview)
    assert before["ok"] is True
    events = urllib.request.urlopen(
        f"{preview.url.rstrip('/')}{EVENTS_PATH}?since={before['generation']}", timeout=20
    )
    assert events.readline() == b"retry: 500\n"
    edit_json(content_copy / S3, reword("Resilience, as we use the word here, is an ability"))
    wait_for_generation(preview, before["generation"])
    message = next(line for line in iter(events.readline, b"") if line.strip())  # skip the blank separators
    events.close()
    assert message.startswith(b"data: ") and int(message[6:]) > before["generation"]
    assert "Resilience, as we use the word here, is an ability" in fetch(preview.url)[2]


def test_errors_replace_the_page_with_file_and_line(preview, content_copy):
    generation = status(preview)["generation"]
    edit_json(content_copy / S3, break_it)
    now = wait_for_generation(preview, generation)
    assert now["ok"] is False and now["errors"] >= 1
    page = fetch(preview.url)[2]
    tree = lxml_html.fromstring(page)
    assert tree.findtext(".//h1") == "The preview could not be rebuilt"
    places = [span.text for span in tree.findall(".//span[@class='place']")]
    line = next(
        i for i, text in enumerate((content_copy / S3).read_text().splitlines(), 1) if "<b>bold</b>" in text
    )
    assert any(p.startswith(f"content/{S3}:{line}:") for p in places), places
    assert "<b>bold</b>" in tree.text_content()  # shown as text …
    assert tree.find(".//b") is None and len(tree.findall(".//script")) == 1  # … never as markup

    edit_json(content_copy / S3, lambda data: resilience(data)["blocks"][1].pop("<b>bold</b>"))
    assert wait_for_generation(preview, now["generation"])["ok"] is True
    assert RESILIENCE_START in fetch(preview.url)[2]


def test_in_a_real_browser(preview, content_copy, browser, tmp_path):
    shots = SCREENSHOTS or tmp_path
    page = browser.page(preview.url, viewport=(1100, 900))
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        assert page.title().startswith("The medical director")
        page.locator("#resilience").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "preview-guide.png"))

        # The editor saves a change: the open page reloads by itself and shows it.
        page.evaluate("window.__before_reload = true")
        edit_json(content_copy / S3, reword("Resilience is, above all, an ability"))
        page.wait_for_function(
            "() => document.body.innerText.includes('Resilience is, above all, an ability')", timeout=20_000
        )
        assert page.evaluate("window.__before_reload === undefined")  # a real reload, not a patch
        page.locator("#resilience").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "preview-after-save.png"))

        # The editor breaks the content: the page turns into the list of errors.
        edit_json(content_copy / S3, break_it)
        page.wait_for_function(
            "() => document.title.startsWith('Preview: the content has errors')", timeout=20_000
        )
        first = page.locator("li").first.inner_text()
        assert first.startswith(f"content/{S3}:") and "<b>bold</b>" in first
        page.screenshot(path=str(shots / "preview-error.png"))

        # Fixed again: back to the guide, no reload needed by hand.
        edit_json(content_copy / S3, lambda data: resilience(data)["blocks"][1].pop("<b>bold</b>"))
        page.wait_for_function("() => document.title.startsWith('The medical director')", timeout=20_000)
    finally:
        page.context.close()
    assert problems == []  # no script errors, no Content-Security-Policy violations
    for name in ("preview-guide.png", "preview-after-save.png", "preview-error.png"):
        assert (shots / name).stat().st_size > 10_000


def test_the_command_runs_and_stops_cleanly(content_copy):
    mdguide = Path(sys.executable).parent / "mdguide"
    process = subprocess.Popen(
        [str(mdguide), "serve", "--content", str(content_copy), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        match = re.fullmatch(r"Serving (http://127\.0\.0\.1:\d+/) \(Ctrl\+C to stop\)\n", line)
        assert match, line
        assert RESILIENCE_START in fetch(match.group(1))[2]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
        err = process.stderr.read()
        assert "start: built the preview in" in err and err.rstrip().endswith("Stopped.")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_busy_port_is_explained(preview, content_copy):
    port = int(preview.url.rsplit(":", 1)[1].strip("/"))
    with pytest.raises(
        PreviewError, match=rf"cannot listen on 127\.0\.0\.1:{port}: .*--port 0 for any free one"
    ):
        Preview(content_copy, "127.0.0.1", port).start()


def test_a_missing_folder_is_explained(tmp_path):
    with pytest.raises(PreviewError, match="is not a folder"):
        Preview(tmp_path / "nowhere").start()


def test_help_has_examples():
    from click.testing import CliRunner

    from mdguide_build.cli import main

    assert "mdguide serve --port 8001" in CliRunner().invoke(main, ["serve", "--help"]).output
