"""``labelwise audit --probs`` given as a table: one column per class named by its class, an optional id column."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

CLASSES = ["cat", "dog", "owl"]


@pytest.fixture()
def runner():
    return CliRunner()


@pytest.fixture()
def table(tmp_path):
    """DATA (an id column, two features, text labels) and its probabilities as an array and a frame."""
    rng = np.random.default_rng(4)
    n = 60
    labels = np.array(CLASSES)[np.arange(n) % 3]
    probs = rng.dirichlet(np.ones(3), size=n) * 0.4
    probs[np.arange(n), np.arange(n) % 3] += 0.6
    probs[[7, 8]] = probs[[8, 7]]  # two rows whose probabilities lean to another class
    data = pd.DataFrame({"id": [f"r{i:03d}" for i in range(n)], "a": rng.normal(size=n), "y": labels})
    data["b"] = rng.normal(size=n)
    data.to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "p.npy", probs)
    return pd.DataFrame(probs, columns=CLASSES), data


def _audit(runner, tmp_path, probs_file, *extra):
    out = tmp_path / f"out-{probs_file}"
    args = ["audit", str(tmp_path / "d.csv"), "--label", "y", "--probs", str(tmp_path / probs_file)]
    return runner.invoke(main, [*args, "--out", str(out), "--checks", "label", "--top", "0", *extra]), out


def _same_audit(a, b, rtol=0.0) -> None:
    """The same flags and scores (``rtol``: the probabilities as a text file wrote them)."""
    pd.testing.assert_frame_equal(pd.read_csv(a / "issues.csv"), pd.read_csv(b / "issues.csv"), rtol=max(rtol, 1e-12))
    np.testing.assert_allclose(np.load(a / "probs.npy"), np.load(b / "probs.npy"), rtol=rtol, atol=0)


class TestTables:
    def test_a_csv_with_the_classes_in_another_order_is_the_npy_audit(self, runner, tmp_path, table):
        """Columns owl, cat, dog are matched by name: the audit equals the .npy's (sorted class order)."""
        probs, _ = table
        probs[["owl", "cat", "dog"]].to_csv(tmp_path / "p.csv", index=False)
        (ran, out), (base, npy) = _audit(runner, tmp_path, "p.csv"), _audit(runner, tmp_path, "p.npy")
        assert ran.exit_code == 0 and base.exit_code == 0, ran.output + base.output
        _same_audit(out, npy)
        assert json.loads((out / "summary.json").read_text())["settings"]["probs"].endswith("p.csv")

    def test_a_parquet_with_an_id_column_in_any_row_order_is_matched_by_id(self, runner, tmp_path, table):
        """An id column DATA has too matches the rows: shuffled rows give the audit of the .npy."""
        probs, data = table
        shuffled = probs.assign(id=data["id"]).sample(frac=1.0, random_state=3)[["dog", "id", "owl", "cat"]]
        shuffled.to_parquet(tmp_path / "p.parquet", index=False)
        (ran, out), (_, npy) = _audit(runner, tmp_path, "p.parquet"), _audit(runner, tmp_path, "p.npy")
        assert ran.exit_code == 0, ran.output
        _same_audit(out, npy)

    def test_json_lines_are_read(self, runner, tmp_path, table):
        """One JSON object per row, keys named by class."""
        probs, _ = table
        probs.to_json(tmp_path / "p.jsonl", orient="records", lines=True, double_precision=15)
        (ran, out), (_, npy) = _audit(runner, tmp_path, "p.jsonl"), _audit(runner, tmp_path, "p.npy")
        assert ran.exit_code == 0, ran.output
        _same_audit(out, npy, rtol=1e-12)

    def test_classes_put_the_named_columns_in_their_order(self, runner, tmp_path, table):
        """With --classes the header must name exactly those classes; a class no row has is one of them."""
        probs, _ = table
        wide = probs * 0.9
        wide["fox"] = 0.1
        wide[["fox", "owl", "dog", "cat"]].to_csv(tmp_path / "p.csv", index=False)
        ran, out = _audit(runner, tmp_path, "p.csv", "--classes", "cat,dog,fox,owl")
        assert ran.exit_code == 0, ran.output
        kept = np.load(out / "probs.npy")
        np.testing.assert_allclose(kept[:, [0, 1, 3]], probs.to_numpy() * 0.9)
        np.testing.assert_allclose(kept[:, 2], 0.1)

    def test_integer_labels_may_have_a_column_for_a_class_no_row_has(self, runner, tmp_path, table):
        """Labels 0 and 1 with columns 2, 0, 1: class 2 has a column and no row (as evaluate reads it)."""
        probs, data = table
        data.assign(y=np.arange(len(data)) % 2).to_csv(tmp_path / "d.csv", index=False)
        probs.set_axis(["0", "1", "2"], axis=1)[["2", "0", "1"]].to_csv(tmp_path / "p.csv", index=False)
        ran, out = _audit(runner, tmp_path, "p.csv")
        assert ran.exit_code == 0, ran.output
        np.testing.assert_allclose(np.load(out / "probs.npy"), probs.to_numpy())
        assert json.loads((out / "summary.json").read_text())["classes"] == [0, 1, 2]


class TestBadTables:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (lambda p, d: p[["cat", "dog"]], r"--probs must have one column per class .* miss \['owl'\]"),
            (lambda p, d: p.assign(score=0.0), r"--probs has columns \['score'\] that are not classes of the --label"),
            (lambda p, d: p.assign(note="x"), r"--probs file .* columns \['note'\] are not numeric"),
            (
                lambda p, d: p.assign(dog=p["dog"].mask(p.index == 5)),
                r"--probs must be finite \(no NaN or inf\), row 5 \(line 7\) contains nan",
            ),
            (lambda p, d: p.assign(cat=p["cat"] + (p.index == 9) * 0.2), r"row 9 \(line 11\) sums to 1\.2"),
            (lambda p, d: p.iloc[:-1], r"--probs must have one row per row of DATA \(60\), got 59 rows"),
            (lambda p, d: p.assign(id=d["id"].replace("r004", "zz")), r"got none for 'r004' \(DATA's row 4"),
            (lambda p, d: p.assign(id=d["id"], a=0.0), r"--probs may have one id column .* \['id', 'a'\]"),
        ],
        ids=["missing-class", "extra-column", "text-column", "nan", "row-sum", "row-count", "unknown-id", "two-ids"],
    )
    def test_is_refused_naming_the_problem(self, runner, tmp_path, table, change, message):
        """Each problem of the file is one error line naming --probs and what is wrong."""
        probs, data = table
        change(probs.copy(), data).to_csv(tmp_path / "p.csv", index=False)
        ran, out = _audit(runner, tmp_path, "p.csv")
        assert ran.exit_code == 2, ran.output
        assert re.search(message, " ".join(ran.output.split())), ran.output
        assert not (out / "issues.csv").exists()
