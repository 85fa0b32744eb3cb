"""A noise matrix or transition given as a DataFrame that names the classes is read by name, not by position."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import labelwise as lw
from labelwise.errors import ShapeMismatchError

LABELS = np.repeat(["ant", "bee", "cow"], 20)
#: P(given | true) with index (given) and columns (true) in the order cow, ant, bee: half of the bees become ants.
NAMED = pd.DataFrame(
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.5], [0.0, 0.0, 0.5]], index=["cow", "ant", "bee"], columns=["cow", "ant", "bee"]
)


class TestFlipLabelsReadsANamedMatrixByName:
    def test_half_of_the_bees_become_ants(self):
        """Only true 'bee' rows flip, 10 of 20, all to 'ant' (main read column 0 as 'ant': cows became bees)."""
        flipped = lw.noise.flip_labels(LABELS, NAMED, random_state=0)
        pairs = pd.crosstab(flipped.true_labels, flipped.labels)
        assert pairs.loc["bee", "ant"] == 10 and pairs.loc["bee", "bee"] == 10
        assert pairs.loc["ant", "ant"] == 20 and pairs.loc["cow", "cow"] == 20
        np.testing.assert_allclose(flipped.noise_matrix, NAMED.loc[["ant", "bee", "cow"], ["ant", "bee", "cow"]])

    def test_the_same_flips_as_the_array_in_class_order(self):
        """The named frame gives the flips of the same matrix as an array in sorted class order."""
        order = ["ant", "bee", "cow"]
        by_name = lw.noise.flip_labels(LABELS, NAMED, random_state=3)
        by_position = lw.noise.flip_labels(LABELS, NAMED.loc[order, order].to_numpy(), random_state=3)
        np.testing.assert_array_equal(by_name.labels, by_position.labels)

    def test_a_frame_on_default_positions_keeps_class_order(self):
        """pandas' default 0..K-1 labels are positions, as an array's."""
        plain = pd.DataFrame(NAMED.loc[["ant", "bee", "cow"], ["ant", "bee", "cow"]].to_numpy())
        flipped = lw.noise.flip_labels(LABELS, plain, random_state=0)
        assert pd.crosstab(flipped.true_labels, flipped.labels).loc["bee", "ant"] == 10

    @pytest.mark.parametrize(
        "frame, match",
        [
            (NAMED.rename(columns={"bee": "bea"}), r"columns: the true class.*miss \['bee'\] and add \['bea'\]"),
            (NAMED.reset_index(drop=True), r"must name the classes .* on both its index .* or on neither"),
        ],
        ids=["misspelled class", "columns named, index not"],
    )
    def test_a_frame_that_names_other_classes_or_one_axis_is_refused(self, frame, match):
        """A misspelled class, or names on the columns only, is an error naming noise_matrix_or_rate."""
        with pytest.raises(ShapeMismatchError, match=match):
            lw.noise.flip_labels(LABELS, frame, random_state=0)


@pytest.mark.parametrize(
    "make",
    [lw.robust.ForwardCorrection, lambda **kw: lw.robust.ImportanceReweighting(LogisticRegression(), **kw)],
    ids=["forward", "reweighting"],
)
def test_a_named_transition_is_read_by_name(make):
    """T (index: true, columns: noisy) in the order cow, ant, bee is fitted as the same T in class order."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2)) + np.repeat(np.eye(3, 2) * 3, 20, axis=0)
    T = pd.DataFrame(
        [[0.9, 0.1, 0.0], [0.0, 0.8, 0.2], [0.1, 0.0, 0.9]], index=["cow", "ant", "bee"], columns=["cow", "ant", "bee"]
    )
    fitted = make(transition=T, random_state=0).fit(X, LABELS)
    order = ["ant", "bee", "cow"]
    np.testing.assert_allclose(fitted.transition_, T.loc[order, order].to_numpy())
