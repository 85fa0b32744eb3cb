"""Dev diagnosis: the slot crowds' few-item deficit against maximum-likelihood Dawid-Skene (issue 15, session 37, is15g).

The observation (session 11): on the dev *slot crowds* (3-4 workers who answer every item,
K = 5-10, 20,000 items; ``dev_weak_clique_prior.slot_crowd``) ``LabelModel()`` is behind
crowd-kit's ``DawidSkene(n_iter=100)`` on 6 of 8 by 1-5 items and ahead on 2 by as little. With
thousands of votes per confusion row, the Dirichlet prior (8 pseudo-votes) and the smoothing
(0.01) should hardly move the fixed point, so a systematic deficit would point at the stop (a
SQUAREM cycle raising EM's objective by less than ``tol = 1e-6`` per item, ``weak/_em.py``), the
start, the class balance, or SQUAREM's path. This script separates them. Per slot crowd it fits:

* ``default``: ``LabelModel()``;
* ``map_full``: the same model run to its fixed point (``tol=0``, ``n_em_iter=3000``): what the
  default's stop leaves out;
* ``ml_full``: ``prior_strength=0, smoothing=0`` run to its fixed point: maximum-likelihood
  Dawid-Skene (Dawid and Skene 1979), reached through labelwise's start and SQUAREM path;
* ``ck``: crowd-kit's ``DawidSkene(n_iter=100)`` as ``bench_weak.py`` runs it (its stop: the
  ELBO per answer rising by less than ``tol = 1e-5`` over one EM step);
* ``ck_full``: crowd-kit's EM from its own start (majority vote) run on (``n_iter=300,
  tol=0``): its fixed point, reached by plain EM.

and prints, per pair of fits, the items they label differently and how many of those each gets
right, the largest posterior difference, EM steps, and the objective's distance to the fixed
point. ``--families`` checks the stop on every family of fresh dev sets (default against
``map_full``: labels that differ, objective gap, EM steps), the "general flaw" question.

Sets (disclosed): the 93's eight slot crowds (seeds 0 and 1) and fresh seeds 31-40 of the same
simulator (not in the 93, not is15c's 7 / 9, not is15e's 11 / 12), then seeds 41-70 of the
cifar10n-like configuration (K = 10, 3 slots, 20% lured items); ``--families`` on
``explore_sets(37)`` (LF configurations sim3700-3709, crowds, dense crowds seeds 37 / 38, pair
and look-alike crowds seed 37). Never the benchmark's 19 sets::

    OMP_NUM_THREADS=1 python benchmarks/dev_weak_slot_stop.py   # seeds 0 1 31-40, four configurations
    OMP_NUM_THREADS=1 python benchmarks/dev_weak_slot_stop.py --config 10 3 0.2 --seeds $(seq 41 70)
    OMP_NUM_THREADS=1 python benchmarks/dev_weak_slot_stop.py --patterns --config 10 3 0.2 --seeds $(seq 41 70)
    OMP_NUM_THREADS=1 python benchmarks/dev_weak_slot_stop.py --families --seed 37

Result (``benchmarks/RESULTS.md``, session 37, is15g): no flaw of the stop, the start, the class
balance or SQUAREM's path. The default stops at its own fixed point on all 48 slot crowds (0
labels differ from ``map_full``, objective within 6e-10 per item); ``ml_full`` (SQUAREM from
labelwise's start) and ``ck_full`` (plain EM from majority vote) reach one fixed point (0 labels
differ); the MAP and ML fixed points differ on 8 of 48 sets, 22 items of 960,000 (ML right on 10,
MAP on 6). crowd-kit's default stops after 4-7 EM steps, away from its own fixed point on 40 of
48 sets (705 items, posteriors up to 4e-2 apart), and labelwise's distance to crowd-kit is that
early stop: per set ``default − ck`` is ``−(ck − ck_full)`` up to the prior's few items. Every
item where the early stop and the fixed point disagree has three distinct votes and a top-two
posterior margin of about 0.002. On the cifar10n-like configuration (42 sets) the early stop is
ahead of the fixed point in sum (+25 items, 22 sets ahead, 9 behind), on the others behind (-33
items); on the 215 decided items of seeds 41-70 it is 112 against 103. On every family of fresh
sets the default is at its fixed point but for 7 items on 4 of 43 slowly converging sparse sets.
No rule was registered and none was run: a stop that ends before the fixed point (what crowd-kit
does) is not a principled rule, and the brief's bar forbids fits that depend on where a
tolerance cuts.

References
----------
.. [1] A. P. Dawid and A. M. Skene, "Maximum likelihood estimation of observer error-rates using
   the EM algorithm", Applied Statistics 28(1), 20-28, 1979.
.. [2] A. P. Dempster, N. M. Laird and D. B. Rubin, "Maximum likelihood from incomplete data via
   the EM algorithm", JRSS B 39(1), 1-38, 1977.
.. [3] R. Varadhan and C. Roland, "Simple and globally convergent methods for accelerating the
   convergence of any EM algorithm", Scandinavian Journal of Statistics 35(2), 335-353, 2008.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from _machine import machine_line  # noqa: E402
from dev_weak_clique_prior import slot_crowd  # noqa: E402

from labelwise.weak import LabelModel  # noqa: E402

#: The 93's slot configurations (K, slots, share of hard items), as ``dev_weak_clique_prior``.
SLOT_CONFIGS = ((10, 3, 0.2), (10, 3, 0.0), (5, 3, 0.3), (10, 4, 0.2))
#: The labelwise fits: name -> LabelModel parameters.
LW_FITS = {
    "default": {},
    "map_full": {"tol": 0.0, "n_em_iter": 3000},
    "ml_full": {"tol": 0.0, "n_em_iter": 3000, "prior_strength": 0.0, "smoothing": 0.0},
}
#: The crowd-kit fits: name -> DawidSkene parameters.
CK_FITS = {"ck": {"n_iter": 100}, "ck_full": {"n_iter": 300, "tol": 0.0}}


def lw_fit(matrix: np.ndarray, k: int, **params: object) -> dict:
    """Class codes, posterior, EM steps, last objective and CPU of one ``LabelModel`` fit."""
    start = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LabelModel(labels=list(range(k)), **params).fit(matrix)
    return {
        "codes": pd.Index(model.classes_).get_indexer(model.labels_.to_numpy()),
        "post": model.probas_.to_numpy(),
        "steps": model.n_em_evals_,
        "objective": model.em_objective_history_[-1],
        "cpu": time.process_time() - start,
    }


def ck_fit(votes, **params: object) -> dict:
    """The same for crowd-kit's ``DawidSkene`` on the votes' long table (objective: its ELBO per answer)."""
    from crowdkit.aggregation import DawidSkene

    long = votes.to_annotations().rename(columns={"item": "task", "annotator": "worker"})
    classes = list(votes.classes)
    start = time.process_time()
    model = DawidSkene(**params).fit(long)
    cpu = time.process_time() - start
    return {
        "codes": pd.Index(classes).get_indexer(model.labels_.reindex(votes.items).to_numpy()),
        "post": model.probas_.reindex(votes.items)[classes].to_numpy(),
        "steps": len(model.loss_history_),
        "objective": model.loss_history_[-1],
        "cpu": cpu,
    }


def compare(fits: dict, g: np.ndarray) -> list[dict]:
    """Per pair of fits: items labelled differently, how many of them each gets right, largest posterior difference."""
    out = []
    names = list(fits)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            diff = fits[a]["codes"] != fits[b]["codes"]
            out.append(
                {
                    "pair": f"{a}|{b}",
                    "differ": int(diff.sum()),
                    "a_right": int((fits[a]["codes"][diff] == g[diff]).sum()),
                    "b_right": int((fits[b]["codes"][diff] == g[diff]).sum()),
                    "max_post": float(np.abs(fits[a]["post"] - fits[b]["post"]).max()),
                }
            )
    return out


def slots(seeds: list[int]) -> None:
    """The five fits on each slot crowd of ``seeds``; a per-set table, then the pairs summed."""
    rows, pairs = [], []
    for seed in seeds:
        for k, n_slots, hard in SLOT_CONFIGS:
            name = f"slots_K{k}_s{n_slots}_hard{hard}_s{seed}"
            votes, y = slot_crowd(20000, k, n_slots, hard, seed)
            g = pd.Index(votes.classes).get_indexer(y.reindex(votes.items).to_numpy())
            matrix = votes.matrix()
            fits = {n: lw_fit(matrix, k, **p) for n, p in LW_FITS.items()}
            fits |= {n: ck_fit(votes, **p) for n, p in CK_FITS.items()}
            row: dict = {"set": name}
            for n, f in fits.items():
                row[f"{n}_acc"] = 100 * float(np.mean(f["codes"] == g))
                row[f"{n}_steps"] = f["steps"]
            row["default_obj_gap"] = fits["map_full"]["objective"] - fits["default"]["objective"]
            row["ck_obj_gap"] = fits["ck_full"]["objective"] - fits["ck"]["objective"]
            rows.append(row)
            for p in compare(fits, g):
                pairs.append({"set": name, **p})
            print(pd.DataFrame([row]).to_string(index=False, header=len(rows) == 1), flush=True)
    frame, pair_frame = pd.DataFrame(rows), pd.DataFrame(pairs)
    print("\naccuracy, mean over sets:", frame.filter(like="_acc").mean().round(4).to_dict())
    print("items ahead of ck (default - ck, in items of 20,000):")
    print(((frame.default_acc - frame.ck_acc) * 200).round().astype(int).to_list())
    print(f"largest objective gap default -> map_full (per item): {frame.default_obj_gap.max():.2e}")
    summary = pair_frame.groupby("pair", sort=False).agg(
        sets_differing=("differ", lambda s: int((s > 0).sum())),
        items=("differ", "sum"),
        most=("differ", "max"),
        a_right=("a_right", "sum"),
        b_right=("b_right", "sum"),
        max_post=("max_post", "max"),
    )
    print("\nper pair of fits, over the sets (items labelled differently; of those, right in a / b):")
    print(summary.to_string())


def explore_sets(seed: int):
    """Fresh sets of every family (``dev_weak_item_difficulty.explore_sets``, copied here: that module
    patches the label model when imported)."""
    from bench_weak import simulated_sets
    from dev_aggregate_eb_prior import LOOK_ALIKE, look_alike_crowd
    from dev_aggregate_pair_crowds import PAIR, pair_crowd
    from dev_weak_dense_crowds import dev_sets as dense_sets

    from labelwise.aggregate import simulate_annotators, simulate_sparse_crowd
    from labelwise.weak import as_votes

    def crowd(answers):
        return as_votes(answers.rename(columns={"annotator": "labeler"}).astype({"labeler": str}))

    for name, votes, truth in simulated_sets(100 * seed):
        yield "lf", name, votes, truth
    rng = np.random.default_rng(seed)
    for k, r, errors in ((2, 3, "uniform"), (5, 5, "confusion"), (3, 3, "confusion")):
        y = pd.Series(rng.integers(0, k, 2000))
        sim = simulate_annotators(y, n_annotators=30, answers_per_item=r, errors=errors, random_state=seed)
        yield "crowd", f"crowd_K{k}_r{r}_{errors}_s{seed}", crowd(sim.answers), y
    for k, r in ((2, 2), (5, 4), (10, 2)):
        sparse = simulate_sparse_crowd(3000, k, 100, answers_per_item=r, random_state=seed)
        yield "crowd", f"sparse_K{k}_r{r}_s{seed}", crowd(sparse.answers), sparse.true_labels
    for name, votes, truth in dense_sets([seed, seed + 1], quick=True):
        yield "dense", name, votes, truth
    for i, cfg in enumerate(PAIR):
        answers, truth = pair_crowd(*cfg, seed=seed)
        yield "pair", f"pair{i}_s{seed}", crowd(answers), truth
    for i, cfg in enumerate(LOOK_ALIKE):
        answers, truth = look_alike_crowd(*cfg, seed=seed)
        yield "lookalike", f"look{i}_s{seed}", crowd(answers), truth


def families(seed: int) -> None:
    """Default against its own fixed point on fresh sets of every family: where does the stop cut early?"""
    rows = []
    for family, name, votes, truth in explore_sets(seed):
        matrix, k = votes.matrix(), len(votes.classes)
        g = pd.Index(votes.classes).get_indexer(truth.reindex(votes.items).to_numpy())
        scored = (matrix >= 0).any(axis=1) & (g >= 0)
        fits = {n: lw_fit(matrix, k, **LW_FITS[n]) for n in ("default", "map_full")}
        d, f = fits["default"], fits["map_full"]
        rows.append(
            {
                "family": family,
                "set": name,
                "votes_per_item": float((matrix >= 0).sum(axis=1).mean()),
                "default": 100 * float(np.mean(d["codes"][scored] == g[scored])),
                "full": 100 * float(np.mean(f["codes"][scored] == g[scored])),
                "differ": int((d["codes"] != f["codes"]).sum()),
                "max_post": float(np.abs(d["post"] - f["post"]).max()),
                "obj_gap": f["objective"] - d["objective"],
                "steps": d["steps"],
                "full_steps": f["steps"],
            }
        )
        print(pd.DataFrame([rows[-1]]).to_string(index=False, header=len(rows) == 1), flush=True)
    frame = pd.DataFrame(rows)
    frame["change"] = frame.full - frame.default
    print("\nper family: sets where labels differ, items, mean accuracy change default -> full, largest |change|")
    for fam, part in [*frame.groupby("family", sort=False), ("all", frame)]:
        print(
            f"{fam:10s} ({len(part):2d})  {int((part.differ > 0).sum())} sets, {int(part.differ.sum())} items;"
            f"  {part.change.mean():+.3f};  {part.change.abs().max():.2f};  obj gap max {part.obj_gap.max():.1e}"
        )


def patterns(seeds: list[int], config: tuple[int, int, float]) -> None:
    """On the items where crowd-kit's default and the maximum-likelihood fixed point disagree: the
    vote pattern (three distinct answers, two against one, unanimous) and which of the two is right."""
    counts: dict[tuple[str, str], int] = {}
    margins: list[np.ndarray] = []
    k, n_slots, hard = config
    for seed in seeds:
        votes, y = slot_crowd(20000, k, n_slots, hard, seed)
        g = pd.Index(votes.classes).get_indexer(y.reindex(votes.items).to_numpy())
        matrix = votes.matrix()
        ml, ck = lw_fit(matrix, k, **LW_FITS["ml_full"]), ck_fit(votes, **CK_FITS["ck"])
        top = np.sort(ml["post"], axis=1)
        margins.append((top[:, -1] - top[:, -2])[ml["codes"] != ck["codes"]])
        for i in np.flatnonzero(ml["codes"] != ck["codes"]):
            distinct = len(set(matrix[i].tolist()))
            kind = "unanimous" if distinct == 1 else ("all distinct" if distinct == n_slots else "mixed")
            right = "ck" if ck["codes"][i] == g[i] else ("ml_full" if ml["codes"][i] == g[i] else "neither")
            counts[(kind, right)] = counts.get((kind, right), 0) + 1
    print("items where ck and ml_full disagree, by vote pattern and which is right:")
    for key, n in sorted(counts.items()):
        print(" ", key, n)
    gap = np.concatenate(margins)
    print(f"ml_full's top-two posterior margin on them: median {np.median(gap):.3f}, 90% {np.quantile(gap, 0.9):.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40])
    ap.add_argument("--config", type=float, nargs=3, metavar=("K", "SLOTS", "HARD"), help="one slot configuration only")
    ap.add_argument("--patterns", action="store_true", help="vote patterns of the items ck and ml_full disagree on")
    ap.add_argument("--families", action="store_true", help="the stop on fresh sets of every family")
    ap.add_argument("--seed", type=int, default=37, help="--families' fresh seed")
    args = ap.parse_args()
    pd.set_option("display.width", 250)
    print(machine_line("crowd-kit"), flush=True)
    global SLOT_CONFIGS
    if args.config:
        SLOT_CONFIGS = ((int(args.config[0]), int(args.config[1]), args.config[2]),)
    if args.families:
        families(args.seed)
    elif args.patterns:
        patterns(args.seeds, SLOT_CONFIGS[0])
    else:
        slots(args.seeds)


if __name__ == "__main__":
    main()
