"""The benchmark scripts' patches of labelwise modules can take effect.

A judging script switches a candidate by assigning a module attribute (``label_model.fit_abstain_models = ...``,
``setattr(_em, "run_em", ...)``, ``switched(_clique_cap, "GROW_CLIQUES", ...)``). When the code that read the name
moves to another module, the assignment still runs and the script silently judges main's code. Each patch found by
parsing ``benchmarks/*.py`` must name an attribute the module has *and* reads: a global lookup of the name in the
module's own source, or ``<alias>.name`` in a labelwise module that imports it.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import types
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
SRC = ROOT / "src" / "labelwise"

#: Calls whose first two arguments are (module, "name") and that set that attribute.
_SETTERS = {"setattr", "object", "switched", "fits_with_switch", "bench_accuracies"}
#: Patches of main's code before a change, made only where ``src`` lacks the change: (script, module.name) -> why.
OLDER_SRC = {
    ("dev_weak_one_class_fast.py", "labelwise.weak._one_class_fit.ONE_CLASS_RULES"): "the switch before 09ba91f0, set "
    "only where LabelModel has no one_class_rules parameter",
}


def _module(name: str) -> types.ModuleType | None:
    try:
        found = importlib.import_module(name)
    except ImportError:
        return None  # a rejected candidate's module: test_bench_dev_weak_scripts checks its script exits first
    return found


def _source_module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(node: ast.ImportFrom, package: str) -> str:
    """The module ``node`` imports from, a relative import resolved from ``package``."""
    if not node.level:
        return node.module or ""
    kept = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join([*kept, *filter(None, [node.module])])


def _imported_modules(tree: ast.AST, package: str) -> dict[str, str]:
    """Alias -> full name of every labelwise module the code imports (relative imports resolved from ``package``)."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            if not base.startswith("labelwise"):
                continue
            for alias in node.names:
                if isinstance(_module_or_none(f"{base}.{alias.name}"), types.ModuleType):
                    aliases[alias.asname or alias.name] = f"{base}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("labelwise") and alias.asname:
                    aliases[alias.asname] = alias.name
        elif (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and ast.unparse(node.value.func) == "importlib.import_module"
            and node.value.args
            and isinstance(node.value.args[0], ast.Constant)
            and str(node.value.args[0].value).startswith("labelwise")
        ):
            aliases.update({t.id: str(node.value.args[0].value) for t in node.targets if isinstance(t, ast.Name)})
    return aliases


def _module_or_none(name: str) -> object:
    """The module called ``name`` if it is one (not a function or class imported from its package)."""
    try:
        return importlib.import_module(name) if importlib.util.find_spec(name) is not None else None
    except (ImportError, ValueError):
        return None


@cache
def _reads() -> frozenset[tuple[str, str]]:
    """(module, name) for every global name a labelwise module's code loads, and every ``<module alias>.name`` that a
    labelwise module loads."""
    reads: set[tuple[str, str]] = set()
    for path in SRC.rglob("*.py"):
        name = _source_module_name(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = _imported_modules(tree, package)
        lazy = [n for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) for n in ast.walk(f)]
        for node in lazy:  # ``from ..checks import find_data_issues`` in a function looks the name up at each call
            if isinstance(node, ast.ImportFrom):
                reads.update((_absolute(node, package), alias.name) for alias in node.names)
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                reads.add((name, node.id))
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
                reads.add((aliases[node.value.id], node.attr))
    return frozenset(reads)


def _targets(node: ast.AST) -> Iterator[ast.expr]:
    if isinstance(node, ast.Assign):
        for target in node.targets:
            yield from target.elts if isinstance(target, ast.Tuple | ast.List) else [target]
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        yield node.target


def _unreachable(tree: ast.AST, aliases: dict[str, str]) -> set[int]:
    """Nodes that cannot run on today's ``src``: in a function that imports a module ``src`` no longer has, or that
    name a module the script checks first (``hasattr(module, "X")``, or ``module.X`` in a ``try`` that catches
    AttributeError) for a name ``src`` lacks, the script exiting then."""
    skip: set[int] = set()
    for func in ast.walk(tree):
        if isinstance(func, ast.FunctionDef) and any(
            isinstance(n, ast.ImportFrom) and (n.module or "").startswith("labelwise") and _imports_gone(n)
            for n in ast.walk(func)
        ):
            skip.update(id(n) for n in ast.walk(func))
    guarded = {
        node.args[0].id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "") == "hasattr"
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id in aliases
        and not hasattr(_module(aliases[node.args[0].id]), str(getattr(node.args[1], "value", "")))
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
            "AttributeError" in ast.unparse(h.type or ast.Name("")) for h in node.handlers
        ):
            guarded.update(n.value.id for n in ast.walk(node) if _module_attribute(n, aliases) and not _has(n, aliases))
    skip.update(id(n) for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in guarded)
    return skip


def _imports_gone(node: ast.ImportFrom) -> bool:
    """Whether ``node`` imports a labelwise module or name that ``src`` no longer has."""
    package = _module(str(node.module))
    return package is None or any(
        not hasattr(package, a.name) and _module(f"{node.module}.{a.name}") is None for a in node.names
    )


def _module_attribute(node: ast.AST, aliases: dict[str, str]) -> bool:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases


def _has(node: ast.Attribute, aliases: dict[str, str]) -> bool:
    return hasattr(_module(aliases[node.value.id]), node.attr)  # type: ignore[attr-defined]


