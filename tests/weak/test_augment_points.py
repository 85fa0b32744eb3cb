"""weak.augment and weak.augment_batches on a list of data points (Snorkel's TFApplier)."""

from __future__ import annotations

import copy
from collections import namedtuple
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

POLICIES = {
    "all": lambda: weak.ApplyAllPolicy(2, n_per_original=2),
    "each": lambda: weak.ApplyEachPolicy(2, keep_original=False),
    "random": lambda: weak.RandomPolicy(2, sequence_length=3, n_per_original=3, random_state=5),
    "meanfield": lambda: weak.MeanFieldPolicy(2, sequence_length=2, p=[0.3, 0.7], n_per_original=2, random_state=9),
}


def points(n: int = 7) -> list[SimpleNamespace]:
    return [SimpleNamespace(text=f"t{i}", num=i) for i in range(n)]


def fields(out) -> list[dict]:
    return [dict(vars(p)) for p in out.points]


class TestAugmentPoints:
    """augment on a list: Snorkel's TFApplier.apply."""

    @pytest.mark.parametrize("name", sorted(POLICIES))
    def test_points_equal_the_frame_rows_of_the_same_data(self, name):
        """The points augmented are the rows augment makes of the same data as a frame, in order."""
        data = points()
        got = weak.augment([double, tag], data, policy=POLICIES[name]())
        frame = weak.augment([double, tag], pd.DataFrame([vars(p) for p in data]), policy=POLICIES[name]())
        assert fields(got) == frame.frame.reset_index(drop=True).to_dict("records")
        np.testing.assert_array_equal(got.source, frame.source)
        assert got.applied == frame.applied

    def test_originals_are_the_inputs_objects_and_inputs_are_not_changed(self):
        """A kept original is the input's object (as Snorkel); no TF changes an input point."""
        data = [SimpleNamespace(text="a", num=0, tags=["x"]), SimpleNamespace(text="b", num=2, tags=[])]
        before = copy.deepcopy(data)

        @weak.transformation_function()
        def add_tag(x):
            x.tags.append("new")
            return x

        out = weak.augment([add_tag], data, policy=weak.ApplyAllPolicy())
        assert out.points[0] is data[0] and out.points[2] is data[1]
        assert data == before
        assert out.points[1].tags == ["x", "new"] and out.points[1] is not data[0]

    @pytest.mark.parametrize("as_dict", [False, True])
    def test_in_place_changes_never_reach_the_input(self, as_dict):
        """A TF changing its namespace or dict of plain values in place changes its own copy only."""

        @weak.transformation_function()
        def edit(x):
            if as_dict:
                x["text"] += "!"
            else:
                x.text += "!"
            return x

        data = [{"text": "a", "num": 1}, {"text": "b", "num": 2}] if as_dict else points(2)
        before = copy.deepcopy(data)
        again = weak.transformation_function(edit.func, name="again")
        out = weak.augment([edit, again], data, policy=weak.ApplyAllPolicy(n_per_original=2))
        assert data == before
        texts = [p["text"] if as_dict else p.text for p in out.points]
        assert (
            texts == ["a", "a!!", "a!!", "b", "b!!", "b!!"] if as_dict else ["t0", "t0!!", "t0!!", "t1", "t1!!", "t1!!"]
        )
        assert out.points[1] is not out.points[2]

    def test_dict_points_are_given_as_dicts(self):
        """Dict points reach the TF as dicts and come back as dicts."""

        @weak.transformation_function()
        def shout(x):
            assert type(x) is dict
            return {**x, "text": x["text"].upper()}

        out = weak.augment([shout], [{"text": "hi"}, {"text": "yo"}], policy=weak.ApplyAllPolicy(keep_original=False))
        assert out.points == [{"text": "HI"}, {"text": "YO"}]

    def test_preprocessor_fields_stay_on_the_points(self):
        """A TF's preprocessor fields are set on the copy it gets and stay there (as in Snorkel)."""
        calls = []

        @weak.preprocessor(memoize=True)
        def length(x):
            calls.append(x.text)
            return {"length": len(x.text)}

        @weak.transformation_function(pre=[length])
        def long_only(x):
            if x.length < 3:
                return None
            x.text = x.text[::-1]
            return x

        data = [SimpleNamespace(text=t) for t in ["abc", "ab", "abc", "abcd"]]
        out = weak.augment([long_only], data, policy=weak.ApplyAllPolicy())
        assert fields(out) == [
            {"text": "abc"},
            {"text": "cba", "length": 3},
            {"text": "ab"},
            {"text": "abc"},
            {"text": "cba", "length": 3},
            {"text": "abcd"},
            {"text": "dcba", "length": 4},
        ]
        assert calls == ["abc", "ab", "abcd"]

    def test_a_new_point_of_the_same_type_is_taken(self):
        """A TF may return a new point of the points' type (a named tuple's _replace)."""
        Row = namedtuple("Row", "text num")

        @weak.transformation_function()
        def bump(x):
            return x._replace(num=x.num + 1)

        out = weak.augment([bump], [Row("a", 1), Row("b", 2)], policy=weak.ApplyAllPolicy(keep_original=False))
        assert out.points == [Row("a", 2), Row("b", 3)]

    def test_to_frame_lists_fields_source_and_tfs(self):
        """to_frame: one row per point, its fields, its source position and the TFs applied."""
        out = weak.augment([double, tag], points(3), policy=weak.ApplyAllPolicy())
        table = out.to_frame()
        assert table.columns.tolist() == ["text", "num", "source_row", "tfs"]
        assert table.tfs.tolist() == ["", "double+tag", "", "tag", "", "double+tag"]
        assert table.source_row.tolist() == [0, 0, 1, 1, 2, 2]
        assert out.is_original.tolist() == [True, False] * 3
        with pytest.raises(InvalidParameterError, match="source_column must be a new column name"):
            out.to_frame(source_column="text")

    def test_points_of_no_fields_are_one_column(self):
        """Plain values (str) are points too; to_frame puts them in a column "point"."""

        @weak.transformation_function()
        def upper(x):
            return None if x.isupper() else x.upper()

        out = weak.augment([upper], ["ab", "CD"], policy=weak.ApplyAllPolicy())
        assert out.points == ["ab", "AB", "CD"]
        assert out.to_frame()["point"].tolist() == ["ab", "AB", "CD"]


