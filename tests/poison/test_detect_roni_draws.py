"""labelwise.poison.roni with ``n_draws``: impacts averaged over several draws of base and quiz rows
(Nelson et al. 2008), the calibration rows kept, and the properties of the averaged result."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sklearn.base import clone

import labelwise as lw
from labelwise.errors import InvalidParameterError, TooFewExamplesError
from tests.poison.test_detect_roni import ONE_NN, problem, run


def _impact(X_base, y_base, x, label, X_quiz, y_quiz, base_accuracy):
    model = clone(ONE_NN).fit(np.vstack([X_base, x[None]]), np.append(y_base, label))
    return np.mean(model.predict(X_quiz) == y_quiz) - base_accuracy


class TestRoniDraws:
    def test_one_draw_judges_every_row_on_the_first_draw_alone(self):
        """n_draws=1 is one draw: its scores are each row's impact on that draw (the first draw of a
        longer run), and params hold no per-draw list."""
        X, y, Xv, yv = problem(3)
        one, five = run(X, y, Xv, yv, n_draws=1), run(X, y, Xv, yv, n_draws=5)
        assert one.params["n_draws"] == 1 and "draws" not in one.params
        assert one.params["base_rows"] == five.params["draws"][0]["base_rows"]
        base, quiz = np.array(one.params["base_rows"]), np.array(one.params["quiz_rows"])
        accuracy = one.params["base_accuracy"]
        want = [_impact(Xv[base], yv[base], X[i], y[i], Xv[quiz], yv[quiz], accuracy) for i in range(len(y))]
        np.testing.assert_allclose(one.scores, -np.array(want), atol=1e-12)

    def test_impacts_and_threshold_are_the_means_over_the_draws(self):
        """Each suspect's score and each calibration row's impact are the mean of their impacts in
        every draw (its own base and quiz rows); the threshold is centre - k std of those means."""
        X, y, Xv, yv = problem(1)
        found = run(X, y, Xv, yv, n_draws=3)
        cal = np.array(found.params["calibration_rows"])
        rows_impacts, cal_impacts = np.zeros(len(y)), np.zeros(len(cal))
        for draw in found.params["draws"]:
            base, quiz = np.array(draw["base_rows"]), np.array(draw["quiz_rows"])
            args = (Xv[quiz], yv[quiz])
            accuracy = np.mean(clone(ONE_NN).fit(Xv[base], yv[base]).predict(Xv[quiz]) == yv[quiz])
            assert draw["base_accuracy"] == pytest.approx(accuracy)
            rows_impacts += [_impact(Xv[base], yv[base], X[i], y[i], *args, accuracy) for i in range(len(y))]
            cal_impacts += [_impact(Xv[base], yv[base], Xv[j], yv[j], *args, accuracy) for j in cal]
        np.testing.assert_allclose(found.scores, -rows_impacts / 3, atol=1e-12)
        cal_impacts /= 3
        assert found.params["threshold"] == pytest.approx(cal_impacts.mean() - 3 * cal_impacts.std(), abs=1e-12)
        np.testing.assert_array_equal(found.is_flagged, rows_impacts / 3 < found.params["threshold"] - 1e-12)

    def test_calibration_rows_stay_and_each_draw_cuts_the_other_rows(self):
        """The first draw is the single draw's; every draw splits the non-calibration rows into a base
        and a quiz set of the first draw's sizes; later draws differ."""
        data = problem(2, n_valid=60)
        single, found = run(*data, n_draws=1), run(*data, n_draws=4)
        assert found.params["calibration_rows"] == single.params["calibration_rows"]
        draws = found.params["draws"]
        assert len(draws) == 4 and draws[0]["base_rows"] == single.params["base_rows"]
        assert draws[0]["quiz_rows"] == single.params["quiz_rows"] == found.params["quiz_rows"]
        cal = set(found.params["calibration_rows"])
        for draw in draws:
            base, quiz = set(draw["base_rows"]), set(draw["quiz_rows"])
            assert len(base) == found.params["n_base"] and len(quiz) == found.params["n_quiz"]
            assert not (base & quiz) and not (base | quiz) & cal and len(base | quiz | cal) == 60
        assert len({tuple(d["base_rows"]) for d in draws}) == 4
        assert found.params["base_accuracy"] == pytest.approx(np.mean([d["base_accuracy"] for d in draws]))

    def test_the_default_averages_five_draws(self):
        """Without n_draws the impacts are averaged over five draws (Nelson et al.'s five)."""
        X, y, Xv, yv = problem(5)
        found = lw.poison.roni(X, y, estimator=ONE_NN, X_valid=Xv, y_valid=yv, random_state=0)
        assert found.params["n_draws"] == 5 and len(found.params["draws"]) == 5

    @pytest.mark.parametrize("value", [0, -2, 1.5, True, "3", None])
    def test_bad_n_draws_is_refused_naming_it(self, value):
        """n_draws must be an integer >= 1: the message names it and the value."""
        with pytest.raises(InvalidParameterError, match=r"n_draws must be an integer >= 1, got"):
            run(*problem(0), n_draws=value)

    def test_a_later_draw_with_one_class_in_its_base_names_the_draw(self):
        """A base of one class in a later draw is refused, saying which draw."""
        X, y, Xv, _ = problem(0, n_valid=12)
        yv = np.zeros(12, dtype=int)
        yv[[0, 1]] = 1  # few rows of class 1: some draw's base of 3 misses them
        with pytest.raises(TooFewExamplesError, match=r"in draw \d+ of n_draws=40"):
            run(X, y, Xv, yv, n_base=3, n_calibration=2, n_draws=40, random_state=1)


class TestRoniDrawsProperties:
    @pytest.mark.slow
    @settings(max_examples=4, deadline=None)
    @given(seed=st.integers(0, 10_000), perm_seed=st.integers(0, 10_000))
    # found by the deep profile (session 35): a later draw's base of 10 of the 30 trusted rows (8 of
    # class 1) held class 0 only, which roni refuses as documented; the test took the refusal for a failure
    @example(seed=481, perm_seed=0)
    def test_row_order_and_class_names_do_not_change_the_averaged_result(self, seed, perm_seed):
        """Permuting the suspect rows and renaming the classes permutes the averaged scores and flags
        (a draw whose base holds one class is refused for the permuted, renamed rows too)."""
        X, y, Xv, yv = problem(seed, n=16, n_valid=30)
        perm = np.random.default_rng(perm_seed).permutation(len(y))
        names = np.array(["neg", "pos"])
        try:
            found = run(X, y, Xv, yv, n_draws=3)
        except TooFewExamplesError as refused:
            the_draw = re.search(r"in draw \d+ of n_draws=3", str(refused))
            assert the_draw is not None, str(refused)
            with pytest.raises(TooFewExamplesError, match=the_draw.group()):  # the same draw
                run(X[perm], names[y[perm]], Xv, names[yv], n_draws=3)
            return
        again = run(X[perm], names[y[perm]], Xv, names[yv], n_draws=3)
        np.testing.assert_array_equal(again.scores, found.scores[perm])
        np.testing.assert_array_equal(again.is_flagged, found.is_flagged[perm])

    def test_repeat_runs_give_the_same_result(self):
        """The same seed gives the same averaged result (workers: tests/poison/test_detect_roni.py)."""
        data = problem(4, n=40)
        one, two = run(*data, n_draws=2), run(*data, n_draws=2)
        np.testing.assert_array_equal(one.scores, two.scores)
        assert one.params == two.params
