"""Small helpers shared by the subcommands: console, table printing, option types."""

from __future__ import annotations

import contextlib
import csv
import functools
import math
import os
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import numpy as np

from .._progress import is_quiet, quiet
from .._validate.arguments import show
from ..errors import (
    AnnotationError,
    DataFileError,
    InvalidLabelsError,
    InvalidParameterError,
    LabelwiseError,
    MissingColumnError,
    ShapeMismatchError,
)
from ..io.arrays import load_npy as read_npy
from ..io.paths import require_file
from ._column_hint import column_hint
from ._look_alike import label_look_alike, say_notice
from ._na_values import given_na_values, remember_table, remember_tag_set_column
from ._output_paths import OutputFile, OutputFolder, output_folder_problem  # noqa: F401 (their home was here)

if TYPE_CHECKING:  # rich's console, pandas and the table reader are imported where used: --help needs none
    import pandas as pd
    from rich.console import Console

    from ..io.tables import TextColumns

#: The width of the screen when stdout is no terminal and ``COLUMNS`` is not set (a pipe, a file, a CI
#: log): wider than any line, so sentences are not wrapped and tables keep their natural width.
UNWRAPPED_WIDTH = 100_000

#: What ``--quiet`` means, the same for every command that has it (:func:`quiet_option`).
QUIET_HELP = (
    "Print nothing but warnings and errors (no progress bars, tables or summary lines); the files are "
    "written as without it."
)


def console() -> Console:
    """A console on stdout, silent inside a command given ``--quiet`` (:func:`quiet_option`).

    Its width is the terminal's on a terminal, ``COLUMNS`` when set; otherwise (stdout a pipe, a file or
    a CI log, where rich would wrap at 80 columns) :data:`UNWRAPPED_WIDTH`: every line as long as it is.
    Plain text (no colour codes) when stdout is not a terminal.
    """
    from rich.console import Console

    con = Console(highlight=False, soft_wrap=False, quiet=is_quiet())
    if not con.is_terminal and not os.environ.get("COLUMNS", "").isdigit():
        con.width = UNWRAPPED_WIDTH
    return con


def quiet_option(function: Callable) -> Callable:
    """The ``--quiet`` flag of a command (:data:`QUIET_HELP`, one meaning for every command).

    The command runs inside :func:`labelwise._progress.quiet` when it is given: :func:`console` prints
    nothing and no progress bar is drawn, whatever the functions it calls are told; warnings (on
    stderr, ``warning: ...``) and errors are printed as without it. The command still gets ``quiet``.
    """

    @functools.wraps(function)
    def run(*args: Any, **options: Any) -> Any:
        with quiet(options["quiet"]):
            return function(*args, **options)

    return click.option("--quiet", is_flag=True, help=QUIET_HELP)(run)


def plain(text: Any) -> str:
    """``text`` (a name from the user's data: a column, a class, a file) escaped for a rich markup
    string, so ``[/]`` or ``size [cm]`` is printed as written, neither read as markup nor an error."""
    from rich.markup import escape

    return escape(str(text))


def is_label_column(name: Any) -> bool:
    """Whether a screen table's column holds label values (``label``, ``given_label``, ``suggested_label``, ...)."""
    return str(name) == "label" or str(name).endswith("_label")


def print_frame(frame: pd.DataFrame, *, title: str | None = None, float_format: str = "{:.4f}") -> None:
    """Print ``frame`` as a rich table; cells and headers as plain text (data, never markup).

    Numbers (scores, probabilities) get ``float_format``; label values (:func:`is_label_column`)
    are shown by :func:`label_text`: a float label ``2.0`` stays ``2.0``, not ``2.0000``. Outside a
    terminal (:data:`UNWRAPPED_WIDTH`) a title wider than the table is printed as one line above it
    (rich would wrap it to the table's width).
    """
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False)
    for col in frame.columns:
        table.add_column(Text(str(col)), overflow="fold")
    labels = [is_label_column(col) for col in frame.columns]
    for row in frame.itertuples(index=False):
        cells = [
            label_text(v) if is_label else float_format.format(v) if isinstance(v, float) else str(v)
            for v, is_label in zip(row, labels, strict=True)
        ]
        table.add_row(*map(Text, cells))
    con = console()
    if title is not None and con.width == UNWRAPPED_WIDTH and len(title) > con.measure(table).maximum:
        con.print(title)
    else:
        table.title = title
    con.print(table)


