"""Results frozen from commit 65fc9fa (before the 10M-answer speed-ups of issue 12): the fast paths
(no pattern grouping, counting-sort CSR, dense integer codes, one argmax) must give the same
labels and posteriors to 1e-9.

The reference file was written once by running this module as a script with the old code first
on the path: ``PYTHONPATH=<65fc9fa>/src python tests/aggregate/test_reference.py --write``.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import DawidSkene, MajorityVote, OneCoinDawidSkene

REFERENCE = Path(__file__).parent / "data" / "reference_65fc9fa.npz"
METHODS = {
    "mv": lambda: MajorityVote(),
    "ds": lambda: DawidSkene(),
    "ds0": lambda: DawidSkene(smoothing=0.0, max_iter=30),
    "onecoin": lambda: OneCoinDawidSkene(max_iter=30),
}


def _cases() -> dict[str, pd.DataFrame]:
    """Small answer tables covering the encodings: dense ints, sparse ints, strings, duplicates,
    repeated patterns and items with their own pattern."""
    rng = np.random.default_rng(12)
    cases = {}
    # few annotators, every one on every item: many repeated patterns
    n, k = 400, 3
    truth = rng.integers(0, k, n)
    rows = []
    for j, acc in enumerate((0.9, 0.75, 0.6, 0.55)):
        lab = np.where(rng.random(n) < acc, truth, (truth + rng.integers(1, k, n)) % k)
        rows.append(pd.DataFrame({"item": np.arange(n), "annotator": j, "label": lab}))
    cases["dense"] = pd.concat(rows, ignore_index=True).sample(frac=1.0, random_state=1)
    # many annotators, 2-6 answers per item (nearly every item its own pattern), string ids,
    # sparse integer item ids, a duplicate (item, annotator) answer
    n, k, m = 300, 4, 100
    truth = rng.integers(0, k, n)
    per = rng.integers(2, 7, n)
    item = np.repeat(np.arange(n), per)
    ann = rng.integers(0, m, len(item))
    lab = np.where(rng.random(len(item)) < 0.65, truth[item], (truth[item] + rng.integers(1, k, len(item))) % k)
    cases["sparse"] = pd.DataFrame({"item": item * 7 + 1000, "annotator": [f"w{a:03d}" for a in ann], "label": lab})
    strings = cases["sparse"].copy()
    strings["item"] = "i" + strings["item"].astype(str)
    strings["label"] = np.array(["cat", "dog", "eel", "fox"])[lab]
    cases["strings"] = strings.iloc[::-1].reset_index(drop=True)
    # items x annotators far more than the answers (the sorted-key path of the encoding)
    n, k, m = 1200, 5, 900
    truth = rng.integers(0, k, n)
    item = np.repeat(np.arange(n), 4)
    ann = rng.integers(0, m, len(item))
    lab = np.where(rng.random(len(item)) < 0.7, truth[item], (truth[item] + rng.integers(1, k, len(item))) % k)
    cases["wide"] = pd.DataFrame({"item": item, "annotator": ann, "label": lab}).sample(frac=1.0, random_state=2)
    return cases


def _results() -> dict[str, np.ndarray]:
    out = {}
    for case, answers in _cases().items():
        for name, make in METHODS.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                est = make().fit(answers)
            out[f"{case}/{name}/codes"] = np.asarray(est.label_codes_)
            out[f"{case}/{name}/probas"] = est.probas_.to_numpy()
            out[f"{case}/{name}/skill"] = est.annotator_skill_.to_numpy()
            out[f"{case}/{name}/items"] = np.asarray(est.probas_.index.astype(str), dtype=str)
    return out


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    with np.load(REFERENCE, allow_pickle=False) as data:
        return dict(data)


@pytest.mark.parametrize("sample_items", [None, 50])
def test_results_equal_the_frozen_reference(reference, sample_items, monkeypatch):
    """Labels, posteriors and skills equal those of the code before the speed-ups (to 1e-9), with
    pattern grouping as by default and with it decided on a 50-item sample (skipped where items do
    not share patterns)."""
    from labelwise.aggregate import _patterns  # imported here: the reference was written by code without it

    if sample_items is not None:
        monkeypatch.setattr(_patterns, "PATTERN_SAMPLE_ITEMS", sample_items)
    new = _results()
    assert sorted(new) == sorted(reference)
    for key, value in new.items():
        if key.endswith(("codes", "items")):
            np.testing.assert_array_equal(value, reference[key], err_msg=key)
        else:
            np.testing.assert_allclose(value, reference[key], rtol=0, atol=1e-9, err_msg=key)


if __name__ == "__main__" and "--write" in sys.argv:
    REFERENCE.parent.mkdir(exist_ok=True)
    np.savez_compressed(REFERENCE, **_results())
    print(f"wrote {REFERENCE}")
