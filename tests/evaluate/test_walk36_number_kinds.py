"""corrected_benchmark with given and corrected labels written as different kinds of number (session 36's walk)."""

from __future__ import annotations

import numpy as np

import labelwise as lw


def _case(seed: int = 0):
    rng = np.random.default_rng(seed)
    given = rng.integers(0, 4, 300)
    corrected = given.copy()
    fixed = rng.choice(300, 30, replace=False)
    corrected[fixed] = (given[fixed] + 1) % 4
    probs = {name: rng.dirichlet(np.ones(4), 300) for name in ("a", "b")}
    return probs, given, corrected, fixed


class TestNumbersOfTwoKinds:
    def test_float_given_labels_and_integer_corrections_are_the_same_classes(self):
        """A label column of floats that are whole numbers (0.0..3.0, as pandas reads a column with an
        empty cell) beside integer corrections: each corrected 3 became a class of its own beside 3.0,
        and pandas raised InvalidIndexError ('Reindexing only valid with uniquely valued Index')."""
        probs, given, corrected, _ = _case()
        expected = lw.evaluate.corrected_benchmark(probs, given, corrected, seeds=2).table
        got = lw.evaluate.corrected_benchmark(probs, given.astype(float), corrected, seeds=2)
        assert list(got.classes) == [0.0, 1.0, 2.0, 3.0]
        np.testing.assert_allclose(got.table.to_numpy(dtype=float), expected.to_numpy(dtype=float))

    def test_corrections_as_floats_with_nan_for_excluded_items(self):
        """``corrected = given.astype(float); corrected[bad] = np.nan`` (NaN: no agreed label) beside integer
        given labels: the same crash; now the excluded item is dropped and the rest scored as with integers."""
        probs, given, corrected, fixed = _case(1)
        as_float = corrected.astype(float)
        as_float[fixed[0]] = np.nan
        as_object = corrected.astype(object)
        as_object[fixed[0]] = None
        expected = lw.evaluate.corrected_benchmark(probs, given, as_object, seeds=2).table
        got = lw.evaluate.corrected_benchmark(probs, given, as_float, seeds=2).table
        np.testing.assert_allclose(got.to_numpy(dtype=float), expected.to_numpy(dtype=float))
