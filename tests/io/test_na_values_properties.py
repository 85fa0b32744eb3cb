"""Properties of ``na_values`` (``labelwise.io.read_table``, ``--na-values``): a table of any text
labels written to CSV or TSV reads back as written, with exactly the chosen cells missing.

``na_values=""``: only empty cells are missing, so ``NA``, ``null``, ``nan``, a space or a quote stay
texts. A list: exactly those texts and empty cells. Labels that all read as numbers become numbers
(``read_table`` keeps texts only where two would become one number): those compare as numbers.
"""

from __future__ import annotations

import csv
import json
import math
import tempfile
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.cli import main
from labelwise.errors import InvalidParameterError
from labelwise.io import na_values
from labelwise.io.na_values import PANDAS_NA_VALUES, check_na_values
from labelwise.io.tables import read_table

SETTINGS = settings(max_examples=60, deadline=None)

#: Texts that a reader may take for missing, or that a CSV writer must quote.
SPECIAL = sorted(PANDAS_NA_VALUES) + [" ", "  NA", "NA ", '"', '""', ",", "\t", "a,b", 'say "hi"', "é", "NA\nNA", "‐"]
SPECIAL += ["\u2028", "\x85", "None", "true", "False", "inf", "-inf", "1", "01", "1.0", "0x1", "#", "'NA'"]

#: Any text but a carriage return (pandas' writer leaves a lone ``\r`` unquoted: a writer's limit,
#: not the reader's) or a NUL (which the C parser reads as the end of the cell).
texts = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"), max_size=6),
)


def _expected(labels: list[str], missing: set[str]) -> list[str | None]:
    return [None if (t == "" or t in missing) else t for t in labels]


def _same(read: pd.Series, expected: list[str | None]) -> None:
    """``read`` holds ``expected``: texts as texts (or, all of them numbers or
    booleans, as those), None missing."""
    assert len(read) == len(expected)
    for value, want in zip(read.tolist(), expected, strict=True):
        if want is None:
            assert value is None or (isinstance(value, float) and math.isnan(value)), (value, expected)
        elif isinstance(value, str):
            assert value == want, (value, want, expected)
        elif isinstance(value, bool):  # a column whose every text is true or false
            assert want.lower() == str(value).lower(), (value, want)
        else:  # a column whose every text is a number
            assert float(value) == float(want) or (math.isnan(float(want)) and math.isnan(value)), (value, want)


def _write(path: Path, labels: list[str], sep: str, quote_all: bool) -> None:
    frame = pd.DataFrame({"id": range(len(labels)), "label": labels})
    if quote_all:
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, delimiter=sep, quoting=csv.QUOTE_ALL, lineterminator="\n")
            writer.writerow(frame.columns)
            writer.writerows(frame.astype(str).itertuples(index=False))
    else:
        frame.to_csv(path, index=False, sep=sep)


