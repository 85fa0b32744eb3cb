"""``dev_weak_misses.py --diagnose``: issue 15's four missed benchmark sets, fit by fit and item by item.

For SP_amt, cifar10n_slots, s4_Dog_data and s4_Face_Sentiment_Identification (``LABELWISE_CROWD_DATA``): items right
under main's ``LabelModel()`` as before session 54 (``_exchangeable.ENABLED = False``) and its variants, today's default, crowd-kit's ``DawidSkene`` (the benchmark's ``n_iter=100`` and
``n_iter=2000, tol=0``), Snorkel 0.10 (its own virtualenv, as ``bench_weak.py`` runs it), majority vote, plain
maximum-likelihood EM from majority vote after each step, and the one-shared-confusion model; then the items on which
main and the winning peer differ (votes, gold, both posteriors). Diagnosis only: no default is chosen from it.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

MISSES = ["SP_amt", "cifar10n_slots", "s4_Dog_data", "s4_Face_Sentiment_Identification"]
WINNER = {
    "SP_amt": "snorkel",
    "cifar10n_slots": "ck",
    "s4_Dog_data": "ck",
    "s4_Face_Sentiment_Identification": "snorkel",
}


def plain_em(matrix: np.ndarray, k: int, steps: list[int], shared: bool = False) -> dict[int, np.ndarray]:
    """Dawid and Skene's maximum-likelihood EM from majority vote (crowd-kit's order: M-step, E-step; confusions
    clipped at 1e-10), the labels after each step in ``steps``; ``shared``: one confusion for all labelers."""
    from labelwise.aggregate._shared_confusion import em_fit, observed_rows
    from labelwise.weak._posterior import FLOOR

    out = {}
    obs = observed_rows(matrix, np.ones(len(matrix)), k)
    for n in steps:
        post = em_fit(obs, k, shared=shared, n_iter=n, tol=-np.inf, floor=FLOOR).post  # tol -inf: exactly n steps
        out[n] = post.argmax(axis=1)
    return out


def _snorkel(matrix: np.ndarray, k: int) -> np.ndarray:
    from bench_weak import SNORKEL_PYTHON, run_snorkel

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "L.npz"
        np.savez(path, L=matrix, k=k)
        result = run_snorkel(SNORKEL_PYTHON, "label_model", path, 600)
    return np.asarray(result["pred"]) if "pred" in result else np.full(len(matrix), -1)


def fits(name: str, answers: pd.DataFrame) -> tuple:
    """Every fit's class codes on one set, its votes and classes."""
    import crowdkit.aggregation as ca

    from labelwise.aggregate import MajorityVote
    from labelwise.weak import LabelModel, _exchangeable, as_votes

    v = as_votes(answers.astype({"annotator": str}))
    matrix, k, classes = v.matrix(), len(v.classes), pd.Index(v.classes)
    res: dict[str, np.ndarray] = {}
    variants = {"main": {}, "no_lure": {"lured_items": False}, "ml": {"prior_strength": 0, "smoothing": 0},
                "no_pair_check": {"pair_check": False}}  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _exchangeable.ENABLED = False  # main before session 54
        try:
            for key, params in variants.items():
                model = LabelModel(**params).fit(v)
                res[key] = classes.get_indexer(model.labels_.to_numpy())
                if key == "main":
                    probas = model.probas_.to_numpy()
        finally:
            _exchangeable.ENABLED = True
        model = LabelModel().fit(v)
        res["default_54"] = classes.get_indexer(model.labels_.to_numpy())
        print(f"  {name}: exchangeable labelers' test {model.shared_confusion_}")
    long = v.to_annotations().rename(columns={"item": "task", "annotator": "worker"})
    for key, params in {"ck": {"n_iter": 100}, "ck_tol0": {"n_iter": 2000, "tol": 0.0}}.items():
        ds = ca.DawidSkene(**params)
        res[key] = classes.get_indexer(ds.fit_predict(long).reindex(v.items).to_numpy())
        res[key + "_steps"] = np.full(len(matrix), len(ds.loss_history_))
    res["mv"] = classes.get_indexer(MajorityVote().fit(v.to_annotations()).labels_.reindex(v.items).to_numpy())
    res["snorkel"] = _snorkel(matrix, k)
    for n, codes in plain_em(matrix, k, [1, 2, 3, 4, 5, 6, 8, 10, 20, 200]).items():
        res[f"em{n}"] = codes
    res["shared"] = plain_em(matrix, k, [300], shared=True)[300]
    return res, v, matrix, classes, probas


def diagnose() -> None:
    from bench_weak import crowd_sets

    for name, answers, gold in crowd_sets():
        if name not in MISSES:
            continue
        res, v, matrix, classes, probas = fits(name, answers)
        g = classes.get_indexer(gold.reindex(v.items).to_numpy())
        scored = (matrix >= 0).any(axis=1) & (g >= 0)
        print(f"\n== {name}: {int(scored.sum())} scored items, K = {len(classes)}, {matrix.shape[1]} labelers")
        for key, codes in res.items():
            if key.endswith("_steps"):
                print(f"  {key:14s} {int(codes[0])} EM steps")
            else:
                print(f"  {key:14s} right {int((codes[scored] == g[scored]).sum())}")
        peer = WINNER[name]
        diff = np.flatnonzero((res["main"] != res[peer]) & scored)
        print(f"  main vs {peer}: {len(diff)} items differ; main right {int((res['main'][diff] == g[diff]).sum())}, "
              f"{peer} right {int((res[peer][diff] == g[diff]).sum())}")  # fmt: skip
        for i in diff[:30]:
            votes = pd.Series(classes[matrix[i][matrix[i] >= 0]]).value_counts().to_dict()
            top = np.sort(probas[i])[::-1][:2].round(3)
            print(f"    item {v.items[i]}: gold {classes[g[i]]}, main {classes[res['main'][i]]} (top posteriors {top}), "
                  f"{peer} {classes[res[peer][i]]}, votes {votes}")  # fmt: skip
