"""Issue 15, session 53 (cliquen53): does clique53's near-copy bar hold at other numbers of items?

clique53 (``dev_weak_clique_cap.py``, adopted) lets the clique search grow a clique past ``max_clique`` = 3 up to 6
functions, joining two groups only if every pair across them co-votes with ``PairTables.covote_z`` at least
``NEAR_COPY`` x the threshold = 4 x 5 = 20. The bar was chosen on sets of 10,000 items (false joins at z 6.7-17.0,
copies at 24.9-62.7). A z-score grows with the square root of the items; this script measures the rule at other
sizes.

MEASUREMENT (``--measure N``, seen seeds only): the bench generator's first seeds 6000-6300 and 1000
(``bench_weak.SIM_CONFIGS`` with ``n_items`` replaced by N, the same seeds and every other setting as
``bench_weak.simulated_sets``: the same configurations, other draws) and the copy family's seeds 0-59 and 1000-1079
(``dev_weak_clique_cap.copy_set(seed, n_items=N)``). ``LabelModel()`` with ``_clique_cap.GROW_CLIQUES`` off and on;
per set: accuracy on the gold items with a vote, MV's, fit CPU, and the cliques of more than 3 functions that hold
a function of another rule (the simulator's copies: ``SimulatedVotes.parent`` for the bench generator,
``dev_weak_clique_cap.copy_roots`` for the copy family; a function's rule is its parent's index for a copy, its own
otherwise). Every pair over the search's threshold (co-vote z > 5) is written with its z, whether it is a copy
pair, and the effect sizes of :func:`pair_effects`.

FINDING (``benchmarks/RESULTS.md``, cliquen53): the bar drifts. Sets with a false join (a clique > 3 holding
functions of more than one rule) with the switch on, of 190: 0 at 1,000 and 3,000 items, 1 at 10,000, 11 at 30,000,
27 at 100,000; at 1,000 items no copy pair reaches z 20 and the rule never fires. Two mechanisms: (A) the search's
linkage at z >= 20 admits independent functions at large n; (B) the informative fit's one-class check
(``_fit_check.fitted_check``, ``max_size`` = the largest given group since clique53) joins one-class functions past
``max_clique`` with its own pair test and no linkage once a grown clique exists.

THE CANDIDATE (``src/labelwise/weak/_clique_cap.py``, switch ``EFFECT_LINK``, False in ``src`` at registration;
``GROW_CLIQUES`` stays on; hooks: ``PairTables.covote_corr_all`` in ``_dependencies.py`` and one line of
``_fit_check.fitted_check``):
1. past ``max_clique`` two groups join only if every pair across them co-votes with z over the search's threshold
   (5: significance) AND a co-vote correlation given the class (``covote_corr_all``: the co-vote excess over
   ``sqrt(s_a s_b)``, ``s_j = Σ_y n_y q_jy (1 - q_jy)``; an effect size that does not grow with n) of at least
   ``NEAR_COPY_CORR`` = 0.42, replacing ``z >= 20``. The bar was chosen on the seen 10,000-item sets of the
   measurement (3,616 pairs over z 5): 0.42 decides the fewest of them differently from ``z >= 20`` (79; 0.40: 86,
   0.44: 107). Copies' correlation median 0.645 at 10,000 and 0.653 at 100,000 items.
2. the one-class check's new groups are dropped (the fit kept, as when the check finds nothing) if one of them has
   more than ``max_clique`` functions and is not one of the groups it was given (``check_keeps_cap``).
Smoke run on seen sets only before registration (copy1071, copy1061, copy22, copy49 at 100,000; copy 0-11 at 1,000;
sim6200-6202 at 30,000): no false join; copy1071 75.63 -> 86.24, sim6201 (30,000) 81.07 -> 90.94; copy 0-11 at 1,000
below MV 3 -> 1.

JUDGING RULE (registered before any judging run; judged once, in order, stopping at the first failed part; adopted
(``EFFECT_LINK = True``) only if all three hold, else ``src`` goes back to main's in a commit). Main: ``src`` with
``EFFECT_LINK`` off (clique53's rule); points on gold items with a vote; MV is ``labelwise.aggregate.MajorityVote``.
(a) ``--part a``: fresh copy-family seeds 3000-3059 at n = 1,000, 10,000 and 100,000: at each n the sets more than
    0.5 below MV not more than main's, fewer in total over the three n, and no false join in the candidate's fits.
(b) ``--part b``: fresh bench-generator first seeds 11900-12400 (60 sets) at n = 100,000: no false join in the
    candidate's fits, sets more than 0.5 below MV not more than main's.
(c) ``--part c``: the 93 dev sets and ``bench_weak.py``'s label-model section (``--no-snorkel --skip-apply``'s 19):
    every accuracy equal to main's (the 93: ``score`` rounded to 4 places by pandas; the 19: as ``bench_weak``
    prints them, pandas' round to 4 places); fit CPU of the 19 (medians of 3 alternating fits, summed) at most
    1.05x main's.

OUTCOME (registration commit c0437a17 at 15:38:05 UTC; judged 15:38:07-15:41:17 UTC, load 1.1-2.3): ADOPTED, all
three parts pass (``EFFECT_LINK = True`` since the commit after).
(a) below MV main -> candidate: n=1,000 20 -> 18 (mean 82.974 -> 83.376, MV 80.344); n=10,000 0 -> 0 (1 set changed,
    90.443 -> 90.453); n=100,000 0 -> 0 (91.203 -> 91.281); total 20 -> 18; false joins main 0, 0, 6, candidate 0,
    0, 0. PASS.
(b) 60 sets at 100,000: below MV 2 -> 2, false joins main 6, candidate 0; mean 84.814 -> 84.806. PASS.
(c) the 93: 93 of 93 equal (mean 86.8310); the 19: 19 of 19 equal; fit CPU of the 19 1.193 -> 1.178 s (0.987x).
    PASS.

Run (``PYTHONPATH=<worktree>/src OMP_NUM_THREADS=1``, from the repository root)::

    python benchmarks/dev_weak_clique_cap_n.py --measure 1000 --out /tmp/cliquen53_n1000
    python benchmarks/dev_weak_clique_cap_n.py --part a    # then b, c (LABELWISE_CROWD_DATA set)
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from dev_weak_clique_cap import copy_roots, copy_set  # noqa: E402
from dev_weak_rejected_refit import bench_majority  # noqa: E402

from labelwise import weak  # noqa: E402
from labelwise.weak import _clique_cap  # noqa: E402
from labelwise.weak._dependencies import PairTables  # noqa: E402

#: The seen seeds the measurement runs: bench generator first seeds, copy-family seeds.
BENCH_FIRST = (6000, 6100, 6200, 6300, 1000)
COPY_SEEDS = (*range(60), *range(1000, 1080))


def bench_sets(firsts: tuple[int, ...], n: int) -> Iterator[tuple[str, object, np.ndarray, None, np.ndarray]]:
    """``bench_weak.simulated_sets(first)`` with ``n`` items: name, votes, truth, K (None), each function's rule."""
    import bench_weak

    for first in firsts:
        for i, (_, m, k, corr, cov, imb) in enumerate(bench_weak.SIM_CONFIGS):
            seed = first + i
            sim = weak.simulate_lfs(n, m, k, n_correlated=corr, coverage=cov, imbalance=imb, random_state=seed)
            roots = np.where(sim.parent >= 0, sim.parent, np.arange(len(sim.parent)))
            name = f"sim{seed}_K{k}_m{m}+{corr}_cov{cov[1]}"
            yield name, sim.votes, sim.truth.reindex(sim.votes.items).to_numpy(), None, roots


