"""Benchmark: how long the ``labelwise`` command takes to answer ``--help`` and other quick calls.

Each call is a fresh ``python -m labelwise ...`` (wall time of the whole process, as a user waits),
run ``--repeats`` times for each source tree given, the trees interleaved call by call so that both
see the same load; the median is reported. Give the source trees to compare (``src`` folders), e.g.
main's and a branch's:

    git -C /work/main archive HEAD src | tar -x -C /tmp/main-src
    python benchmarks/bench_cli_startup.py /tmp/main-src/src src --repeats 5

No peer: cleanlab, crowd-kit and Snorkel ship no command line.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from _machine import machine_line

#: The calls timed: the group's help and version, a usage error, and a command's help.
CALLS = [
    ["--help"],
    ["--version"],
    ["no-such-command"],
    ["report", "--help"],
    ["slices", "--help"],
    ["audit", "--help"],
    ["aggregate", "--help"],
    ["train", "--help"],
    ["corrupt", "--help"],
    ["weak", "--help"],
]


def _seconds(src: str, args: list[str]) -> float:
    """Wall time of one fresh ``python -m labelwise ARGS`` with ``src`` first on the path."""
    env = {**os.environ, "PYTHONPATH": src, "OMP_NUM_THREADS": "1"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "labelwise", *args], env=env, capture_output=True, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", help="src folders to compare (each holds labelwise/)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(machine_line("click"))
    with open("/proc/loadavg", encoding="utf-8") as fh:
        print(f"load average before: {fh.read().split()[:3]}")
    print("call".ljust(24) + "".join(tree[-28:].rjust(30) for tree in args.trees) + "   (median s)")
    for call in CALLS:
        times: dict[str, list[float]] = {tree: [] for tree in args.trees}
        for _ in range(args.repeats):
            for tree in args.trees:
                times[tree].append(_seconds(tree, call))
        row = "".join(f"{statistics.median(times[tree]):30.2f}" for tree in args.trees)
        print(" ".join(call).ljust(24) + row)
    with open("/proc/loadavg", encoding="utf-8") as fh:
        print(f"load average after: {fh.read().split()[:3]}")


if __name__ == "__main__":
    main()
