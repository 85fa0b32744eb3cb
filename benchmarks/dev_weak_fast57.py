"""The judging rule of fast57's bit-identical cuts of the default informative-abstain fit (fast57, session 57).

Registered before the final timing run (this docstring and :func:`verdict` committed first).

**What is cut.** Work in the default ``LabelModel().fit`` on ``bench_weak.py``'s simulated sets (sim1000-sim1009,
the binding set sim1004_K3_m15+4_cov0.6: the one-class fit, six EM runs, two moment fits, one ADMM solve) that
changes no floating-point operation on any value that feeds an answer: the same operations on the same operands in
the same order, with fewer Python layers, temporaries or repeated computations around them.

**The rule.** The branch is adopted only if all three hold:

1. *Every answer the same, to the bit.* ``benchmarks/dev_weak_fit_bits.py --compare`` against the file saved FIRST on
   main's code (``--save /tmp/fast57_bits.npz``, 242 default fits: every fitted attribute, ``_groups``, ``_pairs``,
   the warnings) prints "0 differ" after every ``src`` commit.
2. *sim1004 at least 1.05x cheaper cold*: in the final timing run, main's cold median over the branch's cold median
   on sim1004_K3_m15+4_cov0.6 is at least 1.05.
3. *No set of the 19 dearer than 1.03x*: in the same run, the branch's cold median over main's is at most 1.03 on
   every one of the 19 sets.

The final timing run, once (main's ``src`` as ``git worktree add --detach /work/ab-main-fast57 main``)::

    LABELWISE_CROWD_DATA=/work/shared/data/crowd OMP_NUM_THREADS=1 nice -n 5 python \\
        benchmarks/speed_weak_fit.py --srcs /work/ab-main-fast57/src,/work/wt-fast57/src --repeats 7 > run.txt
    python benchmarks/dev_weak_fast57.py run.txt

If (2) or (3) fails, the cuts are not adopted: ``src`` goes back to main's in a commit and the result is reported.
The benchmark's ratio with Snorkel on sim1004 (``bench_weak.py --sets sim1004_K3_m15+4_cov0.6 --snorkel-python
/work/venvs/weak-snorkel/bin/python --skip-apply``, main's and the branch's one after the other) is reported, not
judged (one process each; the machine's drift between runs is larger than the cut).
"""

from __future__ import annotations

import re
import sys

BINDING = "sim1004_K3_m15+4_cov0.6"
BINDING_GAIN = 1.05  # main / branch, cold, at least
MOST_DEARER = 1.03  # branch / main, cold, at most, every set

_ROW = re.compile(r"^(?P<name>\S+) \[(?P<src>[^\]]+)\]\s+(?P<cold>[0-9.]+)\s+(?P<warm>[0-9.]+)")


def cold_medians(text: str) -> dict[str, list[float]]:
    """Each set's cold medians, in the order of ``--srcs`` (main's first), from ``speed_weak_fit.py``'s table."""
    out: dict[str, list[float]] = {}
    for line in text.splitlines():
        match = _ROW.match(line.strip())
        if match:
            out.setdefault(match["name"], []).append(float(match["cold"]))
    return out


def verdict(medians: dict[str, list[float]]) -> tuple[bool, list[str]]:
    """Parts (2) and (3) of the rule on the cold medians ``{set: [main, branch]}``: pass or not, and one line a set."""
    lines, ok = [], BINDING in medians
    for name, (main, branch) in medians.items():
        ratio = branch / main
        bad = ratio > MOST_DEARER or (name == BINDING and main / branch < BINDING_GAIN)
        ok = ok and not bad
        lines.append(
            f"{name:32s} main {main:.4f}  branch {branch:.4f}  branch/main {ratio:.3f}{'  FAILS' if bad else ''}"
        )
    if BINDING not in medians:
        lines.append(f"{BINDING} not in the run: the rule cannot pass")
    return ok, lines


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        medians = cold_medians(f.read())
    ok, lines = verdict(medians)
    print("\n".join(lines))
    print(
        f"rule (2) sim1004 >= {BINDING_GAIN}x cheaper cold and (3) no set dearer than {MOST_DEARER}x: "
        f"{'PASSES' if ok else 'FAILS'}"
    )


if __name__ == "__main__":
    main()
