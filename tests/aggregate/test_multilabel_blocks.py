"""MultiLabelAggregator fitted on a dask DataFrame (a Parquet folder's partitions, read one by one):
the in-memory fit's labels, probabilities and skills, whatever the partitions; errors name the
partition, the column and the row."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import MultiLabelAggregator, simulate_multilabel_crowd
from labelwise.errors import AnnotationError, MissingColumnError

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")


def _answers(seed: int = 0, n_items: int = 60) -> pd.DataFrame:
    crowd = simulate_multilabel_crowd(n_items, 5, 10, per_item=4, random_state=seed)
    return crowd.answers.assign(tags=crowd.answers["tags"].map("|".join))


def _fit(answers, method: str = "dawid-skene", **kwargs) -> MultiLabelAggregator:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MultiLabelAggregator(method, **kwargs).fit(answers)


def _assert_same(a: MultiLabelAggregator, b: MultiLabelAggregator) -> None:
    """Equal to the last bit (index dtypes aside: dask reads ids as Arrow strings)."""
    pd.testing.assert_frame_equal(a.probas_, b.probas_, check_exact=True, check_index_type=False)
    pd.testing.assert_frame_equal(a.annotator_skill_, b.annotator_skill_, check_exact=True, check_index_type=False)
    assert a.labels_.tolist() == b.labels_.tolist()
    assert a.labels_.index.tolist() == b.labels_.index.tolist()
    np.testing.assert_array_equal(a.confidence_.to_numpy(), b.confidence_.to_numpy())
    np.testing.assert_array_equal(a.n_answers_per_item_.to_numpy(), b.n_answers_per_item_.to_numpy())
    assert list(a.tags_) == list(b.tags_)
    for attr in ("n_answers_", "n_items_", "n_annotators_", "n_tags_", "n_empty_answers_", "n_duplicates_"):
        assert getattr(a, attr) == getattr(b, attr), attr
    assert a.n_duplicates_dropped_ == b.n_duplicates_dropped_


class TestBlocksEqualMemory:
    @pytest.mark.parametrize("method", ["dawid-skene", "majority-vote", "one-coin", "glad"])
    def test_a_dask_frame_gives_the_in_memory_fit(self, method):
        """Every method fits the partitions' codes as the in-memory fit fits the whole table."""
        answers = _answers()
        _assert_same(_fit(answers, method), _fit(dd.from_pandas(answers, npartitions=4), method))

    def test_duplicates_last_keeps_the_same_answers_across_partitions(self):
        """duplicates="last" keeps the last answer in row order, even when the repeats are in other partitions."""
        answers = _answers()
        answers = pd.concat([answers, answers.iloc[::7].assign(tags="t00")], ignore_index=True)
        mem = _fit(answers, duplicates="last")
        assert mem.n_duplicates_dropped_ > 0
        _assert_same(mem, _fit(dd.from_pandas(answers, npartitions=5), duplicates="last"))

    def test_an_empty_partition_changes_nothing(self):
        """A partition without rows (a Parquet part filtered empty) adds nothing."""
        answers = _answers()
        parts = [answers.iloc[:50], answers.iloc[:0], answers.iloc[50:]]
        frame = dd.from_delayed([dask.delayed(p) for p in parts], meta=answers.iloc[:0])
        _assert_same(_fit(answers), _fit(frame))

    def test_integer_ids_and_tags_are_sorted_as_in_memory(self):
        """Integer item ids and integer tags merged over partitions come out sorted, as in memory."""
        answers = pd.DataFrame(
            {"item": [9, 3, 3, 9, 5, 5], "annotator": [2, 1, 2, 1, 1, 2], "tags": ["20|3", "3", "3|20", "", "7", "7"]}
        )
        blocks = _fit(dd.from_pandas(answers, npartitions=3), "majority-vote")
        _assert_same(_fit(answers, "majority-vote"), blocks)
        assert blocks.probas_.index.tolist() == [3, 5, 9]


@st.composite
def crowds(draw):
    """Answer tables of up to 15 items, 5 annotators and 4 tags ("a|b" cells, possibly empty)."""
    n_items, n_ann, n_tags = draw(st.integers(1, 15)), draw(st.integers(1, 5)), draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = int(rng.integers(1, 60))
    item, ann = rng.integers(0, n_items, n), rng.integers(0, n_ann, n)
    chosen = rng.random((n, n_tags)) < rng.uniform(0.1, 0.7)
    chosen[0, 0] = True
    tags = ["|".join(f"t{j}" for j in np.flatnonzero(row)) for row in chosen]
    return pd.DataFrame({"item": [f"i{v}" for v in item], "annotator": [f"a{v}" for v in ann], "tags": tags})


class TestPartitionProperty:
    @settings(max_examples=15, deadline=None)
    @given(
        crowds(),
        st.integers(1, 8),
        st.sampled_from(["majority-vote", "dawid-skene", "wawa"]),
        st.sampled_from(["keep", "last"]),
    )
    def test_any_partition_count_gives_the_same_fit(self, answers, k, method, duplicates):
        """Labels, probabilities and skills are exactly the in-memory ones for any number of partitions."""
        _assert_same(
            _fit(answers, method, duplicates=duplicates),
            _fit(dd.from_pandas(answers, npartitions=k), method, duplicates=duplicates),
        )


class TestBlockErrors:
    def test_a_null_annotator_names_its_partition_column_and_row(self):
        """A null id is an AnnotationError naming the partition, the column and the row within it."""
        answers = _answers().astype({"annotator": object})
        answers.loc[len(answers) - 2, "annotator"] = None
        frame = dd.from_pandas(answers, npartitions=3)
        with pytest.raises(AnnotationError, match=r"'annotator' must not be null .*partition 2"):
            _fit(frame)

    def test_a_missing_column_is_named(self):
        """A dask frame without the tags column is refused naming tags_col."""
        frame = dd.from_pandas(_answers().drop(columns="tags"), npartitions=2)
        with pytest.raises(MissingColumnError, match=r"missing \['tags'\] \(tags_col\)"):
            _fit(frame)

    def test_no_rows_at_all_is_refused(self):
        """Partitions without any row: at least one answer is needed."""
        with pytest.raises(AnnotationError, match="at least one answer"):
            _fit(dd.from_pandas(_answers().iloc[:0], npartitions=1))

    def test_a_tag_holding_the_separator_names_the_partition(self):
        """A bad tag cell is the in-memory error, with the partition named."""
        answers = _answers().astype({"tags": object})
        answers.loc[3, "tags"] = ["a|b"]
        with dask.config.set({"dataframe.convert-string": False}):
            frame = dd.from_pandas(answers, npartitions=2)
            with pytest.raises(AnnotationError, match=r"answers column 'tags' row 3 .*tag_separator.*partition 0"):
                _fit(frame)

    def test_every_answer_empty_is_refused(self):
        """No tag chosen anywhere in any partition: the in-memory error."""
        frame = dd.from_pandas(_answers().assign(tags=""), npartitions=2)
        with pytest.raises(AnnotationError, match="at least one tag somewhere"):
            _fit(frame)
