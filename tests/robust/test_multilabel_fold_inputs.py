"""The fold measures and the splitter take what a user has at hand: split()'s pairs; lists of tags
are named."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.errors import InvalidLabelsError
from labelwise.robust.multilabel_folds import IterativeStratifiedKFold, label_distribution, labelset_distribution


@pytest.fixture(scope="module")
def tags():
    rng = np.random.default_rng(0)
    return (rng.random((90, 4)) < [0.1, 0.3, 0.5, 0.2]).astype(np.int64)


class TestMeasuresTakeSplits:
    @pytest.mark.parametrize("measure", [label_distribution, labelset_distribution])
    def test_split_pairs_give_the_measure_of_the_fold_numbers(self, tags, measure):
        """list(split(X, y)) gives LD and LPD equal to those of test_folds(y), the same folds."""
        splitter = IterativeStratifiedKFold(3, random_state=0)
        pairs = list(splitter.split(tags, tags))
        assert measure(tags, pairs) == measure(tags, splitter.test_folds(tags))

    @pytest.mark.parametrize("measure", [label_distribution, labelset_distribution])
    def test_pairs_that_miss_rows_are_named(self, tags, measure):
        """Pairs whose test parts leave rows out are an InvalidLabelsError naming test_folds."""
        rows = np.arange(90)
        with pytest.raises(InvalidLabelsError, match="test_folds must hold one fold number"):
            measure(tags, [(rows[30:], rows[:30]), (rows[:30], rows[30:60])])


class TestListsOfTags:
    def test_ragged_lists_of_tags_are_named(self):
        """split(X, [['a'], ['a', 'b'], []]) names y and says to encode the lists, not numpy's ValueError."""
        with pytest.raises(InvalidLabelsError, match="y must be a 2-D 0/1 tag matrix.*MultiLabelBinarizer"):
            list(IterativeStratifiedKFold(2).split(np.zeros((4, 1)), [["a"], ["a", "b"], [], ["b"]]))
