"""Lower layers never import higher ones (DESIGN.md): each package imports only the packages listed here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import labelwise

ROOT = Path(labelwise.__file__).parent

#: Shared lower layers every package may import: errors, validation, the private top-level helpers.
BASE = {"errors", "_validate", "__version__"} | {p.stem for p in ROOT.glob("_*.py")} - {"__init__"}
ALGORITHMS = {"aggregate", "audit", "noise"}
#: The labelwise packages (beyond BASE) each package may import. Algorithm packages may use
#: ``audit``, ``aggregate`` and ``noise`` only; ``models`` (the audit's model chooser) and ``probs``
#: (out-of-fold probabilities) sit between them and the packages that train models.
ALLOWED: dict[str, set[str]] = {
    "io": set(),
    "columns": set(),
    "aggregate": {"io"},
    "audit": {"io", "columns"},
    "noise": {"io"},
    "models": {"audit", "columns", "io"},
    "probs": {"models", "audit", "columns", "io"},
    "datasets": {"noise", "io"},
    "shift": {"io", "probs", "models"} | ALGORITHMS,
    "evaluate": {"io"} | ALGORITHMS,
    "checks": {"io", "columns", "probs", "models"} | ALGORITHMS,
    "semi": {"io", "probs", "models"} | ALGORITHMS,
    "robust": {"io", "probs", "models"} | ALGORITHMS,
    "poison": {"io", "probs", "models"} | ALGORITHMS,
    "weak": {"io"} | ALGORITHMS,
    "report": {"io", "columns", "checks", "evaluate"} | ALGORITHMS,
    "review": {"io", "report"} | ALGORITHMS,
}


def _package(rel: Path) -> str:
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imported_packages(path: Path) -> set[str]:
    """The top-level labelwise packages ``path`` imports (absolute or relative imports)."""
    rel = path.relative_to(ROOT)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level == 0:
            parts = (node.module or "").split(".")
            if parts[0] != "labelwise":
                continue
            names = parts[1:] or [alias.name for alias in node.names]
        else:
            base = list(rel.parts[:-1])
            base = base[: len(base) - (node.level - 1)]
            names = base + (node.module.split(".") if node.module else [alias.name for alias in node.names])
        found.add(names[0] if names else "")
    return found


PACKAGED = sorted(p for p in ROOT.rglob("*.py") if _package(p.relative_to(ROOT)) in ALLOWED)


@pytest.mark.parametrize("path", PACKAGED, ids=lambda p: str(p.relative_to(ROOT)))
def test_module_imports_only_lower_layers(path):
    """A module of package P imports only P itself, the shared base and the packages P may use."""
    own = _package(path.relative_to(ROOT))
    extra = _imported_packages(path) - BASE - ALLOWED[own] - {own}
    assert not extra, f"{path.relative_to(ROOT)} ({own}) imports {sorted(extra)}"


def test_every_package_has_a_layer():
    """A new package must be placed in ALLOWED (the interfaces cli, report, review sit on top)."""
    packages = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    packages |= {p.stem for p in ROOT.glob("*.py") if not p.stem.startswith("_")}
    unplaced = packages - set(ALLOWED) - BASE - {"cli"}
    assert not unplaced, f"packages without a layer in ALLOWED: {sorted(unplaced)}"
