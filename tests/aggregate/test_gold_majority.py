"""GoldMajorityVote: crowd-kit 1.4.2's GoldMajorityVote, annotators without gold answers, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.aggregate import GoldMajorityVote, MajorityVote
from labelwise.errors import AnnotationError, InvalidParameterError
from tests.aggregate._crowd import accuracy, confusion_crowd, load_crowd
from tests.aggregate._peers import aligned, quiet_fit, to_crowdkit, without_vote_ties

crowdkit = pytest.importorskip("crowdkit.aggregation")

EXAMPLE = pd.DataFrame(
    [["t1", "p1", 0], ["t1", "p2", 0], ["t1", "p3", 1], ["t2", "p1", 1], ["t2", "p2", 0], ["t2", "p3", 1]],
    columns=["item", "annotator", "label"],
)


def _crowdkit(answers: pd.DataFrame, gold: pd.Series):
    """crowd-kit's fit, then its weighted vote (its predict trips on scikit-learn 1.9's check_is_fitted)."""
    est = quiet_fit(crowdkit.GoldMajorityVote(), answers, gold.rename_axis("task"))
    return est.skills_, crowdkit.MajorityVote().fit(to_crowdkit(answers), skills=est.skills_)


class TestAgainstCrowdKit:
    def test_crowdkit_docs_example(self):
        """crowd-kit's documented example: p3 is wrong on the gold item (weight 0), so t1 is 0 and
        t2 is an even split between p1 (1) and p2 (0)."""
        est = GoldMajorityVote(gold=pd.Series({"t1": 0})).fit(EXAMPLE)
        skills, mv = _crowdkit(EXAMPLE, pd.Series({"t1": 0}))
        assert est.annotator_skill_.tolist() == [1.0, 1.0, 0.0] == skills.sort_index().tolist()
        np.testing.assert_allclose(est.probas_.to_numpy(), aligned(mv.probas_, est.probas_))
        assert est.probas_.loc["t2"].tolist() == [0.5, 0.5] and est.labels_["t1"] == 0

    def test_skills_and_probas_equal_crowdkits(self):
        """On a simulated crowd with gold on a third of the items: the same skills and posteriors."""
        answers, truth = confusion_crowd(150, 3, per_item=3, seed=1)
        answers = without_vote_ties(answers)
        gold = truth.iloc[:50]
        est = GoldMajorityVote(gold=gold).fit(answers)
        skills, mv = _crowdkit(answers, gold)
        np.testing.assert_allclose(est.annotator_skill_, skills.reindex(est.annotator_skill_.index))
        np.testing.assert_allclose(est.probas_.to_numpy(), aligned(mv.probas_, est.probas_), atol=1e-12)

    def test_real_set(self, shared_data):
        """Gold on a random half of the RTE items: crowd-kit's skills, and on the other half at least
        the plain vote's accuracy (annotators without gold weigh 0.5)."""
        answers, gold = load_crowd(shared_data, "smem_rte")
        half = gold.sample(frac=0.5, random_state=0)
        est = GoldMajorityVote(gold=half, on_missing_skill="value", default_skill=0.5).fit(answers)
        skills = quiet_fit(crowdkit.GoldMajorityVote(), answers, half.rename_axis("task")).skills_
        np.testing.assert_allclose(est.gold_accuracy_.dropna(), skills.reindex(est.gold_accuracy_.dropna().index))
        rest = gold.drop(half.index)
        assert accuracy(est.labels_, rest) >= accuracy(MajorityVote().fit(answers).labels_, rest) - 0.01


