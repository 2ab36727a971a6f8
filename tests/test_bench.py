"""Smoke test for the benchmark: `bench/run.py --quick` runs every scenario once at 1x.

It asserts that the benchmark works and reports every figure, never how fast
anything is: timings belong in `make bench`, not in tests.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow  # the benchmark builds every scenario


def test_quick_benchmark_runs_and_reports_every_scenario(tmp_path):
    result = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--json", str(result)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(result.read_text(encoding="utf-8"))
    assert data["meta"]["pandoc"] == "3.9"
    (size,) = data["results"]
    for scenario in (
        "baseline",
        "full_build",
        "full_build_edited",
        "everything",
        "noop",
        "one_file",
        "validate",
        "validate_uncached",
        "pandoc_html",
    ):
        assert size[scenario]["median"] > 0 and size[scenario]["peak_rss"] > 0, scenario
    # One content file changed: the main formats were rebuilt, and at least one handout was not.
    rebuilt = size["one_file"]["rebuilt"]
    assert "the-medical-directors-role.html" in rebuilt
    assert not any(r.startswith("handouts/") for r in rebuilt)
    assert "full build" in done.stdout and "no-op" in done.stdout
    # The preview: every save reached the browser's event stream, timed from the write.
    preview = size["preview"]
    assert len(preview["seconds"]) == preview["runs"] == 3
    assert 0 < preview["median"] <= preview["p90"] <= preview["max"]
    # Issue 16's table, one row per scenario, each with its ratio and (where there is one) target.
    rows = {t["scenario"]: t for t in data["meta"]["targets"]}
    assert set(rows) == {
        "full build (HTML+EPUB+DOCX)",
        "full build after an edit",
        "everything (every format and handout)",
        "one-file rebuild",
        "validate",
        "validate, nothing remembered",
        "preview latency, median",
        "preview latency, 90th percentile",
    }
    assert rows["everything (every format and handout)"]["target"] == 6.0
    assert all(t["ratio"] > 0 and t["met"] in (True, False, None) for t in rows.values())
    assert "Issue 16's targets" in done.stdout
