"""``fit_abstain_models(compare=False)``: the refit's run without the maximum-likelihood fit that only feeds the BIC."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.weak import _em
from labelwise.weak._em import fit_abstain_models
from labelwise.weak._moments import indicator
from labelwise.weak._posterior import vote_shares, voted_outcomes


@st.composite
def vote_sets(draw: st.DrawFn) -> tuple[np.ndarray, int, list[list[int]], np.ndarray]:
    """A random label matrix (every row with a vote), its K, groups with a pair or two joined, and row weights."""
    k = draw(st.integers(2, 4))
    m = draw(st.integers(2, 6))
    n = draw(st.integers(4, 40))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    matrix = np.where(rng.random((n, m)) < draw(st.floats(0.2, 0.9)), rng.integers(0, k, (n, m)), -1)
    matrix[np.flatnonzero((matrix < 0).all(axis=1)), 0] = rng.integers(0, k)  # EM runs on the rows with a vote
    groups = [[j] for j in range(m)]
    if draw(st.booleans()):
        groups = [[0, 1], *groups[2:]]
    weights = rng.integers(1, 4, n).astype(np.float64)
    return matrix, k, groups, weights


def _fit(matrix: np.ndarray, k: int, groups: list[list[int]], w: np.ndarray, **kwargs: object) -> tuple:
    """``fit_abstain_models`` with missing abstains and the label model's default settings, from majority vote and
    a second start."""
    m = matrix.shape[1]
    lam = indicator(matrix, k)
    vote = vote_shares(lam, m, k)
    lam_g, n_outcomes = voted_outcomes(matrix, k, groups, lam)
    other = np.roll(vote, 1, axis=1) * 0.5 + 0.5 / k
    settings = {"smoothing": 0.01, "n_iter": 200, "tol": 1e-6}
    return fit_abstain_models(
        lam_g.weighted(w), n_outcomes, [other, vote], np.full(k, 1.0 / k), None, groups, w, 0.7,
        abstains="missing", prior_strength=8.0, **settings, **kwargs,
    )  # fmt: skip


class TestCompareSwitch:
    @settings(max_examples=40, deadline=None)
    @given(vote_sets())
    def test_compare_false_returns_the_same_run(self, case: tuple) -> None:
        """Without the comparison fit the missing-abstain MAP run is the default's, array for array, bit for bit."""
        matrix, k, groups, w = case
        with pytest.MonkeyPatch.context() as patch:  # the default's MAP run to tol (LEAN_MISSING stops it loose)
            patch.setattr(_em, "LEAN_MISSING", False)
            run, chosen, bic, vote_ll = _fit(matrix, k, groups, w)
        lean, lean_chosen, lean_bic, lean_ll = _fit(matrix, k, groups, w, compare=False)
        assert chosen == lean_chosen == "missing"
        assert bic and not lean_bic and not lean_ll
        for name, value in run._asdict().items():
            other = getattr(lean, name)
            if isinstance(value, np.ndarray):
                assert value.tobytes() == other.tobytes(), name
            else:
                assert value == other, name

    def test_compare_false_skips_the_maximum_likelihood_fit(self, monkeypatch) -> None:
        """``compare=False`` runs EM once per start of the MAP fit: every run it makes has the prior."""
        rng = np.random.default_rng(3)
        matrix = rng.integers(0, 2, (30, 4))
        calls: list[bool] = []
        run_em = _em.run_em

        def counting(*args: object, **kwargs: object) -> object:
            calls.append(kwargs.get("prior") is not None)
            return run_em(*args, **kwargs)

        monkeypatch.setattr(_em, "run_em", counting)
        _fit(matrix, 2, [[j] for j in range(4)], np.ones(30))
        assert calls == [False, True]  # the default: the comparison fit, then the MAP fit
        calls.clear()
        _fit(matrix, 2, [[j] for j in range(4)], np.ones(30), compare=False)
        assert calls == [True]
