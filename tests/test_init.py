"""``import labelwise`` is lazy (PEP 562) and every public name still resolves."""

from __future__ import annotations

import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import labelwise
from labelwise._lazy import lazy_names

#: Every subpackage of labelwise (``io`` and ``models`` too, which ``labelwise`` does not re-export).
SUBPACKAGES = sorted(m.name for m in pkgutil.iter_modules(labelwise.__path__) if m.ispkg)
#: Heavy libraries ``import labelwise`` must not import by itself.
HEAVY = {"sklearn", "scipy", "pandas", "pyarrow", "matplotlib", "dask"}


def _fresh(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_import_labelwise_imports_no_heavy_library():
    """A fresh ``import labelwise`` leaves scikit-learn, scipy, pandas, pyarrow, matplotlib and dask unimported."""
    code = f"import sys, labelwise; print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(HEAVY)!r})))"
    assert _fresh(code) == "[]"


@pytest.mark.parametrize("name", sorted(labelwise.__all__))
def test_every_public_name_resolves(name):
    """Each name of ``labelwise.__all__`` is an attribute and ``from labelwise import name`` works."""
    value = getattr(labelwise, name)
    namespace: dict = {}
    exec(f"from labelwise import {name}", namespace)
    assert namespace[name] is value


@pytest.mark.parametrize("package", SUBPACKAGES)
def test_every_subpackage_name_resolves(package):
    """Each name in a subpackage's ``__all__`` resolves, and ``labelwise.<package>`` is that subpackage."""
    module = importlib.import_module(f"labelwise.{package}")
    assert getattr(labelwise, package) is module
    missing = [name for name in getattr(module, "__all__", []) if not hasattr(module, name)]
    assert missing == []


def test_namespace_attribute_access_in_a_fresh_interpreter():
    """``lw.aggregate.DawidSkene`` and ``lw.find_label_issues`` work without importing anything first."""
    code = (
        "import labelwise as lw; "
        "print(lw.aggregate.DawidSkene.__name__, lw.find_label_issues.__name__, lw.errors.LabelwiseError.__name__)"
    )
    assert _fresh(code) == "DawidSkene find_label_issues LabelwiseError"


def test_probs_module_is_a_namespace_in_a_fresh_interpreter():
    """README's ``lw.probs.out_of_fold_probs_on_cluster`` works without importing ``labelwise.probs`` first
    (before: AttributeError, unless another import had loaded the module)."""
    code = "import labelwise as lw; print(lw.probs.out_of_fold_probs_on_cluster.__name__)"
    assert _fresh(code) == "out_of_fold_probs_on_cluster"


def test_every_lw_name_the_docs_use_resolves_in_a_fresh_interpreter():
    """Each ``lw.<name>`` written in README.md or docs/*.md is an attribute of a freshly imported
    ``labelwise`` (``lw.audit.class_overlap`` in docs/audit.md raised AttributeError unless an earlier
    call had imported ``labelwise.audit``)."""
    root = Path(__file__).resolve().parents[1]
    pages = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    names = sorted({m for page in pages for m in re.findall(r"\blw\.([A-Za-z_]\w*)", page.read_text(encoding="utf-8"))})
    assert "audit" in names and "aggregate" in names
    code = f"import labelwise as lw; print([n for n in {names!r} if not hasattr(lw, n)])"
    assert _fresh(code) == "[]"


def test_dir_lists_every_public_name():
    """``dir(labelwise)`` shows the public names before they are loaded."""
    assert set(labelwise.__all__) <= set(dir(labelwise))


def test_unknown_name_is_an_attribute_error():
    """A name that is not public raises AttributeError (so ``hasattr`` and ``getattr(.., default)`` work)."""
    with pytest.raises(AttributeError, match="no_such_name"):
        labelwise.no_such_name  # noqa: B018
    assert getattr(labelwise, "no_such_name", None) is None


def test_all_matches_the_lazy_table():
    """Every public name has a place to load it from, and every such place is public."""
    assert set(labelwise.__all__) == set(lazy_names(labelwise.__file__))
    assert set(labelwise.io.__all__) == set(lazy_names(labelwise.io.__file__))


def test_lazy_names_reads_only_the_type_checking_block(tmp_path):
    """Imports outside ``if TYPE_CHECKING:`` are not lazy names; ``as`` names and ``from . import`` are."""
    init = tmp_path / "__init__.py"
    init.write_text(
        "from typing import TYPE_CHECKING\n"
        "from .eager import not_lazy\n"
        "if TYPE_CHECKING:\n"
        "    from . import sub\n"
        "    from .mod import a, b as c\n"
    )
    assert lazy_names(str(init)) == {"sub": (".sub", None), "a": (".mod", "a"), "c": (".mod", "b")}


#: The subpackages whose ``__init__`` re-exports lazily (``labelwise._lazy.attach``).
LAZY_SUBPACKAGES = sorted(
    p
    for p in SUBPACKAGES
    if "attach(" in importlib.import_module(f"labelwise.{p}").__loader__.get_source(f"labelwise.{p}")
)


def test_lazy_subpackages_import_no_heavy_library():
    """A fresh ``import labelwise.aggregate`` (and every other lazy subpackage) imports none of the heavy libraries."""
    assert {"aggregate", "audit", "models", "poison", "weak"} <= set(LAZY_SUBPACKAGES)
    imports = "; ".join(f"import labelwise.{p}" for p in LAZY_SUBPACKAGES)
    code = f"import sys; {imports}; print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(HEAVY)!r})))"
    assert _fresh(code) == "[]"


@pytest.mark.parametrize("package", LAZY_SUBPACKAGES)
def test_lazy_subpackage_all_is_in_its_table(package):
    """Every name of a lazy subpackage's ``__all__`` has a place to load it from."""
    module = importlib.import_module(f"labelwise.{package}")
    assert set(module.__all__) <= set(lazy_names(module.__file__))


#: Re-exported functions named like the submodule that defines them (``labelwise.weak.apply``).
SHADOWED = sorted(
    (package, name)
    for package in LAZY_SUBPACKAGES
    for name, (module, attribute) in lazy_names(importlib.import_module(f"labelwise.{package}").__file__).items()
    if attribute and module == f".{name}"
)


@pytest.mark.parametrize(("package", "name"), SHADOWED, ids=lambda v: str(v))
def test_function_stays_over_its_same_named_submodule(package, name):
    """After ``import labelwise.weak.apply`` (the submodule), ``labelwise.weak.apply`` is still the function."""
    code = (
        f"import importlib; sub = importlib.import_module('labelwise.{package}.{name}'); "
        f"import labelwise.{package} as pkg; print(pkg.{name} is getattr(sub, {name!r}))"
    )
    assert _fresh(code) == "True"


def test_shadowed_names_are_checked():
    """The submodule-named functions exist (the test above is not empty): ``weak.apply``, ``aggregate.agreement``."""
    assert {("weak", "apply"), ("aggregate", "agreement")} <= set(SHADOWED)


def test_lazy_names_reads_parent_relative_imports(tmp_path):
    """``from ..audit.scores import x`` in the block is lazy too, relative to the package's parent."""
    init = tmp_path / "__init__.py"
    init.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..audit.scores import entropy\n")
    assert lazy_names(str(init)) == {"entropy": ("..audit.scores", "entropy")}
