"""GoldMajorityVote on gold labels that name none of the answers' classes (session 37's walk)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from labelwise.aggregate import GoldMajorityVote
from labelwise.errors import LabelwiseWarning

ANSWERS = pd.DataFrame(
    {
        "item": ["a", "a", "a", "b", "b", "b", "c", "c", "c"],
        "annotator": ["w1", "w2", "w3"] * 3,
        "label": ["cat", "cat", "dog", "dog", "dog", "cat", "cat", "dog", "dog"],
    }
)


def test_gold_that_names_no_class_is_said_in_a_warning():
    """Gold 'Cat'/'Dog' for the classes 'cat'/'dog' gave every annotator skill 0 and the plain vote,
    silently; a LabelwiseWarning now names the classes and a gold label."""
    with pytest.warns(LabelwiseWarning, match=r"gold labels name none of the answers' classes \['cat', 'dog'\]"):
        model = GoldMajorityVote(gold=pd.Series({"a": "Cat", "b": "Dog"})).fit(ANSWERS)
    assert (model.annotator_skill_ == 0).all()


def test_gold_with_one_class_label_still_weighs_the_annotators():
    """One gold label that is a class is enough: no warning (a gold label no answer uses counts as wrong)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", LabelwiseWarning)
        model = GoldMajorityVote(gold=pd.Series({"a": "cat", "b": "bird"})).fit(ANSWERS)
    assert model.gold_accuracy_.tolist() == [0.5, 0.5, 0.0]