@SETTINGS
@given(
    labels=st.lists(texts, min_size=1, max_size=8),
    suffix=st.sampled_from([".csv", ".tsv"]),
    quote_all=st.booleans(),
    as_text=st.booleans(),
)
def test_only_empty_cells_are_missing_with_empty_na_values(labels, suffix, quote_all, as_text):
    """``na_values=""``: every text reads back as written; only the empty cells are missing."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"t{suffix}"
        _write(path, labels, "\t" if suffix == ".tsv" else ",", quote_all)
        frame = read_table(path, na_values="", text_columns=["label"] if as_text else ())
    assert frame["id"].tolist() == list(range(len(labels)))
    _same(frame["label"], _expected(labels, set()))


@SETTINGS
@given(
    data=st.data(),
    labels=st.lists(texts, min_size=1, max_size=8),
    suffix=st.sampled_from([".csv", ".tsv"]),
    as_text=st.booleans(),
)
def test_exactly_the_listed_texts_are_missing(data, labels, suffix, as_text):
    """``na_values=[...]``: exactly the listed texts (and empty cells) are missing, pandas' other markers
    kept. Markers that read as numbers are left to the example test below: pandas also matches them
    by value (``1`` makes ``1.0`` missing)."""
    markers = data.draw(st.lists(st.sampled_from(labels) | texts, max_size=3).map(_not_numbers))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"t{suffix}"
        _write(path, labels, "\t" if suffix == ".tsv" else ",", False)
        frame = read_table(path, na_values=markers, text_columns=["label"] if as_text else ())
    _same(frame["label"], _expected(labels, set(markers)))


def _not_numbers(markers: list[str]) -> list[str]:
    """The markers that no number parser would read as a number (Python's ``float`` accepts more
    texts than pandas', so this leaves out every marker pandas could match by value)."""

    def number(text: str) -> bool:
        try:
            float(text)
        except ValueError:
            return False
        return True

    return [m for m in markers if not number(m)]


def test_a_number_marker_also_makes_the_same_number_written_otherwise_missing(tmp_path):
    """``na_values=["-999"]`` on a numeric column: ``-999`` and ``-999.0`` are both missing, as pandas
    reads a sentinel number (documented in docs/missing-values.md); other numbers are kept."""
    path = tmp_path / "t.csv"
    path.write_text("id,x\n0,-999.0\n1,3\n2,-999\n3,999\n")
    x = read_table(path, na_values=["-999"])["x"]
    assert x.isna().tolist() == [True, False, True, False]
    assert x.iloc[3] == 999


@SETTINGS
@given(labels=st.lists(texts, min_size=1, max_size=8))
def test_default_reads_pandas_markers_as_missing(labels):
    """``na_values=None``: pandas' markers and empty cells are missing, every other text kept."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        _write(path, labels, ",", False)
        frame = read_table(path, text_columns=["label"])
    _same(frame["label"], _expected(labels, set(PANDAS_NA_VALUES)))


@given(st.lists(st.text(max_size=4), max_size=4))
def test_check_na_values_keeps_the_non_empty_texts_in_order(values):
    """A list keeps its non-empty texts, first-seen order, no repeats; a non-string entry is refused."""
    assert check_na_values(values) == tuple(dict.fromkeys(v for v in values if v))
    with pytest.raises(InvalidParameterError, match="na_values must be a list of strings"):
        check_na_values([*values, 1])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=",\x00"), max_size=4),
        min_size=1,
        max_size=4,
    )
)
def test_cli_option_refuses_an_empty_entry(parts):
    """``--na-values``: a comma-separated value with an empty (or all-space) entry is refused in one line,
    unless the whole value is blank (only empty cells); otherwise the stripped texts are recorded."""
    value = ",".join(parts)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.csv"
        pd.DataFrame({"item": [0, 0, 1], "annotator": ["a", "b", "a"], "label": ["NA", "NA", "x"]}).to_csv(
            path, index=False
        )
        out = Path(tmp) / "out"
        args = ["aggregate", str(path), "--method", "majority-vote", "--na-values", value, "--out", str(out)]
        result = CliRunner().invoke(main, args)
        stripped = [p.strip() for p in parts]
        if not value.strip():
            assert result.exit_code == 0, result.output
        elif not all(stripped):
            assert result.exit_code == 2
            lines = result.output.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: --na-values must be texts separated by commas")
        else:
            assert result.exit_code in (0, 2), result.output
            if result.exit_code == 0:
                recorded = json.loads((out / "summary.json").read_text())["settings"]["na_values"]
                assert recorded == list(dict.fromkeys(stripped))


@SETTINGS
@given(
    labels=st.lists(texts, min_size=1, max_size=10),
    suffix=st.sampled_from([".csv", ".tsv"]),
    block=st.integers(1, 4),
    quote_all=st.booleans(),
    data=st.data(),
)
def test_raw_cell_quotes_the_text_as_written_whatever_the_block(labels, suffix, block, quote_all, data):
    """``raw_cell`` (what the missing-label error quotes): the cell's text as written, for any row and any
    block size of its read; None past the last row or for a column the file lacks."""
    row = data.draw(st.integers(0, len(labels)))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"t{suffix}"
        _write(path, labels, "\t" if suffix == ".tsv" else ",", quote_all)
        with mock.patch.object(na_values, "_BLOCK", block):
            text = na_values.raw_cell(path, "label", row)
            assert na_values.raw_cell(path, "nothing", 0) is None
    assert text == (labels[row] if row < len(labels) else None)


#: Classes spelled like pandas' missing markers, and other texts (the export round trip).
CLASS_TEXTS = st.sampled_from(["NA", "null", "nan", "None", "N/A", "<NA>", " ", "a,b", '"q"', "é", "x"])


@settings(max_examples=12, deadline=None)
@given(
    classes=st.lists(CLASS_TEXTS, min_size=2, max_size=3, unique=True),
    notes=st.lists(texts.filter(lambda t: "\n" not in t), min_size=12, max_size=12),
    seed=st.integers(0, 2**16),
)
def test_an_audit_with_empty_na_values_exports_every_cell_as_written(classes, notes, seed):
    """``audit --na-values ""`` then ``export`` with no decision: the cleaned table's cells are the data's
    texts, NA-like classes and notes included (only empty cells stay empty)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    labels = [classes[i % len(classes)] for i in range(12)]
    frame = pd.DataFrame({"x": rng.normal(size=12).round(3), "note": notes, "label": labels})
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        frame.to_csv(root / "data.csv", index=False)
        np.save(root / "p.npy", rng.dirichlet(np.ones(len(classes)), 12))
        args = ["audit", str(root / "data.csv"), "--label", "label", "--probs", str(root / "p.npy")]
        result = CliRunner().invoke(main, [*args, "--na-values", "", "--out", str(root / "out"), "--no-report"])
        assert result.exit_code == 0, result.output
        result = CliRunner().invoke(main, ["export", str(root / "out"), "--out", str(root / "cleaned.csv")])
        assert result.exit_code == 0, result.output
        written = pd.read_csv(root / "data.csv", keep_default_na=False, dtype=str)
        cleaned = pd.read_csv(root / "cleaned.csv", keep_default_na=False, dtype=str)
    assert cleaned["label"].tolist() == labels
    assert cleaned["note"].tolist() == written["note"].tolist()


@SETTINGS
@given(labels=st.lists(texts, min_size=1, max_size=8), listed=st.booleans())
def test_a_long_answers_table_keeps_every_answer_but_the_missing(labels, listed):
    """``read_annotations(format="long", na_values=...)``: the answers kept are the rows whose label is not
    missing under ``na_values`` (``""``, or a list) nor blank, in file order and as written; none kept is refused."""
    from labelwise.errors import AnnotationError
    from labelwise.io import read_annotations

    markers, missing = (["NA"], {"NA"}) if listed else ("", set())
    kept = [(i, t) for i, t in enumerate(labels) if t.strip() != "" and t not in missing]  # blank: dropped
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers.csv"
        pd.DataFrame({"item": range(len(labels)), "annotator": "a", "label": labels}).to_csv(path, index=False)
        if not kept:
            with pytest.raises(AnnotationError, match="has no usable answers"):
                read_annotations(path, format="long", na_values=markers)
            return
        read = read_annotations(path, format="long", na_values=markers)
    assert [int(i) for i in read.answers["item"]] == [i for i, _ in kept]
    _same(read.answers["label"].reset_index(drop=True), [t for _, t in kept])
    assert read.n_records == len(labels)
