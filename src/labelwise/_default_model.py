"""The default model of the meta-estimators that wrap a classifier (``estimator=None``)."""

from __future__ import annotations

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

__all__ = ["default_estimator"]


def default_estimator(*, sparse: bool = False) -> Pipeline:
    """``StandardScaler`` then ``LogisticRegression(max_iter=1000)``: the meta-estimators' default model.

    ``CleanClassifier``, ``ImportanceReweighting``, ``CleanMultilabelClassifier``, ``SelfTrainer``
    and ``CrowdClassifier`` fit a fresh one when ``estimator=None``. Standardising makes the L2
    penalty weigh every feature alike and keeps lbfgs well conditioned: on columns of very different
    scales a plain logistic regression runs to ``max_iter`` in every fit, and these estimators make
    many fits (cross-validation folds, EM or self-training iterations; measured in
    benchmarks/RESULTS.md, sessions 44 and 45). The fitted model is a
    :class:`~sklearn.pipeline.Pipeline`: its coefficients, ``[-1].coef_``, are per standard deviation
    of each feature (``[0].scale_``).

    Parameters
    ----------
    sparse : bool, default False
        The features are a sparse matrix: scale without centring (``with_mean=False``), which keeps
        them sparse.

    Returns
    -------
    sklearn.pipeline.Pipeline
    """
    return make_pipeline(StandardScaler(with_mean=not sparse), LogisticRegression(max_iter=1000))
