"""Run the mdguide CLI and SIGKILL it just before its Nth change to a folder: a real crash at an exact point.

    python tests/crash_at.py N FOLDER build --format html --out FOLDER

counts each ``os.rename``, ``os.replace`` and ``os.unlink`` that changes an
entry of FOLDER outside its private staging folders (the calls a build swaps
a set in with) and kills the process, with SIGKILL, just before the Nth.  With N = 0 it kills nothing and prints the
count on stderr at the end: ``crash_at: 8 changes``.  No hook in the code
under test is needed: the calls are wrapped from outside.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys


def main() -> None:
    limit, folder, args = int(sys.argv[1]), os.path.realpath(sys.argv[2]), sys.argv[3:]
    count = 0

    def inside(path) -> bool:
        real = os.path.realpath(os.path.join(os.getcwd(), os.fsdecode(path)))
        return real.startswith(folder + os.sep) and not real[len(folder) + 1 :].startswith(
            ".mdguide-staging-"
        )

    def wrap(real):
        def changed(*paths, **kwargs):
            nonlocal count
            if "dir_fd" not in kwargs and "src_dir_fd" not in kwargs and any(inside(p) for p in paths[:2]):
                count += 1
                if count == limit:
                    os.kill(os.getpid(), signal.SIGKILL)
            return real(*paths, **kwargs)

        return changed

    for name in ("rename", "replace", "unlink"):
        real = getattr(os, name)
        setattr(os, name, wrap(real))
        if real in os.supports_dir_fd:  # so shutil.rmtree keeps its link-safe way of working
            os.supports_dir_fd.add(getattr(os, name))
    if limit == 0:
        atexit.register(lambda: print(f"crash_at: {count} changes", file=sys.stderr))
    from mdguide_build.cli import main as mdguide

    mdguide(args, prog_name="mdguide")


if __name__ == "__main__":
    main()
