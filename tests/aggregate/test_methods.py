"""Contract and invariance tests shared by every aggregation method in labelwise.aggregate.METHODS."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.aggregate import METHODS, CrowdLab, MajorityVote
from labelwise.errors import InvalidParameterError
from tests.aggregate._crowd import confusion_crowd

NAMES = sorted(METHODS)
#: Methods for two classes only: the shared tests give them binary answers (none since KOS took
#: more classes by its thresholds; the contract below runs it on three).
BINARY_ONLY: set[str] = set()


def _make(name, **kw):
    est = METHODS[name](**kw)
    if name == "mace":
        est.set_params(n_restarts=2, max_iter=20)
    return est


def _fit(est, answers):
    if "gold" in est.get_params():  # gold labels: the plain vote of every item (all annotators get a skill)
        est.set_params(gold=MajorityVote(random_state=0).fit(answers).labels_)
    if isinstance(est, CrowdLab):
        # an uninformative model: the same for any renaming or row order
        items = answers["item"].unique()
        labels = answers["label"].unique()
        p = np.full((len(items), len(labels)), 1.0 / len(labels))
        return est.fit(answers, pd.DataFrame(p, index=items, columns=labels))
    return est.fit(answers)


@st.composite
def answer_tables(draw):
    n_items = draw(st.integers(1, 12))
    n_ann = draw(st.integers(1, 4))
    k = draw(st.integers(2, 3))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n_items - 1), st.integers(0, n_ann - 1), st.integers(0, k - 1)),
            min_size=1,
            max_size=30,
        )
    )
    return pd.DataFrame(pairs, columns=["item", "annotator", "label"])


def _classes(name: str, k: int = 3) -> int:
    """``k``, or 2 for the binary-only methods."""
    return 2 if name in BINARY_ONLY else k


def _for(name: str, table: pd.DataFrame) -> pd.DataFrame:
    """The table, with labels folded to two classes for the binary-only methods."""
    return table.assign(label=table["label"] % 2) if name in BINARY_ONLY else table


def _no_ties(probas: pd.DataFrame) -> np.ndarray:
    p = np.sort(probas.to_numpy(), axis=1)
    if p.shape[1] == 1:
        return np.ones(len(p), dtype=bool)
    return p[:, -1] - p[:, -2] > 1e-6


@pytest.mark.parametrize("name", NAMES)
class TestContract:
    def test_fitted_attributes_have_the_documented_shapes(self, name):
        """labels_, probas_, annotator_skill_ and the bookkeeping attributes follow the contract."""
        k = _classes(name)
        answers, truth = confusion_crowd(60, k, seed=1)
        est = _fit(_make(name), answers)
        assert list(est.classes_) == list(range(k))
        assert est.labels_.name == "label" and est.labels_.index.name == "item"
        assert est.labels_.index.tolist() == list(range(60))
        assert list(est.probas_.columns) == list(range(k))
        np.testing.assert_allclose(est.probas_.sum(axis=1), 1.0, atol=1e-9)
        assert ((est.probas_ >= 0) & (est.probas_ <= 1)).all().all()
        assert est.annotator_skill_.between(0, 1).all()
        assert est.annotator_skill_.index.tolist() == ["a0", "a1", "a2", "a3", "a4"]
        assert (est.n_answers_per_item_ == 5).all()
        assert isinstance(est.loss_history_, list) and isinstance(est.converged_, bool)
        assert est.n_iter_ >= 0 and est.n_duplicates_ == 0
        assert (est.labels_ == truth).mean() > 0.8

    def test_skills_rank_annotators_by_true_accuracy(self, name):
        """The estimated skill orders annotators of accuracy 0.9 > 0.7 > 0.5 correctly."""
        answers, _ = confusion_crowd(200, _classes(name), (0.9, 0.7, 0.5, 0.8, 0.8), seed=2)
        skill = _fit(_make(name), answers).annotator_skill_
        assert skill["a0"] > skill["a1"] > skill["a2"]

    def test_probs_are_rejected_unless_the_method_uses_them(self, name):
        """Only crowdlab accepts model probabilities; crowdlab requires them."""
        answers, _ = confusion_crowd(10, 2, seed=3)
        est = _make(name)
        if name == "crowdlab":
            with pytest.raises(InvalidParameterError, match="probs is required"):
                est.fit(answers)
        else:
            with pytest.raises(InvalidParameterError, match="probs is only used by the 'crowdlab'"):
                est.fit(answers, probs=np.full((10, 2), 0.5))

    def test_single_class_gives_that_class(self, name):
        """When every answer is the same label, every item gets it with probability 1."""
        answers = pd.DataFrame({"item": [1, 1, 2], "annotator": ["a", "b", "a"], "label": ["y", "y", "y"]})
        if name == "crowdlab":
            est = CrowdLab().fit(answers, pd.DataFrame({"y": [1.0, 1.0]}, index=[1, 2]))
        else:
            est = _fit(_make(name), answers)
        assert est.labels_.tolist() == ["y", "y"] and (est.probas_["y"] == 1).all()

    def test_duplicates_last_changes_the_counts(self, name):
        """duplicates='last' drops the earlier of two answers by one annotator on one item."""
        answers, _ = confusion_crowd(20, 2, seed=4)
        dup = pd.concat([answers, answers.iloc[:3]], ignore_index=True)
        keep = _fit(_make(name), dup)
        last = _fit(_make(name, duplicates="last"), dup)
        assert keep.n_duplicates_ == 3 and keep.n_answers_ == len(dup)
        assert last.n_duplicates_ == 3 and last.n_duplicates_dropped_ == 3 and last.n_answers_ == len(answers)

    def test_sklearn_parameters_round_trip(self, name):
        """get_params/set_params/clone work (scikit-learn conventions)."""
        from sklearn.base import clone

        est = _make(name, random_state=5)
        assert clone(est).get_params() == est.get_params()


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=answer_tables(), seed=st.integers(0, 2**16))
def test_row_order_does_not_matter(name, table, seed):
    """Shuffling the rows of the answer table gives the same posterior and labels."""
    table = _for(name, table)
    a = _fit(_make(name), table)
    shuffled = table.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    b = _fit(_make(name), shuffled)
    pd.testing.assert_frame_equal(a.probas_, b.probas_, atol=1e-6, rtol=0)
    pd.testing.assert_series_equal(a.labels_, b.labels_)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=answer_tables())
def test_renaming_ids_and_classes_renames_the_result(name, table):
    """Renaming items, annotators and classes (order-preserving) renames the results and nothing else."""
    table = _for(name, table)
    a = _fit(_make(name), table)
    renamed = table.assign(
        item=[f"item{i:03d}" for i in table.item],
        annotator=[f"ann{j:03d}" for j in table.annotator],
        label=[f"class{k}" for k in table.label],
    )
    b = _fit(_make(name), renamed)
    assert b.labels_.tolist() == [f"class{k}" for k in a.labels_]
    np.testing.assert_allclose(a.probas_.to_numpy(), b.probas_.to_numpy(), atol=1e-9)
    np.testing.assert_allclose(a.annotator_skill_.to_numpy(), b.annotator_skill_.to_numpy(), atol=1e-9)


# Wawa, zero-based skill, CrowdLab and the soft average (through its Wawa/ZBS members) estimate
# skills from tie-broken hard labels, so a tie at that step legitimately moves the final posterior.
# MACE draws each restart's strategy parameters per class index, so reversing the class order
# changes its starting points; on a nearly flat likelihood another restart can win (hypothesis
# found one: a single item with 14 answers). Its class-order behaviour is not a property to test.
# KOS starts each binary task from draws of its own: reversing K > 2 classes turns task t into task
# K - 2 - t, started from other draws (the two-class exchange is tested in test_kos).
# The gold vote's gold here is the tie-broken plain vote (see _fit), like Wawa's skills.
NO_INNER_TIES = [
    n
    for n in NAMES
    if n not in ("wawa", "zero-based-skill", "soft-average", "crowdlab", "mace", "kos", "gold-majority-vote")
]


@pytest.mark.parametrize("name", NO_INNER_TIES)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=answer_tables())
def test_reversing_class_order_keeps_untied_labels(name, table):
    """Renaming classes so that their sorted order reverses changes no label that is not tied."""
    a = _fit(_make(name), table)
    b = _fit(_make(name), table.assign(label=[f"{9 - k}" for k in table.label]))
    mapped = pd.Series([f"{9 - k}" for k in a.labels_], index=a.labels_.index)
    untied = _no_ties(a.probas_)
    assert (mapped[untied] == b.labels_[untied]).all()


@pytest.mark.parametrize("name", NAMES)
def test_same_random_state_same_result(name):
    """Two fits with the same random_state give identical labels and posteriors."""
    answers, _ = confusion_crowd(40, _classes(name), per_item=2, seed=6)
    a = _fit(_make(name, random_state=11), answers)
    b = _fit(_make(name, random_state=11), answers)
    pd.testing.assert_series_equal(a.labels_, b.labels_)
    pd.testing.assert_frame_equal(a.probas_, b.probas_)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("param, value", [("duplicates", "first"), ("item_col", ""), ("random_state", "seed")])
def test_bad_common_parameters(name, param, value):
    """Bad shared parameters raise InvalidParameterError naming the parameter."""
    answers, _ = confusion_crowd(10, 2, seed=7)
    with pytest.raises(InvalidParameterError, match=param):
        _fit(_make(name, **{param: value}), answers)


ITERATIVE = [n for n in NAMES if "tol" in METHODS[n]().get_params()]


def test_iterative_methods_are_the_expected_ones():
    """The tol/max_iter checks below cover every EM-style method."""
    assert set(ITERATIVE) >= {"dawid-skene", "one-coin", "glad", "mace", "zero-based-skill"}


@pytest.mark.parametrize("name", ITERATIVE)
@pytest.mark.parametrize(
    "param, value",
    [
        ("tol", True),
        ("tol", -1e-3),
        ("tol", "1e-5"),
        ("tol", float("nan")),
        ("tol", float("inf")),
        ("max_iter", 0),
        ("max_iter", 2.5),
        ("max_iter", True),
    ],
)
def test_tol_and_max_iter_are_checked_the_same_everywhere(name, param, value):
    """Every iterative method rejects the same bad tol / max_iter values with an error naming them."""
    answers, _ = confusion_crowd(10, 2, seed=7)
    est = _make(name).set_params(**{param: value})
    with pytest.raises(InvalidParameterError, match=param):
        _fit(est, answers)


@pytest.mark.parametrize("name", ITERATIVE)
def test_tol_zero_and_integer_tol_are_accepted(name):
    """tol=0 (run to max_iter) and an integer tol are valid everywhere."""
    answers, _ = confusion_crowd(30, 2, per_item=3, seed=8)
    for tol in (0, 0.0, 1):
        est = _fit(_make(name).set_params(tol=tol, max_iter=3), answers)
        assert 1 <= est.n_iter_ <= (3 if name != "mace" else 4)
