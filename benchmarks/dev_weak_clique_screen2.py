"""Issue 15, session 54 (screen2): screen54's one-class co-vote screen re-registered, its false-join clause corrected.

screen54 (``dev_weak_clique_screen.py``: the candidate, its seen-set measurement and its first verdict) registered a
co-vote screen for one-class copies past a grown clique at 60986099 and judged it on copy seeds 4100-4159: part (a)
failed only on "no false join in the candidate's fits", by a false join main's own fit holds (copy4145 at 10,000
items, where the candidate's fit is main's, groups and points). That clause was meant to judge the candidate, not
main. This is a SECOND judging of the SAME candidate under the corrected clause, on seeds nobody has used.

THE CANDIDATE: 60986099's code unchanged in logic and constants, under a new module name,
``src/labelwise/weak/_one_class_covote.py`` (switch ``SCREEN_ONE_CLASS``, False at registration; the hook: the same few
lines in ``_dependencies.clique_search``). The old name ``_one_class_screen`` belongs to an older rejected candidate
(is15s/is15u) and is checked as absent by ``tests/test_bench_dev_weak_scripts.py``.

JUDGING RULE (registered before any judging run; judged once, in order, stopping at the first failed part; adopted
(``SCREEN_ONE_CLASS = True``) only if all three hold, else ``src`` goes back to main's in a commit). screen54's rule with
(a)'s and (b)'s false-join clause read as "no false join in the candidate's fit that main's fit of the same set
lacks" (a false join: a clique of more than 3 functions holding functions of more than one rule,
``dev_weak_clique_cap_n.false_joins``; compared per set as the cliques it names). Main: ``src`` with the switch off;
MV is ``labelwise.aggregate.MajorityVote``; "below MV": more than 0.5 points below it.
(a) ``--part a``: fresh copy-family seeds 4200-4259 at n = 1,000 and 10,000: sets below MV strictly fewer than main's
    in total over both n, and not more at either n; none newly below MV (below under the candidate, not under main);
    no false join in the candidate's fit that main's fit of the same set lacks.
(b) ``--part b``: fresh bench-generator first seeds 14100 and 14200 (20 sets) at n = 1,000 and 10,000: no false join
    in the candidate's fit that main's fit of the same set lacks, none newly below MV, none falling by more than 0.5
    against main.
(c) ``--part c``: the 93 dev sets (``_dev_weak_sets``) and ``bench_weak.py --no-snorkel --skip-apply``'s 19 (today's
    main run once in the same process with the switch off, not the record): every accuracy equal to main's (4 places,
    pandas' round, as ``bench_weak`` prints them); fit CPU of the 19 (medians of 3 alternating fits, summed) at most
    1.05x main's.

OUTCOME (registration commit 7ac59cd1 at 18:27:55 UTC; judged 18:28-18:30:34 UTC, load 0.4-1.3): ADOPTED, all three
parts pass (``SCREEN_ONE_CLASS = True``). A second judging of one candidate under a corrected clause, on new seeds.
(a) n=1,000: below MV main 13 -> candidate 6, none newly below, 10 sets up by more than 0.5 and none down, mean
    84.190 -> 86.746 (MV 80.385); n=10,000: no set changed (below MV 0 -> 0, mean 90.498). Over both n 13 -> 6. No
    false join in either fit at either n (so the corrected clause had nothing to tell apart).
(b) no set changed at 1,000 or 10,000 items (means 82.427 and 86.228; below MV 4 -> 4 and 0 -> 0); no false join.
(c) the 93: all equal (mean 86.8666); the 19: all equal to today's main (cifar10n_slots 0.9204); fit CPU of the 19
    1.245 s against main's 1.276 s (0.975x).

Run (``PYTHONPATH=<worktree>/src OMP_NUM_THREADS=1``, from the repository root)::

    python benchmarks/dev_weak_clique_screen2.py --part a    # then b, c (LABELWISE_CROWD_DATA set)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

import dev_weak_clique_bars as bars  # noqa: E402
import dev_weak_clique_screen as screen  # noqa: E402
from dev_weak_clique_cap_n import bench_sets, copy_sets  # noqa: E402


def switch() -> tuple:
    """The candidate's module and switch name (registered at 7ac59cd1 with the switch off; adopted: on in ``src``)."""
    from labelwise.weak import _one_class_covote

    return _one_class_covote, "SCREEN_ONE_CLASS"


screen.switch = switch  # screen.fit (bars.fit) switches this module's candidate


def new_false(frame: pd.DataFrame) -> pd.Series:
    """Per set: the candidate's false joins that main's fit of the same set lacks ("; "-joined, "" for none)."""

    def joins(cell: object) -> set[str]:
        return {j for j in str(cell).split("; ") if j} if isinstance(cell, str) else set()

    return pd.Series(
        ["; ".join(sorted(joins(c) - joins(m))) for c, m in zip(frame.false_cand, frame.false_main, strict=True)],
        index=frame.index,
    )


def judged(source, n: int, label: str) -> tuple[pd.DataFrame, dict]:
    """``bars.judged`` with ``new_false``: the sets where the candidate holds a false join main lacks."""
    frame, got = bars.judged(source, n, label)
    frame["new_false"] = new_false(frame)
    got["new_false"] = int((frame.new_false != "").sum())
    print(
        f"{label}: false joins main {int((frame.false_main.fillna('') != '').sum())}, candidate {got['false']}, "
        f"candidate's that main lacks {got['new_false']}",
        flush=True,
    )
    for row in frame[frame.new_false != ""].itertuples():
        print(f"  new false join {row.set}: {row.new_false}", flush=True)
    frame.to_csv(f"/tmp/screen2_{label.split()[0].strip('()')}_{n}.csv", index=False)
    return frame, got


def part_a() -> bool:
    """(a): fresh copy-family seeds 4200-4259 at 1,000 and 10,000 items."""
    below, ok = {"main": 0, "cand": 0}, True
    for n in (1_000, 10_000):
        _, got = judged(copy_sets(tuple(range(4200, 4260)), n), n, f"(a) n={n}")
        below = {"main": below["main"] + got["below_main"], "cand": below["cand"] + got["below"]}
        ok = ok and not (got["below"] > got["below_main"] or got["newly"] or got["new_false"])
    print(f"(a) below MV over both n: main {below['main']}, candidate {below['cand']}")
    return ok and below["cand"] < below["main"]


def part_b() -> bool:
    """(b): fresh bench-generator first seeds 14100 and 14200 (20 sets) at 1,000 and 10,000 items."""
    for n in (1_000, 10_000):
        _, got = judged(bench_sets((14100, 14200), n), n, f"(b) n={n}")
        if got["new_false"] or got["newly"] or got["fall"]:
            return False
    return True


#: (c): screen54's part (c) (the 93 and the 19 against today's main, CPU of the 19), through ``screen.switch``, which is
#: this module's ``switch`` (its CSV of the 93: /tmp/screen54_part_b_93.csv).
part_c = screen.part_c


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--part", choices=["a", "b", "c"], required=True)
    args = parser.parse_args()
    verdict = {"a": part_a, "b": part_b, "c": part_c}[args.part]()
    print(f"({args.part}):", "PASS" if verdict else "FAIL")
    sys.exit(0 if verdict else 1)


if __name__ == "__main__":
    main()
