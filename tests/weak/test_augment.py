"""weak.augment and transformation functions: Snorkel's augmentation semantics, vectorised TFs, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import InvalidParameterError
from labelwise.weak import (
    ApplyAllPolicy,
    ApplyEachPolicy,
    ApplyOnePolicy,
    AugmentRow,
    RandomPolicy,
    TransformationFunctionError,
    augment,
    labeling_function,
    preprocessor,
    transformation_function,
)


@transformation_function()
def upper(row):
    if row.num % 3 == 0:
        return None
    row.text = row.text.upper()
    return row


@transformation_function()
def bump(row):
    row.num = row.num + 100
    return row


@transformation_function(vectorized=True)
def bump_frame(df):
    return df.assign(num=df.num + 100)


@transformation_function(vectorized=True)
def upper_frame(df):
    keep = df[df.num % 3 != 0]
    return keep.assign(text=keep.text.str.upper())


def frame(n=6):
    return pd.DataFrame({"text": [f"w{i} x" for i in range(n)], "num": np.arange(n)}, index=[f"r{i}" for i in range(n)])


class TestAugment:
    def test_a_sequence_keeps_a_copy_only_where_some_tf_applied(self):
        """Row 0 (num % 3 == 0) gets no copy from `upper` alone; the original comes first."""
        out = augment([upper], frame(2), policy=ApplyAllPolicy())
        assert out.frame.index.tolist() == ["r0", "r1", "r1"]
        assert out.frame.text.tolist() == ["w0 x", "w1 x", "W1 X"]
        assert out.applied == ((), (), ("upper",)) and out.source.tolist() == [0, 1, 1]

    def test_tfs_chain_and_a_none_leaves_the_row_as_it_was(self):
        """upper then bump: row 0 is bumped only, and its copy names bump alone."""
        out = augment([upper, bump], frame(2), policy=ApplyAllPolicy(keep_original=False))
        assert out.frame.values.tolist() == [["w0 x", 100], ["W1 X", 101]]
        assert out.applied == (("bump",), ("upper", "bump"))

    def test_the_input_is_never_changed(self):
        """TFs change their own copy (a list cell too), not the user's frame."""

        @transformation_function()
        def append(row):
            row.tags.append("new")
            return row

        df = pd.DataFrame({"tags": [["a"], ["b"]]})
        out = augment([append], df, policy=ApplyAllPolicy(n_per_original=2))
        assert df.tags.tolist() == [["a"], ["b"]]
        assert out.frame.tags.tolist() == [["a"], ["a", "new"], ["a", "new"], ["b"], ["b", "new"], ["b", "new"]]

    def test_vectorized_tfs_give_the_rows_of_row_tfs(self):
        """A vectorised TF leaving rows out is a row TF returning None for them."""
        rows = augment([upper, bump], frame(), policy=ApplyEachPolicy())
        frames = augment([upper_frame, bump_frame], frame(), policy=ApplyEachPolicy())
        pd.testing.assert_frame_equal(rows.frame, frames.frame)
        assert [tuple(n.replace("_frame", "") for n in a) for a in frames.applied] == list(rows.applied)

    def test_new_fields_become_columns_and_preprocessor_fields_do_not(self):
        """A field a TF adds is a column (NaN elsewhere); a preprocessor's fields are helpers only."""

        @preprocessor()
        def words(row):
            return {"n_words": len(row.text.split())}

        @transformation_function(pre=[words])
        def count(row):
            row["count"] = row.n_words
            return row

        out = augment([count], frame(1), policy=ApplyAllPolicy())
        assert list(out.frame.columns) == ["text", "num", "count"]
        assert np.isnan(out.frame["count"].iloc[0]) and out.frame["count"].iloc[1] == 2

    def test_resources_are_passed_to_every_call(self):
        """resources= is the TF's keyword arguments."""

        @transformation_function(resources={"add": 7})
        def plus(row, add):
            row.num += add
            return row

        assert augment([plus], frame(2), policy=ApplyAllPolicy(keep_original=False)).frame.num.tolist() == [7, 8]

    def test_to_frame_names_the_source_row_and_the_tfs(self):
        """One column names the source row's label, another the TFs joined by '+'."""
        out = augment([upper, bump], frame(2), policy=ApplyAllPolicy()).to_frame()
        assert out.source_row.tolist() == ["r0", "r0", "r1", "r1"]
        assert out.tfs.tolist() == ["", "bump", "", "upper+bump"]
        with pytest.raises(InvalidParameterError, match="source_column must be a new column name"):
            augment([upper], frame(2), policy=ApplyAllPolicy()).to_frame(source_column="text")

    def test_a_tf_called_directly_returns_a_changed_copy(self):
        """Calling a TF on a dict gives an AugmentRow; the dict is not changed."""
        row = {"text": "a", "num": 1}
        got = upper(row)
        assert isinstance(got, AugmentRow) and got == {"text": "A", "num": 1} and row["text"] == "a"
        assert upper({"text": "a", "num": 3}) is None
        assert bump_frame(frame(2)).num.tolist() == [100, 101]


