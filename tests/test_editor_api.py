"""The editor's server (`mdguide serve --edit`), attacked and used through HTTP.

Every request is a real one to a real server on a free port, over a private
copy of content/.  Expectations come from content/ itself and from running
`mdguide validate` on the same files, never from the editor's own code.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mdguide_build.tools.serve import Preview, PreviewError

MDGUIDE = Path(sys.executable).parent / "mdguide"
CONCLUSION = "sections/4-conclusion.json"
CHALLENGE = "This will be challenge for medical leaders"


class Client:
    """Requests as the editor's page makes them, unless a test says otherwise."""

    def __init__(self, preview: Preview):
        self.preview = preview
        self.port = preview.server.server_address[1]
        self.token = preview.api.token

    def request(
        self,
        method: str,
        path: str,
        body: object = None,
        *,
        headers: dict | None = None,
        raw: bytes | None = None,
    ) -> tuple[int, dict | str]:
        sent = {
            "Host": f"127.0.0.1:{self.port}",
            "Origin": f"http://127.0.0.1:{self.port}",
            "X-Mdguide-Token": self.token,
            "Content-Type": "application/json",
            "Sec-Fetch-Site": "same-origin",
        }
        sent.update(headers or {})
        sent = {k: v for k, v in sent.items() if v is not None}
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8")
        finally:
            connection.close()
        kind = response.getheader("Content-Type", "")
        return response.status, json.loads(text) if kind.startswith("application/json") else text

    def load(self, relpath: str) -> dict:
        status, answer = self.request("GET", f"/__mdguide/api/file?path={relpath}")
        assert status == 200, answer
        return answer

    def save(self, relpath: str, ops: list, *, base: str | None = None, label: str = "test edit", **kw):
        base = base or self.load(relpath)["digest"]
        return self.request(
            "POST",
            "/__mdguide/api/save",
            {"label": label, "edits": [{"file": relpath, "base": base, "ops": ops}]},
            **kw,
        )


@pytest.fixture
def editor(content_copy):
    with Preview(content_copy, "127.0.0.1", 0, content_display="content", edit=True) as running:
        yield running


@pytest.fixture
def client(editor) -> Client:
    return Client(editor)


def digest_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def conclusion_paragraph(value: dict) -> int:
    return next(i for i, b in enumerate(value["blocks"]) if b.get("text", "").startswith(CHALLENGE))


# Where that paragraph is in the real content.
AT = conclusion_paragraph(json.loads((Path(__file__).parent.parent / "content" / CONCLUSION).read_text()))


def reword_ops(client: Client, new: str) -> list:
    return [{"op": "replace", "path": f"/blocks/{AT}/text", "value": {"$runs": [{"text": new}]}}]


# --- using it --------------------------------------------------------------------------


def test_a_save_writes_one_line_in_the_projects_own_form(client, content_copy):
    path = content_copy / CONCLUSION
    before = path.read_text(encoding="utf-8")
    old = next(b["text"] for b in json.loads(before)["blocks"] if b.get("text", "").startswith(CHALLENGE))
    new = old.replace("be challenge", "be a challenge")
    status, answer = client.save(CONCLUSION, reword_ops(client, new), label="Change a word")
    assert status == 200 and answer["saved"] is True, answer
    after = path.read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert changed == [
        (
            f'      "text": {json.dumps(old, ensure_ascii=False)}',
            f'      "text": {json.dumps(new, ensure_ascii=False)}',
        )
    ]
    assert after.endswith("}\n") and "\\u" not in after  # final newline, UTF-8 without escapes
    assert answer["digests"] == {CONCLUSION: digest_of(path)}
    assert answer["undo"] == "Change a word" and answer["redo"] is None


def test_a_save_reports_the_warnings_it_brought_not_those_already_there(client, content_copy):
    """content/ has no published address yet (W322): saying so after every save would drown the rest."""
    assert "published_url" not in json.loads(
        (content_copy / "guide.json").read_text()
    )  # W322 before and after
    status, answer = client.save(CONCLUSION, reword_ops(client, "A new sentence."), label="Reword")
    assert status == 200 and answer["saved"] is True, answer
    assert answer["warnings"] == []
    status, answer = client.save(CONCLUSION, reword_ops(client, "Click <b>here</b>."), label="Markup")
    assert status == 200 and answer["saved"] is True, answer
    assert [w["code"] for w in answer["warnings"]] == ["W301"]


