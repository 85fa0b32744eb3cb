"""The report on real outputs: the MNIST test-set audit of Northcutt et al. and a real crowd set."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.report import load_aggregate, load_audit, write_report

pytestmark = pytest.mark.slow


def test_report_of_the_mnist_test_set_audit(shared_data, tmp_path):
    """Auditing MNIST's published out-of-sample probabilities gives a report whose numbers match the audit."""
    folder = shared_data / "label_errors" / "mnist"
    labels = np.load(folder / "labels.npy")
    data = tmp_path / "mnist.csv"
    pd.DataFrame({"image_id": np.arange(len(labels)), "label": labels}).to_csv(data, index=False)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "audit",
            str(data),
            "--label",
            "label",
            "--probs",
            str(folder / "pred_probs.npy"),
            "--out",
            str(out),
            "--top",
            "0",
        ],
    )
    assert result.exit_code == 0, result.output
    html = write_report(out, top=30).read_text(encoding="utf-8")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_examples"] == 10_000
    health = re.search(r'id="health">(.*?)</header>', html, re.S).group(1)
    assert f">{summary['n_issues']:,}<" in health
    assert f"{100 * summary['n_issues'] / 10_000:.1f}%" in health
    shown = [int(r) for r in re.findall(r'<div class="example" data-row="(\d+)">', html)]
    audit = load_audit(out)
    assert shown == audit.flagged["row"].head(30).tolist()
    # The worst-ranked examples shown are largely the errors people confirmed in the paper.
    validated = set(np.load(folder / "validated_errors.npy").tolist())
    assert len(validated & set(shown)) >= 5
    for rec in audit.flagged.head(30).itertuples():
        assert f'given <span class="given">{rec.given_label}</span>' in html


def test_report_of_a_real_crowd_aggregation(shared_data, tmp_path):
    """Aggregating the bluebird set (39 annotators) gives annotator accuracy, confusions and disputed items."""
    out = tmp_path / "agg"
    result = CliRunner().invoke(
        main,
        [
            "aggregate",
            str(shared_data / "crowd" / "d_Duck_Identification" / "annotations.csv"),
            "--method",
            "dawid-skene",
            "--out",
            str(out),
            "--top",
            "0",
        ],
    )
    assert result.exit_code == 0, result.output
    agg = load_aggregate(out)
    assert len(agg.confusions) == 39 and all(m.shape == (2, 2) for _, m in agg.confusions.values())
    html = write_report(out).read_text(encoding="utf-8")
    assert 'id="annotator-accuracy"' in html and 'id="confusion-heatmaps"' in html
    table = re.search(r'<section id="annotators">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    assert table.count("<tr>") == 39
    worst = re.findall(r"<td[^>]*>([^<]*)</td>", table.split("</tr>")[0])
    assert worst[0] == str(agg.annotators.sort_values("accuracy", kind="stable")["annotator"].iloc[0])
    disputed = re.search(r'<section id="disagreement">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    first = re.findall(r"<td[^>]*>([^<]*)</td>", disputed.split("</tr>")[0])[0]
    assert first == str(agg.labels.sort_values(["agreement", "confidence"], kind="stable")["item"].iloc[0])