def copy_sets(seeds: tuple[int, ...], n: int) -> Iterator[tuple[str, object, np.ndarray, int, np.ndarray]]:
    """The copy family's sets with ``n`` items, with each function's rule."""
    for seed in seeds:
        yield (*copy_set(seed, n_items=n), copy_roots(seed))


def pair_effects(matrix: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """(m, m) co-vote statistics on the vote shares (as the clique search computes them, unit weights): ``z``
    (``PairTables.covote_z_all``), ``excess`` = (co-votes - expected) / the smaller function's votes, ``phi``,
    the correlation of the two vote indicators, and ``cphi``, their correlation given the class: the co-vote excess
    over the square root of the product of each indicator's variance within the classes, ``Σ_y n_y q_jy (1 - q_jy)``."""
    votes = matrix >= 0
    counts = np.stack([(matrix == y).sum(axis=1) for y in range(k)], axis=1).astype(float)
    total = counts.sum(axis=1, keepdims=True)
    shares = np.where(total > 0, counts / np.maximum(total, 1), 1.0 / k)
    tables = PairTables(matrix, shares, np.ones(len(matrix)), k)
    z = tables.covote_z_all()
    n_y, q, both = tables._coverage
    expected = (q * n_y[None, :]) @ q.T
    cover = votes.sum(axis=0).astype(float)
    excess = (both - expected) / np.maximum(np.minimum.outer(cover, cover), 1.0)
    p = cover / len(matrix)
    phi = (both / len(matrix) - np.outer(p, p)) / np.sqrt(np.maximum(np.outer(p * (1 - p), p * (1 - p)), 1e-300))
    spread = (q * (1 - q)) @ n_y  # each function's vote-indicator variance within the classes, summed
    cphi = (both - expected) / np.sqrt(np.maximum(np.outer(spread, spread), 1e-300))
    return {"z": z, "excess": excess, "phi": phi, "cphi": cphi}


def fit(votes, k: int | None, grow: bool, effect: bool = False) -> tuple[np.ndarray, float, list[list[int]], bool]:
    """``LabelModel()`` with ``GROW_CLIQUES`` = ``grow`` and ``EFFECT_LINK`` = ``effect``: labels, CPU seconds,
    groups (indices), learned structure."""
    model = weak.LabelModel() if k is None else weak.LabelModel(labels=list(range(k)))
    held = _clique_cap.GROW_CLIQUES, _clique_cap.EFFECT_LINK
    _clique_cap.GROW_CLIQUES, _clique_cap.EFFECT_LINK = grow, effect
    start = time.process_time()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(votes)
        cpu = time.process_time() - start
    finally:
        _clique_cap.GROW_CLIQUES, _clique_cap.EFFECT_LINK = held
    names = list(weak.as_votes(votes).labelers)
    groups = [[names.index(f) for f in g] for g in model.groups_]
    return model.labels_.to_numpy(), cpu, groups, bool(getattr(model, "_structure_learned", False))


def false_joins(groups: list[list[int]], roots: np.ndarray, z: np.ndarray) -> list[str]:
    """Cliques of more than 3 functions holding functions of more than one rule, each with its smallest cross-rule
    co-vote z."""
    out = []
    for g in groups:
        if len(g) > 3 and len(set(roots[g].tolist())) > 1:
            cross = [z[a, b] for a in g for b in g if roots[a] != roots[b]]
            out.append(f"{g} rules {roots[g].tolist()} min cross z {min(cross):.1f}")
    return out


def measure(n: int, out: str, families: str) -> None:
    """Per set: MV, off and on accuracy, CPU, false joins (``out``.csv); pairs over z > 5 (``out``_pairs.csv)."""
    rows, pairs = [], []
    sources = []
    if "bench" in families:
        sources.append(bench_sets(BENCH_FIRST, n))
    if "copy" in families:
        sources.append(copy_sets(COPY_SEEDS, n))
    for source in sources:
        for name, votes, truth, k, roots in source:
            v = weak.as_votes(votes)
            matrix = np.asarray(v.matrix())
            kk = len(v.classes) if k is None else k
            eff = pair_effects(matrix, kk)
            scored = (matrix >= 0).any(axis=1) & pd.notna(truth)
            row: dict = {"set": name, "n": n}
            labels = {"mv": bench_majority(votes)}
            for key, grow in (("off", False), ("on", True)):
                labels[key], row[f"cpu_{key}"], groups, row[f"learned_{key}"] = fit(votes, k, grow)
                row[f"g_{key}"] = max(len(g) for g in groups)
                joins = false_joins(groups, roots, eff["z"])
                row[f"false_{key}"] = len(joins)
                row[f"false_{key}_detail"] = "; ".join(joins)
            for key, lab in labels.items():
                row[key] = 100 * float(np.mean(np.asarray(lab)[scored] == truth[scored]))
            rows.append(row)
            iu = np.triu_indices(matrix.shape[1], 1)
            over = eff["z"][iu] > 5
            for a, b in zip(iu[0][over].tolist(), iu[1][over].tolist(), strict=True):
                pair = {"set": name, "n": n, "a": a, "b": b, "copy": bool(roots[a] == roots[b])}
                pairs.append(pair | {key: float(val[a, b]) for key, val in eff.items()})
            if row["false_on"] or row["false_off"] or abs(row["on"] - row["off"]) > 0.5:
                print(
                    f"{name}: off g{row['g_off']} {row['off']:.2f} -> on g{row['g_on']} {row['on']:.2f} (MV "
                    f"{row['mv']:.2f}); false off {row['false_off_detail'] or 0}, on {row['false_on_detail'] or 0}",
                    flush=True,
                )
    pd.DataFrame(rows).to_csv(f"{out}.csv", index=False)
    pd.DataFrame(pairs).to_csv(f"{out}_pairs.csv", index=False)
    table(pd.DataFrame(rows), n)


def table(frame: pd.DataFrame, n: int) -> None:
    """The measurement's counts per family, printed."""
    for fam, part in frame.groupby(frame.set.str.startswith("copy").map({True: "copy", False: "bench"})):
        print(
            f"n={n} {fam} ({len(part)} sets): false joins (sets) off {int((part.false_off > 0).sum())}, on "
            f"{int((part.false_on > 0).sum())}; on below off by >0.5: {int((part.on - part.off < -0.5).sum())}; "
            f">0.5 below MV off {int((part.off - part.mv < -0.5).sum())}, on {int((part.on - part.mv < -0.5).sum())}; "
            f"mean MV {part.mv.mean():.3f} off {part.off.mean():.3f} on {part.on.mean():.3f}; CPU off "
            f"{part.cpu_off.sum():.1f} s, on {part.cpu_on.sum():.1f} s",
            flush=True,
        )


def judged(source: Iterator[tuple], label: str) -> pd.DataFrame:
    """Main (``EFFECT_LINK`` off) and the candidate on ``source``'s sets: points, MV, false joins, CPU."""
    rows = []
    for name, votes, truth, k, roots in source:
        matrix = np.asarray(weak.as_votes(votes).matrix())
        z = pair_effects(matrix, len(weak.as_votes(votes).classes) if k is None else k)["z"]
        scored = (matrix >= 0).any(axis=1) & pd.notna(truth)
        row: dict = {"set": name, "mv": 100 * float(np.mean(bench_majority(votes)[scored] == truth[scored]))}
        for key, effect in (("main", False), ("cand", True)):
            labels, row[f"cpu_{key}"], groups, _ = fit(votes, k, True, effect)
            row[key] = 100 * float(np.mean(labels[scored] == truth[scored]))
            row[f"false_{key}"] = "; ".join(false_joins(groups, roots, z))
        rows.append(row)
        if abs(row["cand"] - row["main"]) > 1e-9 or row["false_cand"] or row["false_main"]:
            print(
                f"{label} {name}: {row['main']:.2f} -> {row['cand']:.2f} (MV {row['mv']:.2f}); false main "
                f"{row['false_main'] or 0}, candidate {row['false_cand'] or 0}",
                flush=True,
            )
    frame = pd.DataFrame(rows)
    below = {key: int((frame[key] - frame.mv < -0.5).sum()) for key in ("main", "cand")}
    print(
        f"{label} ({len(frame)} sets): >0.5 below MV main {below['main']} -> candidate {below['cand']}; false joins "
        f"main {int((frame.false_main != '').sum())}, candidate {int((frame.false_cand != '').sum())}; mean MV "
        f"{frame.mv.mean():.3f}, main {frame.main.mean():.3f}, candidate {frame.cand.mean():.3f}; CPU main "
        f"{frame.cpu_main.sum():.1f} s, candidate {frame.cpu_cand.sum():.1f} s",
        flush=True,
    )
    return frame.assign(below_main=frame.main - frame.mv < -0.5, below_cand=frame.cand - frame.mv < -0.5)


def part_a() -> bool:
    """(a): fresh copy-family seeds 3000-3059 at 1,000, 10,000 and 100,000 items."""
    below_main = below_cand = 0
    ok = True
    for n in (1_000, 10_000, 100_000):
        frame = judged(copy_sets(tuple(range(3000, 3060)), n), f"(a) n={n}")
        frame.to_csv(f"/tmp/cliquen53_part_a_{n}.csv", index=False)
        below_main, below_cand = below_main + int(frame.below_main.sum()), below_cand + int(frame.below_cand.sum())
        ok = ok and frame.below_cand.sum() <= frame.below_main.sum() and (frame.false_cand == "").all()
    print(f"(a) total below MV main {below_main} -> candidate {below_cand}")
    return ok and below_cand < below_main


def part_b() -> bool:
    """(b): fresh bench-generator first seeds 11900-12400 (60 sets) at 100,000 items."""
    frame = judged(bench_sets(tuple(range(11900, 12401, 100)), 100_000), "(b) n=100000")
    frame.to_csv("/tmp/cliquen53_part_b.csv", index=False)
    return bool((frame.false_cand == "").all() and frame.below_cand.sum() <= frame.below_main.sum())


def part_c() -> bool:
    """(c): the 93 dev sets and ``bench_weak.py``'s label-model section: every accuracy equal to main's (4 places,
    pandas' round), fit CPU (the 19, medians of 3 alternating fits) at most 1.05x."""
    import tempfile

    import bench_weak
    from _dev_weak_judge import part_b as judge_b

    def fit93(matrix: np.ndarray, k: int, candidate: bool) -> tuple[np.ndarray, float]:
        labels, cpu, _, _ = fit(matrix, k, True, candidate)
        return labels.astype(int), cpu

    judge_b("93", None, "cliquen53", fit93)
    frame = pd.read_csv("/tmp/cliquen53_part_b_93.csv")
    ok = bool((frame.main.round(4) == frame.cand.round(4)).all())
    args = argparse.Namespace(no_snorkel=True, sims_only=False, first_seed=1000, sets=None)
    printed = {}
    for effect in (False, True):
        held = _clique_cap.EFFECT_LINK
        _clique_cap.EFFECT_LINK = effect
        try:
            with tempfile.TemporaryDirectory() as folder:
                printed[effect] = bench_weak.label_model_section(args, Path(folder)).set_index("set").labelwise.round(4)
        finally:
            _clique_cap.EFFECT_LINK = held
    same = bool((printed[False] == printed[True]).all())
    print(
        f"(c) the 93: {int((frame.main.round(4) == frame.cand.round(4)).sum())} of {len(frame)} equal; the 19: "
        f"{int((printed[False] == printed[True]).sum())} of {len(printed[False])} equal",
        flush=True,
    )
    sets = [(n, weak.as_votes(a.astype({"annotator": str}))) for n, a, _ in bench_weak.crowd_sets()]
    sets += [(n, weak.as_votes(v)) for n, v, _ in bench_weak.simulated_sets(1000)]
    total = {False: 0.0, True: 0.0}
    for _, votes in sets:
        cpu: dict = {False: [], True: []}
        for _ in range(3):
            for effect in (False, True):
                cpu[effect].append(fit(votes, None, True, effect)[1])
        total = {e: total[e] + float(np.median(cpu[e])) for e in total}
    ratio = total[True] / total[False]
    print(f"(c) CPU of the 19: main {total[False]:.3f} s, candidate {total[True]:.3f} s ({ratio:.3f}x)")
    return ok and same and ratio <= 1.05


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--measure", type=int, default=None, help="items per set")
    parser.add_argument("--out", default="/tmp/cliquen53_measure", help="CSV path prefix")
    parser.add_argument("--families", default="bench,copy")
    parser.add_argument("--part", choices=["a", "b", "c"], default=None)
    args = parser.parse_args()
    if args.part:
        ok = {"a": part_a, "b": part_b, "c": part_c}[args.part]()
        print(f"({args.part}):", "PASS" if ok else "FAIL")
        sys.exit(0 if ok else 1)
    if args.measure is None:
        parser.error("give --measure N or --part")
    measure(args.measure, args.out, args.families)


if __name__ == "__main__":
    main()
