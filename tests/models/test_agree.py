"""labelwise.models._agree: the chooser's pick by agreement of the families' flagged sets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise.errors import InvalidParameterError
from labelwise.models import choose_model
from labelwise.models._agree import FINALIST_SHARE, Option, agreeing_pick, dice, finalists
from labelwise.models._calibrate import log_loss

BIG = 1e6  # a time budget no test reaches, so that decisions never depend on timing


def _xor(n: int = 400, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Labels = XOR of two signs (the table of test_choose)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return pd.DataFrame(X, columns=["a", "b"]), ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)


def _probs(codes: np.ndarray, k: int, rng: np.random.Generator, flip: np.ndarray, sharp: float) -> np.ndarray:
    """Probabilities that put ``sharp`` on the given label, except on ``flip`` rows (on the next class)."""
    n = codes.shape[0]
    probs = np.full((n, k), (1 - sharp) / (k - 1))
    target = codes.copy()
    target[flip] = (codes[flip] + 1) % k
    probs[np.arange(n), target] = sharp
    probs += rng.uniform(0, 0.02, size=probs.shape)
    return probs / probs.sum(axis=1, keepdims=True)


def _options(seed: int = 0, n: int = 120, k: int = 3):
    """Three filters, two of which flag the same rows; a blend that flags only part of them."""
    rng = np.random.default_rng(seed)
    codes = np.arange(n) % k
    bad = rng.choice(n, 12, replace=False)
    options = {
        "a": _probs(codes, k, rng, bad, 0.8),
        "b": _probs(codes, k, rng, bad, 0.75),
        "c": _probs(codes, k, rng, bad[:3], 0.8),
        "blend": _probs(codes, k, rng, bad[:4], 0.85),
    }
    return codes, {name: Option(log_loss(p, codes), p) for name, p in options.items()}


class TestDice:
    def test_values(self):
        """Dice is 2|a & b| / (|a| + |b|), and two empty sets agree fully."""
        a = np.array([1, 1, 0, 0], dtype=bool)
        b = np.array([1, 0, 1, 0], dtype=bool)
        assert dice(a, b) == pytest.approx(0.5)
        assert dice(a, a) == 1.0
        assert dice(np.zeros(4, bool), np.zeros(4, bool)) == 1.0
        assert dice(a, np.zeros(4, bool)) == 0.0


class TestFinalists:
    def test_within_the_share_of_the_lowest_and_always_the_present_pick(self):
        """Options above the lowest log loss by more than FINALIST_SHARE are out, except the present pick."""
        p = np.full((2, 2), 0.5)
        options = {
            "low": Option(1.0, p),
            "near": Option(1.0 + FINALIST_SHARE * 0.99, p),
            "far": Option(1.0 + FINALIST_SHARE * 1.5, p),
        }
        assert finalists(options, "low") == ["low", "near"]
        assert finalists(options, "far") == ["low", "near", "far"]


class TestAgreeingPick:
    def test_picks_the_option_that_agrees_with_the_majority(self):
        """Among equal log losses the option flagging what most families flag wins, with its Dice."""
        codes, options = _options()
        same = {name: Option(1.0, o.probs) for name, o in options.items()}
        chosen, agreement = agreeing_pick(same, ["a", "b", "c"], "blend", codes)
        flags = {n: lw.find_label_issues(codes, o.probs).is_issue for n, o in same.items()}
        majority = (flags["a"].astype(int) + flags["b"] + flags["c"]) >= 2
        assert agreement == {n: pytest.approx(dice(flags[n], majority)) for n in same}
        assert chosen == max(agreement, key=lambda n: (agreement[n], n == "blend"))
        assert chosen in ("a", "b") and agreement[chosen] > agreement["blend"]

    def test_an_option_outside_the_share_is_never_picked(self):
        """Only finalists can be picked: a filter that agrees fully but has a worse log loss stays out."""
        codes, options = _options()
        options = {n: Option(1.0 if n in ("c", "blend") else 2.0, o.probs) for n, o in options.items()}
        chosen, agreement = agreeing_pick(options, ["a", "b", "c"], "blend", codes)
        assert chosen in ("c", "blend") and set(agreement) == {"c", "blend"}

    def test_a_single_finalist_is_kept_without_auditing(self):
        """With one finalist nothing is audited and the present pick stays."""
        codes, options = _options()
        options = {n: Option(1.0 if n == "blend" else 2.0, o.probs) for n, o in options.items()}
        assert agreeing_pick(options, ["a", "b", "c"], "blend", codes) == ("blend", {})

    def test_ties_keep_the_present_pick(self):
        """Identical probabilities agree equally: the present pick is kept."""
        codes, options = _options()
        same = {n: Option(1.0, options["a"].probs) for n in ("a", "b", "c")}
        assert agreeing_pick(same, ["a", "b", "c"], "b", codes)[0] == "b"

    @settings(max_examples=20, deadline=None)
    @given(st.integers(0, 10_000), st.permutations([0, 1, 2]))
    def test_row_order_and_class_names_do_not_matter(self, seed, renaming):
        """Permuting the rows, or renaming the classes (columns and codes together), keeps the pick."""
        codes, options = _options(seed)
        same = {n: Option(round(o.log_loss, 1), o.probs) for n, o in options.items()}
        chosen = agreeing_pick(same, ["a", "b", "c"], "blend", codes)[0]
        order = np.random.default_rng(seed).permutation(codes.shape[0])
        rows = {n: Option(o.log_loss, o.probs[order]) for n, o in same.items()}
        assert agreeing_pick(rows, ["a", "b", "c"], "blend", codes[order])[0] == chosen
        inverse = np.argsort(renaming)
        renamed = {n: Option(o.log_loss, o.probs[:, inverse]) for n, o in same.items()}
        assert agreeing_pick(renamed, ["a", "b", "c"], "blend", np.asarray(renaming)[codes])[0] == chosen


class TestChooseModelAgrees:
    def test_the_pick_is_a_finalist_and_a_changed_pick_is_said(self):
        """choose_model returns an option within FINALIST_SHARE of the best log loss; a changed pick gets a notice."""
        X, y = _xor(200, seed=4)
        y = y.copy()
        y[:12] = 1 - y[:12]
        plain = choose_model(X, y, families=["logistic", "knn", "forest"], agree=False, time_budget=BIG)
        agreed = choose_model(X, y, families=["logistic", "knn", "forest"], time_budget=BIG)
        assert agreed.log_loss <= min(plain.log_loss, *(c.best_log_loss for c in plain.candidates)) * (
            1 + FINALIST_SHARE
        )
        assert agreed.log_loss == pytest.approx(log_loss(agreed.probs, y))
        if agreed.chosen != plain.chosen:
            assert any(n.startswith(f"chose {agreed.chosen} over {plain.chosen}") for n in agreed.notices)
        else:
            np.testing.assert_allclose(agreed.probs, plain.probs)

    def test_one_family_is_the_plain_pick(self):
        """With a single family there is nothing to agree with: agree changes nothing."""
        X, y = _xor(120)
        a = choose_model(X, y, families=["logistic"], time_budget=BIG)
        b = choose_model(X, y, families=["logistic"], agree=False, time_budget=BIG)
        assert a.chosen == b.chosen == "logistic"
        np.testing.assert_array_equal(a.probs, b.probs)

    @pytest.mark.parametrize("value", ["yes", 1, None])
    def test_agree_must_be_a_bool(self, value):
        with pytest.raises(InvalidParameterError, match="agree must be True or False"):
            choose_model(*_xor(60), agree=value)
