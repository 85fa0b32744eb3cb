"""Properties of ``labelwise corrupt`` on any small CSV table: the same seed writes the same files; the
copy keeps DATA's rows in order and every cell but the flipped labels as written; the truth file says
exactly which labels changed; the flips are the API's for every seed and kind."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise.cli import main

SETTINGS = settings(max_examples=25, deadline=None)

#: Label texts: words, numbers written in several ways (read as text, so '01' and '1' stay two classes).
LABELS = ["cat", "dog", "bird", "1", "01", "2.0", "NA-free", "a b"]


@st.composite
def tables(draw):
    """A CSV text with an id column, a number column, a text column with empty cells and a label column."""
    n = draw(st.integers(6, 40))
    names = draw(st.lists(st.sampled_from(LABELS), min_size=2, max_size=4, unique=True))
    labels = draw(st.lists(st.sampled_from(names), min_size=n, max_size=n).filter(lambda ls: len(set(ls)) >= 2))
    numbers = draw(st.lists(st.sampled_from(["0.1", "1e3", "-2", "3.50", ""]), min_size=n, max_size=n))
    notes = draw(st.lists(st.sampled_from(["x", "", "a, b", "007"]), min_size=n, max_size=n))
    rows = [["id", "num", "note", "label"]] + [[f"{i:03d}", numbers[i], notes[i], labels[i]] for i in range(n)]
    return rows, labels


def _csv(rows) -> str:
    lines = []
    for row in rows:
        lines.append(",".join(f'"{c}"' if "," in c else c for c in row))
    return "\n".join(lines) + "\n"


def _corrupt(folder: Path, name: str, args: list[str]) -> dict[str, bytes]:
    out = folder / name
    result = CliRunner().invoke(
        main, ["corrupt", str(folder / "data.csv"), "--label", "label", "--id-column", "id", *args, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return {p.name.removeprefix(out.stem): p.read_bytes() for p in folder.glob(f"{out.stem}.*")}


@SETTINGS
@given(table=tables(), noise=st.sampled_from(["symmetric", "pair", "random-flips"]), seed=st.integers(0, 2**32 - 1),
       rate=st.sampled_from(["0", "0.1", "0.3"]))  # fmt: skip
def test_same_seed_same_files_and_only_flipped_labels_change(table, noise, seed, rate):
    """Two runs with one seed write identical bytes; rows stay in order; only flipped label cells differ."""
    rows, labels = table
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "data.csv").write_text(_csv(rows))
        args = ["--noise", noise, "--rate", rate, "--random-state", str(seed)]
        first = _corrupt(folder, "one.csv", args)
        second = _corrupt(folder, "two.csv", args)
        assert first.keys() == second.keys() == {".csv", ".truth.csv", ".summary.json"}
        assert first[".csv"] == second[".csv"] and first[".truth.csv"] == second[".truth.csv"]
        written = list(csv.reader((folder / "one.csv").read_text().splitlines()))
        truth = pd.read_csv(folder / "one.truth.csv", dtype=str, keep_default_na=False)
    assert len(written) == len(rows) and written[0] == rows[0]
    for before, after in zip(rows[1:], written[1:], strict=True):
        assert after[:3] == before[:3]
    assert truth["id"].tolist() == [r[0] for r in rows[1:]] and truth["true_label"].tolist() == labels
    changed = [b[3] != a[3] for b, a in zip(rows[1:], written[1:], strict=True)]
    assert changed == (truth["is_flipped"] == "True").tolist()
    assert [a[3] for a in written[1:]] == truth["label"].tolist()
    assert set(truth["label"]) <= set(labels)


@SETTINGS
@given(table=tables(), seed=st.integers(0, 2**32 - 1), rate=st.sampled_from([0.0, 0.2, 0.4]))
def test_symmetric_flips_are_flip_labels_for_every_seed(table, seed, rate):
    """--noise symmetric writes lw.noise.flip_labels(labels, noise_matrix(K, rate), seed) for any table and seed."""
    rows, labels = table
    k = len(set(labels))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "data.csv").write_text(_csv(rows))
        _corrupt(folder, "o.csv", ["--rate", str(rate), "--random-state", str(seed)])
        truth = pd.read_csv(folder / "o.truth.csv", dtype=str, keep_default_na=False)
    expected = lw.noise.flip_labels(np.array(labels, dtype=object), lw.noise.noise_matrix(k, rate), random_state=seed)
    assert truth["label"].tolist() == expected.labels.tolist()
    assert (truth["is_flipped"] == "True").sum() == expected.n_flipped
