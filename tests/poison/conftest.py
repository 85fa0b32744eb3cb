"""Fixtures for the poison tests: a small two-moons problem and the FLORAL Moon sheets."""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.datasets import make_moons


@pytest.fixture(scope="session")
def moons():
    """200 training and 200 test points of two moons (noise 0.2, seed 1)."""
    X, y = make_moons(400, noise=0.2, random_state=1)
    return X[:200], y[:200], X[200:], y[200:]


@pytest.fixture(scope="session")
def floral_sheet(shared_data):
    """Loader of the FLORAL Moon sheets: name -> (X, y) with labels in {-1, +1}."""
    folder = shared_data / "floral_moon"
    if not folder.is_dir():
        pytest.skip(f"FLORAL sheets not found at {folder}")

    def load(name: str):
        frame = pd.read_csv(folder / f"{name}.csv")
        return frame[["feature_0", "feature_1"]].to_numpy(), frame["label"].to_numpy()

    return load