def test_saving_what_is_there_changes_no_byte(client, content_copy):
    """Every text of every file saved as the editor would send it (its runs): nothing is written."""
    before = snapshot(content_copy)
    state = client.request("GET", "/__mdguide/api/state")[1]
    for relpath in state["files"]:
        loaded = client.load(relpath)
        ops = [
            {"op": "replace", "path": pointer, "value": {"$runs": runs}}
            for pointer, runs in loaded["runs"].items()
        ]
        ops += [
            {"op": "replace", "path": f"/{key}", "value": value}
            for key, value in loaded["value"].items()
            if key != "$schema"
        ]
        status, answer = client.save(relpath, ops, base=loaded["digest"])
        assert (status, answer["saved"]) == (200, False), (relpath, answer)
        assert answer["message"] == "Nothing changed, so nothing was saved."
    assert snapshot(content_copy) == before


def test_an_invalid_edit_is_refused_with_the_validators_own_words(client, content_copy, tmp_path):
    path = content_copy / CONCLUSION
    before = path.read_bytes()
    value = json.loads(before)
    at = conclusion_paragraph(value)
    ops = [
        {
            "op": "replace",
            "path": f"/blocks/{at}/text",
            "value": {"$runs": [{"text": "See "}, {"cite": "no-such-resource"}]},
        }
    ]
    status, answer = client.save(CONCLUSION, ops)
    assert status == 422
    assert answer["error"] == "this edit would make the content invalid (1 error); nothing was saved"
    assert path.read_bytes() == before  # nothing written

    # The same edit made by hand in a copy: `mdguide validate` says exactly what the editor said.
    shadow = tmp_path / "shadow"
    shutil.copytree(content_copy, shadow / "content")
    value["blocks"][at]["text"] = "See [^no-such-resource]"
    (shadow / "content" / CONCLUSION).write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    done = subprocess.run([str(MDGUIDE), "validate"], cwd=shadow, capture_output=True, text=True)
    expected = [line for line in done.stderr.splitlines() if re.match(r"content/.*: E\d+ ", line)]
    assert [p["text"] for p in answer["problems"]] == expected
    assert expected[0].startswith(f"content/{CONCLUSION}:") and " E302 " in expected[0]
    assert answer["problems"][0]["pointer"] == f"/blocks/{at}/text"


def test_undo_and_redo_the_sessions_saves(client, content_copy):
    path = content_copy / CONCLUSION
    original = path.read_bytes()
    client.save(CONCLUSION, reword_ops(client, "One."), label="first")
    first = path.read_bytes()
    client.save(CONCLUSION, reword_ops(client, "Two."), label="second")
    status, answer = client.request("POST", "/__mdguide/api/undo", {})
    assert status == 200 and answer["message"] == "Undone: second." and path.read_bytes() == first
    assert (answer["undo"], answer["redo"]) == ("first", "second")
    client.request("POST", "/__mdguide/api/undo", {})
    assert path.read_bytes() == original
    status, answer = client.request("POST", "/__mdguide/api/undo", {})
    assert (status, answer["error"]) == (409, "there is nothing to undo")
    client.request("POST", "/__mdguide/api/redo", {})
    assert path.read_bytes() == first


