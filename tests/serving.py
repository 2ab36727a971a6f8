"""`mdguide serve` as a user starts it: the real command, in its own process, on a free port."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MDGUIDE = Path(sys.executable).parent / "mdguide"
SERVING = re.compile(r"Serving (http://127\.0\.0\.1:(\d+)/) \(Ctrl\+C to stop\)\n")


@contextmanager
def served(content: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    """The running ``mdguide serve --content CONTENT --port 0`` and the address it printed.

    The line is printed once the first page is made; the process is killed
    afterwards if the test has not stopped it.
    """
    process = subprocess.Popen(
        [str(MDGUIDE), "serve", "--content", str(content), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        match = SERVING.fullmatch(line)
        assert match, line
        yield process, match.group(1)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
