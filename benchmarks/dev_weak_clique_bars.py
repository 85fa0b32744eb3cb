"""Issue 15, session 54 (bars54): the grown cliques' linkage bars at 1,000 to 100,000 items, and a registered candidate.

cliquen53 (``dev_weak_clique_cap_n.py``, adopted) replaced clique53's near-copy bar (every cross pair's co-vote z >= 20)
by an effect size (co-vote z over the search's threshold 5 and co-vote correlation given the class >= 0.42) and kept
the informative fit's one-class check from growing a group past ``max_clique`` (``_clique_cap.check_keeps_cap``). At
1,000 items, where the z bar never fired, 6 of its 60 fresh copy-family sets fell by more than 0.5 and copy3005 is
newly below majority vote (79.38 -> 73.24, MV 78.27). The candidate named then was "both bars" (z >= 20 AND
correlation >= 0.42).

MEASUREMENT (``--measure N``, seen seeds only: copy family 0-59, 1000-1079, 2000-2079, 3000-3059; bench generator
first seeds 1000, 6000-6300, 11900-12400), ``LabelModel()`` fitted per variant, switched in one process: ``off``
(``GROW_CLIQUES`` off: no clique past 3), ``zbar`` (``EFFECT_LINK`` off: clique53's z >= 20), ``main`` (``src``'s
default), ``both`` (the search's linkage asks z >= 20 AND correlation >= 0.42; the rest as main), ``cand`` (main with
``CHECK_LINK`` on). Per set: points on the gold items with a vote, MV's, CPU, abstain model, groups, false joins
(``dev_weak_clique_cap_n.false_joins``: a clique of more than 3 functions holding functions of more than one rule).
Findings (``benchmarks/RESULTS.md``, bars54): "both bars" undoes main's gains at 1,000 and 3,000 items (seen copy
sets more than 0.5 below MV 68 -> 87 and 4 -> 25 of 280, 121 and 94 sets down by more than 0.5 against main; at
10,000 items 3 down, none up). The 1,000-item falls are right joins (no false join at 1,000 items in any of the 390
seen sets); K, the clique's size, its table size and its co-vote counts do not separate the 21 falls from the 121
rises of main against ``off``. The deep falls (copy3005, copy3038, copy3043 of the six fresh ones) have a second
copied rule that votes one class: its copies agree with z 3-5 (under the screen's 5) at 1,000 items, so the search
never joins them; the grown clique of the first rule takes the fit to informative abstains, whose one-class check
does not find them either, while ``off``'s missing fit grouped them by its pair check. copy3010 and copy3050 (K = 5):
whole right cliques fitting worse than triples on 1,000 items. copy3055: the one-class check found the second
rule's whole copy group and ``check_keeps_cap`` dropped it (91.70; kept, 96.80; MV 80.60).

THE CANDIDATE (``src/labelwise/weak/_clique_cap.py``, switch ``CHECK_LINK``, False in ``src`` at registration; hook:
``_fit_check.fitted_check`` passes its vote rows to ``check_keeps_cap``, one line): where the one-class check's new
groups hold one of more than ``max_clique`` functions that is not one of the groups it was given, the check's result
is kept (instead of dropped) when every such group passes the search's complete linkage between each two of its
parts (``linked_parts``: a part is its functions of one given group; ``all_covote`` on the vote shares: every cross
pair co-vote z over the threshold and correlation given the class >= 0.42), else dropped as on main. No threshold
tuned: the search's own linkage. Seen sets (exploration, ``--measure``): at 1,000 items 6 of 390 change, all up (5 by
more than 0.5: copy3055 91.70 -> 96.80, copy2062 92.40 -> 98.40), none down, no false join; at 10,000 items none of
the 390 changes; at 100,000 items (copy 1000-1015) none changes, and cliquen53's check-grown false joins (copy1061,
copy1071, copy1078) stay out.

JUDGING RULE (the lead's, registered before any judging run; judged once, in order, stopping at the first failed part;
adopted (``CHECK_LINK = True``) only if all three hold, else ``src`` goes back to main's in a commit). Main: ``src``
with ``CHECK_LINK`` off; points on gold items with a vote; MV is ``labelwise.aggregate.MajorityVote``.
(a) ``--part a``: fresh copy-family seeds 4000-4059 at n = 1,000, 10,000 and 100,000: at each n the sets more than 0.5
    below MV not more than main's, none newly below MV (more than 0.5 below under the candidate, not under main), none
    falling by more than 0.5 against main, no false join in the candidate's fits.
(b) ``--part b``: fresh bench-generator first seeds 12600 and 12700 (20 sets) at n = 1,000 and 100,000: at each n no
    false join in the candidate's fits, sets more than 0.5 below MV not more than main's, none newly below.
(c) ``--part c``: the 93 dev sets (``_dev_weak_sets``) and ``bench_weak.py --no-snorkel --skip-apply``'s 19: every
    accuracy equal to main's (4 places, pandas' round, as ``bench_weak`` prints them); fit CPU of the 19 (medians of 3
    alternating fits, summed) at most 1.05x main's.

OUTCOME (registration commit 0bfaf8de at 17:40:32 UTC; judged 17:40:38-17:52:28 UTC, load 11.0 falling to 2.3):
ADOPTED, all three parts pass (``CHECK_LINK = True`` since commit 4d40b44a).
(a) below MV main -> candidate: n=1,000 13 -> 13 (2 sets up: copy4001 89.39 -> 92.89, copy4055 94.19 -> 94.89; none
    down; mean 83.990 -> 84.060, MV 80.761); n=10,000 0 -> 0 and n=100,000 0 -> 0, no set changed; no false join,
    none newly below. PASS.
(b) n=1,000 6 -> 6, n=100,000 1 -> 1; no set changed, no false join. PASS.
(c) the 93: 93 of 93 equal (86.8310); the 19: 19 of 19 equal; fit CPU of the 19 1.231 -> 1.234 s (1.002x). PASS.

The ``screen`` variant (after the judging; exploration on seen seeds, not registered): a pair enters the clique
search where its co-vote z is over the threshold and its co-vote correlation given the class at least 0.42, even
where its agreement z is not. 1,000 items: copy sets below MV 68 -> 3 of 280, but bench sets' mean 82.346 -> 81.409
and false joins on 5 copy sets; 10,000 items: the benchmark's sim1007 moves. Not ready: see RESULTS.md.

Run (``PYTHONPATH=<worktree>/src OMP_NUM_THREADS=1``, from the repository root)::

    python benchmarks/dev_weak_clique_bars.py --measure 1000 --variants off,zbar,main,both --out /tmp/bars54/m1000.csv
    python benchmarks/dev_weak_clique_bars.py --part a    # then b, c (LABELWISE_CROWD_DATA set)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from dev_weak_clique_cap_n import bench_sets, copy_sets, false_joins, pair_effects  # noqa: E402
from dev_weak_rejected_refit import bench_majority  # noqa: E402

from labelwise import weak  # noqa: E402
from labelwise.weak import _clique_cap, _dependencies, label_model  # noqa: E402

#: The seen seeds of the measurement.
COPY_SEEN = "0-59,1000-1079,2000-2079,3000-3059"
BENCH_SEEN = "1000,6000,6100,6200,6300,11900,12000,12100,12200,12300,12400"


def both_bars(tables, threshold: float) -> Callable[[list[int], list[int]], bool]:
    """The search's linkage of the ``both`` variant: every cross pair's co-vote z at least ``NEAR_COPY`` x
    ``threshold`` (clique53's bar) AND co-vote correlation given the class at least ``NEAR_COPY_CORR`` (cliquen53's)."""
    held: list[np.ndarray] = []

    def linked(a: list[int], b: list[int]) -> bool:
        if not held:
            held.extend((tables.covote_z_all(), tables.covote_corr_all()))
        cross = np.ix_(a, b)
        near = held[0][cross] >= _clique_cap.NEAR_COPY * threshold
        return bool(near.all() and (held[1][cross] >= _clique_cap.NEAR_COPY_CORR).all())

    return linked


#: variant -> (GROW_CLIQUES, EFFECT_LINK, CHECK_LINK, the search's linkage)
VARIANTS = {
    "off": (False, True, False, _clique_cap.all_covote),
    "zbar": (True, False, False, _clique_cap.all_covote),
    "main": (True, True, False, _clique_cap.all_covote),
    "both": (True, True, False, both_bars),
    "cand": (True, True, True, _clique_cap.all_covote),
}


def screened_search(matrix: np.ndarray, *args, **kwargs) -> list[list[int]]:
    """``clique_search`` of the ``screen`` variant (exploration, not registered): a pair enters the search where its
    agreement z is over the threshold (main) OR its co-vote z is over it with co-vote correlation given the class at
    least ``NEAR_COPY_CORR`` (a one-class rule's copies agree with z near 0 given the class); its co-vote z then
    orders it."""
    agreement = _dependencies.agreement_excess

    def either(lam, shares, confusion, weights, gram, sums):
        z, shared = agreement(lam, shares, confusion, weights, gram, sums)
        tables = _dependencies.PairTables(matrix, shares, weights, lam.shape[1] // z.shape[0], sums)
        covote, corr = tables.covote_z_all(), tables.covote_corr_all()
        near = (corr >= _clique_cap.NEAR_COPY_CORR) & (covote > kwargs["threshold"])
        return np.where(near, np.maximum(z, covote), z), shared

    _dependencies.agreement_excess = either
    try:
        return _dependencies.clique_search(matrix, *args, **kwargs)
    finally:
        _dependencies.agreement_excess = agreement


def fit(votes, k: int | None, variant: str) -> tuple[np.ndarray, float, list[list[int]], str]:
    """``LabelModel()`` under ``variant`` (:data:`VARIANTS`; the switches set with ``_dev_weak_judge.switched``, put
    back after): labels, CPU seconds, groups (indices), abstain model."""
    from _dev_weak_judge import fits_with_switch, switched

    names = ("GROW_CLIQUES", "EFFECT_LINK", "CHECK_LINK")
    *values, linkage = VARIANTS["main" if variant == "screen" else variant]
    search = screened_search if variant == "screen" else _dependencies.clique_search
    with ExitStack() as stack:
        for name, value in zip(names, values, strict=True):
            stack.enter_context(switched(_clique_cap, name, value))
        stack.enter_context(switched(_dependencies, "all_covote", linkage))
        stack.enter_context(switched(label_model, "clique_search", search))
        kw = {} if k is None else {"labels": list(range(k))}
        done = fits_with_switch(_clique_cap, "GROW_CLIQUES", votes, values=(values[0],), **kw)[values[0]]
    labelers = list(weak.as_votes(votes).labelers)
    groups = [[labelers.index(f) for f in g] for g in done.model.groups_]
    return done.labels, done.cpu, groups, str(done.model.abstains_)


def spans(text: str) -> tuple[int, ...]:
    """``"0-59,1000"`` -> the seeds."""
    out: list[int] = []
    for span in filter(None, text.split(",")):
        lo, _, hi = span.partition("-")
        out += range(int(lo), int(hi or lo) + 1)
    return tuple(out)


def table(source: Iterator[tuple], n: int, variants: list[str], label: str) -> pd.DataFrame:
    """Per set of ``source``: MV and each variant's points, CPU, abstain model, groups past 1 and false joins."""
    rows = []
    for name, votes, truth, k, roots in source:
        v = weak.as_votes(votes)
        matrix = np.asarray(v.matrix())
        z = pair_effects(matrix, len(v.classes) if k is None else k)["z"]
        scored = (matrix >= 0).any(axis=1) & pd.notna(truth)
        row: dict = {"set": name, "n": n, "mv": 100 * float(np.mean(bench_majority(votes)[scored] == truth[scored]))}
        for var in variants:
            labels, row[f"cpu_{var}"], groups, row[f"ab_{var}"] = fit(votes, k, var)
            row[var] = 100 * float(np.mean(labels[scored] == truth[scored]))
            row[f"false_{var}"] = "; ".join(false_joins(groups, roots, z))
            row[f"g_{var}"] = str([g for g in groups if len(g) > 1])
        rows.append(row)
        print(label, name, " ".join(f"{var} {row[var]:.2f}" for var in variants), f"MV {row['mv']:.2f}", flush=True)
    return pd.DataFrame(rows)


def counts(frame: pd.DataFrame, var: str, base: str) -> dict[str, float]:
    """``var`` against ``base`` on ``frame``: mean, sets more than 0.5 below MV, newly below, falls and rises of more
    than 0.5, sets with a false join, CPU."""
    below = {key: frame[key] - frame.mv < -0.5 for key in (var, base)}
    return {
        "mean": float(frame[var].mean()),
        "below": int(below[var].sum()),
        "newly": int((below[var] & ~below[base]).sum()),
        "fall": int((frame[var] - frame[base] < -0.5).sum()),
        "rise": int((frame[var] - frame[base] > 0.5).sum()),
        "false": int((frame[f"false_{var}"].fillna("") != "").sum()),
        "cpu": float(frame[f"cpu_{var}"].sum()),
    }


def measure(args: argparse.Namespace) -> None:
    """``--measure N``: the seen sets under ``--variants``, written to ``--out``; counts per family printed."""
    variants = args.variants.split(",")
    n = args.measure
    frames = [
        table(bench_sets(spans(args.bench), n), n, variants, f"n={n}"),
        table(copy_sets(spans(args.copy), n), n, variants, f"n={n}"),
    ]
    frame = pd.concat(frames, ignore_index=True)
    frame.to_csv(args.out, index=False)
    for fam, part in frame.groupby(frame.set.str.startswith("copy").map({True: "copy", False: "bench"})):
        print(f"n={n} {fam} ({len(part)} sets), MV {part.mv.mean():.3f}")
        for var in variants:
            print(f"  {var}: against main {counts(part, var, 'main')}; against off {counts(part, var, variants[0])}")


def judged(source: Iterator[tuple], n: int, label: str) -> tuple[pd.DataFrame, dict[str, float]]:
    """Main and the candidate on ``source``'s sets (:func:`table`), the counts printed."""
    frame = table(source, n, ["main", "cand"], label)
    got = counts(frame, "cand", "main") | {"below_main": int((frame.main - frame.mv < -0.5).sum())}
    print(
        f"{label} ({len(frame)} sets): {got}; mean MV {frame.mv.mean():.3f}, main {frame.main.mean():.3f}", flush=True
    )
    return frame, got


def part_a() -> bool:
    """(a): fresh copy-family seeds 4000-4059 at 1,000, 10,000 and 100,000 items."""
    for n in (1_000, 10_000, 100_000):
        frame, got = judged(copy_sets(tuple(range(4000, 4060)), n), n, f"(a) n={n}")
        frame.to_csv(f"/tmp/bars54_part_a_{n}.csv", index=False)
        if got["below"] > got["below_main"] or got["newly"] or got["fall"] or got["false"]:
            return False
    return True


def part_b() -> bool:
    """(b): fresh bench-generator first seeds 12600 and 12700 (20 sets) at 1,000 and 100,000 items."""
    for n in (1_000, 100_000):
        frame, got = judged(bench_sets((12600, 12700), n), n, f"(b) n={n}")
        frame.to_csv(f"/tmp/bars54_part_b_{n}.csv", index=False)
        if got["false"] or got["below"] > got["below_main"] or got["newly"]:
            return False
    return True


def part_c() -> bool:
    """(c): the 93 dev sets and ``bench_weak.py``'s 19: every accuracy equal to main's (4 places, pandas' round); fit
    CPU of the 19 (medians of 3 alternating fits) at most 1.05x."""
    from _dev_weak_judge import bench_accuracies
    from _dev_weak_judge import part_b as judge_93

    def fit93(matrix: np.ndarray, k: int, candidate: bool) -> tuple[np.ndarray, float]:
        labels, cpu, _, _ = fit(matrix, k, "cand" if candidate else "main")
        return labels.astype(int), cpu

    judge_93("93", None, "bars54", fit93)
    frame = pd.read_csv("/tmp/bars54_part_b_93.csv")
    same93 = frame.main.round(4) == frame.cand.round(4)
    printed = [
        bench_accuracies(_clique_cap, "CHECK_LINK", on).set_index("set").labelwise.round(4) for on in (False, True)
    ]
    same19 = printed[0] == printed[1]
    print(f"(c) the 93: {int(same93.sum())} of {len(frame)} equal; the 19: {int(same19.sum())} of {len(same19)} equal")
    ratio = cpu_ratio_19()
    return bool(same93.all() and same19.all() and ratio <= 1.05)


def cpu_ratio_19() -> float:
    """Fit CPU of ``bench_weak.py``'s 19 sets, the candidate's over main's (:func:`fit`'s ``cand`` and ``main``;
    medians of 3 alternating fits, summed), printed."""
    import bench_weak

    sets = [weak.as_votes(a.astype({"annotator": str})) for _, a, _ in bench_weak.crowd_sets()]
    sets += [weak.as_votes(v) for _, v, _ in bench_weak.simulated_sets(1000)]
    total = {"main": 0.0, "cand": 0.0}
    for votes in sets:
        cpu: dict[str, list[float]] = {"main": [], "cand": []}
        for _ in range(3):
            for var in cpu:
                cpu[var].append(fit(votes, None, var)[1])
        total = {var: total[var] + float(np.median(cpu[var])) for var in total}
    ratio = total["cand"] / total["main"]
    print(f"(c) CPU of the 19: main {total['main']:.3f} s, candidate {total['cand']:.3f} s ({ratio:.3f}x)")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--measure", type=int, default=None, help="items per set (seen seeds)")
    parser.add_argument("--variants", default="off,zbar,main,both,cand")
    parser.add_argument("--copy", default=COPY_SEEN, help="copy-family seeds, e.g. 0-59,3000-3059")
    parser.add_argument("--bench", default=BENCH_SEEN, help="bench-generator first seeds")
    parser.add_argument("--out", default="/tmp/bars54_measure.csv")
    parser.add_argument("--part", choices=["a", "b", "c"], default=None)
    args = parser.parse_args()
    if args.part:
        ok = {"a": part_a, "b": part_b, "c": part_c}[args.part]()
        print(f"({args.part}):", "PASS" if ok else "FAIL")
        sys.exit(0 if ok else 1)
    if args.measure is None:
        parser.error("give --measure N or --part")
    measure(args)


if __name__ == "__main__":
    main()
