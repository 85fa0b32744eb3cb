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

Session 55 (trig55): ``--gold-em`` adds, on each set more than 0.5 below MV whose fitted groups equal the true cliques
(``exact_fit``), the default's fit against the gold-counted parameters of the same groups (every outcome table and
the balance counted from gold on the voted items, the default's smoothing: ``gold_same``) and EM started at them
(``run_em`` from the one-hot truth, budget 3,000, ``tol`` 1e-9): under the default's own objective (``em_m``: the
balance anchored on the vote shares, or fixed at them where the default kept the fixed fit), with the balance free
(``em_free``), held at the truth (``em_truep``) or held at the vote shares (``em_votesp``); and the default's own
point continued with the balance free (``free_from_def``). ``--summary`` then counts the falls by
:func:`gold_mechanism`.

Session 56 (trig56): ``--not-exact`` adds, on each set more than 0.5 below MV whose fitted groups are NOT the true
cliques, the learned structure's kind (``structure``, as ``--structure``) and the true cliques fitted the default's
way (:func:`true_structure_fits`): the true pairs in place of the learned ones, BIC choosing (``true_bic``) or the
learned fit forced (``true_forced``), where the learner runs; ``--summary`` then counts these falls by
:func:`not_exact_group` (missing abstains, BIC dropped the exact learned structure, split, false pair, no learner).
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
    if NOT_EXACT:
        row["exact_fit"] = sorted(map(sorted, model._groups)) == sorted(map(sorted, groups))
        if not row["exact_fit"] and row["default"] - row["mv"] < -0.5:
            row["structure"] = learned_structure(matrix, k, names)
            row |= true_structure_fits(matrix, y, k, deps, row["structure"])
    if GOLD_EM:
        row["exact_fit"] = sorted(map(sorted, model._groups)) == sorted(map(sorted, groups))
        if row["exact_fit"] and row["default"] - row["mv"] < -0.5:
            row |= gold_em(matrix, y, k, model)
    return row


GOLD_EM = False  # --gold-em: the gold-counted parameters and EM from them on exact-structure falls (trig55)


def gold_em(matrix: np.ndarray, y: np.ndarray, k: int, model) -> dict:
    """The default's fit against the gold-counted parameters of its own groups and EM from them (module docstring),
    points on the voted items; objectives per item."""
    from labelwise.weak._em import log_prior, run_em
    from labelwise.weak._one_class_balance import ANCHOR, anchor_strength, balance_log_prior, vote_share_balance
    from labelwise.weak._posterior import em_m_step, posterior, voted_outcomes

    cov = (matrix >= 0).any(axis=1)
    votes, t = matrix[cov], y[cov]
    n, ones, sm = len(t), np.ones(int(cov.sum())), float(model.smoothing)
    voted, n_out = voted_outcomes(votes, k, [list(g) for g in model._groups])
    voted = voted.weighted(ones)
    shares = vote_share_balance(votes, ones, k)
    true_p, p_def = np.bincount(t, minlength=k) / n, np.asarray(model.class_balance_)
    fixed = bool(np.allclose(p_def, shares, atol=1e-9))  # the default kept the fit with the balance at the shares
    anchor = None if fixed else (shares, anchor_strength(votes, ones))

    def score(mu, p, a):
        post, log_z = posterior(voted, mu, p)
        ll = float(log_z.sum()) / n
        return post, ll, ll + (log_prior(mu, sm, None) + balance_log_prior(p, a)) / n

    def em(start, p, a, held):
        token = ANCHOR.set(a)
        try:
            run = run_em(voted, n_out, start, p, None, w=ones, fixed=held, smoothing=sm, n_iter=3000, tol=1e-9)
        finally:
            ANCHOR.reset(token)
        return score(run.mu, run.p, a)

    post_def, ll_def, obj_def = score(model.group_mu_, p_def, anchor)
    onehot = np.eye(k)[t]
    mu_gold = em_m_step(voted, onehot, sm, n_out)[0]
    out = {"mode": "fixed" if fixed else "anchored", "ll_def": ll_def, "obj_def": obj_def, "p_true": str(true_p)}
    post, out["ll_gold"], _ = score(mu_gold, true_p, anchor)
    out["gold_same"] = 100 * float((post.argmax(1) == t).mean())
    runs = {
        "em_m": (onehot, shares, anchor, fixed),
        "em_free": (onehot, true_p, None, False),
        "em_truep": (onehot, true_p, None, True),
        "em_votesp": (onehot, shares, None, True),
        "free_from_def": (post_def, p_def, None, False),
    }
    for name, args in runs.items():
        post, out[f"{name}_ll"], out[f"{name}_obj"] = em(*args)
        out[name] = 100 * float((post.argmax(1) == t).mean())
    return out


def gold_mechanism(row) -> str:
    """The mechanism of an exact-structure fall (``--gold-em``'s columns), the first that holds: EM from gold under the
    default's objective stays within 0.5 of MV at a higher objective (``local optimum``) or at a lower one
    (``objective``); else with the balance free it stays (``prior``: the anchor or the fixed vote shares); else with
    the balance held at the truth it stays (``class balance``); else ``identifiability`` (the likelihood's best
    near gold, any balance, is below MV)."""
    near = {c: row[c] - row.mv >= -0.5 for c in ("em_m", "em_free", "em_truep")}
    if near["em_m"]:
        return "local optimum" if row.em_m_obj > row.obj_def + 1e-7 else "objective"
    if near["em_free"]:
        return "prior"
    return "class balance" if near["em_truep"] else "identifiability"