class TestAugmentErrors:
    def test_a_raising_tf_is_named_with_the_source_row(self):
        """The error names the function and the row's label."""

        @transformation_function()
        def bad(row):
            if row.num == 4:
                raise KeyError("boom")
            return row

        with pytest.raises(TransformationFunctionError, match=r"'bad' raised KeyError: 'boom' on row 'r4'") as info:
            augment([bad], frame(), policy=ApplyAllPolicy())
        assert info.value.row == "r4" and info.value.position == 4

    def test_a_raising_vectorized_tf_is_named_with_the_first_row_it_raises_on(self):
        """The row is found by bisection, and named by its label, not the copy's number."""

        @transformation_function(vectorized=True)
        def bad(df):
            if (df.num == 3).any():
                raise ValueError("three")
            return df

        with pytest.raises(
            TransformationFunctionError, match=r"'bad' \(vectorized\) raised ValueError: three on row 'r3'"
        ):
            augment([bad], frame(), policy=ApplyAllPolicy())

    def test_a_tf_returning_a_non_row_is_refused(self):
        """A TF must return the row (a dict, a Series, a named tuple) or None."""
        with pytest.raises(TransformationFunctionError, match=r"'five' returned int 5 on row 'r0', expected the"):
            augment([transformation_function(lambda row: 5, name="five")], frame(), policy=ApplyAllPolicy())

    def test_a_vectorized_tf_returning_foreign_rows_is_refused(self):
        """Its index must be a subset of the frame's."""
        shifted = transformation_function(lambda df: df.set_axis(df.index + 100), name="shift", vectorized=True)
        with pytest.raises(TransformationFunctionError, match="its index a subset"):
            augment([shifted], frame(), policy=ApplyAllPolicy())
        listed = transformation_function(lambda df: [1], name="listed", vectorized=True)
        with pytest.raises(TransformationFunctionError, match="must return a DataFrame of the rows it transformed"):
            augment([listed], frame(), policy=ApplyAllPolicy())

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"tfs": []}, "tfs must be a non-empty list of transformation functions"),
            ({"tfs": [upper, upper]}, "tfs must list each transformation function once"),
            ({"policy": "random"}, "policy must be an augmentation policy"),
            ({"policy": ApplyAllPolicy(5)}, r"made for n_tfs=5 transformation functions, but tfs has 2"),
            ({"policy": ApplyOnePolicy()}, "ApplyOnePolicy applies one transformation function, but tfs has 2"),
            ({"df": {"a": [1, 2]}}, "df must be a pandas or dask DataFrame or a list of data points, got dict"),
            (
                {"df": [{"num": 1}, 2]},
                r"df must hold data points of one type \(the first, df\[0\], is a dict\), got a int at df\[1\]",
            ),
            ({"df": frame().iloc[:0]}, "df must have at least one row"),
            ({"df": pd.DataFrame([[1, 2]], columns=["a", "a"])}, "df must have distinct column names, got 'a'"),
            ({"verbose": "yes"}, "verbose must be True, False or None"),
        ],
    )
    def test_bad_arguments_are_named(self, kwargs, message):
        """Each argument's error names it, the expectation and what was given."""
        args = {"tfs": [upper, bump], "df": frame(), "policy": ApplyAllPolicy(), "verbose": False, **kwargs}
        with pytest.raises(InvalidParameterError, match=message):
            augment(args.pop("tfs"), args.pop("df"), **args)

    def test_a_labeling_function_is_not_a_tf(self):
        """Passing a labeling function by mistake is named."""
        lf = labeling_function(lambda row: 1, name="lf")
        with pytest.raises(
            InvalidParameterError, match=r"tfs\[0\] must be a transformation function, got the labeling"
        ):
            augment([lf], frame(), policy=ApplyAllPolicy())

    def test_the_decorator_checks_its_options(self):
        """name, vectorized, pre and resources are checked when the TF is made."""
        with pytest.raises(InvalidParameterError, match="vectorized must be True or False"):
            transformation_function(vectorized="yes")
        with pytest.raises(InvalidParameterError, match="pre must be a list of preprocessors"):
            transformation_function(pre="lower")
        with pytest.raises(InvalidParameterError, match="it has no parameter 'vocab'"):
            transformation_function(lambda row: row, resources={"vocab": 1})


def test_random_policy_draws_are_reproducible():
    """The same int random_state gives the same table twice."""
    policy = RandomPolicy(sequence_length=2, n_per_original=3, random_state=5)
    first = augment([upper, bump], frame(), policy=policy)
    pd.testing.assert_frame_equal(first.frame, augment([upper, bump], frame(), policy=policy).frame)


def test_the_size_check_reads_the_memory_available_now_not_free_pages(tmp_path, monkeypatch):
    """The copies are refused against MemAvailable (memguard50's reader), not MemFree: a machine whose page cache
    fills its memory has little free but much available, and one with 1 kB available refuses even a small table."""
    import labelwise._memory as memory

    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:  1048576 kB\nMemFree:   1048000 kB\nMemAvailable:    1 kB\n")
    monkeypatch.setattr(memory, "MEMINFO", str(meminfo))
    rows = frame(200)  # 200 rows x (1 + 2 + 1) cells x 8 bytes: 6.4 kB of copies
    with pytest.raises(
        InvalidParameterError, match=r"memory available now .*; lower them, or augment the rows in parts"
    ):
        augment([upper], rows, policy=ApplyAllPolicy())
    meminfo.write_text("MemTotal:  1048576 kB\nMemFree:   1 kB\nMemAvailable:    1048000 kB\n")
    assert len(augment([upper], rows, policy=ApplyAllPolicy())) > len(rows)


def test_the_size_check_names_a_cgroup_memory_limit_that_decides(tmp_path, monkeypatch):
    """A container's limit the host's meminfo does not show refuses the copies, and the message says it is the limit."""
    import labelwise._memory as memory

    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:  1048576 kB\nMemFree:   1048000 kB\nMemAvailable:    1048000 kB\n")
    monkeypatch.setattr(memory, "MEMINFO", str(meminfo))
    monkeypatch.setattr(memory, "cgroup_memory", lambda: memory.CgroupMemory(1024, 4096))
    with pytest.raises(InvalidParameterError, match=r"cgroup memory limit"):
        augment([upper], frame(200), policy=ApplyAllPolicy())
