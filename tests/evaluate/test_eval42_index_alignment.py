"""pandas inputs of ``labelwise.evaluate`` are matched to the labels by index, as pandas does (session 42).

On main a Series of predictions was read by position: predictions indexed 5..0 beside labels indexed
0..5 scored each prediction against another item's label without a word.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import ShapeMismatchError
from labelwise.evaluate import (
    corrected_benchmark,
    corrections_from_counts,
    kendall_tau,
    slice_scores,
    spearman_rho,
    tau_ap,
)


def _data(n: int = 60, seed: int = 0):
    rng = np.random.default_rng(seed)
    index = pd.Index([f"img{i:03d}" for i in rng.permutation(n)], name="item")
    given_ = pd.Series(rng.integers(0, 3, n), index=index)
    fixed = given_.where(rng.random(n) > 0.2, (given_ + 1) % 3)
    pred = given_.where(rng.random(n) > 0.3, (given_ + 2) % 3)
    return rng, given_, fixed, pred


class TestCorrectedBenchmark:
    def test_series_in_another_row_order_are_matched_by_index(self):
        """Predictions, corrections and soft labels in reverse row order score as the aligned arrays (main read them
        by position: another item's label for each prediction)."""
        rng, given_, fixed, pred = _data()
        soft = pd.DataFrame(rng.dirichlet(np.ones(3), len(given_)), index=given_.index)
        want = corrected_benchmark(
            {"m": pred.to_numpy()}, given_.to_numpy(), fixed.to_numpy(), soft_labels=soft.to_numpy()
        ).table
        got = corrected_benchmark({"m": pred.iloc[::-1]}, given_, fixed.iloc[::-1], soft_labels=soft.iloc[::-1]).table
        pd.testing.assert_frame_equal(got, want)
        positional = corrected_benchmark({"m": pred.iloc[::-1].to_numpy()}, given_, fixed).table
        assert positional.loc["m", "original"] != want.loc["m", "original"]  # the arrays are still paired by position

    def test_a_frame_of_probabilities_and_a_frame_of_models_are_matched_by_index(self):
        """A DataFrame of probabilities per model, and a DataFrame with a column per model, follow the labels' index."""
        rng, given_, fixed, pred = _data()
        probs = pd.DataFrame(np.eye(3)[pred.to_numpy()] * 0.7 + 0.1, index=given_.index, columns=[0, 1, 2])
        want = corrected_benchmark({"m": pred.to_numpy()}, given_.to_numpy(), fixed.to_numpy()).table
        shuffled = rng.permutation(len(given_))
        got = corrected_benchmark({"m": probs.iloc[shuffled]}, given_, fixed).table
        pd.testing.assert_frame_equal(got, want)
        frame = pd.DataFrame({"m": pred}).iloc[shuffled]
        pd.testing.assert_frame_equal(corrected_benchmark(frame, given_, fixed).table, want)

    def test_an_index_with_other_keys_names_the_parameter_and_some_keys(self):
        """A Series indexed 0..n-1 beside labels indexed by image ids is an error naming the model and the keys."""
        _, given_, fixed, pred = _data(8)
        with pytest.raises(
            ShapeMismatchError,
            match=r"predictions of model 'm' must have one row per index key of "
            r"given .* no row for 'img\d{3}', .* and 3 more \(8 keys\); give arrays",
        ):
            corrected_benchmark({"m": pred.reset_index(drop=True)}, given_, fixed)
        with pytest.raises(ShapeMismatchError, match=r"corrected must have one row per index key of given"):
            corrected_benchmark({"m": pred}, given_, fixed.iloc[:-1])
        with pytest.raises(ShapeMismatchError, match=r"rows for keys given lacks: 'extra'"):
            corrected_benchmark({"m": pred}, given_, pd.concat([fixed, pd.Series([0], index=["extra"])]))

    def test_a_repeated_key_is_refused(self):
        """Labels whose index repeats a key cannot be matched by index: the error says so and names the key."""
        _, given_, fixed, pred = _data(6)
        twice = given_.set_axis([*given_.index[:-1], given_.index[0]])
        with pytest.raises(ShapeMismatchError, match=r"given's index repeats the key 'img\d{3}'"):
            corrected_benchmark({"m": pred}, twice, fixed)

    @settings(max_examples=25, deadline=None)
    @given(seed=st.integers(0, 10_000), n=st.integers(5, 40))
    def test_any_row_order_of_the_pandas_inputs_gives_the_arrays_table(self, seed, n):
        """Each pandas input shuffled on its own gives the table of the aligned arrays (property)."""
        rng, given_, fixed, pred = _data(n, seed)
        want = corrected_benchmark({"m": pred.to_numpy()}, given_.to_numpy(), fixed.to_numpy(), classes=[0, 1, 2]).table
        got = corrected_benchmark(
            {"m": pred.iloc[rng.permutation(n)]},
            given_.iloc[rng.permutation(n)],
            fixed.iloc[rng.permutation(n)],
            classes=[0, 1, 2],
        ).table
        pd.testing.assert_frame_equal(got, want)


class TestOtherFunctions:
    def test_slice_scores_matches_predictions_slices_and_issues_by_index(self):
        """y_pred, probs, slices (a frame or a mapping of masks), issues and label quality follow y_true's index."""
        rng, given_, _, pred = _data(80)
        mask = pd.Series(rng.random(80) < 0.4, index=given_.index)
        issues = pd.Series(rng.random(80) < 0.1, index=given_.index)
        quality = pd.Series(rng.random(80), index=given_.index)
        want = slice_scores(
            given_.to_numpy(),
            pred.to_numpy(),
            {"s": mask.to_numpy()},
            issues=issues.to_numpy(),
            label_quality=quality.to_numpy(),
        ).table
        back = slice(None, None, -1)
        got = slice_scores(
            given_,
            pred.iloc[back],
            mask.iloc[back].to_frame("s"),
            issues=issues.iloc[back],
            label_quality=quality.iloc[back],
        ).table
        pd.testing.assert_frame_equal(got, want)
        probs = pd.DataFrame(np.eye(3)[pred.to_numpy()] * 0.7 + 0.1, index=given_.index)
        got = slice_scores(given_, None, {"s": mask.iloc[back]}, probs=probs.iloc[back]).table
        pd.testing.assert_frame_equal(
            got, slice_scores(given_.to_numpy(), pred.to_numpy(), {"s": mask.to_numpy()}).table
        )
        with pytest.raises(ShapeMismatchError, match=r"slice 's' must have one row per index key of y_true"):
            slice_scores(given_, pred, {"s": mask.reset_index(drop=True)})

    def test_corrections_from_counts_matches_a_count_frame_by_index(self):
        """A vote-count DataFrame in another row order corrects the items it counts, not those at its positions."""
        rng, given_, _, _ = _data(30)
        counts = pd.DataFrame(rng.integers(0, 4, (30, 3)), index=given_.index)
        want = corrections_from_counts(counts.to_numpy(), given_.to_numpy())
        got = corrections_from_counts(counts.iloc[::-1], given_)
        assert list(got.corrected) == list(want.corrected)
        np.testing.assert_array_equal(got.soft_labels, want.soft_labels)

    def test_score_lists_given_as_series_are_matched_by_system(self):
        """kendall_tau, spearman_rho and tau_ap of two Series compare each system with itself, not by position."""
        a = pd.Series({"bm25": 0.41, "dense": 0.52, "hybrid": 0.55, "splade": 0.50})
        b = pd.Series({"splade": 0.53, "hybrid": 0.58, "dense": 0.50, "bm25": 0.45})
        same = b[a.index]
        assert kendall_tau(a, b) == kendall_tau(a.to_numpy(), same.to_numpy())
        assert spearman_rho(a, b) == spearman_rho(a.to_numpy(), same.to_numpy())
        assert tau_ap(a, b) == tau_ap(a.to_numpy(), same.to_numpy())
        assert kendall_tau(a.to_numpy(), b.to_numpy()) != kendall_tau(a, b)  # arrays: by position
