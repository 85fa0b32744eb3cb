"""preprocessor(memoize=True, memoize_key=...): Snorkel 0.10's custom memo key of a preprocessor."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import weak
from labelwise.weak import LabelingFunctionError, TransformationFunctionError


def frame() -> pd.DataFrame:
    """Repeated texts with distinct numbers and a list column (rows that are not hashable)."""
    return pd.DataFrame(
        {
            "text": ["a b", "c", "a b", "c", "d e f", "a b"],
            "num": [0, 1, 2, 3, 4, 5],
            "tags": [[1], [2], [3], [4], [5], [6]],
        },
        index=list("uvwxyz"),
    )


def counting(key=lambda x: x.text, name="words"):
    """A memoised preprocessor of the text's word count, keyed by ``key``, and the ``num`` of each row it ran on."""
    calls: list[int] = []

    @weak.preprocessor(name=name, memoize=True, memoize_key=key)
    def words(x):
        calls.append(int(x.num))
        return {"n_words": len(x.text.split())}

    return words, calls


def lfs(pre):
    """Two LFs behind ``pre``: one of its field, one of a column the key leaves out."""
    long = weak.labeling_function(lambda x: 1 if x.n_words > 1 else 0, name="long", pre=[pre])
    odd = weak.labeling_function(lambda x: 1 if x.num % 2 else 0, name="odd", pre=[pre])
    return [long, odd]


class TestPreprocessorMemoizeKey:
    """Rows (points) of one key share the preprocessor's fields, computed once for the first of them."""

    def test_one_call_per_key_and_each_row_keeps_its_other_columns(self):
        """A key of the text: the preprocessor runs on the first row of each text (rows holding a
        list included); each row keeps its own ``num`` (Snorkel hands the first row's whole point on)."""
        words, calls = counting()
        votes = weak.apply(lfs(words), frame())
        assert calls == [0, 1, 4]
        long, odd = votes.matrix().T.tolist()
        assert long == [1, 0, 1, 0, 1, 1]
        assert odd == [0, 1, 0, 1, 0, 1]
        plain = []  # the default key (the row's values) has none for a row holding a list: each computed
        default = weak.preprocessor(lambda x: plain.append(1) or {"n_words": len(x.text)}, name="n", memoize=True)
        weak.apply(lfs(default)[:1], frame())
        assert len(plain) == len(frame())

    def test_a_key_leaving_out_a_field_read_shares_the_first_rows_fields(self):
        """The key is trusted: a preprocessor reading ``num`` under a key of the text gives every row of
        a text the value of its first row, as Snorkel's cache does."""

        @weak.preprocessor(memoize=True, memoize_key=lambda x: x.text)
        def first_num(x):
            return {"seen": int(x.num)}

        lf = weak.labeling_function(lambda x: x.seen, name="seen", pre=[first_num])
        assert weak.apply([lf], frame(), classes=range(6)).matrix().ravel().tolist() == [0, 1, 0, 1, 4, 0]

    @pytest.mark.parametrize("as_points", [False, True])
    def test_the_key_sees_the_row_without_its_own_pre_fields(self, as_points):
        """Snorkel takes the key before the preprocessor's own ``pre`` runs: the key function gets the
        row's columns, not the fields of ``pre``, which the preprocessor itself does get."""
        seen_by_key, seen_by_func = [], []

        @weak.preprocessor()
        def length(x):
            return {"length": len(x["text"])}

        def key(x):
            seen_by_key.append(sorted(x._fields if hasattr(x, "_fields") else x))
            return x["text"]

        @weak.preprocessor(pre=[length], memoize=True, memoize_key=key)
        def double(x):
            seen_by_func.append(sorted(x._fields if hasattr(x, "_fields") else x))
            return {"twice": 2 * x["length"]}

        if as_points:
            tf = weak.transformation_function(lambda x: x, name="same", pre=[double])
            points = [{"text": t, "num": i} for i, t in enumerate(["ab", "c", "ab"])]
            weak.augment([tf], points, policy=weak.ApplyAllPolicy(keep_original=False))
        else:
            lf = weak.labeling_function(lambda x: x.twice, name="twice", pre=[double])
            weak.apply([lf], frame()[["text", "num"]], classes=[2, 6, 10])
        assert seen_by_key and all(s == ["num", "text"] for s in seen_by_key)
        assert seen_by_func and all(s == ["length", "num", "text"] for s in seen_by_func)
        assert len(seen_by_func) == (2 if as_points else 3)

    @pytest.mark.parametrize("as_points", [False, True])
    def test_a_key_of_none_is_one_key(self, as_points):
        """A key function returning None gives one key (None is hashable, as in Snorkel), not 'no key'."""
        words, calls = counting(key=lambda x: None)
        if as_points:
            tf = weak.transformation_function(lambda x: x, name="same", pre=[words])
            points = [SimpleNamespace(text=t, num=i) for i, t in enumerate(["a", "b c", "d"])]
            out = weak.augment([tf], points, policy=weak.ApplyAllPolicy(keep_original=False))
            assert [p.n_words for p in out.points] == [1, 1, 1]
        else:
            weak.apply(lfs(words), frame())
        assert calls == [0]

    def test_list_points_share_by_key_across_a_stream(self):
        """On a list of points the memo lasts over all batches of one augment_batches stream, and the
        later points of a key get the first one's fields while keeping their own."""
        words, calls = counting()
        tf = weak.transformation_function(lambda x: x, name="same", pre=[words])
        points = [SimpleNamespace(text=t, num=i, tags=[i]) for i, t in enumerate(frame().text)]
        batches = weak.augment_batches([tf], points, policy=weak.ApplyAllPolicy(keep_original=False), batch_size=2)
        got = [vars(p) for b in batches for p in b.points]
        assert calls == [0, 1, 4]
        assert [(p["num"], p["n_words"], p["tags"]) for p in got] == [
            (i, len(t.split()), [i]) for i, t in enumerate(frame().text)
        ]

    @pytest.mark.parametrize("keyed", [False, True])
    def test_a_tf_changing_a_shared_field_in_place_leaves_the_memo_intact(self, keyed):
        """A list field shared by the points of one key (or equal points, without a key): a TF
        appending to it in place changes its own point's list only, the first point's included."""

        key = {"memoize_key": lambda x: x.text} if keyed else {}

        @weak.preprocessor(memoize=True, **key)
        def words(x):
            return {"words": x.text.split()}

        @weak.transformation_function(pre=[words])
        def mark(x):
            x.words.append("!")
            return x

        points = [SimpleNamespace(text=t) for t in ["a b", "c", "a b", "a b"]]
        out = weak.augment([mark], points, policy=weak.ApplyAllPolicy(keep_original=False))
        assert [p.words for p in out.points] == [["a", "b", "!"], ["c", "!"], ["a", "b", "!"], ["a", "b", "!"]]

    def test_a_frame_tf_shares_its_preprocessors_fields_by_key(self):
        """A TF on a frame: its preprocessor runs once per key of the rows it transforms."""
        words, calls = counting()
        tf = weak.transformation_function(lambda x: {**x, "text": x.text * x.n_words}, name="rep", pre=[words])
        out = weak.augment([tf], frame(), policy=weak.ApplyAllPolicy(keep_original=False))
        assert calls == [0, 1, 4]
        assert out.frame.text.tolist() == ["a ba b", "c", "a ba b", "c", "d e fd e fd e f", "a ba b"]

    def test_calling_a_labeling_function_on_one_row_uses_the_key(self):
        """``lf(row)`` runs the keyed preprocessor as the applier does."""
        words, calls = counting()
        long, _ = lfs(words)
        assert long({"text": "x y", "num": 7, "tags": [1]}) == 1
        assert calls == [7]

    def test_dask_partitions_keep_one_memo_each(self):
        """On a Dask frame each partition is memoised alone: one call per key and partition."""
        dd = pytest.importorskip("dask.dataframe")
        words, calls = counting()
        df = frame().drop(columns="tags")
        votes = weak.apply(lfs(words), dd.from_pandas(df, npartitions=2, sort=False))
        expected = weak.apply(lfs(counting()[0]), df)
        np.testing.assert_array_equal(votes.matrix(), expected.matrix())
        assert sorted(calls) == [0, 1, 3, 4, 5]  # rows u v w | x y z: "a b" and "c" once in each


