"""``labelwise.aggregate``'s warnings point at the user's line from ``fit`` and from ``fit_predict`` (one frame
deeper), and from the other public paths that reach them (``encode_answers``, ``MultiLabelAggregator``'s per-tag
fits, ``NoisyBradleyTerry``): a fixed ``stacklevel`` is right for one call depth only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import (
    BWA,
    KOS,
    MMSR,
    BoxConsensus,
    BradleyTerry,
    GoldMajorityVote,
    MajorityVote,
    MultiLabelAggregator,
    NoisyBradleyTerry,
    encode_answers,
)
from tests._at_line import at_line, recorded

ANSWERS = pd.DataFrame({"item": list("aaabbbccc"), "annotator": ["w1", "w2", "w3"] * 3, "label": list("xxyyyxxyy")})


@pytest.mark.parametrize("entry", ["fit", "fit_predict"])
def test_gold_naming_no_class_warns_at_the_callers_line(entry):
    est = GoldMajorityVote(gold=pd.Series({"a": "X", "b": "Y"}))
    at_line(recorded(lambda: getattr(est, entry)(ANSWERS)), __file__, "gold labels name none of the answers' classes")


ALIKE = pd.DataFrame({"item": [0, 0, 1, 1], "annotator": ["a", "b", "a", "b"], "label": [1, "1", 1, 1]})


def test_classes_written_alike_warn_at_the_callers_line_from_encode_answers_fit_and_fit_predict():
    for call in (
        lambda: encode_answers(ALIKE),
        lambda: MajorityVote().fit(ALIKE),
        lambda: MajorityVote().fit_predict(ALIKE),
    ):
        at_line(recorded(call), __file__, "written alike")


@pytest.mark.parametrize("entry", ["fit", "fit_predict"])
def test_bwa_not_converging_warns_at_the_callers_line(entry):
    at_line(recorded(lambda: getattr(BWA(max_iter=1), entry)(ANSWERS)), __file__, "BWA did not converge")


ALONE = pd.DataFrame({"item": [1, 2, 3], "annotator": ["a", "b", "c"], "label": ["x", "y", "x"]})


@pytest.mark.parametrize("entry", ["fit", "fit_predict"])
def test_mmsr_without_shared_items_warns_at_the_callers_line(entry):
    at_line(recorded(lambda: getattr(MMSR(), entry)(ALONE)), __file__, "no two of the 3 annotators sharing an item")


#: kos.py's TINY crowd as the tag 'owl' (tests/aggregate/test_multilabel_kos_unsettled.py): item 1 is labelled
#: against its one answer at random_state=0.
ROWS = [(0, "b", ()), (0, "c", ()), (1, "a", ()), (2, "a", ()), (2, "b", ("owl",)), (2, "c", ())]
TAGS = pd.DataFrame([(i, a, ("cat", *t)) for i, a, t in ROWS], columns=["item", "annotator", "tags"])
OWL = pd.DataFrame([(i, a, "owl" if t else "no") for i, a, t in ROWS], columns=["item", "annotator", "label"])


def test_kos_unsettled_labels_warn_at_the_callers_line_from_kos_and_from_the_multilabel_aggregator():
    at_line(recorded(lambda: MultiLabelAggregator(method="kos", random_state=0).fit(TAGS)), __file__, "KOS labelled")
    at_line(recorded(lambda: KOS(random_state=0).fit(OWL)), __file__, "KOS labelled")


@pytest.mark.parametrize("entry", ["fit", "fit_predict"])
def test_min_tags_of_every_tag_warns_at_the_callers_line(entry):
    record = recorded(lambda: getattr(MultiLabelAggregator("majority-vote", min_tags=2), entry)(TAGS))
    at_line(record, __file__, "every item gets every tag", category=UserWarning)


def _pairs(rows):
    return pd.DataFrame(rows, columns=["left", "right", "winner"]).assign(annotator=["p", "q", "r"] * 2)


GROUPS = _pairs([("a", "b", "a"), ("b", "a", "b"), ("a", "b", "a"), ("x", "y", "x"), ("y", "x", "y"), ("x", "y", "x")])


@pytest.mark.parametrize("make", [BradleyTerry, NoisyBradleyTerry])
def test_separate_groups_of_compared_items_warn_at_the_callers_line(make):
    at_line(recorded(lambda: make().fit(GROUPS)), __file__, "separate groups of items")
    at_line(recorded(lambda: make().fit_predict(GROUPS)), __file__, "separate groups of items")


BOXES = pd.DataFrame(
    [("i", "a", 10, 10, 50, 50, "cat"), ("i", "a", 10, 10, 50, 50, "cat"), ("i", "b", 12, 10, 52, 50, "cat")],
    columns=["image", "annotator", "x_min", "y_min", "x_max", "y_max", "label"],
)


def test_box_consensus_warnings_are_at_the_line_that_called_fit():
    """``fit`` is the one public path (its copies' warning is one function deeper than its min_votes warning)."""
    at_line(recorded(lambda: BoxConsensus(min_votes=3).fit(BOXES)), __file__, "exact copies of a box", "min_votes 3")


def test_mmsr_on_a_sparse_crowd_warns_at_the_callers_line():
    """Pairs of annotators sharing one item each: the sparse-crowd warning, from ``fit`` and ``fit_predict``."""
    rng = np.random.default_rng(0)
    rows = [(i, f"w{(i + j) % 40}", "xy"[(i + j) % 3 == 0]) for i in range(40) for j in range(2)]
    answers = pd.DataFrame(rows, columns=["item", "annotator", "label"])
    answers["label"] = np.where(rng.random(len(answers)) < 0.8, answers["label"], "z")
    for entry in ("fit", "fit_predict"):
        at_line(recorded(lambda e=entry: getattr(MMSR(), e)(answers)), __file__, "MMSR on a sparse crowd")
