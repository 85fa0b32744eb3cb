"""Issue 15, session 57 (every57): a SECOND judging of geninf57's candidate ``weak._every_row`` (EM over every vote
row with a free class balance for independent functions whose informative-abstain fit ran on the voted items only),
with a rule the lead reworded after its first judging failed only by moving three of the 19 up.

THE FIRST JUDGING (``dev_weak_gen_informative57.py --judge`` at cc40cd1e; RESULTS.md, session 57, geninf57) passed
(a) (fresh focused sets more than 0.5 below majority vote (MV) 66 -> 41 of 1,200, none newly) and (b), and FAILED
(c), whose clause read "every accuracy of the 19 EQUAL to the record": sim1000 0.7733 -> 0.8191, sim1003 0.8086 ->
0.8420, sim1006 0.8387 -> 0.8635, each up. The clause was meant to keep the benchmark from moving down; it also shut
out every fix of this cause, since those three of the 19 are sets of independent functions. The lead reworded (c)
and (e) after seeing that; this is the second judging of the same code (restored from cc40cd1e, switch off), on
seeds nobody has used.

THE RULE (registered in this commit, before any judging run; judged ONCE, candidate against main on the same sets,
stopped at the first failed part; MV, scoring and set builders as ``dev_weak_gen_informative57.py``'s, whose
functions this script calls with its seeds and configurations replaced by these):
(a) fresh focused sets: ``simulate_lfs`` with configurations K3_m10+0_cov0.3, K2_m10+0_cov0.6 and K5_m10+0_cov0.6 of
    ``bench_weak.SIM_CONFIGS`` at seeds 43000-43399 (1,200 sets; gold items with a vote; MV =
    ``aggregate.MajorityVote``): at least 5 sets changed; strictly fewer sets more than 0.5 below MV than main; none
    newly more than 0.5 below MV (a set main has within 0.5); mean not lower.
(b) the 93 dev sets (``_dev_weak_sets.rule_sets`` of seed -1, covered gold items): mean not lower than main's by
    more than 0.01, no set down more than 0.5.
(c) the 19 (``_dev_weak_judge.bench_accuracies`` with the switch on, ``compare_with_record``): NO accuracy lower than
    the record (the peers' accuracies are the record's, so the count of sets at or above the peers cannot fall); the
    sets that moved are printed.
(d) fresh ``bench_weak.simulated_sets`` at first seeds 23300-24200 (100 sets, MV as in (a)), fresh low-coverage
    seeds 9100-9499 (``dev_weak_low_coverage_peers.sparse_set``, voted items, ``MajorityLabelVoter``) and fresh
    shared-trigger seeds 1868-1899 at K 2 and 3 (64 sets, covered gold items, ``MajorityLabelVoter``): none newly
    more than 0.5 below MV.
(e) cost. The 19's ten sims, each split by whether the candidate changes any of its labels (in-process fits, switch
    off then on). Cold fit CPU (``speed_weak_fit.py --repeats 5 --srcs /work/ab-main-every57/src,<candidate>``, 5
    fresh processes a side, interleaved, OMP_NUM_THREADS=1, medians; main's worktree made by ``git worktree add
    --detach /work/ab-main-every57 main``; ``<candidate>`` a temporary copy of this worktree's ``src`` with
    ``_every_row.ENABLED = True``, since the committed switch is off): on each sim it does not change at most 1.05x
    main's, on each it changes at most 1.35x main's. And ``bench_weak.py --sets <the changed sims> --snorkel-python
    /work/venvs/weak-snorkel/bin/python --skip-apply`` run with the candidate's src (switch on): on each changed sim
    Snorkel's fit CPU (``snorkel_cpu_s``) at least 15x labelwise's (``lw_cpu_s``).
Adopted (``ENABLED = True``) only if all pass; otherwise ``src`` goes back to main's.

OUTCOME (``--judge`` at b760c89c, the registering commit, 05:05-05:12 UTC; log /tmp/every57/judge.log, not
committed): it FAILS (d). (a) passes: 1,174 of 1,200 changed (684 up and 2 down by more than 0.5, the largest fall
0.58), more than 0.5 below MV 35 -> 11, none newly, mean 83.148 -> 84.364. (b) passes: 3 of the 93 changed (sim100
+6.83, sim106 +0.89, sim103 -0.33), mean 86.8666 -> 86.9460. (c) passes: 19 of 19 at or above the record; moved
sim1000 0.7733 -> 0.8191, sim1003 0.8086 -> 0.8420, sim1006 0.8387 -> 0.8635. (d) fails: generator sets 1 -> 1
below MV, none newly; low-coverage sets 73 -> 71 below MV but 3 newly (9271 84.88 -> 68.81, 9375 61.80 -> 55.98,
9484 85.29 -> 67.70). (e) was not run. The cause of the three (and of the shared-trigger sets shared1884_K2 and
shared1886_K2, computed in the same step, 6 -> 8 below MV): ``_one_class_fit.choose_structure`` compares by BIC the
fit without the learned pairs with the fit with them, reading each fit's ``log_likelihood_history_[-1]`` as the
voted items' mean log-likelihood; the refit replaced the first fit's by its mean over every vote row (the no-vote
items included, the balance free), higher, so the learned copy cliques were dropped. ``src`` went back to main's;
this script exits unless run from b760c89c.

Run (from the repository root)::

    LABELWISE_CROWD_DATA=/work/shared/data/crowd PYTHONPATH=$PWD/src OMP_NUM_THREADS=1 \\
        python benchmarks/dev_weak_every_row57.py --judge

References: A. P. Dempster, N. M. Laird and D. B. Rubin, JRSS B 39(1), 1977 (section 4.2, truncated samples);
A. P. Dawid and A. M. Skene, Applied Statistics 28(1), 1979.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import dev_weak_gen_informative57 as gi  # noqa: E402

try:  # the candidate's module; absent where it left src after a failed judging
    from labelwise.weak import _every_row
except ImportError:
    _every_row = None

# The first judging's functions with this judging's configurations and fresh seeds (module docstring, THE RULE).
gi.FOCUSED = {"K3_m10+0_cov0.3": 3, "K2_m10+0_cov0.6": 0, "K5_m10+0_cov0.6": 6}  # index in bench_weak.SIM_CONFIGS
gi.FRESH_A = range(43000, 43400)
gi.FRESH_D_BENCH = list(range(23300, 24201, 100))
gi.FRESH_D_LOW = range(9100, 9500)
gi.FRESH_D_SHARED = range(1868, 1900)
gi.OUT = Path("/tmp/every57")
MAIN_SRC = Path("/work/ab-main-every57/src")
SNORKEL = "/work/venvs/weak-snorkel/bin/python"


def part_c() -> bool:
    """The 19 with the switch on: no accuracy lower than the record; the moved sets printed."""
    from _dev_weak_judge import bench_accuracies, compare_with_record

    record = compare_with_record(bench_accuracies(_every_row, "ENABLED", True))
    moved = record[~record.equal][["set", "printed", "record"]].values.tolist()
    print(f"(c): {int(record.at_or_above.sum())} of {len(record)} at or above the record; moved {moved}", flush=True)
    return len(record) == 19 and bool(record.at_or_above.all())


def changed_sims() -> tuple[list[str], list[str]]:
    """The 19's ten sims the candidate leaves alone and those where it changes a label (in-process fits)."""
    from _dev_weak_judge import fits_with_switch
    from bench_weak import simulated_sets

    alone, changed = [], []
    for name, votes, _ in simulated_sets(1000):
        fits = fits_with_switch(_every_row, "ENABLED", votes)
        same = pd.Series(fits[True].labels).equals(pd.Series(fits[False].labels))  # unlabelled items equal
        (alone if same else changed).append(name)
    print(f"(e) unchanged {alone}; changed {changed}", flush=True)
    return alone, changed


