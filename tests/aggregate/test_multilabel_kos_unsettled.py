"""``MultiLabelAggregator(method="kos")``: KOS's unsettled-label warning says, per tag, whether the answers
give the item the tag and whether it was labelled with it (main said classes 0 / 1, the per-tag codes)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from labelwise.aggregate import MultiLabelAggregator
from labelwise.errors import LabelwiseWarning

#: kos.py's TINY crowd as the tag 'owl' ('no' = without it), every answer also tagging 'cat'.
ROWS = [(0, "b", ()), (0, "c", ()), (1, "a", ()), (2, "a", ()), (2, "b", ("owl",)), (2, "c", ())]
TAGS = pd.DataFrame([(i, a, ("cat", *t)) for i, a, t in ROWS], columns=["item", "annotator", "tags"])


def _messages(seed: int) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MultiLabelAggregator(method="kos", random_state=seed).fit(TAGS)
    return [str(w.message) for w in caught if issubclass(w.category, LabelwiseWarning)]


def test_an_item_labelled_with_a_tag_none_of_its_answers_gives_is_said_so():
    (message,) = _messages(0)
    assert message.startswith("tag 'owl': KOS labelled 1 item(s) against all of their answers")
    assert "item 1, whose 1 answer(s) all say it does not have tag 'owl', labelled with it)" in message
    assert "'0'" not in message and "labelled 1" not in message.split("(the first")[1]


def test_an_item_labelled_without_a_tag_all_its_answers_give_is_said_so():
    messages = _messages(5)
    cat = next(m for m in messages if "tag 'cat'" in m)
    assert "item 0, whose 2 answer(s) all say it has tag 'cat', labelled without it)" in cat


@pytest.mark.parametrize("seed", [1, 4])
def test_no_warning_when_the_labels_settle(seed):
    assert _messages(seed) == []
