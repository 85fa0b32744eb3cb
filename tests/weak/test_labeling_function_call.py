"""A labeling or slicing function called on one data point, as Snorkel's are (``lf(x)``)."""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from types import SimpleNamespace

import pandas as pd
import pytest

from labelwise import weak
from labelwise.errors import InvalidParameterError


@weak.preprocessor()
def lower(x):
    return {"lower": x.text.lower()}


@weak.preprocessor(memoize=True, memoize_key=lambda x: x.text)
def n_words(x):
    return {"n_words": len(x.text.split())}


@weak.labeling_function(pre=[lower, n_words], abstain=-1)
def win(x):
    return 1 if "win" in x.lower else 0 if x.n_words > 2 else -1


@weak.slicing_function(pre=[lower])
def shouting(x):
    return x.text != x.lower


@dataclass
class Point:
    text: str
    tags: list


TEXTS = ["WIN now", "a long quiet one", "hi", "Win big prizes today"]
Row = namedtuple("Row", ["text", "tags"])
KINDS = {
    "SimpleNamespace": lambda t: SimpleNamespace(text=t, tags=[t]),
    "dataclass": lambda t: Point(t, [t]),
    "dict": lambda t: {"text": t, "tags": [t]},
    "Series": lambda t: pd.Series({"text": t, "tags": [t]}),
    "namedtuple": lambda t: Row(t, [t]),
}


class TestCalledOnAPoint:
    """``lf(x)`` runs the preprocessors on the point and returns the function's answer on it."""

    @pytest.mark.parametrize("kind", sorted(KINDS))
    def test_a_call_on_each_point_gives_the_appliers_vote(self, kind):
        """On every kind of data point (Snorkel's SimpleNamespace first of all), ``lf(x)`` is the
        vote the applier gives the same row of a frame, and ``sf(x)`` its slice membership."""
        points = [KINDS[kind](t) for t in TEXTS]
        frame = pd.DataFrame({"text": TEXTS, "tags": [[t] for t in TEXTS]})
        votes = weak.apply([win], frame, classes=[0, 1], verbose=False).matrix()[:, 0]
        assert [win(p) for p in points] == [-1 if v < 0 else v for v in votes.tolist()] == [1, 0, -1, 1]
        sliced = weak.apply_slices([shouting], frame).matrix[:, 0].tolist()
        assert [shouting(p) for p in points] == sliced == [True, False, False, True]

    def test_the_point_is_not_changed(self):
        """The preprocessors' fields go to the function's row, not onto the caller's point."""
        point = SimpleNamespace(text="WIN now", tags=["a"])
        assert win(point) == 1
        assert vars(point) == {"text": "WIN now", "tags": ["a"]}


class TestNotAPoint:
    """What is not a row is an error naming the function and what it takes."""

    @pytest.mark.parametrize(
        ("value", "got"),
        [
            ("WIN now", "str 'WIN now'"),
            (3, "int 3"),
            (["WIN now"], "list ['WIN now']"),
            (pd.DataFrame({"text": ["WIN now"]}), "DataFrame"),
            (len, "builtin_function_or_method"),
        ],
        ids=["str", "int", "list", "DataFrame", "function"],
    )
    @pytest.mark.parametrize(("function", "kind"), [(win, "labeling function"), (shouting, "slicing function")])
    def test_a_value_that_is_not_a_row_is_refused(self, function, kind, value, got):
        """A string, a number, a list, a whole frame or a function: refused, saying what a row is."""
        with pytest.raises(InvalidParameterError) as info:
            function(value)
        said = str(info.value)
        assert said.startswith(
            f"{kind} {function.name!r} takes one row: a dict, a pandas Series, a named tuple or an object with "
            f"attributes (a SimpleNamespace), got {got}"
        )

    def test_a_vectorized_function_takes_a_frame(self):
        """A vectorised function with preprocessors called on one point: it takes a DataFrame."""
        length = weak.preprocessor(lambda df: {"length": df.text.str.len()}, name="length", vectorized=True)
        long = weak.labeling_function(
            lambda df: (df.length > 3).astype(int), name="long", vectorized=True, pre=[length]
        )
        assert long(pd.DataFrame({"text": ["ab", "abcde"]})).tolist() == [0, 1]
        with pytest.raises(InvalidParameterError) as info:
            long(SimpleNamespace(text="abcde"))
        assert (
            str(info.value)
            == "labeling function 'long' is vectorized: it takes a DataFrame, got SimpleNamespace namespace(text='abcde')"
        )
