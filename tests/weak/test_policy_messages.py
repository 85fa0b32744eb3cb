"""A policy's errors name what the user gave."""

from __future__ import annotations

import pandas as pd
import pytest

from labelwise import weak
from labelwise.errors import InvalidParameterError


@weak.transformation_function()
def shout(row):
    row.text = row.text.upper()
    return row


@weak.transformation_function()
def exclaim(row):
    row.text = row.text + "!"
    return row


class TestMeanFieldP:
    @pytest.mark.parametrize(
        "augment",
        [weak.augment, lambda tfs, df, policy: list(weak.augment_batches(tfs, df, policy=policy, batch_size=1))],
    )
    def test_a_p_of_another_length_than_the_tfs_names_p(self, augment):
        """MeanFieldPolicy(p=[1.0]) with two TFs names p and both counts, not an n_tfs the user never gave."""
        df = pd.DataFrame({"text": ["a", "b"]})
        with pytest.raises(
            InvalidParameterError, match=r"p must hold one probability per transformation function \(2 in tfs\), got 1"
        ):
            augment([shout, exclaim], df, policy=weak.MeanFieldPolicy(p=[1.0]))
