"""Bundled demo data: scikit-learn's digits with a known share of labels flipped."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.datasets import load_digits

from . import noise


@dataclass(frozen=True, eq=False)
class DemoDigits:
    """Digits (8x8 images) whose labels were partly flipped, with the truth kept for scoring.

    Attributes
    ----------
    frame : DataFrame
        ``pixel_0`` .. ``pixel_63`` (0-16 grey levels) and ``label`` (the noisy label).
    labels, true_labels : ndarray of int
        The noisy (given) and original labels.
    is_flipped : ndarray of bool
        Which labels were flipped.
    """

    frame: pd.DataFrame
    labels: np.ndarray
    true_labels: np.ndarray
    is_flipped: np.ndarray

    @property
    def features(self) -> pd.DataFrame:
        """The pixel columns."""
        return self.frame.drop(columns="label")


def load_demo_digits(noise_rate: float = 0.1, *, random_state: int = 0) -> DemoDigits:
    """scikit-learn's 1,797 digits with ``noise_rate`` of the labels flipped uniformly at random.

    Exactly ``round(noise_rate * n_k)`` labels of each class ``k`` are flipped, each to one of
    the other nine classes (symmetric noise, :func:`labelwise.noise.flip_labels`).
    """
    digits = load_digits()
    true = digits.target.astype(np.int64)
    flipped = noise.flip_labels(true, noise.noise_matrix(10, noise_rate, kind="symmetric"), random_state=random_state)
    frame = pd.DataFrame(digits.data.astype(np.int64), columns=[f"pixel_{i}" for i in range(64)])
    frame["label"] = flipped.labels
    return DemoDigits(frame, np.asarray(flipped.labels), true, np.asarray(flipped.is_flipped))
