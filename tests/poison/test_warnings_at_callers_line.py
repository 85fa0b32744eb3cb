"""``labelwise.poison``'s warnings point at the user's line from each attack and detector that reaches them (the
attacks reach the budget check at different depths) and from ``AuditThenTrain.fit``."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise import poison
from labelwise.poison import AuditThenTrain
from tests._at_line import at_line, recorded


def _binary() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = np.repeat(["neg", "pos"], 30)
    return rng.normal(size=(60, 2)) + 2.0 * (y == "pos")[:, None], y


@pytest.mark.parametrize("attack", ["random_flips", "farthest_first", "alfa"])
def test_a_budget_past_the_bound_is_said_at_the_line_that_called_the_attack(attack):
    X, y = _binary()
    at_line(recorded(lambda: getattr(poison, attack)(X, y, 0.6, random_state=0)), __file__, "attack's budget flips 36")


def test_a_class_too_small_for_a_detector_is_said_at_the_line_that_called_it():
    X, y = _binary()
    y = np.where(np.arange(60) < 2, "tiny", y)
    for detector in (poison.spectral_signatures, poison.activation_clustering):
        at_line(recorded(lambda d=detector: d(X, y)), __file__, "class(es) have fewer than")


def test_audit_then_train_on_tiny_data_warns_at_the_line_that_called_fit():
    X = np.array([[0.0], [0.1], [1.0], [1.1]])
    at_line(recorded(lambda: AuditThenTrain().fit(X, [0, 0, 1, 1])), __file__, "too few to audit")
