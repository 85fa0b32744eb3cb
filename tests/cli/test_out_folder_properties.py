"""Properties of the audit's refusal to overwrite its inputs (``cli._out_folder.out_folder``'s
``writes`` and ``rewrites``): for any spelling of ``--out`` and of an input that lies where the audit
writes one of its outputs (relative, absolute, with ``.`` and ``..`` segments, through a symlinked
folder, or a symlink to the file), the run is refused, ``--force`` or not, naming the option, and the
file is left as it was; only the earlier ``probs.npy`` given back as ``--probs`` may be rewritten.
Every other command with an ``--out`` folder refuses the same way (an input at a name it writes).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.cli import main
from labelwise.cli._out_folder import OUTPUTS
from labelwise.io.output_sets import AUDIT_OUTPUTS

SETTINGS = settings(max_examples=60, deadline=None)

#: The audit's path options: the command-line name (as the message gives it) and how it is passed.
OPTIONS = {"DATA": [], "--probs": ["--probs"], "--labels": ["--labels"], "--features": ["--features"]}
#: Spellings of the folder ``out`` (in the working folder, beside ``link``, a symlink to it).
OUT_SPELLINGS = ["out", "./out", "out/", "out/.", "{abs}/out", "link", "./link/", "{abs}/link", "link/../out"]
#: Spellings of ``{out}/{name}``, and a symlink ``alias`` to it.
INPUT_SPELLINGS = [
    "out/{name}",
    "./out/./{name}",
    "{abs}/out/{name}",
    "out/../out/{name}",
    "link/{name}",
    "{abs}/link/{name}",
    "alias",
    "{abs}/alias",
]


@SETTINGS
@given(
    name=st.sampled_from(AUDIT_OUTPUTS),
    option=st.sampled_from(sorted(OPTIONS)),
    out_spelling=st.sampled_from(OUT_SPELLINGS),
    input_spelling=st.sampled_from(INPUT_SPELLINGS),
    force=st.booleans(),
)
def test_an_input_where_the_audit_writes_is_refused_however_spelled(name, option, out_spelling, input_spelling, force):
    """An input at ``OUT/name`` (any spelling of either) is refused naming the option; the file is unchanged."""
    if option == "--probs" and name == "probs.npy":  # rewritten as read: allowed (checked below)
        return
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve()
        (root / "out").mkdir()
        (root / "link").symlink_to(root / "out", target_is_directory=True)
        target = root / "out" / name
        if name == "issues.parquet":  # an output folder: an input inside it is refused too
            target.mkdir()
            target = target / "part-0.parquet"
        target.write_bytes(b"the user's file\n")
        (root / "alias").symlink_to(target)
        spelled = input_spelling.format(abs=root, name=name)
        if name == "issues.parquet" and "alias" not in spelled:
            spelled += "/part-0.parquet"
        args = ["audit", "--out", out_spelling.format(abs=root), "--label", "y", *(["--force"] if force else [])]
        args += [*OPTIONS[option], spelled]
        if option != "DATA":
            (root / "data.csv").write_text("x,y\n1,a\n2,b\n")
            args.append("data.csv")
        try:
            os.chdir(root)
            result = CliRunner().invoke(main, args)
        finally:
            os.chdir(cwd)
        assert result.exit_code == 2, result.output
        assert f"which would replace its input {option} (" in result.output, result.output
        assert target.read_bytes() == b"the user's file\n"


@settings(max_examples=15, deadline=None)
@given(
    spelling=st.sampled_from([s for s in INPUT_SPELLINGS if "{name}" in s] + ["alias"]),
    dtype=st.sampled_from(["float32", "float64"]),
    seed=st.integers(0, 2**16),
)
def test_the_earlier_probs_given_back_as_probs_are_rewritten_as_read(spelling, dtype, seed):
    """``--probs OUT/probs.npy`` (any spelling) with ``--force``: the run goes ahead and writes them back
    bit for bit, in their dtype."""
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet([1.0, 1.0], 20).astype(dtype)
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve()
        (root / "out").mkdir()
        (root / "link").symlink_to(root / "out", target_is_directory=True)
        np.save(root / "out" / "probs.npy", probs)
        (root / "alias").symlink_to(root / "out" / "probs.npy")
        (root / "data.csv").write_text("x,y\n" + "".join(f"{i},{'ab'[i % 2]}\n" for i in range(20)))
        args = ["audit", "data.csv", "--label", "y", "--probs", spelling.format(abs=root, name="probs.npy")]
        try:
            os.chdir(root)
            result = CliRunner().invoke(main, [*args, "--out", "out", "--force"])
        finally:
            os.chdir(cwd)
        assert result.exit_code == 0, result.output
        again = np.load(root / "out" / "probs.npy")
        assert again.dtype == probs.dtype
        np.testing.assert_array_equal(again, probs)


def _same_suffix_target(command: str, inputs: dict) -> tuple[str, str] | None:
    """An input of ``command`` and an output name it writes with the input's suffix (so the moved input
    still reads as before), or None."""
    from tests.cli.sweep.specs import SPECS

    spec = SPECS[command]
    for key, _ in spec.inputs.values():
        suffix = Path(inputs[key]).suffix
        for name in spec.outputs:
            if suffix and name.endswith(suffix):
                return key, name
    return None


def _input_at_an_output(command: str, tmp: Path) -> tuple[list[str], Path, bytes] | None:
    from tests.cli.sweep.specs import SPECS, make_inputs
    from tests.cli.sweep.test_bad_inputs import fill

    inputs = make_inputs(tmp / "inputs")
    found = _same_suffix_target(command, inputs)
    if found is None:
        return None
    key, name = found
    out = tmp / "out"
    out.mkdir()
    moved = out / name
    moved.write_bytes(Path(inputs[key]).read_bytes())
    inputs[key] = moved
    return [*fill(SPECS[command], inputs, out), "--force"], moved, moved.read_bytes()


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_every_command_refuses_to_write_over_its_input_even_with_force(command, tmp_path):
    """Each command with an --out folder: an input at ``OUT/name`` for a name it writes is refused with
    --force, naming the input, and left as it was (before c65750f only the audit refused: aggregate,
    weak, train, pseudolabel, evaluate, robustness and shift replaced the file they read)."""
    case = _input_at_an_output(command, tmp_path)
    if case is None:
        pytest.skip(f"{command} writes no file with the suffix of an input")
    argv, moved, before = case
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 2, result.output
    assert f"is where the run writes {moved.name}, which would replace its input" in result.output
    assert moved.read_bytes() == before
