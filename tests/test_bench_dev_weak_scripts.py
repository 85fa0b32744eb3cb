"""The weak label model's dev and diagnosis scripts (``benchmarks/dev_weak_*.py``, ``diag_weak_*.py``) still start:
every labelwise name they import resolves, except a rejected candidate's module, whose script exits saying where its
result is recorded instead of a traceback. Their judging runs are not run here."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPTS = sorted([*BENCH.glob("dev_weak_*.py"), *BENCH.glob("diag_weak_*.py")])

#: Candidate modules that left ``src`` on purpose, imported by their script after a check that exits first (an import
#: in a ``try`` that catches ImportError is such a check itself, and is not listed).
GONE = {"labelwise.weak._one_class_screen", "labelwise.weak._worker_strength"}
_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception"}


def _catches_import_error(node: ast.Try) -> bool:
    for handler in node.handlers:
        kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        if handler.type is None or any(isinstance(k, ast.Name) and k.id in _IMPORT_ERRORS for k in kinds):
            return True
    return False


def _labelwise_imports(path: Path) -> list[tuple[int, str, str | None]]:
    """Each ``from labelwise... import name`` (any depth) as (line, module, name), ``import labelwise...`` as
    (line, module, None); not those guarded by a ``try`` that catches ImportError."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    guarded = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.Try) and _catches_import_error(node)
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    found: list[tuple[int, str, str | None]] = []
    for node in ast.walk(tree):
        if id(node) in guarded:
            continue
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("labelwise"):
            found += [(node.lineno, str(node.module), alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, None) for alias in node.names if alias.name.startswith("labelwise")]
    return found


def _resolves(module: str, name: str | None) -> bool:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return False
    return name is None or hasattr(mod, name) or importlib.util.find_spec(f"{module}.{name}") is not None


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_every_labelwise_import_of_a_dev_script_resolves(path):
    """A moved function is imported from where it is now; only a rejected candidate's module may be missing."""
    broken = [
        f"line {line}: {module}{'.' + name if name else ''}"
        for line, module, name in _labelwise_imports(path)
        if not _resolves(module, name) and module not in GONE and f"{module}.{name}" not in GONE
    ]
    assert not broken, f"{path.name} imports what is not in src: {broken}"


def test_the_specific_gate_script_patches_the_clique_searchs_agreement_test(monkeypatch):
    """``dev_weak_specific_gate.py`` imports, and wraps ``agreement_excess`` where the clique search calls it."""
    from labelwise.weak import _dependencies

    monkeypatch.syspath_prepend(str(BENCH))  # the script imports its sibling scripts
    module = importlib.import_module("dev_weak_specific_gate")
    assert module._ORIGINAL["excess"] is _dependencies.agreement_excess


@pytest.mark.parametrize(
    ("script", "where"),
    [
        ("dev_weak_one_class_cliques.py", "session 49 (is15s)"),
        ("dev_weak_one_class_cliques3.py", "session 49 (is15v)"),
        ("dev_weak_one_class_cliques4.py", "session 50 (is15w)"),
    ],
)
def test_a_script_whose_candidate_left_src_exits_saying_where_its_own_result_is(script, where):
    """A one-class clique script whose candidate left src exits with one line naming its own session and tag (not a
    traceback, nor an earlier candidate's script's line, nor a run of today's fit in the candidate's place)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p), "OMP_NUM_THREADS": "1"}
    run = subprocess.run(
        [sys.executable, str(BENCH / script), "--part", "ablation" if script.endswith("cliques.py") else "a"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert f"benchmarks/RESULTS.md, {where}" in run.stderr
