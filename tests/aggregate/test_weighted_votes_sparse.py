"""Wawa, zero-based skill and gold majority vote over more classes than a dense items x classes table holds:
their weighted votes are summed on the answered (item, label) cells, and every result is the dense path's, bit
for bit (the same shares, ties, draws, skills and iterations)."""

from __future__ import annotations

import functools
import operator

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import GoldMajorityVote, Wawa, ZeroBasedSkill, _sparse_votes
from labelwise.aggregate._answers import encode_answers
from labelwise.aggregate._sparse_votes import (
    DenseTooLargeError,
    answer_cells,
    sparse_weighted_shares,
    vote_totals,
)
from labelwise.aggregate.majority import weighted_vote_shares
from labelwise.errors import AnnotationError
from tests.aggregate.test_majority_sparse import assert_same_fit, tables  # random small answer tables


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


class TestSparseWeightedShares:
    @settings(max_examples=80, deadline=None)
    @given(table=tables, weights=st.lists(st.sampled_from([0.0, 0.1, 0.2, 1 / 3, 0.7, 1.0, 2.5]), min_size=7))
    def test_equal_the_dense_weighted_shares_bit_for_bit(self, table, weights):
        """Any non-negative weights, zeros included (items whose weights are all 0 take their plain votes)."""
        enc = encode_answers(table)
        w = np.asarray(weights[: enc.n_annotators])
        cells = answer_cells(enc)
        shares = sparse_weighted_shares(enc, cells, w)
        np.testing.assert_array_equal(shares.toarray(), weighted_vote_shares(enc, w))
        assert (shares.data > 0).all() and shares.has_sorted_indices
        np.testing.assert_array_equal(sparse_weighted_shares(enc, cells).toarray(), weighted_vote_shares(enc))
        np.testing.assert_array_equal(shares.toarray(), sparse_weighted_shares(enc, cells, w).toarray())

    @pytest.mark.parametrize("k", [3, 64, 65, 300])
    def test_equal_the_dense_shares_with_many_classes(self, k):
        """Past 64 classes the dense totals add the answers' weights: still the sparse cells' bits, zero-weight
        items' fallback included."""
        g = np.random.default_rng(k)
        n = 4000
        table = pd.DataFrame(
            {"item": g.integers(0, 150, n), "annotator": g.integers(0, 40, n), "label": g.integers(0, k, n)}
        )
        enc = encode_answers(table)
        w = g.random(enc.n_annotators) * (g.random(enc.n_annotators) < 0.8)
        one = np.zeros(enc.n_annotators)
        one[0] = 0.7  # items that annotator 0 did not answer take the fallback weights
        fallback = g.random(enc.n_annotators) + 0.01
        for weights, also in ((w, None), (one, None), (one, fallback)):
            shares = sparse_weighted_shares(enc, answer_cells(enc), weights, also)
            np.testing.assert_array_equal(shares.toarray(), weighted_vote_shares(enc, weights, also))

    @pytest.mark.parametrize("k", [2, 5, 64])
    def test_vote_totals_add_each_row_from_left_to_right(self, k):
        """Up to 64 classes each row's total is ``((a0 + a1) + a2) + ...``, bit for bit."""
        g = np.random.default_rng(k)
        table = pd.DataFrame({"item": np.arange(50).repeat(k), "annotator": 0, "label": np.tile(np.arange(k), 50)})
        a = g.random((50, k)) ** 3 * (g.random((50, k)) < 0.5) * 10.0 ** g.integers(-8, 8, (50, k))
        expected = np.array([functools.reduce(operator.add, row.tolist()) for row in a])
        np.testing.assert_array_equal(vote_totals(encode_answers(table), a, np.ones(50 * k)), expected)

    def test_each_answer_is_in_its_own_cell(self):
        """``of_answer`` points every answer at the stored (item, label) cell it votes for."""
        table = pd.DataFrame({"item": [2, 0, 2, 2, 0], "annotator": list("abcab"), "label": ["y", "x", "z", "y", "x"]})
        enc = encode_answers(table)
        cells = answer_cells(enc)
        rows = np.repeat(np.arange(enc.n_items), np.diff(cells.indptr))
        np.testing.assert_array_equal(rows[cells.of_answer], enc.item_idx)
        np.testing.assert_array_equal(cells.cols[cells.of_answer], enc.label_idx)
        assert cells.cols.size == 3 and cells.shape == (2, 3)


