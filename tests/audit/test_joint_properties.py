"""Class-renaming properties of the confident joint's public helpers (``labelwise.audit``):
``calibrate_confident_joint``, ``estimate_joint``, ``noise_matrix_from_joint`` and
``inverse_noise_matrix_from_joint``.

A renaming of the classes permutes both axes of a joint (given class by true class) and the label
counts; each helper's output is then the same permutation of its output on the original names.
``find_label_issues`` checks this end to end (tests/audit/test_invariants.py); these check the
helpers one by one, on joints no audit would make (zero rows and columns, large counts).

Calibration rounds each row to integers keeping its total (cleanlab's rule); when the row must
move a unit among entries rounded by the same amount, the tie goes by column, so a renaming can
move that unit to another of the tied entries (found by these tests; documented in
``round_preserving_row_totals``). The property checked is that weaker statement: a renaming
changes only rows with such a tie, and only by one unit per entry.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.audit import (
    calibrate_confident_joint,
    estimate_joint,
    inverse_noise_matrix_from_joint,
    noise_matrix_from_joint,
)

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def joints(draw):
    """A (k, k) integer confident joint (some rows or columns all zero), label counts and a
    permutation of the classes."""
    k = draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    joint = rng.integers(0, draw(st.sampled_from([3, 50, 10_000])), (k, k))
    joint[rng.random(k) < 0.2] = 0
    joint[:, rng.random(k) < 0.2] = 0
    counts = joint.sum(axis=1) + rng.integers(0, 5, k) * (joint.sum(axis=1) > 0)
    return joint, counts, rng.permutation(k)


def permuted(matrix: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """The matrix of renamed classes: old class ``c`` is new class ``sigma[c]`` on both axes."""
    out = np.empty_like(matrix)
    out[np.ix_(sigma, sigma)] = matrix
    return out


@given(case=joints())
@SETTINGS
def test_joint_and_noise_matrices_follow_a_renaming_of_the_classes(case):
    """estimate_joint, noise_matrix_from_joint and inverse_noise_matrix_from_joint of a renamed joint
    are the renamed results (to rounding: sums are taken in the new order)."""
    joint, _, sigma = case
    for helper in (estimate_joint, noise_matrix_from_joint, inverse_noise_matrix_from_joint):
        np.testing.assert_allclose(
            helper(permuted(joint, sigma)), permuted(helper(joint), sigma), rtol=1e-12, atol=1e-15
        )


@given(case=joints())
@SETTINGS
def test_noise_matrices_have_columns_summing_to_one(case):
    """Every column of both noise matrices sums to 1, an empty class's column included."""
    joint, _, _ = case
    for helper in (noise_matrix_from_joint, inverse_noise_matrix_from_joint):
        np.testing.assert_allclose(helper(estimate_joint(joint)).sum(axis=0), 1.0, rtol=1e-12)


@given(case=joints())
@SETTINGS
def test_calibration_follows_a_renaming_of_the_classes_and_keeps_row_totals(case):
    """The calibrated joint of renamed classes is the renamed calibrated joint but in rows where
    rounding chose among tied entries (there by one unit per entry); each row sums to its label
    count when the joint's row has any count."""
    joint, counts, sigma = case
    calibrated = calibrate_confident_joint(joint, counts)
    renamed_counts = np.empty_like(counts)
    renamed_counts[sigma] = counts
    back = calibrate_confident_joint(permuted(joint, sigma), renamed_counts)[np.ix_(sigma, sigma)]
    scaled = joint / np.maximum(joint.sum(axis=1, keepdims=True), 1) * counts[:, None]
    moved = np.round(scaled - np.rint(scaled), 9)
    for row in np.flatnonzero((back != calibrated).any(axis=1)):
        values = moved[row][moved[row] != 0]
        assert len(np.unique(values)) < len(values), f"row {row} changed without a tie: {scaled[row]}"
        assert np.abs(back[row] - calibrated[row]).max() == 1
        assert back[row].sum() == calibrated[row].sum()
    full = joint.sum(axis=1) > 0
    np.testing.assert_array_equal(calibrated.sum(axis=1)[full], counts[full])
