"""Run the mdguide CLI and kill it, with SIGKILL, just as it starts its first pandoc.

    python tests/killed_while_forking.py PIDFILE build --format html --out o

Just before the build runs pandoc it forks a child that lingers holding every
descriptor the build had, as a child does between fork and exec, writes the
child's pid to PIDFILE (so the test can end it), and kills itself.  This is
what a build killed while starting pandoc leaves behind, made exact: the
state machine in test_build_state.py once found it by chance.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time


def main() -> None:
    pidfile, args = sys.argv[1], sys.argv[2:]

    def run(*_args, **_kwargs):
        child = os.fork()
        if child == 0:
            time.sleep(60)
            os._exit(0)
        with open(pidfile, "w", encoding="utf-8") as handle:
            handle.write(str(child))
        os.kill(os.getpid(), signal.SIGKILL)

    subprocess.run = run
    from mdguide_build.cli import main as mdguide

    mdguide(args, prog_name="mdguide")


if __name__ == "__main__":
    main()
