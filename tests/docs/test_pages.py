"""The user guide runs: every Python block and ``labelwise`` command of README.md and docs/*.md.

Each page runs in a fresh temporary folder: its Python blocks in one namespace, in order, with the
commands of its shell blocks (through click's ``CliRunner``) where they stand. Stand-in files and
the user's own variables come from ``_setups.SETUPS``; a block or command the page marks with a
``docs-test: skip`` comment is skipped with its reason, and the skips are counted below.
"""

from __future__ import annotations

import contextlib
import io
import traceback
from pathlib import Path

import matplotlib
import pytest
from click.testing import CliRunner
from threadpoolctl import threadpool_limits

from labelwise.cli import main
from tests import conftest
from tests.docs._claims import CLAIMS
from tests.docs._pages import PAGES, Block, output_matches, read_blocks
from tests.docs._setups import SETUPS

matplotlib.use("Agg")

#: Top-level modules of optional extras: an example that imports a missing one is skipped.
OPTIONAL = {"dask", "distributed", "zarr", "fastapi", "uvicorn", "hnswlib", "faiss", "PIL", "ir_measures"}
#: Every skip the pages mark, as (page, number of skipped blocks and commands); a new one is a
#: decision to review, not a free pass.
MARKED_SKIPS = {"README.md": 2, "docs/index.md": 1}
#: What an --out folder holding an earlier run's outputs is refused with (cli/_out_folder.claim).
EARLIER_OUTPUTS = "must not hold earlier outputs"


class PageRun:
    """Runs one page's blocks in order in ``folder``, keeping what the last Python block printed."""

    def __init__(self, page: str, folder: Path):
        self.page, self.folder = page, folder
        self.namespace: dict = {"__name__": "__docs__", "__cleanup__": []}
        self.printed = ""
        self.setups = SETUPS.get(page, [])
        self.used: set[str] = set()

    def _prepare(self, text: str) -> None:
        for anchor, setup in self.setups:
            if anchor in text:
                self.used.add(anchor)
                setup(self.folder, self.namespace)

    def python(self, block: Block) -> None:
        self._prepare(block.text)
        buffer = io.StringIO()
        try:
            with contextlib.redirect_stdout(buffer):
                exec(compile("\n" * block.line + block.text, block.page, "exec"), self.namespace)  # page lines
        except ImportError as exc:
            if (exc.name or "").split(".")[0] in OPTIONAL:
                pytest.skip(f"{block.where} needs an optional extra that is not installed: {exc}")
            raise
        except Exception as exc:
            pytest.fail(f"{block.where} raised:\n{''.join(traceback.format_exception(exc)[-6:])}")
        self.printed = buffer.getvalue()

    def shell(self, block: Block) -> None:
        for number, (line, args) in enumerate(block.commands, start=1):
            if number in block.skip_commands:
                continue
            self._prepare(line)
            result = CliRunner().invoke(main, args[1:], catch_exceptions=True)
            if result.exit_code != 0 and EARLIER_OUTPUTS in result.output and "--force" not in args:
                # A page lists alternatives a reader runs one at a time; the harness runs them all in
                # one folder, so an example that writes where an earlier one did is refused, and run
                # again as the refusal says (tests/cli/test_out_folder.py checks the refusal itself).
                result = CliRunner().invoke(main, [*args[1:], "--force"], catch_exceptions=True)
            detail = result.output[-3000:]
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                detail += "".join(traceback.format_exception(result.exception)[-6:])
            assert result.exit_code == 0, (
                f"{block.where}: `{line.split('#')[0].strip()}` exited {result.exit_code}:\n{detail}"
            )

    def output(self, block: Block) -> None:
        assert output_matches(block.text, self.printed), (
            f"{block.where}: the output shown is not what the block before it printed:\n{self.printed}"
        )


