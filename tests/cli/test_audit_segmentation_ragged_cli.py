"""``labelwise audit --task segmentation`` with an .npz of per-image probabilities of two sizes: an error naming
the option and the mask files (shapes47: main ended in numpy's "inhomogeneous shape" ValueError)."""

from __future__ import annotations

import numpy as np
from click.testing import CliRunner

from labelwise.cli import main


def test_probabilities_of_another_image_size_are_named_by_mask_file(tmp_path):
    """One image's probabilities cut to 4 rows: the message names --probs, the image's mask file and both shapes."""
    from PIL import Image

    folder = tmp_path / "masks"
    folder.mkdir()
    masks = np.zeros((3, 8, 8), np.uint8)
    masks[:, 2:6, 2:6] = 1
    for i, m in enumerate(masks):
        Image.fromarray(m, mode="L").save(folder / f"img{i}.png")
    probs = np.stack([1.0 - masks, masks], axis=1) * 0.9 + 0.05
    np.savez(tmp_path / "p.npz", a=probs[0], b=probs[1][:, :4], c=probs[2])
    args = ["audit", str(folder), "--task", "segmentation", "--probs", str(tmp_path / "p.npz")]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code != 0
    said = " ".join(result.output.split())
    assert "--probs must be images of one size" in said
    assert "image 1 (img1.png) has shape (2, 4, 8), image 0 (img0.png) has (2, 8, 8)" in said
    assert not (tmp_path / "out").exists()
