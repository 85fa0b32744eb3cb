"""Issue 15, session 52 (lowsnork52): Snorkel 0.10 and crowd-kit on the few-low-coverage-functions family.

``dev_weak_low_coverage.py`` (lowcov51, lowcov2) found labelwise's default ``weak.LabelModel()`` more than 0.5 points
below ``MajorityLabelVoter`` on 14 of 40 ``simulate_lfs`` sets of 3-14 functions of coverage 0.05-0.6, and every
labelwise model and setting tried below it on 12-22 of 40. This script measures the published peers on the SEEN seeds
of that family (5100-5199 and 5400-5559; never 5560 or above, kept fresh for a next candidate's judging), scored as
``bench_weak.py`` scores (the items with at least one vote):

- Snorkel 0.10's ``LabelModel`` run as ``bench_weak.py`` runs it (``LabelModel(cardinality=K, verbose=False)``,
  ``fit(L, seed=0, progress_bar=False)``, ``predict_proba(L).argmax(1)``), in its own virtualenv, all sets in one
  subprocess (``--snorkel-batch``, which imports only numpy and snorkel); its ``μ`` and class balance are kept.
- crowd-kit's ``DawidSkene(n_iter=100)`` on the long table, as ``bench_weak.py``.
- labelwise: the default, ``DawidSkeneLabelModel()``, and ``LabelModel`` with one or two switches at a time (the
  diagnosis: class balance, abstain model, EM), plus two posteriors recomputed from fitted ``μ`` (Snorkel's, which
  leaves the abstain factor out, and the same ``μ`` with it).

Nothing here is a candidate or a default: it is a measurement. Run (from the repository root)::

    PYTHONPATH=$PWD/src OMP_NUM_THREADS=1 python benchmarks/dev_weak_low_coverage_peers.py --collect /tmp/lowsnork52
    PYTHONPATH=$PWD/src python benchmarks/dev_weak_low_coverage_peers.py --analyse /tmp/lowsnork52

References: A. Ratner, B. Hancock, J. Dunnmon, F. Sala, S. Pandey and C. Ré, "Training Complex Models with
Multi-Task Weak Supervision", AAAI 2019 (Snorkel's label model); A. P. Dawid and A. M. Skene, "Maximum Likelihood
Estimation of Observer Error-Rates Using the EM Algorithm", Applied Statistics 28(1), 20-28, 1979.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import pickle
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

SNORKEL_PYTHON = "/work/venvs/weak-snorkel/bin/python"
SEEN = [*range(5100, 5200), *range(5400, 5560)]  # 5560+ stay fresh


# ----------------------------------------------------------------------------- snorkel side (its own venv)


def vote_shares(L: np.ndarray, k: int) -> np.ndarray:
    """The mean vote shares of the items with a vote (labelwise's ``class_balance="votes"``), floored at 1e-6 (Snorkel
    refuses a zero class balance) and renormalised."""
    counts = np.stack([(L == c).sum(axis=1) for c in range(k)], axis=1).astype(float)
    voted = counts.sum(axis=1) > 0
    shares = (counts[voted] / counts[voted].sum(axis=1, keepdims=True)).mean(axis=0)
    shares = np.maximum(shares, 1e-6)
    return shares / shares.sum()


def snorkel_batch(inp: str, out: str, epochs: int = 100, votes_balance: bool = False) -> None:
    """Fit Snorkel's ``LabelModel`` on every set of ``inp`` (``bench_weak.py``'s call); save probs, μ, p, CPU (npz:
    the two virtualenvs' numpy versions differ, so no pickle crosses between them). ``epochs`` other than 100 (the
    default, the benchmark's): the diagnosis of how far Snorkel's 100 SGD steps are from its optimum; ``votes_balance``:
    ``class_balance`` set to the vote shares (``vote_shares``), labelwise's default balance, in place of uniform."""
    from snorkel.labeling.model import LabelModel

    data = np.load(inp)
    result = {}
    for key in sorted(k for k in data.files if k.startswith("L_")):
        seed = int(key[2:])
        L, k = data[key], int(data[f"k_{seed}"])
        cpu = time.process_time()
        model = LabelModel(cardinality=k, verbose=False)
        balance = vote_shares(L, k).tolist() if votes_balance else None  # None: Snorkel's uniform default
        model.fit(L, seed=0, progress_bar=False, n_epochs=epochs, class_balance=balance)
        probs = model.predict_proba(L)
        result[f"probs_{seed}"] = probs
        result[f"mu_{seed}"] = model.mu.detach().numpy().astype(float)
        result[f"p_{seed}"] = np.asarray(model.p, dtype=float)
        result[f"cpu_{seed}"] = np.float64(time.process_time() - cpu)
    np.savez(out, **result)


# ----------------------------------------------------------------------------- the family


def sparse_set(seed: int) -> tuple[dict, object]:
    """``dev_weak_low_coverage.sparse_set``, the same draws, with the drawn settings returned beside the simulation."""
    from labelwise import weak

    rng = np.random.default_rng(seed)
    k, m = int(rng.integers(2, 6)), int(rng.integers(3, 15))
    n = int(rng.integers(300, 2000))
    unipolar, copies, imbalance = float(rng.uniform(0, 0.8)), int(rng.integers(0, 3)), float(rng.uniform(1, 4))
    sim = weak.simulate_lfs(
        n_items=n,
        n_lfs=m,
        n_classes=k,
        coverage=(0.05, 0.6),
        accuracy=(0.3 + 0.5 / k, 0.9),
        unipolar=unipolar,
        n_correlated=copies,
        imbalance=imbalance,
        random_state=seed,
    )
    meta = {"seed": seed, "K": k, "m": m, "n": n, "unipolar": unipolar, "copies": copies, "imbalance": imbalance}
    return meta, sim


def codes_matrix(votes, k: int) -> np.ndarray:
    """The vote matrix in class codes 0..K-1 (the simulation's classes are 0..K-1), -1 = abstain."""
    mat = votes.matrix()
    classes = np.asarray(votes.classes, dtype=int)
    assert set(classes.tolist()) <= set(range(k))
    return np.where(mat >= 0, classes[np.maximum(mat, 0)], -1)


def mu_posterior(L: np.ndarray, mu: np.ndarray, p: np.ndarray, abstain_factor: bool) -> np.ndarray:
    """``P(y | λ) ∝ p_y Π_{j votes} μ[(j, λ_j), y]`` (Snorkel's ``predict_proba``), times ``Π_{j abstains} (1 − Σ_a
    μ[(j, a), y])`` with ``abstain_factor`` (labelwise's informative posterior). ``μ`` floored at 1e-6 as labelwise's
    ``_posterior.FLOOR`` (Snorkel clamps its own ``μ`` at ``mu_eps`` >= 1e-4, so its posterior is unchanged)."""
    n, m = L.shape
    k = len(p)
    log = np.tile(np.log(np.clip(p, 1e-300, None)), (n, 1))
    for j in range(m):
        block = np.clip(mu[j * k : (j + 1) * k], 1e-6, 1.0)  # rows: vote a, columns: class y
        voted = L[:, j] >= 0
        log[voted] += np.log(block[L[voted, j]])
        if abstain_factor:
            log[~voted] += np.log(np.clip(1.0 - block.sum(axis=0), 1e-6, 1.0))
    log -= log.max(axis=1, keepdims=True)
    post = np.exp(log)
    return post / post.sum(axis=1, keepdims=True)


LABELWISE_FITS = {  # name -> LabelModel parameters
    "lw_default": {},
    "lw_uniform": {"class_balance": "uniform"},
    "lw_missing": {"abstains": "missing"},
    "lw_missing_uniform": {"abstains": "missing", "class_balance": "uniform"},
    "lw_informative": {"abstains": "informative"},
    "lw_informative_uniform": {"abstains": "informative", "class_balance": "uniform"},
    "lw_moment": {"n_em_iter": 0},
    "lw_moment_uniform": {"n_em_iter": 0, "class_balance": "uniform"},
    "lw_uniform_nosearch": {"class_balance": "uniform", "dependency_threshold": None},
}


def labelwise_labels(meta: dict, sim) -> tuple[dict, dict]:
    """Labels (codes) of MV, crowd-kit DS and every labelwise fit on one set; extra per-set facts."""
    import crowdkit.aggregation as ca

    from labelwise import weak
    from labelwise.weak.baselines import MajorityLabelVoter

    k, labels = meta["K"], list(range(meta["K"]))
    votes = sim.votes
    out, facts = {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out["mv"] = MajorityLabelVoter(labels=labels).fit(votes).labels_.to_numpy()
        for name, params in LABELWISE_FITS.items():
            model = weak.LabelModel(labels=labels, **params).fit(votes)
            out[name] = model.labels_.to_numpy()
            facts[f"{name}_abstains"] = model.abstains_
            facts[f"{name}_p"] = np.asarray(model.class_balance_, dtype=float)
            if name in ("lw_moment", "lw_moment_uniform"):
                L = codes_matrix(votes, k)
                for flag, tag in ((False, "snorkelpost"), (True, "abspost")):
                    post = mu_posterior(L, np.asarray(model.mu_), np.asarray(model.class_balance_), flag)
                    out[f"{name}_{tag}"] = post.argmax(axis=1)
        out["lw_ds"] = weak.DawidSkeneLabelModel(labels=labels).fit(votes).labels_.to_numpy()
        long = votes.to_annotations().rename(columns={"item": "task", "annotator": "worker"})
        out["crowdkit_ds"] = ca.DawidSkene(n_iter=100).fit_predict(long).reindex(votes.items).to_numpy()
    return out, facts


def snorkel_variant(folder: Path, python: str, epochs: int | None, votes_balance: bool) -> None:
    """Snorkel refitted on a ``--collect`` folder's sets with ``epochs`` SGD steps (``snorkel_{epochs}.npz``) or the
    vote shares as its class balance (``snorkel_votes.npz``)."""
    out = folder / (f"snorkel_{epochs}.npz" if epochs else "snorkel_votes.npz")
    cmd = [python, __file__, "--snorkel-batch", str(folder / "L.npz"), str(out)]
    cmd += ["--snorkel-epochs", str(epochs)] if epochs else ["--snorkel-votes-balance"]
    subprocess.run(cmd, check=True)


def collect(folder: Path, python: str, seeds: list[int]) -> None:
    """Every labelwise fit and the peers on ``seeds``; per-set labels and facts pickled under ``folder``."""
    assert all(s < 5560 for s in seeds), "seeds 5560+ are kept fresh"
    folder.mkdir(parents=True, exist_ok=True)
    arrays, sets = {}, {}
    for seed in seeds:
        meta, sim = sparse_set(seed)
        k = meta["K"]
        L = codes_matrix(sim.votes, k)
        arrays[f"L_{seed}"], arrays[f"k_{seed}"] = L, np.int64(k)
        cpu = time.process_time()
        labels, facts = labelwise_labels(meta, sim)
        truth = sim.truth.reindex(sim.votes.items).to_numpy()
        sets[seed] = {"meta": meta, "labels": labels, "facts": facts, "truth": truth, "voted": (L >= 0).any(axis=1)}
        sets[seed]["parent"] = np.asarray(sim.parent)
        print(f"{seed} K{k} m{meta['m']}: {time.process_time() - cpu:.1f} s CPU", flush=True)
    np.savez(folder / "L.npz", **arrays)
    with open(folder / "labelwise.pkl", "wb") as f:
        pickle.dump(sets, f)
    start = time.perf_counter()
    subprocess.run(
        [python, __file__, "--snorkel-batch", str(folder / "L.npz"), str(folder / "snorkel.npz")],
        check=True,
    )
    print(f"Snorkel: {len(seeds)} fits in {time.perf_counter() - start:.0f} s wall", flush=True)


# ----------------------------------------------------------------------------- the tables


def gold_fitted_labels(L: np.ndarray, k: int, truth: np.ndarray, parent: np.ndarray, seed: int) -> np.ndarray:
    """The informative-abstain model with the TRUE cliques (each function with its copies: one joint outcome) fitted
    on the gold labels, two-fold: each half labelled by ``p_y Π_groups P(outcome | y)`` counted (+0.5) on the other.

    Not a label model (it reads the truth): the best a latent-class fit of the right structure could hope to estimate,
    to tell a goal beyond the model from one beyond estimation without labels."""
    n, m = L.shape
    groups = [[j, *np.flatnonzero(parent == j).tolist()] for j in range(m) if parent[j] < 0]
    codes = []
    for g in groups:
        joint = np.zeros(n, dtype=np.int64)
        for j in g:
            joint = joint * (k + 1) + (L[:, j] + 1)
        codes.append(np.unique(joint, return_inverse=True)[1])
    # not default_rng(seed): simulate_lfs drew the classes from that very stream, so the halves would split by class
    half = np.random.default_rng([seed, 52]).random(n) < 0.5
    out = np.empty(n, dtype=np.int64)
    for fit in (half, ~half):
        tf = truth[fit]
        log = np.tile(np.log((np.bincount(tf, minlength=k) + 0.5) / (len(tf) + 0.5 * k)), ((~fit).sum(), 1))
        for inv in codes:
            count = np.zeros((inv.max() + 1, k))
            np.add.at(count, (inv[fit], tf), 1)
            log += np.log((count + 0.5) / (count.sum(axis=0) + 0.5 * len(count)))[inv[~fit]]
        out[~fit] = log.argmax(axis=1)
    return out


def accuracy_frame(folder: Path):
    """One row per set: the drawn settings and every method's accuracy (points) on the items with a vote."""
    import pandas as pd

    with open(folder / "labelwise.pkl", "rb") as f:
        sets = pickle.load(f)
    snork = np.load(folder / "snorkel.npz")
    rows, gaps = [], []
    for seed, s in sets.items():
        labels = dict(s["labels"])
        probs, mu, p = snork[f"probs_{seed}"], snork[f"mu_{seed}"], snork[f"p_{seed}"]
        labels["snorkel"] = probs.argmax(axis=1)
        L = np.load(folder / "L.npz")[f"L_{seed}"]
        mine = mu_posterior(L, mu, p, False)
        gaps.append(float(np.abs(mine - probs)[s["voted"]].max()))  # checks mu_posterior against Snorkel's own
        labels["snorkel_abspost"] = mu_posterior(L, mu, p, True).argmax(axis=1)
        labels["gold_fitted"] = gold_fitted_labels(L, s["meta"]["K"], s["truth"].astype(int), s["parent"], seed)
        if (folder / "snorkel_votes.npz").exists():
            labels["snorkel_votesbalance"] = np.load(folder / "snorkel_votes.npz")[f"probs_{seed}"].argmax(axis=1)
        for epochs in (1000, 10000):
            if (folder / f"snorkel_{epochs}.npz").exists():
                labels[f"snorkel_{epochs}ep"] = np.load(folder / f"snorkel_{epochs}.npz")[f"probs_{seed}"].argmax(
                    axis=1
                )
        voted, truth = s["voted"], s["truth"]
        row = dict(s["meta"], n_voted=int(voted.sum()), snorkel_cpu=float(snork[f"cpu_{seed}"]))
        row["votes_per_item"] = float((L[voted] >= 0).sum(axis=1).mean())
        counts = np.stack([(L == c).sum(axis=1) for c in range(s["meta"]["K"])], axis=1)
        strict = voted & ((counts == counts.max(axis=1, keepdims=True)).sum(axis=1) == 1)
        for name in ("mv", "lw_default", "lw_ds", "snorkel"):  # overriding a strict majority: how often, how well
            lab = s["labels"][name] if name != "snorkel" else probs.argmax(axis=1)
            row[f"{name}_overrides"] = 100.0 * float(np.mean(lab[strict] != counts.argmax(axis=1)[strict]))
            row[f"{name}_strict"] = 100.0 * float(np.mean(lab[strict] == truth[strict]))
            row[f"{name}_tied"] = 100.0 * float(np.mean(lab[voted & ~strict] == truth[voted & ~strict]))
        row["strict_share"] = float(strict.sum() / voted.sum())
        row.update({k: v for k, v in s["facts"].items() if k.endswith("_abstains")})
        for name, lab in sorted(labels.items()):
            row[name] = 100.0 * float(np.mean(np.asarray(lab)[voted] == truth[voted]))
        rows.append(row)
    print(f"Snorkel's predict_proba against mu_posterior(its μ, p, no abstain factor): largest gap {max(gaps):.1e}")
    return pd.DataFrame(rows).set_index("seed")


METHODS = ["lw_default", "snorkel", "crowdkit_ds", "lw_ds", "lw_uniform", "gold_fitted"]


def method_table(frame, names: list[str]):
    """Per method: sets more than 0.5 points below MV, mean, worst and mean difference to MV."""
    import pandas as pd

    out = {}
    for name in names:
        d = frame[name] - frame["mv"]
        out[name] = {
            "below MV": int((d < -0.5).sum()),
            "mean": frame[name].mean(),
            "mean - MV": d.mean(),
            "worst - MV": d.min(),
            "worst set": int(d.idxmin()),
        }
    return pd.DataFrame(out).T


def breakdown(frame, names: list[str]):
    """Sets more than 0.5 below MV per method, by K, functions, copies, imbalance and seed block."""
    import pandas as pd

    keys = {
        "K": frame["K"],
        "functions (m, before copies)": pd.cut(frame["m"], [2, 5, 9, 14], labels=["3-5", "6-9", "10-14"]),
        "copies": frame["copies"],
        "one-class share (unipolar)": pd.cut(frame["unipolar"], [0, 0.2, 0.4, 0.6, 0.8]),
        "imbalance": pd.cut(frame["imbalance"], [1, 2, 3, 4], labels=["1-2", "2-3", "3-4"], include_lowest=True),
        "block": np.where(frame.index < 5400, "5100-5199", "5400-5559"),
        "votes per voted item": pd.cut(frame["votes_per_item"], [1, 2, 3, 4, 8]),
        "the default's abstain model": frame["lw_default_abstains"],
    }
    below = pd.DataFrame({n: frame[n] - frame["mv"] < -0.5 for n in names})
    for title, key in keys.items():
        table = below.groupby(key, observed=True).sum().astype(int)
        table.insert(0, "sets", below.groupby(key, observed=True).size())
        table["crowdkit_ds - MV"] = (frame["crowdkit_ds"] - frame["mv"]).groupby(key, observed=True).mean().round(2)
        print(f"\nsets more than 0.5 below MV, by {title}:\n{table.to_string()}")


def analyse(folder: Path) -> None:
    """Print the tables of a ``--collect`` folder."""
    import pandas as pd

    pd.set_option("display.width", 200)
    frame = accuracy_frame(folder)
    frame.to_csv(folder / "accuracy.csv")
    skip = ("_abstains", "_cpu", "_overrides", "_strict", "_tied")
    names = [c for c in frame.columns if c.startswith(("lw_", "snorkel", "crowdkit", "gold")) and not c.endswith(skip)]
    print(f"{len(frame)} sets, voted items; MV mean {frame['mv'].mean():.2f}")
    print(method_table(frame, names).to_string(float_format=lambda x: f"{x:.2f}"))
    best_peer = frame[["snorkel", "crowdkit_ds"]].max(axis=1)
    for name in ("lw_default", "lw_uniform", "lw_ds"):
        wins = int((frame[name] >= best_peer - 1e-12).sum())
        alone = [int((frame[name] >= frame[p] - 1e-12).sum()) for p in ("snorkel", "crowdkit_ds")]
        print(
            f"80% rule, {name} >= max(Snorkel, crowd-kit DS): {wins} of {len(frame)} ({100 * wins / len(frame):.1f}%); "
            f">= Snorkel {alone[0]}, >= crowd-kit DS {alone[1]}"
        )
    breakdown(frame, METHODS)
    below = {n: frame[n] - frame["mv"] < -0.5 for n in METHODS}
    both = pd.crosstab(below["lw_default"], below["snorkel"], rownames=["default below"], colnames=["Snorkel below"])
    print(f"\n{both.to_string()}")
    print(f"below MV for all of {METHODS} at once: {int(pd.DataFrame(below).all(axis=1).sum())}")
    strict = {
        n: [f"{n}_{c}" for c in ("overrides", "strict", "tied")] for n in ("mv", "lw_default", "lw_ds", "snorkel")
    }
    bad = below["lw_default"]
    for title, rows in (("every set", frame), ("the default's sets below MV", frame[bad])):
        table = pd.DataFrame(
            {n: rows[c].mean().to_numpy() for n, c in strict.items()}, index=["overrides", "strict", "tied"]
        )
        print(
            f"\n{title} ({len(rows)}; strict-majority items {100 * rows['strict_share'].mean():.1f}%): mean % of strict "
            f"majorities overridden, accuracy on strict-majority items, on tied items\n{table.round(2).to_string()}"
        )
    sel = (frame["snorkel"] - frame["mv"] >= -0.5) & bad
    within = {n: int((frame.loc[sel, n] - frame.loc[sel, "mv"] >= -0.5).sum()) for n in names}
    print(f"\nthe {int(sel.sum())} sets where Snorkel is within 0.5 of MV and the default is not: within 0.5 of MV")
    print(pd.Series(within).to_string())


# ----------------------------------------------------------------------------- an exploration, not a candidate


def tie_break_only(matrix: np.ndarray, k: int, probas: np.ndarray) -> np.ndarray:
    """Majority vote's class where it is strict; among the tied classes, the one of highest ``probas``; no vote: the
    model's argmax. The label model left to break majority vote's ties only (what Snorkel's fit nearly does here)."""
    counts = np.stack([(matrix == c).sum(axis=1) for c in range(k)], axis=1)
    tied = counts == counts.max(axis=1, keepdims=True)
    return np.where(tied, probas, -np.inf).argmax(axis=1)


def explore_tie_break(folder: Path) -> None:
    """The default's labels and ``tie_break_only``'s on the seen seeds (from ``--collect``'s matrices) and on the
    93 dev sets (``_dev_weak_judge.part_b``'s printout, "candidate" = tie-break only; exploration, not a judging)."""
    import pandas as pd

    from labelwise import weak

    def fit(matrix: np.ndarray, k: int, tie_break: bool) -> tuple[np.ndarray, float]:
        cpu = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = weak.LabelModel(labels=list(range(k))).fit(matrix)
        labels = model.labels_.to_numpy().astype(int)
        if tie_break:
            labels = tie_break_only(matrix, k, model.probas_.to_numpy())
        return labels, time.process_time() - cpu

    with open(folder / "labelwise.pkl", "rb") as f:
        sets = pickle.load(f)
    matrices = np.load(folder / "L.npz")
    rows = []
    for seed, s in sets.items():
        L, k, voted, truth = matrices[f"L_{seed}"], s["meta"]["K"], s["voted"], s["truth"]
        row = {"seed": seed, "mv": 100.0 * float(np.mean(s["labels"]["mv"][voted] == truth[voted]))}
        for name, flag in (("default", False), ("tie_break_only", True)):
            row[name] = 100.0 * float(np.mean(fit(L, k, flag)[0][voted] == truth[voted]))
        rows.append(row)
    frame = pd.DataFrame(rows)
    for name in ("default", "tie_break_only"):
        d = frame[name] - frame["mv"]
        print(
            f"seen seeds, {name}: more than 0.5 below MV {int((d < -0.5).sum())} of {len(frame)}, "
            f"mean {frame[name].mean():.2f} (MV {frame['mv'].mean():.2f}), worst {d.min():+.2f}"
        )
    sys.path.insert(0, str(Path(__file__).parent))
    from _dev_weak_judge import part_b

    part_b("93", None, "lowsnork52_tiebreak", fit)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--snorkel-batch", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--collect", type=Path, help="fit everything on the seen seeds, pickle under this folder")
    parser.add_argument("--analyse", type=Path, help="print the tables from a --collect folder")
    parser.add_argument("--tie-break", type=Path, help="explore tie_break_only on a --collect folder and the 93")
    parser.add_argument("--snorkel-python", default=SNORKEL_PYTHON)
    parser.add_argument("--snorkel-epochs", type=int, default=None, help="with --collect's folder: refit Snorkel")
    parser.add_argument("--snorkel-votes-balance", action="store_true", help="the same, class balance = vote shares")
    parser.add_argument("--seeds", default=None, help="FIRST-LAST for a trial (default: every seen seed)")
    args = parser.parse_args()
    if args.snorkel_batch:
        snorkel_batch(*args.snorkel_batch, epochs=args.snorkel_epochs or 100, votes_balance=args.snorkel_votes_balance)
    elif args.collect and (args.snorkel_epochs or args.snorkel_votes_balance):
        snorkel_variant(args.collect, args.snorkel_python, args.snorkel_epochs, args.snorkel_votes_balance)
    elif args.collect:
        seeds = SEEN
        if args.seeds:
            first, last = (int(x) for x in args.seeds.split("-"))
            seeds = list(range(first, last + 1))
        collect(args.collect, args.snorkel_python, seeds)
    elif args.tie_break:
        explore_tie_break(args.tie_break)
    elif args.analyse:
        analyse(args.analyse)
    else:
        parser.error("give --collect FOLDER or --analyse FOLDER")


if __name__ == "__main__":
    main()
