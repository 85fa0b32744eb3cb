"""Tests of ``labelwise.report.write_report``: content, previews, escaping and self-containment."""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from labelwise.errors import DataFileError, InvalidParameterError, MissingColumnError
from labelwise.report import load_audit, write_report
from tests.report.fake_outputs import write_aggregate, write_audit

DATA_PNG = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def _png(b64: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(b64)))


def _img_tag(html: str, ident: str) -> str:
    m = re.search(r'<img id="' + re.escape(ident) + r'"[^>]*>', html)
    assert m is not None, f"no <img id={ident}>"
    return m.group(0)


@pytest.fixture(scope="module")
def pixel_report(tmp_path_factory):
    out = write_audit(tmp_path_factory.mktemp("pixels"), kind="pixels", n=160)
    path = write_report(out, top=20)
    return out, path, path.read_text(encoding="utf-8")


class TestAuditReport:
    def test_writes_report_html_in_out_dir(self, pixel_report):
        """The report lands at OUT_DIR/report.html and is a complete HTML document."""
        out, path, html = pixel_report
        assert path == out / "report.html"
        assert html.startswith("<!doctype html>") and html.rstrip().endswith("</html>")

    def test_header_shows_share_flagged_and_noise_rate(self, pixel_report):
        """The health tiles show the flagged count, its share and the estimated noise rate."""
        out, _, html = pixel_report
        summary = json.loads((out / "summary.json").read_text())
        health = re.search(r'<div class="tiles" id="health">(.*?)</header>', html, re.S).group(1)
        share = 100 * summary["n_issues"] / summary["n_examples"]
        assert f"{share:.1f}%" in health
        assert f"{100 * summary['noise_rate']:.1f}%" in health
        assert ">{}</div>".format(summary["n_issues"]) in health

    def test_contains_noise_matrix_heatmap_png(self, pixel_report):
        """The noise matrix is drawn as an inline PNG heatmap of reasonable size."""
        _, _, html = pixel_report
        tag = _img_tag(html, "noise-heatmap")
        img = _png(DATA_PNG.search(tag).group(1))
        assert img.format == "PNG" and img.width > 300 and img.height > 300

    def test_worst_examples_are_flagged_rows_in_rank_order_with_thumbnails(self, pixel_report):
        """The worst-examples grid lists flagged rows worst first, each with an 8x8 thumbnail."""
        out, _, html = pixel_report
        audit = load_audit(out)
        expected = audit.flagged["row"].head(20).tolist()
        section = re.search(r'<section id="worst">(.*?)</section>', html, re.S).group(1)
        rows = [int(r) for r in re.findall(r'<div class="example" data-row="(\d+)">', section)]
        assert rows == expected
        thumbs = re.findall(r'<img class="thumb" alt="example \d+" src="data:image/png;base64,([^"]+)"', section)
        assert len(thumbs) == len(expected)
        first = np.asarray(_png(thumbs[0]))
        assert first.shape == (8, 8)
        # Ink is dark: the thumbnail is the inverted, rescaled pixel columns of that row.
        data = pd.read_csv(out / "data.csv")
        pixels = data.loc[expected[0], [f"pixel_{i}" for i in range(64)]].to_numpy(dtype=float).reshape(8, 8)
        block = data[[f"pixel_{i}" for i in range(64)]].to_numpy(dtype=float)
        want = np.round(255 * (1 - (pixels - block.min()) / (block.max() - block.min())))
        np.testing.assert_array_equal(first, want.astype(np.uint8))

    def test_shows_class_table_pairs_and_quality_histogram(self, pixel_report):
        """Issues per class, the most confused pairs and the label-quality histogram are present."""
        out, _, html = pixel_report
        audit = load_audit(out)
        for section in ("per-class", "confused-pairs", "quality"):
            assert f'<section id="{section}">' in html
        pairs = audit.flagged[["given_label", "suggested_label"]].astype(str).value_counts()
        (g, s), count = next(iter(pairs.items()))
        table = re.search(r'<section id="confused-pairs">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
        first = re.findall(r"<td[^>]*>([^<]*)</td>", table.split("</tr>")[0])
        assert first[2] == str(count)

    def test_has_no_external_urls_and_forbids_network_loads(self, pixel_report):
        """Every src/href is a data: URI or an anchor, and a CSP meta forbids network loads."""
        _, _, html = pixel_report
        refs = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', html)
        assert refs and all(r.startswith("data:") or r.startswith("#") for r in refs)
        assert not re.search(r"(?:src|href)\s*=\s*['\"]?\s*(?:https?:)?//", html)
        assert "url(" not in html and "@import" not in html
        assert "<link" not in html and "<script" not in html
        assert "Content-Security-Policy" in html and "default-src 'none'" in html


class TestPreviews:
    def test_labels_and_text_are_escaped(self, tmp_path):
        """A class named <script> and markup in the text appear only escaped."""
        evil = "<script>alert(1)</script>"
        out = write_audit(tmp_path, kind="text", n=90, classes=[evil, "dog", 'a"&b'], noise=0.3)
        html = write_report(out).read_text(encoding="utf-8")
        assert evil not in html and "<b>bold</b>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;b&gt;bold&lt;/b&gt;" in html
        assert "a&quot;&amp;b" in html
        assert '<div class="text">' in html

    def test_image_column_gives_thumbnails_from_files(self, tmp_path):
        """An image column of relative file paths yields thumbnails read from those files."""
        out = write_audit(tmp_path / "out", kind="image", n=60, noise=0.3, data_dir=tmp_path / "data")
        html = write_report(out).read_text(encoding="utf-8")
        section = re.search(r'<section id="worst">(.*?)</section>', html, re.S).group(1)
        thumbs = re.findall(r'<img class="thumb" alt="example (\d+)" src="data:image/png;base64,([^"]+)"', section)
        assert thumbs
        row, b64 = thumbs[0]
        data = pd.read_csv(tmp_path / "data" / "data.csv")
        original = np.asarray(Image.open(tmp_path / "data" / data.loc[int(row), "path"]))
        np.testing.assert_array_equal(np.asarray(_png(b64).convert("RGB")), original)

    def test_missing_image_file_is_reported_not_fatal(self, tmp_path):
        """A flagged row whose image file is gone shows a note instead of failing."""
        out = write_audit(tmp_path / "out", kind="image", n=60, noise=0.3, data_dir=tmp_path / "data")
        worst = load_audit(out).flagged["row"].iloc[0]
        (tmp_path / "data" / "images" / f"img_{worst}.png").unlink()
        html = write_report(out).read_text(encoding="utf-8")
        assert f"image not readable: images/img_{worst}.png" in html

    def test_feature_values_shown_for_tabular_data(self, tmp_path):
        """Plain numeric data shows feature names and values."""
        out = write_audit(tmp_path, kind="features", n=80, noise=0.3)
        html = write_report(out).read_text(encoding="utf-8")
        section = re.search(r'<section id="worst">(.*?)</section>', html, re.S).group(1)
        assert '<table class="feats">' in section and "<td>height</td>" in section


class TestAggregateReport:
    def test_shows_annotator_accuracy_confusions_and_disagreement(self, tmp_path):
        """An aggregation folder gets annotator accuracy, confusion matrices and disputed items."""
        out = write_aggregate(tmp_path, n_items=30, n_annotators=4)
        html = write_report(out).read_text(encoding="utf-8")
        _img_tag(html, "annotator-accuracy")
        _img_tag(html, "confusion-heatmaps")
        assert "DawidSkene" in html
        labels = pd.read_csv(out / "labels.csv")
        table = re.search(r'<section id="disagreement">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
        first_item = re.findall(r"<td[^>]*>([^<]*)</td>", table.split("</tr>")[0])[0]
        assert first_item == labels.sort_values("agreement", kind="stable")["item"].iloc[0]


class TestErrors:
    def test_missing_folder(self, tmp_path):
        """A folder that does not exist raises DataFileError naming it."""
        with pytest.raises(DataFileError, match="does not exist"):
            write_report(tmp_path / "nope")

    def test_folder_without_outputs(self, tmp_path):
        """A folder with neither audit nor aggregation files raises DataFileError."""
        with pytest.raises(DataFileError, match="neither an audit output"):
            write_report(tmp_path)

    def test_issues_without_summary_names_the_missing_file(self, tmp_path):
        """issues.csv without its summary.json (a run stopped, a file removed) was "neither an audit output
        nor ..."; the report names the file that is missing, and writes nothing."""
        out = write_audit(tmp_path, kind="features", n=40)
        (out / "summary.json").unlink()
        with pytest.raises(DataFileError, match="holds issues.csv but no summary.json.*run the command again"):
            write_report(out)
        assert not (out / "report.html").exists()

    def test_issues_missing_column(self, tmp_path):
        """issues.csv without a required column raises MissingColumnError listing it."""
        out = write_audit(tmp_path, kind="features", n=40)
        pd.read_csv(out / "issues.csv").drop(columns="rank").to_csv(out / "issues.csv", index=False)
        with pytest.raises(MissingColumnError, match="rank"):
            write_report(out)

    def test_issues_with_fewer_rows_than_summary_counts(self, tmp_path):
        """An issues.csv cut to 5 rows (edited, or another run's) was reported as a 5-example audit; now refused."""
        out = write_audit(tmp_path, kind="features", n=40)
        pd.read_csv(out / "issues.csv").head(5).to_csv(out / "issues.csv", index=False)
        with pytest.raises(DataFileError, match="issues.csv' has 5 rows but summary.json counts 40 examples"):
            write_report(out)
        with pytest.raises(DataFileError, match="has 5 rows"):
            load_audit(out)

    def test_bad_top(self, tmp_path):
        """top must be an integer >= 0 (0: no example cards, as ``labelwise report --top 0``)."""
        out = write_audit(tmp_path, kind="features", n=40)
        with pytest.raises(InvalidParameterError, match="top must be an integer >= 0, got -1"):
            write_report(out, top=-1)
        assert write_report(out, top=0).is_file()

    def test_wrong_matrix_shape(self, tmp_path):
        """A noise matrix of the wrong shape raises DataFileError with the shape."""
        out = write_audit(tmp_path, kind="features", n=40)
        summary = json.loads((out / "summary.json").read_text())
        summary["noise_matrix"] = [[1.0, 0.0], [0.0, 1.0]]
        (out / "summary.json").write_text(json.dumps(summary))
        with pytest.raises(DataFileError, match=r"noise_matrix must be a 3 x 3 matrix"):
            write_report(out)


def test_write_report_refuses_to_replace_a_file_that_is_not_a_report(tmp_path):
    """write_report(out=) over the user's own file overwrote it; now InvalidParameterError, the file intact."""
    out = write_audit(tmp_path / "out", kind="features", n=30, noise=0.3)
    (out / "report.html").write_text("my own page")
    with pytest.raises(InvalidParameterError, match=r"^out_dir .* holds a report.html that is not a labelwise report"):
        write_report(out)
    assert (out / "report.html").read_text() == "my own page"
    with pytest.raises(InvalidParameterError, match=r"^out .* already exists and is not a labelwise report"):
        write_report(out, out=out / "report.html")


def test_per_class_table_keeps_estimated_issues_when_it_equals_the_flagged_count(tmp_path):
    """The per-class table dropped a summary column whenever its numbers equalled "flagged": under
    prune_by_noise_rate estimated_issues usually does, so the column came and went between runs. Only the
    summary's own counts (n_given, n_flagged) are dropped now, by name."""
    out = write_audit(tmp_path / "out", kind="features", n=30, noise=0.3)
    summary = json.loads((out / "summary.json").read_text())
    for entry in summary["per_class"]:
        entry["n_flagged"] = entry.pop("n_issues")
        entry["estimated_issues"] = entry["n_flagged"]
        entry["noise_rate"] = 0.5
    (out / "summary.json").write_text(json.dumps(summary))
    section = write_report(out).read_text().split('id="per-class"')[1].split("</section>")[0]
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", section)
    assert "estimated_issues" in headers and "noise_rate" in headers
    assert "n_flagged" not in headers and "n_given" not in headers
