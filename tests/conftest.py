"""Shared test fixtures: paths to the real data sets in ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real data sets (../shared/data from the project root)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _no_leaked_dask_client_config():
    """After each test: a ``scheduler="dask.distributed"`` left in Dask's global config with no
    client running (a ``Client`` closed out of order restores the config of the one before it)
    would make every later ``compute`` in this process fail. Put it back and warn, naming the test."""
    yield
    import sys
    import warnings

    if "distributed" not in sys.modules:
        return
    import dask
    import distributed

    if dask.config.get("scheduler", None) != "dask.distributed":
        return
    try:
        distributed.default_client()
    except ValueError:
        dask.config.config.pop("scheduler", None)
        dask.config.config.pop("shuffle", None)
        warnings.warn("a test left scheduler='dask.distributed' in Dask's config with no client running", stacklevel=1)
