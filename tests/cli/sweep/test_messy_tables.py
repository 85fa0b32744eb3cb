"""Every command reads a table as Excel on Windows writes it the same as the plain file: a UTF-8
byte order mark, CRLF line ends and a delimiter ending each data line (session 46's walk).

A delimiter ending each line made pandas take the first cells for a row index and shift every
column onto its neighbour's name, silently in some readers; each command's readers must agree.
"""

from __future__ import annotations

import csv
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


@pytest.mark.parametrize("command", COMMANDS)
def test_a_table_from_excel_on_windows_gives_the_same_outputs(command, inputs, tmp_path):
    """The command's valid run, then the same run with its CSV tables made messy: the same text outputs."""
    spec = SPECS[command]
    runs = {}
    for kind in ("plain", "messy"):
        folder = tmp_path / kind
        folder.mkdir()
        out = folder / spec.outputs[0] if spec.out_kind == "file" else folder / "out"
        if kind == "messy":
            for key, table in spec.inputs.values():
                if table == TABLE and inputs[key].suffix == ".csv":
                    make_messy(inputs[key])
        result = CliRunner().invoke(main, fill(spec, inputs, out), catch_exceptions=False)
        assert result.exit_code == 0, f"{kind}: {result.output}"
        runs[kind] = _written(out.parent if spec.out_kind == "file" else out) if spec.out_kind != "none" else {}
    assert runs["messy"] == runs["plain"]
