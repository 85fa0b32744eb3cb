"""One-coin Dawid-Skene and GLAD over more classes than a dense items x classes table holds: EM runs on the
answered (item, label) cells plus one rest term per item, and gives the dense fit's answer (labels, codes and
draws equal; posteriors, skills and priors within 1e-9); the tie rule on the implied table is the dense one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import GLAD, OneCoinDawidSkene, _sparse_rest, _sparse_votes
from labelwise.aggregate._base import TIE_RTOL, argmax_random_ties
from labelwise.aggregate._sparse_rest import (
    RestCells,
    RestPosterior,
    class_mass,
    label_probas,
    rest_argmax_random_ties,
    rest_normalize,
)
from labelwise.aggregate._sparse_votes import DenseTooLargeError
from tests.aggregate.test_majority_sparse import tables  # random small answer tables

CLOSE = 1e-9


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def dense_of(post: RestPosterior) -> np.ndarray:
    """The dense table a RestPosterior stands for."""
    cells = post.cells.toarray()
    answered = np.zeros(post.shape, dtype=bool)
    answered[np.repeat(np.arange(post.shape[0]), np.diff(post.cells.indptr)), post.cells.indices] = True
    return np.where(answered, cells, post.rest[:, None] * post.prior[None, :])


def implied_probas(est) -> np.ndarray:
    """The dense posterior a sparse fit stands for (items x classes): each item's rest (``probas_rest_``) spread
    over the classes it was not given in proportion to ``rest_prior_``."""
    prior = est.rest_prior_.to_numpy()
    cells = est.probas_sparse_
    answered = np.zeros(cells.shape, dtype=bool)
    answered[np.repeat(np.arange(cells.shape[0]), np.diff(cells.indptr)), cells.indices] = True
    free_prior = np.where(answered, 0.0, prior).sum(axis=1)
    rest = np.divide(est.probas_rest_.to_numpy(), free_prior, out=np.zeros(cells.shape[0]), where=free_prior > 0)
    return dense_of(RestPosterior(cells, rest, prior, free_prior))


@st.composite
def rest_posteriors(draw):
    """Random posteriors with many exact ties: cell values, rests and priors drawn from a few values."""
    n, k = draw(st.integers(1, 12)), draw(st.integers(2, 8))
    g = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    answered = g.random((n, k)) < draw(st.sampled_from([0.2, 0.5, 0.9]))
    answered[np.arange(n), g.integers(0, k, n)] = True  # every item has an answer
    levels = np.array([0.0, 0.05, 0.1, 0.2, 0.25, 0.4])
    prior = levels[1:][g.integers(0, 5, k)]
    rows, cols = np.nonzero(answered)
    cells = sp.csr_matrix((levels[g.integers(0, 6, rows.size)], (rows, cols)), shape=(n, k))
    cells.data = levels[g.integers(0, 6, cells.nnz)]  # explicit zeros kept (the constructor drops none here)
    rest = np.array([0.0, 0.5, 1.0, 2.0])[g.integers(0, 4, n)]
    return RestPosterior(cells, rest, prior / prior.sum(), np.zeros(n))


class TestRestTieRule:
    @settings(max_examples=250, deadline=None)
    @given(
        post=rest_posteriors(),
        seed=st.integers(0, 2**32 - 1),
        pcg=st.booleans(),
        block=st.sampled_from([1, 5, _sparse_rest.TIE_LIST_BLOCK]),
        run_gap=st.sampled_from([-1, 0, 3, _sparse_votes.RUN_GAP]),
    )
    def test_draws_the_dense_rules_codes_and_leaves_the_generator_where_it_does(
        self, post, seed, pcg, block, run_gap, monkeypatch_module
    ):
        """Ties among answered cells, among unanswered classes of equal prior, and between the two: the codes
        and the generator's next draw are argmax_random_ties' on the dense table (PCG64 skips, one cell or one
        run of close cells at a time; MT19937 draws whole rows), whether the tied cells are listed for all rows
        at once or a few at a time."""
        make = np.random.default_rng if pcg else (lambda s: np.random.Generator(np.random.MT19937(s)))
        r_dense, r_sparse = make(seed), make(seed)
        expect = argmax_random_ties(dense_of(post), r_dense)
        with monkeypatch_module.context() as patch:
            patch.setattr(_sparse_rest, "TIE_LIST_BLOCK", block)
            patch.setattr(_sparse_votes, "RUN_GAP", run_gap)
            got = rest_argmax_random_ties(post, r_sparse, rtol=TIE_RTOL)
        np.testing.assert_array_equal(got, expect)
        assert r_sparse.random() == r_dense.random()


class TestRestNormalize:
    @settings(max_examples=80, deadline=None)
    @given(post=rest_posteriors(), seed=st.integers(0, 1000))
    def test_equals_the_dense_softmax_and_its_log_normaliser(self, post, seed):
        """Answered cells get exp(base + bonus) p_k, the others exp(base) p_k, each row normalised."""
        g = np.random.default_rng(seed)
        rc = RestCells.of(post.cells)
        n, k = post.shape
        base, bonus = g.normal(0, 30, n), g.normal(0, 5, rc.cols.size)
        got, log_z = rest_normalize(rc, bonus, base, post.prior)
        log_joint = np.tile(base[:, None], (1, k)) + np.log(post.prior)
        log_joint[rc.rows, rc.cols] += bonus
        top = log_joint.max(axis=1)
        expect = np.exp(log_joint - top[:, None])
        np.testing.assert_allclose(dense_of(got), expect / expect.sum(axis=1, keepdims=True), rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(log_z, np.log(expect.sum(axis=1)) + top, rtol=1e-12)
        np.testing.assert_allclose(got.rest_mass() + np.add.reduceat(got.cells.data, rc.indptr[:-1]), 1.0, rtol=1e-12)

    def test_an_item_that_answered_nearly_all_the_prior_keeps_its_rest_exact(self):
        """The prior of the classes an item did not answer is summed directly when the total minus the answered
        ones cancels (here 1 - (0.5 + 0.5 - 1e-12) would keep 4 digits)."""
        prior = np.array([0.5, 0.5 - 1e-12, 4e-13, 6e-13])
        cells = sp.csr_matrix((np.ones(2), ([0, 0], [0, 1])), shape=(1, 4))
        rc = RestCells.of(cells)
        post, _ = rest_normalize(rc, np.array([-50.0, -50.0]), np.zeros(1), prior)
        assert post.unanswered_prior[0] == pytest.approx(1e-12, rel=1e-12)


class TestClassMass:
    @settings(max_examples=80, deadline=None)
    @given(post=rest_posteriors(), seed=st.integers(0, 1000), weighted=st.booleans())
    def test_equals_the_weighted_column_sums_of_the_dense_table(self, post, seed, weighted):
        """sum_i w_i T[i, k] over every class, answered or not."""
        w = np.random.default_rng(seed).integers(1, 5, post.shape[0]).astype(float) if weighted else None
        got = class_mass(post, RestCells.of(post.cells), w)
        expect = (np.ones(post.shape[0]) if w is None else w) @ dense_of(post)
        np.testing.assert_allclose(got, expect, rtol=1e-12, atol=1e-15)

    def test_a_class_answered_by_nearly_every_rest_is_summed_directly(self):
        """Rest mass of the items that did not answer class 0: 1e-13 of a total 1, exact, not the rounding of
        1 - (1 - 1e-13)."""
        cells = sp.csr_matrix((np.full(2, 0.5), ([0, 1], [0, 1])), shape=(2, 3))
        post = RestPosterior(cells, np.array([1.0 - 1e-13, 1e-13]), np.array([0.2, 0.3, 0.5]), np.zeros(2))
        got = class_mass(post, RestCells.of(post.cells))
        assert got[0] == pytest.approx(0.5 + 0.2 * 1e-13, rel=1e-15)
        assert got[0] - 0.5 == pytest.approx(0.2 * 1e-13, rel=1e-3)


def _fit_both(method, params, table, monkeypatch_module):
    dense = method(**params).fit(table)
    with monkeypatch_module.context() as patch:
        patch.setattr(_sparse_votes, "DENSE_BYTES_LIMIT", 0)
        sparse = method(**params).fit(table)
    return dense, sparse


def assert_same_answer(sparse, dense) -> None:
    """Labels, codes, answer counts and iterations equal; the posterior on the answered cells and the mass on
    the others within 1e-9 (the unanswered classes share each item's rest in proportion to the prior)."""
    pd.testing.assert_series_equal(sparse.labels_, dense.labels_)
    np.testing.assert_array_equal(sparse.label_codes_, dense.label_codes_)
    pd.testing.assert_series_equal(sparse.n_answers_per_item_, dense.n_answers_per_item_)
    assert (sparse.n_iter_, sparse.converged_) == (dense.n_iter_, dense.converged_)
    pd.testing.assert_series_equal(sparse.annotator_skill_, dense.annotator_skill_, atol=CLOSE, rtol=0)
    if len(dense.classes_) == 1:  # (one class is answered without a fit)
        return
    assert "probas_" not in vars(sparse)
    probas = dense.probas_.to_numpy()
    cells = sparse.probas_sparse_
    rows = np.repeat(np.arange(cells.shape[0]), np.diff(cells.indptr))
    np.testing.assert_allclose(cells.data, probas[rows, cells.indices], atol=CLOSE, rtol=0)
    unanswered = probas.sum(axis=1) - np.add.reduceat(probas[rows, cells.indices], cells.indptr[:-1])
    np.testing.assert_allclose(sparse.probas_rest_.to_numpy(), unanswered, atol=CLOSE, rtol=0)
    pd.testing.assert_index_equal(sparse.probas_rest_.index, dense.probas_.index)
    pd.testing.assert_index_equal(sparse.rest_prior_.index, dense.probas_.columns)
    np.testing.assert_allclose(implied_probas(sparse), probas, atol=CLOSE, rtol=0)  # every cell


def _renamed(table: pd.DataFrame, rename: str, order: st.DataObject) -> pd.DataFrame:
    """The table with its classes renamed (text, or codes in reverse order) and its rows permuted."""
    out = table.copy()
    if rename == "text":
        out["label"] = "c" + out["label"].astype(str)
    elif rename == "reversed":
        out["label"] = 100 - out["label"]
    rows = order.draw(st.permutations(range(len(out))))
    return out.iloc[list(rows)]


class TestFitAboveTheBudget:
    @settings(max_examples=120, deadline=None)
    @given(
        table=tables,
        seed=st.integers(0, 1000),
        method=st.sampled_from([OneCoinDawidSkene, GLAD]),
        rename=st.sampled_from(["none", "text", "reversed"]),
        order=st.data(),
        shared_generator=st.booleans(),
        uniform=st.booleans(),
    )
    def test_fit_equals_the_dense_fit(
        self, table, seed, method, rename, order, shared_generator, uniform, monkeypatch_module
    ):
        """With the budget at 0 bytes every fit is sparse and gives the dense fit's answer, whatever the class
        names and the row order: one-coin's priors and skills, GLAD's abilities and difficulties (with the
        uniform or a given class prior) within 1e-9, and the generator's next draw equal."""
        table = _renamed(table, rename, order)
        k = table["label"].nunique()
        params = {}
        if method is GLAD and not uniform and k > 1:
            params["class_prior"] = np.arange(1.0, k + 1) / (k * (k + 1) / 2)
        state = (lambda: np.random.default_rng(seed)) if shared_generator else (lambda: seed)
        dense_state, sparse_state = state(), state()
        dense = method(random_state=dense_state, **params).fit(table)
        with monkeypatch_module.context() as patch:
            patch.setattr(_sparse_votes, "DENSE_BYTES_LIMIT", 0)
            sparse = method(random_state=sparse_state, **params).fit(table)
        assert_same_answer(sparse, dense)
        if shared_generator:
            assert sparse_state.random() == dense_state.random()
        if method is GLAD:
            pd.testing.assert_series_equal(sparse.alphas_, dense.alphas_, atol=CLOSE, rtol=0)
            pd.testing.assert_series_equal(sparse.betas_, dense.betas_, atol=CLOSE, rtol=0)
        else:
            np.testing.assert_allclose(sparse.priors_.to_numpy(), dense.priors_.to_numpy(), atol=CLOSE, rtol=0)
            np.testing.assert_allclose(sparse.skills_, dense.skills_, atol=CLOSE, rtol=0)


def _adversary_table() -> pd.DataFrame:
    """Three annotators always right on items 0..59; annotators 9 and 10 always wrong there, and alone on
    items 60..119."""
    truth = np.random.default_rng(5).integers(0, 4, 60)
    rows = [(i, j, t) for i, t in enumerate(truth) for j in range(3)]
    for shift, annotator in ((1, 9), (3, 10)):
        rows += [(i, annotator, (t + shift) % 4) for i, t in enumerate(truth)]
    for shift, annotator in ((1, 9), (2, 10)):
        rows += [(i + 60, annotator, (t + shift) % 4) for i, t in enumerate(truth)]
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


@pytest.mark.parametrize(
    "method, params",
    [
        (OneCoinDawidSkene, {"max_iter": 3, "tol": 0}),
        (OneCoinDawidSkene, {}),
        (GLAD, {"random_state": 3}),
        (GLAD, {"random_state": 4, "class_prior": [0.1, 0.2, 0.3, 0.4]}),
    ],
)
def test_adversaries_put_the_label_on_a_class_nobody_gave(method, params, monkeypatch_module):
    """Annotators below chance make the classes nobody gave their items the most probable (tied where the prior
    is): the sparse fit picks and draws them as the dense fit does."""
    table = _adversary_table()
    dense, sparse = _fit_both(method, params, table, monkeypatch_module)
    given = table.groupby("item")["label"].agg(set)
    assert sum(label not in given[item] for item, label in dense.labels_.items()) >= 30  # most of items 60..119
    assert_same_answer(sparse, dense)


class TestProbasAboveTheBudget:
    @pytest.mark.parametrize("method", [OneCoinDawidSkene, GLAD])
    def test_probas_is_refused_and_the_cells_with_the_rest_sum_to_one(self, method, monkeypatch):
        """Reading probas_ names the dense table, probas_sparse_ and probas_rest_; each item's answered cells
        plus its rest hold its whole posterior."""
        monkeypatch.setattr(_sparse_votes, "DENSE_BYTES_LIMIT", 1000)
        answers = pd.DataFrame(
            {"item": np.arange(300) // 3, "annotator": np.arange(300) % 3, "label": np.arange(300) % 150}
        )
        est = method().fit(answers)
        with pytest.raises(DenseTooLargeError, match=r"100 items x 150 classes.*probas_sparse_.*probas_rest_"):
            _ = est.probas_
        assert getattr(est, "probas_", None) is None
        assert est.probas_sparse_.shape == (100, 150) and est.probas_sparse_.nnz == 300
        total = np.asarray(est.probas_sparse_.sum(axis=1)).ravel() + est.probas_rest_.to_numpy()
        np.testing.assert_allclose(total, 1.0, rtol=1e-12)
        assert (est.labels_.to_numpy() == est.classes_[est.label_codes_]).all()

    @pytest.mark.parametrize("method", [OneCoinDawidSkene, GLAD])
    def test_a_fit_below_the_budget_after_one_above_has_dense_probas_again(self, method, monkeypatch):
        """Refitting on a small table builds probas_ and drops the sparse cells and the rests."""
        answers = pd.DataFrame({"item": [0, 0, 1, 1], "annotator": [0, 1, 0, 1], "label": ["a", "b", "b", "c"]})
        est = method()
        monkeypatch.setattr(_sparse_votes, "DENSE_BYTES_LIMIT", 0)
        est.fit(answers)
        assert {"probas_sparse_", "probas_rest_", "rest_prior_"} <= set(vars(est))
        monkeypatch.setattr(_sparse_votes, "DENSE_BYTES_LIMIT", 1 << 31)
        est.fit(answers)
        assert not {"probas_sparse_", "probas_rest_", "rest_prior_"} & set(vars(est)) and est.probas_.shape == (2, 3)


@pytest.mark.parametrize("method", [OneCoinDawidSkene, GLAD])
def test_the_dense_path_is_still_refused_and_the_sparse_one_is_not(method, monkeypatch):
    """Below the byte budget a fit whose dense posterior exceeds the (patched) memory available is refused by
    name, before fitting, as on main; above the budget the same answers fit on their answered cells."""
    from labelwise import _memory
    from labelwise.errors import EstimatorError

    answers = pd.DataFrame(
        {"item": np.arange(400) // 4, "annotator": np.arange(400) % 4, "label": np.arange(400) % 200}
    )
    monkeypatch.setattr(_memory, "available_memory", lambda: 1000)
    with pytest.raises(EstimatorError, match=rf"{method.__name__} needs a 100 items x 200 classes posterior"):
        method().fit(answers)
    monkeypatch.setattr(_sparse_votes, "DENSE_BYTES_LIMIT", 1000)
    assert method().fit(answers).probas_sparse_.shape == (100, 200)


@settings(max_examples=60, deadline=None)
@given(post=rest_posteriors(), seed=st.integers(0, 1000))
def test_label_probas_reads_the_implied_table_at_each_code(post, seed):
    """A code on an answered cell reads the cell; one on a class nobody gave the item reads its share of the
    rest (``rest_mass * p_k / unanswered prior``), as the dense table holds it."""
    rc = RestCells.of(post.cells)
    full = RestPosterior(post.cells, post.rest, post.prior, _sparse_rest._unanswered_prior(rc, post.prior))
    codes = np.random.default_rng(seed).integers(0, post.shape[1], post.shape[0])
    got = label_probas(full.cells, full.rest_mass(), full.prior, codes)
    np.testing.assert_allclose(got, dense_of(full)[np.arange(post.shape[0]), codes], rtol=1e-12, atol=0)
