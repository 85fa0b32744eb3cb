"""The label model fit's vectorised steps (speedfit51) and shared steps (speed2) equal the straightforward code they
replaced, to the bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from labelwise.aggregate.priors import diagonal_confusion_prior
from labelwise.weak import LabelModel, _dependencies, _one_class_fit, as_votes, simulate_lfs
from labelwise.weak._dependencies import (
    PairTables,
    _pair_sums,
    same_vote_counts,
    shared_counts,
    shared_coverage,
    shared_from_gram,
)
from labelwise.weak._em import diagonal_pseudo_counts
from labelwise.weak._moments import Overlaps, fit_mu, indicator, weighted_gram
from labelwise.weak._one_class import one_class_functions
from labelwise.weak._posterior import outcome_patterns, voted_outcomes
from labelwise.weak._votes import Votes, _positions, kept_entries

FAST = settings(max_examples=60, deadline=None)


@st.composite
def label_matrices(draw, max_rows: int = 40, max_lfs: int = 7) -> tuple[np.ndarray, int]:
    """A label matrix (-1 = abstain) and its number of classes."""
    k = draw(st.integers(2, 5))
    n = draw(st.integers(1, max_rows))
    m = draw(st.integers(1, max_lfs))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    cover = rng.uniform(0.0, 1.0)
    return np.where(rng.random((n, m)) < cover, rng.integers(0, k, size=(n, m)), -1), k


@st.composite
def partitions(draw, max_lfs: int = 8) -> list[list[int]]:
    """Functions 0..m-1 split into groups of 1-3, the groups in the order of their first member."""
    m = draw(st.integers(1, max_lfs))
    order = draw(st.permutations(list(range(m))))
    groups, rest = [], list(order)
    while rest:
        size = draw(st.integers(1, min(3, len(rest))))
        groups.append(sorted(rest[:size]))
        rest = rest[size:]
    return sorted(groups)


def weighted_rows(votes: tuple[np.ndarray, int], seed: int) -> tuple:
    """A label matrix's rows with whole weights 1-29, a random posterior and the one-hot indicator:
    ``(matrix, K, m, weights, posterior, indicator)``."""
    matrix, k = votes
    rng = np.random.default_rng(seed)
    w = rng.integers(1, 30, len(matrix)).astype(float)
    return matrix, k, matrix.shape[1], w, rng.dirichlet(np.ones(k), len(matrix)), indicator(matrix, k)


def reference_patterns(groups: list[list[int]], k: int) -> tuple[np.ndarray, np.ndarray]:
    """The loop over groups that ``outcome_patterns`` replaced."""
    base = k + 1
    pattern_of, group_of, next_id = [], [], 0
    for g, members in enumerate(groups):
        codes = np.arange(base ** len(members))
        bits = np.zeros(len(codes), dtype=np.int64)
        for t in range(len(members)):
            bits += ((codes // base**t) % base > 0).astype(np.int64) << t
        pattern_of.append(next_id + bits)
        group_of.append(np.full(2 ** len(members), g))
        next_id += 2 ** len(members)
    return np.concatenate(pattern_of), np.concatenate(group_of)


def reference_pseudo_counts(groups, k, smoothing, accuracy, strength) -> np.ndarray:
    """The loop over groups that ``diagonal_pseudo_counts`` replaced for single functions."""
    mean = diagonal_confusion_prior(k, strength=strength, accuracy=accuracy) / max(strength, 1e-6)
    base = k + 1
    sizes = [base ** len(g) for g in groups]
    out = np.full((int(sum(sizes)), k), smoothing)
    offset = 0
    for g, size in zip(groups, sizes, strict=True):
        codes = np.arange(size)
        joint = np.ones((size, k))
        for t in range(len(g)):
            digit = (codes // base**t) % base
            joint[digit > 0] *= mean.T[digit[digit > 0] - 1]
        voted = codes > 0
        out[offset + np.flatnonzero(voted)] = strength * joint[voted]
        offset += size
    return out


class TestSameVoteCounts:
    @FAST
    @given(label_matrices(), st.booleans(), st.integers(0, 2**31 - 1), st.sampled_from([0, 1024]))
    def test_equals_the_dense_gram_block_diagonals(self, votes, whole, seed, dense_up_to):
        """The per-class agreements from the stored entries (and from the dense gram, on small grams) equal
        ``einsum("iaja->ij")`` of the dense gram, to the bit."""
        matrix, k = votes
        rng = np.random.default_rng(seed)
        w = rng.integers(1, 30, len(matrix)).astype(float) if whole else rng.random(len(matrix)) * 7
        gram = weighted_gram(indicator(matrix, k), w)
        m = matrix.shape[1]
        dense = np.einsum("iaja->ij", gram.toarray().reshape(m, k, m, k))
        saved = _dependencies.DENSE_GRAM
        _dependencies.DENSE_GRAM = dense_up_to
        try:
            assert same_vote_counts(gram, m, k).tobytes() == dense.tobytes()
        finally:
            _dependencies.DENSE_GRAM = saved


class TestKeptEntries:
    @FAST
    @given(st.integers(0, 30), st.integers(0, 6), st.integers(0, 2**31 - 1))
    def test_equals_the_boolean_gather_and_row_counts(self, n, g, seed):
        """The kept cells, row by row, and the running counts per row equal ``columns[keep]`` and ``cumsum``."""
        rng = np.random.default_rng(seed)
        columns = rng.integers(0, 100, size=(n, g))
        keep = rng.random((n, g)) < rng.uniform()
        indices, indptr = kept_entries(columns, keep)
        np.testing.assert_array_equal(indices, columns[keep])
        np.testing.assert_array_equal(indptr, np.concatenate([[0], np.cumsum(np.count_nonzero(keep, axis=1))]))

    @FAST
    @given(label_matrices(), partitions())
    def test_outcome_indicator_equals_the_full_one_without_abstain_outcomes(self, votes, groups):
        """``voted_outcomes`` still holds the full indicator's entries other than each group's all-abstain one."""
        matrix, k = votes
        m = max(j for g in groups for j in g) + 1
        matrix = np.resize(matrix, (matrix.shape[0], m))
        voted = voted_outcomes(matrix, k, groups)[0]
        base = k + 1
        full = np.zeros((matrix.shape[0], voted.lam.shape[1]))
        offset = 0
        for g in groups:
            code = sum((matrix[:, j] + 1) * base**t for t, j in enumerate(g))
            full[np.arange(len(matrix)), offset + code] = 1.0
            offset += base ** len(g)
        full[:, voted.starts] = 0.0
        np.testing.assert_array_equal(voted.lam.toarray(), full)


class TestPatterns:
    @FAST
    @given(partitions(), st.integers(2, 5))
    def test_outcome_patterns_equal_the_loop_over_groups(self, groups, k):
        """Each column's voting pattern and each pattern's group are the loop's, dtypes included."""
        got, want = outcome_patterns(groups, k), reference_patterns(groups, k)
        for a, b in zip(got, want, strict=True):
            np.testing.assert_array_equal(a, b)
            assert a.dtype == b.dtype

    @FAST
    @given(partitions(), st.integers(2, 5), st.floats(0.0, 2.0), st.none() | st.floats(0.05, 0.95), st.floats(0.5, 8))
    def test_diagonal_pseudo_counts_equal_the_loop_over_groups(self, groups, k, smoothing, accuracy, strength):
        """The diagonal prior's pseudo-counts equal the loop's, to the bit."""
        got = diagonal_pseudo_counts(groups, k, smoothing, accuracy, strength)
        assert got.tobytes() == reference_pseudo_counts(groups, k, smoothing, accuracy, strength).tobytes()


