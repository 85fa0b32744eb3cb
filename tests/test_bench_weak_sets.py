"""``bench_weak.py --sets``: rerun a few label-model sets alone (speed50, issue 15's speed goal)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
SETS = [("CF", 1, 2), ("smem_rte", 3, 4), ("ZenCrowd_us", 5, 6), ("sim1000_K2_m10+0_cov0.6", 7, 8)]


@pytest.fixture(scope="module")
def weak():
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("speed50_bench_weak", BENCH / "bench_weak.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


def test_sets_keeps_the_named_sets_in_the_benchmarks_order(weak):
    picked = weak.pick_sets(SETS, "sim1000_K2_m10+0_cov0.6, smem_rte")
    assert [s[0] for s in picked] == ["smem_rte", "sim1000_K2_m10+0_cov0.6"]
    assert picked[0] == ("smem_rte", 3, 4)


def test_without_sets_every_set_runs(weak):
    assert weak.pick_sets(SETS, None) == SETS


@pytest.mark.parametrize("wanted", ["smem_rte,Dog", ",", "cf"])
def test_an_unknown_set_name_is_refused_naming_the_option_and_the_name(weak, wanted):
    with pytest.raises(SystemExit, match="--sets: expected names among CF, smem_rte") as error:
        weak.pick_sets(SETS, wanted)
    assert ("Dog" if wanted.startswith("smem") else wanted) in str(error.value)


def test_sims_only_runs_the_simulated_sets_without_reading_the_crowd_sets(weak, monkeypatch):
    """``--sims-only`` evaluates each simulated set in order and never touches the crowd folder."""

    def no_crowd():
        raise AssertionError("the crowd sets were read")

    monkeypatch.setattr(weak, "crowd_sets", no_crowd)
    monkeypatch.setattr(
        weak, "simulated_sets", lambda first: [(f"sim{first}", [], None), (f"sim{first + 1}", [], None)]
    )
    monkeypatch.setattr(weak, "evaluate", lambda name, votes, gold, args, tmp: {"set": name})
    args = SimpleNamespace(sims_only=True, first_seed=6000, sets=None)
    frame = weak.label_model_section(args, Path("."))
    assert frame["set"].tolist() == ["sim6000", "sim6001"]


def test_without_sims_only_the_crowd_sets_come_first(weak, monkeypatch):
    """Without ``--sims-only`` the crowd sets are read and evaluated before the simulated ones."""
    import pandas as pd

    answers = pd.DataFrame({"item": [1, 2], "annotator": [7, 7], "label": ["a", "b"]})
    monkeypatch.setattr(weak, "crowd_sets", lambda: [("CF", answers, None)])
    monkeypatch.setattr(weak, "simulated_sets", lambda first: [(f"sim{first}", [], None)])
    monkeypatch.setattr(weak, "evaluate", lambda name, votes, gold, args, tmp: {"set": name})
    args = SimpleNamespace(sims_only=False, first_seed=1000, sets=None)
    assert weak.label_model_section(args, Path("."))["set"].tolist() == ["CF", "sim1000"]
