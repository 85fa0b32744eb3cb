"""Every public parameter's bad values, checked mechanically.

For each public callable (``__all__`` of ``labelwise`` and its subpackages: functions, and
estimators' constructor parameters tested at ``fit``) and each of its keyword parameters, bad
values are chosen from the parameter's default and annotation: for a number a string, NaN and
-1 (and 0 for a count), for a choice an unknown name, for ``random_state`` a string and -1.
The call must raise a :class:`labelwise.errors.LabelwiseError` (never numpy's, pandas' or
scikit-learn's own errors) whose message names the parameter. Values an entry point rightly
accepts are listed in ``ACCEPTED`` with the reason.
"""

from __future__ import annotations

import inspect
import math
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

import labelwise as lw
from labelwise.errors import LabelwiseError

from .specs import NOT_COVERED, SPECS

# flags and free-form values: any value is meaningful, or truthiness is the contract
SKIPPED_NAMES = {
    "verbose": "a flag (None means: on a terminal)",
    "labels": "the label set: any sequence of hashable values",
    "classes": "the label set: any sequence of hashable values",
    "name": "the display name used in messages: any string",
    "estimator": "any scikit-learn estimator (duck-typed; checked by tests/models)",
    "model": "any fitted model (duck-typed)",
}

_ALL_CORES = "-1 means all cores (joblib's convention)"
_NONE_IS_FINE = "0 is documented and means none (no bootstrap, no round, no minimum)"
ACCEPTED: dict[tuple[str, str, str], str] = {
    ("out_of_fold_probs", "n_jobs", "negative"): _ALL_CORES,
    ("find_label_issues", "n_jobs", "negative"): _ALL_CORES,
    ("audit.class_overlap", "n_jobs", "negative"): _ALL_CORES,
    ("robust.CleanClassifier", "n_jobs", "negative"): _ALL_CORES,
    ("poison.roni", "n_jobs", "negative"): _ALL_CORES,
    ("find_label_issues", "min_examples_per_class", "zero"): _NONE_IS_FINE,
    ("evaluate.ranking_agreement", "n_boot", "zero"): _NONE_IS_FINE,
    ("evaluate.slice_scores", "n_bootstrap", "zero"): _NONE_IS_FINE,
    ("semi.SelfTrainer", "max_iter", "zero"): _NONE_IS_FINE,
    ("weak.LabelModel", "n_em_iter", "zero"): _NONE_IS_FINE,
    ("weak.LabelModel", "min_shared", "zero"): _NONE_IS_FINE,
    ("aggregate.GLAD", "alpha_prior_mean", "negative"): "the mean of a Gaussian prior: any finite number",
    (
        "aggregate.GLAD",
        "beta_prior_mean",
        "negative",
    ): "the mean of a Gaussian prior on log(1/difficulty): any finite number",
    ("poison.CurieSVC", "theta", "negative"): "a z-score threshold: any finite number",
    ("poison.backdoor", "pixel_value", "negative"): "a value to write into X: any number X's dtype holds",
    ("poison.attack_success_rate", "pixel_value", "negative"): "a value to write into X: any number X's dtype holds",
    ("poison.backdoor", "pixel_value", "zero"): "a value to write into X: any number X's dtype holds",
    ("poison.attack_success_rate", "pixel_value", "zero"): "a value to write into X: any number X's dtype holds",
    ("poison.curie_filter", "theta", "negative"): "a z-score threshold: any finite number",
    ("aggregate.MultiLabelAggregator", "tag_separator", "unknown"): "any non-empty text may separate tags",
    ("robust.CleanMultilabelClassifier", "tag_separator", "unknown"): "any non-empty text may separate tags",
    ("checks.find_data_issues", "train_value", "unknown"): "the value of `split` that marks training rows: any value",
}
_EMPTY_IN_EMPTY_OUT = "an empty input gives an empty result (no rows to select or corrupt), as in numpy"
_USERS_MODEL = "X goes unchanged to the user's estimator (texts and tables are valid X); a bad X is its error"
ACCEPTED |= {
    ("semi.select_k_best", "conf", "empty"): _EMPTY_IN_EMPTY_OUT,
    ("semi.select_threshold", "conf", "empty"): _EMPTY_IN_EMPTY_OUT,
    ("noise.corrupt_targets", "y", "empty"): _EMPTY_IN_EMPTY_OUT,
    ("noise.flip_token_tags", "labels", "empty"): _EMPTY_IN_EMPTY_OUT,
    ("out_of_fold_probs", "X", "strings"): _USERS_MODEL,
    ("robust.CleanClassifier", "X", "strings"): _USERS_MODEL,
    ("robust.CrowdClassifier", "X", "strings"): _USERS_MODEL,
    ("robust.ImportanceReweighting", "X", "strings"): _USERS_MODEL,
    ("robust.CleanMultilabelClassifier", "X", "strings"): _USERS_MODEL,
    ("semi.SelfTrainer", "X", "strings"): _USERS_MODEL,
    ("weak.expand_soft_labels", "X", "strings"): "X is repeated row by row for any estimator: any rows",
}
for _masks in ("MaskMajorityVote", "STAPLE", "SegmentationEM", "SegmentationRASA"):
    ACCEPTED[f"aggregate.{_masks}", "ignore_value", "negative"] = (
        "the mask value of unlabelled pixels, -1 the common one: any integer"
    )
