"""SQUAREM's one-problem cycle (labelwise._squarem._cycle_one, session 57) gives the bits of the grouped cycle it
replaced for one problem: the same accepted point, F of it, objective, evaluations and cap, whatever the jump does
(kept, backtracked, given up, NaN or infinite objective), and whole runs equal to the grouped path's."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise._squarem as squarem_module
from labelwise._squarem import _cycle, _cycle_one, gain_stop

FAST = settings(max_examples=120, deadline=None)


def _bits(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a).tobytes()


def _noisy_map(seed: int, size: int, wild: float):
    """An EM-like map ``F(θ) = θ* + A(θ − θ*)`` (a contraction) whose objective is ``−‖θ − θ*‖²`` plus a bump that
    makes some jumps overshoot; with probability ``wild`` an objective is NaN or ``+inf``, as a wild jump's can be."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(size, size)))
    a = q @ np.diag(rng.uniform(0.3, 0.999, size)) @ q.T
    fixed = rng.uniform(0.1, 0.9, size)
    draws = np.random.default_rng(seed + 1)

    def step(theta: np.ndarray):
        d = theta - fixed
        objective = -float(d @ d) + 0.3 * float(np.sin(7.0 * theta).sum())
        u = draws.random()
        if u < wild / 2:
            objective = float("nan")
        elif u < wild:
            objective = float("inf")
        return objective, fixed + a @ d, ("extra", float(theta[0]))

    return step, rng


@st.composite
def cycles(draw):
    """A cycle's arguments: θ₀, θ₁ = F(θ₀), θ₂ = F(θ₁), θ₁'s objective, and the options."""
    seed = draw(st.integers(0, 2**31 - 1))
    size = draw(st.integers(1, 12))
    wild = draw(st.sampled_from([0.0, 0.0, 0.3]))
    step, rng = _noisy_map(seed, size, wild)
    theta0 = rng.uniform(-1.0, 2.0, size)
    obj0, theta1, _ = step(theta0)
    obj1, theta2, extra1 = step(theta1)
    options = {
        "step_max": np.array([draw(st.sampled_from([np.inf, 1.0, 2.5, 40.0]))]),
        "evals": 2,
        "max_evals": draw(st.sampled_from([4, 6, 9, 50])),
        "low": draw(st.sampled_from([None, 0.0, 1e-6])),
        "high": draw(st.sampled_from([None, 1.0])),
        "stabilise": draw(st.booleans()),
        "backtrack": draw(st.booleans()),
        "cap": draw(st.booleans()),
        "rounding": draw(st.sampled_from([0.0, 1e-12, 0.5])),
    }
    obj1_arr = np.atleast_1d(np.asarray(obj1, dtype=np.float64))
    return (seed, size, wild), (theta0, theta1, theta2, obj1_arr, extra1), options


class TestCycleOne:
    @pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # _cycle's ``inf - inf`` ref
    @given(cycles())
    @FAST
    def test_one_problem_cycle_equals_the_grouped_cycle_to_the_bit(self, drawn) -> None:
        """Every output of ``_cycle_one`` is ``_cycle``'s (``groups=None``), bit for bit, on the same calls."""
        made, args, options = drawn
        out = []
        for cycle in (_cycle, _cycle_one):
            step, _ = _noisy_map(*made)  # a fresh map per cycle: the same NaN and infinite objectives for both
            out.append(cycle(step, *args, group=None, **options))
        old, new = out
        assert _bits(old.theta) == _bits(new.theta)
        assert _bits(old.theta_next) == _bits(new.theta_next)
        assert _bits(old.objective) == _bits(new.objective)
        assert old.objective.shape == new.objective.shape == (1,)
        assert old.extra == new.extra
        assert old.n_evals == new.n_evals
        assert _bits(old.step_max) == _bits(new.step_max)

    @given(st.integers(0, 2**31 - 1), st.integers(1, 10), st.sampled_from([0.0, 0.2]), st.booleans(), st.booleans())
    @FAST
    def test_whole_runs_equal_the_grouped_path(
        self, seed: int, size: int, wild: float, cap: bool, stabilise: bool
    ) -> None:
        """A whole ``squarem`` run with the one-problem cycle equals the run with ``_cycle`` in its place: the same
        point, history, tracked values and evaluations."""
        runs = []
        for cycle in (_cycle, _cycle_one):
            step, rng = _noisy_map(seed, size, wild)
            theta0 = rng.uniform(0.0, 1.0, size)
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(squarem_module, "_cycle_one", cycle)
                runs.append(
                    squarem_module.squarem(
                        step, theta0, max_evals=60, stop=gain_stop(1e-10), low=0.0, high=1.0, cap=cap,
                        stabilise=stabilise, track=lambda e: e[1],
                    )
                )  # fmt: skip
        old, new = runs
        assert _bits(old.theta) == _bits(new.theta)
        assert _bits(old.theta_next) == _bits(new.theta_next)
        assert old.history == new.history or np.array_equal(old.history, new.history, equal_nan=True)
        assert old.tracked == new.tracked
        assert (old.n_evals, old.converged) == (new.n_evals, new.converged)
