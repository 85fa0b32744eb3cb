"""Issue 15, session 53 (trig53): why the default label model falls below majority vote on keyword rules that share
triggers (``dev_weak_shared_triggers.shared_trigger_set``), set by set, with references.

Per set (seeds given, K = 2 and 3; seen seeds only: 200-215, 280-295, 392-679 were used), points on the items with a
vote: majority vote as ``bench_weak.py`` scores it (``mv``); the default ``LabelModel()`` (``default``), its abstain
model, whether the one-class fit kept learned pairs (``learned``), its cliques, the classes it empties or relabels
against majority vote (a class majority vote gives some items and the default none; a class whose majority-vote
items mostly get another label), ``K * min`` vote share (``min_share_k``; below 0.25: a nearly invisible class,
``_one_class_fit.invisible_class``); ``LabelModel(dependencies=<the true cliques>, max_clique=6)`` with the one-class
fit on and off (``deps``, ``deps_off``); ``abstains="informative"`` / ``"missing"``; ``DawidSkeneLabelModel()``; and
two gold-fitted references (``gold``: naive Bayes over the TRUE cliques, a feature's readers and their copies,
every outcome table counted from gold on the same items, abstain an outcome, 0.01 pseudo-counts; ``gold_indep``: the
same with every function alone): what the family can reach when its parameters are known, in-sample.
``--summary CSV`` groups a table's sets more than 0.5 below MV by mechanism (nearly invisible class, K, abstain model;
else learned structure or the clique search) and prints what each reference gives there.

Run: ``PYTHONPATH=$PWD/src OMP_NUM_THREADS=1 python benchmarks/diag_weak_trigger_falls.py --seeds 200-215 --csv T.csv``
then ``... --summary T.csv``. RESULTS.md's table is main's before trig53's change (``weak._invisible_missing``
off); with it on, the ``default`` column has missing abstains on the K = 3 invisible-class sets. The numbers: ``benchmarks/RESULTS.md``, session 53 (trig53).

Session 54 (trig54): ``--structure`` adds, per set, the pairs Varma et al.'s learner finds on the votes
(``_structure_learning.learned_pairs``, as the one-class fit calls it) against the true cliques: ``structure``
is ``exact`` (every learned group inside a true clique and every true clique a learned group), ``split`` (every
learned group inside a true clique, but some true clique split into parts or missing a member), ``false pair`` (a
learned group across true cliques) or ``none`` (the learner does not run: a nearly invisible class, not mostly
one-class votes); ``--summary`` then also groups the falls by it.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from dev_weak_shared_triggers import accuracy, bench_majority, shared_trigger_set  # noqa: E402

from labelwise import weak  # noqa: E402
from labelwise.weak._one_class_balance import vote_share_balance  # noqa: E402


def true_groups(names: list[str]) -> list[list[int]]:
    """The true cliques: the rules reading one feature (``featF_...``) together, every class rule alone."""
    by: dict[str, list[int]] = {}
    for j, name in enumerate(names):
        by.setdefault(name.split("_")[0] if name.startswith("feat") else name, []).append(j)
    return list(by.values())


def gold_reference(matrix: np.ndarray, y: np.ndarray, k: int, groups: list[list[int]]) -> float:
    """Accuracy on the voted items of naive Bayes over ``groups``, every table counted from gold ``y`` there."""
    covered = (matrix >= 0).any(axis=1)
    x, t = matrix[covered] + 1, y[covered]
    log_p = np.tile(np.log(np.bincount(t, minlength=k) / len(t) + 1e-12), (len(t), 1))
    for g in groups:
        code = np.zeros(len(t), dtype=np.int64)
        for j in g:
            code = code * (k + 1) + x[:, j]
        _, inv = np.unique(code, return_inverse=True)
        table = np.full((inv.max() + 1, k), 0.01)
        np.add.at(table, (inv, t), 1.0)
        log_p += np.log(table / table.sum(axis=0, keepdims=True))[inv]
    return float((log_p.argmax(axis=1) == t).mean())


def _fit(model, matrix: np.ndarray):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(matrix)


def one_set(seed: int, k: int) -> dict:
    matrix, y, names = shared_trigger_set(seed, k)
    covered = (matrix >= 0).any(axis=1)
    majority = bench_majority(matrix)
    row: dict = {"seed": seed, "K": k, "n": len(y), "m": matrix.shape[1], "mv": 100 * accuracy(majority, matrix, y)}
    row["min_share_k"] = float(vote_share_balance(matrix, np.ones(len(matrix)), k).min() * k)
    model = _fit(weak.LabelModel(labels=list(range(k))), matrix)
    labels = model.labels_.to_numpy(dtype=int)
    row |= {"default": 100 * accuracy(labels, matrix, y), "ab": model.abstains_}
    row["learned"] = bool(getattr(model, "_structure_learned", False))
    row["groups"] = str([g for g in model.groups_ if len(g) > 1])
    got, mv = labels[covered], majority[covered]
    row["emptied"] = str([c for c in range(k) if (mv == c).any() and not (got == c).any()])
    row["relab"] = str(
        [c for c in range(k) if (mv == c).any() and np.bincount(got[mv == c], minlength=k).argmax() != c]
    )
    groups = true_groups(names)
    deps = [p for g in groups for p in itertools.combinations(g, 2)]
    fits = {
        "deps": weak.LabelModel(labels=list(range(k)), dependencies=deps, max_clique=6),
        "deps_off": weak.LabelModel(labels=list(range(k)), dependencies=deps, max_clique=6, one_class_rules=False),
        "inf": weak.LabelModel(labels=list(range(k)), abstains="informative"),
        "miss": weak.LabelModel(labels=list(range(k)), abstains="missing"),
        "ds": weak.DawidSkeneLabelModel(labels=list(range(k))),
    }
    for name, other in fits.items():
        row[name] = 100 * accuracy(_fit(other, matrix).labels_.to_numpy(dtype=int), matrix, y)
    row["gold"] = 100 * gold_reference(matrix, y, k, groups)
    row["gold_indep"] = 100 * gold_reference(matrix, y, k, [[j] for j in range(matrix.shape[1])])
    if STRUCTURE:
        row["structure"] = learned_structure(matrix, k, names)
    return row


STRUCTURE = False  # --structure: the learned structure against the true cliques (learned_structure)


def learned_structure(matrix: np.ndarray, k: int, names: list[str]) -> str:
    """``exact``, ``split``, ``false pair`` or ``none``: the learned pairs' groups against the true cliques (module
    docstring)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from labelwise.weak._one_class_fit import mostly_one_class
    from labelwise.weak._structure_learning import learned_pairs

    w = np.ones(len(matrix))
    if not mostly_one_class(matrix, w, k):
        return "none"
    pairs = np.asarray(learned_pairs(matrix, w, k) or [], dtype=int).reshape(-1, 2)
    m = matrix.shape[1]
    _, label = connected_components(coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(m, m)))
    learned = [set(np.flatnonzero(label == c).tolist()) for c in np.unique(label)]
    true = [set(g) for g in true_groups(names)]
    if any(not any(g <= t for t in true) for g in learned):
        return "false pair"
    return "exact" if all(t in learned for t in true) else "split"


