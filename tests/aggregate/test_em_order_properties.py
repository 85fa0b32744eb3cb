"""Order and naming properties of the iterative aggregators (``labelwise.aggregate.METHODS``): the
answers' row order, the items', annotators' and classes' names, the seed and the columns' dtypes.

What holds, method by method (found by these tests, stated here once):

* Row order. Every method gives the same labels for any order of the answers. The posteriors are
  bit-identical for every method but Wawa and zero-based skill, whose weighted vote shares add
  annotator skills per (item, class) cell in the answers' order; theirs agree to ``1e-12``
  (float rounding, a few ulps) and their labels are the same (ties are found with a relative
  tolerance, ``TIE_RTOL``, so rounding never breaks one). Dawid-Skene and one-coin sum per answer
  pattern, BWA over one canonical order of the answers, MACE and GLAD too (their EM loops sum in
  the answers' order before session 30: a restart's likelihood, a line search's acceptance or the
  convergence test could then be decided by rounding).
* Items. A bijection of the item names (to names of another type, in another sorted order)
  renames the result: posteriors to ``1e-12`` (sums over items are taken in the items' sorted
  order), untied labels exactly. An exact tie is broken by a seeded draw per item position in the
  sorted items, so a tied item may get another of its tied classes. Wawa and zero-based skill
  estimate skills from tie-broken majority labels, so this holds for them only when no item's
  votes are tied.
* Annotators. A bijection of the annotator names leaves every item's posterior (to ``1e-12``) and
  label (exactly, ties included: their draws follow the items) unchanged, and renames the skills.
  MACE draws each restart's starting parameters per annotator in sorted order (and per class), so
  for MACE this holds for a renaming that keeps the sorted order only (bit for bit); another
  renaming starts its restarts elsewhere and may end in another local optimum.
* Classes. A renaming that keeps the classes' sorted order (ints to zero-padded text, text to
  ints) gives bit-identical posteriors and renamed labels. A permutation of the classes permutes
  the posteriors (to ``1e-12``) and the untied labels of the methods symmetric in the classes
  (Dawid-Skene, one-coin, GLAD, BWA, majority vote); not MACE (its draws are per class code), nor
  Wawa and zero-based skill (their inner ties are drawn per class position).
* Seed and dtypes. A refit with the same ``random_state`` is bit-identical; int64, int32 and
  categorical columns (and text items and annotators in the same sorted order) give bit-identical
  posteriors and the same labels.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from labelwise.aggregate import METHODS
from tests.aggregate._crowd import skill_crowd

#: The methods under test: every iterative method of ``METHODS``, the plain vote for reference.
#: (CrowdLab needs model probabilities and AutoAggregator only picks among these.)
NAMES = ["bwa", "dawid-skene", "glad", "mace", "majority-vote", "one-coin", "wawa", "zero-based-skill"]
#: Posteriors equal to rounding only (not bit for bit) across row orders: weighted vote shares.
ROUNDED_ROW_ORDER = {"wawa", "zero-based-skill"}
#: Skills from tie-broken majority labels: an inner tie follows item and class positions.
INNER_TIES = {"wawa", "zero-based-skill"}
#: Methods whose result is the same for any permutation of the classes (untied labels).
CLASS_SYMMETRIC = ["bwa", "dawid-skene", "glad", "majority-vote", "one-coin"]

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ATOL = 1e-12


@st.composite
def crowds(draw):
    """Answer tables of up to 15 items, 5 annotators, 4 classes (int64 columns); repeated answers
    of a pair kept (they count twice)."""
    n_items, n_ann, k = draw(st.integers(1, 15)), draw(st.integers(1, 5)), draw(st.integers(2, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    return skill_crowd(seed, n_items, n_ann, k, draw(st.integers(1, 60)))


def _table(rows: list[tuple[int, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


def _fit(name: str, table: pd.DataFrame, **kw):
    est = METHODS[name](**kw)
    if name == "mace":
        est.set_params(n_restarts=3, max_iter=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "did not converge": the properties hold at max_iter too
        return est.fit(table)


def _untied(probas: np.ndarray) -> np.ndarray:
    top = np.sort(probas, axis=1)
    if top.shape[1] == 1:
        return np.ones(len(top), dtype=bool)
    return top[:, -1] - top[:, -2] > 1e-9


def _tied_classes(probas: pd.DataFrame, item) -> set:
    row = probas.loc[item]
    return set(row.index[row >= row.max() - 1e-9])


def _votes_tied(table: pd.DataFrame) -> bool:
    """Whether some item's vote counts have two classes at the top."""
    counts = table.groupby(["item", "label"]).size().unstack(fill_value=0).to_numpy()
    top = np.sort(counts, axis=1)
    return top.shape[1] > 1 and bool((top[:, -1] == top[:, -2]).any())


