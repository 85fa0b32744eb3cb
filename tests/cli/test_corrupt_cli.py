"""``labelwise corrupt`` end to end: the flips are the API's for the same seed, the files say what changed,
the table keeps DATA's format, and an audit of the output finds the flipped rows."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.datasets import load_wine

import labelwise as lw
from labelwise.cli import main
from labelwise.cli._corrupt_kinds import attack_features


def _run(*args: str):
    result = CliRunner().invoke(main, ["corrupt", *map(str, args)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture()
def wine(tmp_path):
    """The wine table (178 rows, 13 numeric features, classes 'barolo', 'grignolino', 'barbera') with an id column."""
    X, y = load_wine(return_X_y=True, as_frame=True)
    frame = X.copy()
    frame.insert(0, "id", [f"w{i:03d}" for i in range(len(frame))])
    frame["y"] = pd.Series(y).map({0: "barolo", 1: "grignolino", 2: "barbera"})
    path = tmp_path / "wine.csv"
    frame.to_csv(path, index=False)
    return path, frame


def _written(out):
    table = pd.read_csv(out, dtype={"id": str})
    truth = pd.read_csv(out.with_name(f"{out.stem}.truth{out.suffix}"), dtype={"id": str})
    summary = json.loads(out.with_name(f"{out.stem}.summary.json").read_text())
    return table, truth, summary


class TestFlipsEqualTheApi:
    @pytest.mark.parametrize(
        ("kind", "extra", "matrix_args"),
        [
            ("symmetric", [], {}),
            ("pair", [], {}),
            ("random", ["--frac-zero", "0.5"], {"frac_zero_noise_rates": 0.5}),
        ],
    )
    def test_class_conditional_kinds_flip_what_flip_labels_flips(self, wine, tmp_path, kind, extra, matrix_args):
        """--noise symmetric/pair/random writes flip_labels(y, noise_matrix(K, rate, kind), seed)'s labels."""
        path, frame = wine
        out = tmp_path / "noisy.csv"
        _run(path, "--label", "y", "--id-column", "id", "--noise", kind, "--rate", "0.3", "--random-state", 7,
             "--out", out, *extra)  # fmt: skip
        matrix = lw.noise.noise_matrix(3, 0.3, kind=kind, random_state=7, **matrix_args)
        expected = lw.noise.flip_labels(frame["y"], matrix, random_state=7)
        table, truth, summary = _written(out)
        assert table["y"].tolist() == expected.labels.tolist()
        assert truth["label"].tolist() == expected.labels.tolist()
        assert truth["true_label"].tolist() == frame["y"].tolist()
        assert truth["is_flipped"].tolist() == expected.is_flipped.tolist()
        np.testing.assert_allclose(summary["noise_matrix"], matrix)
        assert summary["n_flipped"] == expected.n_flipped and summary["rate_asked"] == 0.3

    def test_matrix_file_in_any_order_is_the_apis_matrix(self, wine, tmp_path):
        """--matrix (rows and columns named, in any order) flips as flip_labels with that matrix in class order."""
        path, frame = wine
        pd.DataFrame(
            {
                "given": ["barolo", "barbera", "grignolino"],
                "grignolino": [0.3, 0.0, 0.7],
                "barbera": [0.0, 0.9, 0.1],
                "barolo": [0.8, 0.2, 0.0],
            }  # fmt: skip
        ).to_csv(tmp_path / "m.csv", index=False)
        out = tmp_path / "noisy.csv"
        _run(path, "--label", "y", "--id-column", "id", "--matrix", tmp_path / "m.csv", "--out", out)
        # sorted classes: barbera, barolo, grignolino; [i, j] = P(given i | true j)
        matrix = np.array([[0.9, 0.2, 0.0], [0.0, 0.8, 0.3], [0.1, 0.0, 0.7]])
        expected = lw.noise.flip_labels(frame["y"], matrix, random_state=0)
        table, truth, summary = _written(out)
        assert table["y"].tolist() == expected.labels.tolist()
        assert summary["noise"] == "matrix" and summary["rate_asked"] is None
        np.testing.assert_allclose(summary["noise_matrix"], matrix)

    def test_instance_noise_with_probs_is_instance_dependent_flips(self, wine, tmp_path):
        """--noise instance --probs flips as instance_dependent_flips(y, probs, rate, seed, sharpness)."""
        path, frame = wine
        probs = np.random.default_rng(1).dirichlet(np.ones(3), size=len(frame))
        np.save(tmp_path / "probs.npy", probs)
        out = tmp_path / "noisy.csv"
        _run(path, "--label", "y", "--noise", "instance", "--probs", tmp_path / "probs.npy", "--rate", "0.2",
             "--sharpness", "2", "--random-state", 3, "--out", out)  # fmt: skip
        classes = np.array(["barbera", "barolo", "grignolino"])
        expected = lw.noise.instance_dependent_flips(
            frame["y"], probs, 0.2, random_state=3, classes=classes, sharpness=2
        )
        table, truth, summary = _written(out)
        assert table["y"].tolist() == expected.labels.tolist()
        assert summary["noise_matrix"] is None and summary["n_flipped"] == round(0.2 * len(frame))

    def test_instance_noise_without_probs_fits_out_of_fold_model(self, wine, tmp_path):
        """Without --probs the flips follow a cross-validated model: mostly rows that model finds confusing."""
        path, frame = wine
        out = tmp_path / "noisy.csv"
        _run(path, "--label", "y", "--id-column", "id", "--noise", "instance", "--model", "logistic", "--rate",
             "0.1", "--out", out)  # fmt: skip
        features = frame.drop(columns=["id", "y"])
        probs = lw.out_of_fold_probs(lw.models.default_model(features, model="logistic", random_state=0), features,
                                     frame["y"], cv=5, random_state=0)  # fmt: skip
        expected = lw.noise.instance_dependent_flips(frame["y"], probs, 0.1, random_state=0)
        assert _written(out)[0]["y"].tolist() == expected.labels.tolist()

    @pytest.mark.parametrize(("noise", "attack"), [("random-flips", "random"), ("farthest", "farthest")])
    def test_multiclass_attacks_are_the_poison_apis(self, wine, tmp_path, noise, attack):
        """--noise random-flips / farthest poison as lw.poison's attack with budget --rate on the standardised numbers."""
        path, frame = wine
        out = tmp_path / "noisy.csv"
        _run(path, "--label", "y", "--id-column", "id", "--noise", noise, "--rate", "0.1", "--random-state", 5,
             "--out", out)  # fmt: skip
        X = attack_features(frame.drop(columns=["id", "y"]))
        expected = lw.poison.ATTACKS[attack](X, frame["y"], 0.1, random_state=5)
        table, truth, _ = _written(out)
        assert table["y"].tolist() == expected.labels.tolist()
        assert truth["is_flipped"].sum() == expected.budget == round(0.1 * len(frame))

    def test_binary_attack_alfa_is_the_apis(self, wine, tmp_path):
        """--noise alfa on two classes writes lw.poison.alfa's labels."""
        path, frame = wine
        two = frame[frame["y"] != "barbera"].reset_index(drop=True)
        two.to_csv(path, index=False)
        out = tmp_path / "noisy.csv"
        _run(path, "--label", "y", "--id-column", "id", "--noise", "alfa", "--rate", "0.05", "--out", out)
        expected = lw.poison.alfa(attack_features(two.drop(columns=["id", "y"])), two["y"], 0.05, random_state=0)
        assert _written(out)[0]["y"].tolist() == expected.labels.tolist()


