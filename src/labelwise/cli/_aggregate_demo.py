"""``labelwise aggregate --demo``: simulated annotators over scikit-learn's digits, every method compared."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .._heavy import pandas as pd
from .._validate.arguments import show
from ..errors import TooFewExamplesError
from ..io import write_csv
from ._aggregate_params import build_method, run_method

#: Folds of the demo's out-of-fold probabilities (fewer when a majority-vote class is smaller).
DEMO_FOLDS = 5
#: The method weighted by gold labels: the demo gives it the true labels of half of the digits
#: (annotators without one of those items get weight 0.5).
GOLD_METHOD = "gold-majority-vote"


def demo_gold_params(truth: pd.Series) -> dict[str, Any]:
    """gold-majority-vote's parameters in the demo: the true labels of the first half of the items."""
    return {"gold": truth.iloc[: max(len(truth) // 2, 1)], "on_missing_skill": "value", "default_skill": 0.5}


def demo_methods() -> list[str]:
    """The methods the demo compares: every one of ``METHODS`` (each takes the digits' ten classes)."""
    from ..aggregate import METHODS

    return list(METHODS)


def demo_folds(labels: np.ndarray) -> int:
    """Folds for out-of-fold probabilities on ``labels``: ``DEMO_FOLDS``, or the smallest class's size.

    A few ``--demo-items`` can leave a majority-vote class with fewer items than ``DEMO_FOLDS``;
    stratified folds need one item of every class per fold, so the demo uses fewer folds. A class
    of one item cannot be held out and trained on: that is an error naming ``--demo-items``.
    """
    classes, counts = np.unique(labels, return_counts=True)
    smallest = int(np.argmin(counts))
    if counts[smallest] < 2:
        raise TooFewExamplesError(
            f"--demo-items {labels.size} is too few for the demo's model: majority vote gives class "
            f"{show(classes[smallest])} a single item, and out-of-fold probabilities need 2 per class "
            "(use more --demo-items, or another --random-state)"
        )
    return int(min(DEMO_FOLDS, counts[smallest]))


def _demo_probs(sim: Any, random_state: int) -> pd.DataFrame:
    """Out-of-fold probabilities of a model trained on the majority-vote labels of the digits."""
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from ..aggregate import METHODS
    from ..probs import out_of_fold_probs

    mv = METHODS["majority-vote"](random_state=random_state).fit(sim.answers)
    labels = mv.labels_.to_numpy()
    X = load_digits().data[mv.labels_.index.to_numpy()]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=300))
    cv = demo_folds(labels)
    probs = out_of_fold_probs(model, X, labels, cv=cv, random_state=random_state, verbose=False)
    return pd.DataFrame(probs, index=mv.labels_.index, columns=np.unique(labels))


def run_demo(
    out: Path, method: str, random_state: int, duplicates: str, n_items: int | None = None
) -> tuple[Any, pd.DataFrame, Any, Any]:
    """Simulate annotators over digits; fit every method; return the comparison table."""
    from sklearn.datasets import load_digits

    from ..aggregate.simulate import simulate_annotators

    target = load_digits().target.astype(np.int64)
    sim = simulate_annotators(
        target[:n_items],
        n_annotators=20,
        answers_per_item=3,
        accuracy=(0.3, 0.9),
        errors="confusion",
        random_state=random_state,
    )
    write_csv(sim.answers, out / "answers.csv")
    write_csv(sim.true_labels.rename("label").reset_index(), out / "gold.csv")
    probs = _demo_probs(sim, random_state)
    truth = sim.true_labels
    true_acc = sim.observed_accuracy
    rows = []
    fitted = {}
    for name in demo_methods():
        params = demo_gold_params(truth) if name == GOLD_METHOD else None
        est = build_method(name, duplicates=duplicates, labels=None, random_state=random_state, params=params)
        est, seconds = run_method(est, sim.answers, probs if getattr(est, "_uses_probs", False) else None)
        fitted[name] = est
        est_acc = est.annotator_skill_.reindex(true_acc.index).to_numpy(dtype=np.float64)
        rows.append(
            {
                "method": name,
                "accuracy": float((est.labels_.reindex(truth.index) == truth).mean()),
                "skill_mae": float(np.nanmean(np.abs(est_acc - true_acc.to_numpy()))),
                "skill_corr": float(np.corrcoef(est_acc, true_acc.to_numpy())[0, 1])
                if np.nanstd(est_acc) > 0
                else float("nan"),
                "seconds": seconds,
            }
        )
    table = pd.DataFrame(rows).sort_values("accuracy", ascending=False, kind="stable").reset_index(drop=True)
    write_csv(table, out / "demo.csv")
    return sim, table, fitted[method], probs