def test_a_file_changed_on_disk_is_never_overwritten(client, content_copy):
    path = content_copy / CONCLUSION
    loaded = client.load(CONCLUSION)
    at = conclusion_paragraph(loaded["value"])
    theirs = json.loads(path.read_text())
    theirs["blocks"][at]["text"] = "Another editor's words."
    path.write_text(json.dumps(theirs, indent=2, ensure_ascii=False) + "\n")  # e.g. a git pull
    on_disk = path.read_bytes()
    ops = [{"op": "replace", "path": f"/blocks/{at}/text", "value": {"$runs": [{"text": "My words."}]}}]
    status, answer = client.save(CONCLUSION, ops, base=loaded["digest"])
    assert status == 409
    assert answer["error"] == (
        "content/sections/4-conclusion.json changed on disk since the page was shown "
        "(another editor, or a git pull); nothing was saved"
    )
    assert answer["conflict"]["on_disk"] == {f"/blocks/{at}/text": "Another editor's words."}
    assert answer["conflict"]["digest"] == digest_of(path)
    assert path.read_bytes() == on_disk

    # Undo is refused too once the file has changed since the save it would undo.
    client.save(CONCLUSION, ops)
    theirs["blocks"][at]["text"] = "Changed again."
    path.write_text(json.dumps(theirs, indent=2, ensure_ascii=False) + "\n")
    status, answer = client.request("POST", "/__mdguide/api/undo", {})
    assert status == 409 and "changed on disk after “test edit”" in answer["error"]
    assert json.loads(path.read_text())["blocks"][at]["text"] == "Changed again."


def test_a_new_edition_moves_the_current_one_into_the_history(client, content_copy):
    guide = content_copy / "guide.json"
    before = json.loads(guide.read_text())
    status, answer = client.request(
        "POST",
        "/__mdguide/api/edition",
        {"base": digest_of(guide), "version": "1.0", "date": "2025-03", "note": "x"},
    )
    assert status == 422 and answer["problems"][0]["pointer"] == "/edition/version"
    status, answer = client.request(
        "POST",
        "/__mdguide/api/edition",
        {"base": digest_of(guide), "version": "1.1", "date": "2025-03", "note": "A word in the conclusion."},
    )
    assert status == 200, answer
    after = json.loads(guide.read_text())
    assert after["edition"] == {"version": "1.1", "date": "2025-03", "note": "A word in the conclusion."}
    assert after["history"] == [before["edition"], *before["history"]]
    assert list(after) == list(before)  # no key moved


# --- attacking it ----------------------------------------------------------------------


def test_it_listens_on_loopback_only(content_copy):
    with pytest.raises(PreviewError, match=r"the editor listens only on 127\.0\.0\.1, not 0\.0\.0\.0"):
        Preview(content_copy, "0.0.0.0", 0, edit=True).start()
    done = subprocess.run(
        [str(MDGUIDE), "serve", "--edit", "--host", "0.0.0.0", "--content", str(content_copy)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr == (
        "Error: the editor listens only on 127.0.0.1, not 0.0.0.0: it can change the content "
        "(hint: leave out --host)\n"
    )


@pytest.mark.parametrize(
    "host",
    [
        "attacker.example:{port}",
        "attacker.example",
        "127.0.0.1.nip.io:{port}",
        "127.0.0.1:1",
        "192.168.1.20:{port}",
        "",
    ],
)
def test_a_rebound_name_is_refused(client, content_copy, host):
    """DNS rebinding: a page at attacker.example whose name now resolves to 127.0.0.1."""
    before = snapshot(content_copy)
    headers = {"Host": host.format(port=client.port)}
    for method, path, body in (
        ("GET", "/", None),
        ("GET", "/__mdguide/api/state", None),
        ("POST", "/__mdguide/api/undo", {}),
    ):
        status, answer = client.request(method, path, body, headers=headers)
        assert status == 403, (method, path)
        assert (
            answer
            == "Refused: this preview answers only to http://127.0.0.1 (or localhost) on its own port.\n"
        )
    status, answer = client.save(CONCLUSION, reword_ops(client, "Pwned."), headers=headers)
    assert status == 403 and snapshot(content_copy) == before
    for good in (f"localhost:{client.port}", f"127.0.0.1:{client.port}", f"[::1]:{client.port}"):
        assert client.request("GET", "/", headers={"Host": good})[0] == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Mdguide-Token": None},  # a page that does not have the token (any other site)
        {"X-Mdguide-Token": "guessed"},
        {"Origin": "http://attacker.example"},  # another site's page, even with the token
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Content-Type": "text/plain"},  # what a plain HTML form of another site can send
        {"Content-Type": "application/x-www-form-urlencoded"},
    ],
)
def test_writes_need_the_token_and_the_pages_own_origin(client, content_copy, headers):
    before = snapshot(content_copy)
    ops = reword_ops(client, "Pwned.")
    status, answer = client.save(CONCLUSION, ops, headers=headers)
    assert status in (403, 415), answer
    assert answer["error"] in (
        "this request does not carry the editor's token",
        "requests from other web sites are refused",
        "the editor accepts only JSON",
    )
    for verb in ("undo", "redo", "edition"):
        assert client.request("POST", f"/__mdguide/api/{verb}", {}, headers=headers)[0] in (403, 415)
    assert snapshot(content_copy) == before
    if "X-Mdguide-Token" in headers:  # reading needs the token too
        assert client.request("GET", f"/__mdguide/api/file?path={CONCLUSION}", headers=headers)[0] == 403


