"""Tests of weak.augment(..., lazy=True) on a Dask frame: partitions augmented independently,
each as augment in memory with its partition's policy; nothing computed until asked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import InvalidParameterError
from labelwise.weak import (
    ApplyAllPolicy,
    ApplyEachPolicy,
    MeanFieldPolicy,
    RandomPolicy,
    TransformationFunctionError,
    augment,
    transformation_function,
)
from tests.weak._augment_tfs import TFS

dd = pytest.importorskip("dask.dataframe")


def frame(n: int) -> pd.DataFrame:
    nums = (np.arange(n) * 7) % 11 - 3
    return pd.DataFrame({"text": [f"t{v}" for v in nums], "num": nums}, index=np.arange(n) * 2)


def in_memory(df: pd.DataFrame, policy) -> pd.DataFrame:
    """augment's table with the lazy result's "tfs" column."""
    out = augment(TFS, df, policy=policy)
    return out.frame.assign(tfs=["+".join(a) for a in out.applied])


def plain(table: pd.DataFrame) -> pd.DataFrame:
    """Values compared, not Dask's string dtype."""
    return table.astype({"text": object, "tfs": object})


class TestLazyResult:
    @pytest.mark.parametrize("npartitions", [1, 2, 4])
    @pytest.mark.parametrize(
        "policy", [ApplyAllPolicy(n_per_original=2), ApplyEachPolicy(keep_original=False)], ids=["all", "each"]
    )
    def test_deterministic_policies_give_the_in_memory_table(self, npartitions, policy):
        """A policy that draws nothing: the computed lazy table is augment's in memory (plus "tfs")."""
        df = frame(19)
        lazy = augment(TFS, dd.from_pandas(df, npartitions=npartitions), policy=policy, lazy=True)
        assert lazy.npartitions == npartitions
        pd.testing.assert_frame_equal(plain(lazy.compute()), plain(in_memory(df, policy)))

    @settings(max_examples=12, deadline=None)
    @given(
        n=st.integers(1, 25),
        npartitions=st.integers(1, 5),
        seed=st.integers(0, 2**32 - 1),
        mean_field=st.booleans(),
    )
    def test_each_partition_is_augmented_as_in_memory_with_its_policy(self, n, npartitions, seed, mean_field):
        """Property over partition counts: partition i is augment(partition i, policy.for_partition(i))
        in memory; partition 0 is the in-memory table's first rows (the policy's own seed)."""
        make = (
            (lambda s: MeanFieldPolicy(3, sequence_length=2, p=[0.5, 0.25, 0.25], random_state=s))
            if mean_field
            else (lambda s: RandomPolicy(sequence_length=2, n_per_original=2, random_state=s))
        )
        df = frame(n)
        ddf = dd.from_pandas(df, npartitions=npartitions)
        lazy = augment(TFS, ddf, policy=make(seed), lazy=True)
        policy = make(seed)
        for i in range(ddf.npartitions):
            part = ddf.get_partition(i).compute()
            got = lazy.get_partition(i).compute()
            if len(part):
                want = in_memory(part, policy.for_partition(i))
                pd.testing.assert_frame_equal(plain(got), plain(want))
        first = ddf.get_partition(0).compute()
        whole = in_memory(df, make(seed))
        pd.testing.assert_frame_equal(plain(lazy.get_partition(0).compute()), plain(whole.loc[first.index]))

    def test_the_same_partitioning_gives_the_same_table_on_every_run(self):
        """Seeded: two computations, and two lazy results, are equal; partitions after the first draw
        their own sequences (another table than in memory)."""
        df = frame(30)
        ddf = dd.from_pandas(df, npartitions=3)
        policy = RandomPolicy(sequence_length=2, n_per_original=2, random_state=1)
        a = augment(TFS, ddf, policy=policy, lazy=True).compute()
        b = augment(TFS, ddf, policy=RandomPolicy(sequence_length=2, n_per_original=2, random_state=1), lazy=True)
        pd.testing.assert_frame_equal(a, b.compute())
        pd.testing.assert_frame_equal(a, augment(TFS, ddf, policy=policy, lazy=True).compute())
        assert not plain(a).equals(plain(in_memory(df, policy)))

    def test_a_generator_or_numpys_state_is_drawn_once_for_the_seed(self):
        """A Generator random_state: one draw makes the seed (policy.seeded()), so two Generators of
        one seed give the same lazy table."""
        ddf = dd.from_pandas(frame(12), npartitions=2)
        got = [
            augment(TFS, ddf, policy=RandomPolicy(random_state=np.random.default_rng(4)), lazy=True).compute()
            for _ in range(2)
        ]
        pd.testing.assert_frame_equal(got[0], got[1])

    def test_nothing_is_computed_until_asked(self):
        """Making the lazy result calls no TF; computing it calls each once per copy."""
        calls = []

        @transformation_function()
        def count(row):
            calls.append(row.num)
            return row

        ddf = dd.from_pandas(frame(10), npartitions=2)
        lazy = augment([count], ddf, policy=ApplyAllPolicy(n_per_original=2), lazy=True)
        assert calls == []
        assert len(lazy.compute()) == 30 and len(calls) == 20

    def test_meta_names_added_columns_and_dtypes(self):
        """A TF that adds a column needs meta naming it (the error says so); with it the column is there."""

        @transformation_function()
        def note(row):
            row.note = f"n{row.num}"
            return row

        ddf = dd.from_pandas(frame(6), npartitions=2)
        with pytest.raises(InvalidParameterError, match=r"meta must name every column.*\['note'\]"):
            augment([note], ddf, policy=ApplyAllPolicy(), lazy=True).compute()
        meta = pd.DataFrame(
            {"text": pd.Series(dtype=object), "num": pd.Series(dtype="int64"), "note": pd.Series(dtype=object)}
        )
        out = augment([note], ddf, policy=ApplyAllPolicy(), lazy=True, meta=meta).compute()
        assert list(out.columns) == ["text", "num", "note", "tfs"]
        assert out.note.isna().tolist() == [True, False] * 6
        assert out.note.dropna().tolist() == [f"n{v}" for v in frame(6).num]
        wrong = meta.astype({"note": "float64"})
        with pytest.raises(InvalidParameterError, match="meta must give the augmented columns' dtypes"):
            augment([note], ddf, policy=ApplyAllPolicy(), lazy=True, meta=wrong).compute()

    def test_a_failing_tf_names_its_partition(self):
        """A TF error in a partition names the TF, the row and the partition."""

        @transformation_function()
        def fails(row):
            if row.num == 4:
                raise ValueError("no")
            return row

        ddf = dd.from_pandas(frame(11), npartitions=3)
        with pytest.raises(TransformationFunctionError, match="'fails'") as info:
            augment([fails], ddf, policy=ApplyAllPolicy(), lazy=True).compute()
        assert info.value.partition is not None


