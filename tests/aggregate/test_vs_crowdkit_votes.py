"""MajorityVote, Wawa and ZeroBasedSkill against crowd-kit 1.4.2 on the same answers.

The three methods are the same computations in both libraries; they differ only where a vote
ties. crowd-kit takes the first tied label in sorted order (``DataFrame.idxmax``), labelwise draws
one at random with its seeded generator (documented in :class:`~labelwise.aggregate.MajorityVote`).
So labels are compared on the items with a single winner, and whole runs (Wawa, ZBS: every later
step follows the first vote's winners) on answers whose plain vote cannot tie (binary answers from
an odd number of annotators) or on real sets with their tied items left out. On the full real
sets each step is compared separately, given the same labels or skills.

crowd-kit 1.4.2's ``Wawa.predict`` and ``ZeroBasedSkill.predict`` fail under scikit-learn >= 1.6
(``check_is_fitted`` asks for ``__sklearn_tags__``), so their prediction step is made here by the
call those methods make themselves: ``MajorityVote().fit(data, skills=fitted.skills_)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import MajorityVote, Wawa, ZeroBasedSkill
from tests.aggregate._crowd import confusion_crowd, load_crowd
from tests.aggregate._peers import (
    REAL_SETS,
    aligned,
    binary_crowd,
    quiet_fit,
    tied_rows,
    to_crowdkit,
    without_vote_ties,
)

crowdkit = pytest.importorskip("crowdkit.aggregation")
crowdkit_utils = pytest.importorskip("crowdkit.aggregation.utils")

EXACT = 1e-12  # the same sums of the same numbers, maybe in another order


def _skills_against(answers: pd.DataFrame, labels: pd.Series) -> pd.Series:
    """crowd-kit's skill formula (``get_accuracy`` by worker) against the given labels."""
    return crowdkit_utils.get_accuracy(to_crowdkit(answers), labels.rename_axis("task"), by="worker")


def _weighted_vote(answers: pd.DataFrame, skills: pd.Series):
    """crowd-kit's weighted majority vote with the given skills (Wawa's and ZBS's prediction step)."""
    return quiet_fit(crowdkit.MajorityVote(), answers, skills.rename_axis("worker"))


def _assert_same_vote(ours, theirs_probas: pd.DataFrame, theirs_labels: pd.Series) -> None:
    """Equal vote shares; equal labels where one label wins; a tied label is one of the winners."""
    shares = aligned(theirs_probas, ours.probas_)
    np.testing.assert_allclose(ours.probas_.to_numpy(), shares, atol=EXACT)
    tied = tied_rows(shares)
    theirs = theirs_labels.reindex(ours.labels_.index)
    assert (ours.labels_[~tied] == theirs[~tied]).all()
    code = ours.classes_.searchsorted(ours.labels_[tied].to_numpy())
    assert (shares[tied][np.arange(tied.sum()), code] >= shares[tied].max(axis=1) - EXACT).all()


def _assert_same_run(ours, theirs_vote, theirs_skills: pd.Series) -> None:
    """Labels, soft labels and skills all equal (answers whose votes never tie)."""
    assert not tied_rows(aligned(theirs_vote.probas_, ours.probas_)).any()
    pd.testing.assert_series_equal(ours.labels_, theirs_vote.labels_.reindex(ours.labels_.index), check_names=False)
    np.testing.assert_allclose(ours.probas_.to_numpy(), aligned(theirs_vote.probas_, ours.probas_), atol=EXACT)
    skills = theirs_skills.reindex(ours.annotator_skill_.index)
    np.testing.assert_allclose(ours.annotator_skill_.to_numpy(), skills.to_numpy(), atol=EXACT)


def _multiclass_with_ties() -> pd.DataFrame:
    return confusion_crowd(300, 3, per_item=2, seed=0)[0]


def _tie_free_sets() -> list[pd.DataFrame]:
    return [
        binary_crowd(200, (0.9, 0.75, 0.6, 0.55, 0.3), seed=1),
        without_vote_ties(confusion_crowd(400, 4, per_item=3, seed=2)[0]),
    ]


