"""out_of_fold_probs given the whole table, label column included (session 36's walk)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import labelwise as lw
from labelwise.errors import LabelwiseWarning


def _wine(text: bool) -> pd.DataFrame:
    frame = load_wine(as_frame=True).frame
    if text:
        frame["target"] = frame["target"].map({0: "barolo", 1: "grignolino", 2: "barbera"})
    return frame


def _model():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


class TestTheLabelColumnAmongTheFeatures:
    def test_a_numeric_label_column_left_in_the_features_is_warned_with_its_name(self):
        """``out_of_fold_probs(model, frame, frame["target"])`` with 20 labels flipped: the model read
        every given label from the label column, 0 were flagged, and nothing said why."""
        frame = _wine(False)
        flips = np.random.default_rng(0).choice(len(frame), 20, replace=False)
        frame.loc[flips, "target"] = (frame.loc[flips, "target"] + 1) % 3
        with pytest.warns(LabelwiseWarning, match=r"column 'target' equals labels in every row.*drop it"):
            probs = lw.out_of_fold_probs(_model(), frame, frame["target"], random_state=0)
        assert lw.find_label_issues(frame["target"], probs).n_issues == 0  # the silent result warned about

    def test_a_text_label_column_left_in_the_table_given_to_auto_is_warned(self):
        """``out_of_fold_probs("auto", frame, frame["target"])`` with text classes:: auto one-hot encodes the label column."""
        frame = _wine(True)
        with pytest.warns(LabelwiseWarning, match=r"column 'target' equals labels in every row"):
            lw.out_of_fold_probs("auto", frame, frame["target"], random_state=0, time_budget=5)

    def test_features_without_the_label_column_are_not_warned_about(self):
        """The same table without its label column: no warning (the check is not a constant)."""
        frame = _wine(False)
        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            lw.out_of_fold_probs(_model(), frame.drop(columns="target"), frame["target"], random_state=0)

    def test_choose_model_given_a_copy_of_the_labels_warns_with_its_name(self):
        """``choose_model`` (what ``audit --model auto`` and ``train`` call) read a copy of the labels as a
        feature without a word; it warns as ``out_of_fold_probs`` does."""
        from labelwise.models import choose_model

        frame = _wine(False).rename(columns={"target": "class_copy"})
        with pytest.warns(LabelwiseWarning, match=r"column 'class_copy' equals labels in every row"):
            choose_model(frame, frame["class_copy"], random_state=0, time_budget=5, families=["logistic"])
