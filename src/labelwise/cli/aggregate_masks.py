"""``labelwise aggregate-masks``: several annotators' segmentation masks -> one mask per item."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import numpy as np

from .. import aggregate as aggregate_api
from .._caller import warn_at_caller
from .._heavy import pandas as pd
from .._validate.arguments import show
from ..errors import AnnotationError, DataFileError, InvalidParameterError, LabelwiseWarning, MissingColumnError
from ..io import files_together, write_csv, write_json
from ..io.mask_files import mask_file_name, read_mask, write_mask
from ._common import console, print_frame, quiet_option, read_input, renaming
from ._mask_table import COLUMNS, checked_rows
from ._out_folder import out_folder
from ._wrote import print_wrote

if TYPE_CHECKING:
    from ..aggregate import STAPLE, MaskMajorityVote, SegmentationEM, SegmentationRASA

COLUMN_OPTIONS = ("--item-column", "--annotator-column", "--path-column")
METHODS = ("majority", "staple", "em", "rasa")
#: Options of one method: (option, its parameter, its default, the method).
METHOD_OPTIONS = (
    ("--pool", "pool", "annotator", "staple"),
    ("--prior", "prior", "all", "staple"),
    ("--em-prior", "em_prior", "posterior", "em"),
    ("--em-pool", "em_pool", "annotator", "em"),
    ("--rasa-pool", "rasa_pool", "item", "rasa"),
)
#: Classes below this next to 255 make 255 look like VOC's "not labelled" rather than a class.
SMALL_CLASS = 32


def _prior(value: str) -> str | float:
    """``--prior``: ``item``, ``all`` or a number in (0, 1)."""
    if value in ("item", "all"):
        return value
    try:
        number = float(value)
    except ValueError:
        raise InvalidParameterError(f"--prior must be 'item', 'all' or a number in (0, 1), got {value!r}") from None
    if not 0 < number < 1:
        raise InvalidParameterError(f"--prior must be 'item', 'all' or a number in (0, 1), got {value!r}")
    return number


def _two_valued(arrays: pd.Series, method: str, ignore: int | None = None) -> tuple[list, int]:
    """em and rasa model binary masks: masks of two values (0/1, 0/255) as 0/1 (the ``ignore`` value kept
    as it is, and not one of the two); more values refused. Also the foreground value (1 when none)."""
    values = np.unique(np.concatenate([np.unique(np.asarray(a)) for a in arrays]))
    values = values[values != ignore] if ignore is not None else values
    if len(values) > 2 or (len(values) == 2 and values[0] != 0):
        shown = ", ".join(show(v) for v in values[:6].tolist()) + (", ..." if len(values) > 6 else "")
        raise InvalidParameterError(
            f"--method {method} combines binary masks (0 and one foreground value), got TABLE's masks holding "
            f"{len(values)} values ({shown}); use --method staple or majority for label maps, or --binary"
        )
    top = int(values[-1]) if len(values) and values[-1] != 0 else 1
    if ignore is None:
        return [(np.asarray(a) != 0).astype(np.uint8) for a in arrays], top
    kind = np.promote_types(np.min_scalar_type(ignore), np.uint8)
    return [np.where(np.asarray(a) == ignore, ignore, np.asarray(a) != 0).astype(kind) for a in arrays], top


def ignore_notice(classes: list) -> str | None:
    """A notice when the classes hold a likely "not labelled" marker: a negative value, or 255 beside a
    class in 1..31 (0/255 alone is a binary mask whose foreground is 255)."""
    odd = [c for c in classes if c < 0] or (
        [255] if 255 in classes and any(0 < c < SMALL_CLASS for c in classes) else []
    )
    if not odd:
        return None
    shown = ", ".join(show(c) for c in odd[:3])
    return (
        f"TABLE's masks hold {shown} beside the classes {[c for c in classes if c not in odd][:8]}, and each "
        "value is one class here; if it marks pixels nobody labelled, --ignore-value "
        f"{show(odd[0])} leaves them out of the votes and the agreement"
    )


def _say_ignore_notice(ignore_value: int | None, classes: list) -> None:
    """Print :func:`ignore_notice` when --ignore-value was not given and the classes call for it."""
    if ignore_value is None and (notice := ignore_notice(classes)) is not None:
        console().print(f"notice: {notice}")


def read_mask_table(
    table_path: Path, out: Path, binary: bool = False, columns: tuple[str, str, str] = COLUMNS
) -> tuple[pd.DataFrame, dict[Any, int], dict[Any, str], dict[Any, list[int] | None]]:
    """The table's masks as a long table (item, annotator, mask), each item's foreground value, suffix
    and palette (of its first palette PNG). ``columns``: TABLE's item, annotator and path columns
    (--item-column, --annotator-column, --path-column). Paths are relative to the table's folder; one
    suffix per table."""
    named = dict(zip(COLUMN_OPTIONS, columns, strict=True))
    if len(set(columns)) < len(columns):
        given = ", ".join(f"{option} {column!r}" for option, column in named.items())
        raise InvalidParameterError(f"{', '.join(COLUMN_OPTIONS)} must name three different columns, got {given}")
    table = read_input(table_path, "TABLE", kind="mask table", text_columns=list(columns))
    missing = [f"{option} {column!r}" for option, column in named.items() if column not in table.columns]
    if missing:
        raise MissingColumnError(
            f"TABLE must have the columns {', '.join(missing)}; its columns are {[str(c) for c in table.columns]}"
        )
    from ._row_lines import line_words

    if table.empty:
        raise AnnotationError(f"TABLE {str(table_path)!r} must list at least one mask, got no rows")
    table, paths = checked_rows(table, table_path, named)
    suffixes = {p.suffix.lower() for p in paths}
    if len(suffixes) > 1:
        raise DataFileError(f"TABLE's masks must be all .npy or all .png, got {sorted(suffixes)}")
    _refuse_masks_in_out(out, paths)
    arrays, tops = [], []
    palettes: dict[Any, list[int] | None] = {}
    for row, (item, annotator, p) in enumerate(zip(table["item"], table["annotator"], paths, strict=True)):
        try:
            array, top, palette = read_mask(p, parameter="TABLE", binary=binary)
        except DataFileError as exc:
            where = f"TABLE {line_words(table_path, row)} (item {show(item)}, annotator {show(annotator)})"
            raise DataFileError(f"{where} {str(exc).removeprefix('TABLE ')}") from None
        arrays.append(array)
        tops.append(top)
        if palettes.get(item) is None:
            palettes[item] = palette
    masks = pd.DataFrame({"item": table["item"], "annotator": table["annotator"], "mask": arrays})
    foreground = pd.Series(tops).groupby(table["item"].to_numpy()).max().to_dict()
    suffix = suffixes.pop()
    return masks, foreground, {item: suffix for item in foreground}, palettes


def read_weights(path: Path | None, method: str) -> pd.Series | None:
    """``--weights``: a table of annotator, weight -> a Series of weights indexed by annotator (text,
    as TABLE's annotators are read); None without it. Refused with a method other than majority, and
    an annotator listed twice."""
    if path is None:
        return None
    if method != "majority":
        raise InvalidParameterError(
            f"--weights is an option of --method majority: it needs --method majority, got --method {method}"
        )
    table = read_input(path, "--weights", kind="table of annotator weights", text_columns=["annotator"])
    missing = [c for c in ("annotator", "weight") if c not in table.columns]
    if missing:
        raise MissingColumnError(
            f"--weights must have the columns annotator and weight, got no {missing[0]!r} among {list(table.columns)}"
        )
    twice = table["annotator"][table["annotator"].duplicated()]
    if len(twice):
        raise InvalidParameterError(f"--weights must list each annotator once, got {show(twice.iloc[0])} twice")
    return pd.Series(table["weight"].to_numpy(), index=pd.Index(table["annotator"], dtype=object))


def _model(
    method: str, options: dict, weights: pd.Series | None, max_iter: int | None, **common: Any
) -> MaskMajorityVote | STAPLE | SegmentationEM | SegmentationRASA:
    """The estimator of ``method`` with its options (``common``: block_size and ignore_value)."""
    from ..aggregate import STAPLE, MaskMajorityVote, SegmentationEM, SegmentationRASA

    builders = {
        "majority": lambda: MaskMajorityVote(weights=weights, **common),
        "staple": lambda: STAPLE(pool=options["pool"], prior=options["prior"], max_iter=max_iter or 200, **common),
        "em": lambda: SegmentationEM(prior=options["em_prior"], pool=options["em_pool"], max_iter=max_iter, **common),
        "rasa": lambda: SegmentationRASA(pool=options["rasa_pool"], max_iter=max_iter, **common),
    }
    return builders[method]()


def _with_foreground(masks: dict, top: int | None) -> dict:
    """em's and rasa's label maps of 0/1 (and the ignore value) with the input's foreground value for 1."""
    if top is None or top == 1:
        return masks
    return {item: np.where(m == 1, np.asarray(top).astype(np.result_type(m, top)), m) for item, m in masks.items()}


def _write_masks(out: Path, masks: dict, foreground: dict, suffixes: dict, palettes: dict) -> dict:
    """Every consensus mask as ``out/masks/<item>`` (atomic, moved with the run's other files)."""
    names: dict = {}
    taken: set[str] = set()
    for item, mask in masks.items():
        names[item] = mask_file_name(item, taken, suffixes[item])
        write_mask(mask, out / "masks" / names[item], foreground=foreground[item], palette=palettes[item])
    return {item: f"masks/{name}" for item, name in names.items()}


def _superseded_masks(out: Path, superseded: list[Path]) -> list[Path]:
    """The earlier run's ``masks/`` folder stands for its files: those this run writes again are replaced,
    the others removed (the folder itself is kept for the new files)."""
    folder = (out / "masks").resolve()
    if not any(p.resolve() == folder for p in superseded):
        return superseded
    kept = [p for p in superseded if p.resolve() != folder]
    return kept + [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".npy", ".png")]


