"""The data checks of ``labelwise audit``: options' logic, kept out of the shared ``audit.py``.

``audit.py`` calls :func:`prepare_data_checks` before training (it removes the split column from
the model's features) and :meth:`DataChecksRun.apply` after the label audit (it runs every data
check that applies and merges their columns into ``issues.csv`` and ``summary.json``).

Features for the checks: ``--features emb.npy`` (precomputed embeddings), else the table's
numeric columns (missing values imputed by the median, then standardised inside the graph) and
one-hot indicators of categorical columns with at most ``MAX_ONE_HOT`` values; free-text
columns are not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..checks import CHECKS, find_data_issues
from ..errors import DataFileError, InvalidParameterError, MissingColumnError, ShapeMismatchError
from ..models import column_kinds
from ._common import console, split_csv_option

MAX_ONE_HOT = 50


@dataclass
class DataChecksRun:
    """What ``audit`` needs to run the data checks after the label audit."""

    features: np.ndarray | None
    labels: pd.Series
    split: np.ndarray | None
    checks: list[str]
    k: int
    metric: str
    features_from: str

    def apply(self, result: Any, probs: np.ndarray, summary: dict, random_state: int) -> pd.DataFrame:
        """Run the checks, add ``summary["data_checks"]``; return issues.csv (label audit + check columns)."""
        frame = result.to_frame()
        if not self.checks:
            return frame
        k = min(self.k, len(frame) - 1)  # tiny tables: as many neighbours as there are other rows
        found = find_data_issues(
            self.features,
            self.labels.to_numpy(),
            probs,
            checks=self.checks,
            k=k,
            split=self.split,
            metric=self.metric,
            random_state=random_state,
            impute=True,
            classes=result.classes,
        )
        sections = found.summary_dict()
        sections["features_from"] = self.features_from
        summary["data_checks"] = sections
        extra = found.issues.drop(columns=[c for c in ("given_label", "predicted_label") if c in found.issues])
        extra.insert(0, "row", np.arange(len(extra)))
        con = console()
        for row in found.summary.itertuples(index=False):
            line = f"{row.n_issues} flagged" if row.status == "ran" else f"skipped: {row.reason}"
            con.print(f"check [bold]{row.check}[/]: {line}")
        return frame.merge(extra, on="row", how="left")


def table_features(frame: pd.DataFrame) -> np.ndarray | None:
    """Numeric columns (NaN kept for the null check) and one-hot categorical columns, as floats.

    None when the table has neither (e.g. text only): the checks that need features are skipped.
    """
    kinds = column_kinds(frame)
    parts = [frame[kinds["numeric"]].apply(pd.to_numeric, errors="coerce").astype(float)] if kinds["numeric"] else []
    for name in kinds["categorical"]:
        col = frame[name].astype("string")
        if col.nunique() <= MAX_ONE_HOT:
            parts.append(pd.get_dummies(col, prefix=str(name), dtype=float))
    if not parts:
        return None
    return pd.concat(parts, axis=1).to_numpy(dtype=np.float64)


def _load_features(path: Path, n_rows: int) -> np.ndarray:
    try:
        X = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise DataFileError(f"--features file {str(path)!r} does not exist") from None
    except (ValueError, OSError) as exc:
        raise DataFileError(f"--features file {str(path)!r} is not a readable .npy array: {exc}") from None
    if X.ndim != 2 or X.shape[0] != n_rows:
        raise ShapeMismatchError(
            f"--features must have shape (n_rows, d) = ({n_rows}, d) to match the data, got {X.shape}"
        )
    return X


def prepare_data_checks(
    frame: pd.DataFrame,
    label: str | None,
    *,
    features_path: Path | None,
    split_column: str | None,
    checks: str | None,
    k: int,
    metric: str,
) -> tuple[pd.DataFrame, DataChecksRun]:
    """Parse the options; return the frame for the model (without the split column) and the run."""
    names = split_csv_option(checks) if checks is not None else list(CHECKS)
    unknown = [c for c in names if c not in CHECKS]
    if unknown:
        raise InvalidParameterError(f"--checks must be names among {list(CHECKS)}, got {unknown}")
    names = [c for c in names if c != "label"]  # the audit itself finds the label issues
    split = None
    if split_column is not None:
        if split_column not in frame.columns:
            raise MissingColumnError(
                f"--split-column {split_column!r} is not in the data; columns are {list(frame.columns)}"
            )
        split = frame[split_column].to_numpy()
        frame = frame.drop(columns=[split_column])
    labels = frame[label] if label in frame.columns else pd.Series(dtype=object)
    features, source = None, "none"
    if names:
        if features_path is not None:
            features, source = _load_features(Path(features_path), len(frame)), str(features_path)
        else:
            features, source = table_features(frame.drop(columns=[label])) if label in frame else None, "table columns"
    run = DataChecksRun(
        features=features, labels=labels, split=split, checks=names, k=k, metric=metric, features_from=source
    )
    return frame, run
