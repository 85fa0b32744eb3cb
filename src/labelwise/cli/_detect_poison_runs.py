"""``labelwise detect-poison``: the runs of RONI and provenance on the --trusted table, and the models
they refit. Kept out of ``detect_poison.py`` (near its size limit, shared by several helpers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .._heavy import pandas as pd
from ..errors import InvalidParameterError, MissingColumnError
from ._common import read_input, renaming


def model_of(model: str) -> Any:
    """A fresh ``--model``: logistic regression or an RBF SVC."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import SVC

    return LogisticRegression(max_iter=1000) if model == "logistic" else SVC(C=10.0, gamma="scale")


def _trusted_table(trusted: Path, label: str, columns: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The --trusted table and its feature columns (DATA's), checked to hold numbers."""
    table = read_input(trusted, "--trusted", text_columns=[label])
    missing = [c for c in [label, *columns] if c not in table.columns]
    if missing:
        raise MissingColumnError(
            f"--trusted must have the --label column and DATA's feature columns, got no column {missing[0]!r}; "
            f"its columns are {list(table.columns)}"
        )
    X_valid = table[columns]
    bad = X_valid.isna().to_numpy() | ~X_valid.apply(pd.to_numeric, errors="coerce").notna().to_numpy()
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise InvalidParameterError(
            f"--trusted feature columns must hold numbers, got {X_valid.iat[row, col]!r} in column "
            f"{columns[col]!r} at row {int(row)}"
        )
    return table, X_valid


def run_provenance(
    frame, label, features, columns, source_column, trusted, model, threshold, order, *, random_state, quiet
) -> Any:
    """Run :func:`labelwise.poison.provenance` by --source-column, on --trusted rows when given."""
    from ..poison import provenance

    pair = None
    if trusted is not None:
        table, X_t = _trusted_table(trusted, label, columns)
        pair = (X_t.to_numpy(dtype=float), table[label].to_numpy())
    sources = frame[source_column]
    if sources.isna().any():
        row = int(np.flatnonzero(sources.isna().to_numpy())[0])
        raise InvalidParameterError(
            f"--source-column {source_column!r} must name a source on every row, got none at row {row}"
        )
    names = {"sources": "--source-column", "trusted y": "--trusted label column", "trusted X": "--trusted features"}
    with renaming({**names, "X": "DATA features"}):
        return provenance(
            features,
            frame[label].to_numpy(),
            sources.to_numpy(),
            estimator=model_of(model),
            trusted=pair,
            threshold=threshold,
            order=order,
            random_state=random_state,
            verbose=False if quiet else None,
        )


def run_roni(
    frame, label, features, columns, trusted, model, n_base, n_calibration, k, center, draws, *, random_state
) -> Any:
    """Run :func:`labelwise.poison.roni` with the --trusted table's rows (same feature columns as DATA)."""
    from ..poison import roni

    table, X_valid = _trusted_table(trusted, label, columns)
    estimator = model_of(model)
    names = {
        "y_valid": "--trusted label column",
        "X_valid": "--trusted features",
        "X": "DATA features",
        "n_base": "--n-base",
        "n_calibration": "--n-calibration",
        "n_draws": "--draws",
    }
    with renaming(names, within=("n_calibration",)):
        return roni(
            features,
            frame[label].to_numpy(),
            estimator=estimator,
            X_valid=X_valid.to_numpy(dtype=float),
            y_valid=table[label].to_numpy(),
            n_base=n_base,
            n_calibration=n_calibration,
            k=k,
            center=center,
            n_draws=draws,
            random_state=random_state,
        )
