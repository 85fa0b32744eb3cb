"""``labelwise audit`` with the data checks: default run, --features, --split-column, --checks label."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.fixture()
def runner():
    return CliRunner()


def _table(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    frame = pd.DataFrame(
        {
            "a": y * 4 + rng.normal(size=n),
            "b": rng.normal(size=n),
            "colour": rng.choice(["red", "blue"], n),
            "y": np.where(y == 1, "yes", "no"),
        }
    )
    frame.loc[7, ["a", "b", "colour"]] = frame.loc[3, ["a", "b", "colour"]].to_numpy()
    frame["split"] = np.where(np.arange(n) < 150, "train", "test")
    frame.loc[160, ["a", "b", "colour"]] = frame.loc[10, ["a", "b", "colour"]].to_numpy()
    return frame


def _run(runner, tmp_path, *args):
    data = tmp_path / "data.csv"
    _table().to_csv(data, index=False)
    out = tmp_path / "out"
    result = runner.invoke(main, ["audit", str(data), "--label", "y", "--out", str(out), "--cv", "3", *args])
    assert result.exit_code == 0, result.output
    return pd.read_csv(out / "issues.csv"), json.loads((out / "summary.json").read_text()), result.output


def test_default_run_adds_every_check_that_applies(runner, tmp_path):
    """issues.csv gains is_/score columns per check; summary.json a section per check; split is not a feature."""
    issues, summary, output = _run(runner, tmp_path, "--split-column", "split")
    assert len(issues) == 200
    for name in ["outlier", "exact_duplicate", "near_duplicate", "leakage", "non_iid", "data_valuation"]:
        assert f"is_{name}_issue" in issues and f"{name}_score" in issues
        assert summary["data_checks"][name]["status"] == "ran"
    by_row = issues.set_index("row")
    assert by_row.loc[[3, 7], "is_exact_duplicate_issue"].all()
    assert by_row.loc[160, "is_leakage_issue"] and not by_row.loc[10, "is_leakage_issue"]
    assert "split" not in summary["settings"]["feature_columns"]
    assert "check leakage" in output


def test_checks_label_keeps_todays_output(runner, tmp_path):
    """--checks label writes only the label audit's columns."""
    issues, summary, _ = _run(runner, tmp_path, "--checks", "label")
    assert list(issues.columns) == ["row", "given_label", "suggested_label", "label_quality", "is_issue", "rank"]
    assert "data_checks" not in summary


def test_features_file_is_used_for_the_checks(runner, tmp_path):
    """--features emb.npy: the checks run on the embeddings (an injected copy is found there)."""
    emb = np.random.default_rng(1).normal(size=(200, 8))
    emb[50] = emb[60]
    np.save(tmp_path / "emb.npy", emb)
    issues, summary, _ = _run(runner, tmp_path, "--features", str(tmp_path / "emb.npy"), "--checks", "exact_duplicate")
    assert sorted(issues.loc[issues["is_exact_duplicate_issue"], "row"]) == [50, 60]
    assert summary["data_checks"]["features_from"].endswith("emb.npy")


def test_the_graphs_search_is_in_summary_and_on_screen(runner, tmp_path):
    """summary.json's data_checks.graph says which search built the graph (next to method), and the screen
    says it in one line (before: only method)."""
    _, summary, output = _run(runner, tmp_path, "--checks", "outlier,near_duplicate", "--scaling", "zscore")
    section = summary["data_checks"]["graph"]
    assert section["method"] == "exact"
    assert section["search"] == {
        "index": "exact",
        "exact": True,
        "requested": {"method": "auto", "index": "auto"},
        "settings": {},
        "fallback": None,
        "partitions": None,
    }
    assert "neighbour graph: exact search; k=10, euclidean, zscore columns" in output


