"""Tests of weak.augment_batches (Snorkel's PandasTFApplier.apply_generator): batches put together
are augment's table, for deterministic and seeded random policies, from frames, Dask frames and chunks."""

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
    ApplyOnePolicy,
    MeanFieldPolicy,
    RandomPolicy,
    TransformationFunctionError,
    augment,
    augment_batches,
    transformation_function,
)
from tests.weak._augment_tfs import TFS


def frame(n: int) -> pd.DataFrame:
    nums = (np.arange(n) * 7) % 11 - 3
    return pd.DataFrame({"text": [f"t{v}" for v in nums], "num": nums}, index=[f"r{i}" for i in range(n)])


def joined(batches) -> tuple[pd.DataFrame, np.ndarray, tuple]:
    batches = list(batches)
    return (
        pd.concat([b.frame for b in batches]),
        np.concatenate([b.source for b in batches]),
        tuple(a for b in batches for a in b.applied),
    )


def assert_same(batches, whole) -> None:
    table, source, applied = joined(batches)
    pd.testing.assert_frame_equal(table, whole.frame)
    np.testing.assert_array_equal(source, whole.source)
    assert applied == whole.applied


POLICIES = {
    "all": lambda: ApplyAllPolicy(n_per_original=2),
    "each": lambda: ApplyEachPolicy(keep_original=False),
    "random": lambda: RandomPolicy(sequence_length=2, n_per_original=3, random_state=5),
    "mean-field": lambda: MeanFieldPolicy(3, sequence_length=3, p=[0.6, 0.1, 0.3], random_state=11),
}


