"""Why the default label model is below majority vote on the Snorkel-tutorial spam rules (session 52, spam52).

A diagnosis, no default changed. The rule set is ``walk_snorkel_migration.py``'s: ``comments(n, seed)`` (synthetic
YouTube-like comments, each one or two phrases of its class and, 15% of the time, one of the other) and its eight
one-class keyword rules. Three parts:

``--table``: 10 seeds (``comments(n, s)``, s = 0..9) at n = 2,000 and 20,000; every setting's accuracy on the items
with a vote (as ``bench_weak.py`` scores) and on every item, its mean and the sets more than 0.5 points below majority
vote (``labelwise.aggregate.MajorityVote``'s labels, as ``bench_weak.py``; on every item a no-vote row counts 1/K).
Settings: the default ``LabelModel()``, ``one_class_rules=True``, ``DawidSkeneLabelModel()``, ``abstains`` missing /
informative, ``class_balance`` uniform / the truth's shares, the true dependencies given (:func:`shared_trigger_pairs`:
rules whose firing phrases overlap), Snorkel 0.10 (``bench_weak.py``'s worker: defaults, ``fit(L, seed=0)``) and three
oracles of the informative-abstain family with parameters counted from gold (:func:`gold_model`): the default's groups,
the true cliques, one joint table of all rules (the Bayes classifier of the vote patterns).

``--trace``: seed 0, n = 2,000: the moment fit, the groups, EM's path, BIC, the relabelling checks, fitted against
empirical ``P(rule fires | class)``, the within-class correlations of the firings, and EM run from gold's parameters
in the default's own family (where the likelihood near the truth leads).

``--family``: the same likelihood comparison on ``dev_weak_shared_triggers.py``'s SEEN seeds (200-215, 280-295,
392-487, K = 2 and 3) and on the spam sets: is the failure a fit that stops below the truth's likelihood (estimation) or
a family whose likelihood prefers another latent variable to the class (misspecification)?

Run (``--snorkel-python`` only for ``--table``'s Snorkel column)::

    PYTHONPATH=src OMP_NUM_THREADS=1 python benchmarks/diag_weak_spam_rules.py --table --trace --family \\
        --snorkel-python /work/venvs/weak-snorkel/bin/python
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from walk_snorkel_migration import HAM_BITS, SPAM_BITS, comments, rules  # noqa: E402

SIZES = (2000, 20000)
SEEDS = range(10)
FAMILY_SEEDS = [*range(200, 216), *range(280, 296), *range(392, 488)]  # dev_weak_shared_triggers' seen seeds
SMOOTHING = 0.01  # pseudo-count of the gold tables and of this script's EM (the label model's ``smoothing``)


def spam_set(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``(matrix, truth, names)`` of the spam rules applied to ``comments(n, seed)`` (-1 = abstain)."""
    from labelwise import weak

    lfs = rules(weak.labeling_function(abstain=-1))
    df, y = comments(n, seed)
    return weak.apply(lfs, df, classes=[0, 1]).matrix(), np.asarray(y), [f.name for f in lfs]


def shared_trigger_pairs(fire: np.ndarray) -> list[tuple[int, int]]:
    """Pairs of rules that share a trigger, from ``fire[j, b]`` (rule ``j`` fires on phrase ``b`` alone).

    Two rules share a trigger when some phrase fires both. A rule that fires on every phrase reads the text's length,
    not a phrase, and is paired with none (it depends on how many phrases an item has, which no clique of a few rules
    models)."""
    fire = np.asarray(fire, dtype=bool)
    keyword = ~fire.all(axis=1)
    m = fire.shape[0]
    return [
        (a, b) for a in range(m) for b in range(a + 1, m) if keyword[a] and keyword[b] and (fire[a] & fire[b]).any()
    ]


def phrase_firing() -> np.ndarray:
    """``[j, b]``: spam rule ``j`` fires on phrase ``b`` (``SPAM_BITS + HAM_BITS``) written alone."""
    from labelwise import weak

    lfs = rules(weak.labeling_function(abstain=-1))
    L = weak.apply(lfs, pd.DataFrame({"text": SPAM_BITS + HAM_BITS}), classes=[0, 1]).matrix()
    return (L >= 0).T


