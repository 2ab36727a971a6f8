"""`mdguide diff` reads a git revision without trusting it: links out of its tree are refused, by name."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from mdguide_build.cli import main

HERE = Path(__file__).resolve().parent
MINI = HERE / "fixtures" / "mini-content"


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.org", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path) -> Path:
    repo = tmp_path / "guide"
    shutil.copytree(MINI, repo / "content")
    shutil.copytree(HERE.parent / "schema", repo / "schema")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "The guide")
    return repo


@pytest.mark.parametrize("target", ["/etc/passwd", "../../secret.json"])
def test_a_revision_linking_out_of_its_tree_is_refused_by_name(repo, target):
    (repo / "content" / "extra.json").symlink_to(target)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "A link out")
    commit = _git(repo, "rev-parse", "HEAD")[:7]
    result = CliRunner().invoke(main, ["diff", "HEAD~1", "HEAD", "--content", str(repo / "content")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert result.output == (
        f"Error: content/ in git revision HEAD, commit {commit} holds 'content/extra.json', a link to "
        f"'{target}' that points "
        "outside the content, so it was not read (hint: remove the link in a new commit, or compare "
        "content folders)\n"
    )


def test_the_earlier_revision_still_compares(repo):
    foreword = repo / "content" / "foreword.json"
    foreword.write_text(foreword.read_text(encoding="utf-8").replace("A foreword", "The foreword"), "utf-8")
    result = CliRunner().invoke(main, ["diff", "HEAD", "--content", str(repo / "content")])
    assert result.exit_code == 0, result.output
    assert "[-A-] {+The+} foreword paragraph." in result.output
