"""The refit after the fitted model's pair check keeps the better of two EM starts (dep39)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import MajorityVote
from labelwise.errors import InvalidParameterError
from labelwise.weak import LabelModel, _crowd_pairs, _em
from labelwise.weak._fit_check import refit_best


def minimax_crowd(stream: list[int]) -> tuple[pd.DataFrame, np.ndarray]:
    """A crowd of Zhou et al. (2012)'s minimax-entropy form (600 items, K = 4, 30 labelers answering
    30-90% of the items): classes {0, 1} and {2, 3} look alike, each labeler and each item has its
    own confusability toward the look-alike class; 15% of the labelers answer at random."""
    rng = np.random.default_rng(stream)
    n, k, m = 600, 4, 30
    y = rng.integers(0, k, n)
    kind = rng.choice(3, size=m, p=[0.6, 0.25, 0.15])
    rng.dirichlet(np.full(k - 1, 0.5), size=(m, k))  # a draw the simulator spends on other families
    answered = rng.random((n, m)) < rng.uniform(0.3, 0.9, m)[None, :]
    answered[np.arange(n), rng.integers(0, m, n)] = True
    item, worker = np.nonzero(answered)
    a = np.where(kind == 0, rng.uniform(1.0, 2.0, m), rng.uniform(2.0, 3.5, m))
    b = rng.uniform(0.0, 1.5, m)
    d = rng.exponential(0.8, n)
    t = y[item]
    similar = (np.arange(k)[:, None] // 2 == np.arange(k)[None, :] // 2) & ~np.eye(k, dtype=bool)
    logits = similar[t] * (b[worker] + d[item])[:, None]
    logits[np.arange(len(t)), t] = a[worker]
    prob = np.exp(logits - logits.max(axis=1, keepdims=True))
    cum = np.cumsum(prob, axis=1)
    label = (rng.random(len(t))[:, None] * cum[:, -1:] < cum).argmax(axis=1)
    label = np.where(kind[worker] == 2, rng.integers(0, k, len(item)), label)
    return pd.DataFrame({"item": item, "labeler": [f"w{j}" for j in worker], "label": label}), y


@pytest.fixture(scope="module")
def crowd() -> tuple[pd.DataFrame, np.ndarray]:
    return minimax_crowd([96, 1, 4])


def accuracy(labels: pd.Series, y: np.ndarray) -> float:
    return 100.0 * float(np.mean(labels.sort_index().to_numpy() == y))


@pytest.fixture(autouse=True)
def _long_table_check(monkeypatch):
    """This crowd's refit follows the ungated check on the long table (``_crowd_pairs.OWN_FIT`` off): the own-fit
    check, started from the fitted posterior, finds no pair here (tests/weak/test_crowd_pairs_own.py)."""
    monkeypatch.setattr(_crowd_pairs, "OWN_FIT", False)


def test_pair_check_refit_no_longer_collapses_below_majority_vote(crowd):
    # main: the pair check groups three labelers and the refit from majority vote swaps the
    # look-alike classes 0 and 1 (45.0% against majority vote's 54.8)
    answers, y = crowd
    model = LabelModel(pair_check_triad=False).fit(answers)  # pairfp39's gate drops the pairs here
    assert any(len(g) > 1 for g in model.groups_)  # the pair check fired: the case is exercised
    mv = accuracy(MajorityVote().fit(answers.rename(columns={"labeler": "annotator"})).labels_, y)
    assert accuracy(model.labels_, y) >= mv - 0.5
    off = LabelModel(pair_check_warm_start=False, pair_check_triad=False, iwmv_start=False).fit(answers)
    assert accuracy(off.labels_, y) < mv - 0.5  # the switches give main's refit back
    # is15z: the IWMV start alone (weak._iwmv_start, opt-in) also keeps the refit from the collapse
    alone = LabelModel(pair_check_warm_start=False, pair_check_triad=False, iwmv_start=True).fit(answers)
    assert alone.iwmv_start_ == "kept" and accuracy(alone.labels_, y) >= mv - 0.5


def test_kept_refit_has_the_higher_objective(crowd):
    answers, _ = crowd
    on = LabelModel(pair_check_triad=False).fit(answers)
    off = LabelModel(pair_check_warm_start=False, pair_check_triad=False).fit(answers)
    assert on.groups_ == off.groups_  # the same clique model: the MAP objectives compare
    assert on.em_objective_history_[-1] > off.em_objective_history_[-1]


def test_refit_best_keeps_majority_votes_run_on_a_tie_and_only_refits_missing_abstains(monkeypatch):
    monkeypatch.setattr(_em, "LEAN_MISSING", False)  # both refits to tol (the short runs: test_lean_missing.py)
    calls: list[np.ndarray] = []

    def em(lam, n_outcomes, starts, **kw):
        calls.append(starts[-1])
        return (SimpleNamespace(objective=[-1.0], tag="vote" if starts[-1][0, 0] == 0.25 else "warm"), "missing")

    starts = [np.full((2, 4), 0.5), np.full((2, 4), 0.25)]
    checked = SimpleNamespace(post=np.full((2, 4), 0.75))
    model = SimpleNamespace(pair_check_warm_start=True, abstains_="missing")
    assert refit_best(model, em, None, None, starts, checked, [[0]])[0].tag == "vote"
    assert len(calls) == 2 and calls[1] is checked.post
    for model in (
        SimpleNamespace(pair_check_warm_start=False, abstains_="missing"),
        SimpleNamespace(pair_check_warm_start=True, abstains_="informative"),
    ):
        calls.clear()
        refit_best(model, em, None, None, starts, checked, [[0]])
        assert len(calls) == 1 and calls[0] is starts[-1]


def test_refit_is_free_of_row_order_and_class_names(crowd):
    # tol=0 stops at EM's fixed point (a cycle without gain), not where a tolerance cuts
    answers, _ = crowd
    base = LabelModel(tol=0.0, pair_check_triad=False).fit(answers).labels_
    shuffled = answers.sample(frac=1.0, random_state=3)
    assert LabelModel(tol=0.0, pair_check_triad=False).fit(shuffled).labels_.sort_index().equals(base.sort_index())
    names = {0: "d", 1: "c", 2: "b", 3: "a"}
    renamed = LabelModel(tol=0.0, pair_check_triad=False).fit(answers.assign(label=answers.label.map(names))).labels_
    pd.testing.assert_series_equal(renamed.sort_index(), base.map(names).sort_index())


@pytest.mark.parametrize("value", [None, 1, "yes"])
def test_pair_check_warm_start_must_be_a_bool(crowd, value):
    with pytest.raises(InvalidParameterError, match="pair_check_warm_start must be True or False"):
        LabelModel(pair_check_warm_start=value).fit(crowd[0])
