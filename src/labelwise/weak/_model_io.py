"""A fitted :class:`~labelwise.weak.LabelModel` to a file and back: an ``.npz`` of its arrays and a JSON
header (no pickle: loading a file runs no code from it)."""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataFileError, EstimatorError, InvalidParameterError

__all__ = ["FORMAT", "SavedLabelModel"]

#: The header's ``format`` value: what a file must say to be loaded.
FORMAT = "labelwise.weak.LabelModel/1"

_ARRAYS = ("mu_", "class_balance_", "group_mu_", "confusion_")
_SCALARS = (
    "abstains_",
    "bic_",
    "vote_log_likelihood_",
    "n_distinct_rows_",
    "loss_",
    "n_iter_",
    "converged_",
    "n_em_iter_",
    "log_likelihood_history_",
    "em_objective_history_",
    "em_converged_",
    "n_em_evals_",
)


def _plain(value: Any, name: str) -> Any:
    """``value`` as JSON (numpy scalars and arrays as Python ones); anything else is an error naming ``name``."""
    if isinstance(value, np.ndarray):
        return [_plain(v, name) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_plain(v, name) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v, name) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise InvalidParameterError(
        f"{name} must hold only numbers, strings, booleans and None to be saved, got {type(value).__name__}"
    )


def _values(values: list[Any]) -> np.ndarray:
    """Saved classes back as an array: integers stay integers, anything else an object array."""
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=np.int64)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


class SavedLabelModel:
    """``save`` and ``load`` (Snorkel's names) of a fitted label model's parameters."""

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the fitted model to ``path`` (an ``.npz``; written to a temporary file, then renamed).

        Saved: the parameters, ``classes_``, ``labelers_``, ``groups_``, the fitted arrays (``mu_``,
        ``class_balance_``, ``group_mu_``, ``confusion_``), ``accuracies_``,
        ``dependent_pairs_`` and the fit's report (``abstains_``, ``bic_``, histories...). Not saved:
        the per-item results of the fit (``labels_``, ``probas_``, ``n_votes_``); :meth:`predict`
        on the votes gives them. Classes, labelers and parameters must be numbers, strings or None.

        Returns
        -------
        pathlib.Path
            The file written.
        """
        if not hasattr(self, "group_mu_"):
            raise EstimatorError(f"{type(self).__name__} must be fitted before save; call fit first")
        get_params = self.get_params  # type: ignore[attr-defined]
        state: Any = self
        header = {
            "format": FORMAT,
            "params": _plain(get_params(), "the model's parameters"),
            "classes_": _plain(list(state.classes_), "classes_"),
            "labelers_": _plain(list(state.labelers_), "labelers_"),
            "groups": [list(map(int, g)) for g in state._groups],
            "accuracies_": [None if np.isnan(a) else float(a) for a in state.accuracies_],
            "dependent_pairs_": _plain(state.dependent_pairs_.to_dict(orient="list"), "dependent_pairs_"),
            **{name: _plain(getattr(state, name), name) for name in _SCALARS if hasattr(state, name)},
        }
        arrays: dict[str, Any] = {name: np.asarray(getattr(state, name), dtype=np.float64) for name in _ARRAYS}
        arrays["header"] = np.array(json.dumps(header))
        target = Path(path)
        if target.is_dir() or not target.parent.is_dir():
            got = "a folder" if target.is_dir() else f"a path whose folder {str(target.parent)!r} does not exist"
            raise InvalidParameterError(f"path must name a file in an existing folder, got {str(path)!r} ({got})")
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, **arrays)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    def load(self, path: str | os.PathLike[str]) -> Any:
        """Read a model :meth:`save` wrote into this one (parameters and fitted attributes); returns it.

        ``LabelModel().load(path)`` (or Snorkel's ``model.load(path)``) then predicts as the saved
        model did. Raises :class:`~labelwise.errors.DataFileError` naming ``path`` when the file is
        missing or is not a saved label model.
        """
        try:
            with np.load(path, allow_pickle=False) as data:
                header = json.loads(str(data["header"]))
                if not isinstance(header, dict) or header.get("format") != FORMAT:
                    raise ValueError("wrong format")
                arrays = {name: np.array(data[name]) for name in _ARRAYS}
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
            raise DataFileError(
                f"path must be a label model written by LabelModel.save (an .npz with format {FORMAT!r}), "
                f"got {str(path)!r} ({type(exc).__name__}: {exc})"
            ) from None
        state: Any = self
        params = header["params"]
        params["dependencies"] = [tuple(pair) for pair in params.get("dependencies", ())]
        state.set_params(**params)
        state.classes_ = _values(header["classes_"])
        state.labelers_ = tuple(header["labelers_"])
        state._groups = [list(g) for g in header["groups"]]
        state.groups_ = [tuple(state.labelers_[j] for j in g) for g in state._groups]
        state.accuracies_ = pd.Series(
            np.array([np.nan if a is None else a for a in header["accuracies_"]], dtype=float),
            index=pd.Index(state.labelers_, name="labeler"),
            name="accuracy",
        )
        state.dependent_pairs_ = pd.DataFrame(header["dependent_pairs_"])
        for name in _SCALARS:
            if name in header:
                setattr(state, name, header[name])
        for name, value in arrays.items():
            setattr(state, name, value)
        return self
