"""The label model's fits of one set of vote rows share their steps and defer what only the kept fit's reader needs
(``weak._shared_steps``, sessions 51-52): the same fitted attributes as fits that each make everything at once."""

from __future__ import annotations

from contextvars import ContextVar

import numpy as np
import pandas as pd
import pytest

from labelwise.weak import LabelModel, _shared_steps


class Model:
    """A bare object whose attributes the helpers set."""


class TestReusedFor:
    def test_a_step_of_one_array_runs_once_and_of_an_equal_copy_again(self):
        """In a shared context the step of an array runs once for that array; an equal array that is another
        object gets its own run (the key is the array itself, not its values)."""
        calls = []
        a = np.arange(3.0)
        token = _shared_steps.SHARED.set({})
        try:
            first = _shared_steps.reused_for(a, "sum", lambda: calls.append(1) or float(a.sum()))
            again = _shared_steps.reused_for(a, "sum", lambda: calls.append(1) or -1.0)
            other = _shared_steps.reused_for(a.copy(), "sum", lambda: calls.append(1) or 7.0)
        finally:
            _shared_steps.SHARED.reset(token)
        assert (first, again, other) == (3.0, 3.0, 7.0) and calls == [1, 1]

    def test_outside_a_shared_context_the_step_runs_each_time(self):
        """Without :data:`SHARED` every call makes its result."""
        calls = []
        a = np.ones(2)
        for _ in range(2):
            _shared_steps.reused_for(a, "sum", lambda: calls.append(1) or 0)
        assert calls == [1, 1]


class TestDeferred:
    def test_outside_a_shared_context_the_result_is_made_at_once(self):
        """Without :data:`SHARED` a deferred result is the result itself."""
        assert _shared_steps.deferred(lambda: (1, 2)) == (1, 2)

    def test_in_a_shared_context_only_resolve_makes_the_result_and_the_model_s_attributes(self):
        """In a shared context the result is made only when resolved, for the output and for every deferred
        attribute of the model; other attributes are left as they are."""
        calls = []
        model = Model()
        token = _shared_steps.SHARED.set({})
        try:
            out = _shared_steps.deferred(lambda: calls.append("out") or (1, 2))
            model.vote_log_likelihood_ = _shared_steps.deferred(lambda: calls.append("attr") or {"informative": -1.5})
            model.bic_ = {"informative": 3.0}
            assert calls == [] and isinstance(out, _shared_steps.Deferred)
            resolved = _shared_steps.resolve(model, out)
        finally:
            _shared_steps.SHARED.reset(token)
        assert resolved == (1, 2) and model.vote_log_likelihood_ == {"informative": -1.5}
        assert model.bic_ == {"informative": 3.0} and sorted(calls) == ["attr", "out"]


@pytest.mark.parametrize("seed,k", [(213, 2), (204, 3)])
def test_one_class_fit_with_shared_and_deferred_steps_equals_the_fits_made_apart(monkeypatch, seed, k):
    """``LabelModel(one_class_rules=True)``'s fits that share their steps and defer the kept fit's outputs give every
    fitted attribute as fits that each make everything at once (no shared context anywhere), to the bit."""
    from tests.weak.test_one_class_fit import _triggers

    matrix = _triggers().shared_trigger_set(seed, k)[0]
    shared = LabelModel(one_class_rules=True).fit(matrix)
    monkeypatch.setattr(_shared_steps, "SHARED", ContextVar("apart", default=None))  # every helper reads this one
    apart = LabelModel(one_class_rules=True).fit(matrix)
    names = [a for a in vars(shared) if a.endswith("_") and not a.startswith("_")]
    assert "vote_log_likelihood_" in names and isinstance(shared.vote_log_likelihood_, dict)
    for a in names:
        x, y = getattr(shared, a), getattr(apart, a)
        if isinstance(x, np.ndarray):
            assert x.tobytes() == y.tobytes(), a
        elif isinstance(x, pd.DataFrame | pd.Series):
            assert x.equals(y), a
        else:
            assert x == y, a
