"""``slice_scores`` on empty labels (session 41)."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.errors import TooFewExamplesError
from labelwise.evaluate import slice_scores


def test_empty_labels_are_a_labelwise_error():
    """No labels at all raised numpy's IndexError from the class encoding; now a TooFewExamplesError naming y_true."""
    with pytest.raises(TooFewExamplesError, match="y_true must hold at least one label, got 0"):
        slice_scores(np.array([]), np.array([]), {"s": np.array([], dtype=bool)})
