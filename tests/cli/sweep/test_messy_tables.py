"""Every command reads a table as Excel on Windows writes it the same as the plain file: a UTF-8
byte order mark, CRLF line ends and a delimiter ending each data line (session 46's walk); and, as
users keep tables (session 47), gzip-compressed (``data.csv.gz``) or as UTF-16 text with a byte
order mark, tab-delimited, under ``.txt`` (Excel's "Unicode Text").

A delimiter ending each line made pandas take the first cells for a row index and shift every
column onto its neighbour's name, silently in some readers; each command's readers must agree.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

from .specs import SPECS, TABLE
from .test_bad_inputs import fill

#: The first spec of each command with a CSV table among its inputs.
COMMANDS = sorted(
    name
    for name, spec in SPECS.items()
    if name == spec.argv[0] and any(kind == TABLE for _, kind in spec.inputs.values())
)


def make_messy(path: Path) -> None:
    """Rewrite the CSV file ``path`` with a byte order mark, CRLF line ends and an empty cell ending each data line."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(rows[0])
    writer.writerows([*row, ""] for row in rows[1:])
    path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")


def _written(folder: Path) -> dict[str, dict]:
    """The tables a run wrote (CSV and JSON Lines files) as texts by column, by name; timings left out."""
    tables = {}
    for p in sorted(folder.iterdir()):
        if p.suffix in (".csv", ".jsonl"):
            frame = (
                pd.read_csv(p, dtype=str, keep_default_na=False) if p.suffix == ".csv" else pd.read_json(p, lines=True)
            )
            tables[p.name] = frame.drop(columns=[c for c in frame.columns if str(c).endswith("seconds")]).to_dict(
                "list"
            )
    return tables


def make_gzip(path: Path) -> Path:
    """A gzip-compressed copy of the CSV file ``path`` beside it (``t.csv.gz``)."""
    target = path.with_name(path.name + ".gz")
    target.write_bytes(gzip.compress(path.read_bytes()))
    return target


def make_utf16(path: Path) -> Path:
    """A copy of the CSV file ``path`` as Excel's "Unicode Text" writes it: UTF-16 LE with a byte order
    mark, tab-delimited, CRLF line ends, ``.txt``."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t", lineterminator="\r\n").writerows(rows)
    target = path.with_name(path.stem + ".utf16.txt")
    target.write_bytes(buffer.getvalue().encode("utf-16"))
    return target


def _variant(kind: str, spec, inputs: dict[str, Path]) -> dict[str, Path]:
    """``inputs`` with each CSV table of ``spec`` made ``kind`` (in place, or a new file in its place)."""
    given = dict(inputs)
    for key, table in spec.inputs.values():
        if table == TABLE and inputs[key].suffix == ".csv":
            if kind == "messy":
                make_messy(inputs[key])
            else:
                given[key] = (make_gzip if kind == "gzip" else make_utf16)(inputs[key])
    return given


@pytest.mark.parametrize("kind", ["messy", "gzip", "utf16"])
@pytest.mark.parametrize("command", COMMANDS)
def test_a_table_from_excel_on_windows_gives_the_same_outputs(command, kind, inputs, tmp_path):
    """The command's valid run, then the same run with its CSV tables made messy (Excel on Windows),
    gzip-compressed, or UTF-16 tab-delimited text: the same text outputs."""
    spec = SPECS[command]
    runs = {}
    for run in ("plain", kind):
        folder = tmp_path / run
        folder.mkdir()
        out = folder / spec.outputs[0] if spec.out_kind == "file" else folder / "out"
        given = inputs if run == "plain" else _variant(kind, spec, inputs)
        result = CliRunner().invoke(main, fill(spec, given, out), catch_exceptions=False)
        assert result.exit_code == 0, f"{run}: {result.output}"
        runs[run] = _written(out.parent if spec.out_kind == "file" else out) if spec.out_kind != "none" else {}
    assert runs[kind] == runs["plain"]