def patches(source: str) -> list[tuple[int, str, str, str]]:
    """(line, module, name, how) of each labelwise module attribute that ``source`` sets (``how`` "sets": assigned,
    or set by a setter call with the name spelt as a string) or reads (``how`` "reads": ``module.name`` loaded),
    except where that code cannot run on today's ``src`` (see :func:`_unreachable`)."""
    tree = ast.parse(source)
    aliases = _imported_modules(tree, "labelwise")
    skip = _unreachable(tree, aliases)
    found = []
    for node in ast.walk(tree):
        for target in _targets(node):
            if _module_attribute(target, aliases) and id(target.value) not in skip:
                found.append((node.lineno, aliases[target.value.id], target.attr, "sets"))
        if _module_attribute(node, aliases) and isinstance(node.ctx, ast.Load) and id(node.value) not in skip:
            found.append((node.lineno, aliases[node.value.id], node.attr, "reads"))
        if isinstance(node, ast.Call) and len(node.args) >= 2:
            func = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            owner, attr = node.args[:2]
            if (
                func in _SETTERS
                and isinstance(owner, ast.Name)
                and owner.id in aliases
                and id(owner) not in skip
                and isinstance(attr, ast.Constant)
                and isinstance(attr.value, str)
            ):
                found.append((node.lineno, aliases[owner.id], attr.value, "sets"))
    return sorted(found)


def dead_patches(path: Path) -> list[str]:
    """Each patch in the script at ``path`` that cannot take effect, and each module attribute it reads that is not
    there, as ``line N: module.name (why)``."""
    dead = []
    for line, module_name, name, how in patches(path.read_text(encoding="utf-8")):
        module = _module(module_name)
        if module is None or (path.name, f"{module_name}.{name}") in OLDER_SRC:
            continue
        if not hasattr(module, name):
            dead.append(f"line {line}: {module_name}.{name} (no such attribute)")
        elif how == "sets" and (module_name, name) not in _reads():
            dead.append(f"line {line}: {module_name}.{name} (the module's code never reads it)")
    return list(dict.fromkeys(dead))


@pytest.mark.parametrize("path", sorted(BENCH.glob("*.py")), ids=lambda p: p.name)
def test_every_patch_of_a_labelwise_module_in_a_benchmark_script_reaches_code_that_reads_it(path):
    """A patch of a name its module no longer reads (the code moved) would judge main's code in the candidate's place."""
    assert not dead_patches(path), f"{path.name} patches names no code reads: {dead_patches(path)}"


class TestPatchesFinder:
    def test_it_finds_assignments_tuple_targets_and_setter_calls_on_imported_modules(self):
        source = (
            "from labelwise.weak import label_model, _em as em\n"
            "import labelwise.weak._clique_cap as cap\n"
            "label_model.fit_abstain_models = f\n"
            "em.run_em, x.y = g, h\n"
            "setattr(cap, 'GROW_CLIQUES', False)\n"
            "switched(em, 'LEAN_MISSING', True)\n"
            "getattr(em, 'run_em')\n"
            "from labelwise.weak import LabelModel\n"
            "LabelModel.fit = f\n"
        )
        assert patches(source) == [
            (3, "labelwise.weak.label_model", "fit_abstain_models", "sets"),
            (4, "labelwise.weak._em", "run_em", "sets"),
            (5, "labelwise.weak._clique_cap", "GROW_CLIQUES", "sets"),
            (6, "labelwise.weak._em", "LEAN_MISSING", "sets"),
        ]

    def test_code_that_cannot_run_on_src_is_left_out(self):
        """A function that imports a module src lacks, and a module checked by ``hasattr`` for a name src lacks."""
        source = (
            "from labelwise.weak import _em, label_model\n"
            "def old():\n"
            "    from labelwise.weak import _no_such_candidate\n"
            "    label_model.gone = 1\n"
            "if not hasattr(_em, 'GONE_SWITCH'):\n"
            "    raise SystemExit('judged at commit abc')\n"
            "_em.GONE_SWITCH = True\n"
            "label_model.posterior = f\n"
        )
        assert patches(source) == [(8, "labelwise.weak.label_model", "posterior", "sets")]

    def test_a_patch_of_a_name_its_module_never_reads_or_lacks_is_dead(self, tmp_path):
        """``label_model`` calls its own import of ``fit_abstain_models`` (``_em`` never calls it) and no longer
        imports ``agreement_excess``, which the clique search in ``_dependencies`` calls."""
        script = tmp_path / "script.py"
        script.write_text(
            "from labelwise.weak import label_model, _dependencies, _em\n"
            "label_model.fit_abstain_models = f\n"
            "_dependencies.agreement_excess = g\n"
            "_em.fit_abstain_models = f\n"
            "saved = label_model.agreement_excess\n"
        )
        assert dead_patches(script) == [
            "line 4: labelwise.weak._em.fit_abstain_models (the module's code never reads it)",
            "line 5: labelwise.weak.label_model.agreement_excess (no such attribute)",
        ]

    def test_names_read_through_a_module_import_or_a_lazy_import_are_live(self):
        """``label_model`` calls ``_invisible_missing.abstain_mode``; a CLI command imports ``find_data_issues`` from
        ``labelwise.checks`` inside a function, so the package attribute is looked up at each call."""
        assert ("labelwise.weak._invisible_missing", "abstain_mode") in _reads()
        assert ("labelwise.checks", "find_data_issues") in _reads()
