"""Tests of how the weak label models break exact ties between classes: one seeded draw per tied item,
the items in sorted order, as :class:`labelwise.aggregate.MajorityVote` does (session 49)."""

from __future__ import annotations

import warnings
from unittest import mock

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import DawidSkene, MajorityVote
from labelwise.aggregate._base import argmax_random_ties
from labelwise.weak import DawidSkeneLabelModel, LabelModel, MajorityClassVoter, MajorityLabelVoter
from labelwise.weak._posterior import item_argmax, sorted_positions
from tests.weak.test_missing_guard import shared_trigger_rules

MODELS = {
    "label-model": LabelModel,
    "dawid-skene": DawidSkeneLabelModel,
    "majority-label": MajorityLabelVoter,
    "majority-class": lambda **kw: MajorityClassVoter(class_balance="uniform", **kw),
}


def _tied_votes(copies: int = 30) -> np.ndarray:
    """Two interchangeable functions: the items they split on are exact ties between the classes."""
    return np.array([[0, 1], [1, 0], [0, 0], [1, 1]] * copies)


def _tied(model: LabelModel) -> np.ndarray:
    top = np.sort(model.probas_.to_numpy(), axis=1)
    return top[:, -1] - top[:, -2] <= 1e-12


def _table(matrix: np.ndarray, items: np.ndarray | None = None) -> pd.DataFrame:
    """The long table (item, labeler, label) of a vote matrix (-1 = abstain); items named ``items``."""
    rows, cols = np.nonzero(matrix >= 0)
    names = np.arange(len(matrix)) if items is None else np.asarray(items)
    return pd.DataFrame({"item": names[rows], "labeler": [f"lf{c}" for c in cols], "label": matrix[rows, cols]})


def _mv_labels(table: pd.DataFrame, random_state: int) -> pd.Series:
    return MajorityVote(random_state=random_state).fit(table.rename(columns={"labeler": "annotator"})).labels_


def _labels(model) -> pd.Series:
    """A fitted model's labels (the baselines have no ``labels_``: their ``predict`` on the fit's votes)."""
    return model.labels_ if hasattr(model, "labels_") else model.predict(model._fit_votes)