class TestBatchesEqualTheWholeTable:
    @pytest.mark.parametrize("policy", POLICIES)
    @pytest.mark.parametrize("batch_size", [1, 4, 7, 23, 100])
    def test_batches_put_together_are_augments_table(self, policy, batch_size):
        """Deterministic and seeded random policies: the batches together are augment's table,
        sources by position in the whole input, TFs applied, whatever the batch size."""
        df = frame(23)
        batches = list(augment_batches(TFS, df, policy=POLICIES[policy](), batch_size=batch_size))
        assert len(batches) == -(-23 // batch_size)
        assert all(len(np.unique(b.source)) <= batch_size for b in batches)
        assert_same(batches, augment(TFS, df, policy=POLICIES[policy]()))

    def test_numpys_global_state_and_a_generator_are_drawn_on_as_by_augment(self):
        """random_state=None draws from numpy's global state (Snorkel's rule: the same sequences
        after np.random.seed), a Generator is drawn on: batches equal augment either way."""
        df = frame(17)
        np.random.seed(3)  # noqa: NPY002 (Snorkel's rule: the global state)
        whole = augment(TFS, df, policy=RandomPolicy(sequence_length=2))
        np.random.seed(3)  # noqa: NPY002 (Snorkel's rule: the global state)
        assert_same(augment_batches(TFS, df, policy=RandomPolicy(sequence_length=2), batch_size=5), whole)
        gen = RandomPolicy(n_per_original=2, random_state=np.random.default_rng(8))
        whole = augment(TFS, df, policy=gen)
        again = RandomPolicy(n_per_original=2, random_state=np.random.default_rng(8))
        assert_same(augment_batches(TFS, df, policy=again, batch_size=3), whole)

    def test_chunks_dask_partitions_and_csv_chunks_are_cut_into_batches(self, tmp_path):
        """An iterable of frames of any sizes, a Dask frame and pd.read_csv(chunksize=) are cut into
        batches of batch_size rows: the same batches as from the whole frame."""
        dd = pytest.importorskip("dask.dataframe")
        df = frame(20)
        want = [b.frame for b in augment_batches(TFS, df, policy=POLICIES["random"](), batch_size=6)]
        chunks = iter([df.iloc[:1], df.iloc[1:9], df.iloc[9:9], df.iloc[9:]])
        for source in (chunks, dd.from_pandas(df, npartitions=3, sort=False)):
            got = [b.frame for b in augment_batches(TFS, source, policy=POLICIES["random"](), batch_size=6)]
            assert [len(g) for g in got] == [len(w) for w in want]
            for g, w in zip(got, want, strict=True):  # Dask reads text as its own string dtype
                pd.testing.assert_frame_equal(g, w, check_dtype=False, check_index_type=False)
        path = tmp_path / "rows.csv"
        df.to_csv(path)
        with pd.read_csv(path, index_col=0, chunksize=7) as reader:
            got = [b.frame for b in augment_batches(TFS, reader, policy=POLICIES["random"](), batch_size=6)]
        pd.testing.assert_frame_equal(pd.concat(got), pd.concat(want), check_dtype=False)

    @settings(max_examples=15, deadline=None)
    @given(
        n=st.integers(1, 30),
        batch_size=st.integers(1, 12),
        cuts=st.lists(st.integers(0, 30), max_size=4),
        policy=st.sampled_from(sorted(POLICIES)),
    )
    def test_any_batch_size_and_chunking_gives_the_whole_table(self, n, batch_size, cuts, policy):
        """Property: for any row count, batch size and cutting of the input into chunks, the batches
        together are augment's table (fixed seeds: the same draws, not a tolerance)."""
        df = frame(n)
        bounds = sorted({0, n, *[min(c, n) for c in cuts]})
        chunks = [df.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        got = augment_batches(TFS, chunks, policy=POLICIES[policy](), batch_size=batch_size)
        assert_same(got, augment(TFS, df, policy=POLICIES[policy]()))


class TestStreaming:
    def test_rows_are_read_and_augmented_only_as_batches_are_asked_for(self):
        """The chunks are read, and the TF called, only as far as the batches taken need."""
        read, calls = [], []

        @transformation_function()
        def count(row):
            calls.append(row.num)
            return row

        def chunks():
            for i in range(0, 40, 10):
                read.append(i)
                yield frame(40).iloc[i : i + 10]

        batches = augment_batches([count], chunks(), policy=ApplyOnePolicy(), batch_size=5)
        assert read == [] and calls == []
        first = next(batches)
        assert read == [0] and len(calls) == 5 and len(first.frame) == 10
        next(batches), next(batches)
        assert read == [0, 10] and len(calls) == 15

    def test_a_memoized_tf_keeps_its_outputs_across_batches(self):
        """A memoised TF is called once per distinct row over all the batches."""
        calls = []

        @transformation_function(memoize=True)
        def shout(row):
            calls.append(row.text)
            row.text = row.text.upper()
            return row

        df = pd.DataFrame({"text": list("abcabcaab")})
        out = list(augment_batches([shout], df, policy=ApplyAllPolicy(n_per_original=2), batch_size=2))
        assert sorted(calls) == ["a", "b", "c"]
        assert pd.concat([b.frame for b in out]).text.tolist() == [
            t for x in "abcabcaab" for t in (x, x.upper(), x.upper())
        ]

    def test_a_failing_tf_names_the_row_by_its_place_in_the_whole_input(self):
        """The error's position counts the rows of the earlier batches."""

        @transformation_function()
        def fails_on_r7(row):
            if row.num == frame(10).num.iloc[7]:
                raise ValueError("no")
            return row

        with pytest.raises(TransformationFunctionError, match="'r7'") as info:
            list(augment_batches([fails_on_r7], frame(10), policy=ApplyOnePolicy(), batch_size=3))
        assert info.value.position == 7


class TestBadArguments:
    @pytest.mark.parametrize("batch_size", [0, -2, 1.5, "3", True, None])
    def test_batch_size_must_be_a_positive_integer_when_called(self, batch_size):
        """batch_size is checked when augment_batches is called, before any batch is asked for."""
        with pytest.raises(InvalidParameterError, match="batch_size must be a positive integer"):
            augment_batches(TFS, frame(5), policy=ApplyAllPolicy(), batch_size=batch_size)

    def test_bad_frames_and_chunks_are_named(self):
        """Not a frame or frames, an empty frame, a chunk that is not a frame or has other columns,
        no rows at all, bad tfs or policy: each named."""
        policy = ApplyAllPolicy()
        for df in ("rows.csv", np.zeros((3, 2)), 5):
            with pytest.raises(InvalidParameterError, match="df must be a pandas or dask DataFrame or an iterable"):
                augment_batches(TFS, df, policy=policy, batch_size=2)
        with pytest.raises(InvalidParameterError, match="df must have at least one row"):
            augment_batches(TFS, frame(0), policy=policy, batch_size=2)
        with pytest.raises(InvalidParameterError, match="df must yield pandas DataFrames, got list as chunk 1"):
            list(augment_batches(TFS, [frame(3), [1, 2]], policy=policy, batch_size=2))
        with pytest.raises(InvalidParameterError, match="first chunk's columns .* in chunk 1"):
            list(augment_batches(TFS, [frame(3), frame(3).rename(columns={"num": "n"})], policy=policy, batch_size=2))
        with pytest.raises(InvalidParameterError, match="df must have at least one row"):
            list(augment_batches(TFS, [frame(0), frame(0)], policy=policy, batch_size=2))
        with pytest.raises(InvalidParameterError, match="policy must be an augmentation policy"):
            augment_batches(TFS, frame(3), policy="all", batch_size=2)
        with pytest.raises(InvalidParameterError, match="ApplyOnePolicy applies one"):
            augment_batches(TFS, frame(3), policy=ApplyOnePolicy(), batch_size=2)
