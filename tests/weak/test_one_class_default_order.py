"""The label model's default (``one_class_rules=True`` since session 52) on a one-class rule set with copies: row
order, labeler names and class names change nothing but names (the one-class fit's learned pairs included)."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.weak import LabelModel

FIXED = {"tol": 0.0, "n_em_iter": 30}


def _table() -> tuple[pd.DataFrame, list[str]]:
    """Shared-trigger exploration set 213 K=2 (``benchmarks/dev_weak_shared_triggers.py``), where the one-class fit
    learns pairs and changes the labels (``test_one_class_fit.py``), as a long table."""
    path = Path(__file__).parents[2] / "benchmarks" / "dev_weak_shared_triggers.py"
    spec = importlib.util.spec_from_file_location("dev_weak_shared_triggers", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    matrix = module.shared_trigger_set(213, 2)[0][:3000]
    rows, cols = np.nonzero(matrix >= 0)
    table = pd.DataFrame({"item": rows, "labeler": [f"lf_{j:02d}" for j in cols], "label": matrix[rows, cols]})
    return table, sorted(table["labeler"].unique())


TABLE, LABELERS = _table()


def _fit(votes, **kw) -> LabelModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LabelModel(**kw).fit(votes)


def test_the_default_takes_the_one_class_path_here():
    on, off = _fit(TABLE, **FIXED), _fit(TABLE, one_class_rules=False, **FIXED)
    assert on.one_class_rules is True and on.abstains_ == "informative"
    assert on.groups_ != off.groups_ and not on.labels_.equals(off.labels_)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16))
def test_row_order_changes_no_label(seed):
    a = _fit(TABLE, **FIXED)
    b = _fit(TABLE.sample(frac=1.0, random_state=seed).reset_index(drop=True), **FIXED)
    assert a.groups_ == b.groups_
    pd.testing.assert_series_equal(a.labels_.sort_index(), b.labels_.sort_index())
    np.testing.assert_allclose(a.probas_.sort_index().to_numpy(), b.probas_.sort_index().to_numpy(), atol=1e-9)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=st.permutations(list(range(len(LABELERS)))))
def test_renaming_the_labelers_renames_the_groups(order):
    names = {old: f"r{order[i]:02d}" for i, old in enumerate(LABELERS)}
    a = _fit(TABLE, **FIXED)
    b = _fit(TABLE.assign(labeler=TABLE["labeler"].map(names)), **FIXED)
    assert sorted(sorted(names[x] for x in g) for g in a.groups_) == sorted(sorted(g) for g in b.groups_)
    pd.testing.assert_series_equal(a.labels_.sort_index(), b.labels_.sort_index())
    np.testing.assert_allclose(a.probas_.sort_index().to_numpy(), b.probas_.sort_index().to_numpy(), atol=1e-4)


def test_renaming_the_classes_permutes_the_result():
    renamed = TABLE.assign(label=TABLE["label"].map({0: "yes", 1: "no"}))
    a = _fit(TABLE, labels=[0, 1], **FIXED)
    b = _fit(renamed, labels=["no", "yes"], **FIXED)
    assert a.groups_ == b.groups_
    pd.testing.assert_series_equal(
        a.labels_.map({0: "yes", 1: "no"}).sort_index(), b.labels_.sort_index(), check_dtype=False
    )
    np.testing.assert_allclose(a.probas_.sort_index().to_numpy()[:, ::-1], b.probas_.sort_index().to_numpy(), atol=1e-4)
