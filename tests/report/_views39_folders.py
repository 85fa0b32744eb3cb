"""Builders of the label folders of views39's tests: each folder written by its real command (CliRunner)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def run(*args: str) -> None:
    """Run ``labelwise ARGS``; fail with its output when it fails."""
    result = CliRunner().invoke(main, [*args, "--quiet"])
    assert result.exit_code == 0, result.output


def tags_folder(root: Path) -> Path:
    """20 items, 4 annotators, tags cat/dog/bird; a3 answers at random (contested items)."""
    rng = np.random.default_rng(1)
    rows = []
    for i in range(20):
        truth = {"cat"} | ({"dog"} if i % 2 else set()) | ({"bird"} if i % 5 == 0 else set())
        for a in range(4):
            given = (
                truth if a < 3 and rng.random() < 0.85 else {t for t in ("cat", "dog", "bird") if rng.random() < 0.5}
            )
            rows.append((f"i{i}", f"a{a}", "|".join(sorted(given))))
    pd.DataFrame(rows, columns=["item", "annotator", "tags"]).to_csv(root / "tags.csv", index=False)
    run("aggregate-tags", str(root / "tags.csv"), "--out", str(root / "tags-out"))
    return root / "tags-out"


def boxes_folder(root: Path) -> Path:
    """6 images, 3 annotators, two objects each; ann2 misses the person on images 0-2 and adds a box on 3."""
    rng = np.random.default_rng(2)
    rows = []
    for img in range(6):
        for a in range(3):
            for b, label in enumerate(("car", "person")):
                if a == 2 and label == "person" and img < 3:
                    continue
                x, y = 10 + 50 * b + rng.normal(0, 2), 10 + rng.normal(0, 2)
                rows.append((f"img{img}", f"ann{a}", x, y, x + 30, y + 30, label))
        if img == 3:
            rows.append(("img3", "ann2", 5.0, 60.0, 25.0, 80.0, "car"))
    cols = ["image", "annotator", "x_min", "y_min", "x_max", "y_max", "label"]
    pd.DataFrame(rows, columns=cols).to_csv(root / "boxes.csv", index=False)
    run("aggregate-boxes", str(root / "boxes.csv"), "--out", str(root / "boxes-out"))
    return root / "boxes-out"


def masks_folder(root: Path) -> Path:
    """4 items of 16 x 16 binary masks by 3 annotators, each flipping more pixels than the last."""
    rng = np.random.default_rng(3)
    (root / "m").mkdir()
    rows = []
    for item in range(4):
        truth = np.zeros((16, 16), np.uint8)
        truth[3 + item : 12, 4:12] = 1
        for a in range(3):
            mask = truth.copy()
            flip = rng.random(mask.shape) < 0.04 * (a + 1)
            mask[flip] = 1 - mask[flip]
            np.save(root / "m" / f"{item}_{a}.npy", mask)
            rows.append((f"it{item}", f"ann{a}", f"m/{item}_{a}.npy"))
    pd.DataFrame(rows, columns=["item", "annotator", "path"]).to_csv(root / "masks.csv", index=False)
    run("aggregate-masks", str(root / "masks.csv"), "--out", str(root / "masks-out"))
    return root / "masks-out"


def numbers_folder(root: Path) -> Path:
    """15 items, 4 annotators of growing bias and noise."""
    rng = np.random.default_rng(4)
    rows = [(f"i{i}", f"a{a}", i + 0.5 * a + rng.normal(0, 0.2 * (a + 1))) for i in range(15) for a in range(4)]
    pd.DataFrame(rows, columns=["item", "annotator", "value"]).to_csv(root / "numbers.csv", index=False)
    run("aggregate-numbers", str(root / "numbers.csv"), "--out", str(root / "numbers-out"))
    return root / "numbers-out"


def texts_folder(root: Path) -> Path:
    """6 items, 3 annotators; a2 swaps a letter, and writes another sentence for i5."""
    base = [
        "the cat sat on the mat",
        "a dog ran home",
        "hello world",
        "big red car",
        "blue sky today",
        "ten tall trees",
    ]
    rows = []
    for i, text in enumerate(base):
        for a in range(3):
            answer = text if a < 2 else text.replace("a", "e")
            rows.append((f"i{i}", f"a{a}", "an owl at night" if (a == 2 and i == 5) else answer))
    pd.DataFrame(rows, columns=["item", "annotator", "text"]).to_csv(root / "texts.csv", index=False)
    run("aggregate-texts", str(root / "texts.csv"), "--method", "rasa", "--out", str(root / "texts-out"))
    return root / "texts-out"


def pairs_folder(root: Path) -> Path:
    """80 comparisons of 6 items by 3 annotators (noisy-bt)."""
    rng = np.random.default_rng(5)
    rows = []
    for k in range(80):
        i, j = rng.choice(6, 2, replace=False)
        p = 1 / (1 + np.exp(j - i))
        rows.append((f"x{i}", f"x{j}", f"x{i}" if rng.random() < p else f"x{j}", f"a{k % 3}"))
    pd.DataFrame(rows, columns=["left", "right", "winner", "annotator"]).to_csv(root / "pairs.csv", index=False)
    run("aggregate-pairs", str(root / "pairs.csv"), "--method", "noisy-bt", "--out", str(root / "pairs-out"))
    return root / "pairs-out"


def crowds_folder(root: Path) -> Path:
    """60 rows of 3 features, 3 annotators of accuracy 0.9, 0.8 and 0.6."""
    rng = np.random.default_rng(6)
    x = rng.normal(size=(60, 3))
    y = (x[:, 0] > 0).astype(int)
    pd.DataFrame(x, columns=["f0", "f1", "f2"]).to_csv(root / "features.csv", index=False)
    rows = [
        (i, f"a{a}", ["neg", "pos"][y[i] if rng.random() < (0.9, 0.8, 0.6)[a] else 1 - y[i]])
        for i in range(60)
        for a in range(3)
    ]
    pd.DataFrame(rows, columns=["item", "annotator", "label"]).to_csv(root / "answers.csv", index=False)
    run(
        "train-crowds",
        str(root / "features.csv"),
        str(root / "answers.csv"),
        "--cv",
        "2",
        "--out",
        str(root / "crowds-out"),
    )
    return root / "crowds-out"


WEAK_LFS = """
from labelwise.weak import labeling_function

