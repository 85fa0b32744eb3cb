"""``labelwise train --method reweight | forward``: the corrected model, its options' checks, its outputs."""

from __future__ import annotations

from typing import Any

import click
import numpy as np

from .._heavy import pandas as pd
from .._validate.arguments import plain
from ..errors import InvalidParameterError

#: ``--method`` choices: CleanClassifier, ImportanceReweighting, ForwardCorrection.
METHODS = ("clean", "reweight", "forward")
#: Options that only ``--method clean`` uses (parameter name -> option).
_CLEAN_ONLY = {"clean": "--clean", "rounds": "--rounds", "filter_by": "--filter-by"}


def check_method_options(method: str, model: str) -> None:
    """Refuse options the chosen ``--method`` would silently ignore (given on the command line).

    ``--clean``, ``--rounds`` and ``--filter-by`` belong to ``--method clean``, and ``--transition``
    to ``--method reweight`` and ``forward``; ``--method forward`` trains its own logistic
    regression, so a ``--model`` other than ``logistic`` is refused too.
    """
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return
    given = {
        name
        for name in (*_CLEAN_ONLY, "model", "transition")
        if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE
    }
    if method == "clean":
        if "transition" in given:
            raise InvalidParameterError(
                "--transition applies to --method reweight or forward only, got --method clean "
                "(which finds the label issues by confident learning); leave --transition out, or add --method reweight"
            )
        return
    for name, option in _CLEAN_ONLY.items():
        if name in given:
            raise InvalidParameterError(f"{option} applies to --method clean only, got --method {method}")
    if method == "forward" and "model" in given and model != "logistic":
        raise InvalidParameterError(
            f"--model is not used by --method forward (it trains its own logistic regression), got --model {model}; "
            "leave --model out, or use --method reweight to correct another model"
        )


def corrected_model(method: str, estimator: Any, *, transition: str, cv: int, random_state: int) -> Any:
    """The unfitted model of ``--method``: ImportanceReweighting around ``estimator``, or ``estimator``'s
    pipeline with ForwardCorrection (same ``C``) in place of its logistic regression."""
    from sklearn.base import clone

    from ..robust import ForwardCorrection, ImportanceReweighting

    if method == "reweight":
        return ImportanceReweighting(estimator, transition=transition, cv=cv, random_state=random_state)
    steps = getattr(estimator, "steps", None)
    last = steps[-1][1] if steps else estimator
    forward = ForwardCorrection(
        C=getattr(last, "C", 1.0),
        max_iter=getattr(last, "max_iter", 1000),
        transition=transition,
        cv=cv,
        random_state=random_state,
    )
    if not steps:
        return forward
    pipeline = clone(estimator)
    pipeline.set_params(**{steps[-1][0]: forward})
    return pipeline


def transition_summary(fitted: Any, classes: np.ndarray, codes: np.ndarray) -> tuple[pd.DataFrame, dict[str, Any]]:
    """transition.csv (one row per true class, one column per given class) and summary.json's part.

    The estimated noise rate is ``Σ_i P(given=i) (1 - T[i, i])``, with the given labels' frequencies
    standing in for the true classes' (as a first-order estimate).
    """
    T = np.asarray(fitted.transition_, dtype=np.float64)
    names = [str(plain(c)) for c in classes]
    table = pd.DataFrame(T, columns=names)
    table.insert(0, "true_label", names)
    prior = np.bincount(codes, minlength=len(classes)) / codes.size
    part: dict[str, Any] = {
        "noise_rate": float(prior @ (1.0 - np.diag(T))),
        "transition": T.tolist(),
    }
    weights = getattr(fitted, "sample_weight_", None)
    if weights is not None:
        part["importance_weights"] = {
            "mean": float(weights.mean()),
            "min": float(weights.min()),
            "max": float(weights.max()),
            "n_zero": int((weights == 0).sum()),
        }
    return table, part
