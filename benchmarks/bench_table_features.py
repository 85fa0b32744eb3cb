"""find_data_issues on a 100k-row table with categorical columns: time, and a numeric table's output digest.

Run once per source tree (main's and the branch's), e.g.::

    PYTHONPATH=/path/to/src python benchmarks/bench_table_features.py --rows 100000

``numeric``: the table's numbers, booleans and nullable ints alone (read as they always were): the
seconds and a SHA-256 of ``issues`` and ``info``, which must be the same on both trees. ``mixed``:
the whole table. A labelwise without the table encoding (session 46) refuses it, so there the user's
own encoding is timed instead: ``pd.get_dummies`` of the string columns, then the checks on numbers
(the before); with it, ``find_data_issues(table)`` (the after), and the encoding alone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time

import numpy as np
import pandas as pd

from labelwise.checks import find_data_issues

CHECKS = ["outlier", "exact_duplicate", "near_duplicate", "null", "identifier_column"]


def table(n: int, seed: int = 0) -> pd.DataFrame:
    """Four numbers, a boolean, a nullable int with gaps, a country (20 values), a product (300 values,
    a long tail) and a few hundred repeated rows."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(n, 4)).round(3), columns=[f"x{i}" for i in range(4)])
    frame["member"] = rng.random(n) < 0.3
    visits = pd.array(rng.integers(0, 20, n), dtype="Int64")
    visits[rng.random(n) < 0.02] = pd.NA
    frame["visits"] = visits
    frame["country"] = rng.choice([f"country{i}" for i in range(20)], n)
    frame["product"] = [f"p{v}" for v in np.minimum(rng.zipf(1.5, n), 300)]
    copies = rng.choice(n, 300, replace=False)
    frame.iloc[copies[150:]] = frame.iloc[copies[:150]].to_numpy()
    return frame


def digest(found) -> str:
    """SHA-256 of the issues table's bytes and the info as JSON."""
    h = hashlib.sha256()
    h.update(pd.util.hash_pandas_object(found.issues, index=True).to_numpy().tobytes())
    h.update(json.dumps(found.info, sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    frame = table(args.rows)
    numeric = frame[["x0", "x1", "x2", "x3", "member", "visits"]]
    run = {"checks": CHECKS, "impute": True, "random_state": 0}
    found, seconds = timed(lambda: find_data_issues(numeric, **run))
    print(f"numeric: {seconds:.1f} s, digest {digest(found)}")
    try:
        from labelwise.checks._table_features import table_features
    except ImportError:  # before: the user encodes the strings
        found, seconds = timed(lambda: find_data_issues(pd.get_dummies(frame, dtype=float), **run))
        print(f"mixed (get_dummies by hand, then the checks): {seconds:.1f} s, {found.info['identifier_column']}")
        return
    _, encode = timed(lambda: table_features(frame))
    found, seconds = timed(lambda: find_data_issues(frame, **run))
    print(f"mixed (find_data_issues(table)): {seconds:.1f} s, of which the encoding {encode:.1f} s")
    print(found.info["feature_encoding"]["line"])
    print({c: int(found.issues[f"is_{c}_issue"].sum()) for c in CHECKS})


if __name__ == "__main__":
    main()