def mechanism(row) -> str:
    if row.min_share_k < 0.25:
        return f"invisible class, K={row.K}, {row.ab}"
    return ("learned pairs, " if row.learned else "clique search, ") + row.ab


def summary(frame: pd.DataFrame) -> None:
    frame = frame.assign(gap=frame.default - frame.mv, mech=frame.apply(mechanism, axis=1))
    below = frame[frame.gap < -0.5]
    print(
        f"{len(frame)} sets, mean MV {frame.mv.mean():.3f}, default {frame.default.mean():.3f}; more than 0.5 below MV "
        f"{len(below)}, more than 5 below {int((below.gap < -5).sum())}"
    )
    refs = {c: (below[c] - below.mv) for c in ("deps", "deps_off", "inf", "miss", "ds", "gold", "gold_indep")}
    table = below.assign(**{f"{c}_gap": g for c, g in refs.items()}).groupby("mech")
    out = table.agg(
        sets=("gap", "size"),
        over_5=("gap", lambda s: int((s < -5).sum())),
        mean_gap=("gap", "mean"),
        worst=("gap", "min"),
        emptied=("emptied", lambda s: int((s != "[]").sum())),
        relabelled=("relab", lambda s: int((s != "[]").sum())),
        **{f"{c}_gap": (f"{c}_gap", "mean") for c in refs},
    )
    print(out.round(2).to_string())
    print(frame.groupby("mech").agg(sets=("gap", "size"), below=("gap", lambda s: int((s < -0.5).sum()))).to_string())
    if "structure" in frame:
        print(
            frame.groupby("structure")
            .agg(
                sets=("gap", "size"),
                below=("gap", lambda s: int((s < -0.5).sum())),
                over_5=("gap", lambda s: int((s < -5).sum())),
                deps_rescues=(
                    "deps",
                    lambda s: int(((s - frame.mv[s.index] >= -0.5) & (frame.gap[s.index] < -0.5)).sum()),
                ),
            )
            .to_string()
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seeds", default=None, help="FIRST-LAST[,FIRST-LAST...]")
    parser.add_argument("--csv", default=None, help="write (with --seeds) or read (with --summary) the table")
    parser.add_argument("--summary", default=None, metavar="CSV")
    parser.add_argument("--structure", action="store_true", help="add the learned structure's kind (trig54)")
    args = parser.parse_args()
    global STRUCTURE
    STRUCTURE = args.structure
    if args.summary:
        summary(pd.read_csv(args.summary))
        return
    if not args.seeds:
        parser.error("give --seeds or --summary")
    seeds = [s for part in args.seeds.split(",") for s in range(int(part.split("-")[0]), int(part.split("-")[-1]) + 1)]
    rows = [one_set(seed, k) for seed in seeds for k in (2, 3)]
    frame = pd.DataFrame(rows)
    if args.csv:
        frame.to_csv(args.csv, index=False)
    summary(frame)


if __name__ == "__main__":
    main()
