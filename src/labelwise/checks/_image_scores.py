"""The per-image measurements of the image checks and the scores made from them.

Each measurement is the one cleanvision 0.3.7 computes (``issue_managers/image_property.py`` and
``duplicate_issue_manager.py``, Apache-2.0), written here in numpy on the 8-bit pixels of
:mod:`labelwise.io.images`:

- brightness of a pixel: ``sqrt(0.241 r^2 + 0.691 g^2 + 0.068 b^2) / 255`` (its value / 255 for a
  grey image); the 99th and the 5th percentiles (numpy's linear interpolation) per image;
- entropy: Shannon entropy, in bits, of the image's histogram with its bands' 256 bins side by
  side (Pillow's ``Image.entropy``);
- blurriness: the image shrunk by Pillow (bicubic) until its longer side is at most 64 pixels,
  converted to grey; the standard deviation of its edge image (Pillow's ``FIND_EDGES`` 3x3
  kernel, border pixels kept), and the standard deviation of its 256-bin histogram;
- size: ``sqrt(w) * sqrt(h)``; aspect ratio ``min(w / h, h / w)``;
- exact-duplicate key: a BLAKE2 digest of the pixels with their shape (cleanvision: MD5 of the
  pixel bytes alone, so two images of the same bytes in another shape are duplicates there);
- perceptual hash (Zauner, 2010): the grey image resized to 32 x 32 (Lanczos), its 2-D DCT-II,
  the 8 x 8 lowest frequencies compared with their median: 64 bits (imagehash's ``phash``).

References
----------
.. [1] Zauner, C. (2010). Implementation and benchmarking of perceptual image hash functions.
   Master's thesis, Upper Austria University of Applied Sciences.
.. [2] Pech-Pacheco, J. L., Cristobal, G., Chamorro-Martinez, J., & Fernandez-Valdivia, J. (2000).
   Diatom autofocusing in brightfield microscopy: a comparative study. ICPR 2000 (edge variance as
   a focus measure).
"""

from __future__ import annotations

import hashlib

import numpy as np
import scipy.fft

from ..io.images import pillow

#: The measurements per image, in the order of :func:`measure`'s row.
MEASURES = (
    "width",
    "height",
    "bands",
    "brightness_perc_99",
    "brightness_perc_5",
    "entropy",
    "blurriness",
    "blurriness_grayscale_std",
)
#: Longest side of the image the blur is measured on (cleanvision's ``MAX_RESOLUTION_FOR_BLURRY_DETECTION``).
BLUR_RESOLUTION = 64
HASH_SIDE, HASH_BITS = 32, 8


def brightness(pixels: np.ndarray) -> np.ndarray:
    """Per-pixel brightness in [0, 1] (module docstring)."""
    if pixels.ndim == 2:
        return pixels / 255.0
    r, g, b = (pixels[:, :, i].astype(np.int64) for i in range(3))
    return np.sqrt(0.241 * (r * r) + 0.691 * (g * g) + 0.068 * (b * b)) / 255


#: ``1000 x`` each channel's weighted square: a pixel's brightness is ``sqrt(key / 1000) / 255``,
#: and the key, an integer, orders the pixels as their brightness does.
_KEYS = tuple((w * np.arange(256) ** 2).astype(np.int32) for w in (241, 691, 68))  # at most 65,025,000


def brightness_percentiles(pixels: np.ndarray, percentiles: tuple[float, ...] = (99, 5)) -> np.ndarray:
    """Percentiles of :func:`brightness` as numpy's ``percentile`` gives them (linear interpolation
    between two order statistics), found by partitioning integer keys: no float image is made."""
    if pixels.ndim == 2:
        keys = pixels.ravel()
        value = lambda k: k / 255.0  # noqa: E731
    else:
        keys = (_KEYS[0][pixels[:, :, 0]] + _KEYS[1][pixels[:, :, 1]] + _KEYS[2][pixels[:, :, 2]]).ravel()
        value = lambda k: np.sqrt(k / 1000.0) / 255  # noqa: E731
    position = np.asarray(percentiles, dtype=np.float64) / 100 * (keys.size - 1)
    lo = np.floor(position).astype(np.int64)
    hi = np.minimum(lo + 1, keys.size - 1)
    part = np.partition(keys, np.unique(np.concatenate([lo, hi])))
    a, b, t = value(part[lo].astype(np.float64)), value(part[hi].astype(np.float64)), position - lo
    return np.where(t >= 0.5, b - (b - a) * (1 - t), a + (b - a) * t)  # numpy's lerp