@labeling_function()
def has_link(row):
    return "spam" if "http" in row.text else None

@labeling_function(vectorized=True)
def short(df):
    return df.text.str.len().lt(12).map({True: "ham", False: None})

@labeling_function()
def money(row):
    return "spam" if "$" in row.text else None

@labeling_function()
def kin(row):
    return "ham" if "mom" in row.text or "please" in row.text else None
"""

WEAK_DATA = (
    "id,body,gold\n1,win $ now http://x,spam\n2,hi mom,ham\n3,see http://y.com please,spam\n4,lunch today?,ham\n"
    "5,$$$ cash http://z,spam\n6,ok,ham\n7,call mom please,ham\n8,$ deal,spam\n"
)


def weak_folder(root: Path, *, gold: bool = True, lfs: str = WEAK_LFS) -> Path:
    """8 rows, 4 labeling functions (two spam rules, two ham rules; short and kin each miss once against gold)."""
    (root / "lfs.py").write_text(lfs, encoding="utf-8")
    (root / "data.csv").write_text(WEAK_DATA, encoding="utf-8")
    args = ["--text-column", "body", "--id-column", "id", *(["--gold-column", "gold"] if gold else [])]
    run("weak", str(root / "lfs.py"), str(root / "data.csv"), *args, "--out", str(root / "weak-out"))
    return root / "weak-out"


COPIES = """
from labelwise.weak import labeling_function

def _make(col):
    @labeling_function(name=col)
    def lf(row):
        v = getattr(row, col)
        return v if isinstance(v, str) and v else None
    return lf

lfs = [_make(c) for c in ("v1", "v2", "v3", "v4", "v5")]
"""


def copies_folder(root, model: str):
    """400 rows, 3 classes, 5 functions of accuracy 0.6-0.8; v4 a copy of v3."""
    rng = np.random.default_rng(0)
    n, classes = 400, np.array(["a", "b", "c"])
    truth = rng.integers(0, 3, n)

    def noisy(acc):
        votes = classes[np.where(rng.random(n) < acc, truth, rng.integers(0, 3, n))].astype(object)
        votes[rng.random(n) > 0.9] = ""
        return votes

    data = pd.DataFrame({"id": [f"r{i}" for i in range(n)], "gold": classes[truth]})
    data["v1"], data["v2"], data["v3"] = noisy(0.8), noisy(0.75), noisy(0.6)
    data["v4"], data["v5"] = data["v3"], noisy(0.7)
    data.to_csv(root / "data.csv", index=False)
    (root / "lfs.py").write_text(COPIES, encoding="utf-8")
    out = root / model
    run("weak", str(root / "lfs.py"), str(root / "data.csv"), "--id-column", "id", "--model", model, "--out", str(out))
    return out


BUILDERS = {
    "aggregate-tags": tags_folder,
    "aggregate-boxes": boxes_folder,
    "aggregate-masks": masks_folder,
    "aggregate-numbers": numbers_folder,
    "aggregate-texts": texts_folder,
    "aggregate-pairs": pairs_folder,
    "train-crowds": crowds_folder,
    "weak": weak_folder,
}


def section(page: str, ident: str) -> str:
    """The ``<section id=ident>`` of the page."""
    match = re.search(r'<section id="' + re.escape(ident) + r'">(.*?)</section>', page, re.S)
    assert match is not None, f"no section {ident!r}"
    return match.group(1)


def rows(page: str, ident: str) -> list[list[str]]:
    """The body rows of the first table of section ``ident``, each as its cells' text."""
    body = section(page, ident)
    table = body[body.index("<tbody>") :]
    return [
        [html.unescape(re.sub(r"<[^>]+>", " ", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        for tr in re.findall(r"<tr>(.*?)</tr>", table.split("</tbody>", 1)[0], re.S)
    ]


def tiles(page: str) -> dict[str, str]:
    """The header's tiles: key -> value."""
    found = re.findall(r'<div class="v">(.*?)</div><div class="k">(.*?)</div>', page)
    return {html.unescape(k): html.unescape(v) for v, k in found}
