"""mdguide's benchmark: build times as ratios against raw pandoc, measured in the same run.

    make bench                      # the full benchmark (sizes 1x, 10x, 50x)
    .venv/bin/python bench/run.py --quick   # smallest size, one run: a smoke test

The scenarios and targets are issue 16's: the full build (HTML+EPUB+DOCX) and
everything against raw pandoc ×3 on the same AST, a one-file rebuild against
everything, validate against the baseline, time per MB at 50× against 10× (and
peak memory), and the preview's latency, from saving a content file to the
reload event on ``mdguide serve``'s event stream (median and 90th percentile of
``--saves`` saves), against raw pandoc converting the same AST to HTML.

mdguide keeps some results in its cache (``mdguide_build.cache``): the Word
reference documents, validate's answer for content it has checked, and that
content, typed, for the build that follows (``validate.remembered``). The
benchmark gives it a cache of its own that starts empty, so the first run of
each scenario fills it. "validate, no cache" shows validate with nothing
remembered, and "full build after an edit" a build of content changed since
the last check (``make`` runs validate before the build; a bare build after an
edit checks the content itself).

Every figure is a whole process (`mdguide …` or `pandoc …`) timed several
times; the table shows the median and the spread (min–max), and each ratio
divides medians taken in this run.  These machines change speed from minute to
minute, so each scenario's runs alternate with runs of its baseline (and the
preview's saves with raw pandoc runs), and the full builds of the larger
sizes alternate too: each ratio compares times taken in the same minutes.  The
guide's own size builds in under a second, so a slow minute moves its median
most: its full builds get three times the runs (``SMALL_RUNS``).
Results go to bench/results/latest.json and a table on stdout.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from synth import synthesise  # noqa: E402

BIN = Path(sys.executable).parent
MDGUIDE = str(BIN / "mdguide")
MAIN = ["html", "epub", "docx"]
CACHE_ENV = "MDGUIDE_CACHE_DIR"  # mdguide_build.cache
SMALL_RUNS = 3  # the guide's own size: its full builds get this many times the runs (see main)


# --- measuring -----------------------------------------------------------------------------


def _tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += (
                int(next(row for row in status.splitlines() if row.startswith("VmRSS:")).split()[1]) * 1024
            )
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, StopIteration, ValueError):
            continue
    return total


def run(cmd: list[str], *, cwd: Path = ROOT, env: dict | None = None) -> tuple[float, int, str]:
    """Run ``cmd`` to completion; return (seconds, peak tree RSS in bytes, stderr)."""
    peak = 0
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(cmd)}\n{err}")
    return elapsed, peak, err


def timed(cmd_factory, runs: int, setup=None, env: dict | None = None) -> dict:
    """Median, min and max seconds (and peak memory) of ``runs`` runs of the command."""
    seconds, peaks, last_err = [], [], ""
    for _ in range(runs):
        if setup:
            setup()
        elapsed, peak, last_err = run(cmd_factory(), env=env)
        seconds.append(elapsed)
        peaks.append(peak)
    return {
        "median": statistics.median(seconds),
        "min": min(seconds),
        "max": max(seconds),
        "runs": runs,
        "peak_rss": max(peaks),
        "stderr": last_err,
    }


def interleaved(pairs: dict, runs: int, setup=None, env: dict | None = None) -> dict:
    """``timed`` for each scenario of ``pairs`` ({key: (command, baseline command)}), run in turn.

    These machines change speed from minute to minute (other tenants), so each
    scenario is compared with baseline runs made at the same moments: one
    baseline run, then one scenario run, for every pair, ``runs`` times over.
    Each result's ``against`` holds its baseline's times.
    """
    ours: dict = {key: [] for key in pairs}
    theirs: dict = {key: [] for key in pairs}
    for _ in range(runs):
        for key, (cmd_factory, base_factory) in pairs.items():
            theirs[key].append(timed(base_factory, 1))
            ours[key].append(timed(cmd_factory, 1, setup=setup, env=env))
    return {key: {**_merged(ours[key]), "against": _merged(theirs[key])} for key in pairs}


def paired(cmd_factory, base_factory, runs: int, setup=None, env: dict | None = None) -> dict:
    """``interleaved`` for one scenario and its baseline."""
    return interleaved({0: (cmd_factory, base_factory)}, runs, setup, env)[0]


def _merged(samples: list[dict]) -> dict:
    seconds = [s["median"] for s in samples]
    return {
        "median": statistics.median(seconds),
        "min": min(seconds),
        "max": max(seconds),
        "runs": len(seconds),
        "peak_rss": max(s["peak_rss"] for s in samples),
        "stderr": samples[-1]["stderr"],
        "seconds": seconds,
    }


# --- the baseline: raw pandoc on the very same AST ------------------------------------------


def write_asts(content: Path, folder: Path) -> dict[str, Path]:
    """The AST mdguide gives pandoc for each main format, as JSON files."""
    sys.path.insert(0, str(ROOT / "src"))
    from mdguide_build.pandoc.guide import guide_document
    from mdguide_build.validate.loader import load_content

    loaded, _ = load_content(content)
    paths = {}
    for flavour in ("web", "docx"):
        path = folder / f"ast-{flavour}.json"
        path.write_text(guide_document(loaded, flavour).to_json_text(), encoding="utf-8")
        paths[flavour] = path
    return paths


def pandoc_binary() -> str:
    """The pandoc mdguide runs, so that the baseline times the very same binary."""
    sys.path.insert(0, str(ROOT / "src"))
    from mdguide_build.pandoc.runner import pandoc_path

    return pandoc_path()


def baseline_commands(asts: dict[str, Path], out: Path) -> list[list[str]]:
    pandoc = pandoc_binary()
    return [
        [
            pandoc,
            "--sandbox",
            "-f",
            "json",
            "-t",
            "html5",
            "-s",
            "--toc",
            "-o",
            str(out / "b.html"),
            str(asts["web"]),
        ],
        [pandoc, "--sandbox", "-f", "json", "-t", "epub3", "-o", str(out / "b.epub"), str(asts["web"])],
        [pandoc, "--sandbox", "-f", "json", "-t", "docx", "-o", str(out / "b.docx"), str(asts["docx"])],
    ]


def sequence(commands: list[list[str]]) -> list[str]:
    """One shell process running the commands in sequence (its own start-up is ~1 ms)."""
    return ["/bin/sh", "-c", " && ".join(" ".join(f"'{a}'" for a in c) for c in commands)]


def html_baseline_command(asts: dict[str, Path], out: Path) -> list[str]:
    """Raw pandoc converting the guide's web AST to standalone HTML: what the preview waits on."""
    return baseline_commands(asts, out)[0]


