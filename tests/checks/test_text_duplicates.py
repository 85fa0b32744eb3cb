"""exact_duplicate on texts: a text-only table is checked for repeated rows; with features, texts must match too."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pandas as pd
import pytest

from labelwise.checks import exact_duplicate, find_data_issues
from labelwise.errors import InvalidParameterError, ShapeMismatchError

TEXTS = ["a cat sat", "a dog ran", "a cat sat", None, "A cat sat", "a  cat sat", None, "a dog ran", "a cat sat"]


class TestTextOnly:
    def test_repeated_texts_are_flagged_as_exact_duplicates_with_their_sets(self):
        """Texts alone: rows with the same text form a set, scored 1 / its size, as feature duplicates are."""
        found = find_data_issues(texts=TEXTS)
        info = found.info["exact_duplicate"]
        assert info == {"n_sets": 3, "sets": [[0, 2, 8], [1, 7], [3, 6]]}
        issues = found.issues
        np.testing.assert_array_equal(issues["is_exact_duplicate_issue"], [1, 1, 1, 1, 0, 0, 1, 1, 1])
        np.testing.assert_allclose(issues["exact_duplicate_score"], [1 / 3, 0.5, 1 / 3, 0.5, 1, 1, 0.5, 0.5, 1 / 3])
        skipped = found.summary.set_index("check").loc["near_duplicate", "reason"]
        assert skipped == "needs features (or a graph)"

    def test_the_flags_are_pandas_duplicated_on_a_table_of_text_columns(self):
        """Peer: pandas' DataFrame.duplicated(keep=False) flags the same rows (missing equals missing)."""
        rng = np.random.default_rng(5)
        frame = pd.DataFrame(
            {
                "title": rng.choice(["x", "y", "z", None], 300),
                "body": rng.choice(["one two", "two one", "One two", "", None], 300),
            }
        )
        found = find_data_issues(texts=frame, labels=np.arange(300) % 2, checks="exact_duplicate")
        expected = frame.astype(object).where(frame.notna(), None).duplicated(keep=False).to_numpy()
        np.testing.assert_array_equal(found.issues["is_exact_duplicate_issue"].to_numpy(), expected)

    def test_a_hash_collision_never_makes_a_false_duplicate(self):
        """Every row hashed alike: the value check keeps apart what differs and still groups what is equal."""
        honest = exact_duplicate.duplicate_groups(None, _text_column())
        with mock.patch.object(exact_duplicate, "text_hashes", lambda t, b=0: np.zeros(t.shape[0], np.uint64)):
            colliding = exact_duplicate.duplicate_groups(None, _text_column())
        assert exact_duplicate.sets_from_groups(colliding) == exact_duplicate.sets_from_groups(honest)
        assert exact_duplicate.sets_from_groups(honest) == [[0, 2, 8], [1, 7], [3, 6]]


def _text_column() -> np.ndarray:
    """TEXTS as the one-column object array the check compares."""
    return np.array(TEXTS, dtype=object).reshape(-1, 1)


class TestWithFeatures:
    def test_rows_are_duplicates_only_when_features_and_texts_match(self):
        """The same features with another text is not a duplicate; the same features and text is."""
        X = np.zeros((len(TEXTS), 2))
        X[8] = 1.0  # row 8 has row 0's text but other features
        found = find_data_issues(X, texts=TEXTS, checks="exact_duplicate")
        assert found.info["exact_duplicate"]["sets"] == [[0, 2], [1, 7], [3, 6]]

    def test_leakage_counts_a_training_twin_only_with_the_same_text(self):
        """An evaluation row whose features repeat a training row's, with another text, is no exact leak."""
        rng = np.random.default_rng(2)
        X = rng.normal(size=(40, 3))
        X[30] = X[0]
        texts = [f"row {i}" for i in range(40)]
        split = np.where(np.arange(40) < 30, "train", "test")
        apart = find_data_issues(X, texts=texts, split=split, checks="leakage", k=5)
        texts[30] = texts[0]
        same = find_data_issues(X, texts=texts, split=split, checks="leakage", k=5)
        assert apart.info["leakage"]["n_exact"] == 0 and same.info["leakage"]["n_exact"] == 1


class TestBadTexts:
    def test_a_number_among_the_texts_is_refused_naming_row_and_column(self):
        """texts hold strings or missing values."""
        with pytest.raises(InvalidParameterError, match=r"texts must hold strings .* got 3 at row 1, column 'b'"):
            find_data_issues(texts=pd.DataFrame({"a": ["x", "y"], "b": ["z", 3]}))

    def test_texts_of_another_length_are_refused(self):
        """One text per row of the features."""
        with pytest.raises(ShapeMismatchError, match=r"texts must have one entry per row of features \(9\), got 8"):
            find_data_issues(np.zeros((9, 2)), texts=TEXTS[:8], checks="exact_duplicate")

    def test_a_block_size_that_is_not_a_positive_integer_is_refused(self):
        """The block_rows option names itself and what it got."""
        with pytest.raises(InvalidParameterError, match=r"\['block_rows'\] must be an integer >= 1, got 0"):
            find_data_issues(texts=TEXTS, check_options={"exact_duplicate": {"block_rows": 0}})

    def test_texts_in_memory_beside_dask_features_are_refused(self):
        """Beside dask features the texts must be dask too (they stay on the workers)."""
        da = pytest.importorskip("dask.array")
        with pytest.raises(
            InvalidParameterError, match="texts beside dask features must be a dask DataFrame or Series"
        ):
            find_data_issues(da.zeros((9, 2), chunks=3), texts=TEXTS)
