"""The default prevalence grid on a small test set (session 41)."""

from __future__ import annotations

import numpy as np

from labelwise.evaluate import corrected_benchmark


def test_default_grid_gives_each_prevalence_once_and_21_points_where_the_test_set_allows():
    """Four items, one corrected: grid points rounded to one keep count and curve.csv repeated rows; now each
    reachable prevalence once. A test set large enough for 21 distinct keep counts still gets 21 points."""
    given = np.array([0, 1, 0, 1])
    corrected = np.array([1, 1, 0, 1])
    ev = corrected_benchmark({"a": given, "b": corrected}, given, corrected, seeds=3)
    frame = ev.prevalence_curve().to_frame()
    assert not frame.duplicated(["model", "n_removed"]).any()
    assert list(frame[frame.model == "a"]["n_removed"]) == [0, 1, 2]
    np.testing.assert_allclose(frame[frame.model == "a"]["prevalence"], [0.25, 1 / 3, 0.5])
    rng = np.random.default_rng(0)
    given = rng.integers(0, 3, 2000)
    corrected = given.copy()
    corrected[:40] = (given[:40] + 1) % 3
    curve = corrected_benchmark({"m": given}, given, corrected, seeds=2).prevalence_curve()
    assert len(curve.prevalence) == 21
    assert np.all(np.diff(curve.prevalence) > 0)
