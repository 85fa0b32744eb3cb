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
from ._exchangeable import SharedTest

__all__ = ["DS_FORMAT", "FORMAT", "SavedDawidSkene", "SavedLabelModel", "read_npz", "write_npz"]

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
    "lured_items_",
    "spectral_start_",
    "iwmv_start_",
    "lure_params_",  # the lured-item model's parameters (``weak._lure``), for predict
    "shared_confusion_",  # exchangeable labelers' test (``weak._exchangeable.SharedTest``) or None
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
    """Saved classes back as the array the fit had: integers, booleans or floats of one type keep their dtype (so a
    loaded model's ``predict`` gives the fitted one's Series, dtype included), anything else an object array."""
    for kind, dtype in ((bool, np.bool_), (int, np.int64), (float, np.float64)):
        if values and all(type(v) is kind for v in values):
            return np.asarray(values, dtype=dtype)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _check_path(path: Any) -> None:
    """``path`` must be a file path (a string or an ``os.PathLike``): anything else is named."""
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidParameterError(f"path must be a file path (a str or os.PathLike), got {type(path).__name__}")


def write_npz(path: str | os.PathLike[str], header: dict[str, Any], arrays: dict[str, Any]) -> Path:
    """``arrays`` and the JSON ``header`` to the ``.npz`` file ``path``, through a temporary file in
    its folder renamed over it (never half-written); a folder or a missing folder is named."""
    _check_path(path)
    target = Path(path)
    if target.is_dir() or not target.parent.is_dir():
        got = "a folder" if target.is_dir() else f"a path whose folder {str(target.parent)!r} does not exist"
        raise InvalidParameterError(f"path must name a file in an existing folder, got {str(path)!r} ({got})")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            contents: dict[str, Any] = {**arrays, "header": np.array(json.dumps(header))}
            np.savez(handle, **contents)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def read_npz(
    path: str | os.PathLike[str], fmt: str, names: tuple[str, ...], model: str
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The header and the arrays ``names`` of a file :func:`write_npz` wrote with format ``fmt``
    (no pickle); anything else is a :class:`~labelwise.errors.DataFileError` naming ``path``."""
    _check_path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            if not isinstance(header, dict) or header.get("format") != fmt:
                raise ValueError("wrong format")
            arrays = {name: np.array(data[name]) for name in names}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        raise DataFileError(
            f"path must be a label model written by {model}.save (an .npz with format {fmt!r}), "
            f"got {str(path)!r} ({type(exc).__name__}: {exc})"
        ) from None
    return header, arrays


def _bad_file(path: Any, model: str, what: str) -> DataFileError:
    return DataFileError(f"path must be a label model written by {model}.save, got {str(path)!r} {what}")


def checked_params(state: Any, header: dict[str, Any], keys: tuple[str, ...], path: Any, model: str) -> dict[str, Any]:
    """The parameters to load, after checking that ``header`` holds ``keys`` and parameters this
    class takes (a file from another version of labelwise is named, not half-loaded); parameters
    the file does not give take the class's defaults, not the values ``state`` had."""
    missing = [key for key in ("params", *keys) if key not in header]
    if missing:
        raise _bad_file(path, model, f"whose header lacks {missing}")
    fresh = type(state)()
    try:
        if not isinstance(header["params"], dict):
            raise TypeError(f"params {header['params']!r}")
        fresh.set_params(**header["params"])
    except (ValueError, TypeError) as exc:
        raise _bad_file(
            path,
            model,
            f"with parameters this version's {type(state).__name__} does not take ({exc}; saved by another "
            "version of labelwise?)",
        ) from None
    return dict(fresh.get_params())


def forget_fit(state: Any) -> None:
    """Remove what an earlier ``fit`` or ``load`` left on ``state`` (``labels_``, ``probas_``,
    ``estimator_``...), so that a loaded model holds the saved model's attributes only."""
    for name in list(vars(state)):
        if (name.endswith("_") and not name.startswith("__")) or name in ("_pairs", "_groups", "_fitted"):
            delattr(state, name)


def _check_label_model_arrays(header: dict[str, Any], arrays: dict[str, np.ndarray], path: Any) -> None:
    """The saved arrays must fit the header's classes, labelers and groups."""
    k, m = len(header["classes_"]), len(header["labelers_"])
    groups = header["groups"]
    flat = sorted(j for g in groups for j in g) if isinstance(groups, list) else None
    if flat != list(range(m)):
        raise _bad_file(path, "LabelModel", f"whose groups {groups!r} are not a partition of its {m} labelers")
    rows = sum((k + 1) ** len(g) for g in groups)
    shapes = {"mu_": (m * k, k), "class_balance_": (k,), "group_mu_": (rows, k), "confusion_": (m, k, k)}
    wrong = [f"{n} {arrays[n].shape} (expected {s})" for n, s in shapes.items() if arrays[n].shape != s]
    if wrong or len(header["accuracies_"]) != m:
        raise _bad_file(
            path,
            "LabelModel",
            f"whose arrays do not fit its {k} classes and {m} labelers: {', '.join(wrong) or 'accuracies_'}",
        )


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
        return write_npz(path, header, arrays)

    def load(self, path: str | os.PathLike[str]) -> Any:
        """Read a model :meth:`save` wrote into this one (parameters and fitted attributes); returns it.

        ``LabelModel().load(path)`` (or Snorkel's ``model.load(path)``) then predicts as the saved
        model did. Raises :class:`~labelwise.errors.DataFileError` naming ``path`` when the file is
        missing or is not a saved label model.
        """
        header, arrays = read_npz(path, FORMAT, _ARRAYS, "LabelModel")
        state: Any = self
        keys = ("classes_", "labelers_", "groups", "accuracies_", "dependent_pairs_")
        params = checked_params(state, header, keys, path, "LabelModel")
        _check_label_model_arrays(header, arrays, path)
        params["dependencies"] = [tuple(pair) for pair in params.get("dependencies") or ()]
        forget_fit(state)
        state.params = {}  # DawidSkene's own parameters: the saved ones only
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
        if getattr(state, "shared_confusion_", None) is not None:
            state.shared_confusion_ = SharedTest(*state.shared_confusion_)
        for name, value in arrays.items():
            setattr(state, name, value)
        return self


#: The header's ``format`` value of a saved :class:`~labelwise.weak.DawidSkeneLabelModel`.
DS_FORMAT = "labelwise.weak.DawidSkeneLabelModel/1"

_DS_ARRAYS = ("class_balance_", "confusion_", "coverage_", "prior")


class SavedDawidSkene:
    """``save`` and ``load`` of a fitted :class:`~labelwise.weak.DawidSkeneLabelModel`: what its
    :meth:`predict_proba` and :meth:`predict` read, not the aggregator it was fitted with."""

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the fitted model to ``path`` (an ``.npz`` and a JSON header, no pickle; written to a
        temporary file, then renamed).

        Saved: the parameters, ``classes_``, ``labelers_``, ``class_balance_``, ``confusion_``,
        ``coverage_``, ``accuracies_`` and what the posterior reads of the fitted aggregate (its
        prior, whether it fell back to majority vote, its dependent pairs). Not saved: the per-item
        results (``labels_``, ``probas_``, ``n_votes_``; :meth:`predict` on the votes gives them)
        and ``estimator_``. Classes, labelers and parameters must be numbers, strings or None.

        Returns
        -------
        pathlib.Path
            The file written.
        """
        if not hasattr(self, "confusion_"):
            raise EstimatorError(f"{type(self).__name__} must be fitted before save; call fit first")
        state: Any = self
        header = {
            "format": DS_FORMAT,
            "params": _plain(state.get_params(), "the model's parameters"),
            "classes_": _plain(list(state.classes_), "classes_"),
            "labelers_": _plain(list(state.labelers_), "labelers_"),
            "accuracies_": [None if np.isnan(a) else float(a) for a in state.accuracies_],
            "fallback": bool(state._fitted["fallback"]),
            "pairs": _plain(state._fitted["pairs"], "the dependent pairs"),
        }
        arrays = {name: np.asarray(getattr(state, name), dtype=np.float64) for name in _DS_ARRAYS[:-1]}
        arrays["prior"] = np.asarray(state._fitted["prior"], dtype=np.float64)
        return write_npz(path, header, arrays)

    def load(self, path: str | os.PathLike[str]) -> Any:
        """Read a model :meth:`save` wrote into this one (parameters and fitted attributes); returns it.

        ``DawidSkeneLabelModel().load(path)`` then predicts as the saved model did. Raises
        :class:`~labelwise.errors.DataFileError` naming ``path`` when the file is missing, is not a
        saved Dawid-Skene label model, or its arrays do not fit its classes and labelers.
        """
        header, arrays = read_npz(path, DS_FORMAT, _DS_ARRAYS, "DawidSkeneLabelModel")
        keys = ("classes_", "labelers_", "accuracies_", "fallback", "pairs")
        params = checked_params(self, header, keys, path, "DawidSkeneLabelModel")
        k, m = len(header.get("classes_", ())), len(header.get("labelers_", ()))
        shapes = {"class_balance_": (k,), "confusion_": (m, k, k), "coverage_": (m,), "prior": (k,)}
        wrong = [f"{n} {arrays[n].shape} (expected {s})" for n, s in shapes.items() if arrays[n].shape != s]
        if wrong or len(header.get("accuracies_", ())) != m:
            raise DataFileError(
                f"path must be a label model written by DawidSkeneLabelModel.save, got {str(path)!r} whose "
                f"arrays do not fit its {k} classes and {m} labelers: {', '.join(wrong) or 'accuracies_'}"
            )
        state: Any = self
        forget_fit(state)
        state.params = {}  # DawidSkene's own parameters: the saved ones only
        state.set_params(**params)
        state.classes_ = _values(header["classes_"])
        state.labelers_ = tuple(header["labelers_"])
        state.accuracies_ = pd.Series(
            np.array([np.nan if a is None else a for a in header["accuracies_"]], dtype=float),
            index=pd.Index(state.labelers_, name="labeler"),
            name="accuracy",
        )
        for name in _DS_ARRAYS[:-1]:
            setattr(state, name, arrays[name])
        state._fitted = {"prior": arrays["prior"], "fallback": bool(header["fallback"]), "pairs": header["pairs"]}
        return self
