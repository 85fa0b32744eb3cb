"""Properties of ``labelwise corrupt --task multilabel`` on any small CSV of tag cells: the flips are
``flip_tags``'s for every seed and rates (per tag too); the same seed writes the same bytes; a row whose
tags did not change is written byte for byte; an order-keeping renaming of the tags flips the same cells."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise.audit.multilabel import encode_multilabel
from labelwise.cli import main

SETTINGS = settings(max_examples=20, deadline=None)
#: Tag names in sorted order; RENAMED keeps that order (so the matrix columns stay where they were).
NAMES = ["ant", "bee", "cow", "doe", "elk"]
RENAMED = ["Ape", "Bat", "Cat", "Dog", "Emu"]


@st.composite
def tables(draw):
    """Rows of an id, a text cell ('007', 'a, b', empty) and a tag cell: 'a|b', ' a | b ', or empty."""
    n = draw(st.integers(3, 30))
    k = draw(st.integers(1, len(NAMES)))
    sets = draw(st.lists(st.lists(st.integers(0, k - 1), unique=True, max_size=k), min_size=n, max_size=n))
    sets[0] = sets[0] or [0]  # at least one tag in the column
    spaced = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    notes = draw(st.lists(st.sampled_from(["x", "", "a, b", "007"]), min_size=n, max_size=n))
    return sets, spaced, notes


def _write(folder: Path, sets, spaced, notes, names) -> Path:
    cells = [(" | " if s else "|").join(names[j] for j in tags) for tags, s in zip(sets, spaced, strict=True)]
    path = folder / "data.csv"
    pd.DataFrame({"id": [f"{i:03d}" for i in range(len(sets))], "note": notes, "tags": cells}).to_csv(path, index=False)
    return path


def _corrupt(path: Path, out: Path, *args: str) -> None:
    result = CliRunner().invoke(
        main, ["corrupt", str(path), "--task", "multilabel", "--label", "tags", *args, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output


def _matrix(path: Path, classes=None):
    cells = pd.read_csv(path, dtype=str, keep_default_na=False)["tags"]
    return encode_multilabel([c or None for c in cells], classes=classes)


@SETTINGS
@given(table=tables(), seed=st.integers(0, 2**32 - 1), drop=st.sampled_from([0.0, 0.3, 1.0]),
       add=st.sampled_from([0.0, 0.2, 0.5]))  # fmt: skip
def test_flips_are_flip_tags_and_unchanged_rows_are_byte_identical(table, seed, drop, add):
    """drop-add flips flip_tags(tags, drop, add, seed)'s cells; same seed, same bytes; unchanged rows as written."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = _write(folder, *table, NAMES)
        args = ("--noise", "drop-add", "--drop-rate", str(drop), "--add-rate", str(add), "--random-state", str(seed))
        _corrupt(path, folder / "a.csv", *args)
        _corrupt(path, folder / "b.csv", *args)
        assert (folder / "a.csv").read_bytes() == (folder / "b.csv").read_bytes()
        given_tags, classes = _matrix(path)
        expected = lw.noise.flip_tags(given_tags, drop_rate=drop, add_rate=add, random_state=seed)
        np.testing.assert_array_equal(_matrix(folder / "a.csv", classes)[0], expected.labels)
        before, after = path.read_text().splitlines(), (folder / "a.csv").read_text().splitlines()
        changed = expected.is_flipped.any(axis=1)
        assert [b != a for b, a in zip(before[1:], after[1:], strict=True)] == changed.tolist()


@SETTINGS
@given(table=tables(), seed=st.integers(0, 2**32 - 1), rates=st.lists(st.sampled_from([0.0, 0.1, 0.5, 1.0]),
       min_size=len(NAMES), max_size=len(NAMES)))  # fmt: skip
def test_per_tag_rates_are_each_tags_flip_tags_column(table, seed, rates):
    """--tag-rates: tag k flips as column k of flip_tags(tags, rate_k, rate_k, seed), for any rates."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = _write(folder, *table, NAMES)
        given_tags, classes = _matrix(path)
        per_tag = dict(zip(NAMES, rates, strict=True))
        pd.DataFrame({"tag": classes, "rate": [per_tag[c] for c in classes]}).to_csv(folder / "r.csv", index=False)
        _corrupt(path, folder / "o.csv", "--tag-rates", str(folder / "r.csv"), "--random-state", str(seed))
        written = _matrix(folder / "o.csv", classes)[0]
        for k, tag in enumerate(classes.tolist()):
            drawn = lw.noise.flip_tags(given_tags, drop_rate=per_tag[tag], add_rate=per_tag[tag], random_state=seed)
            np.testing.assert_array_equal(written[:, k], drawn.labels[:, k])


@SETTINGS
@given(table=tables(), seed=st.integers(0, 2**32 - 1))
def test_an_order_keeping_renaming_flips_the_same_cells(table, seed):
    """Tags renamed with their sorted order kept: the same cells flip (the truth files' is_flipped agree)."""
    with tempfile.TemporaryDirectory() as tmp:
        marks = []
        for names in (NAMES, RENAMED):
            folder = Path(tmp) / names[0]
            folder.mkdir()
            path = _write(folder, *table, names)
            _corrupt(path, folder / "o.csv", "--rate", "0.3", "--random-state", str(seed))
            marks.append(pd.read_csv(folder / "o.truth.csv")["is_flipped"].tolist())
        assert marks[0] == marks[1]
