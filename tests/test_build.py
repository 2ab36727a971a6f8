"""The build's promises: nothing lost, nothing partial, concurrent-safe, incremental, reproducible."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mdguide_build.build import BuildError, build, parse_source_date_epoch
from mdguide_build.builders import registry
from mdguide_build.pandoc import runner as pandoc
from mdguide_build.validate.loader import ContentError

ROOT = Path(__file__).resolve().parent.parent
MDGUIDE = Path(sys.executable).parent / "mdguide"


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".mdguide.lock")
    }


def staging_leftovers(out_dir: Path) -> list[Path]:
    return [p for p in out_dir.parent.iterdir() if ".staging-" in p.name]


def test_build_writes_outputs_and_a_manifest(tmp_path):
    report = build(ROOT / "content", tmp_path / "out", ["html"])
    assert report.built == ["the-medical-directors-role.html"]
    assert (tmp_path / "out" / "the-medical-directors-role.html").stat().st_size > 50_000
    assert (tmp_path / "out" / ".mdguide-manifest.json").is_file()
    assert staging_leftovers(tmp_path / "out") == []


def test_rebuild_skips_unchanged_outputs_and_repairs_edited_ones(tmp_path):
    out = tmp_path / "out"
    build(ROOT / "content", out, ["html"])
    before = digests(out)
    again = build(ROOT / "content", out, ["html"])
    assert (again.built, again.skipped) == ([], ["the-medical-directors-role.html"])
    page = out / "the-medical-directors-role.html"
    page.write_text("tampered", encoding="utf-8")
    repaired = build(ROOT / "content", out, ["html"])
    assert repaired.built == ["the-medical-directors-role.html"]
    assert digests(out) == before


def test_invalid_content_leaves_previous_outputs_untouched(tmp_path, content_copy):
    out = tmp_path / "out"
    build(content_copy, out, ["html"])
    before = digests(out)
    (content_copy / "figures.json").write_text('{"figures": [', encoding="utf-8")
    with pytest.raises(ContentError):
        build(content_copy, out, ["html"], force=True)
    assert digests(out) == before
    assert staging_leftovers(out) == []


def test_killed_pandoc_leaves_previous_outputs_untouched(tmp_path, content_copy, monkeypatch):
    out = tmp_path / "out"
    build(content_copy, out, ["html"])
    before = digests(out)
    killer = tmp_path / "pandoc-killed"
    killer.write_text("#!/bin/sh\nkill -9 $$\n", encoding="utf-8")
    killer.chmod(0o755)
    monkeypatch.setattr(pandoc, "pandoc_path", lambda: str(killer))
    with pytest.raises(BuildError, match="out was left as it was"):
        build(content_copy, out, ["html"], force=True)
    assert digests(out) == before
    assert staging_leftovers(out) == []


@pytest.mark.slow
def test_two_builds_at_once_do_not_corrupt_each_other(tmp_path):
    solo = tmp_path / "solo"
    build(ROOT / "content", solo, ["html"])
    shared = tmp_path / "shared"
    runs = [
        subprocess.Popen(
            [str(MDGUIDE), "build", "--format", "html", "--out", str(shared), "--force", "-q"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(3)
    ]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err.decode()
    assert (
        digests(shared)["the-medical-directors-role.html"] == digests(solo)["the-medical-directors-role.html"]
    )
    assert staging_leftovers(shared) == []


@pytest.mark.slow
@pytest.mark.parametrize("fmt", registry.names())
def test_every_format_rebuilds_byte_identical_in_another_folder_time_zone_process_and_time(
    guide_outputs, tmp_path, fmt
):
    """The session's build (this process, its time zone) against the CLI's, elsewhere, in UTC+14, later."""
    first = guide_outputs(fmt)
    # A zip records times in 2-second steps: let the clock move on past the first build's.
    time.sleep(max(0.0, 2.1 - (time.monotonic() - guide_outputs.built_at[fmt])))
    out = tmp_path / "elsewhere" / "outputs"
    out.parent.mkdir()
    env = {**os.environ, "TZ": "Pacific/Kiritimati"}
    env.pop("SOURCE_DATE_EPOCH", None)
    command = [str(MDGUIDE), "build", "--format", fmt, "--content", str(ROOT / "content"), "--out", str(out)]
    done = subprocess.run([*command, "-q"], cwd=out.parent, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    again = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name[0] != "."}
    assert sorted(again) == sorted(p.relative_to(guide_outputs.out_dir) for p in first)
    changed = [name for name, data in again.items() if data != (guide_outputs.out_dir / name).read_bytes()]
    assert changed == []


@pytest.mark.parametrize("raw", ["yesterday", "1.5", "-1", "1e9", "99999999999999"])
def test_malformed_source_date_epoch_is_refused(raw):
    with pytest.raises(BuildError, match="is not a number of seconds since 1970"):
        parse_source_date_epoch(raw)


def test_valid_source_date_epoch_is_accepted():
    assert parse_source_date_epoch("1496275200") == 1496275200
    assert parse_source_date_epoch(None) is None


def test_cli_refuses_malformed_source_date_epoch_without_traceback(tmp_path):
    done = subprocess.run(
        [str(MDGUIDE), "build", "--format", "html", "--out", str(tmp_path / "o")],
        cwd=ROOT,
        env={**os.environ, "SOURCE_DATE_EPOCH": "tomorrow"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "Error: SOURCE_DATE_EPOCH='tomorrow' is not a number of seconds since 1970 "
        "(hint: unset it, or set it to a whole number such as 1496275200)"
    )
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()


def test_unknown_format_is_refused_before_any_work(tmp_path):
    done = subprocess.run(
        [str(MDGUIDE), "build", "--format", "pdfx", "--out", str(tmp_path / "o")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith("Error: unknown format 'pdfx' (hint: did you mean 'pdf'? formats are html, ")
    )
    assert not (tmp_path / "o").exists()


def test_large_guides_are_made_one_output_at_a_time():
    from mdguide_build.build import MEMORY_BUDGET, PANDOC_BYTES_PER_CONTENT_BYTE, workers_for

    assert workers_for(120_000, None) > 1  # the real guide: in parallel
    huge = MEMORY_BUDGET // PANDOC_BYTES_PER_CONTENT_BYTE + 1
    assert workers_for(huge, None) == 1
    assert workers_for(huge, 8) == 1  # --jobs cannot exceed the memory budget


def test_one_at_a_time_the_next_output_is_planned_while_pandoc_makes_this_one(
    tmp_path, content_copy, monkeypatch
):
    """A large guide runs one pandoc at a time (memory), and Python plans the next document meanwhile."""
    from mdguide_build import build as build_module

    events: list[str] = []
    monkeypatch.setattr(build_module, "workers_for", lambda size, jobs: 1)
    real_plan, real_run = build_module.plan, pandoc._run

    def plan(*args):
        for name, output in real_plan(*args):
            events.append(f"planned {name}")
            yield name, output

    def run(args, *rest):
        if "--from=json" not in args:  # pandoc asked for its version or a data file
            return real_run(args, *rest)
        events.append("pandoc starts")
        time.sleep(0.2)  # long enough for the next plan to be made meanwhile, however slow the machine
        made = real_run(args, *rest)
        events.append("pandoc ends")
        return made

    monkeypatch.setattr(build_module, "plan", plan)
    monkeypatch.setattr(pandoc, "_run", run)
    report = build(content_copy, tmp_path / "out", ["html", "epub", "docx"], force=True)
    assert len(report.built) == 3
    conversions = [e for e in events if e.startswith("pandoc")]
    assert conversions == ["pandoc starts", "pandoc ends"] * 3  # never two at once
    first_end = events.index("pandoc ends")
    assert events.index("planned epub") < first_end  # planned while the HTML was being made
    assert events.index("planned docx") < events.index("pandoc ends", first_end + 1)


def test_one_at_a_time_failure_leaves_outputs_untouched(tmp_path, content_copy, monkeypatch):
    from mdguide_build import build as build_module

    out = tmp_path / "out"
    build(content_copy, out, ["html", "txt"])
    before = digests(out)
    monkeypatch.setattr(build_module, "workers_for", lambda size, jobs: 1)
    killer = tmp_path / "pandoc-killed"
    killer.write_text("#!/bin/sh\nkill -9 $$\n", encoding="utf-8")
    killer.chmod(0o755)
    monkeypatch.setattr(pandoc, "pandoc_path", lambda: str(killer))
    with pytest.raises(BuildError, match="out was left as it was"):
        build(content_copy, out, ["html", "txt"], force=True)
    assert digests(out) == before
    assert staging_leftovers(out) == []


def test_a_no_op_build_needs_no_pydantic(tmp_path):
    """Nothing to do is found out without loading the content, so the models are never built."""
    out = tmp_path / "out"
    probe = (
        "import sys; from mdguide_build.cli import main\n"
        "sys.argv = ['mdguide', 'build', '--content', sys.argv[1], '--out', sys.argv[2], '--format', 'txt', '-q']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('pydantic' in sys.modules)"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe, str(ROOT / "content"), str(out)], capture_output=True, text=True
        )
        for _ in range(2)
    ]
    assert runs[0].stdout.rstrip().endswith("True")  # built: the content was loaded
    assert runs[1].stdout.rstrip().endswith("False"), runs[1].stdout  # up to date: it was not
