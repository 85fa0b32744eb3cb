"""Properties of ``relabelled_column``: relabelling rows to the values they hold changes nothing,
the order in which the relabels are given does not matter, relabelling in two batches is
relabelling at once, and the rows not relabelled keep their values."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from labelwise.review._label_dtype import relabelled_column

#: Columns of each label dtype the export meets, and the values their cells take.
COLUMNS = {
    "int64": (np.int64, [0, 1, 2, 7]),
    "int32": (np.int32, [0, 1, 2, 7]),
    "Int64": ("Int64", [0, 1, 2, None]),
    "float64": (np.float64, [0.0, 0.5, 2.0, -1.25]),
    "bool": (bool, [True, False]),
    "string": ("string", ["cat", "dog", "1"]),
    "object": (object, ["cat", "dog", 3]),
    "category": ("category", ["cat", "dog", "emu"]),
    "ordered": (pd.CategoricalDtype(["low", "mid", "high"], ordered=True), ["low", "mid", "high"]),
    "int categories": (pd.CategoricalDtype([3, 1, 2]), [1, 2, 3]),
}
#: JSON scalars a reviewer's relabel can be: texts, integers, floats, booleans.
LABELS = ["cat", "dog", "zebra", "1", "low", 0, 1, 2, 3, 7, 2**40, 0.5, 2.0, 2.5, True, False]


@st.composite
def cases(draw):
    """A column of one dtype and a few distinct rows with JSON labels."""
    name = draw(st.sampled_from(sorted(COLUMNS)))
    dtype, cells = COLUMNS[name]
    n = draw(st.integers(1, 8))
    column = pd.Series(draw(st.lists(st.sampled_from(cells), min_size=n, max_size=n)), name="label", dtype=dtype)
    rows = draw(st.lists(st.integers(0, n - 1), unique=True, min_size=1, max_size=n))
    labels = draw(st.lists(st.sampled_from(LABELS), min_size=len(rows), max_size=len(rows)))
    return column, np.array(rows), labels


def _relabel(column: pd.Series, rows, labels) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return relabelled_column(column, np.asarray(rows, dtype=np.int64), np.array(labels, dtype=object))


def _as_json(value):
    """A cell as the JSON value the review store returns for it."""
    return value.item() if hasattr(value, "item") else value


def _same(got: pd.Series, expected: pd.Series) -> None:
    assert got.dtype == expected.dtype
    pd.testing.assert_series_equal(got, expected, check_exact=True)


@settings(max_examples=80, deadline=None)
@given(case=cases())
def test_relabelling_rows_to_their_own_values_changes_nothing(case):
    """Every row given back the JSON value it holds (a missing cell left alone): the same column,
    dtype (categories and their order) included. An ``object`` column has no type to keep: it
    becomes the type pandas infers for its values (``str`` for texts), as documented."""
    column, _, _ = case
    rows = np.flatnonzero(column.notna().to_numpy())
    if rows.size == 0:
        return
    labels = [_as_json(v) for v in column.iloc[rows]]
    _same(_relabel(column, rows, labels), column.infer_objects() if column.dtype == object else column)


@settings(max_examples=80, deadline=None)
@given(case=cases(), data=st.data())
def test_the_order_of_the_relabels_does_not_matter(case, data):
    """The same (row, label) pairs in another order give the same column, dtype included, except
    that new categories are added in the order they are first given (documented)."""
    column, rows, labels = case
    perm = np.array(data.draw(st.permutations(range(len(rows))), label="perm"))
    got = _relabel(column, rows[perm], [labels[i] for i in perm])
    expected = _relabel(column, rows, labels)
    if isinstance(expected.dtype, pd.CategoricalDtype):
        assert set(got.cat.categories) == set(expected.cat.categories)
        assert got.dtype.ordered == expected.dtype.ordered
        assert got.astype(object).tolist() == expected.astype(object).tolist()
    else:
        _same(got, expected)


@settings(max_examples=80, deadline=None)
@given(case=cases(), cut=st.integers(0, 8))
@example(  # a first batch's 0.5 made the integer categories floats, so the second's categories differed
    case=(pd.Series([1] * 4, dtype=pd.CategoricalDtype([3, 1, 2]), name="label"), np.arange(4), ["1", "1", 0.5, "cat"]),
    cut=3,
)
@example(  # "1" then 1 at once: two new categories ("1" and 1); in two batches 1 took the category "1"
    case=(pd.Series(["cat"] * 3, dtype="category", name="label"), np.arange(3), ["1", 1, "cat"]),
    cut=1,
)
@example(  # True matched the category 1 among [3, 1, 2, "cat"] (object: True == 1), not among [3, 1, 2]
    case=(pd.Series([1, 1], dtype=pd.CategoricalDtype([3, 1, 2]), name="label"), np.arange(2), ["cat", True]),
    cut=1,
)
def test_two_batches_are_one(case, cut):
    """Relabelling some rows and then the others gives what relabelling them all at once gives."""
    column, rows, labels = case
    cut = min(cut, len(rows))
    twice = _relabel(_relabel(column, rows[:cut], labels[:cut]), rows[cut:], labels[cut:])
    _same(twice, _relabel(column, rows, labels))


@settings(max_examples=80, deadline=None)
@given(case=cases())
@example(case=(pd.Series([1, 2], dtype=pd.CategoricalDtype([3, 1, 2]), name="label"), np.array([0]), [True]))
def test_rows_not_relabelled_keep_their_values(case):
    """Rows outside ``rows`` hold the values they held (compared as objects: the dtype may change)."""
    column, rows, labels = case
    out = _relabel(column, rows, labels)
    others = np.setdiff1d(np.arange(len(column)), rows)
    before, after = column.iloc[others].astype(object).tolist(), out.iloc[others].astype(object).tolist()
    assert [None if pd.isna(v) else v for v in after] == [None if pd.isna(v) else v for v in before]


def test_true_among_integer_categories_changes_the_dtype_and_says_so():
    """A relabel to ``True`` in a categorical of integers raised pandas' ValueError ("new categories
    must not include old categories: {True}": ``True == 1``); the column becomes objects, with the
    warning of a label of another type."""
    column = pd.Series([1, 3, 2], dtype=pd.CategoricalDtype([3, 1, 2]), name="label")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = relabelled_column(column, np.array([0]), np.array([True], dtype=object))
    assert out.tolist() == [True, 3, 2] and type(out.iloc[0]) is bool and out.dtype == object
    assert any("which is not a value of that type" in str(w.message) for w in caught)


def test_a_new_float_category_keeps_the_integer_categories_integers():
    """Relabelling a row of integer categories to 0.5 made every category a float (3 read back as
    3.0); the old categories stay integers, the new one after them."""
    column = pd.Series([1, 3], dtype=pd.CategoricalDtype([3, 1, 2]), name="label")
    out = _relabel(column, [0], [0.5])
    assert out.cat.categories.tolist() == [3, 1, 2, 0.5]
    assert [type(c) for c in out.cat.categories] == [int, int, int, float]
    assert [type(v) for v in out.tolist()] == [float, int]


def test_a_label_given_as_text_and_as_a_number_is_one_new_category():
    """Relabels "1" and 1 in one review of a categorical of words added two categories ("1" and 1),
    while in two reviews 1 took the category "1" by its text; one new category either way."""
    column = pd.Series(["cat", "cat", "dog"], dtype="category", name="label")
    out = _relabel(column, [0, 1], ["1", 1])
    assert out.cat.categories.tolist() == ["cat", "dog", "1"]
    assert out.tolist() == ["1", "1", "dog"]


def test_a_number_then_its_text_is_the_same_new_category_as_the_text_then_the_number():
    """1 then "1" made the new category 1, "1" then 1 made it "1" (hypothesis found it): among text
    categories a number is added as its text, whichever comes first; among integer categories a
    whole-number text as its integer."""
    words = pd.Series(["cat", "cat", "dog"], dtype="category", name="label")
    for labels in (["1", 1], [1, "1"]):
        out = _relabel(words, [0, 1], labels)
        assert out.cat.categories.tolist() == ["cat", "dog", "1"] and out.tolist() == ["1", "1", "dog"]
    numbers = pd.Series([3, 1], dtype=pd.CategoricalDtype([3, 1, 2]), name="label")
    for labels in (["5", 5], [5, "5"]):
        out = _relabel(numbers, [0, 1], labels)
        assert out.cat.categories.tolist() == [3, 1, 2, 5] and out.tolist() == [5, 5]
