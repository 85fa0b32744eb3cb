"""KOS on a tiny crowd can label an item against all of its answers (its messages take an annotator
for an adversary; crowd-kit's KOS does the same): a LabelwiseWarning names the first such item."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from labelwise.aggregate import KOS
from labelwise.errors import LabelwiseWarning

#: Item 1's one answer is "no"; annotator a disagrees with b on item 2, where c sides with a.
TINY = pd.DataFrame(
    [(0, "b", "no"), (0, "c", "no"), (1, "a", "no"), (2, "a", "no"), (2, "b", "yes"), (2, "c", "no")],
    columns=["item", "annotator", "label"],
)


def test_kos_warns_when_it_labels_an_item_against_all_of_its_answers():
    with pytest.warns(
        LabelwiseWarning,
        match=r"KOS labelled 1 item\(s\) against all of their answers, and other draws label them otherwise",
    ) as caught:
        est = KOS(random_state=0).fit(TINY)  # seeds 0, 2, 3, 5 turn an item here
    assert est.labels_[1] == "yes"  # the algorithm's decision is kept: only said
    message = str(caught[0].message)
    assert "item 1" in message and "1 answer(s) all say 'no', labelled 'yes'" in message


def test_kos_says_nothing_when_every_unanimous_item_keeps_its_answer():
    agreeing = pd.DataFrame(
        [(i, a, "yes" if i % 2 else "no") for i in range(6) for a in "abc"], columns=["item", "annotator", "label"]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", LabelwiseWarning)
        est = KOS(random_state=0).fit(agreeing)
    assert est.labels_.tolist() == ["no", "yes"] * 3
