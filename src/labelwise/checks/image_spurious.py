"""``spurious_correlations``: how well each image property alone predicts the label (Datalab's check).

For each property (by default the seven image-property scores of
:func:`~labelwise.checks.image_properties.image_properties`), a one-feature Gaussian naive Bayes
classifier is scored by 5-fold stratified cross-validation accuracy ``a`` (scikit-learn's
``StratifiedKFold`` folds, unshuffled, as ``cross_val_score(GaussianNB(), x, y, cv=5)``); the
property's *label-uncorrelatedness* score is ``min(1, (1 - a) / (1 - b))``, the share of the
majority-class baseline's errors ``1 - b`` the property leaves. A property scoring below
``threshold`` (0.3, Datalab's default) predicts the label well: a shortcut a model may learn
instead of the content (e.g. one class photographed darker).

Every property's classifiers, over every fold, are fitted at once in numpy: per fold and class the
mean and variance of each property, each variance plus ``1e-9`` times the property's variance in
the training fold (scikit-learn's ``var_smoothing``). A property constant over a training fold
predicts that fold's majority class (the prior alone); scikit-learn's classifier then divides 0
by 0 and predicts the class whose code is 0, so Datalab's score for a constant property depends
on the class codes.

cleanlab 2.9.0's Datalab computes the baseline as ``argmax(bincount(labels)) / n`` (the majority
class's *code* over ``n``, not its share); here ``b`` is the majority class's share, so the two
scores agree when the cross-validated accuracies do and the baseline is computed the same way
(tests/checks/test_image_spurious.py).

References
----------
.. [1] Geirhos, R., Jacobsen, J.-H., Michaelis, C., Zemel, R., Brendel, W., Bethge, M., &
   Wichmann, F. A. (2020). Shortcut learning in deep neural networks. Nature Machine
   Intelligence, 2(11), 665-673.
.. [2] cleanlab 2.9.0, ``datalab/internal/spurious_correlation.py`` (the score's definition).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from .._validate.arguments import check_positive_int, show
from .._validate.row_order import check_row_order
from ..errors import InvalidParameterError, TooFewExamplesError
from ._base import Check, CheckInputs, CheckResult
from .image_issues import shared_properties
from .image_properties import PROPERTY_ISSUES

THRESHOLD = 0.3


def spurious_correlations(properties: Any, labels: Any, *, cv: int = 5, threshold: float = THRESHOLD) -> pd.DataFrame:
    """Label-uncorrelatedness score of each property (module docstring); low: the property predicts the label.

    Parameters
    ----------
    properties : DataFrame of shape (n, p)
        Numeric properties per row (e.g. ``image_properties(...).scores``); NaN rows are left out.
    labels : array-like of shape (n,)
        Given labels (any hashable values), paired with the rows by position; a pandas ``labels``
        whose index holds ``properties``' rows in another order is refused.
    cv : int, default 5
        Stratified folds.
    threshold : float, default 0.3
        Properties scoring below it are flagged.

    Returns
    -------
    DataFrame
        One row per property: ``property``, ``accuracy`` (cross-validated), ``score``, ``is_issue``.

    Raises
    ------
    TooFewExamplesError
        With one class (its share is 1: every property would score 0), or no class of ``cv`` rows.
        The ``spurious_correlations`` check is then skipped, with the reason, and the others run.
    """
    if not isinstance(properties, pd.DataFrame):
        raise InvalidParameterError(f"properties must be a pandas DataFrame, got {type(properties).__name__}")
    check_row_order(properties, "properties", "the checks", labels=labels)
    y = np.asarray(labels)
    if y.ndim != 1 or len(y) != len(properties):
        raise InvalidParameterError(
            f"labels must be one value per row of properties ({len(properties)}), got shape {y.shape}"
        )
    cv = check_positive_int("cv", cv, minimum=2)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1:
        raise InvalidParameterError(f"threshold must be a number in [0, 1], got {threshold!r}")
    X = properties.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
    keep = np.isfinite(X).all(axis=1)
    X, codes = X[keep], pd.factorize(pd.Series(y[keep]), sort=True)[0]
    counts = np.bincount(codes)
    if len(counts) == 1:
        raise TooFewExamplesError(
            f"spurious correlations need labels of two classes or more (no property can predict a single class), "
            f"got only {show(y[keep][0])}"
        )
    if len(codes) < cv or counts.max(initial=0) < cv:
        raise TooFewExamplesError(
            f"spurious correlations need a class with at least cv={cv} rows for {cv} stratified folds, "
            f"got class counts {counts.tolist()} (rows with a NaN property left out)"
        )
    accuracy = _cross_validated_accuracy(X, codes, cv)
    baseline = counts.max() / len(codes)
    denominator = 1 - baseline + (1e-8 if baseline == 1 else 0.0)
    score = np.minimum(1.0, (1 - accuracy) / denominator)
    return pd.DataFrame(
        {
            "property": [str(c) for c in properties.columns],
            "accuracy": accuracy,
            "score": score,
            "is_issue": score < threshold,
        }
    )


def _cross_validated_accuracy(X: np.ndarray, y: np.ndarray, cv: int) -> np.ndarray:
    """Mean over the folds of each column's one-feature Gaussian naive Bayes accuracy."""
    total = np.zeros(X.shape[1])
    for train, test in StratifiedKFold(n_splits=cv).split(X, y):
        classes = np.unique(y[train])
        Xt, yt = X[train], y[train]
        member = yt[None, :] == classes[:, None]  # (K, n_train)
        count = member.sum(axis=1).astype(np.float64)
        mean = np.stack([Xt[m].mean(axis=0) for m in member])  # (K, p)
        var = np.stack([Xt[m].var(axis=0) for m in member]) + 1e-9 * Xt.var(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            jll = (
                np.log(count / len(yt))[None, :, None]
                - 0.5 * np.log(2.0 * np.pi * var)[None]
                - 0.5 * (X[test][:, None, :] - mean[None]) ** 2 / var[None]
            )  # (n_test, K, p)
        predicted = classes[np.argmax(jll, axis=1)]  # (n_test, p)
        constant = Xt.var(axis=0) == 0  # no variance to fit: the prior alone, the majority class
        predicted[:, constant] = classes[np.argmax(count)]
        total += (predicted == y[test][:, None]).mean(axis=0)
    return total / cv


def run(inputs: CheckInputs) -> CheckResult:
    """Score the image-property scores' correlation with the labels; count the flagged properties."""
    found = shared_properties(inputs)
    threshold = float(inputs.option("spurious_correlations", "threshold", THRESHOLD))
    properties = found.scores[[f"{issue}_score" for issue in PROPERTY_ISSUES]]
    try:
        table = spurious_correlations(properties, np.asarray(inputs.labels), threshold=threshold)
    except TooFewExamplesError as error:  # a small table, or one class: skipped, the other checks still run
        # "needs ..." as a skipped check's reason; the labels are class codes here, not worth naming
        reason = "needs " + str(error).removeprefix("spurious correlations need ").split(", got only")[0]
        return CheckResult(
            {},
            {
                "check": "spurious_correlations",
                "status": "skipped",
                "n_issues": None,
                "score": np.nan,
                "reason": reason,
            },
            {},
        )
    flagged = table.loc[table["is_issue"], "property"].tolist()
    summary = {
        "check": "spurious_correlations",
        "status": "ran",
        "n_issues": len(flagged),
        "score": float(table["score"].min()),
        "reason": "",
    }
    info: dict[str, Any] = {"scores": dict(zip(table["property"], table["score"].astype(float), strict=True))}
    info.update(threshold=threshold, flagged_properties=flagged, unit="properties")
    return CheckResult({}, summary, info)


CHECK = Check(
    "spurious_correlations",
    requires=(("images", "labels"),),
    run=run,
    default=False,
    shares=("image_properties",),
    options={"threshold": None},
)
