"""Generated images with each of cleanvision's issues, for the image-check tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter


def issue_images(n: int = 48, seed: int = 0) -> list[np.ndarray]:
    """``n`` small images in modes L / RGB / RGBA: textured, with dark, light, blurry, flat (low
    information), wide, tiny and duplicated ones among them."""
    rng = np.random.default_rng(seed)
    images: list[np.ndarray] = []
    for i in range(n):
        h, w = (int(v) for v in rng.integers(24, 72, 2))
        kind = i % 8
        if kind == 4:
            w = 4 * h  # odd aspect ratio
        if i == n - 1:
            h = w = 300  # odd size
        bands = (1, 3, 4)[i % 3]
        shape = (h, w) if bands == 1 else (h, w, bands)
        pixels = rng.integers(0, 256, shape).astype(np.uint8)
        if kind == 1:
            pixels //= 12  # dark
        elif kind == 2:
            pixels = (255 - pixels // 40).astype(np.uint8)  # light
        elif kind == 3:
            ramp = np.linspace(0, 60, w)[None, :] + np.linspace(0, 20, h)[:, None]  # blurry: a smooth dim ramp
            ramp = np.clip(ramp, 0, 255).astype(np.uint8)
            ramp = ramp if bands == 1 else np.repeat(ramp[:, :, None], bands, axis=2)
            pixels = np.asarray(Image.fromarray(ramp).filter(ImageFilter.GaussianBlur(3)))
        elif kind == 5:
            pixels = np.full(shape, int(rng.integers(0, 256)), dtype=np.uint8)  # low information
        elif kind == 6 and images:
            pixels = images[-1].copy()  # an exact duplicate of the previous image
        images.append(pixels)
    return images


def save(images: list[np.ndarray], folder: Path) -> list[str]:
    """Each image as a PNG in ``folder``; their paths."""
    paths = []
    for i, pixels in enumerate(images):
        path = folder / f"{i:04d}.png"
        Image.fromarray(pixels).save(path)
        paths.append(str(path))
    return paths