class TestAugmentPointsErrors:
    """Bad lists and bad TFs: errors naming the parameter, the TF and the point."""

    @pytest.mark.parametrize(
        ("df", "message"),
        [
            ([], "df must have at least one data point to augment, got an empty list"),
            (
                [SimpleNamespace(num=1), {"num": 2}],
                r"one type \(the first, df\[0\], is a SimpleNamespace\), got a dict at df\[1\]",
            ),
            ((1, 2, "3"), r"got a str at df\[2\]"),
            ([pd.DataFrame({"num": [1]})], "got a list of DataFrames: concatenate them"),
        ],
    )
    def test_bad_lists_are_named(self, df, message):
        """An empty list, points of two types or a list of frames is refused, naming df."""
        with pytest.raises(InvalidParameterError, match=message):
            weak.augment([double], df, policy=weak.ApplyAllPolicy())

    def test_vectorized_tf_or_preprocessor_is_refused(self):
        """A vectorised TF, or a row TF with a vectorised preprocessor, cannot take one point."""
        with pytest.raises(InvalidParameterError, match=r"tfs\[1\] \('negate'\) is vectorized"):
            weak.augment([double, negate], points(), policy=weak.ApplyAllPolicy())

        @weak.preprocessor(vectorized=True)
        def lower(df):
            return {"lower": df.text.str.lower()}

        with_pre = weak.transformation_function(lambda x: x, name="same", pre=[lower])
        with pytest.raises(
            InvalidParameterError, match=r"tfs\[0\] \('same'\) uses the vectorized preprocessor 'lower'"
        ):
            weak.augment([with_pre], points(), policy=weak.ApplyAllPolicy())

    @pytest.mark.parametrize(("kwargs", "name"), [({"lazy": True}, "lazy"), ({"meta": pd.DataFrame()}, "meta")])
    def test_lazy_and_meta_are_refused(self, kwargs, name):
        """lazy and meta are for Dask frames: with a list, an error naming them."""
        with pytest.raises(InvalidParameterError, match=f"{name} is for a Dask df, not a list of data points"):
            weak.augment([double], points(), policy=weak.ApplyAllPolicy(), **kwargs)

    def test_a_raising_tf_is_named_with_the_point(self):
        """A TF that raises: the error names it and the point's position."""

        @weak.transformation_function()
        def picky(x):
            if x.num == 4:
                raise ValueError("no fours")
            return x

        with pytest.raises(
            TransformationFunctionError, match="'picky' raised ValueError: no fours on data point 4"
        ) as info:
            weak.augment([picky], points(), policy=weak.ApplyAllPolicy())
        assert info.value.position == 4

    def test_a_return_of_another_type_is_named(self):
        """A TF returning something other than a point of the points' type is an error naming it."""

        @weak.transformation_function()
        def as_dict(x):
            return vars(x)

        with pytest.raises(
            TransformationFunctionError, match="'as_dict' returned dict .* expected the .* SimpleNamespace"
        ):
            weak.augment([as_dict], points(), policy=weak.ApplyAllPolicy())

    def test_a_preprocessor_returning_no_dict_is_named(self):
        """A preprocessor must return the fields it adds; else an error naming it and the point."""
        bad = weak.preprocessor(lambda x: 3, name="bad")
        tf = weak.transformation_function(lambda x: x, name="same", pre=[bad])
        with pytest.raises(
            TransformationFunctionError, match="preprocessor 'bad' returned 3, expected a dict .* on data point 0"
        ):
            weak.augment([tf], points(), policy=weak.ApplyAllPolicy())


