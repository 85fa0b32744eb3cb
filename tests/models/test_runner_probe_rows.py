"""labelwise.models._runner: a bagged family is probed on rows already encoded, all rows encoded only to fit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from labelwise.models import _runner, choose_model


def _table(n=6000, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    frame = pd.DataFrame(rng.normal(size=(n, 4)) + np.eye(3, 4)[y], columns=list("abcd"))
    frame["shop"] = rng.choice(["s1", "s2", "s3"], n)
    return frame, y


def _count_encode_all(monkeypatch):
    calls = []
    original = _runner.FoldEncoder.encode_all

    def counted(self, kind):
        calls.append(kind)
        return original(self, kind)

    monkeypatch.setattr(_runner.FoldEncoder, "encode_all", counted)
    return calls


def test_a_family_its_probe_skips_never_encodes_all_rows(monkeypatch):
    """The probe reads the first fold's encoded training rows: skipping costs no all-rows encoding."""
    frame, y = _table()
    calls = _count_encode_all(monkeypatch)
    monkeypatch.setattr(_runner, "_probe", lambda *args, **kwargs: 1e9)
    choice = choose_model(frame, y, families=["logistic", "extra_trees"], time_budget=60, random_state=0)
    assert choice.candidates[1].skipped.startswith("estimated ~1000000000.0 s from a fit on a subsample")
    assert calls == []


def test_the_probe_extrapolates_from_the_first_folds_rows_to_all_rows(monkeypatch):
    """Drawn from the 4,800 training rows of the first of 5 folds, priced for all 6,000 rows; the
    family then fits once on all rows (one all-rows encoding) and its probabilities are unchanged."""
    frame, y = _table()
    seen = []
    original = _runner._probe

    def recording(run, x_train, y_train, x_test, n_folds, seed, n_rows=None):
        seen.append((run.family.name, x_train.shape[0], y_train.shape[0], x_test.shape[0], n_folds, n_rows))
        return original(run, x_train, y_train, x_test, n_folds, seed, n_rows)

    calls = _count_encode_all(monkeypatch)
    alone = choose_model(frame, y, families=["extra_trees"], time_budget=1e6, random_state=0).candidates[0]
    monkeypatch.setattr(_runner, "_probe", recording)
    choice = choose_model(frame, y, families=["logistic", "extra_trees"], time_budget=1e6, random_state=0)
    assert seen == [("extra_trees", 4800, 4800, 0, 1, 6000)]
    assert calls == [False, False]  # the reference's fit, then this one's (sparse one-hot: not densified)
    trees = choice.candidates[1]
    assert trees.skipped is None
    assert (trees.log_loss, trees.calibrated_log_loss) == (alone.log_loss, alone.calibrated_log_loss)