def _refuse_masks_in_out(out: Path, paths: list[Path]) -> None:
    """An input mask inside ``out/masks`` would be replaced (or removed) by the run's masks: refused."""
    folder = (out / "masks").resolve()
    for path in paths:
        if folder in path.resolve().parents:
            raise InvalidParameterError(
                f"--out {str(out)!r} is where the run writes masks/, which holds its input mask {str(path)!r} "
                "listed in TABLE; choose another --out (nothing was changed)"
            )


def _warn_unfinished(method: str, model: Any, summary: dict, max_iter: int | None) -> None:
    """A fit stopped by --max-iter is a warning (stderr), which --quiet still prints."""
    if method == "majority" or model.converged_:
        return
    steps = int(summary["n_iter"]) if method != "staple" else max_iter or 200
    name = {"staple": "STAPLE", "em": "SegmentationEM", "rasa": "SegmentationRASA"}[method]
    warn_at_caller(
        LabelwiseWarning(
            f"{name} did not converge in {show(steps)} EM steps: the masks are those of the last step; "
            "a larger --max-iter lets it finish"
        )
    )


def _check_options(method: str, binary: bool, ignore_value: int | None, **given: Any) -> None:
    """Refuse an option of another method than ``method``, and --ignore-value with --binary."""
    for name, key, default, owner in METHOD_OPTIONS:
        if owner != method and given[key] != default:
            raise InvalidParameterError(
                f"{name} is an option of --method {owner}: it needs --method {owner}, got --method {method}"
            )
    if binary and ignore_value is not None:
        raise InvalidParameterError(
            f"--ignore-value needs the masks' values as they are, got --binary (every non-zero pixel, "
            f"{show(ignore_value)} included, would be foreground); leave out --binary"
        )