class TestPointBatches:
    """augment_batches on a list: Snorkel's TFApplier.apply_generator."""

    @pytest.mark.parametrize("name", sorted(POLICIES))
    @pytest.mark.parametrize("size", [1, 3, 7, 50])
    def test_batches_together_are_augments_points(self, name, size):
        """The batches, put together, are augment's points, sources and TFs, for any batch size."""
        data = points()
        whole = weak.augment([double, tag], data, policy=POLICIES[name]())
        batches = list(weak.augment_batches([double, tag], data, policy=POLICIES[name](), batch_size=size))
        assert len(batches) == -(-len(data) // size)
        assert [vars(p) for b in batches for p in b.points] == fields(whole)
        np.testing.assert_array_equal(np.concatenate([b.source for b in batches]), whole.source)
        assert tuple(a for b in batches for a in b.applied) == whole.applied

    def test_points_are_augmented_only_as_batches_are_asked_for(self):
        """Nothing runs before the first batch is asked for, and only that batch's points then."""
        seen = []

        @weak.transformation_function()
        def note(x):
            seen.append(x.num)
            return x

        stream = weak.augment_batches([note], points(), policy=weak.ApplyAllPolicy(), batch_size=3)
        assert seen == []
        next(stream)
        assert seen == [0, 1, 2]

    def test_memo_lasts_across_batches_and_errors_count_from_the_start(self):
        """A memoised TF runs once per distinct point over all batches; an error names the point's
        position in the whole list."""
        calls = []

        @weak.transformation_function(memoize=True)
        def once(x):
            calls.append(x.text)
            if x.text == "boom":
                raise ValueError("bad")
            return x

        data = [SimpleNamespace(text=t) for t in ["a", "b", "a", "b", "a"]]
        list(weak.augment_batches([once], data, policy=weak.ApplyAllPolicy(), batch_size=2))
        assert calls == ["a", "b"]
        with pytest.raises(TransformationFunctionError, match="on data point 3"):
            list(
                weak.augment_batches(
                    [once], [*data[:3], SimpleNamespace(text="boom")], policy=weak.ApplyAllPolicy(), batch_size=2
                )
            )

    def test_bad_list_is_refused_when_called(self):
        """A list of two types is refused when augment_batches is called, before any batch."""
        with pytest.raises(InvalidParameterError, match=r"got a int at df\[1\]"):
            weak.augment_batches([double], [SimpleNamespace(num=1), 2], policy=weak.ApplyAllPolicy(), batch_size=1)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 12),
    size=st.integers(1, 13),
    seed=st.integers(0, 2**32 - 1),
    order=st.randoms(use_true_random=False),
)
def test_batches_and_row_order_property(n, size, seed, order):
    """Any batch size gives augment's points (seeded random policy); permuting the points
    permutes the blocks of an ApplyEachPolicy's output (each point with its copies)."""
    data = points(n)

    def policy():
        return weak.RandomPolicy(2, sequence_length=2, n_per_original=2, random_state=seed)

    whole = weak.augment([double, tag], data, policy=policy())
    batched = [
        vars(p) for b in weak.augment_batches([double, tag], data, policy=policy(), batch_size=size) for p in b.points
    ]
    assert batched == fields(whole)
    perm = list(range(n))
    order.shuffle(perm)
    straight = weak.augment([double, tag], data, policy=weak.ApplyEachPolicy())
    shuffled = weak.augment([double, tag], [data[i] for i in perm], policy=weak.ApplyEachPolicy())
    blocks = {i: [vars(p) for p, s in zip(straight.points, straight.source, strict=True) if s == i] for i in range(n)}
    assert fields(shuffled) == [f for i in perm for f in blocks[i]]
