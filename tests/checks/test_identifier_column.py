"""identifier_column: row ids and constant columns among the features, by the table reader's rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise._column_order import column_order, merged, roles_from_order
from labelwise.checks import CHECKS, find_data_issues
from labelwise.columns import DROPPED_ROLES, infer_column_roles, is_row_id, matrix_column_roles
from labelwise.errors import InvalidParameterError


def _features(n: int = 60, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    X[:, 1] = np.arange(100, 100 + n)  # a row id (as floats: matrices lose the dtype)
    X[:, 3] = 2.5  # constant
    return X


def test_id_and_constant_columns_are_flagged_by_index():
    found = find_data_issues(_features(), checks="identifier_column")
    info = found.info["identifier_column"]
    assert info["identifier_columns"] == [1] and info["constant_columns"] == [3]
    assert info["num_identifier_columns"] == 1
    assert set(info["columns"]) == {"1", "3"} and info["columns"]["1"].startswith("identifier")
    row = found.summary.set_index("check").loc["identifier_column"]
    assert row["n_issues"] == 2 and row["score"] == 0.0


def test_the_issue_is_about_columns_so_every_row_is_clean():
    """As in Datalab: no row is flagged and every row's score is 1."""
    found = find_data_issues(_features(), checks="identifier_column")
    assert not found.issues["is_identifier_column_issue"].any()
    assert (found.issues["identifier_column_score"] == 1.0).all()


def test_clean_features_flag_nothing_and_the_check_runs_by_default():
    X = np.random.default_rng(1).normal(size=(80, 4))
    found = find_data_issues(X, np.arange(80) % 2, k=5)
    assert "identifier_column" in found.checks_run and CHECKS["identifier_column"].default
    info = found.info["identifier_column"]
    assert info["identifier_columns"] == [] and info["constant_columns"] == [] and info["columns"] == {}
    assert found.summary.set_index("check").loc["identifier_column", "score"] == 1.0


def test_dataframe_features_are_named_in_info():
    X = _features()
    frame = pd.DataFrame(X, columns=["a", "customer_id", "b", "flag", "c"])
    info = find_data_issues(frame, checks="identifier_column").info["identifier_column"]
    assert set(info["columns"]) == {"customer_id", "flag"}
    assert info["columns"]["flag"].startswith("constant")


def test_table_roles_report_the_tables_columns_not_the_made_features():
    """With ``table_roles`` the check names the table's dropped columns, whatever the features made from it."""
    n = 40
    table = pd.DataFrame(
        {"id": np.arange(n), "day": pd.date_range("2021-01-01", periods=n).strftime("%Y-%m-%d"), "same": ["k"] * n}
    )
    roles = infer_column_roles(table)
    made = np.column_stack([np.full(n, 2021.0), np.arange(n, dtype=float)])  # the date's year and day index
    options = {"identifier_column": {"table_roles": roles}}
    info = find_data_issues(made, checks="identifier_column", check_options=options).info["identifier_column"]
    assert info["identifier_columns"] == [0] and info["constant_columns"] == [2]
    assert info["columns"] == {"id": f"identifier: {roles.reasons['id']}", "same": "constant: one value ('k')"}
    with pytest.raises(InvalidParameterError, match=r"\['table_roles'\] must be a labelwise.columns.ColumnRoles"):
        find_data_issues(made, checks="identifier_column", check_options={"identifier_column": {"table_roles": {}}})


def test_imputed_missing_values_are_counted_as_in_the_table_reader():
    """A column whose non-missing values are one value is constant after imputation; an id with a gap is not an id."""
    X = _features()
    X[5, 3] = np.nan
    X[7, 1] = np.nan
    info = find_data_issues(X, checks="identifier_column", impute=True).info["identifier_column"]
    assert info["constant_columns"] == [3] and info["identifier_columns"] == []


def test_skipped_without_features():
    found = find_data_issues(labels=np.arange(30) % 3, checks="identifier_column")
    row = found.summary.set_index("check").loc["identifier_column"]
    assert row["status"] == "skipped" and "features" in row["reason"]


def test_short_columns_are_not_ids():
    """Below IDENTIFIER_MIN_ROWS rows (as the table reader) a monotone column is a feature."""
    assert not is_row_id(np.arange(10))
    assert is_row_id(np.arange(30)[::-1]) and is_row_id(np.arange(30).astype(float))
    assert not is_row_id(np.arange(30) + 0.5) and not is_row_id(np.r_[np.arange(29), 28])


_KINDS = st.sampled_from(["ascending", "descending", "shuffled", "constant", "codes", "steps"])