# --- the preview: from a save to the reload event ---------------------------------------------


def preview_latency(content: Path, saves: int, pandoc_html: list[str]) -> dict:
    """Seconds from writing a content file to ``mdguide serve`` announcing the rebuilt page.

    The server runs as an editor runs it; the benchmark listens on the page's own
    event stream (Server-Sent Events) as the browser does, and saves one section
    file ``saves`` times, each time with a new word, waiting for each event.
    After each save, raw pandoc converts the guide to HTML (``pandoc_html``):
    ``against`` holds those times, measured at the same moments.
    """
    section = content / "sections" / "4-conclusion.json"
    original = section.read_text(encoding="utf-8")
    server = subprocess.Popen(
        [MDGUIDE, "serve", "--content", str(content), "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    seconds: list[float] = []
    against: list[dict] = []
    try:
        first = server.stdout.readline()  # "Serving http://127.0.0.1:PORT/ (Ctrl+C to stop)"
        if not first.startswith("Serving "):
            raise SystemExit(f"mdguide serve did not start: {first!r}")
        address = urlsplit(first.split()[1])
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        connection.request("GET", "/__mdguide/status")
        generation = json.loads(connection.getresponse().read())["generation"]
        events = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        events.request("GET", f"/__mdguide/events?since={generation}")
        stream = events.getresponse()
        for n in range(1, saves + 1):
            time.sleep(0.3)  # an editor's saves are seconds apart; let the watcher settle
            text = original.replace("exciting", f"exciting{n}", 1)
            started = time.perf_counter()
            section.write_text(text, encoding="utf-8")
            while not stream.fp.readline().startswith(b"data:"):
                pass
            seconds.append(time.perf_counter() - started)
            against.append(timed(lambda: pandoc_html, 1))
        connection.request("GET", "/__mdguide/status")
        if not json.loads(connection.getresponse().read())["ok"]:
            raise SystemExit("the preview showed an error page during the benchmark")
        events.close()
        connection.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        section.write_text(original, encoding="utf-8")
    return {
        "median": statistics.median(seconds),
        "p90": _percentile(seconds, 90),
        "min": min(seconds),
        "max": max(seconds),
        "runs": len(seconds),
        "peak_rss": 0,
        "seconds": seconds,
        "against": _merged(against),
    }


def _percentile(values: list[float], percent: int) -> float:
    """The value below which ``percent`` % of ``values`` lie (linear between ranks)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


# --- the scenarios ---------------------------------------------------------------------------


@dataclass
class Size:
    """One size of the guide, synthesised, with the AST files the baseline converts."""

    factor: int
    content: Path
    out: Path
    asts: dict[str, Path]
    base_out: Path
    content_bytes: int

    def build(self, *options: str, out: Path | None = None) -> list[str]:
        return [MDGUIDE, "build", "--content", str(self.content), "--out", str(out or self.out), *options]

    def full_build(self, out: Path | None = None) -> list[str]:
        return self.build(*(a for f in MAIN for a in ("--format", f)), "--force", "-q", out=out)

    def baseline(self) -> list[str]:
        return sequence(baseline_commands(self.asts, self.base_out))


def prepare(factor: int, work: Path) -> Size:
    folder = work / f"x{factor}"
    content = folder / "content"
    size = synthesise(ROOT / "content", content, factor)
    shutil.copytree(ROOT / "schema", folder / "schema", dirs_exist_ok=True)
    base_out = folder / "baseline"
    base_out.mkdir()
    return Size(factor, content, folder / "outputs", write_asts(content, folder), base_out, size)


def full_builds(sizes: list[Size], runs: int) -> dict[int, dict]:
    """The full build of every size against its baseline, all in turn, run after run.

    Time per MB compares sizes, so their builds are measured in the same
    minutes, not one size after the other.
    """
    return interleaved({size.factor: (size.full_build, size.baseline) for size in sizes}, runs)


def bench_size(size: Size, runs: int, full_build: dict, full: bool, saves: int = 20) -> dict:
    content, asts, base_out = size.content, size.asts, size.base_out
    result: dict = {"factor": size.factor, "content_bytes": size.content_bytes, "full_build": full_build}
    result["baseline"] = full_build["against"]
    baseline = size.baseline
    result["validate"] = paired(lambda: [MDGUIDE, "validate", "--content", str(content)], baseline, runs)
    # The same with nothing remembered (no cache): what validate costs after every edit.
    result["validate_uncached"] = paired(
        lambda: [MDGUIDE, "validate", "--content", str(content)],
        baseline,
        runs,
        env={**os.environ, CACHE_ENV: ""},
    )
    if not full:
        return result

    result["everything"] = paired(lambda: size.build("--force", "-q"), baseline, runs)
    result["noop"] = timed(lambda: size.build("-q"), runs)

    # One-file rebuild: change one word in a section that some handouts do not use.
    section = content / "sections" / "4-conclusion.json"
    original = section.read_text(encoding="utf-8")
    runs_done = {"n": 0}

    def touch_one_file() -> None:
        runs_done["n"] += 1  # a new word each run, so no run repeats an earlier request
        section.write_text(original.replace("exciting", f"exciting{runs_done['n']}", 1), encoding="utf-8")

    # The full build of content no one has checked yet (validate.remembered has nothing for it),
    # as a bare `mdguide build` after an edit: `make` would have run validate first.
    # (In a folder of its own: the one-file rebuild below must find every output of the content as it was.)
    result["full_build_edited"] = paired(
        lambda: size.full_build(out=size.out.with_name("outputs-edited")),
        baseline,
        runs * SMALL_RUNS,
        setup=touch_one_file,
    )
    section.write_text(original, encoding="utf-8")
    one = timed(size.build, runs, setup=touch_one_file)
    built = [line.split()[1] for line in one.pop("stderr").splitlines() if line.strip().startswith("built")]
    one["rebuilt"] = built
    result["one_file"] = one
    section.write_text(original, encoding="utf-8")

    result["preview"] = preview_latency(content, saves, html_baseline_command(asts, base_out))
    result["pandoc_html"] = result["preview"]["against"]
    return result


def _ratio(a: dict, b: dict, key: str = "median") -> float:
    """``a``'s median (or other key) over ``b``'s median, or over its own paired baseline's if it has one."""
    return a[key] / a.get("against", b)["median"]


def targets(results: list[dict]) -> list[dict]:
    """Issue 16's table: each scenario's ratio, its target and whether this run met it."""
    by_factor = {r["factor"]: r for r in results}
    rows: list[dict] = []

    def row(scenario: str, ratio: float, against: str, target: float | None, note: str = "") -> None:
        rows.append(
            {
                "scenario": scenario,
                "ratio": ratio,
                "against": against,
                "target": target,
                "met": None if target is None else ratio <= target,
                "note": note,
            }
        )

    one = by_factor.get(1)
    if one:
        row(
            "full build (HTML+EPUB+DOCX)",
            _ratio(one["full_build"], one["baseline"]),
            "raw pandoc ×3 in sequence on the same AST",
            1.0,
        )
        if "full_build_edited" in one:
            row(
                "full build after an edit",
                _ratio(one["full_build_edited"], one["baseline"]),
                "raw pandoc ×3",
                None,
                "content not checked before: no remembered content",
            )
        if "everything" in one:
            row(
                "everything (every format and handout)",
                _ratio(one["everything"], one["baseline"]),
                "raw pandoc ×3",
                6.0,
            )
            row("one-file rebuild", _ratio(one["one_file"], one["everything"]), "everything", None)
        row(
            "validate",
            _ratio(one["validate"], one["baseline"]),
            "raw pandoc ×3",
            0.3,
            "unchanged content: the answer comes from mdguide's cache",
        )
        if "validate_uncached" in one:
            row(
                "validate, nothing remembered",
                _ratio(one["validate_uncached"], one["baseline"]),
                "raw pandoc ×3",
                None,
                "no cache: what validate costs after an edit",
            )
        if "preview" in one:
            row(
                "preview latency, median",
                _ratio(one["preview"], one["pandoc_html"]),
                "raw pandoc AST → HTML",
                1.2,
                f"{one['preview']['runs']} saves",
            )
            row(
                "preview latency, 90th percentile",
                _ratio(one["preview"], one["pandoc_html"], "p90"),
                "raw pandoc AST → HTML",
                1.2,
                f"{one['preview']['runs']} saves",
            )
    if 10 in by_factor and 50 in by_factor:

        def per_mb(factor: int, scenario: str) -> float:
            return by_factor[factor][scenario]["median"] / (by_factor[factor]["content_bytes"] / 1e6)

        peak = max(m["peak_rss"] for m in by_factor[50].values() if isinstance(m, dict) and "peak_rss" in m)
        row(
            "50× time per MB",
            per_mb(50, "full_build") / per_mb(10, "full_build"),
            "10× time per MB",
            1.0,
            f"{per_mb(50, 'full_build'):.2f} s/MB against {per_mb(10, 'full_build'):.2f}; raw pandoc's own: "
            f"{per_mb(50, 'baseline') / per_mb(10, 'baseline'):.3f}",
        )
        row("50× peak memory (GiB)", peak / 2**30, "1 GiB", 1.0)
    return rows


def _table_rows(r: dict) -> list[tuple]:
    """(name, measurement, ratio or None, what the ratio is against) for each scenario of one size."""
    rows: list[tuple] = [("baseline", r["baseline"], None, "raw pandoc ×3 (HTML, EPUB, DOCX) in sequence")]

    def row(name: str, key: str, against: str = "baseline", note: str = "baseline") -> None:
        if key in r:
            rows.append((name, r[key], _ratio(r[key], r[against]), note))

    row("full build", "full_build")
    row("after an edit", "full_build_edited", note="baseline (full build of content not checked before)")
    row("everything", "everything")
    row("no-op", "noop", "full_build", "full build")
    row("one file", "one_file", "everything", "everything")
    row("validate", "validate")
    row("validate, no cache", "validate_uncached", note="baseline (nothing remembered)")
    if "preview" in r:
        rows.append(("pandoc html", r["pandoc_html"], None, "raw pandoc AST → standalone HTML"))
        rows.append(
            (
                "preview",
                r["preview"],
                _ratio(r["preview"], r["pandoc_html"]),
                f"pandoc html (p90 {r['preview']['p90']:.3f} s, "
                f"{_ratio(r['preview'], r['pandoc_html'], 'p90'):.2f}×)",
            )
        )
    return rows


def report(results: list[dict], meta: dict) -> str:
    lines = [
        f"mdguide benchmark — {meta['machine']}, {meta['cpus']} CPUs, pandoc {meta['pandoc']}, "
        f"Python {meta['python']}, medians of {meta['runs']} run(s) "
        f"({meta['runs'] * SMALL_RUNS} for the full builds at 1×)",
        "",
    ]
    lines.append(
        f"{'size':>5} {'MB':>6} {'scenario':<16} {'median s':>9} {'min–max s':>13} {'peak MiB':>9} "
        f"{'ratio':>7}  against"
    )
    for r in results:
        mb = r["content_bytes"] / 1e6
        rows = _table_rows(r)
        for name, m, ratio, against in rows:
            ratio_text = f"{ratio:7.3f}" if ratio is not None else "      —"
            peak = f"{m['peak_rss'] / 2**20:9.0f}" if m.get("peak_rss") else f"{'—':>9}"
            lines.append(
                f"{r['factor']:>4}× {mb:6.2f} {name:<16} {m['median']:9.3f} "
                f"{m['min']:6.3f}–{m['max']:<6.3f} {peak} {ratio_text}  {against}"
            )
        lines.append(f"{'':>12} full build: {r['full_build']['median'] / mb:.2f} s per MB of content")
        if "one_file" in r:
            lines.append(
                f"{'':>12} one-file rebuild remade: {', '.join(r['one_file']['rebuilt']) or 'nothing'}"
            )
    lines += ["", "Issue 16's targets (ratios of medians from this run):", ""]
    lines.append(f"  {'scenario':<40} {'ratio':>7} {'target':>8} {'met':>4}  against")
    for t in meta["targets"]:
        target = f"≤ {t['target']:g}" if t["target"] is not None else "—"
        met = {True: "yes", False: "NO", None: "—"}[t["met"]]
        note = f" ({t['note']})" if t["note"] else ""
        lines.append(f"  {t['scenario']:<40} {t['ratio']:7.3f} {target:>8} {met:>4}  {t['against']}{note}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1,10,50", help="comma-separated size factors (default 1,10,50)")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument("--saves", type=int, default=20, help="saves timed for the preview (default 20)")
    parser.add_argument("--quick", action="store_true", help="size 1 only, 1 run, 3 saves: a smoke test")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "latest.json")
    args = parser.parse_args()
    sizes = [1] if args.quick else [int(s) for s in args.sizes.split(",")]
    runs = 1 if args.quick else args.runs
    meta = {
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "pandoc": subprocess.run(
            [pandoc_binary(), "--version"], capture_output=True, text=True
        ).stdout.split()[1],
        "runs": runs,
    }
    # As an installed mdguide runs: its modules compiled once (see COMPILE in the Makefile), not at
    # every start, as they would be where PYTHONDONTWRITEBYTECODE is set.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True, stdout=subprocess.DEVNULL
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="mdguide-bench-") as tmp:
        # mdguide's cache starts empty and is this run's own: its first build makes what it keeps
        # (the Word reference documents), as the first build after installing mdguide does.
        os.environ[CACHE_ENV] = str(Path(tmp) / "cache")
        prepared = [prepare(factor, Path(tmp)) for factor in sizes]
        print(
            f"measuring the full build at {', '.join(f'{f}×' for f in sizes)} …", file=sys.stderr, flush=True
        )
        # Time per MB compares the larger sizes, so their full builds alternate run by run. The
        # guide's own size builds in well under a second, where one slow minute on these shared
        # machines moves a median of five most: it gets SMALL_RUNS times the runs, each run beside
        # a baseline run.
        builds = full_builds([size for size in prepared if size.factor != 1], runs)
        for size in prepared:
            if size.factor == 1:
                builds[1] = paired(size.full_build, size.baseline, runs * SMALL_RUNS)
        for size in prepared:
            print(f"measuring {size.factor}× …", file=sys.stderr, flush=True)
            # Scenarios beyond the main build only at the real size: they are about editing, not scale.
            results.append(
                bench_size(
                    size,
                    runs,
                    builds[size.factor],
                    full=size.factor == 1,
                    saves=3 if args.quick else args.saves,
                )
            )
    for r in results:
        for m in r.values():
            if isinstance(m, dict):
                m.pop("stderr", None)
    meta["targets"] = targets(results)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n", encoding="utf-8")
    print(report(results, meta))
    print(f"\nwritten {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
