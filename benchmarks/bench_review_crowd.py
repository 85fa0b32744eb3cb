"""Time the review of a large ``labelwise aggregate`` folder: opening it (units and answers), a page of
cards, and the export of its corrected labels.csv.

A simulated crowd (5 classes, 50 annotators, 3 answers per item, 75% correct) is aggregated with the
default method, then ``create_app`` opens the folder, one page of 24 cards is served, one relabel is
recorded and ``export_cleaned`` writes the table. No peer reviews an aggregation, so there is no ratio.

Usage: ``python benchmarks/bench_review_crowd.py --items 20000 200000``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from _machine import machine_line  # noqa: E402


def crowd(n: int, folder: Path) -> Path:
    """Write a simulated crowd's answers for ``n`` items and aggregate them; the aggregation folder."""
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 5, n)
    who = rng.integers(0, 50, (n, 3))
    label = np.where(rng.random((n, 3)) < 0.75, truth[:, None], rng.integers(0, 5, (n, 3)))
    answers = pd.DataFrame(
        {"item": np.repeat(np.arange(n), 3), "annotator": [f"w{a:02d}" for a in who.ravel()], "label": label.ravel()}
    )
    answers.to_csv(folder / "answers.csv", index=False)
    from labelwise.cli import main as cli

    try:
        cli(["aggregate", str(folder / "answers.csv"), "--out", str(folder / "agg"), "--quiet"], standalone_mode=False)
    except SystemExit as stop:  # the command's own exit status
        if stop.code:
            raise
    return folder / "agg"


def measure(n: int) -> str:
    """One line: the seconds to open the folder, serve a page and export, for ``n`` items."""
    from starlette.testclient import TestClient

    from labelwise.review import DecisionStore, create_app, export_cleaned

    with tempfile.TemporaryDirectory() as tmp:
        agg = crowd(n, Path(tmp))
        t = time.perf_counter()
        app = create_app(agg, reviewer="bench")
        opened = time.perf_counter() - t
        with TestClient(app, base_url="http://127.0.0.1") as client:
            t = time.perf_counter()
            items = client.get("/api/examples", params={"page_size": 24}).json()["items"]
            page = time.perf_counter() - t
        store = DecisionStore(agg / "review.sqlite")
        store.record(items[0]["row"], "relabel", version=0, reviewer="bench", label=items[0]["suggested"])
        t = time.perf_counter()
        export_cleaned(agg, Path(tmp) / "clean.csv")
        exported = time.perf_counter() - t
    return (
        f"items {n:,} (answers {3 * n:,}): open {opened:.2f} s, page of 24 cards {page:.2f} s, export {exported:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[20_000, 200_000])
    args = parser.parse_args()
    print(machine_line("fastapi"), flush=True)
    for n in args.items:
        print(measure(n), flush=True)


if __name__ == "__main__":
    main()