for _kind in ("string", "nan", "negative"):
    ACCEPTED["semi.SelfTrainer", "unlabeled_value", _kind] = "the label value that marks unlabelled rows: any value"


def _public() -> list[str]:
    names = []
    for sub in [""] + [s for s in lw.__all__ if inspect.ismodule(getattr(lw, s))]:
        module = getattr(lw, sub) if sub else lw
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.ismodule(obj) or not callable(obj):
                continue
            if inspect.isclass(obj) and (issubclass(obj, BaseException) or not hasattr(obj, "fit")):
                continue  # errors and result dataclasses: nothing to validate
            names.append(f"{sub}.{name}" if sub else name)
    return names


def _target(qualname: str) -> Any:
    obj: Any = lw
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def bad_values(name: str, param: inspect.Parameter) -> list[tuple[str, Any]]:
    """Bad values for one parameter, chosen from its default and annotation."""
    default, annotation = param.default, str(param.annotation)
    if name == "random_state":
        return [("string", "abc"), ("negative", -1)]
    if isinstance(default, bool) or name in SKIPPED_NAMES:
        return []
    if isinstance(default, int) or (default is None and "int" in annotation and "float" not in annotation):
        zero = [("zero", 0)] if isinstance(default, int) and default >= 1 else []
        return [("string", "abc"), ("nan", math.nan), ("negative", -1), *zero]
    if isinstance(default, float) or (default is None and "float" in annotation):
        return [("string", "abc"), ("nan", math.nan), ("negative", -1.0)]
    if isinstance(default, str) and not name.endswith("_col"):
        return [("unknown", "no-such-value")]
    if isinstance(default, str):
        return [("unknown", "no_such_column")]
    return []


_3D = ("3-D", np.zeros((2, 2, 2)))
_EMPTY = ("empty", np.empty(0))
_STRINGS = ("strings", [["a", "b", "c"]] * 36)
# required array parameters, by name: bad values for a numeric matrix, labels, an answers table
ARRAY_BAD: dict[str, list[tuple[str, Any]]] = {
    **{name: [_3D, _EMPTY, _STRINGS] for name in ("probs", "val_probs", "target_probs", "probas", "X", "features")},
    **{name: [_3D, _EMPTY] for name in ("labels", "y", "given", "corrected", "val_labels", "y_val", "codes")},
    "answers": [_3D, ("empty", pd.DataFrame({"item": [], "annotator": [], "label": []}))],
    "conf": [_3D, _EMPTY, ("strings", ["a"] * 36)],
}


def _parameters(obj: Any) -> list[tuple[str, inspect.Parameter]]:
    params = list(inspect.signature(obj).parameters.items())
    if inspect.isclass(obj):
        params += [(n, p) for n, p in inspect.signature(obj.fit).parameters.items() if n != "self"]
    return params


def _cases() -> list[Any]:
    cases = []
    for qualname, _call in SPECS.items():
        obj = _target(qualname)
        for name, param in _parameters(obj):
            if param.kind not in (param.KEYWORD_ONLY, param.POSITIONAL_OR_KEYWORD):
                continue
            values = ARRAY_BAD.get(name, []) if param.default is param.empty else bad_values(name, param)
            for kind, value in values:
                if (qualname, name, kind) in ACCEPTED:
                    continue
                cases.append(pytest.param(qualname, name, value, id=f"{qualname}-{name}-{kind}"))
    return cases


def test_every_public_callable_is_swept_or_listed() -> None:
    """A new public callable must get a valid call in specs.SPECS or a reason in NOT_COVERED."""
    public = set(_public())
    missing = public - set(SPECS) - set(NOT_COVERED)
    assert not missing, f"add these to tests/api/specs.py: {sorted(missing)}"
    assert not (set(SPECS) | set(NOT_COVERED)) - public, "specs.py names a callable that is not public"


@pytest.mark.parametrize("qualname", sorted(SPECS))
def test_valid_call_runs(qualname: str) -> None:
    """The sweep's base call is valid, so a failure below is the bad value's."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        SPECS[qualname]()


@pytest.mark.parametrize(("qualname", "param", "value"), _cases())
def test_bad_value_raises_labelwise_error_naming_it(qualname: str, param: str, value: Any) -> None:
    """A bad keyword value raises a LabelwiseError whose message names the parameter."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(LabelwiseError) as info:
            SPECS[qualname](**{param: value})
    named = re.search(rf"(?<![A-Za-z0-9_]){re.escape(param)}(?![A-Za-z0-9_])", str(info.value))
    assert named, f"{qualname}({param}={value!r}) raised: {info.value}"
