"""Issue 12's threads goal: two labelwise source trees, A (before) and B (after), in alternating processes.

Each round runs one ``dev_threads.py time`` process per tree (dev data: ``dev_threads.load``, seed 1,
never the benchmark's 0; best of ``--repeat`` calls per ``n_jobs``), A first in odd rounds and B
first in even ones, so a drift of the machine during the run falls on both trees alike. Every
process reports its ``n_jobs=1`` and ``n_jobs=2`` wall times and their ratio; a round pairs A's
process with B's.

The rule this script applies (session 14, thr16; written and committed before the run that judges it):

- the run: ``--rounds 40`` in the quiet slot, A = main's ``src`` (``git archive``), B = the branch;
- B is kept only if all of
  (1) its per-round ratios exceed A's: Wilcoxon signed-rank test of the 40 paired differences
      ``ratio(B) - ratio(A)``, one-sided, p < 0.05, and their median > 0;
  (2) its two-thread call is faster, not only its one-thread call slower: the median of the paired
      differences ``wall2(B) - wall2(A)`` < 0;
  (3) the flags, ranking and quality equal A's bit for bit on the dev data (``dev_threads.py save``)
      and ``n_jobs`` 1 and 2 give the same result (``dev_threads.py same``): checked separately;
- the goal (``n_jobs=2`` at least 1.6x faster than ``n_jobs=1``) is met on this run if B's median
  ratio over the rounds is at least 1.6; reported whatever the rule decides.

Usage: ``python benchmarks/dev_threads_ab.py --a-src DIR --b-src DIR [--rounds 40] [--out FILE]``, or
``--analyse FILE`` to print a saved run's statistics again.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent


def one_process(src: str, repeat: int, seed: int) -> dict:
    """One ``dev_threads.py time`` process on the source tree ``src``: its JSON line."""
    env = dict(os.environ, PYTHONPATH=src)
    cmd = [sys.executable, str(HERE / "dev_threads.py"), "time", "--repeat", str(repeat), "--seed", str(seed)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    got = json.loads(out.strip().splitlines()[-1])
    return {"w1": got["jobs1"]["wall"], "w2": got["jobs2"]["wall"], "ratio": got["ratio"], "load": got["load_end"]}


def run(a_src: str, b_src: str, rounds: int, repeat: int, seed: int) -> list[dict]:
    """``rounds`` rounds of one process per tree, the order alternating; each round's two results."""
    out = []
    for r in range(1, rounds + 1):
        order = ("a", "b") if r % 2 else ("b", "a")
        row: dict = {"round": r, "start": time.strftime("%H:%M:%S", time.gmtime()), "load": os.getloadavg()[0]}
        for tree in order:
            row[tree] = one_process(a_src if tree == "a" else b_src, repeat, seed)
        out.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    return out


def analyse(rows: list[dict]) -> dict:
    """Medians per tree, the paired tests of the rule, and its decision."""
    from scipy import stats

    a = {k: np.array([r["a"][k] for r in rows]) for k in ("w1", "w2", "ratio")}
    b = {k: np.array([r["b"][k] for r in rows]) for k in ("w1", "w2", "ratio")}
    diff = b["ratio"] - a["ratio"]
    wil = stats.wilcoxon(diff, alternative="greater")
    sign = stats.binomtest(int((diff > 0).sum()), int((diff != 0).sum()), alternative="greater")
    out = {
        "rounds": len(rows),
        "median": {t: {k: float(np.median(v)) for k, v in d.items()} for t, d in (("a", a), ("b", b))},
        "at_least_1.6": {"a": int((a["ratio"] >= 1.6).sum()), "b": int((b["ratio"] >= 1.6).sum())},
        "paired_median": {
            "ratio": float(np.median(diff)),
            "w1": float(np.median(b["w1"] - a["w1"])),
            "w2": float(np.median(b["w2"] - a["w2"])),
        },
        "b_ahead_rounds": int((diff > 0).sum()),
        "wilcoxon_p": float(wil.pvalue),
        "sign_p": float(sign.pvalue),
        "mann_whitney_p": float(stats.mannwhitneyu(b["ratio"], a["ratio"], alternative="greater").pvalue),
    }
    keep = out["wilcoxon_p"] < 0.05 and out["paired_median"]["ratio"] > 0 and out["paired_median"]["w2"] < 0
    out["rule_(1)_(2)_met"] = bool(keep)
    out["goal_met"] = bool(out["median"]["b"]["ratio"] >= 1.6)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a-src")
    parser.add_argument("--b-src")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=None, help="write the rounds here (JSON)")
    parser.add_argument("--analyse", default=None, help="a saved run to analyse instead of running")
    args = parser.parse_args()
    if args.analyse:
        rows = json.loads(Path(args.analyse).read_text())
    else:
        if not (args.a_src and args.b_src):
            parser.error("--a-src and --b-src are needed to run")
        rows = run(args.a_src, args.b_src, args.rounds, args.repeat, args.seed)
        if args.out:
            Path(args.out).write_text(json.dumps(rows))
    print(json.dumps(analyse(rows), indent=1))


if __name__ == "__main__":
    main()
