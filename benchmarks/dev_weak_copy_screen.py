"""Issue 15, session 53 (copy53): a cheap screen for one-class copies the label model missed, then a refit.

Finding (misscopy52, session 52, ``benchmarks/RESULTS.md``): of the fresh bench-generator sets more than 0.5 points
below majority vote, two (sim6707, sim6909) are informative-abstain fits that KEPT a missed copy of a one-class rule
(the clique search reads agreement, 0 for two one-class rules; the fitted co-vote check no longer sees the copy once
a latent class follows its trigger: sim6707's pair lf_9-lf_17 has co-vote z 2.8 under the fitted posterior, sim6909's
lf_7-lf_12 0.42). Its follow-up (Varma et al.'s learned pairs on every fit, a refit with them wherever one lies outside
the fit's groups, kept where it keeps informative abstains) cut the seen sets below MV but cost 1.7-2.2x the fit's CPU
and lowered sim1007 of the benchmark (87.59 -> 87.39).

Why sim1007 fell (seen seeds, this session): the learner's outside pairs there are lf_1-lf_8 and lf_2-lf_7, pairs of
INDEPENDENT one-class rules of one class (class 2 and class 4), at partial correlation 0.185 and 0.151, just over the
learner's threshold T = 0.05 (at K = 5 the latent class's rank 4 leaks into ``Ŝ``, as is15t saw at sim106); the
refit models them as cliques. On the 160 seen bench sets every learned pair outside the fit's groups that is a true
copy has partial correlation >= 0.456, every false one <= 0.221.

THE CANDIDATE (one, registered here; ``src/labelwise/weak/_copy_refit.py``, switch ``REFIT_COPIES``, False in
``src``; hooks: ``label_model.py`` imports ``fit_rows`` from it (one import line changed, one added), and one line of
``_one_class_fit.fit_rows`` keeps an outer memo of shared steps where one is set). After the default fit, where the
one-class fit did not already choose its structure with the learned pairs (not mostly one-class votes, or
``one_class_rules=False``), with EM and the clique search on:
1. screen: the largest correlation over the items between a one-class function's vote indicator and a vote
   indicator of a function in another of the fit's groups, read from the gram the fit made; go on only where it is
   at least ``SCREEN`` = 0.7;
2. learner: ``_structure_learning.learned_pair_strengths`` (the label model's ADMM use of Varma et al.'s learner,
   ``learn_dependencies``' defaults); keep the pairs with a one-class member and partial correlation at least
   ``STRONG`` = 0.3;
3. where a kept pair lies outside the fit's groups: refit with the kept pairs added to ``dependencies`` (sharing the
   first fit's steps), kept where it keeps informative abstains; otherwise the first fit.
Both numbers were chosen on seen seeds only (the bench generator's 160 seen sets, the per-pair table below): STRONG
in the gap between false pairs (<= 0.221) and copies (>= 0.456); SCREEN under every seen set with a copy outside the
groups (>= 0.766) and above the benchmark's sim1007 (0.673) and sim1008 (0.613), where the learner would cost
0.033 s and 0.051 s against fits of 0.070 s and 0.091 s.

Exploration on seen seeds, the candidate as registered (``--explore``, 14:46-14:50 UTC; points on the gold items
with a vote; CPU: the fits' process time, main and candidate in one process; misscopy52's follow-up rerun on today's
main, one-class fit on, for comparison):

| seen sets | sets | changed | >0.5 below MV main -> candidate (newly) | follow-up | mean main -> cand | CPU main -> cand |
|---|---|---|---|---|---|---|
| bench generator 6000-7300, 1000, 100 | 160 | 10 | 7 -> 2 (0) | 7 -> 2 (0) | 84.631 -> 85.070 | 8.0 -> 8.7 s |
| low coverage 5100-5199, 5400-5559 | 260 | 28 | 60 -> 55 (2) | 60 -> 55 (3) | 76.503 -> 77.088 | 8.8 -> 10.0 s |
| shared triggers 200-215, 280-295, 392-487 | 256 | 47 | 61 -> 49 (3) | 61 -> 42 (5) | 70.168 -> 71.016 | 9.8 -> 11.8 s |

No bench-generator set falls (changed: sim6005, sim6109, sim6201, sim7209 missing -> informative, +11.4 ... +14.8;
sim6707 +11.40, sim6909 +8.65, sim7107 +3.91, sim6804 +0.51, sim6507 +0.02, sim7302 0); first seeds 1000 and 100
unchanged (every fit there equal to main's to the bit, warnings included, as on the 9 crowd sets).

JUDGING RULE (registered before any judging run; judged once, in order, stopping at the first failed part; adopted
(``REFIT_COPIES = True``) only if all four hold, else ``src`` goes back to main's behaviour in a commit):
(a) ``--part a``: fresh sets of ``bench_weak.py``'s generator, first seeds 8400, 8500, ..., 9300 (100 sets;
    ``LabelModel()`` and ``labelwise.aggregate.MajorityVote``), scored as ``bench_weak.py`` scores (the gold items
    with a vote): the sets more than 0.5 points below MV strictly fewer than main's; no set more than 0.5 below MV
    that main has within 0.5 of it; the mean not below main's.
(b) ``--part b``: the 93 dev sets of ``_dev_weak_sets.rule_sets()`` (seed -1): the candidate's mean at least main's
    minus 0.01 points, and none of the 93 more than 0.5 points under main's.
(c) ``--part c``: ``bench_weak.py``'s label-model section with ``--no-snorkel --skip-apply`` (its 19 sets, its
    ``evaluate``) with the candidate on: each of the 19 labelwise accuracies, rounded to 4 places as bench_weak
    prints them, at least its record (CF 0.8867, MS 0.7886, SP_amt 0.944, ZenCrowd_us 0.8686, cifar10n_slots 0.9195,
    Duck 0.8889, Dog 0.8228, Face 0.6421, smem_rte 0.9288, sim1000-1009 0.7733, 0.9522, 0.8012, 0.8086, 0.9983,
    0.8131, 0.8387, 0.8759, 0.9813, 0.9219); and fit CPU: each of the 19 fitted 5 times by main and 5 by the
    candidate, alternating, in one process, each side's median per set: the candidate's sum over the 19 at most
    1.10 times main's, and on sim1004 and on sim1008 each at most 1.10 times main's.
(d) ``--part d``: fresh low-coverage seeds 5800-5879 (``dev_weak_low_coverage_peers.sparse_set``) and fresh
    shared-trigger seeds 680-743 (``dev_weak_shared_triggers.shared_trigger_set``, K = 2 and 3), scored the same
    way: on each family, the sets more than 0.5 points below MV not more than main's.

OUTCOME (registration commit f672f38d at 14:50:57 UTC; (a) 14:50:59-14:51:11 UTC, load 3.1): the candidate FAILS
part (a); (b), (c) and (d) not run. ``src`` is back to main's (the next commit); seeds 8400-9309 are now seen.
(a) FAIL on the count and on the mean: 100 sets, more than 0.5 below MV **1 -> 1** (strictly fewer: fails), none
    newly (holds), mean 85.6371 -> 85.6368 (MV 79.794; lower: fails). The candidate changed one set, sim9007 (K5,
    m15+4) 87.68 -> 87.65 (MV 82.77): the learner paired two independent one-class rules of class 2 (lf_6, lf_8) at
    partial correlation 0.306, just over STRONG. CPU 4.3 -> 4.5 s over the 100.
Diagnosis (after the run): the one set below MV, sim8602 (K2, m20+6, cov 0.1: -2.54, missing abstains), is not a
missed one-class copy: lf_10 has three copies (lf_22, lf_23, lf_25), none of them one-class, and ``max_clique`` = 3
leaves lf_23 out; the learned pairs given keep missing abstains (68.69, main 69.40, MV 71.93), so no refit of this
family (kept only where it keeps informative abstains) reaches it; ``max_clique=4`` alone collapses the missing fit
(51.91), ``max_clique=4, abstains="informative"`` gives 72.74. No set of the candidate's kind (a one-class copy
missed inside a kept informative fit) is below MV at these seeds (2 of 100 at 6400-7300: sim6707, sim6909).
CORRECTION (after the run): the gap stated above (false pairs <= 0.221, copies >= 0.456) was read from ten seen
sets printed by hand, not from all 160. On all of them, the learned pairs outside the fit's groups are 13 copies at
0.337-0.848 and 18 false pairs at 0.05-0.308 (sim6507's lf_1-lf_6, 0.308, was refitted in the exploration: +0.02);
the copies that moved a label are all >= 0.456. So STRONG = 0.3 was not in a clean gap on the seen sets either.

Run (``PYTHONPATH=<worktree>/src OMP_NUM_THREADS=1``, from the repository root)::

    python benchmarks/dev_weak_copy_screen.py --explore bench:6000-7300 --explore low:5100-5199   # seen seeds
    python benchmarks/dev_weak_copy_screen.py --part a      # then b, c (LABELWISE_CROWD_DATA set), d

The candidate is in ``src`` only at its registration commit: ``git checkout f672f38d -- src/labelwise/weak`` first.

Reference: P. Varma, F. Sala, A. He, A. Ratner and C. Ré, "Learning Dependency Structures for Weak Supervision
Models", ICML 2019.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from dev_weak_rejected_refit import bench_majority, family_sets, parse  # noqa: E402

from labelwise import weak  # noqa: E402

try:
    from labelwise.weak import _copy_refit
except ImportError:  # not adopted: ``src`` holds the candidate only at its registration commit
    _copy_refit = None

RECORD = {
    "CF": 0.8867,
    "MS": 0.7886,
    "SP_amt": 0.944,
    "ZenCrowd_us": 0.8686,
    "cifar10n_slots": 0.9195,
    "d_Duck_Identification": 0.8889,
    "s4_Dog_data": 0.8228,
    "s4_Face_Sentiment_Identification": 0.6421,
    "smem_rte": 0.9288,
    "sim1000_K2_m10+0_cov0.6": 0.7733,
    "sim1001_K2_m10+3_cov0.6": 0.9522,
    "sim1002_K2_m20+6_cov0.1": 0.8012,
    "sim1003_K3_m10+0_cov0.3": 0.8086,
    "sim1004_K3_m15+4_cov0.6": 0.9983,
    "sim1005_K3_m20+6_cov0.1": 0.8131,
    "sim1006_K5_m10+0_cov0.6": 0.8387,
    "sim1007_K5_m15+4_cov0.3": 0.8759,
    "sim1008_K5_m20+6_cov0.6": 0.9813,
    "sim1009_K2_m12+4_cov0.3": 0.9219,
}


def fit_labels(votes, k: int | None, candidate: bool) -> tuple[np.ndarray, float, str]:
    """``LabelModel()`` (``labels=range(k)`` where ``k`` is given) on ``votes`` with the candidate on or off
    (warnings silenced): labels, CPU seconds, abstain model."""
    model = weak.LabelModel() if k is None else weak.LabelModel(labels=list(range(k)))
    _copy_refit.REFIT_COPIES = candidate
    start = time.process_time()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(votes)
        cpu = time.process_time() - start
    finally:
        _copy_refit.REFIT_COPIES = False
    return model.labels_.to_numpy(), cpu, str(model.abstains_)


def family_table(spec: str) -> pd.DataFrame:
    """Per set of ``spec`` (``family:FIRST-LAST``): points of MV, main and the candidate on the items with a vote and
    gold (``bench_weak.py``'s scoring), the abstain models and CPU seconds; changed sets printed."""
    rows = []
    for name, votes, truth, k in family_sets(*parse(spec)):
        v = weak.as_votes(votes)
        scored = (v.matrix() >= 0).any(axis=1) & pd.notna(truth)
        row: dict = {"set": name}
        fits = {"mv": bench_majority(votes)}
        fits["main"], row["cpu_main"], row["ab_main"] = fit_labels(votes, k, False)
        fits["cand"], row["cpu_cand"], row["ab_cand"] = fit_labels(votes, k, True)
        for key, labels in fits.items():
            row[key] = 100 * float(np.mean(np.asarray(labels)[scored] == truth[scored]))
        row["changed"] = bool((fits["main"] != fits["cand"]).any())
        rows.append(row)
        if row["changed"]:
            print(
                f"{name}: {row['ab_main']} -> {row['ab_cand']}: {row['main']:.2f} -> {row['cand']:.2f} "
                f"(MV {row['mv']:.2f})",
                flush=True,
            )
    return pd.DataFrame(rows)


def summary(frame: pd.DataFrame, label: str) -> dict:
    """The counts the rule reads, printed."""
    below = {name: frame[name] - frame.mv < -0.5 for name in ("main", "cand")}
    out = {
        "below_main": int(below["main"].sum()),
        "below_cand": int(below["cand"].sum()),
        "newly": int((below["cand"] & ~below["main"]).sum()),
        "mean_main": float(frame.main.mean()),
        "mean_cand": float(frame.cand.mean()),
    }
    print(
        f"{label} ({len(frame)} sets): mean MV {frame.mv.mean():.3f}, main {out['mean_main']:.3f}, candidate "
        f"{out['mean_cand']:.3f}; more than 0.5 below MV {out['below_main']} -> {out['below_cand']}, newly "
        f"{out['newly']}; changed {int(frame.changed.sum())}, largest fall {(frame.cand - frame.main).min():+.2f}; "
        f"CPU main {frame.cpu_main.sum():.1f} s, candidate {frame.cpu_cand.sum():.1f} s",
        flush=True,
    )
    return out


def part_a() -> bool:
    """(a): fresh bench-generator first seeds 8400-9300."""
    frame = family_table("bench:8400-9300")
    frame.to_csv("/tmp/copy53_part_a.csv", index=False)
    s = summary(frame, "(a) bench generator, first seeds 8400-9300")
    return s["below_cand"] < s["below_main"] and s["newly"] == 0 and s["mean_cand"] >= s["mean_main"] - 1e-9


def part_b() -> bool:
    """(b): the 93 dev sets, main and the candidate switched in one process."""
    from _dev_weak_sets import rule_sets
    from dev_weak_labeler_strength import dev_set, score

    rows = []
    for seed, family, name, votes, truth in rule_sets():
        if seed != -1:
            continue
        matrix, k, g, scored, _, row = dev_set(family, name, votes, truth)
        for key, cand in (("main", False), ("cand", True)):
            labels, row[f"cpu_{key}"], _ = fit_labels(matrix, k, cand)
            row[key] = score(labels.astype(int), g, scored)
        rows.append(row)
        if row["main"] != row["cand"]:
            print(f"changed: {family} {name}: {row['main']:.3f} -> {row['cand']:.3f} (MV {row['mv']:.3f})", flush=True)
    frame = pd.DataFrame(rows)
    frame.to_csv("/tmp/copy53_part_b.csv", index=False)
    gain = frame.cand - frame.main
    print(
        f"(b) 93 dev sets: mean main {frame.main.mean():.4f} -> candidate {frame.cand.mean():.4f}; largest fall "
        f"{gain.min():+.3f}; CPU main {frame.cpu_main.sum():.1f} s, candidate {frame.cpu_cand.sum():.1f} s"
    )
    return bool(frame.cand.mean() >= frame.main.mean() - 0.01 and (gain >= -0.5).all())


def part_c() -> bool:
    """(c): bench_weak's label-model section (``--no-snorkel --skip-apply``) with the candidate on, then fit CPU."""
    import bench_weak

    args = argparse.Namespace(no_snorkel=True, sims_only=False, first_seed=1000, sets=None)
    _copy_refit.REFIT_COPIES = True
    try:
        with tempfile.TemporaryDirectory() as folder:
            frame = bench_weak.label_model_section(args, Path(folder))
    finally:
        _copy_refit.REFIT_COPIES = False
    short = [f"{r.set} {r.labelwise:.4f} < {RECORD[r.set]}" for r in frame.itertuples() if r.labelwise < RECORD[r.set]]
    ok = len(frame) == 19 and not any(round(r.labelwise, 4) < RECORD[r.set] for r in frame.itertuples())
    print(f"(c) accuracies: {19 - len(short)} of 19 at or above the record {short}", flush=True)
    sets = [(n, weak.as_votes(a.astype({"annotator": str}))) for n, a, _ in bench_weak.crowd_sets()]
    sets += [(n, weak.as_votes(v)) for n, v, _ in bench_weak.simulated_sets(1000)]
    total = {False: 0.0, True: 0.0}
    ratios = {}
    for name, votes in sets:
        cpu: dict = {False: [], True: []}
        for _ in range(5):
            for cand in (False, True):
                cpu[cand].append(fit_labels(votes, None, cand)[1])
        med = {cand: statistics.median(cpu[cand]) for cand in cpu}
        for cand in med:
            total[cand] += med[cand]
        ratios[name] = med[True] / med[False]
        print(f"{name}: median CPU main {med[False]:.4f} s, candidate {med[True]:.4f} s ({ratios[name]:.3f}x)")
    ratio = total[True] / total[False]
    bench_ok = ratio <= 1.10 and all(ratios[n] <= 1.10 for n in ratios if n.startswith(("sim1004", "sim1008")))
    print(f"(c) CPU: main {total[False]:.3f} s, candidate {total[True]:.3f} s, ratio {ratio:.3f}")
    return ok and bench_ok


def part_d() -> bool:
    """(d): fresh low-coverage and shared-trigger seeds: the sets more than 0.5 below MV not more than main's."""
    ok = True
    for spec in ("low:5800-5879", "trig:680-743"):
        frame = family_table(spec)
        frame.to_csv(f"/tmp/copy53_part_d_{spec.split(':')[0]}.csv", index=False)
        s = summary(frame, f"(d) {spec}")
        ok = ok and s["below_cand"] <= s["below_main"]
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--explore", action="append", default=[], help="family:FIRST-LAST (seen seeds), no rule")
    parser.add_argument("--part", choices=["a", "b", "c", "d"], default=None)
    parser.add_argument("--csv", default=None)
    args = parser.parse_args()
    if _copy_refit is None:
        sys.exit("the candidate is not in src (not adopted): git checkout f672f38d -- src/labelwise/weak, then rerun")
    if args.part:
        ok = {"a": part_a, "b": part_b, "c": part_c, "d": part_d}[args.part]()
        print(f"({args.part}):", "PASS" if ok else "FAIL")
        sys.exit(0 if ok else 1)
    if not args.explore:
        parser.error("give --explore SPEC or --part")
    frames = []
    for spec in args.explore:
        frame = family_table(spec)
        summary(frame, f"exploration {spec} (no rule)")
        frames.append(frame.assign(spec=spec))
    if args.csv:
        pd.concat(frames).to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
