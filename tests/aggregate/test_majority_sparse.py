"""Majority vote over more classes than a dense items x classes table holds: the votes are counted on the
answered (item, label) cells, the labels are the dense path's (same ties, same draws), and ``probas_`` is
refused with its size instead of a raw numpy MemoryError."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import MajorityVote, _sparse_votes
from labelwise.aggregate._answers import encode_answers
from labelwise.aggregate._base import TIE_RTOL, argmax_random_ties
from labelwise.aggregate._sparse_votes import (
    DenseTooLargeError,
    sparse_argmax_random_ties,
    sparse_vote_shares,
)
from labelwise.aggregate.majority import weighted_vote_shares
from labelwise.errors import LabelwiseError


def _table(seed: int, n: int, n_items: int, k: int) -> pd.DataFrame:
    g = np.random.default_rng(seed)
    return pd.DataFrame(
        {"item": g.integers(0, n_items, n), "annotator": g.integers(0, 7, n), "label": g.integers(0, k, n)}
    )


tables = st.builds(
    _table,
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 80),
    n_items=st.integers(1, 20),
    k=st.integers(2, 9),
)


class TestSparseVotes:
    @settings(max_examples=60, deadline=None)
    @given(table=tables, seed=st.integers(0, 2**32 - 1), pcg=st.booleans())
    def test_sparse_tie_rule_draws_the_dense_rules_labels_and_leaves_the_generator_where_it_does(
        self, table, seed, pcg
    ):
        """Shares equal the dense shares' nonzero cells; codes and the generator's next draw are the dense rule's."""
        enc = encode_answers(table)
        dense = weighted_vote_shares(enc)
        shares = sparse_vote_shares(enc)
        np.testing.assert_array_equal(shares.toarray(), dense)
        make = np.random.default_rng if pcg else (lambda s: np.random.Generator(np.random.MT19937(s)))
        r_dense, r_sparse = make(seed), make(seed)
        expect = argmax_random_ties(dense, r_dense)
        np.testing.assert_array_equal(sparse_argmax_random_ties(shares, r_sparse, rtol=TIE_RTOL), expect)
        assert r_sparse.random() == r_dense.random()

    @settings(max_examples=40, deadline=None)
    @given(table=tables, seed=st.integers(0, 1000), order=st.randoms(use_true_random=False))
    def test_majority_vote_above_the_byte_budget_gives_the_dense_labels_in_any_row_order(
        self, table, seed, order, monkeypatch_module
    ):
        """With the budget at 0 bytes every fit is sparse: labels, codes and skills are the dense fit's, rows permuted or not."""
        dense = MajorityVote(random_state=seed).fit(table)
        rows = list(range(len(table)))
        order.shuffle(rows)
        with monkeypatch_module.context() as patch:
            patch.setattr(_sparse_votes, "DENSE_BYTES_LIMIT", 0)
            for answers in (table, table.iloc[rows]):
                assert_same_fit(MajorityVote(random_state=seed).fit(answers), dense)


def assert_same_fit(sparse, dense) -> None:
    """A fit that kept its shares sparse equals the dense fit: shares, labels, codes, skills, answer counts."""
    if len(dense.classes_) > 1:  # (one class is answered without a fit)
        assert "probas_" not in vars(sparse)
        np.testing.assert_array_equal(sparse.probas_sparse_.toarray(), dense.probas_.to_numpy())
    pd.testing.assert_series_equal(sparse.labels_, dense.labels_)
    np.testing.assert_array_equal(sparse.label_codes_, dense.label_codes_)
    pd.testing.assert_series_equal(sparse.annotator_skill_, dense.annotator_skill_)
    pd.testing.assert_series_equal(sparse.n_answers_per_item_, dense.n_answers_per_item_)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_probas_of_a_sparse_fit_is_refused_with_its_size_and_the_fix(monkeypatch):
    """Reading probas_ names the dense table's shape and bytes, the budget, and probas_sparse_; getattr's default still works."""
    monkeypatch.setattr(_sparse_votes, "DENSE_BYTES_LIMIT", 1000)
    answers = pd.DataFrame({"item": np.arange(300) // 3, "annotator": np.arange(300) % 3, "label": np.arange(300)})
    mv = MajorityVote().fit(answers)
    with pytest.raises(LabelwiseError) as err:
        _ = mv.probas_
    assert isinstance(err.value, DenseTooLargeError)
    message = str(err.value)
    assert "100 items x 300 classes" in message and "0.0 GiB" in message and "probas_sparse_" in message
    assert "DENSE_BYTES_LIMIT" in message
    assert getattr(mv, "probas_", None) is None
    assert mv.probas_sparse_.shape == (100, 300) and mv.probas_sparse_.nnz == 300
    assert (mv.labels_.to_numpy() == mv.classes_[mv.label_codes_]).all()


def test_a_fit_below_the_budget_after_one_above_has_dense_probas_again(monkeypatch):
    """Refitting the same estimator on a small table builds probas_ and drops the old sparse shares."""
    answers = pd.DataFrame({"item": [0, 0, 1], "annotator": [0, 1, 0], "label": ["a", "b", "b"]})
    mv = MajorityVote()
    monkeypatch.setattr(_sparse_votes, "DENSE_BYTES_LIMIT", 0)
    mv.fit(answers)
    monkeypatch.setattr(_sparse_votes, "DENSE_BYTES_LIMIT", 1 << 31)
    mv.fit(answers)
    assert "probas_sparse_" not in vars(mv) and mv.probas_.shape == (2, 2)