NOT_EXACT = (
    False  # --not-exact: falls whose fitted groups are not the true cliques, and the true cliques fitted (trig56)
)


def true_structure_fits(matrix: np.ndarray, y: np.ndarray, k: int, deps: list, structure: str) -> dict:
    """Points of the default with the true pairs ``deps`` in place of the learned pairs (``true_bic``: BIC chooses
    as in the default; ``true_forced``: the fit with them kept, its balance anchored as the default's), where the
    learner runs (``structure`` not ``none``)."""
    from unittest import mock

    from labelwise.weak import _one_class_fit as ocf
    from labelwise.weak import _structure_learning as sl

    def forced(model, args, learned):  # choose_structure without the fit without learned pairs
        matrix_, w, p_fixed = args[:3]
        n = float(w[(np.asarray(matrix_) != -1).any(axis=1)].sum())
        out, state, caught = ocf._fit_once(model, args, learned, None)
        if isinstance(p_fixed, str) and p_fixed == "votes":
            anchor = (ocf._shares(matrix_, w, k), ocf.anchor_strength(matrix_, w))
            fixed_objective = float(model.log_likelihood_history_[-1]) + ocf.balance_log_prior(anchor[0], anchor) / n
            model.__dict__.update(state)
            refit = ocf._fit_once(model, args, learned, anchor)
            if float(model.log_likelihood_history_[-1]) >= fixed_objective:
                out, state, caught = refit
        return ocf._keep(model, out, state, caught)

    if structure == "none":
        return {}
    out = {}
    with mock.patch.object(sl, "learned_pairs", lambda *a, **kw: list(deps)):
        bic = _fit(weak.LabelModel(labels=list(range(k))), matrix)
        out["true_bic"] = 100 * accuracy(bic.labels_.to_numpy(dtype=int), matrix, y)
        out["true_bic_kept"] = bool(getattr(bic, "_structure_learned", False))
        with mock.patch.object(ocf, "choose_structure", forced):
            held = _fit(weak.LabelModel(labels=list(range(k))), matrix)
        out["true_forced"] = 100 * accuracy(held.labels_.to_numpy(dtype=int), matrix, y)
    return out


def not_exact_group(row) -> str:
    """The group of a fall without the exact true structure (``--not-exact``'s columns), the first that holds."""
    if row.ab == "missing":
        return "missing abstains (MV's model)"
    if row.structure == "none":
        return "no learner, informative"
    if row.structure == "exact":
        return "exact learned, BIC dropped" if not row.learned else "exact learned, fit differs"
    return f"{row.structure}, {'kept' if row.learned else 'dropped'} by BIC"


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
    if "true_bic" in frame:
        falls = frame[(frame.gap < -0.5) & ~frame.exact_fit.astype(bool)]
        falls = falls.assign(group=falls.apply(not_exact_group, axis=1))
        gaps = {c: falls[c] - falls.mv for c in ("deps", "true_bic", "true_forced")}
        print(
            falls.assign(**{f"{c}_gap": g for c, g in gaps.items()}, **{f"{c}_ok": g >= -0.5 for c, g in gaps.items()})
            .groupby("group")
            .agg(
                falls=("gap", "size"),
                k2=("K", lambda s: int((s == 2).sum())),
                over_5=("gap", lambda s: int((s < -5).sum())),
                mean_gap=("gap", "mean"),
                worst=("gap", "min"),
                **{f"{c}_gap": (f"{c}_gap", "mean") for c in gaps},
                **{f"{c}_ok": (f"{c}_ok", "sum") for c in gaps},
            )
            .round(2)
            .to_string()
        )
    if "em_m" in frame:
        exact = frame[(frame.gap < -0.5) & frame.em_m.notna()]
        exact = exact.assign(mechanism=exact.apply(gold_mechanism, axis=1))
        refs = {c: exact[c] - exact.mv for c in ("gold_same", "em_m", "em_free", "em_truep", "free_from_def")}
        print(
            exact.assign(**{f"{c}_gap": g for c, g in refs.items()})
            .groupby("mechanism")
            .agg(
                falls=("gap", "size"),
                k2=("K", lambda s: int((s == 2).sum())),
                over_5=("gap", lambda s: int((s < -5).sum())),
                mean_gap=("gap", "mean"),
                **{f"{c}_gap": (f"{c}_gap", "mean") for c in refs},
            )
            .round(2)
            .to_string()
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seeds", default=None, help="FIRST-LAST[,FIRST-LAST...]")
    parser.add_argument("--csv", default=None, help="write (with --seeds) or read (with --summary) the table")
    parser.add_argument("--summary", default=None, metavar="CSV")
    parser.add_argument("--structure", action="store_true", help="add the learned structure's kind (trig54)")
    parser.add_argument(
        "--gold-em", action="store_true", help="gold-counted fit and EM from it on exact falls (trig55)"
    )
    parser.add_argument("--not-exact", action="store_true", help="falls without the true structure (trig56)")
    args = parser.parse_args()
    global NOT_EXACT
    NOT_EXACT = args.not_exact
    global STRUCTURE
    STRUCTURE = args.structure
    global GOLD_EM
    GOLD_EM = args.gold_em
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
