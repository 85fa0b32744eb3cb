"""Two benchmark goal lines that misled (score46): a verdict without a peer's number.

``bench_weak.py --no-snorkel`` printed "17 of 19 ...: met" for a goal against max(Snorkel, crowd-kit);
``bench_aggregate.py`` printed "MISS crowd-kit nan" for a crowd-kit method that was not run, and
counted a set where crowd-kit had no number as a win.
"""

from __future__ import annotations

import importlib.util
import sys
from argparse import Namespace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _script(name: str):
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location(f"score46_{name}", BENCH / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


@pytest.fixture(scope="module")
def weak():
    return _script("bench_weak")


@pytest.fixture(scope="module")
def aggregate():
    return _script("bench_aggregate")


def _weak_frame(snorkel=None) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "set": ["a", "b", "c", "d", "e"],
            "labelwise": [0.9, 0.8, 0.7, 0.6, 0.5],
            "majority": [0.9, 0.8, 0.7, 0.6, 0.5],
            "crowdkit_ds": [0.8, 0.7, 0.6, 0.5, 0.4],
            "lw_s": 1.0,
            "analysis_maxdiff": 0.0,
        }
    )
    if snorkel is not None:
        frame["snorkel"], frame["snorkel_s"] = snorkel, 20.0
    return frame


def test_weak_goal_without_snorkel_says_so_and_gives_no_verdict(weak, capsys):
    """--no-snorkel: the peer goal line counts against crowd-kit only, names Snorkel as not run, no "met"."""
    weak.label_model_goals(_weak_frame(), Namespace(no_snorkel=True))
    line = capsys.readouterr().out.splitlines()[0]
    assert "5 of 5" in line and "Snorkel, not run" in line and "no verdict" in line
    assert "met" not in line.replace("max(", "")


@pytest.mark.parametrize(("snorkel", "verdict"), [([0.5] * 5, ": met"), ([0.95, 0.9, 0.8, 0.7, 0.0], ": NOT met")])
def test_weak_goal_with_snorkel_judges_against_both_peers(weak, snorkel, verdict):
    """With Snorkel's accuracies, the line counts against the better peer and gives the verdict."""
    assert weak.peer_goal_line(_weak_frame(snorkel), snorkel_run=True).endswith(verdict)


def test_weak_goal_with_a_snorkel_failure_gives_no_verdict(weak):
    """A set Snorkel failed on (NaN accuracy) leaves the goal without a verdict, naming the set."""
    line = weak.peer_goal_line(_weak_frame([0.5, np.nan, 0.5, 0.5, 0.5]), snorkel_run=True)
    assert line.endswith("no verdict, Snorkel gave no accuracy on b")


def _row(**values) -> pd.Series:
    return pd.Series({"set": "Duck", "lw_acc": 0.8, "lw_time": 0.01, **values})


def test_aggregate_timeout_and_not_run_are_neither_miss_nor_win(aggregate):
    """A crowd-kit method that timed out or was not run: "n/a" with a note saying which, never "MISS ... nan"."""
    assert aggregate.method_goal("glad", _row(ck_status="timeout"), 30.0) == (
        "n/a",
        "crowd-kit timed out (> 30 s), labelwise 0.01 s",
    )
    assert aggregate.method_goal("mace", _row(ck_status=np.nan), 30.0) == ("n/a", "crowd-kit not run")
    verdict, note = aggregate.method_goal("dawid-skene", _row(ck_status="ok", ck_acc=0.9, ck_time=1.0), 30.0)
    assert verdict == "MISS" and "-10.00 pts" in note


def test_aggregate_set_without_a_crowdkit_number_is_not_a_win(aggregate):
    """best_on_set: None (not counted) when every crowd-kit method timed out; the timed-out ones are named."""
    sub = pd.DataFrame(
        {
            "method": ["dawid-skene", "glad"],
            "lw_acc": [0.8, 0.7],
            "ck_status": ["timeout", "timeout"],
            "ck_acc": [np.nan, np.nan],
        }
    )
    win, line = aggregate.best_on_set("Duck", sub)
    assert win is None and "no number; dawid-skene, glad timed out" in line and "nan" not in line
    sub.loc[0, ["ck_status", "ck_acc"]] = ["ok", 0.85]
    win, line = aggregate.best_on_set("Duck", sub)
    assert win is False and "crowd-kit 0.8500 (dawid-skene) <; glad timed out" in line