def entropy(pixels: np.ndarray) -> float:
    """Shannon entropy (bits) of the bands' histograms side by side."""
    bands = [pixels] if pixels.ndim == 2 else [pixels[:, :, i] for i in range(pixels.shape[2])]
    counts = np.concatenate([np.bincount(band.ravel(), minlength=256) for band in bands])
    p = counts[counts > 0] / pixels.size
    return float(-(p * np.log2(p)).sum())


def grey_for_blur(pixels: np.ndarray) -> np.ndarray:
    """The grey image the blur is measured on: shrunk (Pillow, bicubic) to a longer side of at most 64."""
    image = pillow().fromarray(pixels)
    h, w = pixels.shape[:2]
    ratio = max(w, h) / BLUR_RESOLUTION
    if ratio > 1:
        image = image.resize((max(int(w // ratio), 1), max(int(h // ratio), 1)))
    return np.asarray(image.convert("L"))


def edges(grey: np.ndarray) -> np.ndarray:
    """Pillow's ``FIND_EDGES``: ``8 x centre - its 8 neighbours`` clipped to 0..255, border pixels kept."""
    out = grey.astype(np.int64)
    h, w = out.shape
    if h < 3 or w < 3:
        return out
    window = sum(out[i : h - 2 + i, j : w - 2 + j] for i in range(3) for j in range(3))
    inner = out.copy()
    inner[1:-1, 1:-1] = np.clip(9 * out[1:-1, 1:-1] - window, 0, 255)
    return inner


def measure(pixels: np.ndarray) -> tuple[np.ndarray, bytes, np.ndarray]:
    """One image's measurements (:data:`MEASURES`), exact-duplicate key and 32 x 32 grey image for the hash."""
    h, w = pixels.shape[:2]
    bands = 1 if pixels.ndim == 2 else pixels.shape[2]
    p99, p5 = brightness_percentiles(pixels)
    grey = grey_for_blur(pixels)
    edge = edges(grey)
    histogram = np.bincount(grey.ravel(), minlength=256)
    row = np.array([w, h, bands, p99, p5, entropy(pixels), np.sqrt(edge.var()), histogram.std()])
    key = hashlib.blake2b(pixels.tobytes() + repr(pixels.shape).encode(), digest_size=16).digest()
    Image = pillow()
    small = np.asarray(Image.fromarray(pixels).convert("L").resize((HASH_SIDE, HASH_SIDE), Image.Resampling.LANCZOS))
    return row, key, small


def perceptual_hashes(small: np.ndarray) -> np.ndarray:
    """64-bit perceptual hashes of a block of 32 x 32 grey images (shape ``(m, 32, 32)``), one DCT for the block."""
    if len(small) == 0:
        return np.zeros(0, dtype=np.uint64)
    dct = scipy.fft.dct(scipy.fft.dct(small.astype(np.float64), axis=1), axis=2)
    low = dct[:, :HASH_BITS, :HASH_BITS].reshape(len(small), -1)
    bits = low > np.median(low, axis=1, keepdims=True)
    return np.packbits(bits, axis=1).view(">u8").ravel().astype(np.uint64)


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise Hamming distances between two sets of 64-bit hashes (``len(a) x len(b)``)."""
    return np.bitwise_count(a[:, None] ^ b[None, :]).astype(np.int64)


def close_pairs_all(values: np.ndarray, distance: int, block: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs ``(i, j)`` of hashes within ``distance`` bits, every pair compared, ``block`` rows at a time.

    Quadratic: the reference and the fallback of :func:`close_pairs_indexed`. Both orders of a
    pair and ``(i, i)`` are returned.
    """
    pairs_a, pairs_b = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for start in range(0, len(values), block):  # a block of hashes against all: bounded memory
        a, b = np.nonzero(hamming(values[start : start + block], values) <= distance)
        pairs_a.append(a + start)
        pairs_b.append(b)
    return np.concatenate(pairs_a), np.concatenate(pairs_b)


def substrings(distance: int) -> list[tuple[int, int]]:
    """The ``distance + 1`` disjoint bit ranges ``(shift, width)`` of a 64-bit hash, widths within one bit."""
    m = distance + 1
    widths = [64 // m + (j < 64 % m) for j in range(m)]
    shifts = np.cumsum([0, *widths[:-1]])
    return [(int(s), w) for s, w in zip(shifts, widths, strict=True)]


def close_pairs_indexed(values: np.ndarray, distance: int) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs ``(i, j)``, ``i != j``, of hashes within ``distance`` bits, by multi-index hashing.

    The 64 bits are split into ``distance + 1`` disjoint substrings (:func:`substrings`); two
    hashes within ``distance`` bits agree on at least one of them (pigeonhole). For each
    substring the hashes are sorted by it, and every pair inside a run of equal substrings is a
    candidate, taken as the pairs ``t`` apart in the sorted order for ``t = 1, 2, ...`` (at most
    ``len(values)`` candidates at a time: bounded memory); only candidates get their exact
    distance. A pair found on an earlier substring is not repeated, so each pair is returned once
    (one order). Exact: the pairs of :func:`close_pairs_all` without the diagonal, one order.

    References
    ----------
    .. [1] Norouzi, M., Punjani, A., & Fleet, D. J. (2012). Fast search in Hamming space with
       multi-index hashing. CVPR 2012, 3108-3115.
    """
    values = np.asarray(values, dtype=np.uint64)
    parts = substrings(distance)
    keys = [(values >> np.uint64(s)) & np.uint64((1 << w) - 1) for s, w in parts]
    pairs_a, pairs_b = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for j, key in enumerate(keys):
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
        ends = np.repeat(np.r_[starts[1:], len(order)], np.diff(np.r_[starts, len(order)]))
        active = np.flatnonzero(ends - np.arange(len(order)) > 1)  # positions with a later run mate
        t = 1
        while len(active):
            a, b = order[active], order[active + t]
            keep = np.bitwise_count(values[a] ^ values[b]) <= distance
            for earlier in keys[:j]:  # found already on an earlier substring
                keep &= earlier[a] != earlier[b]
            pairs_a.append(a[keep])
            pairs_b.append(b[keep])
            t += 1
            active = active[ends[active] - active > t]
    return np.concatenate(pairs_a).astype(np.int64), np.concatenate(pairs_b).astype(np.int64)


#: Narrowest substring (bits) for which :func:`close_pairs` uses the index: ``distance <= 11``.
MIN_SUBSTRING_BITS = 5


def close_pairs(values: np.ndarray, distance: int) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs of hashes within ``distance`` bits: multi-index hashing while its substrings prune.

    :func:`close_pairs_indexed` while the narrowest of its ``distance + 1`` substrings has at
    least :data:`MIN_SUBSTRING_BITS` bits (``distance <= 11``); from 4 bits on (``distance >= 12``),
    random hashes share a substring with a share ``(distance + 1) / 16`` or more of the others,
    pruning too little to pay for the candidates, and every pair is compared
    (:func:`close_pairs_all`). Either way the same pairs, so the same sets.
    """
    if 64 // (distance + 1) >= MIN_SUBSTRING_BITS:
        return close_pairs_indexed(values, distance)
    return close_pairs_all(values, distance)