@pytest.mark.parametrize("choice", ["auto", "zscore", "fenced"])
def test_label_scaling_is_recorded_in_summary(runner, tmp_path, choice):
    """--label-scaling reaches the checks; summary.json records the label graph's scaling (and the labels' statistic)."""
    _, summary, _ = _run(runner, tmp_path, "--checks", "data_valuation,outlier", "--label-scaling", choice)
    record = summary["data_checks"]["label_scaling"]
    shared = summary["data_checks"]["scaling"]["chosen"]
    assert record["requested"] == choice
    assert record["chosen"] in {"auto": ["zscore", "fenced"], "zscore": [shared], "fenced": ["fenced"]}[choice]
    assert (record["statistic"] is not None) == (choice == "auto")
    assert summary["data_checks"]["graph"]["scaling"] == shared
    assert shared == "zscore" or choice == "zscore"  # a label graph of its own is built against z-scores
    if record["chosen"] == "fenced":
        assert summary["data_checks"]["label_graph"]["scaling"] == "fenced"
    else:
        assert "label_graph" not in summary["data_checks"]


def test_bad_options_are_one_line_errors(runner, tmp_path):
    """Unknown check, missing split column, wrong-shaped features: exit 2, one line."""
    data = tmp_path / "data.csv"
    _table().to_csv(data, index=False)
    np.save(tmp_path / "bad.npy", np.zeros((5, 2)))
    for args, message in [
        (["--checks", "outliers"], "--checks must be names"),
        (["--split-column", "fold"], "--split-column 'fold' is not in the data"),
        (["--features", str(tmp_path / "bad.npy")], "--features must have shape"),
        (["--metric", "cosine", "--label-scaling", "fenced"], "--label-scaling fenced needs --metric euclidean"),
        (["--label-scaling", "range"], "Invalid value for '--label-scaling'"),
        (["--checks", ""], "--checks': must name at least one check"),
        (["--checks", " , "], "--checks': must name at least one check"),
    ]:
        result = runner.invoke(main, ["audit", str(data), "--label", "y", "--out", str(tmp_path / "o"), *args])
        assert result.exit_code == 2, result.output
        assert message in result.output


@pytest.mark.parametrize(("given", "close"), [("Outlier", "outlier"), ("near_duplicates", "near_duplicate")])
def test_a_misspelled_check_names_the_close_one(runner, tmp_path, given, close):
    """--checks Outlier listed the 22 names only; the close name is said, and nothing is written."""
    data = tmp_path / "data.csv"
    _table().to_csv(data, index=False)
    result = runner.invoke(main, ["audit", str(data), "--label", "y", "--out", str(tmp_path / "o"), "--checks", given])
    assert result.exit_code == 2 and f"got ['{given}'] (did you mean '{close}'?)" in result.output, result.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            ["train"] * 200,
            "--split-column 'split' must mark training rows 'train' and evaluation rows (2 values at least), got only 'train'",
        ),
        (
            ["tr", "te"] * 100,
            "--split-column 'split' must mark training rows with the value 'train', got values 'tr', 'te'",
        ),
        (
            ["train"] * 150 + [None] + ["test"] * 49,
            "--split-column 'split' must say train or evaluation for every row, row 150 is nan (1 of 200 rows have none)",
        ),
    ],
)
def test_unusable_split_column_fails_before_the_model(runner, tmp_path, values, message):
    """A split column with one value, or without 'train': exit 2 naming --split-column, before any model is fitted."""
    data = tmp_path / "data.csv"
    _table().assign(split=values).to_csv(data, index=False)
    out = tmp_path / "o"
    result = runner.invoke(main, ["audit", str(data), "--label", "y", "--out", str(out), "--split-column", "split"])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert "model:" not in result.output and not out.exists()


def test_a_boolean_split_column_marks_training_rows_by_true(runner, tmp_path):
    """True/False in the split column: True rows are training rows (no 'train' value needed)."""
    data = tmp_path / "data.csv"
    _table().assign(split=lambda f: f["split"] == "train").to_csv(data, index=False)
    out = tmp_path / "o"
    args = ["audit", str(data), "--label", "y", "--out", str(out), "--cv", "3", "--split-column", "split"]
    result = runner.invoke(main, [*args, "--checks", "leakage", "--model", "logistic"])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out / "issues.csv").set_index("row").loc[160, "is_leakage_issue"]


