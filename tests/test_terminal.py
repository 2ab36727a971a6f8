"""Nothing untrusted reaches the terminal as control characters.

Content, JSON keys, file and folder names, revisions typed on the command
line and what servers answer all end up in messages.  Each path is driven
through the real CLI with an escape sequence that would retitle the terminal
(OSC 0) or hide the lines before it, and the output must show it spelled out
(``\\u001b``) and keep its "Aborted" line.  (A server's ``Location:`` header
is tested in test_link_check.py.)
"""

from __future__ import annotations

import json
import queue
import re
import shutil
import signal
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from mdguide_build.cli import main, terminal_safe
from serving import served

HERE = Path(__file__).resolve().parent
MINI = HERE / "fixtures" / "mini-content"
TITLE = "\x1b]0;pwned\x07"  # sets the terminal's title
SHOWN = "\\u001b]0;pwned\\u0007"
CLEAR = "\x1b[2J\x1b[H"  # clears the screen: would hide every line printed before it


def _raw_controls(text: str) -> list[str]:
    return [f"U+{ord(c):04X}" for c in text if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0]


@pytest.fixture
def mini(tmp_path) -> Path:
    shutil.copytree(MINI, tmp_path / "content")
    shutil.copytree(HERE.parent / "schema", tmp_path / "schema")
    return tmp_path / "content"


def _key_with_escapes(content: Path) -> None:
    path = content / "foreword.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"title":', json.dumps(f"{CLEAR}{TITLE}title") + ":", 1), encoding="utf-8")


def test_terminal_safe_spells_out_every_control_and_keeps_json_valid():
    text = f"a{TITLE}b\u0085c\u202ed\u2028e\udcfff\U000e0001g\n"
    safe = terminal_safe(text)
    assert safe == "a\\u001b]0;pwned\\u0007b\\u0085c\\u202ed\\u2028e\\udcfff\\udb40\\udc01g\n"
    assert json.loads(f'"{safe.rstrip()}"') == text.rstrip().encode("utf-16", "surrogatepass").decode(
        "utf-16", "surrogatepass"
    )
    assert terminal_safe("two\nlines", keep_newlines=False) == "two\\u000alines"
    assert terminal_safe("Plain – ‘text’ and café") == "Plain – ‘text’ and café"


@pytest.mark.parametrize("command", [["validate"], ["build", "--format", "txt"]])
def test_an_escape_in_a_json_key_is_shown_not_obeyed(command, mini, tmp_path):
    _key_with_escapes(mini)
    extra = ["--out", str(tmp_path / "out")] if command[0] == "build" else []
    result = CliRunner().invoke(main, [*command, "--content", str(mini), *extra])
    assert result.exit_code == 1
    assert _raw_controls(result.output) == []
    assert f'unknown field "\\u001b[2J\\u001b[H{SHOWN}title"' in result.output
    assert result.output.splitlines()[-1] == f"Error: Aborted: 4 errors in {mini}"


def test_a_folder_name_with_escapes_is_shown_not_obeyed(mini):
    folder = mini.rename(mini.with_name(f"content{TITLE}"))
    (folder / "figures.json").write_text("{", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--content", str(folder)])
    assert result.exit_code == 1 and _raw_controls(result.output) == []
    assert result.output.splitlines()[-1] == f"Error: Aborted: 1 error in {mini.parent}/content{SHOWN}"


def test_diff_labels_and_revisions_are_shown_not_obeyed(mini, tmp_path):
    other = tmp_path / f"other{TITLE}"
    shutil.copytree(mini, other)
    foreword = other / "foreword.json"
    foreword.write_text(foreword.read_text(encoding="utf-8").replace("A foreword", "The foreword"), "utf-8")
    result = CliRunner().invoke(main, ["diff", str(mini), str(other), "--content", str(mini)])
    assert result.exit_code == 0, result.output
    assert _raw_controls(result.output) == [] and f"other{SHOWN}" in result.output
    typed = CliRunner().invoke(main, ["diff", f"v1{TITLE}", "--content", str(HERE.parent / "content")])
    assert typed.exit_code == 1 and _raw_controls(typed.output) == []
    assert typed.output.startswith(f"Error: 'v1{SHOWN}' is neither a folder nor a git revision")


def test_the_preview_log_shows_a_file_name_with_escapes_as_text(mini):
    with served(mini) as (process, _url):
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(x) for x in process.stderr], daemon=True).start()
        named = mini / f"notes{TITLE}.json"
        named.write_text("{}", encoding="utf-8")
        while True:
            line = lines.get(timeout=60)  # a missing log line fails here rather than hanging
            if line.startswith("saved notes"):
                break
            if line.startswith("saved while the preview started"):  # seen before the watcher's event
                named.write_text("{ }", encoding="utf-8")
        assert _raw_controls(line) == []
        assert re.fullmatch(rf"saved notes{re.escape(SHOWN)}\.json: built the preview in \d+\.\d+ s\n", line)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def test_validate_json_stays_valid_json_with_the_key_spelled_out(mini):
    _key_with_escapes(mini)
    result = CliRunner().invoke(main, ["validate", "--json", "--content", str(mini)])
    assert result.exit_code == 1 and _raw_controls(result.stdout) == []
    found = json.loads(result.stdout)  # the escapes are JSON's own: the pointer comes back exact
    assert f"/{CLEAR}{TITLE}title" in {d["pointer"] for d in found}
