"""Issue 15's 80% goal on the benchmark generator's SEEN first seeds (peer56, session 56): every simulated set of
``bench_weak.simulated_sets(first_seed)`` where labelwise's default ``LabelModel`` is below the better of Snorkel's
``LabelModel`` and crowd-kit's Dawid-Skene, by how much, and which path the fit took.

Per set it writes labelwise's, Snorkel's, crowd-kit DS's and majority vote's accuracy (bench_weak's scoring: gold items
with a vote) and the fit's path: the abstain model, the cliques (groups of more than one function), the pairs the
fitted check joined, the lured-item fit, the shared confusion, and whether the votes are mostly one-class. Snorkel's
and crowd-kit's labels are cached under ``--cache`` (one ``.npz`` per set), so reruns only refit labelwise.

``--variants`` (after a first run has cached the peers) refits each set with main's default and four prototypes, and
for every set below the better peer adds the mechanism columns: the gold-counted informative-abstain model
(``gold_nb``: each function's ``P(vote or abstain | y)`` and the balance counted from the truth, over every item) and
EM of that model from it, over every item (``em_gold_all``) and over the voted items only (``em_gold_cov``). The
prototypes: ``all`` (EM on every row, the items nobody voted on included: ``weak._all_rows.ENABLED``), ``all_free``
(that with ``class_balance=None``), ``all_anchor`` (that with the balance anchored on the vote shares,
``weak._all_rows.ANCHORED``) and ``no_negpair`` (``weak._negative_pairs.ENABLED = False``). The ``_all_rows``
prototype module was removed from ``src`` after this exploration: run ``--variants`` from commit 8ef782d7 (the
module's commit; RESULTS.md, session 56, peer56).

``--join`` refits each cached set with main's default and with lowcov55's co-vote join switched on
(``weak._covote_join.ENABLED``, off on main since session 55 for its cost): accuracies and fit CPU seconds.

    LABELWISE_CROWD_DATA=/work/shared/data/crowd OMP_NUM_THREADS=1 python benchmarks/dev_weak_peer_seen56.py \\
        --first-seeds 14300:15900:100 --out /tmp/peer56/seen.csv
    OMP_NUM_THREADS=1 python benchmarks/dev_weak_peer_seen56.py --variants --first-seeds 14300:15900:100 \\
        --out /tmp/peer56/variants.csv
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))


def peer_labels(name: str, votes, cache: Path, snorkel_python: str) -> tuple[np.ndarray, np.ndarray]:
    """Snorkel's and crowd-kit DS's class codes of every item (cached; -1 where Snorkel failed)."""
    import crowdkit.aggregation as ca
    from bench_weak import run_snorkel

    path = cache / f"{name}.npz"
    if path.exists():
        got = np.load(path)
        return got["snorkel"], got["ds"]
    matrix = votes.matrix()
    inp = cache / f"{name}.in.npz"
    np.savez(inp, L=matrix, k=len(votes.classes))
    res = run_snorkel(snorkel_python, "label_model", inp, 600.0)
    snork = np.asarray(res["pred"]) if "pred" in res else np.full(len(matrix), -1)
    long = votes.to_annotations().rename(columns={"item": "task", "annotator": "worker"})
    ds = ca.DawidSkene(n_iter=100).fit_predict(long).reindex(votes.items)
    ds_codes = pd.Index(votes.classes).get_indexer(ds.to_numpy())
    np.savez(path, snorkel=snork, ds=ds_codes)
    return snork, ds_codes


def fit_path(model, matrix: np.ndarray, k: int) -> dict:
    """Which path labelwise's fit took."""
    from labelwise.weak._compress import compress_rows
    from labelwise.weak._one_class_fit import _mostly_one_class

    rows = compress_rows(matrix, k)
    shared = getattr(model, "shared_confusion_", None)
    return {
        "abstains": model.abstains_,
        "cliques": ";".join("+".join(map(str, g)) for g in model.groups_ if len(g) > 1),
        "pairs": len(model.dependent_pairs_),
        "lured": bool(model.lured_items_),
        "shared": shared is not None and shared.p_value >= 0.05,
        "one_class": bool(_mostly_one_class(rows.matrix, rows.weights, k)),
    }


VARIANTS = {  # name: (EM on every row, balance anchored on the vote shares, class_balance, negative-pair check on)
    "main": (False, False, "votes", True),
    "all": (True, False, "votes", True),
    "all_free": (True, False, None, True),
    "all_anchor": (True, True, "votes", True),
    "no_negpair": (False, False, "votes", False),
}