class TestMissingSkill:
    ANSWERS = pd.concat(
        [EXAMPLE, pd.DataFrame([["t2", "new", 0], ["t3", "new", 1]], columns=EXAMPLE.columns)], ignore_index=True
    )

    def test_error_names_the_annotators(self):
        """By default (crowd-kit's) an annotator without gold answers is an error naming them."""
        with pytest.raises(AnnotationError, match=r"1 annotator\(s\) answered no gold item.*'new'"):
            GoldMajorityVote(gold={"t1": 0}).fit(self.ANSWERS)

    def test_value_gives_the_default_skill(self):
        """on_missing_skill='value': the annotator weighs default_skill; gold_accuracy_ stays NaN."""
        est = GoldMajorityVote(gold={"t1": 0}, on_missing_skill="value", default_skill=0.25).fit(self.ANSWERS)
        assert est.annotator_skill_["new"] == 0.25 and np.isnan(est.gold_accuracy_["new"])
        assert est.probas_.loc["t2", 0] == pytest.approx(1.25 / 2.25)

    def test_ignore_drops_their_answers_and_refuses_orphan_items(self):
        """on_missing_skill='ignore': their answers weigh 0; an item only they answered is an error."""
        with pytest.raises(AnnotationError, match="leaves 1 item"):
            GoldMajorityVote(gold={"t1": 0}, on_missing_skill="ignore").fit(self.ANSWERS)
        est = GoldMajorityVote(gold={"t1": 0}, on_missing_skill="ignore").fit(self.ANSWERS.iloc[:7])
        assert est.annotator_skill_["new"] == 0 and est.probas_.loc["t2"].tolist() == [0.5, 0.5]

    def test_all_zero_skills_fall_back_to_the_vote(self):
        """An item whose annotators all missed every gold item keeps its plain vote shares."""
        answers = pd.DataFrame(
            {"item": [1, 1, 2, 2, 2], "annotator": ["a", "b", "a", "b", "a"], "label": ["x", "y", "y", "y", "x"]}
        )
        est = GoldMajorityVote(gold={1: "z"}).fit(answers)  # a gold label nobody used: every answer wrong
        assert (est.annotator_skill_ == 0).all()
        pd.testing.assert_frame_equal(est.probas_, MajorityVote().fit(answers).probas_)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16))
def test_row_order_and_renaming(seed):
    """Shuffled rows and renamed items/annotators/classes give the renamed, equal result."""
    answers, truth = confusion_crowd(30, 3, per_item=3, seed=seed % 50)
    gold = truth.iloc[:15]
    a = GoldMajorityVote(gold=gold, on_missing_skill="value", default_skill=0.5).fit(answers)
    shuffled = answers.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    renamed = shuffled.assign(item=shuffled.item + 100, annotator="x" + shuffled.annotator, label=shuffled.label * 10)
    gold_renamed = pd.Series(gold.to_numpy() * 10, index=gold.index + 100)
    b = GoldMajorityVote(gold=gold_renamed, on_missing_skill="value", default_skill=0.5).fit(renamed)
    np.testing.assert_allclose(a.probas_.to_numpy(), b.probas_.to_numpy())
    assert (a.labels_.to_numpy() * 10 == b.labels_.to_numpy()).all()


class TestBadInput:
    @pytest.mark.parametrize(
        "params, match",
        [
            ({}, "gold must give"),
            ({"gold": [0, 1]}, "gold must be a Series"),
            ({"gold": pd.DataFrame({"a": [1], "b": [2], "c": [3]})}, "columns item and label"),
            ({"gold": pd.Series([np.nan], index=["t1"])}, "at least one item"),
            ({"gold": pd.DataFrame({"item": ["t1", "t1"], "label": [0, 1]})}, "one label per item"),
            ({"gold": {"t1": 0}, "on_missing_skill": "drop"}, "on_missing_skill"),
            ({"gold": {"t1": 0}, "default_skill": 0.5}, "default_skill must be given exactly"),
            ({"gold": {"t1": 0}, "on_missing_skill": "value"}, "default_skill must be given exactly"),
            (
                {"gold": {"t1": 0}, "on_missing_skill": "value", "default_skill": 1.5},
                r"default_skill must be a number in \[0, 1\]",
            ),
        ],
    )
    def test_bad_parameters_are_named(self, params, match):
        """Each bad parameter raises InvalidParameterError naming it and what was got."""
        with pytest.raises(InvalidParameterError, match=match):
            GoldMajorityVote(**params).fit(EXAMPLE)

    def test_gold_sharing_no_item(self):
        """Gold for items nobody answered: an AnnotationError showing both kinds of ids."""
        with pytest.raises(AnnotationError, match="shares no item"):
            GoldMajorityVote(gold={"zz": 0}).fit(EXAMPLE)
