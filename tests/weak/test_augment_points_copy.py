"""The copy of a data point each TF call changes: Snorkel's pickle round trip, equal to a deep copy."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import weak


def same(x):
    return x


@weak.transformation_function()
def tag_first(x):
    """Append "!" to the first list held by the point's pandas field, in place."""
    x.extra.iloc[0].append("!")
    return x


class TestPandasFields:
    """A deep copy of a pandas object shares the Python objects in it; a pickled one does not."""

    @pytest.mark.parametrize("make", [pd.Series, lambda lists: pd.DataFrame({"c": lists})], ids=["Series", "frame"])
    def test_a_tf_changing_a_list_in_a_pandas_field_leaves_the_input_intact(self, make):
        """The input point's Series (or frame) of lists is unchanged, as Snorkel's pickled copy leaves it."""

        @weak.transformation_function()
        def tag(x):
            column = x.extra if isinstance(x.extra, pd.Series) else x.extra["c"]
            column.iloc[0].append("!")
            return x

        data = [SimpleNamespace(text="a", extra=make([["x"], ["y"]]))]
        out = weak.augment([tag], data, policy=weak.ApplyAllPolicy(n_per_original=2))

        def column(e):
            return e if isinstance(e, pd.Series) else e["c"]

        assert column(data[0].extra).iloc[0] == ["x"]
        assert [column(p.extra).iloc[0] for p in out.points] == [["x"], ["x", "!"], ["x", "!"]]

    def test_memoised_pandas_fields_are_not_changed_by_a_tf(self):
        """A memoised preprocessor's Series of lists: each point of a key gets it as computed."""

        @weak.preprocessor(memoize=True, memoize_key=lambda x: x.text)
        def parts(x):
            return {"extra": pd.Series([x.text.split(" ")])}

        tf = weak.transformation_function(tag_first.func, name="tag_first", pre=[parts])
        data = [SimpleNamespace(text="a b", num=i) for i in range(3)]
        out = weak.augment([tf], data, policy=weak.ApplyAllPolicy(keep_original=False))
        assert [p.extra.iloc[0] for p in out.points] == [["a", "b", "!"]] * 3


def local_points() -> list:
    class Point:  # defined here, so pickle cannot find it by name
        def __init__(self, text: str, tags: list[str]) -> None:
            self.text, self.tags, self.key = text, tags, lambda p: p.text

    return [Point("a", ["x"]), Point("b", [])]


def namespace_with_rules() -> SimpleNamespace:
    key = lambda p: p.text  # noqa: E731
    return SimpleNamespace(text="a", tags=["x"], key=key, rules=[key])


class TestUnpicklablePoints:
    """What pickle refuses (a local class, a lambda in a field) is copied deeply instead."""

    @pytest.mark.parametrize(
        "make",
        [
            pytest.param(local_points, id="local class"),
            pytest.param(lambda: [SimpleNamespace(text="a", tags=["x"], key=lambda p: p.text)], id="lambda field"),
            pytest.param(lambda: [namespace_with_rules()], id="lambda in a list"),
        ],
    )
    def test_an_unpicklable_point_is_copied_and_the_input_left_intact(self, make):
        """Each TF call gets its own copy of an unpicklable point; the input does not change."""

        @weak.transformation_function()
        def add_tag(x):
            x.tags.append("new")
            return x

        data, before = make(), make()
        out = weak.augment([add_tag], data, policy=weak.ApplyAllPolicy(n_per_original=2, keep_original=False))
        assert [p.tags for p in data] == [p.tags for p in before]
        assert [p.tags for p in out.points] == [p.tags + ["new"] for p in before for _ in range(2)]
        assert all(
            type(p) is type(data[0]) and p.key is data[i].key for p, i in zip(out.points, out.source, strict=True)
        )
        assert len({id(p.tags) for p in out.points} | {id(p.tags) for p in data}) == len(out) + len(data)


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=4), st.binary(max_size=3)
)
PLAIN = st.one_of(SCALARS, st.tuples(SCALARS, SCALARS), st.frozensets(st.integers(), max_size=3))
VALUES = st.one_of(
    PLAIN,
    st.lists(PLAIN, max_size=4),
    st.sets(st.integers(), max_size=4),
    st.dictionaries(st.text(max_size=2), PLAIN, max_size=3),
    st.lists(st.lists(st.integers(), max_size=2), max_size=3),  # nested: not a plain point
    st.tuples(st.lists(st.integers(), max_size=2)),
    st.sampled_from([len, same, str]),  # kept as they are, by a deep copy too
)


class TestCopiesEqualDeepCopies:
    """Whichever way a point is copied, the copy is what ``copy.deepcopy`` makes."""

    @settings(max_examples=80, deadline=None)
    @given(
        fields=st.dictionaries(st.sampled_from("abcdef"), VALUES, min_size=1, max_size=5),
        share=st.booleans(),
        as_dict=st.booleans(),
    )
    def test_copies_equal_deep_copies_and_share_nothing_with_the_input(self, fields, share, as_dict):
        """Equal values, the same fields sharing one container (as a deep copy keeps them), no container
        shared with the input; for namespaces and dicts, with values plain or nested."""
        if share:
            fields["shared"] = fields["twin"] = ["s", 1]
        data = [dict(fields) if as_dict else SimpleNamespace(**fields)]
        out = weak.augment([weak.transformation_function(same)], data, policy=weak.ApplyAllPolicy(keep_original=False))
        got, expected = out.points[0], copy.deepcopy(data[0])
        assert type(got) is type(data[0]) and got == expected
        inside = [id(c) for v in fields.values() for c in containers(v)]
        copied = [id(c) for v in (got if as_dict else vars(got)).values() for c in containers(v)]
        assert not set(copied) & set(inside)
        assert len(set(copied)) == len(set(inside))  # two fields sharing a list still share its copy


def containers(value) -> list:
    """The lists, sets and dicts in ``value``, itself included."""
    found = [value] if isinstance(value, (list, set, dict)) else []
    items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
    return found + [c for v in items for c in containers(v)]
