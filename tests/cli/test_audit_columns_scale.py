"""The column roles of ``labelwise audit`` at scale, found from statistics added up over row blocks
(``cli._audit_columns_scale``): for any split of a table into blocks they are ``infer_column_roles``' roles,
and each block made ready for the checks encodes to the in-memory audit's features."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.checks._table_features import table_features as encode
from labelwise.checks._table_stats import block_stats, merged
from labelwise.cli._audit_checks import table_features
from labelwise.cli._audit_columns_scale import column_plan, prepared
from labelwise.columns import infer_column_roles


def _table(seed: int, n: int) -> pd.DataFrame:
    """Mixed columns: a row id, numbers with gaps, categories with gaps, booleans as objects with gaps, a
    bool column, a constant, a category dtype, an all-distinct string column and date strings."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    x[rng.random(n) < 0.2] = np.nan
    colour = np.array(["red", "green", "blue", None], dtype=object)[rng.integers(0, 4, n)]
    flag = np.array([True, False, None], dtype=object)[rng.integers(0, 3, n)]
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 50, n), unit="D")
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "x": x,
            "colour": colour,
            "flag": flag,
            "on": rng.random(n) < 0.5,
            "const": 3,
            "size": pd.Categorical(np.array(["s", "m", "l"])[rng.integers(0, 3, n)]),
            "code": [f"c{i}" for i in rng.permutation(n)],
            "day": days.strftime("%Y-%m-%d"),
        }
    )


def _plan_of(frame: pd.DataFrame, cuts: list[int]):
    bounds = [0, *sorted(set(cuts)), len(frame)]
    blocks = [frame.iloc[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    return column_plan(merged([block_stats(b) for b in blocks]), frame.dtypes), blocks


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(25, 80), data=st.data())
def test_roles_and_encoded_features_equal_the_in_memory_audits_for_any_blocks(seed, n, data):
    """Roles from block statistics are infer_column_roles' for any cuts, and the blocks made ready and encoded
    are the in-memory audit's features, to the bit (NaN where a cell is missing)."""
    frame = _table(seed, n)
    cuts = data.draw(st.lists(st.integers(1, n - 1), max_size=4))
    plan, blocks = _plan_of(frame, cuts)
    assert plan.roles.roles == infer_column_roles(frame).roles
    features, roles, used = table_features(frame)
    assert plan.feature_columns() == used
    want = encode(features)
    got = encode(pd.concat([prepared(b, plan) for b in blocks]))
    assert got.names == want.names
    np.testing.assert_array_equal(got.X, want.X)


def test_strings_true_and_false_are_one_boolean_feature():
    """A column Dask's convert-string wrote as the strings 'True' / 'False' is read as booleans, one 0/1
    feature as the CSV reader makes of it in memory, not two indicators."""
    frame = _table(0, 40)
    as_strings = frame.assign(flag=frame["flag"].map({True: "True", False: "False"}).astype("string"))
    plan, blocks = _plan_of(as_strings, [13, 27])
    assert "flag" in plan.booleans and "flag" not in plan.categorical
    got = encode(pd.concat([prepared(b, plan) for b in blocks]))
    want = encode(table_features(frame)[0])
    assert got.names == want.names and "flag" in got.names
    np.testing.assert_array_equal(got.X, want.X)


def test_many_valued_and_free_text_columns_are_compared_as_written():
    """Over 50 distinct categories, or strings of 3 words and more, are not features: exact_duplicate
    compares them as written, as in memory; text in which no word repeats, and strings all distinct where
    present, are identifiers, as in memory."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=120),
            "city": [f"town{i % 60}" for i in range(120)],
            "note": [f"a short note {i % 7}" for i in range(120)],
            "code": [f"k{i}a k{i}b k{i}c" for i in range(120)],  # no word in 2 rows: an identifier
            "tag": [f"t{i}" if i % 3 else None for i in range(120)],  # distinct where present: an identifier
        }
    )
    plan, _ = _plan_of(frame, [50])
    assert plan.roles.roles == infer_column_roles(frame).roles
    assert plan.roles.roles["code"] == plan.roles.roles["tag"] == "identifier"
    assert plan.texts == ["city", "note"] and plan.feature_columns() == table_features(frame)[2]
