"""Build the editor's front end (frontend/src) into static/editor.js and static/editor.css with esbuild.

For developers: ``make editor-bundle`` runs it after ``frontend/src`` changes, and
tests/test_editor_bundle.py runs it into a temporary folder to prove that the
committed bundle is what the sources make.  esbuild writes the same bytes for
the same inputs, and its version is pinned in ``frontend/package-lock.json``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

FRONTEND = Path(__file__).resolve().parent / "frontend"
STATIC = Path(__file__).resolve().parent / "static"
BANNER = (
    "/* mdguide serve --edit: built by `make editor-bundle` from src/mdguide_build/tools/editor/frontend/src "
    "(see its README.md); includes ProseMirror, MIT licence, (c) Marijn Haverbeke and others. */"
)
ENTRIES = {"editor.js": "main.js", "editor.css": "editor.css"}


def bundle(node_modules: Path, out: Path) -> list[Path]:
    """Write the bundle into ``out``; ``node_modules`` holds the pinned npm packages."""
    esbuild = node_modules / ".bin" / "esbuild"
    if not esbuild.is_file():
        raise FileNotFoundError(f"{esbuild} not found (hint: run make editor-node)")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for target, entry in ENTRIES.items():
        kind = "js" if target.endswith(".js") else "css"
        args = [
            str(esbuild),
            str(FRONTEND / "src" / entry),
            "--bundle",
            "--minify",
            "--charset=utf8",
            "--legal-comments=eof",
            f"--banner:{kind}={BANNER}",
            f"--outfile={out / target}",
            "--log-level=warning",
        ]
        if kind == "js":
            args += ["--format=iife", "--target=es2020"]
        # The sources live in the Python package, their packages outside it: NODE_PATH joins them.
        env = {**os.environ, "NODE_PATH": str(node_modules.resolve())}
        subprocess.run(args, check=True, env=env, stdin=subprocess.DEVNULL, timeout=120)
        written.append(out / target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-modules", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=STATIC)
    args = parser.parse_args(argv)
    for path in bundle(args.node_modules, args.out):
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