def cliques(m: int, pairs: list[tuple[int, int]]) -> list[list[int]]:
    """The connected components of ``pairs`` over ``m`` rules, each sorted, in order of their first rule."""
    parent = list(range(m))

    def root(a: int) -> int:
        while parent[a] != a:
            a = parent[a]
        return a

    for a, b in pairs:
        parent[root(b)] = root(a)
    comps: dict[int, list[int]] = {}
    for j in range(m):
        comps.setdefault(root(j), []).append(j)
    return sorted(comps.values())


def gold_model(matrix: np.ndarray, truth: np.ndarray, k: int, groups: list[list[int]]) -> tuple:
    """The informative-abstain model with ``groups`` whose parameters are counted from ``truth``: ``(lam, n_outcomes, μ, p)``.

    ``lam``: the groups' one-hot outcome indicator (``weak._posterior.group_indicator``); ``μ[outcome, y]`` the share of
    class ``y``'s items with that outcome (``SMOOTHING`` pseudo-counts); ``p`` the truth's class shares."""
    from labelwise.weak._posterior import group_indicator

    lam, n_outcomes = group_indicator(matrix, k, groups)
    onehot = np.eye(k)[truth]
    return lam, n_outcomes, normalised(np.asarray(lam.T @ onehot), n_outcomes), onehot.mean(axis=0)


def normalised(counts: np.ndarray, n_outcomes: np.ndarray) -> np.ndarray:
    """``counts`` (outcomes x classes) plus ``SMOOTHING``, normalised within each group's outcomes per class."""
    counts = counts + SMOOTHING
    group = _group_of(n_outcomes)
    sums = np.zeros((group.max() + 1, counts.shape[1]))
    np.add.at(sums, group, counts)
    return counts / sums[group]


def _group_of(n_outcomes: np.ndarray) -> np.ndarray:
    """Each outcome column's group, from ``n_outcomes`` (each column's group size, columns of a group adjacent)."""
    group, j, g = np.empty(len(n_outcomes), dtype=int), 0, 0
    while j < len(n_outcomes):
        size = int(n_outcomes[j])
        group[j : j + size] = g
        j, g = j + size, g + 1
    return group


def log_likelihood(lam, mu: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, float]:
    """The posterior and the mean log-likelihood per item of the votes under ``(μ, p)``."""
    from labelwise.weak._posterior import posterior

    post, log_z = posterior(lam, mu, p)
    return post, float(np.mean(log_z))


def em_from(lam, n_outcomes: np.ndarray, post: np.ndarray, n_iter: int = 500, tol: float = 1e-10) -> tuple:
    """Maximum-likelihood EM of the informative-abstain family from the posterior ``post`` (free class balance):
    ``(μ, p, post, history of the mean log-likelihood)``; stops when it rises by less than ``tol``."""
    history: list[float] = []
    for _ in range(n_iter):
        mu, p = normalised(np.asarray(lam.T @ post), n_outcomes), post.mean(axis=0)
        post, ll = log_likelihood(lam, mu, p)
        if history and ll - history[-1] < tol:
            history.append(ll)
            break
        history.append(ll)
    return mu, p, post, history


def majority(matrix: np.ndarray) -> np.ndarray:
    """``labelwise.aggregate.MajorityVote``'s labels, as ``bench_weak.py`` scores majority vote; -1 without votes."""
    from dev_weak_shared_triggers import bench_majority

    return bench_majority(matrix)


