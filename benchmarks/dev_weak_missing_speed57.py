"""Issue 15, session 57 (speed57): the missing-abstain path made cheaper without changing a bit of any answer.

own56's check on the label model's own fit brought the missing-abstain path near Snorkel's 10x (sim6201 10.2x,
sim6109 10.4x) but not on sim15701 (8.3x), whose mostly one-class votes make the one-class fit
(``weak._one_class_fit.choose_structure``) run the whole missing-abstain path twice, once per structure. This
session cuts what is repeated or wasted on that path, and nothing that changes an answer.

THE RULE (registered in this docstring, committed before the final timing run; no candidate default is judged):

1. Every cut keeps every answer equal TO THE BIT, checked with ``--compare`` against references saved on main's code
   before any cut:
   (i) ``dev_weak_fit_bits.py --compare /tmp/speed57_bits.npz``: the 242 default fits, every fitted attribute,
       ``_groups``, ``_pairs`` and the warnings: 0 differ;
   (ii) this script's ``--compare /tmp/speed57_missing.pkl``: the default fit of each set of :data:`MISSING_SETS`
        (the benchmark generator's seen sims that keep missing abstains, ``/work/notes/s57/seen_gen.csv``, and
        sim6201, sim6109), the same attributes: 0 differ.
   A cut that changes any bit is out (it is not registered or judged this session).
2. The final timing, ``benchmarks/speed_weak_fit.py --srcs /work/ab-main57/src,/work/wt-speed57/src --repeats 7``
   (main's copy a detached worktree of ``main``; ``OMP_NUM_THREADS=1``), shows each of sim15701, sim6201, sim6109,
   sim16001 and sim16101 cheaper cold (branch median below main's), and none of sim1000-sim1009 dearer than 1.03x
   (branch cold median / main's at most 1.03). If a set fails, the report says so and which cut it reads.
3. Reported, not judged: Snorkel's first fit over labelwise's on the five missing-path sets
   (``dev_weak_missing_speed3.py --snorkel-ratio``, ``/work/venvs/weak-snorkel/bin/python``).

OUTCOME (rule committed in 5238b4af at 04:30 UTC; cuts 684648e5, 2fb9dd2c, 583f41d0, 98022ec7; code timed at 270cad65):
1. 242 fits and 20 fits: 0 differ, largest ``probas_`` difference 0, after each cut: PASS.
2. Final timing 04:54:25-05:05:55 UTC, load 5.4-5.7: main / branch cold sim15701 1.441, sim6201 1.045, sim6109 1.071,
   sim16001 1.062, sim16101 1.062 (all cheaper: PASS); sim1000-sim1009 branch / main 0.780-1.015 except sim1002
   1.032 (main 0.0285 s, branch 0.0294 s; warm 0.0246 both; its fit calls none of the changed code): that clause
   FAILS on sim1002, by the processes' spread; not rerun. Numbers: ``benchmarks/RESULTS.md``, session 57 (speed57).
3. Snorkel's first fit over the branch's: sim15701 11.9x, sim6201 11.6x, sim6109 10.9x, sim16001 14.3x, sim16101
   14.9x (main 8.7x, 10.3x, 9.6x, 13.1x, 14.0x in the same run).

Run (from the repository root)::

    PYTHONPATH=<main>/src python benchmarks/dev_weak_missing_speed57.py --save /tmp/speed57_missing.pkl
    PYTHONPATH=<branch>/src python benchmarks/dev_weak_missing_speed57.py --compare /tmp/speed57_missing.pkl
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import labelwise  # noqa: F401  (first: the benchmark helpers must not put another src first)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from check_weak_fit_same import save_or_compare, save_or_compare_parser  # noqa: E402
from dev_weak_fit_bits import fitted  # noqa: E402

#: The seen bench-generator sims that keep missing abstains (``/work/notes/s57/seen_gen.csv``, first seeds
#: 12500-19200) and speed55's two (first seeds 6100 and 6200), named as ``speed_weak_fit.py`` names them.
MISSING_SETS = (
    "sim6109_K2_m12+4_cov0.3",
    "sim6201_K2_m10+3_cov0.6",
    "sim13002_K2_m20+6_cov0.1",
    "sim13702_K2_m20+6_cov0.1",
    "sim14402_K2_m20+6_cov0.1",
    "sim15701_K2_m10+3_cov0.6",
    "sim16001_K2_m10+3_cov0.6",
    "sim16101_K2_m10+3_cov0.6",
    "sim17009_K2_m12+4_cov0.3",
    "sim17209_K2_m12+4_cov0.3",
    "sim17602_K2_m20+6_cov0.1",
    "sim17802_K2_m20+6_cov0.1",
    "sim18002_K2_m20+6_cov0.1",
    "sim18202_K2_m20+6_cov0.1",
    "sim18205_K3_m20+6_cov0.1",
    "sim18309_K2_m12+4_cov0.3",
    "sim18402_K2_m20+6_cov0.1",
    "sim18502_K2_m20+6_cov0.1",
    "sim19002_K2_m20+6_cov0.1",
    "sim19102_K2_m20+6_cov0.1",
)


def sim_votes(name: str) -> object:
    """The votes of ``simN_...``: seed N of ``bench_weak.SIM_CONFIGS``' configuration N mod 10, as
    ``speed_weak_fit.py`` builds them."""
    import bench_weak

    from labelwise.weak import simulate_lfs

    seed = int(name.split("_")[0][3:])
    n, m, k, corr, cov, imb = bench_weak.SIM_CONFIGS[seed % len(bench_weak.SIM_CONFIGS)]
    return simulate_lfs(n, m, k, n_correlated=corr, coverage=cov, imbalance=imb, random_state=seed).votes


def all_sets() -> Iterator[tuple[str, object]]:
    """Each of :data:`MISSING_SETS` with its votes."""
    for name in MISSING_SETS:
        yield name, sim_votes(name)


def main() -> None:
    args = save_or_compare_parser(__doc__.splitlines()[0]).parse_args()
    results = {}
    for name, votes in all_sets():
        results[name] = fitted(votes)
        print(name, results[name]["abstains_"], len(results[name]["_pairs"]), flush=True)
    save_or_compare(results, args.save, args.compare)


if __name__ == "__main__":
    main()
