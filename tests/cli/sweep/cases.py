"""The bad invocations of every command, derived from ``specs.SPECS`` and the commands' own options.

A :class:`Case` is one bad invocation: which spec it starts from, what it changes (an input
file, an option value, the output path) and which parameter names the error line may use.
Input files get the bad files of their kind (missing, a folder, empty, binary garbage,
non-UTF-8 text, another format); column options an unknown column; the label column its
all-NaN, one-row and one-class versions; numeric and choice options a value of the wrong type,
out of range or unknown; ``--out`` an existing file, a path under a file and a folder that
refuses files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pandas as pd

from labelwise.cli import main
from labelwise.cli._common import OutputFolder

from .specs import AUDIT, FOLDER, FREE_OPTIONS, NPY, PYTHON, SPECS, TABLE, TEXT, Spec

GARBAGE = bytes(range(256)) * 4
LATIN1 = "a,b,y\n1.0,2.0,caf\xe9\n3.0,4.0,na\xefve\n".encode("latin-1")
CSV_TEXT = b"a,b,y\n1.0,2.0,u\n3.0,4.0,v\n"
#: A workbook (a ZIP archive) and a gzip file, each under a text table's name: a file as spreadsheets
#: and tools hand it over. (Excel's "Unicode Text", UTF-16 with its byte order mark, was one until
#: session 47, which reads it: test_messy_tables.py runs every command on such a copy.)
XLSX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00" + bytes(range(256))
GZIP = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + bytes(range(256))

#: The bad files of each kind of input: case name -> how to make it at the given path.
_MAKERS: dict[str, Callable[[Path], None]] = {
    "missing": lambda p: None,
    "folder": lambda p: p.mkdir(),
    "empty": lambda p: p.write_bytes(b""),
    "garbage": lambda p: p.write_bytes(GARBAGE),
    "latin1": lambda p: p.write_bytes(LATIN1),
    "csv_as_npy": lambda p: p.write_bytes(CSV_TEXT),
    "xlsx_as_table": lambda p: p.write_bytes(XLSX),
    "gzip_as_table": lambda p: p.write_bytes(GZIP),
    "file": lambda p: p.write_text("not a folder\n"),
    "empty_folder": lambda p: p.mkdir(),
    "garbage_inside": lambda p: (p.mkdir(), (p / "junk.csv").write_bytes(GARBAGE)),
}
FILE_CASES: dict[str, tuple[str, ...]] = {
    TABLE: (
        "missing",
        "folder",
        "empty",
        "garbage",
        "latin1",
        "csv_as_parquet",
        "xlsx_as_table",
        "gzip_as_table",
    ),
    NPY: ("missing", "folder", "empty", "garbage", "csv_as_npy"),
    TEXT: ("missing", "folder", "empty", "garbage", "latin1"),
    PYTHON: ("missing", "folder", "empty", "garbage", "latin1"),
    FOLDER: ("missing", "file", "empty_folder", "garbage_inside"),
    AUDIT: ("missing", "file", "empty_folder", "garbage_inside"),
}
OUT_CASES = {
    "folder": ("out_is_file", "out_under_file", "out_denied"),
    "file": ("out_is_folder", "out_under_file", "out_denied"),
}


@dataclass(frozen=True)
class Case:
    """One bad invocation: ``spec`` changed by ``what`` (``param:case``); the error must name one of ``names``."""

    spec: str
    what: str
    names: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.spec}[{self.what}]"


def bad_file(case: str, original: Path, folder: Path) -> Path:
    """Make the bad input ``case`` for ``original`` in ``folder``; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    if case == "csv_as_parquet":
        path = folder / (original.stem + ".parquet")
        path.write_bytes(CSV_TEXT)
        return path
    path = folder / original.name
    _MAKERS[case](path)
    return path


def label_table(case: str, original: Path, column: str, folder: Path) -> Path:
    """The table ``original`` with its label ``column`` all NaN, cut to one row, or of one class."""
    frame = pd.read_csv(original)
    if case == "nan":
        frame[column] = float("nan")
    elif case == "one_row":
        frame = frame.iloc[:1]
    else:  # one class; rows without a label (pseudolabel's unlabeled rows) stay without
        frame[column] = frame[column].where(frame[column].isna(), frame[column].dropna().iloc[0])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / original.name
    frame.to_csv(path, index=False)
    return path


def command_of(spec: Spec) -> click.Command:
    """The click command a spec runs."""
    return main.commands[spec.argv[0]]


def param_name(param: click.Parameter) -> str:
    """How messages name a parameter: ``--label`` for an option, ``DATA`` for an argument."""
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.human_readable_name


def _out_param(command: click.Command) -> click.Option | None:
    return next((p for p in command.params if isinstance(p, click.Option) and "--out" in p.opts), None)


def option_values(param: click.Option) -> Iterator[tuple[str, str]]:
    """(case, value) pairs a numeric or choice option must refuse: wrong type, out of range, unknown."""
    if param_name(param) == "--na-values":  # the shared option (cli/_na_values.py): comma-separated texts
        yield "empty_entry", "NA,,x"
        return
    kind = param.type
    if isinstance(kind, click.Choice):
        yield "unknown", "no-such-choice"
        return
    if not isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
        return
    yield "wrong_type", "x"
    step = 1 if isinstance(kind, click.types.IntParamType) else 0.5
    low, high = getattr(kind, "min", None), getattr(kind, "max", None)
    if low is not None:
        yield "below_min", str(low if getattr(kind, "min_open", False) else low - step)
    if high is not None:
        yield "above_max", str(high if getattr(kind, "max_open", False) else high + step)


def classified(name: str, spec: Spec, option: click.Option) -> bool:
    """Whether the sweep knows what ``option`` of the command of ``spec`` holds."""
    opt = param_name(option)
    specs = [s for s in SPECS.values() if s.argv[0] == spec.argv[0]]
    known = {o for s in specs for o in (*s.inputs, *s.columns, *(b[0] for b in s.bad_values))}
    return (
        opt in known
        or (spec.argv[0], opt) in FREE_OPTIONS
        or option.is_flag
        or opt in ("--help", "--out")
        or isinstance(option.type, (OutputFolder, click.Choice))
        or any(True for _ in option_values(option))
    )


def cases() -> list[Case]:
    """Every bad invocation of every spec."""
    out: list[Case] = []
    for name, spec in SPECS.items():
        for param, (_, kind) in spec.inputs.items():
            out += [Case(name, f"{param}:{case}", (param,)) for case in FILE_CASES[kind]]
        out += [Case(name, f"{option}:no_such_column", (option,)) for option in spec.columns]
        if spec.label is not None:
            names = (spec.label[0], *[p for p, (key, _) in spec.inputs.items() if key == spec.label[1]])
            for case in spec.label_cases:
                extra = spec.also_named.get(f"label:{case}")
                out.append(Case(name, f"label:{case}", (*names, *([extra] if extra else []))))
        for option, value in spec.bad_values:
            what = f"{option}={value}"
            out.append(Case(name, what, (option, *([spec.also_named[what]] if what in spec.also_named else []))))
        if name != spec.argv[0]:
            continue  # the options and --out of a command are swept once, on its first spec
        command = command_of(spec)
        for param in command.params:
            if isinstance(param, click.Option) and not param.is_flag:
                out += [Case(name, f"{param_name(param)}={v}", (param_name(param),)) for _, v in option_values(param)]
        if _out_param(command) is not None:
            out += [Case(name, f"--out:{case}", ("--out",)) for case in OUT_CASES[spec.out_kind]]
    return out