def _bijection(values: np.ndarray, names: list) -> dict:
    return dict(zip(values.tolist(), names, strict=True))


@pytest.mark.parametrize("name", NAMES)
class TestRowOrder:
    @SETTINGS
    @given(table=crowds(), seed=st.integers(0, 2**16))
    # found by hypothesis: GLAD and MACE summed over the answers in their row order (an ulp apart)
    @example(table=_table([(0, 0, 0), (0, 0, 0), (0, 0, 1)]), seed=0)
    @example(table=_table([(0, 1, 0), (0, 1, 1), (0, 2, 0), (1, 2, 0), (2, 2, 1), (1, 0, 0), (0, 2, 1)]), seed=0)
    def test_the_answers_row_order_changes_no_label_and_no_posterior_bit(self, name, table, seed):
        """Shuffled answers: the same labels, skills and iteration count; the same posteriors bit
        for bit (Wawa and zero-based skill: to 1e-12, see the module docstring)."""
        a = _fit(name, table)
        b = _fit(name, table.sample(frac=1.0, random_state=seed).reset_index(drop=True))
        pd.testing.assert_series_equal(a.labels_, b.labels_)
        exact = name not in ROUNDED_ROW_ORDER
        pd.testing.assert_frame_equal(a.probas_, b.probas_, check_exact=exact, atol=ATOL, rtol=0)
        pd.testing.assert_series_equal(a.annotator_skill_, b.annotator_skill_, check_exact=exact, atol=ATOL, rtol=0)
        assert (a.n_iter_, a.converged_) == (b.n_iter_, b.converged_)


@pytest.mark.parametrize("name", NAMES)
class TestNames:
    @SETTINGS
    @given(table=crowds(), data=st.data())
    def test_renaming_items_renames_the_result(self, name, table, data):
        """Items renamed by a bijection to text in another sorted order: the posteriors are renamed
        (to 1e-12), untied labels too, a tied item gets one of its tied classes."""
        items = np.unique(table.item)
        to = _bijection(items, data.draw(st.permutations([f"i{j}" for j in range(items.size)])))
        a = _fit(name, table)
        b = _fit(name, table.assign(item=table.item.map(to)))
        back = a.probas_.rename(index=to).loc[b.probas_.index]
        if name in INNER_TIES and _votes_tied(table):
            return  # skills from tie-broken majority labels: the draws follow the items' positions
        np.testing.assert_allclose(b.probas_.to_numpy(), back.to_numpy(), rtol=0, atol=ATOL)
        labels = a.labels_.rename(index=to).loc[b.labels_.index]
        untied = _untied(back.to_numpy())
        assert (labels[untied] == b.labels_[untied]).all()
        for item in b.labels_.index[~untied]:
            assert b.labels_[item] in _tied_classes(b.probas_, item)

    @SETTINGS
    @given(table=crowds(), data=st.data())
    def test_renaming_annotators_changes_no_item_result(self, name, table, data):
        """Annotators renamed by a bijection (any sorted order; MACE: the same sorted order): every
        label is the same (ties too), every posterior to 1e-12 (MACE: bit for bit), the skills are
        renamed."""
        anns = np.unique(table.annotator)
        names = [f"a{j:02d}" for j in range(anns.size)]
        if name != "mace":
            names = data.draw(st.permutations(names))
        to = _bijection(anns, names)
        a = _fit(name, table)
        b = _fit(name, table.assign(annotator=table.annotator.map(to)))
        pd.testing.assert_series_equal(a.labels_, b.labels_)
        exact = name == "mace"
        pd.testing.assert_frame_equal(a.probas_, b.probas_, check_exact=exact, atol=ATOL, rtol=0)
        skill = a.annotator_skill_.rename(index=to).loc[b.annotator_skill_.index]
        np.testing.assert_allclose(b.annotator_skill_.to_numpy(), skill.to_numpy(), rtol=0, atol=1e-9)

    @SETTINGS
    @given(table=crowds(), to_text=st.booleans())
    def test_a_renaming_of_classes_in_their_sorted_order_changes_no_bit(self, name, table, to_text):
        """Classes as zero-padded text (the integers' sorted order), or ints shifted by 10: the same
        posteriors bit for bit, the labels renamed."""
        rename = (lambda k: f"c{k:02d}") if to_text else (lambda k: k + 10)
        a = _fit(name, table)
        b = _fit(name, table.assign(label=table.label.map(rename)))
        assert b.labels_.tolist() == [rename(k) for k in a.labels_]
        np.testing.assert_array_equal(b.probas_.to_numpy(), a.probas_.to_numpy())
        assert list(b.probas_.columns) == [rename(k) for k in a.probas_.columns]


