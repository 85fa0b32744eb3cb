"""Properties of :class:`labelwise.aggregate.ObserverLabelSampler`: row order, class names, seed.

What holds (found by these tests): an epoch's labels do not depend on the answers' row order
(repeated answers of one observer included) nor on earlier epochs; a same-seed sampler is
identical. A renaming of the classes renames the draws when no observer answered an item twice
(the answers of an item are drawn in (annotator, class code) order, so an observer's two answers
swap places under a renaming) and the consensus is given (the majority vote breaks exact ties by
a draw per class position).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import ObserverLabelSampler

SETTINGS = settings(max_examples=20, deadline=None)
STRATEGIES = ["random", "consensus", "mix"]


def answers(seed: int, n_items: int, n_ann: int, k: int, n_rows: int, *, repeats: bool) -> pd.DataFrame:
    """A random answer table; with ``repeats`` an observer may answer an item more than once."""
    rng = np.random.default_rng(seed)
    item, ann = rng.integers(0, n_items, n_rows), rng.integers(0, n_ann, n_rows)
    table = pd.DataFrame({"item": item, "annotator": ann, "label": rng.integers(0, k, n_rows)})
    if not repeats:
        table = table.drop_duplicates(["item", "annotator"])
    return table.reset_index(drop=True)


@given(
    seed=st.integers(0, 2**32 - 1),
    n_items=st.integers(1, 8),
    k=st.integers(2, 4),
    n_rows=st.integers(1, 40),
    rs=st.integers(0, 2**16),
    strategy=st.sampled_from(STRATEGIES),
)
@SETTINGS
def test_any_row_order_gives_the_same_labels_every_epoch(seed, n_items, k, n_rows, rs, strategy):
    """Shuffled answer rows (repeated answers kept) give the same items, consensus and epochs."""
    table = answers(seed, n_items, 4, k, n_rows, repeats=True)
    shuffled = table.sample(frac=1.0, random_state=seed % 1000)
    first = ObserverLabelSampler(table, strategy=strategy, random_state=rs)
    second = ObserverLabelSampler(shuffled, strategy=strategy, random_state=rs)
    pd.testing.assert_series_equal(first.consensus_, second.consensus_)
    for epoch in (0, 3):
        pd.testing.assert_series_equal(first.sample(epoch), second.sample(epoch))


@given(
    seed=st.integers(0, 2**32 - 1),
    n_items=st.integers(1, 8),
    k=st.integers(2, 4),
    n_rows=st.integers(1, 40),
    rs=st.integers(0, 2**16),
    strategy=st.sampled_from(STRATEGIES),
)
@SETTINGS
def test_same_seed_same_epochs_whatever_was_sampled_before(seed, n_items, k, n_rows, rs, strategy):
    """Two same-seed samplers agree on every epoch, in any order of the calls."""
    table = answers(seed, n_items, 4, k, n_rows, repeats=True)
    first = ObserverLabelSampler(table, strategy=strategy, random_state=rs)
    second = ObserverLabelSampler(table, strategy=strategy, random_state=rs)
    forward = [first.sample(e) for e in range(4)]
    backward = [second.sample(e) for e in reversed(range(4))][::-1]
    for a, b in zip(forward, backward, strict=True):
        pd.testing.assert_series_equal(a, b)


@given(
    seed=st.integers(0, 2**32 - 1),
    n_items=st.integers(1, 8),
    k=st.integers(2, 4),
    n_rows=st.integers(1, 40),
    rs=st.integers(0, 2**16),
    strategy=st.sampled_from(STRATEGIES),
)
@SETTINGS
def test_renaming_the_classes_renames_the_draws(seed, n_items, k, n_rows, rs, strategy):
    """A bijection of the classes to text names in another sorted order renames every epoch's labels
    (one answer per observer and item; the consensus given, renamed with the answers)."""
    table = answers(seed, n_items, 4, k, n_rows, repeats=False)
    rng = np.random.default_rng(seed)
    sigma = rng.permutation(k)
    name = {c: f"class-{sigma[c]}" for c in range(k)}
    consensus = table.groupby("item")["label"].first()
    renamed = table.assign(label=table["label"].map(name))
    first = ObserverLabelSampler(table, strategy=strategy, consensus=consensus, random_state=rs)
    second = ObserverLabelSampler(renamed, strategy=strategy, consensus=consensus.map(name), random_state=rs)
    for epoch in (0, 3):
        pd.testing.assert_series_equal(first.sample(epoch).map(name), second.sample(epoch))
