"""The group outcome codes gather every group's first member at once (fast53, session 53): the same int64 codes and
group sizes as session 52's column-by-column build, for any grouping and any integer type of the votes."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.weak._outcomes import _group_codes


def reference(matrix: np.ndarray, n_classes: int, groups: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Session 52's ``_group_codes``."""
    base = n_classes + 1
    sizes = np.array([base ** len(g) for g in groups], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    single = np.array([len(g) == 1 for g in groups], dtype=bool)
    if single.all() and [g[0] for g in groups] == list(range(matrix.shape[1])):
        return matrix + (offsets + 1)[None, :], sizes
    codes = np.empty((matrix.shape[0], len(groups)), dtype=np.int64)
    if single.any():
        own = np.array([g[0] for g, one in zip(groups, single, strict=True) if one], dtype=np.int64)
        codes[:, single] = matrix[:, own] + 1 + offsets[single]
    for g in np.flatnonzero(~single).tolist():
        code = np.zeros(matrix.shape[0], dtype=np.int64)
        for t, j in enumerate(groups[g]):
            code += (matrix[:, j] + 1) * base**t
        codes[:, g] = code + offsets[g]
    return codes, sizes


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    k=st.integers(1, 9),
    m=st.integers(1, 30),
    n=st.integers(0, 120),
    dtype=st.sampled_from([np.int8, np.int16, np.int32, np.int64]),
    layout=st.sampled_from(["cliques", "singles in order", "singles shuffled", "some functions left out"]),
)
def test_codes_and_sizes_are_the_column_by_column_build_s(seed, k, m, n, dtype, layout):
    """Random votes and groupings (cliques of 1-3 functions in any order, every function alone, or some functions
    in no group): the codes (int64) and the group sizes equal the reference's exactly."""
    rng = np.random.default_rng(seed)
    matrix = rng.integers(-1, k, (n, m)).astype(dtype)
    perm = rng.permutation(m).tolist()
    if layout == "singles in order":
        groups = [[j] for j in range(m)]
    elif layout == "singles shuffled":
        groups = [[j] for j in perm]
    else:
        cuts = np.cumsum(rng.integers(1, 4, m))
        groups = [perm[a:b] for a, b in zip([0, *cuts.tolist()], cuts.tolist(), strict=False) if perm[a:b]]
        if layout == "some functions left out":
            groups = groups[: max(1, len(groups) // 2)]
    codes, sizes = _group_codes(matrix, k, groups)
    ref_codes, ref_sizes = reference(matrix, k, groups)
    assert codes.dtype == np.int64 and ref_codes.dtype == np.int64
    np.testing.assert_array_equal(codes, ref_codes)
    np.testing.assert_array_equal(sizes, ref_sizes)