class TestPositions:
    @pytest.mark.parametrize(
        "index",
        [pd.RangeIndex(7), pd.RangeIndex(3, 40, 4), pd.RangeIndex(10, 0, -2), pd.Index([0, 1, 2, 3]), pd.Index([0, 2])],
    )
    def test_integer_positions_equal_get_indexer(self, index):
        """Integer values map to the positions ``get_indexer`` gives (-1 where absent), on ranges and classes alike."""
        values = pd.Series(np.arange(-3, 45), dtype=np.int64)
        np.testing.assert_array_equal(_positions(index, values), index.get_indexer(values))


class TestMomentFit:
    @FAST
    @given(label_matrices(max_lfs=5))
    def test_no_dependency_skips_the_identity_product_to_the_same_estimate(self, votes):
        """Without declared dependencies the moment fit equals the one through the (identity) excluded blocks."""
        matrix, k = votes
        m = matrix.shape[1]
        lam = indicator(matrix, k)
        ov = Overlaps.build(lam, m, k)
        ov_through = Overlaps.build(lam, m, k)
        ov_through.__dict__["only_self"] = False  # force the product with the identity
        p = np.full(k, 1.0 / k)
        mu0 = np.full((m * k, k), 0.3)
        a, b = fit_mu(ov, p, mu0, max_iter=20), fit_mu(ov_through, p, mu0, max_iter=20)
        assert a[0].tobytes() == b[0].tobytes() and a[1:] == b[1:]


