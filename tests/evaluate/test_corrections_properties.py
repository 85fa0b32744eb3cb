"""Properties of ``evaluate.corrections``: ``corrections_from_counts`` follows the items in any order,
the columns of the counts in any order (with their classes), a renaming of the classes and any
integer dtype of the given labels; a tie that includes the given label keeps it. ``read_corrections``
of a ``row,label`` table written as CSV, Parquet or JSON Lines gives the labels written, of the type
of the given labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import LabelwiseError
from labelwise.evaluate import corrections_from_counts, read_corrections

SETTINGS = settings(max_examples=50, deadline=None)


@st.composite
def vote_tables(draw):
    """Per-item vote counts (some rows with no votes, ties common) and given labels 0..K-1."""
    n = draw(st.integers(1, 30))
    k = draw(st.integers(2, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    counts = rng.integers(0, draw(st.sampled_from([2, 4, 10])), (n, k))
    counts[rng.random(n) < 0.1] = 0
    given = rng.integers(0, k, n)
    return counts, given, rng


def _same(a, b) -> None:
    assert list(a.corrected) == list(b.corrected)
    np.testing.assert_array_equal(a.soft_labels, b.soft_labels)


def _untied_or_given(counts: np.ndarray, given_col: np.ndarray) -> np.ndarray:
    """Rows whose plurality is one class, or a tie that includes the given label (no tie-break needed)."""
    top = counts.max(axis=1, keepdims=True)
    return ((counts == top).sum(axis=1) == 1) | (counts[np.arange(len(counts)), given_col] == top[:, 0])


class TestCorrectionsFromCounts:
    @SETTINGS
    @given(case=vote_tables())
    def test_permuting_items_permutes_the_corrections(self, case):
        """The corrected and soft labels of a permutation of the items are the permuted ones."""
        counts, given, rng = case
        ref = corrections_from_counts(counts, given)
        perm = rng.permutation(len(given))
        got = corrections_from_counts(counts[perm], given[perm])
        assert list(got.corrected) == list(ref.corrected[perm])
        np.testing.assert_array_equal(got.soft_labels, ref.soft_labels[perm])

    @SETTINGS
    @given(case=vote_tables(), dtype=st.sampled_from([np.int8, np.int32, np.int64, np.uint16, float]))
    def test_integer_labels_of_any_dtype_give_the_same_corrections(self, case, dtype):
        """int8/int32/int64/uint16 labels (and whole floats) give the int64 labels' corrections."""
        counts, given, _ = case
        _same(corrections_from_counts(counts, given.astype(dtype)), corrections_from_counts(counts, given))
        _same(corrections_from_counts(counts.astype(float), given), corrections_from_counts(counts, given))

    @SETTINGS
    @given(case=vote_tables(), words=st.lists(st.text(min_size=1, max_size=4), min_size=5, max_size=5, unique=True))
    def test_renaming_classes_and_reordering_columns_renames_the_corrections(self, case, words):
        """Texts for classes, with the count columns in any order and ``classes`` saying which is which,
        rename the corrections wherever no tie between other classes than the given one is broken."""
        counts, given, rng = case
        k = counts.shape[1]
        ref = corrections_from_counts(counts, given)
        cols = rng.permutation(k)
        names = np.array(words[:k], dtype=object)
        got = corrections_from_counts(counts[:, cols], names[given], classes=names[cols])
        ok = _untied_or_given(counts, given)
        want = np.array([None if v is None else names[v] for v in ref.corrected], dtype=object)
        assert list(got.corrected[ok]) == list(want[ok])
        np.testing.assert_array_equal(got.soft_labels, ref.soft_labels[:, cols])

    @SETTINGS
    @given(case=vote_tables())
    def test_a_tie_with_the_given_label_keeps_it_and_no_votes_exclude(self, case):
        """The given label stays where it has the most votes (tied or not); rows with no votes are None;
        soft labels are the vote shares (one-hot on the given label without votes)."""
        counts, given, _ = case
        got = corrections_from_counts(counts, given)
        total = counts.sum(axis=1)
        keep = counts[np.arange(len(given)), given] == counts.max(axis=1)
        for i in range(len(given)):
            if total[i] == 0:
                assert got.corrected[i] is None
                np.testing.assert_array_equal(got.soft_labels[i], np.eye(counts.shape[1])[given[i]])
            else:
                assert counts[i, got.corrected[i]] == counts[i].max()
                if keep[i]:
                    assert got.corrected[i] == given[i]
                np.testing.assert_allclose(got.soft_labels[i], counts[i] / total[i])

    @SETTINGS
    @given(case=vote_tables(), what=st.sampled_from(["negative", "nan", "short", "1d"]))
    def test_bad_counts_are_refused_naming_counts(self, case, what):
        """Negative or NaN counts, a row too few and 1-D counts raise a labelwise error naming ``counts``."""
        counts, given, _ = case
        c = counts.astype(float)
        if what == "negative":
            c[0, 0] = -1
        elif what == "nan":
            c[-1, -1] = np.nan
        elif what == "short":
            c = np.vstack([c, c[:1]])
        else:
            c = c[:, 0]
        with pytest.raises(LabelwiseError, match="counts"):
            corrections_from_counts(c, given)


