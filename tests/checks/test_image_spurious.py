"""spurious_correlations: cross-validated accuracies and scores equal to cleanlab Datalab's; the check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.checks import find_data_issues
from labelwise.checks.image_spurious import spurious_correlations
from labelwise.errors import InvalidParameterError, TooFewExamplesError


def _properties(n: int = 120, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    frame = pd.DataFrame(
        {
            "dark_score": 0.2 * y + rng.normal(0, 0.05, n),  # predicts the label
            "blurry_score": rng.uniform(0, 1, n),  # unrelated
            "grayscale_score": np.ones(n),  # constant
            "odd_size_score": np.round(rng.uniform(0, 1, n), 1) + 0.1 * (y == 2),  # a little
        }
    )
    return frame, y


class TestDatalabPeer:
    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_accuracy_and_score_equal_cleanlabs_formula(self, seed):
        """Each property's 5-fold GaussianNB accuracy equals cleanlab's, and its score equals cleanlab's
        relative room for improvement over the majority share."""
        pytest.importorskip("cleanlab")
        from cleanlab.datalab.internal.spurious_correlation import _train_and_eval, relative_room_for_improvement

        frame, y = _properties(seed=seed)
        got = spurious_correlations(frame, y)
        baseline = np.bincount(y).max() / len(y)
        for i, column in enumerate(frame.columns):
            if column == "grayscale_score":  # constant: see test_a_constant_property_scores_about_one
                continue
            accuracy = _train_and_eval(frame[[column]].to_numpy(), y)
            assert got["accuracy"][i] == pytest.approx(accuracy, abs=1e-12)
            assert got["score"][i] == pytest.approx(relative_room_for_improvement(baseline, accuracy), abs=1e-12)

    def test_scores_equal_datalab_when_its_baseline_is_the_majority_share(self):
        """With Datalab's own baseline (argmax(bincount) / n) put in, the scores are Datalab's scores."""
        pytest.importorskip("cleanlab")
        from cleanlab.datalab.internal.spurious_correlation import SpuriousCorrelations

        frame, y = _properties()
        frame = frame.drop(columns="grayscale_score")
        theirs = SpuriousCorrelations(frame, y).calculate_correlations()
        got = spurious_correlations(frame, y)
        datalab_baseline = np.bincount(y).argmax() / len(y)
        rescaled = np.minimum(1, (1 - got["accuracy"]) / (1 - datalab_baseline))
        np.testing.assert_allclose(rescaled, theirs["score"], atol=1e-12)
        assert theirs["property"].tolist() == got["property"].tolist()

    def test_a_constant_property_scores_about_one(self):
        """A constant property predicts the majority class: accuracy the baseline's, score near 1
        (scikit-learn's GaussianNB divides 0 by 0 there and predicts class code 0)."""
        frame, y = _properties()
        got = spurious_correlations(frame, y).set_index("property")
        assert got.loc["grayscale_score", "score"] == pytest.approx(1.0, abs=0.05)

    def test_a_property_that_predicts_the_label_is_flagged(self):
        """The score made from the label is below 0.3; the unrelated one is not."""
        frame, y = _properties()
        got = spurious_correlations(frame, y).set_index("property")
        assert got.loc["dark_score", "is_issue"] and not got.loc["blurry_score", "is_issue"]


class TestInput:
    def test_renamed_labels_give_the_same_scores(self):
        """Class names do not matter: strings in another order score the same."""
        frame, y = _properties()
        names = np.array(["zebra", "ant", "moose"])[y]
        pd.testing.assert_frame_equal(spurious_correlations(frame, y), spurious_correlations(frame, names))

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"properties": np.zeros((5, 2))}, InvalidParameterError, "properties must be a pandas DataFrame"),
            ({"labels": [0, 1]}, InvalidParameterError, r"labels must be one value per row of properties \(120\)"),
            ({"cv": 1}, InvalidParameterError, "cv"),
            ({"threshold": 1.5}, InvalidParameterError, r"threshold must be a number in \[0, 1\], got 1.5"),
        ],
    )
    def test_bad_input_names_the_parameter(self, kwargs, error, match):
        """Bad properties, labels, cv or threshold: a labelwise error naming it."""
        frame, y = _properties()
        with pytest.raises(error, match=match):
            spurious_correlations(**{"properties": frame, "labels": y, **kwargs})

    def test_too_few_rows_for_the_folds(self):
        """Fewer rows per class than folds: TooFewExamplesError with the class counts."""
        frame = pd.DataFrame({"a": [0.1, 0.2, 0.3]})
        with pytest.raises(TooFewExamplesError, match=r"class counts \[2, 1\]"):
            spurious_correlations(frame, [0, 0, 1])


class TestCheck:
    def test_the_check_flags_brightness_that_follows_the_class(self):
        """Images of one class darker: the check flags dark_score; its row counts properties."""
        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, size=(40, 16, 16), dtype=np.uint8)
        y = np.repeat(["a", "b"], 20)
        images[:20] //= 4
        found = find_data_issues(labels=y, images=images, checks=["spurious_correlations"])
        info = found.info["spurious_correlations"]
        assert "dark_score" in info["flagged_properties"] and info["unit"] == "properties"
        row = found.summary.set_index("check").loc["spurious_correlations"]
        assert row["n_issues"] == len(info["flagged_properties"])

    def test_without_labels_the_check_is_skipped_with_a_reason(self):
        """Images alone: the spurious-correlation check is skipped and says it needs labels."""
        images = np.zeros((6, 8, 8), dtype=np.uint8)
        found = find_data_issues(images=images, checks=["spurious_correlations", "dark"])
        row = found.summary.set_index("check").loc["spurious_correlations"]
        assert row["status"] == "skipped" and "labels" in row["reason"]


def test_one_class_is_refused_rather_than_flagging_every_property():
    """With one class the majority share is 1 and every property scored 0 (flagged): refused, naming the class."""
    properties = pd.DataFrame({"dark_score": np.linspace(0, 1, 10), "light_score": np.linspace(1, 0, 10)})
    with pytest.raises(TooFewExamplesError, match="two classes or more .* got only 'cat'"):
        spurious_correlations(properties, ["cat"] * 10)


@pytest.mark.parametrize(
    ("labels", "reason"),
    [
        (["cat"] * 8, "needs labels of two classes or more (no property can predict a single class)"),
        (["cat"] * 4 + ["dog"] * 4, "needs a class with at least cv=5 rows for 5 stratified folds, got class counts"),
    ],
)
def test_the_check_is_skipped_with_a_reason_and_the_other_image_checks_run(labels, reason):
    """A tiny or one-class table: spurious_correlations is skipped (it stopped every check before), dark still runs."""
    images = np.random.default_rng(0).integers(0, 256, size=(8, 16, 16, 3), dtype=np.uint8)
    found = find_data_issues(labels=labels, images=images, checks=["dark", "spurious_correlations"])
    rows = found.summary.set_index("check")
    assert rows.loc["spurious_correlations", "status"] == "skipped"
    assert rows.loc["spurious_correlations", "reason"].startswith(reason)
    assert rows.loc["dark", "status"] == "ran"
    assert found.summary_dict()["spurious_correlations"]["status"] == "skipped"