def reference_one_class(matrix: np.ndarray) -> np.ndarray:
    """The masked minimum and maximum that ``one_class_functions`` replaced on integer votes."""
    voted = matrix != -1
    big = np.iinfo(np.int64).max
    low = np.where(voted, matrix, big).min(axis=0, initial=big)
    high = np.where(voted, matrix, -1).max(axis=0, initial=-1)
    return voted.any(axis=0) & (low == high)


def _voted(lam: sp.csr_matrix, m: int, k: int) -> sp.csr_matrix:
    return sp.csr_matrix((np.ones(lam.nnz), lam.indices // k, lam.indptr), shape=(lam.shape[0], m))


class TestOneClassShortcuts:
    @FAST
    @given(label_matrices(max_rows=30, max_lfs=6), st.sampled_from([np.int64, np.int32, np.int8]), st.booleans())
    def test_one_class_functions_equal_the_masked_min_and_max(self, votes, dtype, one_class_column):
        """Two reductions (the unsigned view's minimum) find the same one-class functions, all-abstain and
        all-one-class columns included."""
        matrix, k = votes
        matrix = matrix.astype(dtype)
        if one_class_column:
            matrix[:, 0] = np.where(matrix[:, 0] >= 0, k - 1, -1)
        np.testing.assert_array_equal(one_class_functions(matrix), reference_one_class(matrix.astype(np.int64)))

    def test_one_class_functions_of_no_rows_are_none(self):
        """Without rows no function votes, so none is one-class."""
        assert not one_class_functions(np.empty((0, 3), dtype=np.int64)).any()

    @FAST
    @given(label_matrices(), st.integers(0, 2**31 - 1), st.sampled_from([0.1, 2.0]))
    def test_shared_coverage_is_what_the_co_vote_test_reads_of_shared_counts(self, votes, seed, dense_share):
        """``shared_coverage``'s shared items equal ``shared_counts``' ``out[0]`` to the bit and its class masses
        the diagonals of ``out[1:]`` (to the bit on the sparse path, within 1e-12 on the dense one); the co-vote
        z-scores from either agree likewise."""
        matrix, k, m, w, post, lam = weighted_rows(votes, seed)
        saved = _dependencies.DENSE_SHARE
        _dependencies.DENSE_SHARE = dense_share
        try:
            full = shared_counts(lam, post, w, m)
            for gram in (None, weighted_gram(lam, w)):
                shared, mass = shared_coverage(lam, post, w, m, gram)
                assert shared.tobytes() == full[0].tobytes()
                diag = np.stack([np.diagonal(c) for c in full[1:]], axis=1)
                if dense_share > 1:  # the sparse products: the same additions in the same order
                    assert mass.tobytes() == diag.tobytes()
                np.testing.assert_allclose(mass, diag, rtol=1e-12, atol=1e-12)
            z_full = PairTables(matrix, post, w, k, full).covote_z_all()
            z_cov = PairTables(matrix, post, w, k, (shared, mass)).covote_z_all()
            np.testing.assert_allclose(z_cov, z_full, rtol=1e-9, atol=1e-9)
        finally:
            _dependencies.DENSE_SHARE = saved

    @FAST
    @given(label_matrices(), st.integers(0, 2**31 - 1))
    def test_shared_items_from_the_gram_equal_the_product_for_whole_weights(self, votes, seed):
        """With whole-number weights the gram's block sums are the product's shared items to the bit, and
        ``shared_counts`` with the gram equals it without; fractional weights are refused (``None``)."""
        matrix, k = votes
        m = matrix.shape[1]
        rng = np.random.default_rng(seed)
        w = rng.integers(1, 1000, len(matrix)).astype(float)
        lam = indicator(matrix, k)
        gram = weighted_gram(lam, w)
        got = shared_from_gram(gram, m, k, w)
        assert got is not None and got.tobytes() == _pair_sums(_voted(lam, m, k), w[:, None])[0].tobytes()
        post = rng.dirichlet(np.ones(k), len(matrix))
        assert shared_counts(lam, post, w, m, gram).tobytes() == shared_counts(lam, post, w, m).tobytes()
        assert shared_from_gram(gram, m, k, w + 0.5) is None


class TestDenseVotedTable:
    """The clique search's pair sums on dense votes read the vote rows' 0/1 table, not the sparse table made
    dense (speed3)."""

    @FAST
    @given(label_matrices(), st.integers(0, 2**31 - 1), st.sampled_from([0.1, 2.0]), st.sampled_from([16, 1 << 20]))
    def test_shared_counts_from_the_vote_rows_equal_them_from_the_indicator(self, votes, seed, dense_share, cells):
        """``shared_counts(..., matrix)`` equals ``shared_counts(...)`` to the bit, on the dense products (one
        block or several) and the sparse ones (where the rows are not read), with and without the gram."""
        matrix, k, m, w, post, lam = weighted_rows(votes, seed)
        saved = _dependencies.DENSE_SHARE, _dependencies.BLOCK_CELLS
        _dependencies.DENSE_SHARE, _dependencies.BLOCK_CELLS = dense_share, cells
        try:
            for gram in (None, weighted_gram(lam, w)):
                got = shared_counts(lam, post, w, m, gram, matrix)
                assert got.tobytes() == shared_counts(lam, post, w, m, gram).tobytes()
        finally:
            _dependencies.DENSE_SHARE, _dependencies.BLOCK_CELLS = saved


class TestVotedOutcomesFromTheIndicator:
    """EM's first outcome table (every function its own group) read off the moment fit's one-hot indicator
    (speed3)."""

    @FAST
    @given(label_matrices(), partitions())
    def test_voted_outcomes_with_the_indicator_equal_them_from_the_matrix(self, votes, groups):
        """With every function alone, in order, the table from the indicator has the same indices, row pointers,
        index types, values, baselines and outcome counts as the one from the matrix; other groups ignore it."""
        matrix, k = votes
        m = matrix.shape[1]
        groups = [g for g in groups if max(g) < m] or [[j] for j in range(m)]
        assume(sorted(j for g in groups for j in g) == list(range(m)))
        for grouping in (groups, [[j] for j in range(m)]):
            got, got_n = voted_outcomes(matrix, k, grouping, indicator(matrix, k))
            want, want_n = voted_outcomes(matrix, k, grouping)
            for name in ("indices", "indptr", "data"):
                a, b = getattr(got.lam, name), getattr(want.lam, name)
                assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
            assert got.lam.shape == want.lam.shape
            assert got.baseline.tobytes() == want.baseline.tobytes() and got.starts.tobytes() == want.starts.tobytes()
            assert got_n.tobytes() == want_n.tobytes()


class TestSharedSteps:
    def test_reused_outside_a_shared_context_makes_each_time(self):
        """Without :data:`SHARED` every call makes its result."""
        calls = []
        for _ in range(2):
            _one_class_fit.reused("key", lambda: calls.append(1) or len(calls))
        assert calls == [1, 1]

    def test_reused_gives_the_first_result_and_sets_its_attributes_again(self):
        """In a shared context a key's step runs once; later calls get its result (a list copied) and the
        model attributes it set then, whatever they hold now."""

        class Model:
            loss_ = 0.0

        model, calls = Model(), []

        def step():
            calls.append(1)
            model.loss_ = 1.5
            return [[0, 1], [2]]

        token = _one_class_fit.SHARED.set({})
        try:
            first = _one_class_fit.reused("cliques", step, model, ("loss_",))
            model.loss_ = 9.0
            first[0].append(7)
            again = _one_class_fit.reused("cliques", step, model, ("loss_",))
        finally:
            _one_class_fit.SHARED.reset(token)
        assert calls == [1] and again == [[0, 1], [2]] and model.loss_ == 1.5


class TestVotesMatrixKept:
    """``Votes.matrix`` built once per votes and kept compact (speed3): the same int64 array as building it
    from the long table, and never shared with the caller."""

    @staticmethod
    def rebuilt(votes: Votes) -> np.ndarray:
        """The matrix built from the long table alone (a fresh :class:`Votes` of the same fields)."""
        return Votes(votes.answers, votes.items, votes.labelers, votes.classes).matrix()

    @FAST
    @given(label_matrices(), st.sampled_from([np.int8, np.int32, np.int64, np.float64]))
    def test_votes_from_a_matrix_give_the_table_s_matrix(self, votes, dtype):
        """A matrix's codes, kept from the start, equal the matrix its long table builds, as int64."""
        matrix, _ = votes
        assume((matrix >= 0).any())
        v = as_votes(matrix.astype(dtype))
        got = v.matrix()
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, self.rebuilt(v))
        np.testing.assert_array_equal(got, matrix)

    @pytest.mark.parametrize("k", [3, 128, 129, 300])
    def test_codes_of_many_classes_are_kept_exactly(self, k):
        """The compact copy holds every code up to ``K - 1`` (one byte up to 128 classes, two beyond)."""
        rng = np.random.default_rng(k)
        matrix = rng.integers(-1, k, size=(50, 4))
        matrix[0, 0] = k - 1
        v = as_votes(matrix, classes=[f"c{j}" for j in range(k)])
        np.testing.assert_array_equal(v.matrix(), matrix)
        np.testing.assert_array_equal(v.matrix(), self.rebuilt(v))

    def test_the_kept_matrix_is_neither_the_caller_s_array_nor_the_returned_one(self):
        """Writing to the matrix given, or to one returned, leaves the votes' next matrix as it was."""
        matrix = np.array([[0, 1, -1], [1, -1, 0]])
        v = as_votes(matrix)
        matrix[0, 0] = 1
        first = v.matrix()
        first[1, 1] = 0
        np.testing.assert_array_equal(v.matrix(), [[0, 1, -1], [1, -1, 0]])

    def test_a_table_s_matrix_is_built_once_and_copied(self, monkeypatch):
        """A long table's matrix is built at the first call only; every call returns its own equal copy."""
        table = pd.DataFrame({"item": ["a", "b", "b"], "labeler": ["x", "x", "y"], "label": ["p", "q", "p"]})
        v = as_votes(table)
        built = []
        real = Votes._build_matrix
        monkeypatch.setattr(Votes, "_build_matrix", lambda self: built.append(1) or real(self))
        first, second = v.matrix(), v.matrix()
        assert len(built) == 1
        assert first is not second and first.dtype == second.dtype == np.int64
        np.testing.assert_array_equal(first, second)
        np.testing.assert_array_equal(first, self.rebuilt(v))

    @pytest.mark.parametrize("seed", [3, 8])
    def test_a_fit_on_a_matrix_equals_the_fit_on_its_long_table(self, seed):
        """LabelModel fitted on votes that kept their matrix, and on the same votes without it: equal to the bit."""
        sim = simulate_lfs(400, 8, 3, n_correlated=2, coverage=(0.2, 0.7), random_state=seed).votes
        v = as_votes(sim.matrix())
        kept = LabelModel().fit(v)
        built = LabelModel().fit(Votes(v.answers, v.items, v.labelers, v.classes))
        np.testing.assert_array_equal(kept.probas_.to_numpy(), built.probas_.to_numpy())
        np.testing.assert_array_equal(kept.mu_, built.mu_)
        assert kept.labels_.equals(built.labels_)


class TestSession52Cuts:
    """The one-class fit's cuts of session 52 (fast3) give what the code they replaced gave, to the bit."""

    @FAST
    @given(label_matrices(max_rows=60, max_lfs=6), st.integers(0, 2**31 - 1))
    def test_the_clique_search_at_an_infinite_threshold_joins_what_the_full_search_joins(self, votes, seed):
        """At threshold ``inf`` (learned pairs) the search skips its tests: the cliques of the forced pairs are those
        of the full search at a threshold no z-score reaches."""
        matrix, k, m, w, _, lam = weighted_rows(votes, seed)
        rng = np.random.default_rng(seed)
        forced = [tuple(sorted(rng.choice(m, 2, replace=False).tolist())) for _ in range(m // 2)] if m > 1 else []
        gram = weighted_gram(lam, w)
        args = (matrix, lam, w, k, gram, forced)
        fast = _dependencies.clique_search(*args, threshold=np.inf, min_shared=0, max_size=3)
        full = _dependencies.clique_search(*args, threshold=1e300, min_shared=0, max_size=3)
        assert fast == full

    @FAST
    @given(label_matrices(max_lfs=5), st.sampled_from([0.0, 0.3]), st.booleans())
    def test_the_moment_loss_and_gradient_equal_the_expression_with_its_l2_terms(self, votes, l2, dependent):
        """``_loss_grad`` without the l2 terms at ``l2 = 0`` (and with them otherwise) equals session 51's
        expression, which always added them."""
        from labelwise.weak._moments import _dot, _loss_grad

        matrix, k = votes
        m = matrix.shape[1]
        ov = Overlaps.build(indicator(matrix, k), m, k, [(0, m - 1)] if dependent and m > 1 else [])
        ov = Overlaps(ov.fitted.toarray(), ov.diag, ov.excluded, m, k)
        p = np.random.default_rng(m).dirichlet(np.ones(k))
        mu0 = np.random.default_rng(k).random((m * k, k))
        mu = np.clip(mu0 + 0.1, 0.0, 1.0)
        const = float((ov.fitted * ov.fitted).sum())
        loss, grad = _loss_grad(mu.ravel(), ov, p, mu0, l2, const)
        root = np.sqrt(p)
        q = mu * root
        oq, qq, qb = ov.fitted @ q, q.T @ q, q.reshape(m, k, k)
        gram = np.matmul(qb.transpose(0, 2, 1), qb)
        near = gram if ov.only_self else np.asarray(ov.excluded_matrix @ gram.reshape(m, k * k)).reshape(m, k, k)
        loss1 = const - 2.0 * _dot(q, oq) + _dot(qq, qq) - _dot(gram, near)
        grad_q = -4.0 * oq + 4.0 * q @ qq - 4.0 * np.matmul(qb, near).reshape(m * k, k)
        r, diff = mu @ p - ov.diag, mu - mu0
        assert loss == loss1 + float(r @ r) + l2 * _dot(diff, diff)
        assert grad.tobytes() == (grad_q * root + 2.0 * np.outer(r, p) + 2.0 * l2 * diff).ravel().tobytes()

    @FAST
    @given(label_matrices(max_rows=60), st.sampled_from([np.int8, np.int16, np.int32, np.int64]), st.integers(0, 99))
    def test_anchor_strength_counts_the_rows_naming_two_classes(self, votes, dtype, seed):
        """The items whose votes name more than one class, weighted: as the masked minimum and maximum counted them
        on int64 votes, and as the distinct classes of each row on every integer type."""
        from labelwise.weak._one_class_balance import anchor_strength

        matrix, _ = votes
        w = np.random.default_rng(seed).integers(0, 9, len(matrix)).astype(float)
        voted = matrix != -1
        lo = np.where(voted, matrix, np.iinfo(np.int64).max).min(axis=1)
        hi = np.where(voted, matrix, -1).max(axis=1)
        assert anchor_strength(matrix.astype(np.int64), w) == float(w[voted.any(axis=1) & (hi > lo)].sum())
        named = np.array([len(set(row[row >= 0].tolist())) > 1 for row in matrix], dtype=bool)
        assert anchor_strength(matrix.astype(dtype), w) == float(w[named].sum())

    @FAST
    @given(label_matrices(max_rows=60), st.integers(0, 99))
    def test_vote_share_balance_counts_each_row_s_class_votes_as_the_class_by_class_sums(self, votes, seed):
        """One bincount of the (row, vote) cells gives the balance of the per-class sums, to the bit."""
        from labelwise.weak._one_class_balance import vote_share_balance

        matrix, k = votes
        w = np.random.default_rng(seed).integers(1, 9, len(matrix)).astype(float)
        counts = np.stack([(matrix == y).sum(axis=1) for y in range(k)], axis=1).astype(np.float64)
        total = counts.sum(axis=1)
        covered = total > 0
        p = np.maximum(w[covered] @ (counts[covered] / total[covered, None]) / max(float(w[covered].sum()), 1e-6), 1e-6)
        assert vote_share_balance(matrix, w, k).tobytes() == (p / p.sum()).tobytes()
