"""Crowd metrics: uncertainty, consistency and accuracy_on_aggregates equal crowd-kit 1.4.2's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.aggregate import DawidSkene, accuracy_on_aggregates, consistency, uncertainty
from labelwise.errors import AnnotationError, InvalidParameterError
from tests.aggregate._crowd import confusion_crowd, load_crowd
from tests.aggregate._peers import to_crowdkit, without_vote_ties

ck_data = pytest.importorskip("crowdkit.metrics.data")
ck_workers = pytest.importorskip("crowdkit.metrics.workers")


def _crowd(seed: int = 0, k: int = 3):
    """Answers without vote ties (crowd-kit's vote takes the first tied label, labelwise draws one)."""
    answers, truth = confusion_crowd(120, k, per_item=4, seed=seed)
    answers = without_vote_ties(answers)
    skills = answers.groupby("annotator").size().rank(pct=True).rename_axis("annotator") * 0.5 + 0.4
    return answers, skills


def _close(ours: pd.Series, theirs: pd.Series) -> None:
    np.testing.assert_allclose(ours.to_numpy(), theirs.reindex(ours.index).to_numpy(), atol=1e-12)


class TestUncertainty:
    def test_crowdkit_docstring_examples(self):
        """crowd-kit's examples: 0 for agreement, log 3 for three different answers, per worker."""
        same = pd.DataFrame({"item": ["X", "X"], "annotator": ["A", "B"], "label": ["Yes", "Yes"]})
        three = pd.DataFrame({"item": ["X"] * 3, "annotator": list("ABC"), "label": ["Yes", "No", "Maybe"]})
        assert uncertainty(same) == 0.0
        assert uncertainty(three) == pytest.approx(np.log(3))
        four = pd.DataFrame({"item": list("XXYY"), "annotator": list("ABAB"), "label": ["Yes", "No", "Yes", "Yes"]})
        by_worker = uncertainty(four, pd.Series([1, 1], index=["A", "B"]), by="annotator", aggregate=False)
        assert by_worker.tolist() == pytest.approx([0.0, np.log(2)])

    @pytest.mark.parametrize("by, compute_by", [("item", "task"), ("annotator", "worker")])
    def test_equal_to_crowdkit_with_and_without_skills(self, by, compute_by):
        """Per item and per annotator, with skills and without (every skill 1)."""
        answers, skills = _crowd()
        c = to_crowdkit(answers)
        for ours, theirs in (
            (
                uncertainty(answers, by=by, aggregate=False),
                ck_data.uncertainty(c, compute_by=compute_by, aggregate=False),
            ),
            (
                uncertainty(answers, skills, by=by, aggregate=False),
                ck_data.uncertainty(c, skills.rename_axis("worker"), compute_by=compute_by, aggregate=False),
            ),
        ):
            _close(ours, theirs)

    @pytest.mark.slow  # crowd-kit's per-row apply takes about 2 s on 8070 answers
    def test_real_set_mean(self, shared_data):
        """The mean item uncertainty of the dog set equals crowd-kit's."""
        answers, _ = load_crowd(shared_data, "s4_Dog_data")
        assert uncertainty(answers) == pytest.approx(ck_data.uncertainty(to_crowdkit(answers)), abs=1e-12)

    def test_aggregator_skills(self):
        """aggregator=: its annotator_skill_ (fitted on the answers) are the skills."""
        answers, _ = _crowd(1)
        ds = DawidSkene().fit(answers)
        assert uncertainty(answers, aggregator=DawidSkene()) == pytest.approx(uncertainty(answers, ds.annotator_skill_))


class TestConsistency:
    def test_equal_to_crowdkit_with_the_vote(self):
        """Majority vote labels and its agreement skills, per item and on average."""
        answers, _ = _crowd(2)
        c = to_crowdkit(answers)
        _close(consistency(answers, by_item=True), ck_data.consistency(c, by_task=True))
        assert consistency(answers) == pytest.approx(ck_data.consistency(c), abs=1e-12)

    def test_equal_to_crowdkit_with_given_skills(self):
        """Given skills (some 1 and 0, whose zero factors the log space keeps exact)."""
        answers, skills = _crowd(3, k=2)
        skills.iloc[:2] = [1.0, 0.0]
        _close(
            consistency(answers, skills, by_item=True),
            ck_data.consistency(to_crowdkit(answers), skills.rename_axis("worker"), by_task=True),
        )

    def test_many_answers_do_not_underflow(self):
        """An item with 2000 answers still gets its posterior (products of probabilities underflow)."""
        answers = pd.DataFrame({"item": 0, "annotator": np.arange(2000), "label": np.arange(2000) % 3 == 0})
        value = consistency(answers, pd.Series(0.6, index=np.arange(2000)))
        assert value == pytest.approx(1.0)


class TestAccuracyOnAggregates:
    def test_equal_to_crowdkit(self):
        """Over all answers and per annotator, from the vote or from given aggregates."""
        answers, _ = _crowd(4)
        c = to_crowdkit(answers)
        assert accuracy_on_aggregates(answers) == pytest.approx(ck_workers.accuracy_on_aggregates(c))
        _close(accuracy_on_aggregates(answers, by="annotator"), ck_workers.accuracy_on_aggregates(c, by="worker"))
        labels = DawidSkene().fit(answers).labels_
        assert accuracy_on_aggregates(answers, aggregates=labels) == pytest.approx(
            ck_workers.accuracy_on_aggregates(c, aggregates=labels.rename_axis("task"))
        )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16))
