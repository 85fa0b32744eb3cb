"""``audit._regression_columns.column_regressor``: the classification roles' features for a continuous target."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import KFold

from labelwise.audit import regression
from labelwise.audit._regression_columns import TEXT_MAX_TERMS, column_regressor
from labelwise.columns import infer_column_roles
from labelwise.errors import InvalidParameterError


def _table(n: int = 300, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """A numeric, a one-hot and a high-cardinality (80 codes) column; the target is whole numbers."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 80, n)
    effect = rng.normal(0, 3, 80)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "kind": rng.choice(["a", "b", "c"], n),
            "code": [f"c{c}" for c in codes],
        }
    )
    y = np.round(10 * (frame["x"] + effect[codes] + (frame["kind"] == "b") * 2 + rng.normal(0, 0.3, n)))
    return frame, y.to_numpy(dtype=float)


def _fit(frame: pd.DataFrame, y: np.ndarray, seed: int = 0) -> regression.RegressionIssues:
    model = column_regressor(infer_column_roles(frame), regression.default_regressor(seed), seed)
    return regression.find_label_issues(y, X=frame, model=model, random_state=seed)


class TestColumnRegressor:
    def test_out_of_fold_predictions_never_see_their_own_folds_targets(self):
        """Changing every target of one outer fold leaves that fold's out-of-fold predictions bit for bit
        the same: no row's target reaches its own features (the target encoder fits on the training fold)."""
        frame, y = _table()
        before = _fit(frame, y).predicted
        fold = next(iter(KFold(regression.CV_FOLDS, shuffle=True, random_state=0).split(frame)))[1]
        changed = y.copy()
        changed[fold] = np.random.default_rng(9).normal(0, 1000, fold.size)
        after = _fit(frame, changed).predicted
        np.testing.assert_array_equal(after[fold], before[fold])
        assert not np.array_equal(np.delete(after, fold), np.delete(before, fold))  # the others did move

    def test_high_cardinality_column_uses_its_target_means(self):
        """The 80-code column carries most of the target: reading it (target-encoded on KFold folds of a
        whole-number target) predicts far better than the other columns alone."""
        frame, y = _table()
        with_codes = np.mean(np.abs(_fit(frame, y).predicted - y))
        without = np.mean(np.abs(_fit(frame.drop(columns=["code"]), y).predicted - y))
        assert with_codes < 0.7 * without

    def test_whole_number_target_encodes_one_column_not_one_per_value(self):
        """A target of whole numbers is continuous for the encoder: one feature for the code column
        (as classes, scikit-learn would make one per distinct target value)."""
        frame, y = _table()
        features = column_regressor(infer_column_roles(frame), regression.default_regressor(0)).fit(frame, y)
        block = features.named_steps["columns"].output_indices_["high_cardinality"]
        assert block.stop - block.start == 1

    def test_text_columns_are_tf_idf_on_at_most_text_max_terms(self):
        """A text column is read as TF-IDF on its most frequent terms only."""
        rng = np.random.default_rng(1)
        words = [f"w{i}" for i in range(600)]
        text = [" ".join(rng.choice(words, 6)) for _ in range(400)]
        frame = pd.DataFrame({"notes": text, "x": rng.normal(size=400)})
        model = column_regressor(infer_column_roles(frame), regression.default_regressor(0))
        matrix = model.named_steps["columns"].fit_transform(frame, rng.normal(size=400))
        assert isinstance(matrix, np.ndarray) and matrix.shape == (400, 1 + TEXT_MAX_TERMS)

    def test_no_readable_column_is_an_error_naming_the_roles(self):
        """Only an identifier and a constant: the error names both columns and their roles."""
        frame = pd.DataFrame({"id": [f"r{i}" for i in range(40)], "same": 1.0})
        with pytest.raises(InvalidParameterError, match=r"'id' \(identifier\), 'same' \(constant\)"):
            column_regressor(infer_column_roles(frame), regression.default_regressor(0))


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**16), prefix=st.sampled_from(["", "zz", "0"]))
def test_renaming_high_cardinality_codes_changes_no_prediction(seed, prefix):
    """An injective renaming of the codes (which reorders them) leaves every out-of-fold prediction the same:
    a code is encoded by its rows' targets, not by its name."""
    frame, y = _table(n=150, seed=seed % 7)
    names = {c: f"{prefix}{np.random.default_rng(seed).integers(10**6)}-{c[::-1]}" for c in frame["code"].unique()}
    renamed = frame.assign(code=frame["code"].map(names))
    np.testing.assert_allclose(
        _fit(renamed, y, seed % 3).predicted, _fit(frame, y, seed % 3).predicted, rtol=0, atol=1e-9
    )