class TestPreprocessorMemoizeKeyErrors:
    """A bad key function: errors naming memoize_key, the preprocessor and the row or point."""

    @pytest.mark.parametrize("as_points", [False, True])
    def test_a_raising_key_is_named_with_the_preprocessor_and_row(self, as_points):
        """A key function that raises: an error naming memoize_key, the preprocessor and the row."""
        words, _ = counting(key=lambda x: x.missing)
        if as_points:
            tf = weak.transformation_function(lambda x: x, name="same", pre=[words])
            with pytest.raises(
                TransformationFunctionError,
                match="preprocessor 'words' memoize_key raised AttributeError: .* on data point 0",
            ):
                weak.augment([tf], [SimpleNamespace(text="a", num=1)], policy=weak.ApplyAllPolicy())
        else:
            with pytest.raises(
                LabelingFunctionError, match="preprocessor 'words' memoize_key raised AttributeError: .* on row 'u'"
            ) as info:
                weak.apply(lfs(words), frame())
            assert info.value.row == "u" and isinstance(info.value.__cause__, AttributeError)

    @pytest.mark.parametrize("as_points", [False, True])
    def test_an_unhashable_key_is_named_with_the_preprocessor_and_row(self, as_points):
        """A key function returning a list: an error naming the preprocessor, the value and the row."""
        words, _ = counting(key=lambda x: [x.text])
        message = r"preprocessor 'words' memoize_key returned an unhashable list \['a'\], expected a hashable key"
        if as_points:
            tf = weak.transformation_function(lambda x: x, name="same", pre=[words])
            with pytest.raises(TransformationFunctionError, match=message + ".* on data point 0"):
                weak.augment([tf], [SimpleNamespace(text="a", num=1)], policy=weak.ApplyAllPolicy())
        else:
            with pytest.raises(LabelingFunctionError, match=message + ".* on row 'u'"):
                weak.apply(lfs(words), frame().assign(text="a"))


texts = st.lists(st.sampled_from(["a", "b c", "d e f", "g"]), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None)
@given(texts=texts, order=st.randoms(use_true_random=False))
def test_a_key_holding_all_it_reads_gives_the_unmemoised_votes_in_any_row_order(texts, order):
    """Property: with a key holding all the preprocessor reads (the text), the votes equal the
    unmemoised ones, the calls are one per distinct text, and a row order changes neither."""
    df = pd.DataFrame({"text": texts, "num": range(len(texts))}, index=[f"r{i}" for i in range(len(texts))])
    shuffled = df.sample(frac=1.0, random_state=order.randrange(2**32))
    plain = weak.preprocessor(lambda x: {"n_words": len(x.text.split())}, name="words")
    expected = weak.apply(lfs(plain), df).matrix()
    for table in (df, shuffled):
        words, calls = counting()
        got = weak.apply(lfs(words), table)
        np.testing.assert_array_equal(got.matrix(), expected[df.index.get_indexer(table.index)])
        assert sorted(calls) == sorted(table.drop_duplicates("text").num.tolist())