def test_what_the_checks_change_is_said(runner, tmp_path):
    """A --k at least the rows is lowered with a warning (the API's); non-finite --features values are imputed with a notice."""
    emb = np.random.default_rng(1).normal(size=(200, 4))
    emb[[5, 9], 1] = [np.nan, np.inf]
    np.save(tmp_path / "emb.npy", emb)
    args = ("--features", str(tmp_path / "emb.npy"), "--k", "500", "--checks", "outlier,null", "--model", "logistic")
    issues, summary, output = _run(runner, tmp_path, *args)
    text = " ".join(output.split())
    assert "warning: --k 500 is not below the number of rows (200); the data checks use k=199" in text
    assert "in 2 rows (e.g. rows [5, 9]) with column medians" in text
    assert summary["data_checks"]["outlier"]["status"] == "ran" and len(issues) == 200


def _mixed_table(n=120, seed=2):
    """A row id, a date column (as strings), a number, a category, free text and the label."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    days = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1461, n), unit="D")
    return pd.DataFrame(
        {
            "id": np.arange(1000, 1000 + n),
            "day": days.strftime("%Y-%m-%d"),
            "x": y * 3 + rng.normal(size=n),
            "colour": rng.choice(["red", "blue", "green"], n),
            "note": [f"free text number {i} here" for i in rng.integers(0, 40, n)],
            "y": np.where(y == 1, "yes", "no"),
        }
    )


def test_table_features_follow_the_models_column_roles():
    """A date column becomes 5 numbers (not one-hot, not NaN); the id is dropped; text is for exact_duplicate only."""
    from labelwise.checks._table_features import table_features as encode
    from labelwise.cli._audit_checks import table_features

    frame = _mixed_table().drop(columns="y")
    columns, roles, used = table_features(frame)  # the kept columns, encoded by find_data_issues (session 47)
    X = encode(columns).X
    assert roles.roles == {
        "id": "identifier",
        "day": "date",
        "x": "numeric",
        "colour": "categorical",
        "note": "text",
    }
    assert used == {"numeric": ["x"], "date": ["day"], "categorical": ["colour"], "text": ["note"]}
    assert X.shape == (len(frame), 1 + 5 + 3) and np.isfinite(X).all()
    year = X[:, 1]
    assert set(np.unique(year)) <= {2020.0, 2021.0, 2022.0, 2023.0}


def test_roles_are_in_summary_and_on_screen_even_with_given_probs(runner, tmp_path):
    """With --probs no model runs: the data checks write column_roles and print them."""
    frame = _mixed_table()
    data = tmp_path / "data.csv"
    frame.to_csv(data, index=False)
    probs = np.full((len(frame), 2), 0.5)
    np.save(tmp_path / "probs.npy", probs)
    out = tmp_path / "out"
    args = ["audit", str(data), "--label", "y", "--probs", str(tmp_path / "probs.npy"), "--out", str(out)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert {c: r["role"] for c, r in summary["column_roles"].items()}["day"] == "date"
    assert summary["column_roles"]["id"]["role"] == "identifier"
    assert summary["data_checks"]["feature_columns"]["date"] == ["day"]
    assert "column roles:" in result.output and "identifier 1 (id)" in result.output
    assert "dropped column 'id'" in result.output and "data checks use the table's columns" in result.output


def test_the_models_roles_are_kept_not_duplicated(runner, tmp_path):
    """When the model wrote column_roles, the checks do not print or write them a second time."""
    frame = _mixed_table()
    data = tmp_path / "data.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "out"
    args = ["audit", str(data), "--label", "y", "--model", "logistic", "--cv", "3", "--out", str(out)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["column_roles"]["day"]["role"] == "date"
    assert result.output.count("column roles:") == 1


@pytest.mark.parametrize("choice", ["auto", "zscore", "common"])
def test_scaling_is_recorded_in_summary(runner, tmp_path, choice):
    """--scaling reaches the checks; summary.json records the shared graph's scaling and why."""
    _, summary, _ = _run(runner, tmp_path, "--checks", "outlier", "--scaling", choice)
    record = summary["data_checks"]["scaling"]
    assert record["requested"] == choice
    assert record["reason"] == ("labels' choice" if choice == "auto" else "requested")
    assert summary["data_checks"]["graph"]["scaling"] == record["chosen"]