class TestWrittenFiles:
    def test_summary_counts_flips_per_class_and_the_realised_matrix(self, wine, tmp_path):
        """summary.json: per-class flips add up to n_flipped, flip_counts match the truth file, columns sum to 1."""
        path, _ = wine
        out = tmp_path / "noisy.csv"
        result = _run(path, "--label", "y", "--id-column", "id", "--rate", "0.25", "--out", out)
        _, truth, summary = _written(out)
        assert sum(c["n_flipped"] for c in summary["per_class"]) == summary["n_flipped"] == truth["is_flipped"].sum()
        counts = pd.crosstab(truth["label"], truth["true_label"]).reindex(index=summary["classes"],
                                                                          columns=summary["classes"], fill_value=0)  # fmt: skip
        assert counts.to_numpy().tolist() == summary["flip_counts"]
        np.testing.assert_allclose(np.sum(summary["noise_matrix_realised"], axis=0), 1.0)
        assert summary["rate_realised"] == pytest.approx(summary["n_flipped"] / 178)
        assert f"{summary['n_flipped']} of 178 labels changed" in result.output and "asked 0.25" in result.output

    def test_csv_copy_changes_the_label_cells_only(self, tmp_path):
        """Every cell but the flipped labels is written as DATA has it: '007', '0.1', an empty cell, '3' (not 3.0)."""
        rng = np.random.default_rng(0)
        lines = ["id,x,count,note,y"] + [
            f'{i:03d},{rng.integers(0, 9) / 10},{"" if i % 7 == 0 else i % 5},"a, b",{"cat" if i % 2 else "dog"}'
            for i in range(60)
        ]
        data = tmp_path / "d.csv"
        data.write_text("\n".join(lines) + "\n")
        out = tmp_path / "noisy.csv"
        _run(data, "--label", "y", "--id-column", "id", "--rate", "0.2", "--out", out)
        written = out.read_text().splitlines()
        truth = pd.read_csv(tmp_path / "noisy.truth.csv", dtype={"id": str})
        assert len(written) == len(lines) and truth["id"].tolist() == [f"{i:03d}" for i in range(60)]
        for before, after, flipped in zip(lines[1:], written[1:], truth["is_flipped"], strict=True):
            assert before.rsplit(",", 1)[0] == after.rsplit(",", 1)[0]
            assert (before.rsplit(",", 1)[1] != after.rsplit(",", 1)[1]) == flipped

    def test_parquet_keeps_column_types(self, tmp_path):
        """A Parquet DATA written as Parquet keeps its dtypes: integer labels stay integers, a category a category."""
        frame = pd.DataFrame(
            {"x": np.arange(40.0), "kind": pd.Categorical(["a", "b"] * 20), "y": np.repeat([3, 5], 20)}
        )
        frame.to_parquet(tmp_path / "d.parquet")
        out = tmp_path / "noisy.parquet"
        _run(tmp_path / "d.parquet", "--label", "y", "--rate", "0.2", "--out", out, "--truth-column", "y_true")
        written = pd.read_parquet(out)
        assert written.dtypes.to_dict() == {**frame.dtypes.to_dict(), "y_true": frame["y"].dtype}
        assert written["y_true"].tolist() == frame["y"].tolist()
        assert set(written["y"]) == {3, 5} and (written["y"] != frame["y"]).sum() == 8
        assert pd.read_parquet(tmp_path / "noisy.truth.parquet")["is_flipped"].sum() == 8

    def test_json_lines_output(self, wine, tmp_path):
        """--out .jsonl writes JSON Lines, the truth file too, keyed by --id-column."""
        path, frame = wine
        out = tmp_path / "noisy.jsonl"
        _run(path, "--label", "y", "--id-column", "id", "--rate", "0.1", "--out", out)
        written = pd.read_json(out, lines=True)
        truth = pd.read_json(tmp_path / "noisy.truth.jsonl", lines=True)
        assert written["id"].tolist() == frame["id"].tolist() == truth["id"].tolist()
        assert (written["y"] != frame["y"]).sum() == truth["is_flipped"].sum() == round(0.1 * 178)


def test_audit_of_the_corrupted_copy_finds_the_flips(wine, tmp_path):
    """labelwise audit on the corrupted wine table flags most flipped rows, far more than its share of flags."""
    path, _ = wine
    out = tmp_path / "noisy.csv"
    _run(path, "--label", "y", "--id-column", "id", "--rate", "0.15", "--random-state", 1, "--out", out)
    table = pd.read_csv(out).drop(columns=["id"])
    table.to_csv(tmp_path / "audit_in.csv", index=False)
    result = CliRunner().invoke(
        main,
        [
            "audit",
            str(tmp_path / "audit_in.csv"),
            "--label",
            "y",
            "--model",
            "logistic",
            "--out",
            str(tmp_path / "audit"),
        ],  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    issues = pd.read_csv(tmp_path / "audit" / "issues.csv").set_index("row").sort_index()
    flipped = pd.read_csv(tmp_path / "noisy.truth.csv")["is_flipped"].to_numpy()
    flagged = issues["is_issue"].to_numpy()
    recall = flagged[flipped].mean()
    assert recall >= 0.7 and recall >= 3 * flagged.mean()  # chance: the share of rows flagged