@pytest.mark.parametrize(
    "path",
    [
        "../guide.json",
        "/etc/passwd",
        "sections/../../schema/guide.schema.json",
        "sections/4-conclusion.json/",
        "./guide.json",
        "%2e%2e/guide.json",
        "sections\\..\\..\\x.json",
        "schema/guide.schema.json",
        "",
        "outside.json",
    ],
)
def test_no_path_outside_the_content_files(client, content_copy, path):
    (content_copy.parent / "outside.json").write_text('{"secret": true}\n')
    before = snapshot(content_copy.parent)
    status, answer = client.request("GET", "/__mdguide/api/file?path=" + path.replace("%", "%25"))
    assert status == 404 and answer["error"] == f"{path!r} is not one of the guide's content files"
    status, answer = client.save(path, [{"op": "replace", "path": "/secret", "value": False}], base="0" * 64)
    assert status == 404
    assert snapshot(content_copy.parent) == before


def test_a_symbolic_link_among_the_content_files_is_refused(client, content_copy, tmp_path):
    outside = tmp_path / "elsewhere.json"
    outside.write_bytes((content_copy / CONCLUSION).read_bytes())
    (content_copy / CONCLUSION).unlink()
    (content_copy / CONCLUSION).symlink_to(outside)
    status, answer = client.request("GET", f"/__mdguide/api/file?path={CONCLUSION}")
    assert status == 403
    assert answer["error"] == (f"content/{CONCLUSION}: '{CONCLUSION}' is or passes through a symbolic link")
    status, answer = client.save(CONCLUSION, [], base="0" * 64)
    assert status == 403 and outside.read_bytes() == (tmp_path / "elsewhere.json").read_bytes()


def test_the_page_holds_the_token_and_content_cannot_break_out(editor, content_copy, client):
    """A file name made to close the page's script: the page's data stays data."""
    evil = content_copy / "sections" / "<!--<script>alert(1)<\\script>.json"
    evil.write_text("{}\n")
    editor.rebuild("test")
    status, page = client.request("GET", "/")
    assert status == 200
    assert page.count("<script") == 2  # the data block and the editor, nothing else
    data = re.search(r'<script type="application/json" id="mdguide-editor-boot">(.*?)</script>', page).group(
        1
    )
    boot = json.loads(data)
    assert boot["token"] == client.token and "sections/<!--<script>alert(1)<\\script>.json" in boot["digests"]
    assert "<!--" not in page.split('id="mdguide-editor-boot">')[1].split("</script>")[0]


def test_edit_only_on_the_editors_server(content_copy):
    with Preview(content_copy, "127.0.0.1", 0) as viewing:
        port = viewing.server.server_address[1]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request(
            "POST", "/__mdguide/api/save", body=b"{}", headers={"Content-Type": "application/json"}
        )
        assert connection.getresponse().status == 405
        connection.close()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/")
        page = connection.getresponse().read().decode()
        assert "data-edit" not in page and "mdguide-editor-boot" not in page
        connection.close()
    assert os.path.exists(content_copy)


