"""Tests of the preview kinds chosen for a data table, and of reading aggregation outputs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from labelwise.report import load_aggregate
from labelwise.report._previews import Previewer
from tests.report.fake_outputs import write_aggregate


class TestPreviewer:
    def test_784_pixel_columns_are_28x28_images(self):
        """784 pixel_* columns give 28x28 thumbnails with ink (high values) dark."""
        rng = np.random.default_rng(0)
        data = pd.DataFrame(rng.integers(0, 256, size=(3, 784)), columns=[f"pixel{i}" for i in range(784)])
        data["label"] = [0, 1, 2]
        pv = Previewer(data, label_column="label")
        assert pv.kind == "pixels" and pv.side == 28
        img = pv.pixel_array([1])[0]
        lo, hi = data.iloc[:, :784].to_numpy().min(), data.iloc[:, :784].to_numpy().max()
        expected = np.round(255 * (1 - (data.iloc[1, :784].to_numpy() - lo) / (hi - lo))).reshape(28, 28)
        np.testing.assert_array_equal(img, expected.astype(np.uint8))

    def test_pixel_columns_in_any_column_order(self):
        """Pixel columns are placed by their index, not by their position in the table."""
        cols = [f"pixel_{i}" for i in range(64)][::-1]
        data = pd.DataFrame([np.arange(64)[::-1]], columns=cols)
        img = Previewer(data).pixel_array([0])[0]
        assert img[0, 0] == 255 and img[7, 7] == 0

    @pytest.mark.parametrize("n", [63, 100])
    def test_other_pixel_counts_are_features(self, n):
        """Pixel-like columns that are not 64 or 784 are shown as feature values."""
        data = pd.DataFrame(np.zeros((2, n)), columns=[f"pixel_{i}" for i in range(n)])
        assert Previewer(data).kind == "features"

    def test_free_text_column_is_text(self):
        """A column of sentences is shown as text; short codes are features."""
        data = pd.DataFrame(
            {
                "code": ["a1", "b2"],
                "review": ["this film was far too long", "loved every minute of it"],
                "label": ["neg", "pos"],
            }
        )
        pv = Previewer(data, label_column="label")
        assert pv.kind == "text" and pv.text_column == "review" and pv.text(1) == "loved every minute of it"
        assert pv.features(0) == [("code", "a1"), ("review", "this film was far too long")]

    def test_long_text_is_truncated(self):
        """Text longer than the limit is cut with an ellipsis."""
        data = pd.DataFrame({"t": ["word " * 500]})
        assert len(Previewer(data).text(0, limit=50)) == 50

    def test_image_paths_must_be_existing_image_files(self, tmp_path):
        """Only existing files with an image suffix count as images."""
        (tmp_path / "ok.png").write_bytes(b"\x89PNG")
        (tmp_path / "notes.txt").write_text("x")
        data = pd.DataFrame({"path": ["ok.png", "notes.txt", "missing.png", str(tmp_path / "ok.png")]})
        pv = Previewer(data, image_column="path", base_dir=tmp_path)
        assert [pv.image_path(i) for i in range(4)] == [tmp_path / "ok.png", None, None, tmp_path / "ok.png"]
        assert pv.thumbnail_png(0) is None  # not a decodable image

    def test_no_data_means_no_preview(self):
        """Without a data table the preview kind is none."""
        assert Previewer(None).kind == "none"


class TestLoadAggregate:
    def test_reads_the_records_layout_of_labelwise_aggregate(self, tmp_path):
        """annotators.json as `labelwise aggregate` writes it (a list of records) gives the matrices."""
        out = write_aggregate(tmp_path, n_annotators=3)
        records = [
            {"annotator": "w1", "answers": 3, "accuracy": 0.5, "agreement": 0.5, "confusion": [[0.9, 0.1], [0.2, 0.8]]},
            {"annotator": "w2", "answers": 3, "accuracy": 0.5, "agreement": 0.5, "confusion": None},
        ]
        (out / "annotators.json").write_text(
            json.dumps(
                {"method": "dawid-skene", "classes": ["a", "b"], "confusion_matrices": True, "annotators": records}
            )
        )
        agg = load_aggregate(out)
        assert list(agg.confusions) == ["w1"]
        classes, matrix = agg.confusions["w1"]
        assert classes == ["a", "b"] and matrix.tolist() == [[0.9, 0.1], [0.2, 0.8]]

    def test_reads_a_mapping_layout(self, tmp_path):
        """A mapping of annotator -> matrix is read too."""
        out = write_aggregate(tmp_path, n_annotators=2)
        agg = load_aggregate(out)
        assert set(agg.confusions) == {"worker0", "worker1"} and agg.method == "DawidSkene"


class TestPreviewerKinds:
    """One Previewer subclass per kind, chosen by Previewer(...) itself."""

    def test_each_kind_is_one_registered_subclass(self):
        """PREVIEWERS lists one subclass per kind, the catch-all last."""
        from labelwise.report._previews import PREVIEWERS, NoPreviewer

        kinds = [p.kind for p in PREVIEWERS]
        assert sorted(kinds) == ["features", "image", "none", "pixels", "text"]
        assert PREVIEWERS[-1] is NoPreviewer

    def test_constructor_returns_the_subclass_of_the_kind(self, tmp_path):
        """Previewer(table) is an instance of the subclass whose kind it reports."""
        from labelwise.report._previews import PREVIEWERS

        tables = [
            pd.DataFrame({"path": ["a.png"]}),
            pd.DataFrame({f"pixel_{i}": [0] for i in range(64)}),
            pd.DataFrame({"review": ["a long enough review of the film"]}),
            pd.DataFrame({"x": [1.0]}),
            None,
        ]
        for table in tables:
            pv = Previewer(table, image_column="path" if table is not None and "path" in table else None)
            expected = next(p for p in PREVIEWERS if p.kind == pv.kind)
            assert type(pv) is expected

    def test_media_value_follows_the_kind(self):
        """Text previews give their text to Label Studio, feature previews name=value pairs."""
        text = Previewer(pd.DataFrame({"review": ["a long enough review of the film"], "n": [3]}))
        assert text.media == "text" and text.media_value(0) == "a long enough review of the film"
        feats = Previewer(pd.DataFrame({"x": [1.5], "y": [2.25]}))
        assert feats.media_value(0) == "x=1.5, y=2.25"


def test_label_issues_to_frame_writes_the_issue_columns():
    """LabelIssues.to_frame and the audit folder reader share one column constant."""
    import numpy as np

    from labelwise import find_label_issues
    from labelwise.io.outputs import ISSUE_COLUMNS

    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.4, 0.6]])
    frame = find_label_issues(np.array([0, 1, 1, 0]), probs).to_frame()
    assert tuple(frame.columns) == ISSUE_COLUMNS
