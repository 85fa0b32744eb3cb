"""Every command's "wrote" line names each file it wrote as a path the user can open.

Commands printed ``wrote x1/texts.csv, annotators.csv, summary.json`` (the folder on the first
file only), ``wrote labels.csv, ... to x1`` or left a written file out (``rank-agreement``'s
agreement.html); a folder named with rich markup (``out[b]``) lost its ``[b]``. Each command now
prints its line through :func:`labelwise.cli._wrote.print_wrote`. The runs are the bad-input
sweep's valid invocations (``tests/cli/sweep/specs.py``), here into a folder named ``out[b]``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.cli._wrote import wrote_text
from tests.cli.sweep.specs import INPUT_FILES, SPECS, make_inputs

#: The sweep's runs whose line is checked: every command with a "wrote" line.
NAMES = [
    "aggregate",
    "aggregate-pairs",
    "aggregate-texts",
    "aggregate-boxes",
    "aggregate-boxes/coco",
    "aggregate-masks",
    "aggregate-tags",
    "shift",
    "label-shift",
    "train-crowds",
    "train-tags",
    "pseudolabel",
    "detect-poison",
    "rank-agreement",
    "evaluate",
    "weak",
    "slices",
    "augment",
    "corrupt",
    "audit",
    "train",
    "robustness",
]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("wrote38") / "inputs"
    make_inputs(folder)
    return {key: folder / name for key, name in INPUT_FILES.items()}


def _run(name: str, inputs: dict[str, Path], tmp_path: Path) -> tuple[str, Path]:
    spec = SPECS[name]
    folder = tmp_path / "out[b]"
    out = folder / spec.outputs[0] if spec.out_kind == "file" else folder
    values = {key: str(p) for key, p in inputs.items()} | {"out": str(out)}
    argv = [arg.format(**values) for arg in spec.argv if arg != "--quiet"]
    argv += ["--out", str(out)] if spec.out_kind == "folder" else []
    result = CliRunner(env={"COLUMNS": None}).invoke(main, argv, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if "wrote " in line]
    assert len(lines) == 1, result.stdout
    return lines[0].split("wrote ", 1)[1], folder


@pytest.mark.parametrize("name", NAMES)
def test_each_written_file_is_named_by_its_path(name, inputs, tmp_path):
    """Each name on the line is a path inside the output folder, as given, that exists; the spec's
    outputs are all named; nothing else was written."""
    said, folder = _run(name, inputs, tmp_path)
    named = [Path(re.sub(r" \([^()]*\)$", "", part)) for part in said.split(", ")]
    assert all(path.parent == folder and path.exists() for path in named), said
    assert {path.name for path in named} == {p.name for p in folder.iterdir()}, said
    assert set(SPECS[name].outputs) <= {path.name for path in named}


def test_masks_keep_their_count_note(inputs, tmp_path):
    """aggregate-masks names its masks folder with the count of masks written in it."""
    said, folder = _run("aggregate-masks", inputs, tmp_path)
    n = len(list((folder / "masks").iterdir()))
    assert said.startswith(f"{folder / 'masks'}/ ({n} mask{'s' if n != 1 else ''}), {folder / 'items.csv'}, ")


def test_wrote_text_escapes_markup_and_needs_a_file():
    assert wrote_text(["a[b]/x.csv", ("m/", "2 masks")]) == r"wrote a\[b]/x.csv, m/ (2 masks)"
    with pytest.raises(ValueError, match="at least one file"):
        wrote_text([])
