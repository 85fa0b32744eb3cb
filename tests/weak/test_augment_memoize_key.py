"""transformation_function(memoize_key=...): Snorkel 0.10's custom memo key of a mapper."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import weak
from labelwise.errors import InvalidParameterError
from labelwise.weak import TransformationFunctionError

from ._augment_tfs import double, negate, tag


def frame() -> pd.DataFrame:
    return pd.DataFrame({"text": ["a", "b", "a", "a", "c", "b"], "num": [1, 2, 3, 4, 5, 6]}, index=list("uvwxyz"))


def counting(key=lambda row: row.text):
    calls = []

    @weak.transformation_function(memoize=True, memoize_key=key)
    def shout(row):
        calls.append((row.text, row.num))
        row.text = row.text.upper()
        return row

    return shout, calls


class TestMemoizeKey:
    """Rows of one key share one output, computed once, in Snorkel's order."""

    def test_rows_of_one_key_share_the_first_rows_output(self):
        """A key of the text alone: the TF runs once per text and later rows of that text get the
        first row's output, its other columns included (Snorkel returns its cached point)."""
        shout, calls = counting()
        out = weak.augment([shout], frame(), policy=weak.ApplyAllPolicy(keep_original=False))
        assert calls == [("a", 1), ("b", 2), ("c", 5)]
        assert out.frame.text.tolist() == ["A", "B", "A", "A", "C", "B"]
        assert out.frame.num.tolist() == [1, 2, 1, 1, 5, 2]
        assert out.frame.index.tolist() == list("uvwxyz")  # the source row's label (Snorkel: the cached row's)

    def test_list_points_share_by_key_too(self):
        """On a list of points the key function gets the point; one call per key."""
        calls = []

        @weak.transformation_function(memoize=True, memoize_key=lambda x: x.text)
        def shout(x):
            calls.append(x.num)
            x.text = x.text.upper()
            return x

        data = [SimpleNamespace(text=t, num=i) for i, t in enumerate("abab")]
        out = weak.augment([shout], data, policy=weak.ApplyAllPolicy(keep_original=False))
        assert calls == [0, 1]
        assert [vars(p) for p in out.points] == [
            {"text": t.upper(), "num": n} for t, n in zip("abab", [0, 1, 0, 1], strict=True)
        ]
        assert out.points[0] is not out.points[2]

    def test_the_key_sees_the_row_without_preprocessor_fields(self):
        """Snorkel takes the key before the preprocessors run: the key function gets the row's own columns."""
        seen = []

        @weak.preprocessor()
        def length(row):
            return {"length": len(row.text)}

        def key(row):
            seen.append(sorted(row))
            return row.text

        tf = weak.transformation_function(lambda row: row, name="same", pre=[length], memoize=True, memoize_key=key)
        weak.augment([tf], frame(), policy=weak.ApplyAllPolicy())
        assert seen and all(s == ["num", "text"] for s in seen)

    def test_a_full_key_gives_the_unmemoised_table_with_vectorised_tfs(self):
        """With a key holding every column, the row-by-row run equals the step-by-step one (a vectorised
        TF included, run on one-row frames)."""
        full = weak.transformation_function(
            lambda row: row if row.num % 2 else None, name="odd", memoize=True, memoize_key=lambda r: tuple(r.values())
        )
        plain = weak.transformation_function(lambda row: row if row.num % 2 else None, name="odd")
        policy = lambda: weak.RandomPolicy(4, sequence_length=3, n_per_original=3, random_state=3)  # noqa: E731
        df = frame().assign(text=lambda d: d.text + "x")
        got = weak.augment([full, double, negate, tag], df, policy=policy())
        expected = weak.augment([plain, double, negate, tag], df, policy=policy())
        pd.testing.assert_frame_equal(got.frame, expected.frame)
        np.testing.assert_array_equal(got.source, expected.source)
        assert got.applied == expected.applied

    @pytest.mark.parametrize("lazy", [False, True])
    def test_dask_partitions_with_a_full_key_give_the_pandas_table(self, lazy):
        """On a Dask frame (3 partitions, eager or lazy) a TF keyed by the whole row gives pandas' table."""
        dd = pytest.importorskip("dask.dataframe")
        shout, _ = counting(key=lambda row: tuple(row.values()))
        expected = weak.augment([shout, double], frame(), policy=weak.ApplyAllPolicy())
        got = weak.augment(
            [shout, double], dd.from_pandas(frame(), npartitions=3, sort=False), policy=weak.ApplyAllPolicy(), lazy=lazy
        )
        table = got.compute().drop(columns="tfs") if lazy else got.frame
        assert table.index.tolist() == expected.frame.index.tolist()  # Dask makes the labels its string dtype
        pd.testing.assert_frame_equal(
            table.astype({"text": object}).reset_index(drop=True),
            expected.frame.astype({"text": object}).reset_index(drop=True),
        )

    def test_key_memo_lasts_across_batches(self):
        """One stream of batches shares one memo: the TF runs once per key over all batches."""
        shout, calls = counting()
        list(weak.augment_batches([shout], frame(), policy=weak.ApplyAllPolicy(), batch_size=2))
        assert [c[0] for c in calls] == ["a", "b", "c"]


