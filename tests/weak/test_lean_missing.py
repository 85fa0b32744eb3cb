"""missalg54's cut of the missing-abstain path (``weak._em.LEAN_MISSING``): the check told the model's cliques, the
first MAP fit stopped loose and taken on only where no refit replaces it, the refit's two starts run short."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import DawidSkene
from labelwise.weak import LabelModel, _crowd_pairs, _em, simulate_lfs
from labelwise.weak._em import COMPARISON_TOL, EMRun
from labelwise.weak._fit_check import refit_best
from tests.aggregate.test_dependent_triad import _independent_crowd


def _crowd(seed: int) -> pd.DataFrame:
    """aggregate's independent test crowd (8 annotators, K = 3) with copied accounts of a0 and a1 (the same answers
    under another name)."""
    answers = _independent_crowd(seed)
    copies = [answers[answers.annotator == a].assign(annotator=f"{a}_copy") for a in ("a0", "a1")]
    return pd.concat([answers, *copies], ignore_index=True)


def _pairs(est: DawidSkene) -> set[frozenset]:
    return {frozenset(p) for p in est.dependent_pairs_[["annotator_a", "annotator_b"]].itertuples(index=False)}


def _ds(answers: pd.DataFrame, known: list[tuple[str, str]] | None = None) -> DawidSkene:
    est = DawidSkene(dependency_triad=False)
    if known is not None:
        est._known_pairs = known  # what weak._crowd_pairs.dependent_pairs sets for the label model's check
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(answers)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_known_pairs_are_weighed_but_not_confirmed_again(seed):
    """A known pair is not reported; the other copy still is, and the final fit weighs both groups as before."""
    answers = _crowd(seed)
    both = _ds(answers)
    assert _pairs(both) == {frozenset({"a0", "a0_copy"}), frozenset({"a1", "a1_copy"})}
    told = _ds(answers, known=[("a0", "a0_copy")])
    assert _pairs(told) == {frozenset({"a1", "a1_copy"})}
    np.testing.assert_allclose(told.probas_.to_numpy(), both.probas_.to_numpy(), rtol=0, atol=1e-12)


def test_known_pairs_alone_still_weigh_the_final_fit():
    """With every dependent pair known, none is reported and the fit is the one that weighs them."""
    answers = _crowd(3)
    both = _ds(answers)
    told = _ds(answers, known=[("a0", "a0_copy"), ("a1", "a1_copy")])
    assert told.dependent_pairs_.empty
    np.testing.assert_allclose(told.probas_.to_numpy(), both.probas_.to_numpy(), rtol=0, atol=1e-12)


def _run(objective: float, n_evals: int, post: np.ndarray, converged: bool = True) -> EMRun:
    return EMRun(post, np.zeros((1, 2)), np.full(2, 0.5), [objective], None, [objective], n_evals, converged)


class _FakeEM:
    """``fit_abstain_models`` as ``refit_best`` calls it: records each call's start, tolerance and budget."""

    def __init__(self, objectives: dict[float, float]):
        self.keywords = {"tol": 1e-6, "n_iter": 100, "w": np.ones(2)}
        self.objectives, self.calls = objectives, []

    def __call__(self, lam, n_outcomes, starts, **kw):
        start = float(starts[-1][0, 0])
        self.calls.append((start, kw.get("tol", self.keywords["tol"]), kw.get("n_iter", 100), kw.get("lured_items")))
        loose = kw.get("tol", 1e-6) > 1e-6
        return _run(self.objectives[start] if loose else -0.5, 10 if loose else 7, np.full((2, 2), start)), "missing"


