"""The token audit's errors name a token by its sentence and place, not only by its row among the flattened
tokens, which a user with one list per sentence never saw (shapes47: main said "row 7")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.audit import token
from labelwise.errors import InvalidLabelsError, InvalidProbabilitiesError


def _sentences() -> tuple[list, list]:
    rng = np.random.default_rng(0)
    labels = [rng.integers(0, 3, n) for n in (3, 4, 2, 5)]
    probs = [rng.dirichlet(np.ones(3), len(tags)) for tags in labels]
    return labels, probs


def test_a_missing_tag_is_named_by_sentence_and_token():
    """A <NA> tag at sentence 2, token 1 (row 8 of the tokens) is named so."""
    labels, probs = _sentences()
    labels[2] = pd.array(labels[2], dtype="Int64")
    labels[2][1] = pd.NA
    with pytest.raises(InvalidLabelsError, match=r"sentence 2 token 1 \(row 8 of the tokens\) is (<NA>|nan)"):
        token.find_label_issues(labels, probs)


def test_a_nan_probability_is_named_by_sentence_and_token():
    """A NaN probability at sentence 1, token 0 (row 3 of the tokens) is named so."""
    labels, probs = _sentences()
    probs[1][0, 2] = np.nan
    with pytest.raises(InvalidProbabilitiesError, match=r"^probs must be finite.*sentence 1 token 0 \(row 3 of the tokens\)"):  # fmt: skip
        token.find_label_issues(labels, probs)