def test_the_command_serves_the_editor_and_cleans_up(content_copy):
    import signal
    import tempfile
    import urllib.request

    process = subprocess.Popen(
        [str(MDGUIDE), "serve", "--edit", "--content", str(content_copy), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        match = re.fullmatch(r"Serving (http://127\.0\.0\.1:\d+/) for editing \(Ctrl\+C to stop\)\n", line)
        assert match, line
        page = urllib.request.urlopen(match.group(1), timeout=10).read().decode()
        assert (
            'id="mdguide-editor-boot"' in page and 'data-edit="sections/4-conclusion.json#/blocks/3"' in page
        )
        folders = list(Path(tempfile.gettempdir()).glob(f"mdguide-preview-{process.pid}-*"))
        assert len(folders) == 1
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        assert process.stderr.read().rstrip().endswith("Stopped.") and not folders[0].exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_new_objects_and_keys_take_the_files_own_order(client, content_copy):
    """Keys sent in any order are written in the order every file uses (the models' order)."""
    loaded = client.load("resources.json")
    at = next(
        i for i, r in enumerate(loaded["value"]["resources"]) if "link_texts" in r and "status" not in r
    )
    text = loaded["value"]["resources"][at]["link_texts"][0]
    ops = [
        {
            "op": "add",
            "path": "/resources/-",
            "value": {"url": "https://example.org/new-page", "id": "example-new"},
        },
        {"op": "add", "path": f"/resources/{at}/checked", "value": "2025-03"},
        {"op": "add", "path": f"/resources/{at}/status", "value": "ok"},
    ]
    section = client.load(CONCLUSION)
    cite = [
        {
            "op": "replace",
            "path": f"/blocks/{AT}/text",
            "value": {"$runs": [{"text": "New. "}, {"cite": "example-new"}]},
        }
    ]
    status, answer = client.request(
        "POST",
        "/__mdguide/api/save",
        {
            "label": "x",
            "edits": [
                {"file": "resources.json", "base": loaded["digest"], "ops": ops},
                {"file": CONCLUSION, "base": section["digest"], "ops": cite},
            ],
        },
    )
    assert status == 200, answer
    written = json.loads((content_copy / "resources.json").read_text())["resources"]
    assert list(written[-1]) == ["id", "url"]
    keys = list(written[at])
    assert keys.index("status") < keys.index("checked") and keys.index("link_texts") < keys.index("status")
    assert written[at]["link_texts"][0] == text


def test_changes_since_the_last_edition_are_mdguide_diffs(client, content_copy):
    status, answer = client.request("GET", "/__mdguide/api/diff")
    assert status == 409  # no editions/ folder, no git: nothing to compare with, said plainly
    assert answer["error"].startswith("no earlier version to compare with: ")
    assert answer["hint"] == "keep content/ in git, and tag each published edition (e.g. v1.0)"

    editions = content_copy.parent / "editions" / "1.0"
    shutil.copytree(content_copy, editions)
    client.save(CONCLUSION, reword_ops(client, "This will be a challenge."))
    status, answer = client.request("GET", "/__mdguide/api/diff")
    assert status == 200, answer
    done = subprocess.run(
        [str(MDGUIDE), "diff", str(editions), "--content", str(content_copy), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    expected = json.loads(done.stdout)
    assert [c["headline"] for c in answer["changes"]] == [c["headline"] for c in expected["changes"]]
    assert answer["draft"]["version"] == "1.1"


def test_an_edition_mark_goes_after_the_parts_type_or_id(client, content_copy):
    """As docs/editing.md writes them: "type", then "revised", then the rest."""
    guide = content_copy / "guide.json"
    client.request(
        "POST", "/__mdguide/api/edition", {"base": digest_of(guide), "version": "1.1", "date": "2025-03"}
    )
    ops = reword_ops(client, "This will be a challenge.") + [
        {"op": "add", "path": f"/blocks/{AT}/revised", "value": "1.1"}
    ]
    status, answer = client.save(CONCLUSION, ops)
    assert status == 200, answer
    block = json.loads((content_copy / CONCLUSION).read_text())["blocks"][AT]
    assert list(block) == ["type", "revised", "text"]
    status, answer = client.save(
        "resources.json", [{"op": "add", "path": "/resources/0/since", "value": "1.1"}]
    )
    assert status == 200, answer
    assert list(json.loads((content_copy / "resources.json").read_text())["resources"][0])[:3] == [
        "id",
        "since",
        "url",
    ]
