"""Dev check for session 21 (month-name dates): two source trees give the same column roles and features.

On the tables of ``bench_default_model.py`` (scikit-learn's wine, breast cancer, digits, iris;
palmerpenguins; vega_datasets' seattle-weather and cars), each as loaded and after a CSV round trip
(as ``labelwise audit`` reads it: seattle-weather's ``date`` and cars' ``Year`` become ISO
strings), ``dump`` writes every table's roles, reasons and date formats (JSON) and its feature
matrix (``infer_column_roles(X).transformer(dense=True).fit_transform(X, y)``, ``.npz``);
``compare`` says whether two dumps are identical, roles and reasons to the character and matrices
to the bit.

Usage::

    PYTHONPATH=<main>/src python benchmarks/dev_month_dates_same_roles.py dump main
    PYTHONPATH=src python benchmarks/dev_month_dates_same_roles.py dump branch
    python benchmarks/dev_month_dates_same_roles.py compare main branch
    PYTHONPATH=src python benchmarks/dev_month_dates_same_roles.py time   # roles of 300,000-row date columns

``time`` prints the median of 3 calls of ``infer_column_roles`` on one 300,000-row column written
ISO, with month names, RFC 2822 and as a 3-value category (run it under each tree).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from bench_default_model import load_tables  # noqa: E402

warnings.filterwarnings("ignore")


def tables() -> dict[str, tuple[pd.DataFrame, pd.Series]]:
    """The benchmark's tables, as loaded and after a CSV round trip."""
    out = {}
    for name, (features, label) in load_tables().items():
        out[name] = (features, label)
        buffer = io.StringIO()
        features.to_csv(buffer, index=False)
        buffer.seek(0)
        out[f"{name}_csv"] = (pd.read_csv(buffer), label)
    return out


def dump(prefix: str) -> None:
    from labelwise.columns import infer_column_roles

    described, matrices = {}, {}
    for name, (features, label) in tables().items():
        roles = infer_column_roles(features)
        described[name] = {"roles": roles.roles, "reasons": roles.reasons, "date_formats": roles.date_formats}
        matrices[name] = roles.transformer(dense=True).fit_transform(features, label)
    Path(f"{prefix}.json").write_text(json.dumps(described, indent=1, sort_keys=True))
    np.savez(f"{prefix}.npz", **matrices)
    print(f"wrote {prefix}.json, {prefix}.npz ({len(described)} tables)")


def compare(first: str, second: str) -> None:
    a, b = json.loads(Path(f"{first}.json").read_text()), json.loads(Path(f"{second}.json").read_text())
    left, right = np.load(f"{first}.npz"), np.load(f"{second}.npz")
    same = True
    for name in sorted(a):
        roles_same = a[name] == b.get(name)
        matrix_same = left[name].shape == right[name].shape and left[name].tobytes() == right[name].tobytes()
        same &= roles_same and matrix_same
        print(
            f"{name:22s} roles {'same' if roles_same else 'DIFFER'}  features {left[name].shape} "
            f"{'bit-identical' if matrix_same else 'DIFFER'}"
        )
    print("all identical" if same else "DIFFERENCES FOUND")
    sys.exit(0 if same else 1)


def time_roles(n: int = 300_000) -> None:
    from labelwise.columns import infer_column_roles

    rng = np.random.default_rng(0)
    stamps = pd.Timestamp("2000-01-01") + pd.to_timedelta(rng.integers(0, 9000, n), unit="D")
    columns = {
        "iso %Y-%m-%d": stamps.strftime("%Y-%m-%d"),
        "month %d %B %Y": stamps.strftime("%d %B %Y"),
        "rfc %a, %d %b %Y %H:%M:%S": stamps.strftime("%a, %d %b %Y %H:%M:%S"),
        "categorical": rng.choice(["red", "green", "blue"], n),
    }
    for name, values in columns.items():
        frame = pd.DataFrame({"d": values})
        seconds = []
        for _ in range(3):
            start = time.perf_counter()
            role = infer_column_roles(frame).roles["d"]
            seconds.append(time.perf_counter() - start)
        print(f"{name:28s} {role:12s} median {sorted(seconds)[1]:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("dump").add_argument("prefix")
    cmp = sub.add_parser("compare")
    cmp.add_argument("first")
    cmp.add_argument("second")
    sub.add_parser("time")
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.prefix)
    elif args.command == "time":
        time_roles()
    else:
        compare(args.first, args.second)


if __name__ == "__main__":
    main()