def _print_tables(annotators: pd.DataFrame, items: pd.DataFrame, top: int) -> None:
    """The ``top`` least agreeing annotators and least agreed items (none for ``top=0``)."""
    if not top:
        return
    shown = annotators.sort_values("mean_dice", kind="stable").head(top) if len(annotators) > top else annotators
    more = f" (the {top} least agreeing of {len(annotators)}; all in annotators.csv)" if len(annotators) > top else ""
    print_frame(shown, title=f"Annotators{more}")
    worst = items.sort_values("mean_dice", kind="stable").head(top)
    print_frame(worst[["item", "n_annotators", "mean_dice", "min_dice"]], title="Least agreed items")


@click.command("aggregate-masks")
@click.argument("table", type=click.Path(path_type=Path))
@click.option(
    "--method",
    type=click.Choice(METHODS),
    default="staple",
    show_default=True,
    help="majority: per-pixel vote (ties -> foreground, or the higher class); staple: STAPLE's EM over each "
    "annotator's sensitivity and specificity (label maps: confusion matrix); em: SegmentationEM "
    "(one accuracy per annotator; --em-pool item: per annotator of each item, crowd-kit's; binary masks); rasa: crowd-kit's SegmentationRASA (a vote "
    "weighted by each annotator's IoU with it; binary masks).",
)
@click.option(
    "--pool",
    type=click.Choice(("annotator", "item")),
    default="annotator",
    show_default=True,
    help="STAPLE: one sensitivity/specificity per annotator over all items, or per (item, annotator).",
)
@click.option(
    "--prior",
    default="all",
    show_default=True,
    help="STAPLE's fixed class prior: 'all' (share of each class's votes over all items), 'item' (in each item), "
    "or a number in (0, 1) (the foreground's; masks of two values only).",
)
@click.option(
    "--em-prior",
    type=click.Choice(("posterior", "item")),
    default="posterior",
    show_default=True,
    help="em: each pixel's prior becomes its posterior after each step (crowd-kit's), or one foreground prior "
    "per item (EM of the model).",
)
@click.option(
    "--em-pool",
    type=click.Choice(("annotator", "item")),
    default="annotator",
    show_default=True,
    help="em: one accuracy per annotator over all items, or one per (item, annotator) as crowd-kit's SegmentationEM.",
)
@click.option(
    "--rasa-pool",
    type=click.Choice(("item", "annotator")),
    default="item",
    show_default=True,
    help="rasa: weights per item (crowd-kit's), or one reliability per annotator over all items (the paper's).",
)
@click.option(
    "--weights",
    type=click.Path(path_type=Path),
    default=None,
    help="majority: table of given annotator weights (columns annotator, weight > 0; every annotator of "
    "TABLE): each vote counts its annotator's weight (crowd-kit's SegmentationMajorityVote skills) [1 each].",
)
@click.option(
    "--binary",
    is_flag=True,
    help="Read every non-zero pixel as foreground (without it, each value, grey level or palette index is a class).",
)
@click.option(
    "--ignore-value",
    type=int,
    default=None,
    help="A mask value that is no class but 'not labelled' (e.g. -1, or 255 as in VOC), for every method: those "
    "pixels are no vote (nor a count of that annotator's sensitivity, accuracy or weight), a pixel nobody labelled "
    "keeps the value, and Dice leaves them out [none: every value is a class].",
)
@click.option(
    "--max-iter",
    type=click.IntRange(min=1),
    default=None,
    help="Most EM steps: staple's (default 200), em's and rasa's per item (default 10, crowd-kit's; em with "
    "--em-prior item: 100).",
)
@click.option(
    "--block-size",
    type=click.IntRange(min=1),
    default=1 << 20,
    show_default=True,
    help="Pixels read at a time (memory; the result does not depend on it).",
)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Rows to print of each table (annotators, least agreed items); 0: none.",
)
@click.option("--item-column", default="item", show_default=True, help="Column of the item ids of TABLE.")
@click.option("--annotator-column", default="annotator", show_default=True, help="Column of the annotator ids.")
@click.option("--path-column", default="path", show_default=True, help="Column of the mask files' paths.")
@quiet_option
@out_folder("aggregate-masks", Path("labelwise-masks"))
def aggregate_masks(
    table,
    method,
    pool,
    prior,
    em_prior,
    em_pool,
    rasa_pool,
    weights,
    binary,
    ignore_value,
    max_iter,
    block_size,
    top,
    item_column,
    annotator_column,
    path_column,
    quiet,
    out,
    superseded,
):
    """Combine the masks listed in TABLE (columns item, annotator, path; --item-column,
    --annotator-column and --path-column name others) into one mask per item.

    Paths are .npy or single-channel .png files (grey or palette), relative to TABLE's folder, all
    of one kind. Masks of 0/1 are binary; other integer values are the classes of label maps (0/255:
    255 is the foreground; --binary reads any non-zero PNG pixel as foreground; a "not labelled" value
    such as -1 is a class unless --ignore-value names it). An annotator who did
    not draw an item is missing, not background; each item's masks must have one size. Writes
    masks/<item>.png or .npy (as the input: the inputs' foreground value or class values and palette),
    items.csv (agreement: mean Dice of each annotator to the consensus, per class for label maps),
    annotators.csv and summary.json to --out.

    \b
    Example:
      labelwise aggregate-masks masks.csv --out consensus
    """
    _check_options(
        method, binary, ignore_value, pool=pool, prior=prior, em_prior=em_prior, em_pool=em_pool, rasa_pool=rasa_pool
    )
    chosen = _prior(prior)
    out = Path(out)
    given_weights = read_weights(weights, method)
    columns = (item_column, annotator_column, path_column)
    masks, foreground, suffixes, palettes = read_mask_table(Path(table), out, binary, columns)
    binary_top = None
    if method in ("em", "rasa"):
        masks["mask"], binary_top = _two_valued(masks["mask"], method, ignore_value)
    options = {"pool": pool, "prior": chosen, "em_prior": em_prior, "em_pool": em_pool, "rasa_pool": rasa_pool}
    model = _model(method, options, given_weights, max_iter, block_size=block_size, ignore_value=ignore_value)
    with renaming(
        {"masks": "TABLE's masks", "prior": "--prior", "weights": "--weights", "ignore_value": "--ignore-value"}
    ):
        model.fit(masks)
    consensus = _with_foreground(model.masks_, binary_top) if ignore_value is not None else model.masks_
    items = model.items_.reset_index()
    annotators = model.annotators_.reset_index()
    summary: dict[str, Any] = {
        "method": method,
        "table": str(table),
        "columns": dict(zip(COLUMNS, columns, strict=True)),
        "n_items": len(items),
        "n_annotators": len(annotators),
        "n_masks": len(masks),
        "mean_agreement": float(model.agreement_.mean()),
        "classes": model.classes_.tolist(),
        "n_single_annotator_items": int((items["n_annotators"] == 1).sum()),
        **({"weights": None if weights is None else str(weights)} if method == "majority" else {}),
        "ignore_value": ignore_value,
    }
    if method == "staple":
        summary.update(pool=pool, prior=chosen, n_iter=model.n_iter_, converged=bool(model.converged_))
    elif isinstance(model, aggregate_api.SegmentationEM | aggregate_api.SegmentationRASA):
        extra = {"em_prior": em_prior, "em_pool": em_pool} if method == "em" else {"rasa_pool": rasa_pool}
        summary.update(extra, n_iter=int(model.n_iter_.max()), converged=bool(model.converged_))
    with files_together(supersedes=_superseded_masks(out, superseded)):
        files = _write_masks(out, consensus, foreground, suffixes, palettes)
        items.insert(1, "mask", items["item"].map(files))
        write_csv(items, out / "items.csv")
        write_csv(annotators, out / "annotators.csv")
        write_json(summary, out / "summary.json")
    _warn_unfinished(method, model, summary, max_iter)
    _say_ignore_notice(ignore_value, model.classes_.tolist())
    if not quiet:
        _say_done(annotators, items, top, out, len(files))


def _say_done(annotators: pd.DataFrame, items: pd.DataFrame, top: int, out: Path, n_files: int) -> None:
    """The tables, a line on items drawn by one annotator, and the files written."""
    _print_tables(annotators, items, top)
    solo = int((items["n_annotators"] == 1).sum())
    if solo:
        console().print(
            f"{solo} item{'s' if solo > 1 else ''} drawn by one annotator: the mask is that annotator's, "
            "and its agreement (1.0) measures nothing"
        )
    masks = (f"{out / 'masks'}{os.sep}", f"{n_files} mask{'s' if n_files != 1 else ''}")
    print_wrote([masks, *(out / n for n in ("items.csv", "annotators.csv", "summary.json"))])