def fitted_labels(model, matrix: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(matrix).labels_.to_numpy(dtype=int)


def oracle_labels(matrix: np.ndarray, truth: np.ndarray, k: int, groups: list[list[int]]) -> np.ndarray:
    """The gold-parameter model's labels of every row (counted on the rows with a vote, as the label model fits)."""
    voted = (matrix >= 0).any(axis=1)
    _, n_outcomes, mu, p = gold_model(matrix[voted], truth[voted], k, groups)
    from labelwise.weak._posterior import group_indicator

    post, _ = log_likelihood(group_indicator(matrix, k, groups)[0], mu, p)
    return post.argmax(axis=1)


def settings(matrix: np.ndarray, truth: np.ndarray, snorkel: str | None, tmp: Path) -> dict[str, np.ndarray]:
    """Every setting's labels of ``matrix``'s rows (-1: none)."""
    from labelwise import weak

    k, m = 2, matrix.shape[1]
    trigger = cliques(m, shared_trigger_pairs(phrase_firing()))
    default = weak.LabelModel()
    out = {"mv": majority(matrix), "default": fitted_labels(default, matrix)}
    out["one_class_rules"] = fitted_labels(weak.LabelModel(one_class_rules=True), matrix)
    out["dawid_skene"] = fitted_labels(weak.DawidSkeneLabelModel(), matrix)
    out["missing"] = fitted_labels(weak.LabelModel(abstains="missing"), matrix)
    out["informative"] = fitted_labels(weak.LabelModel(abstains="informative"), matrix)
    out["uniform_balance"] = fitted_labels(weak.LabelModel(class_balance="uniform"), matrix)
    shares = np.bincount(truth, minlength=k) / len(truth)
    out["true_balance"] = fitted_labels(weak.LabelModel(class_balance=shares), matrix)
    pairs = shared_trigger_pairs(phrase_firing())
    out["true_dependencies"] = fitted_labels(weak.LabelModel(dependencies=pairs), matrix)
    if snorkel is not None:
        from bench_weak import run_snorkel

        path = tmp / "L.npz"
        np.savez(path, L=matrix, k=k)
        res = run_snorkel(snorkel, "label_model", path, 600.0)
        out["snorkel"] = np.full(len(matrix), -1) if "error" in res else np.asarray(res["pred"], dtype=int)
    groups = [[default.labelers_.index(name) for name in g] for g in default.groups_]
    out["gold_params_default_groups"] = oracle_labels(matrix, truth, k, groups)
    out["gold_params_true_cliques"] = oracle_labels(matrix, truth, k, trigger)
    out["gold_params_one_table"] = oracle_labels(matrix, truth, k, [list(range(m))])
    return out


def scores(labels: np.ndarray, matrix: np.ndarray, truth: np.ndarray, k: int = 2) -> tuple[float, float]:
    """Accuracy on the items with a vote, and on every item (a row without a label counts ``1/k``)."""
    voted = (matrix >= 0).any(axis=1)
    hit = np.where(labels < 0, 1.0 / k, (labels == truth).astype(float))
    return float(hit[voted].mean()), float(hit.mean())


def table(snorkel: str | None) -> pd.DataFrame:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for n in SIZES:
            for seed in SEEDS:
                matrix, truth, _ = spam_set(n, seed)
                for name, labels in settings(matrix, truth, snorkel, Path(folder)).items():
                    voted, every = scores(labels, matrix, truth)
                    rows.append({"n": n, "seed": seed, "setting": name, "voted": voted, "every": every})
                print(f"n={n} seed={seed} done", flush=True)
    frame = pd.DataFrame(rows)
    mv = frame[frame.setting == "mv"].set_index(["n", "seed"])
    for col in ("voted", "every"):
        frame[f"{col}_gap"] = 100 * (
            frame[col] - mv[col].reindex(pd.MultiIndex.from_frame(frame[["n", "seed"]])).to_numpy()
        )
    order = list(dict.fromkeys(frame.setting))
    for n in SIZES:
        part = frame[frame.n == n]
        print(
            f"\nn = {n}, 10 seeds: | setting | mean (voted) | sets >0.5 below MV (voted) | mean (every) "
            "| sets >0.5 below MV (every) |\n|---|---|---|---|---|"
        )
        for name in order:
            s = part[part.setting == name]
            print(
                f"| {name} | {s.voted.mean():.4f} | {int((s.voted_gap < -0.5).sum())} | {s.every.mean():.4f} "
                f"| {int((s.every_gap < -0.5).sum())} |"
            )
    return frame


def within_class_correlations(matrix: np.ndarray, truth: np.ndarray, groups: list[list[int]]) -> tuple[float, float]:
    """The most negative and the most positive correlation of two rules' firing among one class's items, over pairs
    of rules in different ``groups`` (the pairs the model takes as independent given the class)."""
    group_of = {j: g for g, members in enumerate(groups) for j in members}
    low, high = 0.0, 0.0
    for c in np.unique(truth):
        fire = (matrix[truth == c] >= 0).astype(float)
        live = fire.std(axis=0) > 0
        corr = np.corrcoef(fire[:, live].T)
        idx = np.flatnonzero(live)
        for a in range(len(idx)):
            for b in range(a + 1, len(idx)):
                if group_of[idx[a]] != group_of[idx[b]]:
                    low, high = min(low, corr[a, b]), max(high, corr[a, b])
    return float(low), float(high)


def likelihoods(matrix: np.ndarray, truth: np.ndarray, k: int, model) -> dict:
    """On the rows with a vote, in ``model``'s own groups: the mean log-likelihood of the fitted parameters, of gold's
    and of EM's fit from gold's; the accuracies of gold's and of that EM fit."""
    voted = (matrix >= 0).any(axis=1)
    mat, y = matrix[voted], truth[voted]
    groups = [[model.labelers_.index(name) for name in g] for g in model.groups_]
    lam, n_outcomes, mu, p = gold_model(mat, y, k, groups)
    post_gold, ll_gold = log_likelihood(lam, mu, p)
    ll_fit = log_likelihood(lam, model.group_mu_, model.class_balance_)[1]
    _, p_em, post_em, hist = em_from(lam, n_outcomes, np.eye(k)[y])
    low, high = within_class_correlations(matrix, truth, groups)  # every row: the rows with a vote push rules apart
    seen = np.asarray(lam.sum(axis=0)).ravel() > 0  # outcomes that occur: a one-class rule has 2, not K + 1
    n_groups = len(np.unique(_group_of(n_outcomes)[seen]))
    return {
        # twice the log-likelihood ratio of EM's fit from gold's against gold's, and the parameters: on a model that
        # holds, the ratio is about chi-squared with about that many degrees of freedom (mean ~ dof)
        "lr_em_vs_gold": 2.0 * len(y) * (hist[-1] - ll_gold),
        "dof": (int(seen.sum()) - n_groups) * k + k - 1,
        "ll_fit": ll_fit,
        "ll_gold": ll_gold,
        "ll_em_from_gold": hist[-1],
        "acc_gold": float((post_gold.argmax(axis=1) == y).mean()),
        "acc_em_from_gold": float((post_em.argmax(axis=1) == y).mean()),
        "balance_em_from_gold": float(p_em.max()),
        "corr_min": low,
        "corr_max": high,
    }


def trace(n: int = 2000, seed: int = 0) -> None:
    """The default's fit on one spam set, step by step (see the module docstring)."""
    from labelwise import weak
    from labelwise.aggregate._guard import relabelled_classes

    matrix, truth, names = spam_set(n, seed)
    k, m = 2, matrix.shape[1]
    voted = (matrix >= 0).any(axis=1)
    print(
        f"\n## trace: comments({n}, {seed}), {int(voted.sum())} items with a vote, truth shares "
        f"{np.bincount(truth) / n}, vote shares {np.bincount(matrix[matrix >= 0]) / (matrix >= 0).sum()}"
    )
    moment = weak.LabelModel(n_em_iter=0).fit(matrix)
    default = fitted(weak.LabelModel(), matrix)
    one_class = fitted(weak.LabelModel(one_class_rules=True), matrix)
    print(
        f"moment fit: balance {moment.class_balance_.round(4)}, loss {moment.loss_:.3g}, accuracy on voted "
        f"{(moment.labels_.to_numpy() == truth)[voted].mean():.4f}"
    )
    print(
        f"default: groups {default.groups_}, abstains {default.abstains_}, BIC {default.bic_}, "
        f"vote log-likelihood {default.vote_log_likelihood_}, balance {default.class_balance_.round(4)}"
    )
    print(f"default EM path (mean log-likelihood): {np.round(default.log_likelihood_history_, 4).tolist()}")
    print(
        f"one_class_rules=True: groups {one_class.groups_}, abstains {one_class.abstains_}, "
        f"balance {one_class.class_balance_.round(4)}"
    )
    counts = np.stack([(matrix[voted] == c).sum(axis=1) for c in range(k)], axis=1).astype(float)
    strict = counts.max(axis=1) > np.sort(counts, axis=1)[:, -2]
    for label, model in (("default", default), ("one_class_rules", one_class)):
        post = model.probas_.to_numpy()[voted]
        moved = relabelled_classes(counts, post)  # the guard's check, majority vote's counts as the reference
        table = pd.crosstab(counts.argmax(axis=1)[strict], post.argmax(axis=1)[strict])
        print(
            f"relabelling check (the guard's) on {label}'s posterior: classes moved {moved.tolist()}; strict "
            f"majority vote (rows) against the fit's class (columns): {table.to_numpy().tolist()}"
        )
    fires = {
        label: model.mu_.reshape(m, k, k).sum(axis=1)
        for label, model in (("moment", moment), ("default", default), ("one_class_rules", one_class))
    }
    print(
        "\n| rule | empirical P(fires | ham, spam) | moment fit | default | one_class_rules=True | "
        "default's accuracy_ | empirical accuracy |\n|---|---|---|---|---|---|---|"
    )
    for j, name in enumerate(names):
        emp = [(matrix[truth == c, j] >= 0).mean() for c in range(k)]
        fired = matrix[:, j] >= 0
        acc = (matrix[fired, j] == truth[fired]).mean()
        cells = " | ".join(f"{fires[key][j, 0]:.3f}, {fires[key][j, 1]:.3f}" for key in fires)
        print(f"| {name} | {emp[0]:.3f}, {emp[1]:.3f} | {cells} | {default.accuracies_.iloc[j]:.3f} | {acc:.3f} |")
    post = default.probas_.to_numpy()[voted]
    fired = matrix[voted] >= 0
    print("\nthe default's latent class 1 against the rules' firing (share of voted items with P(class 1) > 0.5):")
    for j, name in enumerate(names):
        print(
            f"  {name}: fires {(post[fired[:, j], 1] > 0.5).mean():.3f}, abstains {(post[~fired[:, j], 1] > 0.5).mean():.3f}"
        )
    for c in range(k):
        print(f"within-class firing correlations over every item, class {c}:")
        print(pd.DataFrame(np.corrcoef((matrix[truth == c] >= 0).T), index=names, columns=names).round(2).to_string())
    pairs = shared_trigger_pairs(phrase_firing())
    for label, model in (("the default's groups", default), ("the true cliques", None)):
        model = model or fitted(weak.LabelModel(dependencies=pairs), matrix)
        res = likelihoods(matrix, truth, k, model)
        print(
            f"\n{label} {model.groups_}: fitted accuracy {(model.labels_.to_numpy() == truth)[voted].mean():.4f}; "
            + ", ".join(f"{key} {value:.4f}" for key, value in res.items())
        )
    for label, groups in (("singletons", [[j] for j in range(m)]), ("the true cliques", cliques(m, pairs))):
        lam, n_outcomes, mu, p = gold_model(matrix, truth, k, groups)
        post_gold, ll_gold = log_likelihood(lam, mu, p)
        _, p_em, post_em, hist = em_from(lam, n_outcomes, np.eye(k)[truth])
        print(
            f"EM from gold on EVERY item (no-vote rows too), {label} {groups}: "
            f"ll_gold {ll_gold:.4f}, ll_em {hist[-1]:.4f}, accuracy gold {(post_gold.argmax(1) == truth).mean():.4f}, "
            f"EM {(post_em.argmax(1) == truth).mean():.4f} (majority vote on every item "
            f"{scores(majority(matrix), matrix, truth)[1]:.4f}), EM's balance {p_em.round(3)}"
        )


def fitted(model, matrix: np.ndarray):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(matrix)


def same_class_cofire_z(matrix: np.ndarray) -> float:
    """The lowest ``z = φ √n`` (``φ``: the firing indicators' correlation over all ``n`` rows) over the pairs of
    one-class rules that vote the same class.

    With the rules independent given the class (the informative-abstain model), two rules that both fire more often
    on class ``c`` fire together more often than independence says (K = 2: ``Cov = p₀p₁(a₁ − a₀)(b₁ − b₀) > 0``): a
    clearly negative ``z`` is a pair the model can only fit by reading one of them as the other class's rule. Over all
    rows, no-vote rows included: among the rows with a vote, any two rules are pushed apart (they share the condition)."""
    fire = matrix >= 0
    n = len(matrix)
    polarity = [np.unique(matrix[fire[:, j], j]) for j in range(matrix.shape[1])]
    low = np.inf
    for a in range(matrix.shape[1]):
        for b in range(a + 1, matrix.shape[1]):
            pa, pb = polarity[a], polarity[b]
            if len(pa) != 1 or len(pb) != 1 or pa[0] != pb[0] or fire[:, a].std() == 0 or fire[:, b].std() == 0:
                continue
            low = min(low, float(np.corrcoef(fire[:, a], fire[:, b])[0, 1]) * np.sqrt(n))
    return low


def family_row(matrix: np.ndarray, truth: np.ndarray, k: int, pairs: list[tuple[int, int]]) -> dict:
    """One set's accuracies (on the items with a vote) and the likelihood comparison of :func:`likelihoods`, for the
    default and for the label model given the true dependent ``pairs`` (cliques up to 4 rules: a trigger's rules)."""
    from labelwise import weak

    voted = (matrix >= 0).any(axis=1)
    model = fitted(weak.LabelModel(), matrix)
    row = {
        "mv_bench": float((majority(matrix) == truth)[voted].mean()),
        "default": float((model.labels_.to_numpy() == truth)[voted].mean()),
        "chose": model.abstains_,
        "cofire_z_min": same_class_cofire_z(matrix),
    }
    given = fitted(weak.LabelModel(dependencies=pairs, max_clique=4), matrix)
    row["true_deps"] = float((given.labels_.to_numpy() == truth)[voted].mean())
    true = {f"true_deps_{key}": value for key, value in likelihoods(matrix, truth, k, given).items()}
    return row | likelihoods(matrix, truth, k, model) | true


def trigger_pairs(names: list[str]) -> list[tuple[int, int]]:
    """The pairs of a shared-trigger set's rules that read the same feature (``feat{f}_...`` names)."""
    feature = [name.split("_")[0] if name.startswith("feat") else None for name in names]
    m = len(names)
    return [(a, b) for a in range(m) for b in range(a + 1, m) if feature[a] is not None and feature[a] == feature[b]]


def family() -> pd.DataFrame:
    from dev_weak_shared_triggers import shared_trigger_set

    rows = []
    for seed in SEEDS:
        matrix, truth, _ = spam_set(2000, seed)
        pairs = shared_trigger_pairs(phrase_firing())
        rows.append({"family": "spam", "seed": seed, "K": 2} | family_row(matrix, truth, 2, pairs))
    for seed in FAMILY_SEEDS:
        for k in (2, 3):
            matrix, truth, names = shared_trigger_set(seed, k)
            rows.append(
                {"family": "shared_trigger", "seed": seed, "K": k} | family_row(matrix, truth, k, trigger_pairs(names))
            )
    frame = pd.DataFrame(rows)
    frame["below_mv"] = frame.default < frame.mv_bench - 0.005
    frame["kind"] = np.select(
        [~frame.below_mv, frame.ll_fit < frame.ll_gold - 1e-9, frame.acc_em_from_gold < frame.mv_bench - 0.005],
        ["not below MV", "estimation (fit below gold's likelihood)", "misspecified (EM from gold leaves the class)"],
        "misspecified (EM from gold stays near the class)",
    )
    print(
        "\n| family | sets | below MV | kind | sets | mean default - MV | mean gold-param acc - MV | "
        "mean ll_fit - ll_gold | mean min within-class corr | mean min same-class co-fire z |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    for (fam, kind), part in frame.groupby(["family", "kind"]):
        whole = frame[frame.family == fam]
        print(
            f"| {fam} | {len(whole)} | {int(whole.below_mv.sum())} | {kind} | {len(part)} "
            f"| {100 * (part.default - part.mv_bench).mean():.2f} | {100 * (part.acc_gold - part.mv_bench).mean():.2f} "
            f"| {(part.ll_fit - part.ll_gold).mean():.4f} | {part.corr_min.mean():.3f} | {part.cofire_z_min.mean():.1f} |"
        )
    trig = frame.cofire_z_min < -5
    print(
        "\nsets with a same-class pair co-firing at z < -5: "
        + ", ".join(
            f"{fam}: {int((trig & (frame.family == fam)).sum())} of {int((frame.family == fam).sum())} "
            f"({int((trig & frame.below_mv & (frame.family == fam)).sum())} of them below MV)"
            for fam in ("spam", "shared_trigger")
        )
    )
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", action="store_true")
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--family", action="store_true")
    parser.add_argument("--snorkel-python", default=None, metavar="PATH")
    parser.add_argument("--csv", default=None, help="write --table's (and --family's, .family.csv) rows here")
    args = parser.parse_args()
    if args.trace:
        trace()
    if args.table:
        frame = table(args.snorkel_python)
        if args.csv:
            frame.to_csv(args.csv, index=False)
    if args.family:
        frame = family()
        if args.csv:
            frame.to_csv(Path(args.csv).with_suffix(".family.csv"), index=False)


if __name__ == "__main__":
    main()