def test_scaling_with_cosine_is_refused_before_the_model(runner, tmp_path):
    """--scaling zscore with --metric cosine: exit 2, naming both options."""
    data = tmp_path / "data.csv"
    _table().to_csv(data, index=False)
    res = runner.invoke(
        main,
        ["audit", str(data), "--label", "y", "--out", str(tmp_path / "o"), "--scaling", "zscore", "--metric", "cosine"],
    )
    assert res.exit_code == 2
    assert "--scaling zscore needs --metric euclidean" in res.output


def _refusal(call):
    """The message of the InvalidParameterError ``call`` raises, or None when it runs."""
    from labelwise.errors import InvalidParameterError

    try:
        call()
    except InvalidParameterError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("label_scaling", ["zscore", "auto", "fenced"])
@pytest.mark.parametrize("scaling", ["auto", "zscore", "common"])
def test_cli_and_api_refuse_the_same_scaling_combinations(runner, tmp_path, scaling, label_scaling, metric):
    """audit (before training) and find_data_issues refuse the same combinations; each names its own options."""
    from labelwise.checks import find_data_issues
    from labelwise.cli._audit_checks import prepare_data_checks

    frame = _table().drop(columns=["split"]).iloc[:80]
    X = frame[["a", "b"]].to_numpy()
    options = {"metric": metric, "label_scaling": label_scaling, "scaling": scaling}
    api = _refusal(lambda: find_data_issues(X, frame["y"].to_numpy(), checks=["outlier"], k=5, **options))
    cli = _refusal(
        lambda: prepare_data_checks(frame, "y", features_path=None, split_column=None, checks="outlier", k=5, **options)
    )
    assert (api is None) == (cli is None), (api, cli)
    if api is None:
        return
    flags = {"scaling": "--scaling", "label_scaling": "--label-scaling", "metric": "--metric"}
    translated = api
    for name, flag in sorted(flags.items(), key=lambda kv: -len(kv[0])):
        translated = translated.replace(f"{name}=", f"\0{flag} ")
    translated = translated.replace("\0", "").replace("'", "")
    assert cli == translated and "scaling=" not in cli
    data = tmp_path / "data.csv"
    frame.to_csv(data, index=False)
    flag_args = [arg for name, flag in flags.items() for arg in (flag, options[name])]
    result = runner.invoke(main, ["audit", str(data), "--label", "y", "--out", str(tmp_path / "o"), *flag_args])
    assert result.exit_code == 2 and result.output.strip() == f"error: {cli}", result.output
    assert not (tmp_path / "o").exists()


def test_a_boolean_column_is_one_number_in_the_audit_as_in_the_api(runner, tmp_path):
    """A CSV column of True/False with a missing cell: the audit's checks read it as one 0/1 number,
    as find_data_issues does (main one-hot encoded it in the audit: two indicators), and the
    check columns of issues.csv are the API's on the same table."""
    from labelwise.checks import find_data_issues

    frame = _table(150).drop(columns=["split"]).iloc[:150].reset_index(drop=True)
    frame["member"] = np.where(np.arange(len(frame)) % 3 == 0, "True", "False")
    frame.loc[5, "member"] = ""
    data, probs_path, out = tmp_path / "data.csv", tmp_path / "probs.npy", tmp_path / "out"
    frame.to_csv(data, index=False)
    np.save(probs_path, np.random.default_rng(1).dirichlet([1.0, 1.0], len(frame)))
    args = ["audit", str(data), "--label", "y", "--probs", str(probs_path), "--out", str(out)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "as numbers: a, b, member; one-hot: colour (2 indicators)" in " ".join(result.output.split())
    summary = json.loads((out / "summary.json").read_text())["data_checks"]
    assert summary["feature_encoding"]["numeric"] == ["a", "b", "member"]
    read = pd.read_csv(data)
    api = find_data_issues(read.drop(columns=["y"]), read["y"], np.load(probs_path), impute=True)
    assert api.info["feature_encoding"]["numeric"] == ["a", "b", "member"]
    issues = pd.read_csv(out / "issues.csv").sort_values("row").reset_index(drop=True)
    checks = [c for c in api.issues.columns if c.startswith(("is_outlier", "outlier", "is_near", "near_duplicate_s"))]
    pd.testing.assert_frame_equal(issues[checks], api.issues[checks], check_dtype=False)