def label_text(value: Any) -> str:
    """A label value as the user wrote it and pandas shows it: its own ``str`` (``2.0``, ``2.5``, ``cat``),
    a float with more than 6 decimals (a regression model's prediction) to 6 decimals, as pandas
    displays it."""
    text = str(value)
    if isinstance(value, float) and "." in text and "e" not in text and len(text.split(".")[1]) > 6:
        return f"{value:.6f}"
    return text


#: ``--random-state``: the seeds numpy accepts, refused by click (exit 2) before any work.
SEED = click.IntRange(0, 2**32 - 1)


def nonzero_jobs(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    """The callback of an ``--n-jobs`` option: 0 workers is a usage error (exit 2), as joblib refuses it."""
    if value == 0:
        raise click.BadParameter("must be a positive number of workers, or negative (-1: all cores), got 0")
    return value


@contextlib.contextmanager
def reading(parameter: str) -> Iterator[None]:
    """Name ``parameter`` in the errors raised while its file is read: ``DATA: data file 'x.csv' is empty``.

    The readers of :mod:`labelwise.io` name the file but not the argument or option that gave
    it. Only errors about the file (:class:`DataFileError`, :class:`AnnotationError`) are
    prefixed, and only when they do not name ``parameter`` already.
    """
    try:
        yield
    except (DataFileError, AnnotationError) as exc:
        if parameter in str(exc):
            raise
        raise type(exc)(f"{parameter}: {exc}") from exc


@contextlib.contextmanager
def renaming(names: dict[str, str], *, within: Collection[str] = ()) -> Iterator[None]:
    """Errors raised inside that start with an API parameter's name start with the option's instead.

    ``renaming({"metric": "--metric"})`` turns ``metric must name a function ...`` into
    ``--metric must name a function ...`` (messages start with the parameter they are about).
    The library's hints for both audiences (``pass classes= (--classes on the command line)``) keep
    the command line's part only. The names in ``within`` (each a key of ``names``, and a word no
    message uses in its English sense) are renamed in mid-message too (``... but probs has 4
    columns``, ``max_iter=3``), as whole words outside quoted text (a file name, a class) and outside
    code (``np.moveaxis(probs, -1, 1)``). Warnings issued inside are said the same way when the
    command prints them (:func:`warning_wording`).
    """
    token = _REWORDINGS.set((*_REWORDINGS.get(), functools.partial(_reworded, names=names, within=within)))
    try:
        yield
    except LabelwiseError as exc:
        message = _reworded(str(exc), names, within)
        if message == str(exc):
            raise
        raise type(exc)(message) from exc
    finally:
        _REWORDINGS.reset(token)


def _reworded(message: str, names: dict[str, str], within: Collection[str]) -> str:
    """``message`` (an error's or a warning's) in the words of :func:`renaming`."""
    for api, option in names.items():
        if message.startswith(f"{api} "):
            message = option + message[len(api) :]
            break
    return cli_wording(message, {api: names[api] for api in within})


#: The rewordings of the :func:`renaming` blocks now open, outermost first.
_REWORDINGS: ContextVar[tuple[Callable[[str], str], ...]] = ContextVar("labelwise_cli_rewordings", default=())


def warning_wording(message: str) -> str:
    """A warning's ``message`` said for the command line: the library's two-audience hints keep the
    option only, and each open :func:`renaming` block (innermost first) names its options."""
    for reword in reversed(_REWORDINGS.get()):
        message = reword(message)
    return cli_wording(message, {})


#: The library's hints that say the keyword and the option: the option only, on the command line.
_HINTS = (
    (re.compile(r"pass \w+= \((--[\w-]+) on the command line\)"), r"pass \1"),
    (re.compile(r"pass \w+= \(([^;()]*); (--[\w-]+) on the command line\)"), r"pass \2 (\1)"),
    (re.compile(r"pass \w+=[^\s,]+, (--[\w-]+ [^\s,]+) on the command line,"), r"pass \1"),
    (re.compile(r"lower (--[\w-]+) / \w+(?=[,;)])"), r"lower \1"),  # "lower --cv / cv, or drop ..."
    (re.compile(r"set (?:it|them) on the member, methods=\[[^\]]*\] \(on the command line ([^()]*)\)"), r"\1"),
)
#: A quoted text ('a b', "it's"): an apostrophe inside a word (DATA's) opens none.
_QUOTED = re.compile(r"""((?<!\w)'[^']*'(?!\w)|(?<!\w)"[^"]*"(?!\w))""")


def cli_wording(message: str, words: dict[str, str]) -> str:
    """``message`` with the library's two-audience hints said for the command line and each of ``words``
    (API name -> option) renamed where it stands as a word between spaces (or before ``)``, ``,``,
    ``;``, ``:``, or ``=`` and a value: ``max_iter=3``), outside quoted text."""
    for pattern, replacement in _HINTS:
        message = pattern.sub(replacement, message)
    if not words:
        return message
    # "=" may end the part: in ``sign_step='checked'`` the quoted value is the next part
    word = re.compile(r"(?<=\s)(" + "|".join(map(re.escape, words)) + r")(?=[\s),;:]|=\S|=$|$)")
    parts = _QUOTED.split(message)  # odd parts are the quoted ones
    return "".join(p if i % 2 else word.sub(lambda m: words[m.group(1)], p) for i, p in enumerate(parts))


def read_input(
    path: str | os.PathLike, parameter: str, kind: str = "data file", *, text_columns: TextColumns = ()
) -> pd.DataFrame:
    """The table an argument or option gives (:func:`labelwise.io.read_table`), its errors naming ``parameter``;
    ``text_columns`` (label or id columns) keep texts such as ``"01"`` and ``"1"`` apart. Missing cells
    are the command's ``--na-values`` (:mod:`labelwise.cli._na_values`), which also remembers the
    ``text_columns`` read, to say what the file holds where a label is missing. A folder is Parquet parts."""
    from ..io.parquet_parts import read_parquet_folder as parts
    from ..io.tables import read_table

    checked = Path(path) if Path(path).is_dir() else require_file(path, parameter=parameter, kind=kind)
    with reading(parameter):
        na, folder = given_na_values(), checked.is_dir()
        frame = parts(checked, parameter) if folder else read_table(checked, text_columns=text_columns, na_values=na)
    names = text_columns([str(c) for c in frame.columns]) if callable(text_columns) else text_columns
    remember_table(checked, parameter, [c for c in names if c in frame.columns])
    return frame


def option_given(name: str | None) -> bool:
    """Whether the running command's parameter ``name`` was given by the user (on the command line,
    or through an environment variable), not left at its default."""
    source = click.get_current_context().get_parameter_source(name) if name else None
    return source in (click.core.ParameterSource.COMMANDLINE, click.core.ParameterSource.ENVIRONMENT)


def split_csv_option(value: str | None) -> list[str]:
    """``"a,b, c"`` -> ``["a", "b", "c"]``; ``None`` or ``""`` -> ``[]``.

    A name holding a comma is written in double quotes, as in a CSV row (``"sports, outdoor",tech``
    -> ``["sports, outdoor", "tech"]``; ``""`` inside quotes is one ``"``); without a double quote
    every comma separates two names.
    """
    if not value:
        return []
    parts = next(csv.reader([value], skipinitialspace=True)) if '"' in value else value.split(",")
    return [part.strip() for part in parts if part.strip()]


def coerce_like(value: str, sample: pd.Series) -> Any:
    """A command-line string as the type of the labels ``sample`` (``"-1"`` -> ``-1`` for int labels)."""
    kind = sample.dtype.kind
    try:
        if kind in "iu":
            return int(value)
        if kind == "f":
            return float(value)
        if kind == "b":
            lowered = value.strip().lower()
            if lowered in ("true", "1", "false", "0"):
                return lowered in ("true", "1")
    except ValueError:
        pass
    return value


def choice_option(name: str, choices: Sequence[str], default: str, help_text: str):
    """A ``--name`` option restricted to ``choices``."""
    return click.option(name, type=click.Choice(list(choices)), default=default, show_default=True, help=help_text)


def split_label(frame: pd.DataFrame, label: str | None, several: bool = False) -> tuple[pd.DataFrame, pd.Series]:
    """The feature columns and the label column of ``frame`` (clear errors when missing); lists in the label
    column (JSON Lines, Parquet) are refused unless ``several`` (a command that reads several labels per row)."""
    if label is None:
        raise InvalidParameterError(f"--label is required: name the label column (columns: {list(frame.columns)})")
    if label not in frame.columns:
        raise MissingColumnError(
            f"--label column {label!r} is not in the data{column_hint(label, frame.columns)}; columns are "
            f"{list(frame.columns)}{delimiter_hint(frame)}"
        )
    from .._validate.labels import first_unhashable_row
    from ._tag_option import tag_set_notice

    column = frame[label]
    nested = None if several else first_unhashable_row(column)
    if nested is not None:  # lists or dicts from JSON Lines: pandas cannot factorize them
        raise InvalidLabelsError(
            f"--label column {label!r} must hold one label per row, row {nested} holds a "
            f"{type(column.iloc[nested]).__name__} (several labels per row: use --task multilabel)"
        )
    if not several and (notice := tag_set_notice(label, column)) is not None:
        console().print(f"notice: {plain(notice)}")
        remember_tag_set_column(label)
    if not several:
        say_notice(label_look_alike(column, label))
    return frame.drop(columns=[label]), frame[label]


def delimiter_hint(frame: pd.DataFrame) -> str:
    """A hint when a table read as one column looks delimited by something else than the suffix's delimiter."""
    if len(frame.columns) != 1:
        return ""
    found = [sep for sep in (";", "\t", "|", ",") if sep in str(frame.columns[0])]
    if not found:
        return ""
    return (
        f" (one column only: the file looks delimited by {found[0]!r}; a .csv is read with ',' (with ';' only when "
        "every line splits at ';' into the header's columns) and a .tsv with tabs, a .txt has its delimiter detected)"
    )


def load_npy(path: Path, option: str, *, mmap: bool = False) -> np.ndarray:
    """The ``.npy`` array an option names, with one-line errors that name the option and the file.

    Parameters
    ----------
    path : Path
        The file.
    option : str
        How the message names it, e.g. ``"--features"``.
    mmap : bool, default False
        Memory-map it read-only instead of reading it.

    Raises
    ------
    DataFileError
        The file does not exist, is empty, is not a ``.npy`` file (e.g. a CSV given where an array
        is expected), holds Python objects (which need pickle, never loaded), or is truncated
        (:func:`labelwise.io.arrays.load_npy`).
    """
    return read_npy(path, parameter=option, mmap=mmap)


def load_item_probs(path: Path, option: str) -> Any:
    """Per-item probabilities an option names (``aggregate``'s ``--probs`` and ``--unlabeled-probs``):
    a ``.npy`` array, or a table with an ``item`` column and one column per class, indexed by item."""
    if path.suffix.lower() == ".npy":
        return load_npy(path, option)
    table = read_input(path, option, kind=".npy file or table", text_columns=["item"])
    if "item" not in table.columns:
        raise MissingColumnError(
            f"{option} table {str(path)!r} must have an 'item' column and one column per class; "
            f"found {[str(c) for c in table.columns]}"
        )
    return table.set_index("item")


def load_row_array(path: Path, option: str, n_rows: int, *, width: tuple[str, str]) -> np.ndarray:
    """The 2-D ``.npy`` array an option names (:func:`load_npy`), with one row per row of the data.

    ``width`` is how the message names its columns: their meaning and symbol, e.g.
    ``("n_classes", "K")`` for ``--probs`` or ``("d", "d")`` for ``--features``.

    Raises
    ------
    ShapeMismatchError
        The array is not 2-D or has not ``n_rows`` rows:
        ``--probs must have shape (n_rows, n_classes) = (100, K) to match the data, got (99, 3)``.
    """
    arr = load_npy(path, option)
    if arr.ndim != 2 or arr.shape[0] != n_rows:
        raise ShapeMismatchError(
            f"{option} must have shape (n_rows, {width[0]}) = ({n_rows}, {width[1]}) to match the data, got {arr.shape}"
        )
    return arr


def finite(value: Any) -> Any:
    """``value`` for strict JSON: NaN and +-inf become None (e.g. curriculum's last threshold, -inf);
    numpy scalars and arrays become Python's; lists, tuples and arrays element by element."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def check_unique_ids(ids: pd.Series, option: str = "--id-column") -> None:
    """Refuse an id column with a missing or repeated value, naming ``option``, the value and its row."""
    bad = np.flatnonzero(ids.isna().to_numpy() | ids.duplicated().to_numpy())
    if bad.size:
        value = ids.iloc[bad[0]]
        got = "a missing id" if ids.isna().iloc[bad[0]] else f"{show(value)} twice"
        raise InvalidParameterError(
            f"{option} {ids.name!r} must hold a unique id on every row, got {got} (row {int(bad[0])})"
        )