class TestMajorityVote:
    def test_vote_shares_labels_and_skills_equal_crowdkit(self):
        """Vote shares equal crowd-kit's probas_, labels equal off ties (138 of the 300 items tie), skills
        equal crowd-kit's formula against the same labels."""
        answers = _multiclass_with_ties()
        ours = MajorityVote().fit(answers)
        theirs = quiet_fit(crowdkit.MajorityVote(), answers)
        assert tied_rows(ours.probas_.to_numpy()).sum() > 20  # the tie rule is exercised
        _assert_same_vote(ours, theirs.probas_, theirs.labels_)
        skills = _skills_against(answers, ours.labels_).reindex(ours.annotator_skill_.index)
        np.testing.assert_allclose(ours.annotator_skill_.to_numpy(), skills.to_numpy(), atol=EXACT)

    @pytest.mark.parametrize("case", [0, 1])
    def test_everything_equal_without_ties(self, case):
        """Where no vote ties, labels, vote shares and skills equal crowd-kit's outright."""
        answers = _tie_free_sets()[case]
        theirs = quiet_fit(crowdkit.MajorityVote(), answers)
        _assert_same_run(MajorityVote().fit(answers), theirs, theirs.skills_)


class TestWawa:
    @pytest.mark.parametrize("case", [0, 1])
    def test_whole_run_equals_crowdkit_without_ties(self, case):
        """Labels, soft labels and skills equal crowd-kit's Wawa where the first vote cannot tie."""
        answers = _tie_free_sets()[case]
        fitted = quiet_fit(crowdkit.Wawa(), answers)
        _assert_same_run(Wawa().fit(answers), _weighted_vote(answers, fitted.skills_), fitted.skills_)

    def test_each_step_equals_crowdkit_with_ties(self):
        """With ties: skills are crowd-kit's formula against labelwise's first vote, and the soft
        labels are crowd-kit's vote weighted by those skills."""
        answers = _multiclass_with_ties()
        ours = Wawa().fit(answers)
        skills = _skills_against(answers, MajorityVote().fit(answers).labels_)
        np.testing.assert_allclose(ours.annotator_skill_.to_numpy(), skills.reindex(ours.annotator_skill_.index))
        vote = _weighted_vote(answers, skills)
        _assert_same_vote(ours, vote.probas_, vote.labels_)


class TestZeroBasedSkill:
    @pytest.mark.parametrize("case", [0, 1])
    @pytest.mark.parametrize("tol", [0.0, 1e-6])
    def test_whole_run_equals_crowdkit_without_ties(self, case, tol):
        """With tol=0 labelwise runs crowd-kit's 100 iterations; with the default tol it stops once the
        skills stop moving, at the same skills."""
        answers = _tie_free_sets()[case]
        fitted = quiet_fit(crowdkit.ZeroBasedSkill(), answers)
        ours = ZeroBasedSkill(tol=tol).fit(answers)
        assert ours.n_iter_ == 100 if tol == 0 else ours.n_iter_ < 100
        _assert_same_run(ours, _weighted_vote(answers, fitted.skills_), fitted.skills_)

    def test_prediction_step_equals_crowdkit_with_ties(self):
        """With ties (the runs part at the first vote): the soft labels are crowd-kit's vote weighted
        by labelwise's skills."""
        answers = _multiclass_with_ties()
        ours = ZeroBasedSkill().fit(answers)
        vote = _weighted_vote(answers, ours.annotator_skill_)
        _assert_same_vote(ours, vote.probas_, vote.labels_)


@pytest.mark.slow
@pytest.mark.parametrize("name", REAL_SETS)
def test_real_sets_equal_crowdkit(shared_data, name):
    """On each real crowd set: majority vote step by step as above; Wawa's and ZBS's whole runs on
    the items whose vote has one winner; their steps on all items."""
    answers, _ = load_crowd(shared_data, name)
    mv = MajorityVote().fit(answers)
    theirs = quiet_fit(crowdkit.MajorityVote(), answers)
    _assert_same_vote(mv, theirs.probas_, theirs.labels_)
    np.testing.assert_allclose(
        mv.annotator_skill_.to_numpy(), _skills_against(answers, mv.labels_).reindex(mv.annotator_skill_.index)
    )
    untied = without_vote_ties(answers)
    for ours, peer in ((Wawa(), crowdkit.Wawa()), (ZeroBasedSkill(), crowdkit.ZeroBasedSkill())):
        fitted = quiet_fit(peer, untied)
        _assert_same_run(ours.fit(untied), _weighted_vote(untied, fitted.skills_), fitted.skills_)
        ours.fit(answers)
        vote = _weighted_vote(answers, ours.annotator_skill_)
        _assert_same_vote(ours, vote.probas_, vote.labels_)