class TestMemoizeKeyErrors:
    """A bad key function: errors naming memoize_key, the TF and the row or point."""

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"memoize": True, "memoize_key": "text"}, "memoize_key must be a function of a row .* got str"),
            ({"memoize_key": lambda r: r.text}, "memoize_key needs memoize=True"),
            ({"memoize": True, "memoize_key": len, "vectorized": True}, "memoize must be False for a vectorized"),
        ],
    )
    def test_bad_options_are_named(self, kwargs, message):
        """A key that is not callable, a key without memoize, or a memoised vectorised TF is refused."""
        with pytest.raises(InvalidParameterError, match=message):
            weak.transformation_function(lambda row: row, **kwargs)

    @pytest.mark.parametrize("as_points", [False, True])
    def test_a_raising_key_is_named_with_the_tf_and_row(self, as_points):
        """A key function that raises: a TransformationFunctionError naming memoize_key, the TF and the row."""
        shout, _ = counting(key=lambda row: row.missing)
        df = [SimpleNamespace(text="a", num=1)] if as_points else frame()
        where = "data point 0" if as_points else "row 'u'"
        with pytest.raises(
            TransformationFunctionError, match=f"'shout' memoize_key raised AttributeError: .* on {where}"
        ):
            weak.augment([shout], df, policy=weak.ApplyAllPolicy())

    @pytest.mark.parametrize("as_points", [False, True])
    def test_an_unhashable_key_is_named_with_the_tf_and_row(self, as_points):
        """A key function returning an unhashable value: an error naming the TF, the value and the row."""
        shout, _ = counting(key=lambda row: [row.text])
        df = [SimpleNamespace(text="a", num=1)] if as_points else frame()
        with pytest.raises(
            TransformationFunctionError, match=r"'shout' memoize_key returned an unhashable list \['a'\]"
        ) as info:
            weak.augment([shout], df, policy=weak.ApplyAllPolicy())
        assert info.value.position == 0

    def test_a_vectorised_tfs_error_names_the_row_not_the_one_row_frame(self):
        """A vectorised TF run on one-row frames (beside a keyed TF) names the source row in its error."""

        @weak.transformation_function(vectorized=True)
        def breaks(df):
            if (df.num == 4).any():
                raise ValueError("four")
            return df

        shout, _ = counting()
        with pytest.raises(
            TransformationFunctionError, match=r"'breaks' \(vectorized\) raised ValueError: four on row 'x'"
        ) as info:
            weak.augment([breaks, shout], frame(), policy=weak.ApplyAllPolicy())
        assert info.value.position == 3


@settings(max_examples=30, deadline=None)
@given(
    texts=st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=12),
    size=st.integers(1, 13),
    seed=st.integers(0, 2**32 - 1),
)
def test_a_coarse_key_gives_one_table_for_every_batch_size(texts, size, seed):
    """Rows sharing a key share the output of the first in Snorkel's order, whatever the batch
    size: the batches put together are augment's table (seeded random policy)."""
    shout, _ = counting()
    df = pd.DataFrame({"text": texts, "num": range(len(texts))})

    def policy():
        return weak.RandomPolicy(3, sequence_length=2, n_per_original=2, random_state=seed)

    whole = weak.augment([shout, double, tag], df, policy=policy())
    shout, _ = counting()
    parts = list(weak.augment_batches([shout, double, tag], df, policy=policy(), batch_size=size))
    pd.testing.assert_frame_equal(pd.concat([p.frame for p in parts]), whole.frame)
    assert tuple(a for p in parts for a in p.applied) == whole.applied