@pytest.mark.parametrize("name", CLASS_SYMMETRIC)
@SETTINGS
@given(table=crowds(), data=st.data())
def test_permuting_the_classes_permutes_the_result(name, table, data):
    """A permutation of the class codes (the methods symmetric in the classes): the posteriors'
    columns are permuted (to 1e-12), every untied label is renamed."""
    classes = np.unique(table.label)
    perm = data.draw(st.permutations(classes.tolist()))
    to = _bijection(classes, perm)
    a = _fit(name, table)
    b = _fit(name, table.assign(label=table.label.map(to)))
    back = a.probas_.rename(columns=to)[b.probas_.columns]
    np.testing.assert_allclose(b.probas_.to_numpy(), back.to_numpy(), rtol=0, atol=ATOL)
    untied = _untied(back.to_numpy())
    assert (a.labels_.map(to)[untied] == b.labels_[untied]).all()


@pytest.mark.parametrize("name", NAMES)
class TestSeedAndDtypes:
    @SETTINGS
    @given(table=crowds(), state=st.integers(0, 2**16))
    def test_the_same_random_state_gives_the_same_bits(self, name, table, state):
        """Two fits with one ``random_state`` (an int, or two fresh Generators of one seed, which a
        fit consumes: not the int's draws): identical labels, posteriors, skills and loss history."""
        for make in (lambda: state, lambda: np.random.default_rng(state)):
            a, b = _fit(name, table, random_state=make()), _fit(name, table, random_state=make())
            pd.testing.assert_series_equal(a.labels_, b.labels_)
            pd.testing.assert_frame_equal(a.probas_, b.probas_, check_exact=True)
            pd.testing.assert_series_equal(a.annotator_skill_, b.annotator_skill_, check_exact=True)
            assert a.loss_history_ == b.loss_history_

    @SETTINGS
    @given(table=crowds(), dtype=st.sampled_from(["int32", "category", "text"]))
    def test_int32_categorical_and_text_columns_give_the_int64_result(self, name, table, dtype):
        """The columns as int32, as categoricals, or items and annotators as zero-padded text (the
        same sorted order): bit-identical posteriors and skills, the same labels."""
        if dtype == "text":
            other = table.assign(item=table.item.map("{:03d}".format), annotator=table.annotator.map("{:03d}".format))
        else:
            other = table.astype(dtype)
        a, b = _fit(name, table), _fit(name, other)
        np.testing.assert_array_equal(b.probas_.to_numpy(), a.probas_.to_numpy())
        np.testing.assert_array_equal(b.annotator_skill_.to_numpy(), a.annotator_skill_.to_numpy())
        assert b.labels_.tolist() == a.labels_.tolist()