@pytest.mark.parametrize(("vote", "warm", "kept"), [(-2.0, -1.0, 0.75), (-1.0, -2.0, 0.25), (-1.0, -1.0, 0.25)])
def test_refit_runs_both_starts_short_and_takes_the_better_on(monkeypatch, vote, warm, kept):
    """Both starts stop at COMPARISON_TOL; the higher objective (majority vote's on a tie) goes on from its posterior
    to tol with the rest of the budget, EM alone; the kept run's steps and history are both parts'."""
    monkeypatch.setattr(_em, "LEAN_MISSING", True)
    em = _FakeEM({0.25: vote, 0.75: warm})
    starts = [np.full((2, 2), 0.5), np.full((2, 2), 0.25)]  # the last: majority vote's shares
    model = SimpleNamespace(pair_check_warm_start=True, abstains_="missing")
    run = refit_best(model, em, None, None, starts, SimpleNamespace(post=np.full((2, 2), 0.75)), [[0, 1]])[0]
    assert em.calls[:2] == [(0.25, COMPARISON_TOL, 100, None), (0.75, COMPARISON_TOL, 100, None)]
    assert em.calls[2] == (kept, 1e-6, 90, False)  # from the kept short run's posterior (filled with its start)
    assert run.n_evals == 17 and run.objective == [max(vote, warm), -0.5] and not run.loose


def test_a_short_run_at_its_budget_is_not_taken_on(monkeypatch):
    """A short run that did not converge within n_iter is kept as it is."""
    monkeypatch.setattr(_em, "LEAN_MISSING", True)
    em = _FakeEM({0.25: -1.0, 0.75: -2.0})
    em.keywords["n_iter"] = 10
    model = SimpleNamespace(pair_check_warm_start=True, abstains_="missing")
    run = refit_best(model, em, None, None, [np.full((2, 2), 0.25)], SimpleNamespace(post=np.full((2, 2), 0.75)), [])
    assert len(em.calls) == 2 and run[0].n_evals == 10


@pytest.fixture(scope="module")
def sim7209():
    """bench_weak's simulated set of seed 7209 (K = 2, 12 + 4 functions, coverage up to 0.3): missing abstains, two
    cliques of copies found by the search, which the check finds again."""
    return simulate_lfs(10_000, 12, 2, n_correlated=4, coverage=(0.02, 0.3), imbalance=3.0, random_state=7209).votes


def _fit(votes, lean: bool) -> LabelModel:
    held, _em.LEAN_MISSING = _em.LEAN_MISSING, lean
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return LabelModel().fit(votes)
    finally:
        _em.LEAN_MISSING = held


def test_the_model_does_not_report_its_own_cliques_as_found_pairs(sim7209, monkeypatch):
    """The check is told the search's cliques: it no longer reports (nor confirms) their pairs. Main's check on the
    long table (``_crowd_pairs.OWN_FIT`` off): the own-fit check untold, started from a posterior that has the
    cliques, finds one of the two again (tests/weak/test_crowd_pairs_own.py)."""
    monkeypatch.setattr(_crowd_pairs, "OWN_FIT", False)
    before, after = _fit(sim7209, False), _fit(sim7209, True)
    assert before.abstains_ == after.abstains_ == "missing"
    cliques = {frozenset(g) for g in before.groups_ if len(g) > 1}
    assert len(cliques) == 2 and {frozenset(p) for p in before.dependent_pairs_.iloc[:, :2].values} == cliques
    assert after.dependent_pairs_.empty and after.groups_ == before.groups_


def test_the_loose_first_fit_is_taken_on_to_tol(sim7209):
    """Where no refit replaces it, the first MAP fit, stopped at COMPARISON_TOL, goes on to tol: converged, its
    objective never falling, its last cycle's gain under tol, the labels the full fit's."""
    before, after = _fit(sim7209, False), _fit(sim7209, True)
    history = np.asarray(after.em_objective_history_)
    assert after.em_converged_ and (np.diff(history) >= -1e-12).all()
    assert history[-1] - history[-2] < after.tol
    assert abs(history[-1] - before.em_objective_history_[-1]) < 1e-5
    assert (after.labels_ == before.labels_).mean() >= 0.999
