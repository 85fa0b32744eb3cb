"""What the pages name exists: Python names where they are imported from, CLI options and their
stated defaults (the examples that a page marks as skipped are checked here too)."""

from __future__ import annotations

import ast
import importlib
import inspect
import re

import click
import pytest

from labelwise.cli import main
from tests.docs._pages import PAGES, ROOT, read_blocks

#: Options in the pages that belong to other tools (benchmark scripts, ruff, mkdocs).
OTHER_TOOLS = {"--large", "--before", "--tile-from", "--check", "--strict"}

#: (command, option, default as a page states it, page).
CLI_DEFAULTS = [
    ("audit", "--out", "labelwise-out", "README.md"),
    ("audit", "--filter-by", "prune_by_noise_rate", "README.md"),
    ("audit", "--model", "auto", "README.md"),
    ("audit", "--time-budget", 30, "README.md"),
    ("audit", "--k", 10, "README.md"),
    ("audit", "--metric", "euclidean", "README.md"),
    ("audit", "--scaling", "auto", "README.md"),
    ("audit", "--label-scaling", "zscore", "README.md"),
    ("audit", "--scheduler", "threads", "README.md"),
    ("aggregate", "--format", "auto", "README.md"),
    ("aggregate", "--method", "dawid-skene", "README.md, docs/aggregate.md"),
    ("evaluate", "--metric", "accuracy", "docs/evaluate.md"),
    ("rank-agreement", "--measure", "nDCG@10", "docs/evaluate.md"),
    ("robustness", "--standardize", True, "README.md (--no-standardize to skip)"),
]

#: (module, callable, parameter, default as a page states it).
PYTHON_DEFAULTS = [
    ("labelwise.aggregate", "AutoAggregator", "n_folds", 5),
    ("labelwise.aggregate", "AutoAggregator", "min_items", 20),
    ("labelwise.aggregate", "DawidSkene", "smoothing", "auto"),
    ("labelwise.audit.regression", "find_label_issues", "rule", "mixture"),
    ("labelwise.audit.detection", "find_label_issues", "threshold", 0.3),
    ("labelwise.checks", "find_data_issues", "scaling", "auto"),
    ("labelwise.checks", "find_data_issues", "label_scaling", "zscore"),
    ("labelwise.weak", "LabelModel", "abstains", "auto"),
    ("labelwise.weak", "LabelModel", "pair_check", True),
    ("labelwise.weak", "labeling_function", "abstain", None),
    ("labelwise.shift", "estimate_priors", "calibration", "auto"),
    ("labelwise", "find_label_issues", "filter_by", "prune_by_noise_rate"),
]


def _python_blocks():
    return [block for page in PAGES for block in read_blocks(page) if block.lang == "python"]


def _commands():
    return [(block, line, args) for page in PAGES for block in read_blocks(page) for line, args in block.commands]


def _command(name: str) -> click.Command:
    command = main.get_command(click.Context(main), name)
    assert command is not None, f"labelwise has no command {name!r}"
    return command


def _resolve(dotted: str):
    """The object named ``a.b.c``: the longest importable module prefix, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            obj = getattr(obj, part)
        return obj
    raise ImportError(dotted)


def _names(tree: ast.AST) -> set[str]:
    """Dotted labelwise names a block uses: its imports and attribute chains on imported modules."""
    aliases: dict[str, str] = {}
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("labelwise"):
                    aliases[a.asname or a.name] = a.name
                    used.add(a.name)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("labelwise"):
            for a in node.names:
                aliases[a.asname or a.name] = f"{node.module}.{a.name}"
                used.add(f"{node.module}.{a.name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            chain, inner = [], node
            while isinstance(inner, ast.Attribute):
                chain.append(inner.attr)
                inner = inner.value
            if isinstance(inner, ast.Name) and inner.id in aliases:
                used.add(".".join([aliases[inner.id], *reversed(chain)]))
    return used


@pytest.mark.parametrize("block", _python_blocks(), ids=lambda b: b.where)
def test_every_labelwise_name_resolves(block):
    """Every labelwise name a Python example imports or reaches by attributes exists there."""
    tree = ast.parse(block.text, filename=block.where)
    missing = []
    for name in sorted(_names(tree)):
        try:
            _resolve(name)
        except (ImportError, AttributeError) as exc:
            missing.append(f"{name} ({exc})")
    assert not missing, f"{block.where} uses names that do not exist: {missing}"


@pytest.mark.parametrize("entry", _commands(), ids=lambda e: f"{e[0].where}:{e[1][:40]}")
def test_every_command_parses(entry):
    """Every ``labelwise`` command of a page names a real command with real options and values."""
    block, line, args = entry
    command = _command(args[1])
    try:
        command.make_context(args[1], list(args[2:]), resilient_parsing=False)
    except click.exceptions.UsageError as exc:
        pytest.fail(f"{block.where}: `{line}`: {exc.format_message()}")
    except click.exceptions.Exit:
        pass


def test_every_option_named_in_prose_exists():
    """A ``--option`` written in a page is an option of some labelwise command."""
    options = {opt for cmd in main.commands.values() for p in cmd.params for opt in [*p.opts, *p.secondary_opts]}
    unknown = []
    for page in PAGES:
        text = (ROOT / page).read_text(encoding="utf-8")
        for span in re.findall(r"`([^`\n]*)`", text):
            for option in re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", span):
                if option not in options and option not in OTHER_TOOLS:
                    unknown.append(f"{page}: {option} in `{span}`")
    assert not unknown, unknown


@pytest.mark.parametrize("entry", CLI_DEFAULTS, ids=lambda e: f"{e[0]} {e[1]}")
def test_cli_default_is_the_one_stated(entry):
    """The default a page states for an option is the command's default."""
    name, option, stated, page = entry
    params = [p for p in _command(name).params if option in p.opts or option in p.secondary_opts]
    assert params, f"{page}: labelwise {name} has no option {option}"
    default = params[0].default
    if default is None:  # resolved in the command's body: the help text states it
        helptext = f"{params[0].show_default} {getattr(params[0], 'help', '')}"
        found = re.search(r"default:? ([\w@./-]+)|(\w+) \(default\)", helptext)
        default = found and (found.group(1) or found.group(2))
    assert default == stated or str(default).rstrip("/") == str(stated).rstrip("/"), (
        f"{page} says labelwise {name} {option} defaults to {stated!r}; it is {default!r}"
    )


@pytest.mark.parametrize("entry", PYTHON_DEFAULTS, ids=lambda e: f"{e[1]}.{e[2]}")
def test_python_default_is_the_one_stated(entry):
    """The default a page states for a parameter is the signature's default."""
    module, name, parameter, stated = entry
    obj = getattr(importlib.import_module(module), name)
    default = inspect.signature(obj).parameters[parameter].default
    assert default == stated, f"{module}.{name}({parameter}=...) defaults to {default!r}, the pages say {stated!r}"


def test_every_dotted_name_in_prose_resolves():
    """A ``labelwise.x.y`` or ``lw.x.y`` name written in a page's backticks exists."""
    missing, seen = [], 0
    for page in PAGES:
        for span in re.findall(r"`([^`\n]*)`", (ROOT / page).read_text(encoding="utf-8")):
            for name in re.findall(r"(?<![\w.])((?:labelwise|lw)(?:\.[A-Za-z_]\w*)+)", span):
                seen += 1
                try:
                    _resolve("labelwise" + name[2:] if name.startswith("lw.") else name)
                except (ImportError, AttributeError) as exc:
                    missing.append(f"{page}: {name} ({exc})")
    assert seen > 40 and not missing, missing
