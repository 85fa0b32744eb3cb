"""The report's task views with the audit's ``--id-column`` and with data columns named as the report's own.

Before, a regression audit whose data had a column ``row`` crashed the report (two ``row`` columns reached the
table), as did a classification audit's checks sections; the multilabel and token views named rows by position
only, although summary.json records the id column."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from scipy.special import expit

from tests.report.test_tasks import _audit, _report


def _head(page: str, section: str) -> list[str]:
    """The header cells of the first table in the section ``section``."""
    body = page.split(f'<section id="{section}">')[1].split("</section>")[0]
    return re.findall(r"<th(?: [^>]*)?>(.*?)</th>", body.split("</thead>")[0])


def _first_row(page: str, section: str) -> list[str]:
    body = page.split(f'<section id="{section}">')[1].split("</section>")[0]
    return re.findall(r"<td[^>]*>(.*?)</td>", body.split("<tbody>")[1].split("</tr>")[0])


def _regression_data(tmp_path):
    """60 rows, a zero-padded id column named ``row``, columns named as the report's, five targets shifted."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=60)
    y = 2 * x + rng.normal(0, 0.1, 60)
    y[:5] += 5
    frame = pd.DataFrame({"row": [f"{i:03d}" for i in range(60)], "x": x, "residual": 1.0, "price": y})
    frame.to_csv(tmp_path / "r.csv", index=False)
    return tmp_path / "r.csv"


def test_regression_report_shows_a_data_column_named_row_as_data_row(tmp_path):
    """No --id-column: the data's ``row`` (and ``residual``) shown as ``data_row`` beside the row, as written."""
    out = _audit(tmp_path, _regression_data(tmp_path), "--task", "regression", "--label", "price")
    page = _report(out)
    head = _head(page, "regression-worst")
    assert head.count("row") == 1 and head.count("residual") == 1
    assert "data_row" in head and "data_residual" in head
    cells = dict(zip(head, _first_row(page, "regression-worst"), strict=True))
    assert cells["data_row"] == f"{int(cells['row']):03d}"  # 004, not 4


def test_regression_report_shows_the_id_column_as_written_beside_the_row(tmp_path):
    """--id-column row: issues.csv's ``id`` shown after ``row`` (004), the data's column not again."""
    out = _audit(tmp_path, _regression_data(tmp_path), "--task", "regression", "--label", "price", "--id-column", "row")
    page = _report(out)
    head = _head(page, "regression-worst")
    assert head[:2] == ["row", "id"] and "data_row" not in head
    row, ident = _first_row(page, "regression-worst")[:2]
    assert ident == f"{int(row):03d}"


def test_multilabel_report_shows_each_flagged_examples_id_as_written(tmp_path):
    """The worst examples' table has the id column (007 as written) after ``row``."""
    rng = np.random.default_rng(0)
    names = np.array(["cat", "dog", "sky"])
    tags = rng.random((40, 3)) < 0.4
    ids = ["007", *[f"s{i:02d}" for i in range(39)]]
    pd.DataFrame({"sample": ids, "tags": ["|".join(names[r]) for r in tags]}).to_csv(tmp_path / "d.csv", index=False)
    probs = expit(rng.normal(0, 1, (40, 3)) + 2 * tags)
    probs[0] = expit(4 * ~tags[0] - 2)  # the first example's tags all look wrong
    np.save(tmp_path / "p.npy", probs)
    args = ["--task", "multilabel", "--label", "tags", "--probs", tmp_path / "p.npy", "--id-column", "sample"]
    page = _report(_audit(tmp_path, tmp_path / "d.csv", *args))
    table = page.split('<table id="multilabel-examples">')[1].split("</table>")[0]
    assert re.findall(r"<th(?: [^>]*)?>(.*?)</th>", table)[:2] == ["row", "sample"]
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]*)</td>', table)
    assert rows and ("0", "007") in rows
    assert all(ident == ids[int(row)] for row, ident in rows)


def test_token_table_report_names_sentences_and_flagged_tokens_by_their_ids(tmp_path):
    """A token table audit: each sentence shown with its id as written, a marked token with its --id-column."""
    classes = ["B-LOC", "B-PER", "I-PER", "O"]
    rng = np.random.default_rng(0)
    rows, probs = [], []
    for s in range(30):
        for j in range(4):
            tag = classes[int(rng.integers(0, 4))] if j else "B-PER"
            logits = rng.normal(0, 0.5, 4)
            logits[classes.index(tag)] += 4
            if s == 3 and j == 0:
                tag = "O"  # the model says B-PER
            rows.append({"sid": f"0{s:02d}", "word": f"w{j}", "tag": tag, "tid": f"t{len(rows):03d}"})
            probs.append(np.exp(logits) / np.exp(logits).sum())
    pd.DataFrame(rows).to_csv(tmp_path / "tok.csv", index=False)
    np.save(tmp_path / "p.npy", np.array(probs))
    args = ["--label", "tag", "--sentence-column", "sid", "--token-column", "word", "--id-column", "tid"]
    page = _report(_audit(tmp_path, tmp_path / "tok.csv", "--task", "token", *args, "--probs", tmp_path / "p.npy"))
    assert '<span class="meta">sentence 3 (003)' in page
    assert 'data-id="t012"' in page and "tid t012" in page  # sentence 3's first token, the 13th row
