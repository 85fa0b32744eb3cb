"""Every value an option accepts, at the edges of its range, runs or fails with one line naming the option.

For the first valid invocation of each command in ``specs.SPECS``, every numeric option is run at
the edges of the range its click type declares (the minimum, just above it, the maximum or a huge
value, a tiny float) and every choice option with each of its choices. Each run must exit 0, or
exit 2 with one line naming the option (a usage error or a labelwise error): never a traceback,
and never NaN or infinity in a JSON file written (``json.loads`` refuses them here, as strict
readers do). Values whose run time grows with them (bootstrap draws, seeds, rounds) are swept at a
small stand-in for "huge", listed in ``STAND_INS`` with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from labelwise.cli import main

from .cases import command_of, param_name
from .specs import SPECS
from .test_bad_inputs import error_lines, fill, set_option

HUGE_INT = 10**9
HUGE_FLOAT = 1e300
TINY_FLOAT = 5e-324  # the smallest positive float: 1/p and p**2 overflow and underflow

#: Options whose run time grows with the value: the "huge" edge is this stand-in (reason in the comment).
STAND_INS: dict[tuple[str, str], str] = {
    ("audit", "--chunk-rows"): "1000000",  # rows per block: past the data's size it is one block
    ("evaluate", "--seeds"): "3",  # one cleaning-benchmark run per seed
    ("rank-agreement", "--n-boot"): "5",  # one bootstrap draw each
    ("shift", "--n-boot"): "5",  # one bootstrap draw each
    ("pseudolabel", "--max-iter"): "100",  # self-training rounds (they stop when nothing is added)
    ("robustness", "--seeds"): "2",  # one attack and fit per seed and budget
    ("aggregate", "--demo-items"): "",  # the demo runs without PATH: swept in test_aggregate_cli.py
}

#: Edge cases whose line may name the cause instead of the option, with the reason.
ALSO_NAMED: dict[tuple[str, str], tuple[str, ...]] = {
    # --cv beyond the smallest class: the line names the class and says to lower --cv
    ("audit", "--cv"): ("cv",),
    ("train", "--cv"): ("cv",),
    # another --task reads DATA's --label column as that task's labels: the line names the column
    ("audit", "--task"): ("--label", "--predictions", "--probs", "DATA"),
    # another --format reads PATH as that format: the line names PATH or the file and the format
    ("aggregate", "--format"): ("PATH", "annotation file"),
}


@dataclass(frozen=True)
class Edge:
    """One run: the command's first spec with ``option`` set to ``value``."""

    spec: str
    option: str
    value: str

    def __str__(self) -> str:
        return f"{self.spec}[{self.option}={self.value}]"


def edge_values(command: str, param: click.Option) -> Iterator[str]:
    """The accepted values at the edges of ``param``'s declared range, or each of its choices."""
    kind = param.type
    if isinstance(kind, click.Choice):
        yield from (str(choice) for choice in kind.choices)
        return
    if not isinstance(kind, click.types._NumberRangeBase):
        return  # no declared range (--n-jobs: any count but 0, --ignore-index: any mask value)
    is_int = isinstance(kind, click.types.IntParamType)
    low, high = getattr(kind, "min", None), getattr(kind, "max", None)
    low_open, high_open = getattr(kind, "min_open", False), getattr(kind, "max_open", False)
    values: list[object] = []
    if is_int:
        if low is not None:
            values += [low + low_open, low + low_open + 1]
        values.append(high - high_open if high is not None else HUGE_INT)
    else:
        if low is not None:
            values += [low] if not low_open else []
            values += [TINY_FLOAT if low == 0 else low * (1 + 1e-9)]
        else:
            values.append(-HUGE_FLOAT)
        if high is not None:
            values.append(high if not high_open else high - high * 1e-16 if high else -TINY_FLOAT)
        else:
            values.append(HUGE_FLOAT)
    texts = list(dict.fromkeys(repr(v) if isinstance(v, float) else str(v) for v in values))
    stand_in = STAND_INS.get((command, param_name(param)))
    if stand_in == "":
        return
    if stand_in is not None:
        texts = [stand_in if t in (str(HUGE_INT), repr(HUGE_FLOAT)) else t for t in texts]
    yield from dict.fromkeys(texts)


def edges() -> list[Edge]:
    """Every edge of every numeric or choice option of every command."""
    out = []
    for name, spec in SPECS.items():
        if name != spec.argv[0]:
            continue
        for param in command_of(spec).params:
            if isinstance(param, click.Option) and not param.is_flag:
                out += [Edge(name, param_name(param), value) for value in edge_values(name, param)]
    return out


EDGES = edges()


def _refuse(name: str) -> None:
    raise ValueError(f"not strict JSON: {name}")


def _strict_json_problems(folder: Path) -> list[str]:
    """The JSON files under ``folder`` that hold NaN or infinity (or do not parse)."""
    problems = []
    for path in sorted(folder.rglob("*.json")) if folder.is_dir() else []:
        try:
            json.loads(path.read_text(encoding="utf-8"), parse_constant=_refuse)
        except ValueError as exc:
            problems.append(f"{path.name}: {exc}")
    return problems


@pytest.mark.parametrize("edge", EDGES, ids=str)
def test_an_accepted_edge_value_runs_or_names_the_option(edge: Edge, inputs, tmp_path):
    """Exit 0 with strict JSON, or exit 2 with one line naming the option; never a traceback."""
    spec = SPECS[edge.spec]
    out = tmp_path / "out" / (spec.outputs[0] if spec.out_kind == "file" else "results")
    argv = set_option(fill(spec, inputs, out), edge.option, edge.value)
    result = CliRunner().invoke(main, argv)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{edge}: {type(result.exception).__name__}: {result.exception}"
    )
    if result.exit_code == 0:
        folder = out if spec.out_kind == "folder" else out.parent
        assert _strict_json_problems(folder) == [], edge
        return
    lines = error_lines(result)
    names = (edge.option, *ALSO_NAMED.get((edge.spec, edge.option), ()))
    assert result.exit_code == 2, f"{edge}: exit {result.exit_code}\n{result.output}"
    assert len(lines) == 1, f"{edge}: {len(lines)} lines\n{result.output}"
    assert any(name in lines[0] for name in names), f"{edge}: does not name {names}: {lines[0]}"


class TestTheEdges:
    """The sweep is not vacuous and its values are the ones the options accept."""

    def test_every_command_has_edges(self):
        """Each command of the sweep but export (no numeric or choice option) has edge values."""
        commands = {name for name, spec in SPECS.items() if name == spec.argv[0]}
        assert {edge.spec for edge in EDGES} == commands - {"export"}
        assert not list(edge_values("export", next(iter(main.commands["export"].params))))

    def test_every_edge_value_passes_parsing(self):
        """Each value converts under its option's own type: the sweep tests the commands, not click."""
        for edge in EDGES:
            param = next(p for p in command_of(SPECS[edge.spec]).params if param_name(p) == edge.option)
            param.type.convert(edge.value, param, None)

    def test_ranges_give_their_ends(self):
        """An int range gives its minimum, the next value and its maximum; an open float range values inside it."""
        port = next(p for p in main.commands["review"].params if param_name(p) == "--port")
        assert list(edge_values("review", port)) == ["0", "1", "65535"]
        p = next(q for q in main.commands["rank-agreement"].params if param_name(q) == "--p")
        values = [float(v) for v in edge_values("rank-agreement", p)]
        assert all(0 < v < 1 for v in values) and min(values) < 1e-200 and max(values) > 1 - 1e-15