def _column(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    start = int(rng.integers(-50, 50))
    return {
        "ascending": np.arange(start, start + 3 * n, 3),
        "descending": np.arange(start + n, start, -1),
        "shuffled": rng.permutation(n) + start,
        "constant": np.full(n, start),
        "codes": rng.integers(0, 5, n),
        "steps": np.sort(rng.integers(0, 5, n)),
    }[kind]


@settings(max_examples=40, deadline=None)
@given(kinds=st.lists(_KINDS, min_size=1, max_size=6), n=st.integers(20, 60), seed=st.integers(0, 10**6))
def test_matrix_rule_equals_the_table_readers_rule(kinds, n, seed):
    """On integer columns, the check's matrix rule and ``infer_column_roles`` drop the same columns."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([_column(kind, n, rng) for kind in kinds])
    roles = infer_column_roles(pd.DataFrame(X, columns=[f"c{i}" for i in range(X.shape[1])]))
    expected = {int(name[1:]): role for name, role in roles.roles.items() if role in DROPPED_ROLES}
    assert {c: role for c, (role, _) in matrix_column_roles(X).items()} == expected
    as_float = {c: role for c, (role, _) in matrix_column_roles(X.astype(float)).items()}
    assert as_float == expected


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_flagged_columns_follow_a_column_permutation(seed):
    rng = np.random.default_rng(seed)
    X = _features(seed=seed % 7)
    perm = rng.permutation(X.shape[1])
    before = matrix_column_roles(X)
    after = matrix_column_roles(X[:, perm])
    assert {int(perm[c]): r for c, r in after.items()} == before


def test_flags_the_same_id_columns_as_datalab_where_the_rules_agree():
    """An integer matrix with a monotone row id 0..n-1, codes with gaps and float-like counts:
    Datalab and labelwise flag the same identifier columns."""
    pytest.importorskip("cleanlab")
    from cleanlab import Datalab
    from cleanlab.datalab.internal.issue_manager.identifier_column import IdentifierColumnIssueManager

    rng = np.random.default_rng(3)
    n = 200
    X = np.column_stack(
        [
            rng.integers(0, 1000, n) * 7,  # spread-out codes: not a consecutive run
            np.arange(n),  # row id
            rng.integers(0, 50, n) * 2,  # even numbers: not consecutive
            np.arange(n)[::-1] + 10,  # a descending id
        ]
    ).astype(np.int64)
    y = rng.integers(0, 2, n)
    manager = IdentifierColumnIssueManager(datalab=Datalab(data={"y": y}, label_name="y", verbosity=0))
    manager.find_issues(features=X)  # not in Datalab's default registry: run its issue manager directly
    theirs = manager.info["identifier_columns"]
    ours = find_data_issues(X, y, checks="identifier_column").info["identifier_column"]["identifier_columns"]
    assert ours == list(theirs) == [1, 3]


@settings(max_examples=60, deadline=None)
@given(
    kinds=st.lists(_KINDS, min_size=1, max_size=5),
    n=st.integers(1, 60),
    cuts=st.lists(st.integers(0, 60), max_size=6),
    seed=st.integers(0, 10**6),
    as_float=st.booleans(),
)
def test_row_blocks_merged_in_order_give_the_whole_matrix_roles(kinds, n, cuts, seed, as_float):
    """The facts of row blocks (empty ones too) merged in order: the roles of the matrix held whole,
    for any cut, integer or float columns."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([_column(kind, n, rng) for kind in kinds])
    X = X.astype(float) if as_float else X
    bounds = [0, *sorted(min(c, n) for c in cuts), n]
    blocks = [column_order(X[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    assert roles_from_order(merged(blocks)) == matrix_column_roles(X)


def test_a_column_rising_within_each_block_but_restarting_is_not_an_id():
    """Each half is 0..29: every block rises, the join does not, so it is no row id."""
    X = np.r_[np.arange(30), np.arange(30)].astype(float)[:, None]
    halves = merged([column_order(X[:30]), column_order(X[30:])])
    assert roles_from_order(halves) == matrix_column_roles(X) == {}
    assert roles_from_order(
        merged([column_order(np.arange(60.0)[:30, None]), column_order(np.arange(30.0, 60)[:, None])])
    )


def test_unsigned_and_extreme_integers_are_compared_not_subtracted():
    """A uint column that falls back once is no id (np.diff would wrap it to a rise); nor are
    alternating int64 extremes (their difference overflows)."""
    assert not is_row_id(np.r_[np.arange(10, 40), 5].astype(np.uint16))
    assert is_row_id(np.arange(40, 10, -1).astype(np.uint8))
    extremes = np.array([np.iinfo(np.int64).min, np.iinfo(np.int64).max] * 15)
    assert not is_row_id(extremes)
