"""Read the user guide's examples: fenced blocks of README.md and docs/*.md, and their commands.

A page marks an example that cannot run here with an HTML comment on the line before its fence::

    <!-- docs-test: skip (needs a scheduler) -->

and the printed output that a Python block claims with ``<!-- docs-test: output -->`` before a
plain fenced block that follows it: its lines must appear in that order in what the block
printed (a line ``...`` stands for any number of lines). One command of a shell block is skipped
by ``<!-- docs-test: skip-command N (reason) -->`` (N counts the block's commands from 1).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))]

_FENCE = re.compile(r"^```(\w*)\s*$")
_MARK = re.compile(r"^<!--\s*docs-test:\s*(skip-command\s+\d+|skip|output)\s*(?:\((.*)\))?\s*-->\s*$")


@dataclass(frozen=True)
class Block:
    """One fenced block of a page: its language, first line number, text and test marks."""

    page: str
    line: int
    lang: str
    text: str
    skip: str | None = None
    is_output: bool = False
    skip_commands: dict[int, str] = field(default_factory=dict)

    @property
    def commands(self) -> list[tuple[str, list[str]]]:
        """The block's ``labelwise ...`` commands: each line (continuations joined) and its arguments."""
        joined = self.text.replace("\\\n", " ")
        lines = [line for line in joined.splitlines() if line.startswith("labelwise ")]
        return [(line, shlex.split(line, comments=True)) for line in lines]

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def read_blocks(page: str) -> list[Block]:
    """Every fenced block of ``page`` (a path relative to the project root), in order."""
    lines = (ROOT / page).read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        start, lang = i, match.group(1)
        i += 1
        while i < len(lines) and lines[i].rstrip() != "```":
            if _FENCE.match(lines[i]) and _FENCE.match(lines[i]).group(1):
                raise AssertionError(f"{page}:{i + 1}: a fence opens inside the block opened at line {start + 1}")
            i += 1
        if i == len(lines):
            raise AssertionError(f"{page}:{start + 1}: the fenced block is never closed")
        skip, is_output, skip_commands = None, False, {}
        j = start - 1
        while j >= 0 and (mark := _MARK.match(lines[j].strip())):
            kind, reason = mark.group(1), mark.group(2) or ""
            if kind == "skip":
                skip = reason or "no reason given"
            elif kind == "output":
                is_output = True
            else:
                skip_commands[int(kind.split()[1])] = reason
            j -= 1
        text = "\n".join(lines[start + 1 : i]) + "\n"
        blocks.append(Block(page, start + 1, lang, text, skip, is_output, skip_commands))
        i += 1
    return blocks


def output_matches(expected: str, printed: str) -> bool:
    """Whether the lines of ``expected`` occur in order in ``printed`` (``...`` skips lines)."""
    want = [line.rstrip() for line in expected.strip("\n").splitlines()]
    got = [line.rstrip() for line in printed.splitlines()]
    pos, gap = 0, True
    for line in want:
        if line.strip() == "...":
            gap = True
            continue
        if gap:
            if line not in got[pos:]:
                return False
            pos = got.index(line, pos)
        elif pos >= len(got) or got[pos] != line:
            return False
        pos, gap = pos + 1, False
    return True
