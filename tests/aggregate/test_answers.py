"""Tests for answer-table validation and encoding (labelwise.aggregate._answers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import DawidSkene, MajorityVote, encode_answers
from labelwise.errors import (
    AnnotationError,
    InvalidParameterError,
    LabelwiseError,
    MissingColumnError,
)


def _table():
    return pd.DataFrame(
        {
            "item": ["x", "x", "y", "y", "z"],
            "annotator": ["a", "b", "a", "c", "b"],
            "label": ["cat", "dog", "dog", "dog", "cat"],
        }
    )


class TestEncodeAnswers:
    def test_codes_index_sorted_values(self):
        """Codes point into sorted items, annotators and classes."""
        enc = encode_answers(_table())
        assert enc.items.tolist() == ["x", "y", "z"]
        assert enc.annotators.tolist() == ["a", "b", "c"]
        assert enc.classes.tolist() == ["cat", "dog"]
        assert enc.items[enc.item_idx].tolist() == ["x", "x", "y", "y", "z"]
        assert enc.classes[enc.label_idx].tolist() == ["cat", "dog", "dog", "dog", "cat"]

    def test_count_helpers_agree_with_dense_counting(self):
        """Vote matrix, per-annotator counts and Dawid-Skene's item x used (annotator, label) matrix match a direct count."""
        from labelwise.aggregate.dawid_skene import _Observed

        enc = encode_answers(_table())
        assert enc.item_label_counts.tolist() == [[1, 1], [0, 2], [1, 0]]
        assert np.array_equal(enc.votes.toarray(), enc.item_label_counts)
        assert enc.answers_per_item.tolist() == [2, 2, 1]
        assert enc.annotator_label_counts.tolist() == [[1, 1], [1, 1], [0, 1]]
        obs = _Observed.build(enc.patterns)  # three items, three patterns
        assert obs.columns.tolist() == [0 * 2 + 0, 0 * 2 + 1, 1 * 2 + 0, 1 * 2 + 1, 2 * 2 + 1]
        m = obs.m.toarray()
        assert m.shape == (3, 5)
        assert m[0, 0] == 1 and m[0, 3] == 1 and m.sum() == 5
        assert np.array_equal(obs.mt.toarray(), m.T)
        assert obs.n_unused.tolist() == [0, 0, 1]

    def test_to_frame_round_trips(self):
        """Decoding the codes gives back the input answers."""
        frame = encode_answers(_table()).to_frame()
        pd.testing.assert_frame_equal(frame, _table())

    def test_declared_labels_fix_class_order_and_keep_unused(self):
        """labels= orders the classes and keeps a declared class nobody used."""
        enc = encode_answers(_table(), labels=["dog", "cat", "bird"])
        assert enc.classes.tolist() == ["dog", "cat", "bird"]
        assert enc.item_label_counts[:, 2].sum() == 0

    def test_label_outside_declared_set_names_row_and_value(self):
        """An answer outside labels= is an AnnotationError naming the row and the value."""
        with pytest.raises(AnnotationError, match=r"row 1 is 'dog'"):
            encode_answers(_table(), labels=["cat", "bird"])

    def test_not_a_dataframe_is_missing_column_error(self):
        """A non-DataFrame input is rejected with the expected columns."""
        with pytest.raises(MissingColumnError, match="pandas DataFrame"):
            encode_answers([["x", "a", "cat"]])

    def test_missing_column_lists_existing_columns(self):
        """A missing column is named and the existing ones listed."""
        with pytest.raises(MissingColumnError, match=r"missing \['annotator'\].*\['item', 'worker', 'label'\]"):
            encode_answers(_table().rename(columns={"annotator": "worker"}))

    def test_custom_column_names(self):
        """item_col/annotator_col/label_col select other columns and name the results' index."""
        t = _table().rename(columns={"item": "task", "annotator": "worker", "label": "y"})
        enc = encode_answers(t, item_col="task", annotator_col="worker", label_col="y")
        assert enc.item_index().name == "task" and enc.n_answers == 5

    def test_empty_table_is_an_error(self):
        """A table with no rows is an AnnotationError."""
        with pytest.raises(AnnotationError, match="empty"):
            encode_answers(_table().iloc[:0])

    @pytest.mark.parametrize("col", ["item", "annotator", "label"])
    def test_null_id_names_the_row(self, col):
        """A null item, annotator or label is an AnnotationError naming the row."""
        t = _table()
        t.loc[3, col] = None
        with pytest.raises(AnnotationError, match=rf"column '{col}' must not be null.*row 3"):
            encode_answers(t)

    @pytest.mark.parametrize("null", [np.nan, pd.NA, None])
    @pytest.mark.parametrize("dtype", [object, "string", float])
    def test_null_of_any_kind_and_dtype_is_counted(self, null, dtype):
        """NaN, pd.NA and None are nulls in object, string and float columns; the error counts them."""
        t = pd.DataFrame({"item": [1.0, 2.0, 3.0, 4.0], "annotator": ["a", "b", "a", "b"], "label": [0, 1, 1, 0]})
        t["item"] = t["item"].astype(dtype)
        t.loc[[1, 2], "item"] = null
        with pytest.raises(AnnotationError, match=r"column 'item' must not be null.*row 1.*2 null value"):
            encode_answers(t)

    def test_null_label_with_declared_labels_is_a_null_error(self):
        """With labels= declared, a null label is reported as null, not as outside the label set."""
        t = _table()
        t.loc[2, "label"] = None
        with pytest.raises(AnnotationError, match=r"column 'label' must not be null.*row 2"):
            encode_answers(t, labels=["cat", "dog"])

    def test_an_undeclared_label_is_shown_as_a_plain_value(self):
        """The message listed [np.int64(0), np.int64(2)] and 'row 1 is np.int64(1)' (numpy 2 reprs)."""
        t = pd.DataFrame({"item": [1, 1, 2], "annotator": ["a", "b", "a"], "label": np.array([0, 1, 2])})
        with pytest.raises(AnnotationError, match=r"declared labels \[0, 2\], row 1 is 1 \(1 answer"):
            encode_answers(t, labels=np.array([0, 2]))

    def test_duplicates_are_kept_and_counted(self):
        """Repeated (item, annotator) answers are kept by default and counted."""
        t = pd.concat([_table(), _table().iloc[[0, 0, 4]]], ignore_index=True)
        enc = encode_answers(t)
        assert enc.n_duplicates == 3 and enc.n_dropped == 0 and enc.n_answers == 8

    def test_duplicates_last_keeps_only_the_last_answer(self):
        """duplicates='last' keeps the last answer of each (item, annotator) pair."""
        extra = pd.DataFrame({"item": ["x"], "annotator": ["a"], "label": ["dog"]})
        enc = encode_answers(pd.concat([_table(), extra], ignore_index=True), duplicates="last")
        assert enc.n_duplicates == 1 and enc.n_dropped == 1 and enc.n_answers == 5
        frame = enc.to_frame()
        assert frame[(frame.item == "x") & (frame.annotator == "a")].label.tolist() == ["dog"]

    def test_bad_duplicates_policy(self):
        """An unknown duplicates policy is an InvalidParameterError."""
        with pytest.raises(InvalidParameterError, match="duplicates must be one of"):
            encode_answers(_table(), duplicates="first")

    def test_duplicate_declared_labels(self):
        """labels= with repeated values is rejected."""
        with pytest.raises(InvalidParameterError, match="labels must be unique"):
            encode_answers(_table(), labels=["cat", "cat", "dog"])

    def test_single_answer_items_are_allowed(self):
        """Items answered once are valid and aggregate to their only answer."""
        t = pd.DataFrame({"item": [1, 2, 3], "annotator": ["a", "b", "a"], "label": [0, 1, 1]})
        assert DawidSkene().fit(t).labels_.tolist() == [0, 1, 1]

    def test_errors_are_labelwise_errors(self):
        """Every error above is a LabelwiseError (one line at the command line)."""
        with pytest.raises(LabelwiseError):
            MajorityVote().fit(pd.DataFrame({"item": [], "annotator": [], "label": []}))


