"""labelwise's image checks against cleanvision 0.3.7 on the same generated PNG files.

Usage (from the repository root)::

    python benchmarks/bench_images.py              # 3,000 images
    python benchmarks/bench_images.py --n 1000 --jobs 2

The images: textured photos-to-be (blurred noise, 32-128 pixels a side, L / RGB / RGBA), among
them dark, light, blurry (a dim smooth ramp), flat (low information), wide, oversized, exact
copies and resized copies (near duplicates). Both sides read the same files in the same run;
each side scores them once with one process / thread (cleanvision ``n_jobs=1``, labelwise
``n_jobs=1``), then labelwise again with ``--jobs`` threads. Printed: per issue, the images each
side flags, the share of images both flag alike, the largest score difference, and the time ratio.
Thresholds are cleanvision's defaults on both sides (nothing chosen on this data).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import cpu_model

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from labelwise.checks.image_properties import ISSUES, image_properties  # noqa: E402


def make_images(n: int, folder: Path, seed: int = 0) -> list[str]:
    """``n`` PNG files with each issue among them (module docstring); their paths."""
    rng = np.random.default_rng(seed)
    paths: list[str] = []
    for i in range(n):
        kind = rng.choice(
            ["plain", "dark", "light", "blurry", "flat", "wide", "big", "copy", "resized"],
            p=[0.6, 0.06, 0.05, 0.05, 0.04, 0.04, 0.02, 0.07, 0.07],
        )
        path = folder / f"{i:05d}.png"
        if kind in ("copy", "resized") and paths:
            source = Image.open(paths[int(rng.integers(len(paths)))])
            image = source.copy() if kind == "copy" else source.resize((source.width + 3, source.height - 2))
            image.save(path)
            paths.append(str(path))
            continue
        h, w = (int(v) for v in rng.integers(32, 129, 2))
        if kind == "wide":
            w = 4 * h
        if kind == "big":
            h, w = 900, 700
        bands = int(rng.choice([1, 3, 4], p=[0.2, 0.7, 0.1]))
        shape = (h, w) if bands == 1 else (h, w, bands)
        pixels = rng.integers(0, 256, shape).astype(np.uint8)
        image = Image.fromarray(pixels).filter(ImageFilter.GaussianBlur(float(rng.uniform(0.5, 1.5))))
        pixels = np.asarray(image)
        if kind == "dark":
            pixels = pixels // 10
        elif kind == "light":
            pixels = (255 - pixels // 40).astype(np.uint8)
        elif kind == "flat":
            pixels = np.full(shape, int(rng.integers(256)), dtype=np.uint8)
        elif kind == "blurry":
            ramp = np.linspace(0, 60, w)[None, :] + np.linspace(0, 20, h)[:, None]
            ramp = ramp.astype(np.uint8)
            pixels = ramp if bands == 1 else np.repeat(ramp[:, :, None], bands, axis=2)
        Image.fromarray(pixels).save(path)
        paths.append(str(path))
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    from cleanvision import Imagelab

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        paths = make_images(args.n, Path(tmp))
        print(f"{cpu_model()}; {args.n} images written in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        mine = image_properties(paths)
        t_mine = time.perf_counter() - t0
        t0 = time.perf_counter()
        threaded = image_properties(paths, n_jobs=args.jobs)
        t_threads = time.perf_counter() - t0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            lab = Imagelab(filepaths=paths)
            lab.find_issues(n_jobs=1, verbose=False)
            t_theirs = time.perf_counter() - t0
    assert threaded.to_frame().equals(mine.to_frame())
    print(f"{'issue':18} {'labelwise':>9} {'cleanvision':>11} {'agree':>7} {'max |score diff|':>17}")
    for issue in ISSUES:
        theirs = issue + "s" if issue.endswith("duplicate") else issue
        a, b = mine.flags[f"is_{issue}_issue"].to_numpy(), lab.issues[f"is_{theirs}_issue"].to_numpy()
        diff = np.abs(mine.scores[f"{issue}_score"].to_numpy() - lab.issues[f"{theirs}_score"].to_numpy()).max()
        print(f"{issue:18} {a.sum():9d} {b.sum():11d} {(a == b).mean():7.2%} {diff:17.2e}")
    print(
        f"time: labelwise {t_mine:.2f} s (1 thread), {t_threads:.2f} s ({args.jobs} threads); cleanvision {t_theirs:.2f} s"
    )
    print(
        f"ratio cleanvision / labelwise: {t_theirs / t_mine:.2f}x (1 thread), {t_theirs / t_threads:.2f}x ({args.jobs} threads)"
    )


if __name__ == "__main__":
    main()
