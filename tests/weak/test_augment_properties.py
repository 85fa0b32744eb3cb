"""Properties of weak.augment: row order, partition count, renaming, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.weak import (
    ApplyAllPolicy,
    ApplyEachPolicy,
    MeanFieldPolicy,
    RandomPolicy,
    augment,
    transformation_function,
)
from tests.weak._augment_tfs import TFS, tag

SETTINGS = settings(max_examples=8, deadline=None)


nums = st.lists(st.integers(-20, 20), min_size=1, max_size=25)
deterministic = st.sampled_from(
    [ApplyAllPolicy(), ApplyAllPolicy(n_per_original=2, keep_original=False), ApplyEachPolicy()]
)
random_policies = st.sampled_from(
    [
        RandomPolicy(sequence_length=2, n_per_original=2, random_state=4),
        MeanFieldPolicy(3, sequence_length=3, p=[0.5, 0.2, 0.3], keep_original=False, random_state=9),
    ]
)


def frame(values):
    return pd.DataFrame({"text": [f"t{v}" for v in values], "num": values}, index=[f"r{i}" for i in range(len(values))])


def by_source(out):
    """The table in the order of the source rows' labels, each source's rows in their order."""
    table = out.to_frame()
    table["rank"] = table.groupby("source_row").cumcount()
    return table.sort_values(["source_row", "rank"]).reset_index(drop=True)


@SETTINGS
@given(nums, deterministic, st.randoms(use_true_random=False))
def test_permuting_rows_permutes_the_augmented_blocks(values, policy, random):
    """Under a deterministic policy each source row's block is the same whatever the row order."""
    df = frame(values)
    order = list(range(len(df)))
    random.shuffle(order)
    pd.testing.assert_frame_equal(
        by_source(augment(TFS, df, policy=policy)), by_source(augment(TFS, df.iloc[order], policy=policy))
    )


@SETTINGS
@given(nums, deterministic)
def test_renaming_tfs_changes_only_the_names_applied(values, policy):
    """The rows do not depend on the TFs' names."""
    renamed = [transformation_function(tf.func, name=f"x{i}", vectorized=tf.vectorized) for i, tf in enumerate(TFS)]
    first, second = augment(TFS, frame(values), policy=policy), augment(renamed, frame(values), policy=policy)
    pd.testing.assert_frame_equal(first.frame, second.frame)
    rename = {tf.name: f"x{i}" for i, tf in enumerate(TFS)}
    assert [tuple(rename[n] for n in a) for a in first.applied] == list(second.applied)


@SETTINGS
@given(nums, random_policies)
def test_a_seeded_policy_is_deterministic(values, policy):
    """The same policy (int random_state) gives the same table on every call."""
    first, second = augment(TFS, frame(values), policy=policy), augment(TFS, frame(values), policy=policy)
    pd.testing.assert_frame_equal(first.frame, second.frame)
    assert first.applied == second.applied


@pytest.mark.slow
@pytest.mark.usefixtures("dask_two_threads")
@settings(max_examples=8, deadline=None)
@given(nums, st.one_of(deterministic, random_policies), st.integers(1, 4))
def test_dask_partitions_give_the_pandas_table(values, policy, npartitions):
    """However the frame is partitioned, the table is the pandas one (random draws included)."""
    dd = pytest.importorskip("dask.dataframe")
    df = frame(values)
    ours = augment(TFS, dd.from_pandas(df, npartitions=npartitions, sort=False), policy=policy)
    expected = augment(TFS, df, policy=policy)
    pd.testing.assert_frame_equal(ours.frame, expected.frame, check_dtype=False, check_index_type=False)
    assert ours.source.tolist() == expected.source.tolist() and ours.applied == expected.applied


def test_dask_partitions_numbered_from_zero_name_source_rows_through_the_frame(dask_two_threads):
    """Partitions each indexed 0..len-1 (dd.read_csv) still give sources numbered through the frame."""
    dd = pytest.importorskip("dask.dataframe")
    parts = [frame([0, 1]).reset_index(drop=True), frame([2, 4]).reset_index(drop=True)]
    ddf = dd.concat([dd.from_pandas(p, npartitions=1) for p in parts])
    out = augment([tag], ddf, policy=ApplyAllPolicy(keep_original=False))
    assert out.source.tolist() == [0, 1, 2, 3] and np.array_equal(out.frame.index, [0, 1, 0, 1])