def _old_duplicate_pairs(key, duplicates):
    """The previous implementation: np.unique over the pair keys."""
    n_dup = len(key) - len(np.unique(key))
    if not n_dup or duplicates != "last":
        return n_dup, None
    _, last_rev = np.unique(key[::-1], return_index=True)
    return n_dup, np.sort(len(key) - 1 - last_rev)


@pytest.mark.parametrize("space_factor", [1, 10**6])  # small space: bincount path; huge: sort path
@pytest.mark.parametrize("duplicates", ["keep", "last"])
@pytest.mark.parametrize("seed", range(5))
def test_duplicate_pairs_equals_the_unique_based_path(space_factor, duplicates, seed):
    """The sort/bincount duplicate detection gives the same count and kept rows as np.unique."""
    from labelwise.aggregate._answers import duplicate_pairs

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3000))
    key = rng.integers(0, max(1, n // 2), n) * space_factor + rng.integers(0, 3, n)
    space = int(key.max()) + 1
    n_dup, keep = duplicate_pairs(key, space, duplicates)
    old_dup, old_keep = _old_duplicate_pairs(key, duplicates)
    assert n_dup == old_dup
    if old_keep is None:
        assert keep is None
    else:
        np.testing.assert_array_equal(keep, old_keep)


def test_encode_with_many_annotators_takes_the_sort_path_and_keeps_the_last():
    """A pair space far larger than the table (sort path) still finds duplicates and keeps the last answer."""
    rng = np.random.default_rng(3)
    n = 5000
    t = pd.DataFrame(
        {"item": rng.integers(0, 2000, n), "annotator": rng.integers(0, 3000, n), "label": rng.integers(0, 3, n)}
    )
    t = pd.concat([t, t.iloc[:300].assign(label=(t["label"].iloc[:300] + 1) % 3)], ignore_index=True)
    enc = encode_answers(t, duplicates="last")
    expected = t.drop_duplicates(["item", "annotator"], keep="last")
    assert enc.n_duplicates == len(t) - len(expected) and enc.n_dropped == enc.n_duplicates
    got = enc.to_frame().sort_values(["item", "annotator"]).reset_index(drop=True)
    exp = expected.sort_values(["item", "annotator"]).reset_index(drop=True)
    np.testing.assert_array_equal(got.to_numpy(), exp.to_numpy())


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint16", "int8"])
@pytest.mark.parametrize("seed", range(3))
def test_dense_integer_factorize_equals_pandas_factorize(dtype, seed):
    """The bincount path for integer ids gives the same codes and sorted uniques (and dtype) as pandas."""
    from labelwise.aggregate._answers import _factorize_dense_ints

    rng = np.random.default_rng(seed)
    info = np.iinfo(dtype)
    low = max(info.min, -50)
    values = pd.Series(rng.integers(low, min(info.max, 100), 500).astype(dtype))
    codes, uniques = _factorize_dense_ints(values)
    exp_codes, exp_uniques = pd.factorize(values, sort=True)
    np.testing.assert_array_equal(codes, exp_codes)
    assert uniques.equals(pd.Index(exp_uniques)) and uniques.dtype == values.dtype


def test_dense_integer_factorize_declines_sparse_ranges_and_other_types():
    """Ids spread far wider than the table, floats and nullable ints take the general path."""
    from labelwise.aggregate._answers import _factorize_dense_ints

    assert _factorize_dense_ints(pd.Series([0, 10**12])) is None
    assert _factorize_dense_ints(pd.Series([1.0, 2.0])) is None
    assert _factorize_dense_ints(pd.Series([1, None], dtype="Int64")) is None


@pytest.mark.parametrize("dtype", ["int64", "int32"])
@pytest.mark.parametrize("low", [0, -3, 7])
def test_dense_integer_factorize_of_a_full_range_equals_pandas_and_never_writes_the_input(dtype, low):
    """Ids covering a whole range (the no-gather path) get pandas' sorted codes; codes that are the
    input's own memory are read-only."""
    from labelwise.aggregate._answers import _factorize_dense_ints

    values = pd.Series(
        np.random.default_rng(abs(low)).permutation(np.repeat(np.arange(low, low + 50), 3)).astype(dtype)
    )
    codes, uniques = _factorize_dense_ints(values)
    exp_codes, exp_uniques = pd.factorize(values, sort=True)
    np.testing.assert_array_equal(codes, exp_codes)
    assert codes.dtype == np.int64
    assert not codes.flags.writeable or not np.shares_memory(codes, values.to_numpy())
    assert uniques.equals(pd.Index(exp_uniques)) and uniques.dtype == values.dtype


@pytest.mark.parametrize("duplicates", ["keep", "last"])
def test_wide_tables_sort_the_pair_label_keys_once_and_count_the_same_duplicates(duplicates):
    """When items x annotators is large, the encoding sorts (pair, label) keys once: they equal a
    fresh sort, and the duplicate count and kept rows equal the pair-key path's."""
    from labelwise.aggregate._answers import duplicate_pairs

    rng = np.random.default_rng(4)
    n = 6000
    table = pd.DataFrame({"item": rng.integers(0, 1500, n), "annotator": rng.integers(0, 1000, n)})
    table["label"] = rng.integers(0, 3, n)
    enc = encode_answers(table, duplicates=duplicates)
    pair = enc.item_idx * enc.n_annotators + enc.annotator_idx
    n_dup, _ = duplicate_pairs(pair, enc.n_items * enc.n_annotators)
    expected = table.drop_duplicates(["item", "annotator"], keep="last")
    assert enc.n_duplicates == len(table) - len(expected) > 0
    if duplicates == "keep":
        assert n_dup == enc.n_duplicates
        np.testing.assert_array_equal(enc.row_keys, np.sort(pair * enc.n_classes + enc.label_idx))
    else:  # rows were dropped: the sorted keys of the full table no longer apply
        assert enc.row_keys is None and enc.n_answers == len(expected) and n_dup == 0


@pytest.mark.parametrize("block", [1, 3, 64, 1 << 20])
def test_distinct_pair_count_does_not_depend_on_the_block_size(block):
    """Counting distinct pairs over sorted (pair, label) keys in blocks gives the exact count for
    any block size, including runs of one pair that cross a block boundary."""
    from labelwise.aggregate._factorize import _n_distinct_quotients

    rng = np.random.default_rng(block)
    pair, label = rng.integers(0, 40, 500), rng.integers(0, 3, 500)
    keys = np.sort(pair * 3 + label)
    assert _n_distinct_quotients(keys, 3, block) == len(np.unique(pair))
