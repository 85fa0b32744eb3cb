"""Shared test fixtures: paths to the real data sets in ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


def _load_hypothesis_profile() -> None:
    """``make test`` (and CI) draws the same examples on every run: each ``@given`` test is seeded by
    a hash of its own code (hypothesis's ``derandomize``), so a run fails only where the code or the
    test changed. Fresh random examples are drawn under ``LABELWISE_HYPOTHESIS_PROFILE=deep`` (five
    times as many, see :func:`pytest_collection_modifyitems`), the way to look for new failures.
    Loaded here, before any test module builds its ``settings``: they inherit from this profile."""
    import os

    from hypothesis import settings

    settings.register_profile("labelwise-fixed", derandomize=True)
    settings.register_profile("labelwise-deep", derandomize=False)
    deep = os.environ.get("LABELWISE_HYPOTHESIS_PROFILE", "") == "deep"
    settings.load_profile("labelwise-deep" if deep else "labelwise-fixed")


_load_hypothesis_profile()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real data sets (../shared/data from the project root)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def dask_two_threads():
    """Dask's threaded scheduler on at most 2 threads for the test (the CI machine has 2 cores)."""
    dask = pytest.importorskip("dask")
    with dask.config.set(scheduler="threads", num_workers=2):
        yield


@pytest.fixture
def merged_row_chunks():
    """The library's floor on dask row chunks (:mod:`labelwise._chunk_floor`), which
    ``_unmerged_dask_chunks`` turns off for every test that does not take this fixture."""


@pytest.fixture(autouse=True)
def _in_an_empty_folder(tmp_path_factory, monkeypatch):
    """Every test runs in an empty working folder of its own, not in the checkout: a command's
    default output (``labelwise-out``, ``weak-out``...) is made there, and what ``make demo`` leaves
    in the checkout cannot change a test's outcome (it did, session 32). A test module that needs
    the folder to be its ``tmp_path`` defines a fixture of the same name."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture(autouse=True)
def _unmerged_dask_chunks(request, monkeypatch):
    """Dask inputs keep the row chunks a test gives them: tests build small inputs in several chunks
    to run the passes across chunks, which the floor of ``labelwise._chunk_floor`` would merge into
    one; the tests that take ``merged_row_chunks`` run with the floor."""
    if "merged_row_chunks" not in request.fixturenames:
        from labelwise import _chunk_floor

        monkeypatch.setattr(_chunk_floor, "ROW_CHUNK_FLOOR_BYTES", 0)


@pytest.fixture(autouse=True)
def _no_leaked_dask_client_config():
    """After each test: a ``scheduler="dask.distributed"`` left in Dask's global config with no
    client running (a ``Client`` closed out of order restores the config of the one before it)
    would make every later ``compute`` in this process fail. Put it back and warn, naming the test."""
    yield
    import sys
    import warnings

    if sys.modules.get("distributed") is None or sys.modules.get("dask") is None:
        return  # not imported, or blocked by the test (a test of the missing-extras errors)
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


#: ``LABELWISE_HYPOTHESIS_PROFILE=deep`` multiplies every property test's ``max_examples`` by this
#: factor (a test's own ``@settings`` included), to shake out draws that CI would find later.
#: Unset (the default, and CI), every test runs with the examples it declares.
DEEP_EXAMPLES_FACTOR = 5


#: Tests whose recorded time (``tests/durations.json``) is at least this many seconds are marked
#: ``slow``: ``make test-quick`` (``-m "not slow"``) leaves them out, ``make test`` and CI run them.
SLOW_SECONDS = 1.0
DURATIONS = Path(__file__).with_name("durations.json")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record-durations",
        metavar="PATH",
        default=None,
        help="write the setup + call + teardown seconds of each test taking SLOW_SECONDS / 2 or more to PATH (JSON)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--record-durations", None):
        config.pluginmanager.register(_DurationRecorder(Path(config.getoption("--record-durations"))), "lw-durations")


class _DurationRecorder:
    """Sums each test's phase durations as the reports arrive (on the controller under xdist)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seconds: dict[str, float] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seconds[report.nodeid] = self.seconds.get(report.nodeid, 0.0) + float(report.duration)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        import json
        import os
        import tempfile

        if hasattr(session.config, "workerinput"):
            return  # an xdist worker: the controller writes the file
        # the tests at half the threshold or more: the file stays small, the threshold can move
        rounded = {k: round(v, 3) for k, v in sorted(self.seconds.items()) if v >= SLOW_SECONDS / 2}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            json.dump(rounded, fh, indent=0)
            fh.write("\n")
        os.replace(tmp, self.path)


def _mark_recorded_slow(items: list[pytest.Item]) -> None:
    """Mark ``slow`` every test that took at least ``SLOW_SECONDS`` when ``tests/durations.json``
    was recorded (``make test-durations``); a test not in the file is left as it is."""
    import json

    if not DURATIONS.is_file():
        return
    seconds = json.loads(DURATIONS.read_text())
    for item in items:
        if seconds.get(item.nodeid, 0.0) >= SLOW_SECONDS:
            item.add_marker(pytest.mark.slow)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests recorded as slow (:func:`_mark_recorded_slow`). Under
    ``LABELWISE_HYPOTHESIS_PROFILE=deep``, give each ``@given`` test five times its
    ``max_examples`` (hypothesis's profiles cannot do this: a test's own ``@settings`` wins)."""
    import os

    _mark_recorded_slow(items)

    profile = os.environ.get("LABELWISE_HYPOTHESIS_PROFILE", "")
    if not profile:
        return
    if profile != "deep":
        raise pytest.UsageError(f"LABELWISE_HYPOTHESIS_PROFILE must be 'deep' or unset, got {profile!r}")
    from hypothesis import settings

    seen: set[int] = set()
    for item in items:
        test = getattr(getattr(item, "obj", None), "__func__", getattr(item, "obj", None))
        if not getattr(test, "is_hypothesis_test", False) or id(test) in seen:
            continue
        seen.add(id(test))
        current = test._hypothesis_internal_use_settings
        test._hypothesis_internal_use_settings = settings(
            current, max_examples=current.max_examples * DEEP_EXAMPLES_FACTOR
        )