def test_row_order_and_renaming(seed):
    """Shuffled rows and renamed items/annotators/classes give the same (renamed) metrics."""
    answers, skills = _crowd(seed % 20)
    shuffled = answers.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    renamed = shuffled.assign(item=shuffled.item * 7, annotator="z" + shuffled.annotator, label=-shuffled.label)
    skills_renamed = skills.rename(index=lambda a: "z" + a)
    a = uncertainty(answers, skills, aggregate=False)
    np.testing.assert_allclose(a.to_numpy(), uncertainty(renamed, skills_renamed, aggregate=False).to_numpy())
    b = consistency(answers, skills, by_item=True)
    np.testing.assert_allclose(b.to_numpy(), consistency(renamed, skills_renamed, by_item=True).to_numpy())
    assert accuracy_on_aggregates(answers) == pytest.approx(accuracy_on_aggregates(renamed))


class TestBadInput:
    ANSWERS = pd.DataFrame({"item": [1, 1, 2], "annotator": ["a", "b", "a"], "label": ["x", "y", "x"]})

    @pytest.mark.parametrize(
        "call, error, match",
        [
            (lambda a: uncertainty(a, by="task"), InvalidParameterError, "by must be one of"),
            (lambda a: uncertainty(a, pd.Series({"a": 0.9})), AnnotationError, "1 annotator"),
            (lambda a: uncertainty(a, pd.Series({"a": 0.9, "b": 1.5})), InvalidParameterError, r"\[0, 1\]"),
            (lambda a: uncertainty(a, {"a": 1}), InvalidParameterError, "skills must be a pandas Series"),
            (lambda a: uncertainty(a, pd.Series({"a": 1}), aggregator=DawidSkene()), InvalidParameterError, "not both"),
            (lambda a: consistency(a, aggregator="mv"), InvalidParameterError, "aggregator must be"),
            (lambda a: consistency(a, by_item="yes"), InvalidParameterError, "by_item"),
            (lambda a: accuracy_on_aggregates(a, by="worker"), InvalidParameterError, "by must be one of"),
            (lambda a: accuracy_on_aggregates(a, aggregates=pd.Series({9: "x"})), AnnotationError, "share no item"),
        ],
    )
    def test_errors_name_the_parameter(self, call, error, match):
        """Each bad argument raises a labelwise error naming it."""
        with pytest.raises(error, match=match):
            call(self.ANSWERS)