class TestWeightedVotesAboveTheBudget:
    @settings(max_examples=60, deadline=None)
    @given(
        table=tables,
        seed=st.integers(0, 1000),
        method=st.sampled_from([Wawa, ZeroBasedSkill]),
        shared_generator=st.booleans(),
    )
    def test_fit_equals_the_dense_fit(self, table, seed, method, shared_generator, monkeypatch_module):
        """With the budget at 0 bytes every fit is sparse: shares, labels, codes, skills, iterations and the
        generator's next draw (a Generator passed as random_state) are the dense fit's."""
        state = (lambda: np.random.default_rng(seed)) if shared_generator else (lambda: seed)
        dense_state, sparse_state = state(), state()
        dense = method(random_state=dense_state).fit(table)
        with monkeypatch_module.context() as patch:
            patch.setattr(_sparse_votes, "DENSE_BYTES_LIMIT", 0)
            sparse = method(random_state=sparse_state).fit(table)
        assert_same_fit(sparse, dense)
        if len(dense.classes_) > 1:  # (one class is answered without a fit)
            np.testing.assert_array_equal(sparse.skills_, dense.skills_)
        assert (sparse.n_iter_, sparse.converged_) == (dense.n_iter_, dense.converged_)
        if shared_generator:
            assert sparse_state.random() == dense_state.random()

    @pytest.mark.parametrize("method", [Wawa, ZeroBasedSkill])
    def test_probas_is_refused_with_its_size(self, method, monkeypatch):
        """Reading probas_ of a sparse fit names the dense table and probas_sparse_, as for majority vote."""
        monkeypatch.setattr(_sparse_votes, "DENSE_BYTES_LIMIT", 1000)
        answers = pd.DataFrame(
            {"item": np.arange(300) // 3, "annotator": np.arange(300) % 3, "label": np.arange(300) % 150}
        )
        est = method().fit(answers)
        with pytest.raises(DenseTooLargeError, match=r"100 items x 150 classes.*probas_sparse_"):
            _ = est.probas_
        assert est.probas_sparse_.shape == (100, 150)
        np.testing.assert_allclose(np.asarray(est.probas_sparse_.sum(axis=1)).ravel(), 1.0)


class TestGoldMajorityVoteAboveTheBudget:
    @pytest.mark.filterwarnings("ignore::labelwise.errors.LabelwiseWarning")  # gold labels no answer uses
    @settings(max_examples=60, deadline=None)
    @given(
        table=tables,
        seed=st.integers(0, 1000),
        gold_share=st.sampled_from([0.2, 0.5, 1.0]),
        missing=st.sampled_from([("ignore", None), ("value", 0.0), ("value", 0.5)]),
    )
    def test_fit_equals_the_dense_fit(self, table, seed, gold_share, missing, monkeypatch_module):
        """Gold-weighted votes on the answered cells: shares bit for bit, labels, codes and skills as the dense
        fit's, zero-skill items (plain vote of the answers kept) included; the same error where the dense fit
        refuses."""
        g = np.random.default_rng(seed)
        items = np.unique(table["item"])
        gold = pd.Series(g.integers(0, 4, items.size), index=items)[g.random(items.size) < gold_share]
        if gold.empty:
            gold = pd.Series([0], index=items[:1])
        params = {"gold": gold, "on_missing_skill": missing[0], "default_skill": missing[1], "random_state": seed}
        fits = []
        for limit in (1 << 31, 0):
            with monkeypatch_module.context() as patch:
                patch.setattr(_sparse_votes, "DENSE_BYTES_LIMIT", limit)
                try:
                    fits.append(GoldMajorityVote(**params).fit(table))
                except AnnotationError as err:
                    fits.append(str(err))
        dense, sparse = fits
        if isinstance(dense, str):
            assert sparse == dense
            return
        assert_same_fit(sparse, dense)