#: Label texts a CSV reader would read as missing (pandas' and Arrow's markers); a class with such a
#: name cannot be told from an empty cell in a CSV file, so the CSV case leaves them out.
MISSING_MARKERS = {"", "NA", "N/A", "n/a", "NaN", "nan", "-nan", "-NaN", "null", "NULL", "None", "#N/A", "#NA", "<NA>"}
MISSING_MARKERS |= {"#N/A N/A", "-1.#IND", "-1.#QNAN", "1.#IND", "1.#QNAN"}


@st.composite
def fixed_labels(draw):
    """Given labels (texts, ints of any width, or booleans) and a table of fixed labels for some rows."""
    kind = draw(st.sampled_from(["text", "int32", "int64", "bool"]))
    n = draw(st.integers(1, 12))
    if kind == "text":
        alphabet = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))
        pool = draw(st.lists(st.text(alphabet, min_size=1, max_size=5), min_size=1, max_size=4, unique=True))
        pool = [t for t in pool if t.strip() == t and t not in MISSING_MARKERS] or ["a"]
        values = st.sampled_from(pool)
    elif kind == "bool":
        values = st.booleans()
    else:
        values = st.integers(-(2**31), 2**31 - 1)
    given = draw(st.lists(values, min_size=n, max_size=n))
    rows = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    new = draw(st.lists(values, min_size=len(rows), max_size=len(rows)))
    dtype = {"text": object, "int32": np.int32, "int64": np.int64, "bool": bool}[kind]
    return np.array(given, dtype=dtype), rows, new


class TestReadCorrections:
    @SETTINGS
    @given(case=fixed_labels(), suffix=st.sampled_from([".csv", ".parquet", ".jsonl"]))
    def test_a_written_table_of_fixed_labels_reads_back_as_written(self, case, suffix, tmp_path_factory):
        """Each listed row gets the label written, of the given labels' type; the others keep theirs."""
        given, rows, new = case
        path = tmp_path_factory.mktemp("c") / f"fixed{suffix}"
        table = pd.DataFrame({"row": rows, "label": pd.Series(new, dtype=object)})
        if suffix == ".csv":
            table.to_csv(path, index=False)
        elif suffix == ".parquet":
            table.astype({"label": type(new[0]) if given.dtype != object else str}).to_parquet(path)
        else:
            table.to_json(path, orient="records", lines=True, force_ascii=False)
        want = given.astype(object).tolist()
        for r, v in zip(rows, new, strict=True):
            want[r] = v
        got = read_corrections(path, given).corrected.tolist()
        assert got == want
        assert [type(v) for v in got] == [type(v) for v in want]