def _fit(name: str, votes, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a fallback or "did not converge": part of the fit
        model = MODELS[name](**kw).fit(votes)
    model._fit_votes = votes
    return model


@st.composite
def tied_tables(draw):
    """Long vote tables with many exact ties: up to 60 items named by distinct random integers,
    2-6 labelers voting at random among 2-3 classes, plus three unanimous items per class; rows
    shuffled. Returns ``(table, k)``."""
    k, n_lf, n = draw(st.integers(2, 3)), draw(st.integers(2, 6)), draw(st.integers(1, 60))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    matrix = np.where(rng.random((n, n_lf)) < 0.6, rng.integers(0, k, (n, n_lf)), -1)
    matrix[np.arange(n), rng.integers(0, n_lf, n)] = rng.integers(0, k, n)  # every item a vote
    unanimous = np.repeat(np.arange(k), 3)[:, None] * np.ones((1, n_lf), dtype=np.int64)
    matrix = np.concatenate([matrix, unanimous])
    names = rng.choice(10**6, size=len(matrix), replace=False)
    table = _table(matrix, names)
    return table.sample(frac=1.0, random_state=int(rng.integers(2**31))).reset_index(drop=True), k


class TestPerItemDraws:
    def test_the_split_items_are_exact_ties(self):
        """The fixture has ties (else the tests below would test nothing), and only on the split items."""
        matrix = _tied_votes()
        tied = _tied(LabelModel().fit(matrix))
        np.testing.assert_array_equal(tied, matrix[:, 0] != matrix[:, 1])

    def test_a_tied_vote_row_shared_by_many_items_is_split(self):
        """Thirty items with the votes [0, 1] tie: they are drawn one by one, so both classes occur
        (main drew once per vote row and sent all thirty to one class)."""
        matrix = _tied_votes()
        labels = LabelModel().fit(matrix).labels_.to_numpy()
        for row in ([0, 1], [1, 0]):
            assert set(labels[(matrix == row).all(axis=1)].tolist()) == {0, 1}

    def test_label_model_on_symmetric_votes_gives_majority_votes_labels(self):
        """Where LabelModel's posterior ties exactly where majority vote ties (two interchangeable
        functions), its labels are MajorityVote's with the same seed, ties included."""
        matrix = _tied_votes()
        for state in range(4):
            got = LabelModel(random_state=state).fit(matrix).labels_
            want = _mv_labels(_table(matrix), state)
            np.testing.assert_array_equal(got.to_numpy(), want.reindex(got.index).to_numpy())

    def test_predict_breaks_ties_as_labels(self):
        """``predict`` on the training votes gives ``labels_``; on reordered table rows, the same labels."""
        table = _table(_tied_votes())
        model = LabelModel().fit(table)
        pd.testing.assert_series_equal(model.predict(table), model.labels_)
        shuffled = model.predict(table.sample(frac=1.0, random_state=3))
        pd.testing.assert_series_equal(shuffled.sort_index(), model.labels_.sort_index())

    def test_the_seed_still_chooses(self):
        """Different seeds may break a tie differently; the seed is the only thing that does."""
        matrix = _tied_votes()
        draws = {tuple(LabelModel(random_state=s).fit(matrix).labels_.to_numpy()[:2]) for s in range(8)}
        assert len(draws) > 1

    def test_majority_class_voter_draws_per_item_on_a_tied_balance(self):
        """A tie for the largest class share: each item draws one of the tied classes."""
        matrix = _tied_votes()
        labels = MajorityClassVoter(class_balance="uniform").fit(matrix).predict(matrix)
        assert set(labels.tolist()) == {0, 1}


class TestSortedItems:
    def test_sorted_positions(self):
        """``None`` for sorted names; else argsort; unorderable names by type name, then text."""
        assert sorted_positions(pd.RangeIndex(5)) is None
        assert sorted_positions(pd.Index(["b", "c", "a"])).tolist() == [2, 0, 1]
        assert sorted_positions(pd.Index(["b", 2, "a", 1], dtype=object)).tolist() == [3, 1, 2, 0]

    def test_item_argmax_is_argmax_random_ties_over_the_sorted_items(self):
        """Distinct rows expanded to items give the draws of the expanded posterior in sorted item order."""
        rng = np.random.default_rng(0)
        post = np.array([[0.5, 0.5], [0.9, 0.1], [1 / 3, 2 / 3]])
        row_of = rng.integers(0, 3, 200)
        items = pd.Index(rng.choice(10**5, 200, replace=False))
        got = item_argmax(post, 7, items, row_of)
        order = np.argsort(items.to_numpy())
        want = np.empty(200, dtype=np.int64)
        want[order] = argmax_random_ties(post[row_of][order], np.random.default_rng(7))
        np.testing.assert_array_equal(got, want)
        assert set(got[row_of == 0].tolist()) == {0, 1}


@settings(max_examples=10, deadline=None)
@given(data=tied_tables(), state=st.integers(0, 2**16), seed=st.integers(0, 2**16))
def test_permuting_the_votes_rows_changes_no_label(data, state, seed):
    """Every label model: a shuffled table gives each item the same label, ties included (hypothesis)."""
    table, _ = data
    other = table.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    for name in MODELS:
        a, b = _fit(name, table, random_state=state), _fit(name, other, random_state=state)
        pd.testing.assert_series_equal(_labels(a).sort_index(), _labels(b).sort_index(), obj=name)


@settings(max_examples=20, deadline=None)
@given(data=tied_tables(), state=st.integers(0, 2**16))
def test_majority_label_voter_gives_majority_votes_labels(data, state):
    """MajorityLabelVoter's predictions are MajorityVote's labels with the same seed (hypothesis)."""
    table, _ = data
    got = _labels(_fit("majority-label", table, random_state=state))
    want = _mv_labels(table, state)
    np.testing.assert_array_equal(got.to_numpy(), want.reindex(got.index).to_numpy())


def _swapped_e_step(real):
    """An E-step whose posteriors have their classes shifted by one: EM ends in a relabelling."""

    def e_step(*args, **kwargs):
        post, nll = real(*args, **kwargs)
        return np.roll(post, 1, axis=1), nll

    return staticmethod(e_step)


@settings(max_examples=20, deadline=None)
@given(data=tied_tables(), state=st.integers(0, 2**16))
def test_dawid_skene_fallback_gives_majority_votes_labels(data, state):
    """DawidSkeneLabelModel after its fallback to majority vote: exactly MajorityVote's labels with the
    same ``random_state``, ties included (hypothesis; the fallback forced by a relabelling E-step)."""
    table, _ = data
    with mock.patch.object(DawidSkene, "_e_step", _swapped_e_step(DawidSkene._e_step)):
        model = _fit("dawid-skene", table, random_state=state, max_iter=1)
    assert model.estimator_.fallback_ == "majority-vote"
    want = _mv_labels(table, state)
    np.testing.assert_array_equal(model.labels_.to_numpy(), want.reindex(model.labels_.index).to_numpy())


def test_dawid_skene_fallback_on_a_shared_trigger_set_is_majority_vote():
    """On a shared-trigger keyword-rule set (``dev_weak_shared_triggers.py``, seed 216, K = 2) the fit falls
    back to majority vote and its labels are MajorityVote's on every item with a vote (main drew once per vote
    row, sending whole tied rows to one class)."""
    matrix = shared_trigger_rules(216, 2)
    model = _fit("dawid-skene", matrix)
    assert model.estimator_.fallback_ == "majority-vote"
    covered = (matrix >= 0).any(axis=1)
    want = _mv_labels(_table(matrix), 0).reindex(range(len(matrix)))
    np.testing.assert_array_equal(model.labels_.to_numpy()[covered], want.to_numpy()[covered].astype(int))
