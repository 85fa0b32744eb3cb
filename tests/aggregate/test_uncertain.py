"""Tests for labelwise.aggregate.uncertain: the CheXpert policies for unsure answers."""

from __future__ import annotations

import pandas as pd
import pytest

from labelwise.aggregate import DawidSkene, apply_uncertain_policy
from labelwise.errors import AnnotationError, InvalidParameterError

ANSWERS = pd.DataFrame(
    {
        "item": ["p1", "p1", "p1", "p2", "p2", "p3"],
        "annotator": ["r1", "r2", "r3", "r1", "r2", "r1"],
        "label": [1, -1, 1, 0, -1, -1],
    }
)


class TestApplyUncertainPolicy:
    def test_ignore_drops_unsure_answers(self):
        """U-Ignore removes unsure answers and reports items left without any answer."""
        result = apply_uncertain_policy(ANSWERS, -1, "ignore")
        assert result.answers["label"].tolist() == [1, 1, 0]
        assert result.n_unsure == 3 and result.n_items_lost == 1
        assert result.replacement is None

    def test_zeros_maps_unsure_to_negative(self):
        """U-Zeros turns every unsure answer into 0."""
        result = apply_uncertain_policy(ANSWERS, -1, "zeros")
        assert result.answers["label"].tolist() == [1, 0, 1, 0, 0, 0]
        assert result.answers["label"].dtype.kind == "i" and result.replacement == 0

    def test_ones_maps_unsure_to_positive(self):
        """U-Ones turns every unsure answer into 1."""
        result = apply_uncertain_policy(ANSWERS, -1, "ones")
        assert result.answers["label"].tolist() == [1, 1, 1, 0, 1, 1]

    def test_class_keeps_unsure_as_its_own_class(self):
        """U-MultiClass keeps unsure as a third class, optionally renamed."""
        kept = apply_uncertain_policy(ANSWERS, -1, "class")
        assert kept.answers["label"].tolist() == ANSWERS["label"].tolist()
        renamed = apply_uncertain_policy(ANSWERS, -1, "class", class_label="uncertain")
        assert renamed.answers["label"].tolist() == [1, "uncertain", 1, 0, "uncertain", "uncertain"]
        est = DawidSkene().fit(renamed.answers)
        assert "uncertain" in list(est.classes_) and len(est.classes_) == 3

    def test_string_labels_need_explicit_targets(self):
        """With non-0/1 labels, zeros/ones need negative=/positive= and then use them."""
        answers = ANSWERS.assign(label=ANSWERS["label"].map({1: "yes", 0: "no", -1: "unsure"}))
        with pytest.raises(InvalidParameterError, match="negative must be given for policy='zeros'"):
            apply_uncertain_policy(answers, "unsure", "zeros")
        result = apply_uncertain_policy(answers, "unsure", "zeros", negative="no")
        assert result.answers["label"].tolist() == ["yes", "no", "yes", "no", "no", "no"]
        assert result.summary() == {
            "policy": "zeros",
            "unsure": "unsure",
            "replacement": "no",
            "n_unsure": 3,
            "n_items_lost": 0,
        }

    def test_boolean_labels_default_to_false_and_true(self):
        """Boolean labels map unsure to False (zeros) and True (ones)."""
        answers = pd.DataFrame({"item": [1, 1, 2], "annotator": ["a", "b", "a"], "label": [True, None, False]})
        answers["label"] = answers["label"].astype(object).where(answers["label"].notna(), "?")
        assert apply_uncertain_policy(answers, "?", "ones").answers["label"].tolist() == [True, True, False]

    def test_unknown_policy_and_all_unsure(self):
        """An unknown policy, or nothing left after ignoring, is an error."""
        with pytest.raises(InvalidParameterError, match="policy must be one of"):
            apply_uncertain_policy(ANSWERS, -1, "u-zeros")
        only_unsure = ANSWERS.assign(label=-1)
        with pytest.raises(AnnotationError, match="every answer is the unsure value -1"):
            apply_uncertain_policy(only_unsure, -1, "ignore")

    def test_no_unsure_answer_is_a_no_op(self):
        """A value that never occurs changes nothing."""
        clean = ANSWERS[ANSWERS["label"] >= 0]
        result = apply_uncertain_policy(clean, 9, "ones")
        pd.testing.assert_frame_equal(result.answers, clean)
        assert result.n_unsure == 0
