"""Dev check of the rule that skips grouping items by answer pattern (issue 12), on simulated crowds.

For crowds from few annotators (patterns repeat) to many (every item its own pattern), prints the
sampled estimate of how many other items share an item's pattern, the exact value, the decision,
and Dawid-Skene's fit time grouped and not grouped (CPU seconds, same labels checked). The rule
(``labelwise.aggregate._patterns``: 50,000 sampled items, skip below 0.05) was set from the bound
in its docstring before this was run; this script only checks it, on seeds of its own.

Usage::

    python benchmarks/dev_pattern_skip.py [--items 200000]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from labelwise.aggregate import DawidSkene, _patterns
from labelwise.aggregate._answers import encode_answers

CROWDS = [  # (annotators, answers per item, classes)
    (3, 3, 2),
    (10, 3, 3),
    (30, 3, 5),
    (100, 5, 5),
    (1_000, 5, 5),
    (10_000, 10, 5),
]


def simulate(n_items: int, n_annotators: int, per_item: int, k: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    item = np.repeat(np.arange(n_items), per_item)
    ann = rng.integers(0, n_annotators, len(item))
    right = rng.random(len(item)) < 0.75
    label = np.where(right, truth[item], (truth[item] + rng.integers(1, k, len(item))) % k)
    return pd.DataFrame({"item": item, "annotator": ann, "label": label})


def cpu(fn):
    c0 = time.process_time()
    out = fn()
    return out, time.process_time() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=200_000)
    args = ap.parse_args()
    print(
        f"{'annotators':>10} {'per item':>8} {'K':>3} {'estimate':>9} {'exact':>9} {'grouped':>8}  DS CPU s grouped / not"
    )
    for seed, (m, r, k) in enumerate(CROWDS, start=300):
        answers = simulate(args.items, m, r, k, seed)
        enc = encode_answers(answers)
        est = _patterns.estimated_sharing(enc, _patterns.PATTERN_SAMPLE_ITEMS)
        counts = np.bincount(_patterns._grouped_patterns(enc).item_pattern)
        exact = float((counts * (counts - 1.0)).sum() / enc.n_items)
        decided = encode_answers(answers).patterns.grouped
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            old = _patterns.PATTERN_SAMPLE_ITEMS, _patterns.MIN_SHARING
            _patterns.PATTERN_SAMPLE_ITEMS = 10**12  # always group
            grouped, t_grouped = cpu(lambda: DawidSkene().fit(answers))
            _patterns.PATTERN_SAMPLE_ITEMS, _patterns.MIN_SHARING = 2, np.inf  # never group
            plain, t_plain = cpu(lambda: DawidSkene().fit(answers))
            _patterns.PATTERN_SAMPLE_ITEMS, _patterns.MIN_SHARING = old
        assert grouped.labels_.equals(plain.labels_)
        print(f"{m:>10} {r:>8} {k:>3} {est:>9.3f} {exact:>9.3f} {decided!s:>8}  {t_grouped:.2f} / {t_plain:.2f}")


if __name__ == "__main__":
    main()
