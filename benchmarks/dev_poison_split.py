"""Attribute the changes of ``bench_poison.py``'s make_moons table: the split versus the rest.

Runs the make_moons grid of ``bench_poison.py`` (same models, attacks, budgets, seeds) with
``robustness_curve``'s split put back to the classes' sorted codes (the split before session 16,
poison16), while the rest of the code stays as it is. Against the table of the last full run
before session 16 this shows what the tie rule of ``sanitize_labels`` and the calibration's
rounding changed; against the new full run, what the name-free split changed. An attribution run
after the benchmark, not a choice: nothing is selected on it.

Usage: ``PYTHONPATH=src python benchmarks/dev_poison_split.py [--quick]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import labelwise.poison.curve as curve

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_poison import fmt_moons, moons_table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer seeds and budgets")
    args = parser.parse_args()

    def sorted_codes(codes: np.ndarray) -> np.ndarray:
        return codes  # encode_labels' codes follow the classes' sorted order

    curve.first_appearance_codes = sorted_codes  # type: ignore[assignment]
    seeds = 2 if args.quick else 3
    print(f"### make_moons with the sorted-code split (before poison16), mean of {seeds} seeds\n")
    print(fmt_moons(moons_table(seeds, args.quick)))


if __name__ == "__main__":
    main()
