"""``weak._invisible_missing``: on votes of K >= 3 classes all from one-class functions, with a class nearly invisible
in them, ``abstains="auto"`` keeps missing abstains (trig53, session 53; ``benchmarks/dev_weak_trigger_fix.py``)."""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from labelwise.errors import LabelwiseWarning
from labelwise.weak import LabelModel, _covote_join
from labelwise.weak import _invisible_missing as invisible

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def triggers(monkeypatch):
    """``benchmarks/dev_weak_shared_triggers.py`` (the shared-trigger sets and majority vote as the bench scores it)."""
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("dev_weak_shared_triggers")


def _fit(matrix: np.ndarray, k: int, **params) -> LabelModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LabelModel(labels=list(range(k)), **params).fit(matrix)


def _codes(model: LabelModel) -> np.ndarray:
    return model.labels_.to_numpy(dtype=int)


class TestSharedTriggers:
    def test_three_class_keyword_rules_with_a_barely_voted_class_are_within_half_a_point_of_majority_vote(
        self, triggers
    ):
        """Seen shared-trigger set 447 K=3 (vote share of one class 0.05 of the uniform): the informative fit was
        44.28 points against majority vote's 58.43 (its latent classes follow triggers); missing abstains give
        majority vote's model."""
        matrix, truth, _ = triggers.shared_trigger_set(447, 3)
        model = _fit(matrix, 3)
        mv = triggers.accuracy(triggers.bench_majority(matrix), matrix, truth)
        assert model.abstains_ == "missing"
        assert triggers.accuracy(_codes(model), matrix, truth) >= mv - 0.005

    def test_the_switch_off_keeps_the_informative_fit_that_follows_triggers(self, triggers, monkeypatch):
        """The same set with :data:`ENABLED` off: ``"auto"`` keeps informative abstains, more than 5 points below
        majority vote (what the module changes); lowcov55's co-vote join off too, as then (on, it lifts this fit to
        0.9 points below)."""
        monkeypatch.setattr(invisible, "ENABLED", False)
        monkeypatch.setattr(_covote_join, "ENABLED", False)
        matrix, truth, _ = triggers.shared_trigger_set(447, 3)
        model = _fit(matrix, 3)
        mv = triggers.accuracy(triggers.bench_majority(matrix), matrix, truth)
        assert model.abstains_ == "informative"
        assert triggers.accuracy(_codes(model), matrix, truth) < mv - 0.05


@st.composite
def one_class_votes(draw, k: int = 3):
    """Items x functions, ``-1`` = abstain; every function votes one class; the last class gets at most one function
    of low coverage (so it is often nearly invisible)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n, m = draw(st.integers(60, 240)), draw(st.integers(3, 7))
    y = rng.integers(0, k, size=n)
    cols = []
    for j in range(m):
        c = j % (k - 1)  # the visible classes
        fire = np.where(y == c, rng.uniform(0.3, 0.8), rng.uniform(0.02, 0.2))
        cols.append(np.where(rng.random(n) < fire, c, -1))
    if draw(st.booleans()):
        cols.append(np.where(rng.random(n) < np.where(y == k - 1, 0.05, 0.005), k - 1, -1))
    matrix = np.stack(cols, axis=1)
    matrix[0, 0] = 0  # a vote for class 0, whatever the draws
    return matrix


class TestWhereItFires:
    @settings(max_examples=25, deadline=None)
    @given(one_class_votes())
    def test_the_default_is_the_missing_abstain_fit_wherever_the_gate_holds(self, matrix):
        """Wherever the gate holds, ``"auto"`` is the ``abstains="missing"`` fit, label for label; its posteriors
        are distributions."""
        assume(invisible.invisible_one_class_votes(matrix, np.ones(len(matrix)), 3))
        model = _fit(matrix, 3)
        assert model.abstains_ == "missing"
        assert np.array_equal(_codes(model), _codes(_fit(matrix, 3, abstains="missing")))
        probas = model.probas_.to_numpy()
        assert (probas >= 0).all() and np.allclose(probas.sum(axis=1), 1.0)

    @settings(max_examples=15, deadline=None)
    @given(one_class_votes())
    def test_one_function_of_two_classes_leaves_the_fit_unchanged(self, matrix):
        """A function voting two classes: the gate does not hold, and the fit is the one with the module off."""
        matrix = np.column_stack([matrix, np.where(np.arange(len(matrix)) % 3 == 0, np.arange(len(matrix)) % 2, -1)])
        assert not invisible.invisible_one_class_votes(matrix, np.ones(len(matrix)), 3)
        before = _fit(matrix, 3)
        invisible.ENABLED = False
        try:
            after = _fit(matrix, 3)
        finally:
            invisible.ENABLED = True
        assert np.array_equal(_codes(before), _codes(after)) and before.abstains_ == after.abstains_

    def test_two_classes_are_never_gated(self):
        """``K = 2``: a nearly invisible class of two is read from which rules do not fire: no gate."""
        matrix = np.where(np.arange(400)[:, None] % np.array([2, 3, 5]) == 0, 0, -1)
        matrix[:3, 0] = 1  # class 1 barely voted
        assert not invisible.invisible_one_class_votes(matrix, np.ones(len(matrix)), 2)

    def test_an_explicit_abstain_model_or_the_one_class_fit_off_is_left_alone(self, triggers):
        """``abstains="informative"`` is not overridden, and ``one_class_rules=False`` (the label model before
        session 49) keeps ``"auto"``'s own choice."""
        matrix, _, _ = triggers.shared_trigger_set(447, 3)
        assert _fit(matrix, 3, abstains="informative").abstains_ == "informative"
        assert _fit(matrix, 3, one_class_rules=False).abstains_ == "informative"


def test_the_missing_fits_fallback_says_auto_chose_it_instead_of_advising_informative_abstains(triggers):
    """Where the gate chose missing abstains and the missing fit falls back to majority vote's model, its warning says
    why ``"auto"`` chose that model, not "abstains='informative' may avoid it" (the fit the gate ruled out)."""
    matrix, _, _ = triggers.shared_trigger_set(447, 3)
    with pytest.warns(LabelwiseWarning, match="falling back to majority vote") as record:
        LabelModel(labels=[0, 1, 2]).fit(matrix)
    said = " ".join(str(w.message) for w in record if "falling back" in str(w.message))
    assert "abstains='auto' chose this model" in said and "may avoid it" not in said
