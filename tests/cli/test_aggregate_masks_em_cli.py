"""``labelwise aggregate-masks --method em|rasa``: crowd-kit's SegmentationEM and SegmentationRASA."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import SegmentationEM, SegmentationRASA

from .test_aggregate_masks_cli import _crowd, _run

Image = pytest.importorskip("PIL.Image")


def _long(arrays: dict) -> pd.DataFrame:
    return pd.DataFrame([(i, a, m) for (i, a), m in arrays.items()], columns=["item", "annotator", "mask"])


@pytest.mark.parametrize(
    ("args", "model", "column"),
    [
        (("--method", "em"), SegmentationEM(), "accuracy"),
        (("--method", "em", "--em-prior", "item"), SegmentationEM(prior="item"), "accuracy"),
        (("--method", "em", "--em-pool", "item"), SegmentationEM(pool="item"), "accuracy"),
        (("--method", "rasa"), SegmentationRASA(), "weight"),
        (
            ("--method", "rasa", "--rasa-pool", "annotator", "--max-iter", "3"),
            SegmentationRASA(pool="annotator", max_iter=3),
            "reliability",
        ),
    ],
)
def test_em_and_rasa_write_the_librarys_masks_from_0_255_pngs(tmp_path, args, model, column):
    """0/255 PNG masks in, 0/255 PNG masks out, equal to the library's estimator on the masks as 0/1;
    annotators.csv carries the method's per-annotator skill."""
    table, arrays = _crowd(tmp_path)
    res = _run(table, *args, "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    expected = model.fit(_long(arrays))
    for item, name in (("cat 1", "cat_1.png"), ("dog/2", "dog_2.png")):
        written = np.asarray(Image.open(tmp_path / "o" / "masks" / name))
        assert set(np.unique(written)) <= {0, 255}
        np.testing.assert_array_equal(written == 255, expected.masks_[item])
    annotators = pd.read_csv(tmp_path / "o" / "annotators.csv")
    np.testing.assert_allclose(annotators[column], expected.annotators_[column].to_numpy(), rtol=1e-6)
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["method"] == args[1] and summary["n_iter"] == int(expected.n_iter_.max())


def test_an_option_of_another_method_is_refused_naming_both(tmp_path):
    """--rasa-pool with --method em, and --em-prior with --method staple, say which method the option needs."""
    table, _ = _crowd(tmp_path)
    res = _run(table, "--method", "em", "--rasa-pool", "annotator", "--out", tmp_path / "o")
    assert res.exit_code != 0 and "--rasa-pool is an option of --method rasa" in res.output
    res = _run(table, "--em-prior", "item", "--out", tmp_path / "o")
    assert res.exit_code != 0 and "--em-prior is an option of --method em" in " ".join(res.output.split())
    assert not (tmp_path / "o").exists()


def test_a_label_map_is_refused_by_em_and_rasa_with_the_way_out(tmp_path):
    """Masks of three values are label maps: em and rasa refuse them and point to staple, majority or --binary."""
    (tmp_path / "m").mkdir()
    rows = []
    for a in "abc":
        np.save(tmp_path / "m" / f"{a}.npy", np.array([[0, 1], [2, 2]], dtype=np.uint8))
        rows.append(("x", a, f"m/{a}.npy"))
    pd.DataFrame(rows, columns=["item", "annotator", "path"]).to_csv(tmp_path / "t.csv", index=False)
    for method in ("em", "rasa"):
        res = _run(tmp_path / "t.csv", "--method", method, "--out", tmp_path / "o")
        flat = " ".join(res.output.split())
        assert res.exit_code != 0 and f"--method {method} combines binary masks" in flat and "3 values" in flat


def test_top_limits_the_printed_tables_and_quiet_prints_nothing(tmp_path):
    """--top 1 prints the least agreeing annotator only (all in annotators.csv); --quiet prints
    nothing and writes the same files."""
    table, _ = _crowd(tmp_path)
    res = _run(table, "--method", "rasa", "--top", "1", "--out", tmp_path / "a")
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    n_annotators = len(pd.read_csv(tmp_path / "a" / "annotators.csv"))
    assert f"(the 1 least agreeing of {n_annotators}; all in annotators.csv)" in said
    quiet = _run(table, "--method", "rasa", "--quiet", "--out", tmp_path / "q")
    assert quiet.exit_code == 0 and quiet.output == ""
    for name in ("items.csv", "annotators.csv"):
        assert (tmp_path / "a" / name).read_text() == (tmp_path / "q" / name).read_text()
