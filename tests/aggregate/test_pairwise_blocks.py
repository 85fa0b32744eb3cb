"""BradleyTerry and NoisyBradleyTerry fitted on a dask DataFrame (a Parquet folder's partitions,
read one by one): the in-memory fit's scores, skills and components, whatever the partitions;
errors name the partition and the row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import BradleyTerry, NoisyBradleyTerry
from labelwise.errors import AnnotationError, LabelwiseWarning, MissingColumnError

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")


def _pairs(seed: int = 0, n: int = 300, n_items: int = 25, n_ann: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    strength = rng.normal(size=n_items)
    left = rng.integers(0, n_items, n)
    right = (left + rng.integers(1, n_items, n)) % n_items
    left_won = rng.random(n) < 1 / (1 + np.exp(strength[right] - strength[left]))
    names = np.array([f"i{v:02d}" for v in range(n_items)], dtype=object)
    return pd.DataFrame(
        {
            "left": names[left],
            "right": names[right],
            "winner": np.where(left_won, names[left], names[right]),
            "annotator": [f"w{v}" for v in rng.integers(0, n_ann, n)],
        }
    )


def _assert_same(a, b) -> None:
    """Equal to the last bit (index dtypes aside: dask reads ids as Arrow strings)."""
    pd.testing.assert_series_equal(a.scores_, b.scores_, check_exact=True, check_index_type=False)
    pd.testing.assert_series_equal(a.components_, b.components_, check_exact=True, check_index_type=False)
    assert a.n_iter_ == b.n_iter_ and a.n_comparisons_ == b.n_comparisons_
    if hasattr(a, "annotator_skill_"):
        pd.testing.assert_series_equal(a.annotator_skill_, b.annotator_skill_, check_exact=True, check_index_type=False)
        pd.testing.assert_series_equal(a.annotator_bias_, b.annotator_bias_, check_exact=True, check_index_type=False)


class TestPairBlocksEqualMemory:
    @pytest.mark.parametrize("cls", [BradleyTerry, NoisyBradleyTerry])
    def test_a_dask_frame_gives_the_in_memory_fit(self, cls):
        """Scores (and the noisy model's skills and biases) are the in-memory ones."""
        pairs = _pairs()
        kwargs = {"annotator_col": "annotator"} if cls is NoisyBradleyTerry else {}
        _assert_same(cls(**kwargs).fit(pairs), cls(**kwargs).fit(dd.from_pandas(pairs, npartitions=4)))

    def test_components_are_found_across_partitions(self):
        """Two groups never compared with each other are two components, merged over the partitions."""
        pairs = pd.concat([_pairs(1, 60, 5), _pairs(2, 60, 5).replace(r"^i", "j", regex=True)], ignore_index=True)
        with pytest.warns(LabelwiseWarning, match="2 separate groups"):
            blocks = BradleyTerry().fit(dd.from_pandas(pairs, npartitions=5))
        with pytest.warns(LabelwiseWarning, match="2 separate groups"):
            memory = BradleyTerry().fit(pairs)
        assert blocks.n_components_ == 2
        _assert_same(memory, blocks)

    @settings(max_examples=15, deadline=None)
    @given(st.integers(0, 2**31), st.integers(1, 9), st.integers(1, 80))
    def test_any_partition_count_gives_the_same_scores(self, seed, k, n):
        """Scores and components are exactly the in-memory ones for any number of partitions."""
        pairs = _pairs(seed, n, n_items=6)
        _assert_same(BradleyTerry().fit(pairs), BradleyTerry().fit(dd.from_pandas(pairs, npartitions=k)))


class TestPairBlockErrors:
    def test_a_bad_winner_names_the_partition_and_row(self):
        """A winner that is neither item is the in-memory error with the partition named."""
        pairs = _pairs()
        pairs.loc[len(pairs) - 1, "winner"] = "nobody"
        with pytest.raises(
            AnnotationError, match=r"^winner_col 'winner' must be the left or the right.*row 99 .*partition 2"
        ):
            BradleyTerry().fit(dd.from_pandas(pairs, npartitions=3))

    def test_a_missing_column_is_named(self):
        """A winner column the frame lacks is refused naming winner_col."""
        with pytest.raises(MissingColumnError, match="winner_col 'won' is not a column of pairs"):
            BradleyTerry(winner_col="won").fit(dd.from_pandas(_pairs(), npartitions=2))

    def test_no_comparison_at_all_is_refused(self):
        """Partitions without rows: at least one comparison is needed."""
        with pytest.raises(AnnotationError, match="at least one comparison"):
            BradleyTerry().fit(dd.from_pandas(_pairs().iloc[:0], npartitions=1))