def _run_page(page: str, folder: Path) -> PageRun:
    run = PageRun(page, folder)
    (folder.parent / "shared").symlink_to(conftest.SHARED_DATA.parent, target_is_directory=True)
    limits = threadpool_limits(limits=1)  # on a loaded 2-core machine spare BLAS threads only spin
    try:
        for block in read_blocks(page):
            if block.skip:
                continue
            if block.lang == "python":
                run.python(block)
            elif block.is_output:
                run.output(block)
            elif block.commands:
                run.shell(block)
    finally:
        limits.restore_original_limits()
        for cleanup in run.namespace["__cleanup__"]:
            cleanup()
    return run


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_page_examples_run(page, tmp_path, monkeypatch):
    """Every example of the page runs as written, and prints what the page shows."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    if "../shared/data" in (Path(__file__).parents[2] / page).read_text() and not conftest.SHARED_DATA.is_dir():
        pytest.skip(f"{page} reads the real data, not found at {conftest.SHARED_DATA}")
    run = _run_page(page, folder)
    wrong = [claim for claim, check in CLAIMS.get(page, []) if not check(run.namespace)]
    assert not wrong, f"{page} claims what its examples do not give: {wrong}"
    unused = [anchor for anchor, _ in SETUPS.get(page, []) if anchor not in run.used]
    assert not unused, f"stand-ins whose example is gone from {page}: {unused}"


def test_marked_skips_are_few_and_have_reasons():
    """Every skip mark names its reason, and the pages hold exactly the skips listed here."""
    counts = {}
    for page in PAGES:
        for block in read_blocks(page):
            marks = ([block.skip] if block.skip else []) + list(block.skip_commands.values())
            assert all(reason and reason != "no reason given" for reason in marks), block.where
            counts[page] = counts.get(page, 0) + len(marks)
    assert {page: n for page, n in counts.items() if n} == MARKED_SKIPS


def _marks() -> list[tuple[str, str]]:
    marks = []
    for page in PAGES:
        for block in read_blocks(page):
            if block.skip:
                marks.append((block.where, block.skip))
            marks += [(f"{block.where} command {n}", reason) for n, reason in block.skip_commands.items()]
    return marks


@pytest.mark.parametrize("mark", _marks(), ids=lambda m: m[0])
def test_marked_example_is_reported_skipped(mark):
    """Each example a page marks as not runnable here shows up as a skip, with its reason."""
    pytest.skip(f"{mark[0]}: {mark[1]}")


def test_every_page_has_an_example():
    """The extractor finds the pages and their blocks (an extractor that finds nothing cannot fail)."""
    found = {page: read_blocks(page) for page in PAGES}
    assert PAGES[0] == "README.md" and {"docs/index.md", "docs/weak.md"} <= set(PAGES)
    assert sum(b.lang == "python" for b in found["README.md"]) > 10
    assert sum(len(b.commands) for b in found["README.md"]) > 40
    assert sum(b.is_output for b in found["docs/weak.md"]) == 2


def test_extractor_refuses_unclosed_and_nested_fences(tmp_path):
    """A block left open, or a fence with a language inside a block, is an error naming the line."""
    page = tmp_path / "page.md"
    page.write_text("text\n```python\nx = 1\n\n## next section\n")
    with pytest.raises(AssertionError, match="page.md:2: the fenced block is never closed"):
        read_blocks(str(page))
    page.write_text("```python\nx = 1\n```python\ny = 2\n```\n")
    with pytest.raises(AssertionError, match="opens inside"):
        read_blocks(str(page))


def test_marks_and_commands_are_read(tmp_path):
    """Skip marks, output marks and continued command lines are read as the module says."""
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- docs-test: skip-command 2 (needs a cluster) -->\n```\nlabelwise audit --demo  # a comment\n"
        "labelwise audit a.csv \\\n    --label y\nmake test\n```\n<!-- docs-test: output -->\n```\n1\n```\n"
    )
    shell, output = read_blocks(str(page))
    assert [args for _, args in shell.commands] == [
        ["labelwise", "audit", "--demo"],
        ["labelwise", "audit", "a.csv", "--label", "y"],
    ]
    assert shell.skip_commands == {2: "needs a cluster"} and output.is_output and not shell.is_output


def test_output_matches_lines_in_order_with_gaps():
    """Shown lines must be printed in that order, consecutively unless a '...' line stands between."""
    printed = "a\nb\nc\nd\n"
    assert output_matches("b\nc", printed)
    assert output_matches("a\n...\nd", printed)
    assert not output_matches("a\nc", printed)
    assert not output_matches("c\nb", printed)
    assert not output_matches("e", printed)