class TestBadArguments:
    def test_lazy_and_meta_are_checked(self):
        """lazy not a flag, lazy with a pandas frame, meta without lazy, meta not a frame or with a
        "tfs" column, data with a "tfs" column: each named."""
        df = frame(4)
        ddf = dd.from_pandas(df, npartitions=2)
        with pytest.raises(InvalidParameterError, match="lazy must be True or False, got 'yes'"):
            augment(TFS, ddf, policy=ApplyAllPolicy(), lazy="yes")
        with pytest.raises(InvalidParameterError, match="lazy=True needs a Dask DataFrame"):
            augment(TFS, df, policy=ApplyAllPolicy(), lazy=True)
        with pytest.raises(InvalidParameterError, match="meta is for lazy=True only"):
            augment(TFS, ddf, policy=ApplyAllPolicy(), meta=df.iloc[:0])
        with pytest.raises(InvalidParameterError, match="meta must be a DataFrame of the augmented data columns"):
            augment(TFS, ddf, policy=ApplyAllPolicy(), lazy=True, meta={"text": object})
        with pytest.raises(InvalidParameterError, match="meta must be a DataFrame .* got a column 'tfs'"):
            augment(TFS, ddf, policy=ApplyAllPolicy(), lazy=True, meta=df.iloc[:0].assign(tfs=""))
        with pytest.raises(InvalidParameterError, match="df must be a DataFrame .* got a column 'tfs'"):
            augment(TFS, dd.from_pandas(df.assign(tfs="x"), npartitions=1), policy=ApplyAllPolicy(), lazy=True)

    def test_for_partition_and_seeded(self):
        """for_partition needs an int number >= 0 and an int seed (seeded() gives one); a policy that
        draws nothing is itself for every partition."""
        policy = RandomPolicy(random_state=3)
        assert policy.for_partition(0) is policy and policy.for_partition(2).random_state != 3
        assert policy.for_partition(2).random_state == policy.for_partition(2).random_state
        for number in (-1, 1.5, "0", True):
            with pytest.raises(InvalidParameterError, match="number must be an integer >= 0"):
                policy.for_partition(number)
        with pytest.raises(InvalidParameterError, match="random_state must be an int for for_partition"):
            RandomPolicy(random_state=np.random.default_rng(0)).for_partition(1)
        seeded = RandomPolicy(random_state=np.random.default_rng(0)).seeded()
        assert isinstance(seeded.random_state, int) and 0 <= seeded.random_state < 2**32
        assert seeded.random_state == RandomPolicy(random_state=np.random.default_rng(0)).seeded().random_state
        all_policy = ApplyAllPolicy()
        assert all_policy.seeded() is all_policy and all_policy.for_partition(5) is all_policy