def candidate_src(tmp: str) -> Path:
    """A copy of this worktree's ``src`` with the switch on."""
    cand = Path(tmp) / "src"
    shutil.copytree(Path(_every_row.__file__).resolve().parents[2], cand)
    module = cand / "labelwise" / "weak" / "_every_row.py"
    module.write_text(module.read_text().replace("\nENABLED = False\n", "\nENABLED = True\n"))
    return cand


def cold_ratios(sims: list[str], cand: Path) -> dict[str, float]:
    """``speed_weak_fit.py``'s median cold fit CPU of each sim, candidate / main."""
    cmd = [sys.executable, str(HERE / "speed_weak_fit.py"), "--repeats", "5", "--sets", ",".join(sims)]
    out = subprocess.run([*cmd, "--srcs", f"{MAIN_SRC},{cand}"], capture_output=True, text=True, check=True).stdout
    print(out, flush=True)
    cold: dict[str, dict[str, float]] = {}
    for line in out.splitlines()[1:]:
        name, where = line.split()[0], line.split("[")[1].split("]")[0]
        cold.setdefault(name, {})["cand" if where == str(cand) else "main"] = float(line.split("]")[1].split()[0])
    return {n: c["cand"] / c["main"] for n, c in cold.items()}


def snorkel_ratios(sims: list[str], cand: Path) -> dict[str, float]:
    """``bench_weak.py --sets sims --skip-apply`` with the candidate's src: Snorkel's fit CPU / labelwise's."""
    cmd = [sys.executable, str(HERE / "bench_weak.py"), "--sets", ",".join(sims), "--skip-apply"]
    env = {**os.environ, "PYTHONPATH": str(cand)}
    out = subprocess.run([*cmd, "--snorkel-python", SNORKEL], capture_output=True, text=True, check=True, env=env)
    print(out.stdout, flush=True)
    lines = [ln.split() for ln in out.stdout.splitlines()]
    header = next(ln for ln in lines if ln[:1] == ["set"])
    rows = [dict(zip(header, ln, strict=True)) for ln in lines if ln[:1] and ln[0] in sims and len(ln) == len(header)]
    return {r["set"]: float(r["snorkel_cpu_s"]) / float(r["lw_cpu_s"]) for r in rows}


