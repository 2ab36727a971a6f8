"""`mdguide serve`: a real server on a free port, real edits, a real browser.

The preview runs in this process (a thread) for most tests and as the real
command (a subprocess) for one; the browser is the session's shared Chromium.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
import urllib.request
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import edit_json
from mdguide_build.tools.serve import EVENTS_PATH, STATUS_PATH, Preview, PreviewError
from serving import served

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
    with served(content_copy) as (process, url):
        assert RESILIENCE_START in fetch(url)[2]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
        err = process.stderr.read()
        assert "start: built the preview in" in err and err.rstrip().endswith("Stopped.")


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


# --- issue 11 §6: the preview always shows the current content or the current error --------------


def raw_request(preview: Preview, lines: list[str], body: bytes = b"") -> tuple[int, str]:
    """A request with exactly these header lines (http.client would fix a bad Host for us)."""
    import socket

    port = preview.server.server_address[1]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, text = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), text.decode("utf-8", "replace")


def test_a_control_character_shows_as_an_error_and_the_preview_goes_on(preview, content_copy):
    """It froze for good: the error page itself failed on an ESC in the content (lxml refuses it)."""
    generation = status(preview)["generation"]

    def escape_in_a_key(data: dict) -> None:
        resilience(data)["blocks"][1]["\x1b[2Jtext"] = "x"  # E202 quotes the unknown key

    edit_json(content_copy / S3, escape_in_a_key)
    now = wait_for_generation(preview, generation)
    assert now["ok"] is False and now["errors"] >= 1
    page = fetch(preview.url)[2]
    assert "The preview could not be rebuilt" in page
    assert "\x1b" not in page and 'unknown field "\\u001b[2Jtext"' in page  # shown as text, harmless
    assert f"content/{S3}:" in page

    edit_json(content_copy / S3, lambda data: resilience(data)["blocks"][1].pop("\x1b[2Jtext"))
    edit_json(content_copy / S3, reword("Resilience is, now, an ability"))  # fixed: the guide comes back
    assert wait_for_generation(preview, now["generation"])["ok"] is True
    assert "Resilience is, now, an ability" in fetch(preview.url)[2]


def test_an_undo_shows_the_undone_text_even_with_the_same_size_and_time(preview, content_copy):
    """issue 11 §1: `git restore` after an edit; the preview logged a build but showed the edit."""
    path = content_copy / S3
    original = path.read_bytes()
    generation = status(preview)["generation"]
    edited = original.replace(b"Resilience is an ability", b"Resilience is an abiliTY")
    assert len(edited) == len(original)
    path.write_bytes(edited)
    seen = path.stat()
    generation = wait_for_generation(preview, generation)["generation"]
    assert "Resilience is an abiliTY" in fetch(preview.url)[2]
    path.write_bytes(original)
    # Same size, and the same time as the edit the page shows (a clock tick on a coarse file system).
    os.utime(path, ns=(seen.st_atime_ns, seen.st_mtime_ns))
    wait_for_generation(preview, generation)
    page = fetch(preview.url)[2]
    assert RESILIENCE_START in page and "abiliTY" not in page


@pytest.mark.parametrize(
    "host", ["attacker.example:{port}", "localhost.attacker.example:{port}", "127.0.0.1:1", ""]
)
def test_only_loopback_names_are_answered(preview, host):
    port = preview.server.server_address[1]
    lines = ["GET / HTTP/1.1", f"Host: {host.format(port=port)}"] if host else ["GET / HTTP/1.0"]
    code, text = raw_request(preview, lines)
    assert code == 403
    assert text == "Refused: this preview answers only to http://127.0.0.1 (or localhost) on its own port.\n"
    for name in ("127.0.0.1", "localhost", "[::1]"):
        assert raw_request(preview, ["GET / HTTP/1.1", f"Host: {name}:{port}"])[0] == 200


@pytest.mark.parametrize("since", ["abc", "²", "-1", "1e3", "", "9" * 40])
def test_a_malformed_since_is_a_clear_400(preview, since):
    port = preview.server.server_address[1]
    from urllib.parse import quote

    code, text = raw_request(
        preview, [f"GET {EVENTS_PATH}?since={quote(since)} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    )
    assert code == 400
    assert text == "Bad request: ?since= must be a whole number, the build the page shows (e.g. ?since=3).\n"


def test_connections_time_out_and_are_bounded(content_copy, monkeypatch):
    import socket

    from mdguide_build.tools import serve

    monkeypatch.setattr(serve, "MAX_CONNECTIONS", 3)
    monkeypatch.setattr(serve._Handler, "timeout", 1.0)
    with Preview(content_copy, "127.0.0.1", 0) as running:
        port = running.server.server_address[1]
        idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(3)]
        for sock in idle:
            sock.sendall(b"GET / HTTP/1.1\r\n")  # and never finish the request
        time.sleep(0.3)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as extra:
            assert extra.recv(100).startswith(b"HTTP/1.1 503 Service Unavailable")  # no thread for it
        for sock in idle:  # each stalled one is closed by its timeout ...
            assert sock.recv(100) == b""
            sock.close()
        assert RESILIENCE_START in fetch(running.url)[2]  # ... and the preview answers again


def test_no_traceback_when_browsers_go_away(content_copy):
    """Closed mid-answer, or mid-request: nothing on the terminal but the builds."""
    import socket

    with served(content_copy) as (process, url):
        port = int(url.rsplit(":", 1)[1].strip("/"))
        for request in (
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % port,
            b"GET /__mdguide/events?since=1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % port,
            b"GET / HTT",
        ):
            for _ in range(5):
                sock = socket.create_connection(("127.0.0.1", port))
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                sock.sendall(request)
                sock.close()  # a reset, at once
        time.sleep(1)
        assert RESILIENCE_START in fetch(url)[2]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
        err = process.stderr.read()
        assert "Traceback" not in err and "Error" not in err, err
        assert err.splitlines() == [err.splitlines()[0], "Stopped."]


def work_dirs(pid: int) -> list[Path]:
    import tempfile

    return list(Path(tempfile.gettempdir()).glob(f"mdguide-preview-{pid}-*"))


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_the_temporary_folder_goes_on_every_stop(content_copy, stop):
    with served(content_copy) as (process, _url):
        folders = work_dirs(process.pid)
        assert len(folders) == 1 and (folders[0] / "page.html").is_file()
        process.send_signal(stop)
        assert process.wait(timeout=15) == 0
        assert process.stderr.read().rstrip().endswith("Stopped.")
        assert not folders[0].exists()


def test_a_killed_previews_folder_is_removed_by_the_next(content_copy):
    with served(content_copy) as (process, _url):
        folders = work_dirs(process.pid)
        process.kill()  # SIGKILL: nothing can clean up
        process.wait()
    assert len(folders) == 1 and folders[0].exists()
    with Preview(content_copy, "127.0.0.1", 0):
        assert not folders[0].exists()


def test_outputs_never_carry_the_editors_marks(content_copy, tmp_path, preview):
    from mdguide_build.build import build

    page = build(content_copy, tmp_path / "out", ["html"]).paths()[0].read_text(encoding="utf-8")
    assert "data-edit" not in page and "mdguide-editable" not in page
    assert "data-edit" not in fetch(preview.url)[2]  # nor the preview without --edit


def test_file_names_reach_the_terminal_harmless(content_copy):
    """A saved file named with an escape sequence (it would set the terminal's title) is logged as text."""
    with served(content_copy) as (process, url):
        generation = json.loads(fetch(url.rstrip("/") + STATUS_PATH)[2])["generation"]
        (content_copy / "sections" / "\x1b]0;pwned\x07.json").write_text("{}\n")  # a new file: a rebuild
        deadline = time.monotonic() + 20
        while json.loads(fetch(url.rstrip("/") + STATUS_PATH)[2])["generation"] == generation:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
        err = process.stderr.read()
        assert "\x1b" not in err and "\x07" not in err
        assert "saved sections/\\u001b]0;pwned\\u0007.json: built the preview in" in err, err
