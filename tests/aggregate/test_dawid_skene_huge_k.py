"""Dawid-Skene on answers that are nearly all distinct (free text) is refused before EM, with a labelwise
error naming K, the memory it would need and majority vote, not a raw numpy MemoryError."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import DawidSkene
from labelwise.errors import EstimatorError


def test_dawid_skene_refuses_200k_distinct_labels_by_name_before_allocating():
    """200,000 distinct answers on 40,000 items: a 60 GiB posterior and 2 x K^2 confusions are refused."""
    n = 200_000
    answers = pd.DataFrame({"item": np.arange(n) // 5, "annotator": np.arange(n) % 2, "label": np.arange(n)})
    with pytest.raises(EstimatorError) as err:
        DawidSkene(max_iter=2).fit(answers)
    message = str(err.value)
    assert "K=200,000" in message and "40,000 items x 200,000 classes" in message
    assert "2 annotators x 200,000 x 200,000" in message and "MajorityVote" in message