def naive_bayes_em(matrix: np.ndarray, k: int, start: np.ndarray, n_iter: int) -> np.ndarray:
    """The informative-abstain model of independent functions (each function's ``P(vote or abstain | y)``, a free
    balance) by plain EM from the posterior ``start`` over the rows of ``matrix``: the class codes (``n_iter`` 1: the
    model counted from ``start``, e.g. the truth's one-hot, and its posterior)."""
    n, m = matrix.shape
    onehot = np.zeros((n, m, k + 1))
    onehot[np.arange(n)[:, None], np.arange(m)[None, :], matrix + 1] = 1.0
    post = start
    for _ in range(n_iter):
        theta = np.einsum("nja,ny->jay", onehot, post)
        theta /= np.maximum(theta.sum(axis=1, keepdims=True), 1e-300)
        log = np.log(np.maximum(post.mean(axis=0), 1e-300))[None] + np.einsum(
            "nja,jay->ny", onehot, np.log(np.maximum(theta, 1e-300))
        )
        new = np.exp(log - log.max(axis=1, keepdims=True))
        new /= new.sum(axis=1, keepdims=True)
        if np.abs(new - post).max() < 1e-7:
            return new.argmax(axis=1)
        post = new
    return post.argmax(axis=1)


def variant_row(name: str, v, truth: np.ndarray, peers: tuple[np.ndarray, np.ndarray]) -> dict:
    """One set: the peers', MV's and each of :data:`VARIANTS`' accuracy (and abstain model, CPU seconds); main's
    path; for a set below the better peer the mechanism columns (module docstring)."""
    import time
    import warnings

    from labelwise.aggregate import MajorityVote
    from labelwise.weak import LabelModel, _negative_pairs

    try:
        from labelwise.weak import _all_rows
    except ImportError:
        sys.exit(
            "--variants needs the prototype module labelwise.weak._all_rows, removed from src after the exploration: "
            "run it from commit 8ef782d7 (benchmarks/RESULTS.md, session 56, peer56)"
        )

    matrix, k = v.matrix(), len(v.classes)
    scored = (matrix >= 0).any(axis=1)

    def acc(codes: np.ndarray) -> float:
        return float(np.mean(np.asarray(codes)[scored] == truth[scored]))

    mv = pd.Index(v.classes).get_indexer(MajorityVote().fit(v.to_annotations()).labels_.reindex(v.items).to_numpy())
    row = {"set": name, "K": k, "snorkel": acc(peers[0]), "ds": acc(peers[1]), "mv": acc(mv)}
    row["uncovered"] = 1 - float(scored.mean())
    for tag, (every, anchored, balance, negative) in VARIANTS.items():
        _all_rows.ENABLED, _all_rows.ANCHORED, _negative_pairs.ENABLED = every, anchored, negative
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                start = time.process_time()
                model = LabelModel(class_balance=balance).fit(v)
                row["cpu_" + tag] = time.process_time() - start
        finally:
            _all_rows.ENABLED, _all_rows.ANCHORED, _negative_pairs.ENABLED = False, False, True
        row[tag], row["abstains_" + tag] = acc(model.labels_.to_numpy().astype(int)), model.abstains_
        if tag == "main":
            labels = model.labels_.to_numpy().astype(int)
            row["negative_pair"] = getattr(model, "_negative_pair", None) is not None
            row["invisible"] = bool(getattr(model, "_invisible_missing", False))
            row["mv_fallback"] = any("falling back to majority vote" in str(c.message) for c in caught)
            row["cliques"] = sum(len(g) > 1 for g in model.groups_)
            row["balance_error"] = float(
                np.abs(model.class_balance_ - np.bincount(truth, minlength=k) / len(truth)).max()
            )
    if row["main"] < max(row["snorkel"], row["ds"]) - 1e-12:
        gold = np.eye(k)[truth]
        row["gold_nb"] = acc(naive_bayes_em(matrix, k, gold, 1))
        row["em_gold_all"] = acc(naive_bayes_em(matrix, k, gold, 2000))
        covered = np.zeros(len(truth), dtype=int)
        covered[scored] = naive_bayes_em(matrix[scored], k, gold[scored], 2000)
        row["em_gold_cov"] = acc(covered)
        row["agree_snorkel"] = float(np.mean(peers[0][scored] == labels[scored]))
    return row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--first-seeds", default="14300:15900:100", help="start:stop:step of bench first seeds")
    ap.add_argument("--cache", default="/tmp/peer56/peers")
    ap.add_argument("--out", default="/tmp/peer56/seen.csv")
    ap.add_argument("--snorkel-python", default="/work/venvs/weak-snorkel/bin/python")
    ap.add_argument("--variants", action="store_true", help="main and the prototypes on the cached sets")
    ap.add_argument("--join", action="store_true", help="main and lowcov55's co-vote join on the cached sets")
    args = ap.parse_args()
    if args.variants:
        return variants(args)
    if args.join:
        return join(args)
    from bench_weak import simulated_sets

    from labelwise.aggregate import MajorityVote
    from labelwise.weak import LabelModel, as_votes

    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    start, stop, step = (int(x) for x in args.first_seeds.split(":"))
    rows = []
    for first in range(start, stop, step):
        for name, raw, gold in simulated_sets(first):
            v = as_votes(raw)
            matrix, k = v.matrix(), len(v.classes)
            g = gold.reindex(v.items)
            scored = (matrix >= 0).any(axis=1) & g.notna().to_numpy()
            truth = pd.Index(v.classes).get_indexer(g.to_numpy())[scored]
            snork, ds = peer_labels(name, v, cache, args.snorkel_python)
            model = LabelModel().fit(v)
            lw = pd.Index(v.classes).get_indexer(model.labels_.to_numpy())
            mv = MajorityVote().fit(v.to_annotations()).labels_.reindex(v.items)
            mv = pd.Index(v.classes).get_indexer(mv.to_numpy())
            row = {"set": name, "first": first, "K": k}
            for key, lab in (("lw", lw), ("snorkel", snork), ("ds", ds), ("mv", mv)):
                row[key] = float(np.mean(lab[scored] == truth))
            row.update(fit_path(model, matrix, k))
            rows.append(row)
            print(pd.DataFrame([row]).round(4).to_string(index=False, header=len(rows) == 1), flush=True)
    frame = pd.DataFrame(rows)
    frame["best_peer"] = frame[["snorkel", "ds"]].max(axis=1)
    frame["gap"] = (frame.lw - frame.best_peer) * 100
    frame.to_csv(args.out, index=False)
    below = frame[frame.gap < -1e-10]
    print(f"\nbelow the better peer: {len(below)} of {len(frame)}")
    print(below.round(4).to_string(index=False))


