"""mdguide's benchmark: build times as ratios against raw pandoc, measured in the same run.

    make bench                      # the full benchmark (sizes 1x, 10x, 50x)
    .venv/bin/python bench/run.py --quick   # smallest size, one run: a smoke test

Every figure is a whole process (`mdguide …` or `pandoc …`) timed several
times; the table shows the median and the spread (min–max), and each ratio
divides medians taken in this run, so machine noise affects both sides alike.
Results go to bench/results/latest.json and a table on stdout.
"""

from __future__ import annotations

import argparse
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from synth import synthesise  # noqa: E402

BIN = Path(sys.executable).parent
MDGUIDE = str(BIN / "mdguide")
MAIN = ["html", "epub", "docx"]


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


def timed(cmd_factory, runs: int, setup=None) -> dict:
    """Median, min and max seconds (and peak memory) of ``runs`` runs of the command."""
    seconds, peaks, last_err = [], [], ""
    for _ in range(runs):
        if setup:
            setup()
        elapsed, peak, last_err = run(cmd_factory())
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
    import pypandoc

    return str(pypandoc.get_pandoc_path())


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


# --- the scenarios ---------------------------------------------------------------------------


def bench_size(factor: int, runs: int, work: Path, full: bool) -> dict:
    content = work / f"x{factor}" / "content"
    size = synthesise(ROOT / "content", content, factor)
    shutil.copytree(ROOT / "schema", content.parent / "schema", dirs_exist_ok=True)
    out = work / f"x{factor}" / "outputs"
    asts = write_asts(content, work)
    base_out = Path(tempfile.mkdtemp(dir=work))
    main_args = [a for f in MAIN for a in ("--format", f)]
    result: dict = {"factor": factor, "content_bytes": size}

    result["baseline"] = timed(lambda: sequence(baseline_commands(asts, base_out)), runs)
    result["full_build"] = timed(
        lambda: [MDGUIDE, "build", "--content", str(content), "--out", str(out), *main_args, "--force", "-q"],
        runs,
    )
    result["validate"] = timed(lambda: [MDGUIDE, "validate", "--content", str(content)], runs)
    if not full:
        return result

    result["everything"] = timed(
        lambda: [MDGUIDE, "build", "--content", str(content), "--out", str(out), "--force", "-q"], runs
    )
    result["noop"] = timed(
        lambda: [MDGUIDE, "build", "--content", str(content), "--out", str(out), "-q"], runs
    )

    # One-file rebuild: change one word in a section that some handouts do not use.
    section = content / "sections" / "4-conclusion.json"
    original = section.read_text(encoding="utf-8")
    runs_done = {"n": 0}

    def touch_one_file() -> None:
        runs_done["n"] += 1  # a new word each run, so no run repeats an earlier request
        section.write_text(original.replace("exciting", f"exciting{runs_done['n']}", 1), encoding="utf-8")

    one = timed(
        lambda: [MDGUIDE, "build", "--content", str(content), "--out", str(out)], runs, setup=touch_one_file
    )
    built = [line.split()[1] for line in one.pop("stderr").splitlines() if line.strip().startswith("built")]
    one["rebuilt"] = built
    result["one_file"] = one
    section.write_text(original, encoding="utf-8")
    return result


def _ratio(a: dict, b: dict) -> float:
    return a["median"] / b["median"]


def report(results: list[dict], meta: dict) -> str:
    lines = [
        f"mdguide benchmark — {meta['machine']}, {meta['cpus']} CPUs, pandoc {meta['pandoc']}, "
        f"Python {meta['python']}",
        "",
    ]
    lines.append(
        f"{'size':>5} {'MB':>6} {'scenario':<14} {'median s':>9} {'min–max s':>13} {'peak MiB':>9} "
        f"{'ratio':>7}  against"
    )
    for r in results:
        mb = r["content_bytes"] / 1e6
        rows = [("baseline", r["baseline"], None, "")]
        rows.append(
            (
                "full build",
                r["full_build"],
                _ratio(r["full_build"], r["baseline"]),
                "raw pandoc ×3 in sequence",
            )
        )
        if "everything" in r:
            rows.append(
                ("everything", r["everything"], _ratio(r["everything"], r["baseline"]), "raw pandoc ×3")
            )
            rows.append(("no-op", r["noop"], _ratio(r["noop"], r["full_build"]), "full build"))
            rows.append(("one file", r["one_file"], _ratio(r["one_file"], r["everything"]), "everything"))
        rows.append(("validate", r["validate"], _ratio(r["validate"], r["baseline"]), "raw pandoc ×3"))
        for name, m, ratio, against in rows:
            ratio_text = f"{ratio:7.3f}" if ratio is not None else "      —"
            lines.append(
                f"{r['factor']:>4}× {mb:6.2f} {name:<14} {m['median']:9.3f} "
                f"{m['min']:6.3f}–{m['max']:<6.3f} {m['peak_rss'] / 2**20:9.0f} {ratio_text}  {against}"
            )
        lines.append(f"{'':>12} full build: {r['full_build']['median'] / mb:.2f} s per MB of content")
        if "one_file" in r:
            lines.append(
                f"{'':>12} one-file rebuild remade: {', '.join(r['one_file']['rebuilt']) or 'nothing'}"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1,10,50", help="comma-separated size factors (default 1,10,50)")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument("--quick", action="store_true", help="size 1 only, 1 run: a smoke test")
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
    results = []
    with tempfile.TemporaryDirectory(prefix="mdguide-bench-") as tmp:
        for factor in sizes:
            print(f"measuring {factor}× …", file=sys.stderr, flush=True)
            # Scenarios beyond the main build only at the real size: they are about editing, not scale.
            results.append(bench_size(factor, runs, Path(tmp), full=factor == 1))
    for r in results:
        for m in r.values():
            if isinstance(m, dict):
                m.pop("stderr", None)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n", encoding="utf-8")
    print(report(results, meta))
    print(f"\nwritten {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