def part_e() -> bool:
    """Cold fit CPU at most 1.05x main's on the unchanged sims, 1.35x on the changed; Snorkel at least 15x there."""
    alone, changed = changed_sims()
    with tempfile.TemporaryDirectory() as tmp:
        cand = candidate_src(tmp)
        ratios = cold_ratios(alone + changed, cand)
        print("(e) cold ratios:", {n: round(r, 3) for n, r in ratios.items()}, flush=True)
        limits = {**dict.fromkeys(alone, 1.05), **dict.fromkeys(changed, 1.35)}
        if len(ratios) != len(limits) or any(ratios[n] > limit for n, limit in limits.items()):
            return False
        if not changed:
            return True
        snorkel = snorkel_ratios(changed, cand)
    print("(e) Snorkel / labelwise CPU:", {n: round(r, 1) for n, r in snorkel.items()}, flush=True)
    return len(snorkel) == len(changed) and all(r >= 15 for r in snorkel.values())


def judge() -> str:
    """The registered rule (module docstring), to its first failed part: "PASSES" or "FAILS <part>"."""
    if not gi.part_a(gi.table("focused")):
        return "FAILS a"
    if not gi.part_b(gi.table("dev93")):
        return "FAILS b"
    if not part_c():
        return "FAILS c"
    d = {kind: gi.table(kind) for kind in ("bench", "low", "shared")}
    if any(gi.against_mv(d[kind], f"(d) {kind}")["newly"] for kind in d):
        return "FAILS d"
    return "PASSES" if part_e() else "FAILS e"


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--judge", action="store_true", help="the registered rule, once, to its first failure")
    args = ap.parse_args()
    if _every_row is None:
        sys.exit(
            "labelwise.weak._every_row left src after its second judging (benchmarks/RESULTS.md, session 57, every57): "
            "run this script from commit b760c89c"
        )
    gi.OUT.mkdir(parents=True, exist_ok=True)
    if args.judge:
        print("RULE:", judge(), flush=True)


if __name__ == "__main__":
    main()