def variants(args: argparse.Namespace) -> None:
    """``--variants``: :func:`variant_row` on every set of the first seeds (their peers cached), to ``--out``."""
    from bench_weak import simulated_sets

    from labelwise.weak import as_votes

    start, stop, step = (int(x) for x in args.first_seeds.split(":"))
    rows = []
    for first in range(start, stop, step):
        for name, raw, gold in simulated_sets(first):
            v = as_votes(raw)
            truth = pd.Index(v.classes).get_indexer(gold.reindex(v.items).to_numpy())
            got = np.load(Path(args.cache) / f"{name}.npz")
            rows.append(variant_row(name, v, truth, (got["snorkel"], got["ds"])))
            print(pd.DataFrame([rows[-1]]).round(4).to_string(index=False, header=len(rows) == 1), flush=True)
    pd.DataFrame(rows).to_csv(args.out, index=False)


def join(args: argparse.Namespace) -> None:
    """``--join``: main's default and the same with ``weak._covote_join.ENABLED`` (lowcov55's co-vote join, off on
    main) on every set of the first seeds (their peers cached): accuracies and fit CPU seconds, to ``--out``."""
    import time
    import warnings

    from bench_weak import simulated_sets

    from labelwise.weak import LabelModel, _covote_join, as_votes

    start, stop, step = (int(x) for x in args.first_seeds.split(":"))
    rows = []
    for first in range(start, stop, step):
        for name, raw, gold in simulated_sets(first):
            v = as_votes(raw)
            truth = pd.Index(v.classes).get_indexer(gold.reindex(v.items).to_numpy())
            scored = (v.matrix() >= 0).any(axis=1)
            got = np.load(Path(args.cache) / f"{name}.npz")
            row = {"set": name, **{p: float(np.mean(got[p][scored] == truth[scored])) for p in ("snorkel", "ds")}}
            for tag, on in (("main", False), ("join", True)):
                _covote_join.ENABLED = on
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        begin = time.process_time()
                        model = LabelModel().fit(v)
                        row["cpu_" + tag] = time.process_time() - begin
                finally:
                    _covote_join.ENABLED = False
                codes = pd.Index(v.classes).get_indexer(model.labels_.to_numpy())
                row[tag] = float(np.mean(codes[scored] == truth[scored]))
            rows.append(row)
            print(pd.DataFrame([row]).round(4).to_string(index=False, header=len(rows) == 1), flush=True)
    frame = pd.DataFrame(rows)
    frame.to_csv(args.out, index=False)
    best = frame[["snorkel", "ds"]].max(axis=1)
    for tag in ("main", "join"):
        print(f"{tag}: at least the better peer on {int((frame[tag] >= best - 1e-12).sum())} of {len(frame)}")


if __name__ == "__main__":
    main()
