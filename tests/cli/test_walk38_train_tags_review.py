"""A `labelwise train-tags` folder read by `report`, `review` and `export` (session 38's walk).

`train-tags` writes a multi-label audit's issues.csv and classes.csv beside its model, but its
summary.json did not say so: `labelwise report` stopped on "issues.csv must have columns
['row', 'given_label', ...]" and `export` likewise, while a `train` folder is reported as an audit.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from click.testing import CliRunner
from starlette.testclient import TestClient

from labelwise.cli import main
from labelwise.review import create_app


def _trained(tmp_path):
    rng = np.random.default_rng(0)
    truth = rng.random((90, 2)) < 0.5
    X = rng.normal(size=(90, 2)) + 2.5 * truth
    given = truth & (rng.random((90, 2)) > 0.25)
    tags = ["|".join(np.array(["café", "big dog"])[row]) for row in given]
    pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "tags": tags}).to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "model"
    args = ["train-tags", str(tmp_path / "d.csv"), "--label", "tags", "--cv", "3", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out


def test_report_shows_the_flagged_tags_of_a_train_tags_folder(tmp_path):
    """`labelwise report` on the folder writes the multi-label view of its issues.csv."""
    out = _trained(tmp_path)
    result = CliRunner().invoke(main, ["report", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text(encoding="utf-8")
    flagged = pd.read_csv(out / "issues.csv", keep_default_na=False).query("is_issue")
    assert len(flagged) and "(multilabel)" in page and "big dog" in page
    assert json.loads((out / "summary.json").read_text())["task"] == "multilabel"


def test_review_and_export_drop_an_excluded_row(tmp_path):
    """A row excluded on the review page is left out of `labelwise export`'s cleaned table."""
    out = _trained(tmp_path)
    with TestClient(create_app(out, reviewer="t"), base_url="http://127.0.0.1") as client:
        first = client.get("/api/examples").json()["items"][0]
        posted = client.post(f"/api/examples/{first['row']}/decision", json={"action": "exclude", "version": 0})
        assert posted.status_code == 200, posted.text
    result = CliRunner().invoke(main, ["export", str(out), "--out", str(tmp_path / "clean.csv")])
    assert result.exit_code == 0, result.output
    clean = pd.read_csv(tmp_path / "clean.csv", keep_default_na=False)
    data = pd.read_csv(tmp_path / "d.csv", keep_default_na=False)
    assert clean.equals(data.drop(index=first["row"]).reset_index(drop=True))
