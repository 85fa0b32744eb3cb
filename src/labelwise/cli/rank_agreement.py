"""``labelwise rank-agreement``: do two sets of relevance judgments order the systems the same way?"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .._extras import require
from ..errors import DataFileError, InvalidParameterError
from ..io import files_together, write_csv, write_json
from ..io.atomic import atomic_write
from ..io.paths import require_file, require_folder
from ._common import SEED, console, print_frame, quiet_option, reading, renaming
from ._out_folder import out_folder
from ._wrote import print_wrote

if TYPE_CHECKING:
    import pandas as pd

#: The suffixes of run files (``evaluate.trec.RUN_SUFFIXES`` less the empty one), kept here so ``--help`` stays light.
_SUFFIXES = ".run, .txt, .trec"


def _listed(names: list[str]) -> str:
    """Up to 10 file names, then how many more."""
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    return ", ".join(names[:10]) + more


def _say_skipped(skipped: list[str]) -> None:
    """Print RUN_DIR's files not read as runs: those left out by suffix, then the suffix-less ones whose
    first line is not a run line (a README)."""
    from ..evaluate.trec import run_suffix

    by_line = [n for n in skipped if not run_suffix(Path(n))]
    by_suffix = [n for n in skipped if n not in by_line]
    if by_suffix:
        console().print(
            f"RUN_DIR: {len(by_suffix)} file(s) not read as runs (by suffix): {_listed(by_suffix)}", markup=False
        )
    if by_line:
        console().print(
            f"RUN_DIR: {len(by_line)} file(s) without a suffix not read as runs (the first line is not a run line "
            f"'qid Q0 docno rank score tag'): {_listed(by_line)}",
            markup=False,
        )


def _unjudged_runs(runs: dict[str, pd.DataFrame], judged: list[pd.DataFrame]) -> list[str]:
    """A line per run that answers none of the topics both qrels judge: it scores 0 on each (as ``trec_eval -c``),
    which is most often a run of another collection or topic ids written otherwise (``q1`` against ``1``)."""
    from ..evaluate.trec import topic_order

    topics = set(judged[0]["query_id"]) & set(judged[1]["query_id"])
    lines = []
    for name, run in runs.items():
        if not topics & set(run["query_id"]):
            some = ", ".join(map(repr, topic_order(run["query_id"])[:3]))
            lines.append(
                f"run {name!r} answers none of the {len(topics)} topics both qrels judge (its topics: {some}...): it "
                "scores 0 on each"
            )
    return lines


@click.command("rank-agreement")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option(
    "--qrels",
    "qrels",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A qrels file; give exactly two.",
)
@click.option(
    "--measure",
    default="nDCG@10",
    show_default=True,
    help="An ir-measures measure (nDCG@10, AP, P@5, RR...).",
)
@click.option(
    "--p",
    "persistence",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.9,
    show_default=True,
    help="RBO persistence.",
)
@click.option(
    "--n-boot",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="Bootstrap replicates over topics.",
)
@out_folder("rank-agreement", Path("labelwise-rank-agreement"))
@click.option("--random-state", type=SEED, default=0, show_default=True)
@quiet_option
def rank_agreement(run_dir, qrels, measure, persistence, n_boot, out, random_state, quiet, superseded):
    """Score every TREC run in RUN_DIR under two qrels files and compare the two system rankings.

    RUN_DIR's runs are its files ending .run, .txt, .trec or without a suffix (one system each, named by
    the file's stem), a file without a suffix only when its first line is a run line; each may be
    compressed as TREC hands runs out (s1.run.gz, s2.gz; also .bz2, .xz, .zip); other files
    (README.md, notes.csv, a README) and folders are not read, and the other files are listed on screen.

    Writes systems.csv (score and rank per system under each qrels), topics_a.csv/topics_b.csv
    (per-topic values), agreement.csv (Kendall tau, tau-AP, Spearman, RBO with bootstrap CIs),
    agreement.html (table and scatter of the two scores per system) and summary.json to --out.
    """
    # the API is imported here, not on top: `labelwise rank-agreement --help` does not wait for it
    from ..evaluate import ranking_agreement
    from ..evaluate.trec import read_qrels, read_run_dir, run_files, system_scores
    from ..report._evaluation import evaluation_html

    if len(qrels) != 2:
        raise InvalidParameterError(f"--qrels must be given exactly twice, got {len(qrels)}")
    require("ir_measures", "labelwise rank-agreement (its --measure)")  # before the runs are read
    run_dir = require_folder(run_dir, parameter="RUN_DIR", kind="run folder")
    qrels_a, qrels_b = (require_file(q, parameter="--qrels", kind="qrels file") for q in qrels)
    if Path(out).resolve() == Path(run_dir).resolve():  # every later run would read the outputs as runs
        raise InvalidParameterError(
            f"--out {str(out)!r} is RUN_DIR: its files would be read as runs by the next rank-agreement on it; "
            "write to another folder (a folder inside RUN_DIR is not read)"
        )
    found, skipped = run_files(run_dir)
    files = [f.name for f in found]
    if len(files) < 3:  # read_run_dir's floor is 2 runs; two rankings of 2 systems agree or not, no more
        raise DataFileError(
            f"RUN_DIR must hold at least 3 run files (one per system; files ending {_SUFFIXES} or without a "
            f"suffix) to compare two rankings of them, got {len(files)}{': ' + ', '.join(files) if files else ''}"
            + (f" (not runs, not read: {_listed(skipped)})" if skipped else "")
        )
    _say_skipped(skipped)
    with reading("RUN_DIR"):
        runs = read_run_dir(run_dir)
    with reading("--qrels"):
        judged = [read_qrels(qrels_a), read_qrels(qrels_b)]
    with renaming({"measure": "--measure"}):
        a, b = (system_scores(runs, q, measure) for q in judged)
    # a qrels under which every system scores the same orders none: the warning names that file
    with renaming({f"scores_{k}": f"the {measure} under --qrels {str(q)!r}" for k, q in zip("ab", qrels, strict=True)}):
        res = ranking_agreement(a, b, p=persistence, n_boot=n_boot, random_state=random_state)
    only_one = sorted(map(str, set(a.columns) ^ set(b.columns)))
    out = Path(out)
    with files_together(supersedes=superseded):
        write_csv(res.systems_frame().reset_index(), out / "systems.csv")
        write_csv(a.reset_index(), out / "topics_a.csv")
        write_csv(b.reset_index(), out / "topics_b.csv")
        write_csv(res.to_frame().reset_index(), out / "agreement.csv")
        write_json(
            {
                "measure": measure,
                "qrels": [str(q) for q in qrels],
                "n_systems": len(runs),
                "resampled": res.resampled,
                "n_topics": len(res.topics) if res.topics is not None else None,
                "topics_in_one_qrels_only": only_one,
                # NaN (a ranking without order) is null: JSON has no NaN
                "values": {m: (v if math.isfinite(v) else None) for m, v in res.values.items()},
                "n_boot": n_boot,
            },
            out / "summary.json",
        )
        page = evaluation_html(
            res.systems_frame(),
            agreement=res.to_frame(),
            title="labelwise rank-agreement",
            notes=f"{measure}: a = {qrels[0]}, b = {qrels[1]}; {len(runs)} systems",
        )
        with atomic_write(out / "agreement.html") as fh:
            fh.write(page)
    print_frame(res.systems_frame().reset_index(), title=f"{measure} per system")
    print_frame(res.to_frame().reset_index(), title="Agreement")
    for line in _unjudged_runs(runs, judged):
        console().print(line, markup=False)
    if only_one:
        console().print(
            f"compared on the {len(res.topics if res.topics is not None else [])} topics both qrels judge; "
            f"{len(only_one)} judged in one qrels only were left out (summary.json: topics_in_one_qrels_only)"
        )
    print_wrote(
        out / n
        for n in ("systems.csv", "agreement.csv", "topics_a.csv", "topics_b.csv", "summary.json", "agreement.html")
    )
