"""The registries' names in the light ``_names`` modules are the registries' own, and import nothing heavy.

The command line's options list these names (``--method``, ``--model``, ``--filter-by``, ...) so that
``labelwise COMMAND --help`` answers without importing scikit-learn, scipy or pandas; each registry keeps
its classes or functions beside them in its own module. A name added to one and not the other fails here.
"""

from __future__ import annotations

import importlib
import subprocess
import sys

import click
import pytest

from labelwise.cli import main

#: (light module, its name) -> (registry module, the registry): the light tuple must be the registry's keys.
AGREE = {
    ("aggregate._names", "METHOD_NAMES"): ("aggregate.methods", "METHODS"),
    ("aggregate._names", "MULTILABEL_METHODS"): ("aggregate.multilabel", "TAG_METHODS"),
    ("aggregate._names", "NUMERIC_METHOD_NAMES"): ("aggregate.numeric", "NUMERIC_METHODS"),
    ("aggregate._names", "PAIRWISE_METHOD_NAMES"): ("aggregate.pairwise", "PAIRWISE_METHODS"),
    ("aggregate._names", "TEXT_METHOD_NAMES"): ("aggregate.texts", "TEXT_METHODS"),
    ("aggregate._names", "BOX_METHOD_NAMES"): ("aggregate.boxes", "BOX_METHODS"),
    ("audit._names", "FILTER_NAMES"): ("audit.filters", "FILTERS"),
    ("audit._names", "SCORER_NAMES"): ("audit.scores", "SCORERS"),
    ("models._names", "MODELS"): ("models._menu", "FAMILIES"),
    ("poison._names", "ATTACK_NAMES"): ("poison.attacks", "ATTACKS"),
    ("semi._names", "SELECTIONS"): ("semi._rules", "SELECTIONS"),
    ("shift._names", "METHOD_NAMES"): ("shift.priors", "METHODS"),
    ("shift._names", "CALIBRATIONS"): ("shift.priors", "CALIBRATIONS"),
    ("weak._names", "LABEL_MODEL_NAMES"): ("weak.registry", "LABEL_MODELS"),
}

LIGHT_MODULES = sorted({light for light, _ in AGREE} | {"noise._names", "robust._names"})


def _value(module: str, name: str):
    return getattr(importlib.import_module(f"labelwise.{module}"), name)


@pytest.mark.parametrize(("light", "registry"), sorted(AGREE.items()), ids=lambda pair: ".".join(pair))
def test_light_names_are_the_registrys_keys_in_order(light, registry):
    """Each light name tuple lists the registry's keys (or the registry's own tuple), in its order."""
    assert isinstance(_value(*light), tuple)
    assert _value(*light) == tuple(_value(*registry))


def test_attack_kinds_split_every_attack():
    """The attacks for any number of classes and the two-class ones together are every attack, once."""
    from labelwise.poison import ATTACKS
    from labelwise.poison._names import BINARY_ONLY_ATTACKS, MULTICLASS_ATTACKS

    assert sorted(MULTICLASS_ATTACKS + BINARY_ONLY_ATTACKS) == sorted(ATTACKS)


def test_model_choices_are_auto_then_the_families():
    """``--model`` offers ``auto``, then every family of the menu."""
    from labelwise.models import FAMILIES
    from labelwise.models._names import MODEL_CHOICES

    assert MODEL_CHOICES == ("auto", *FAMILIES)


@pytest.mark.parametrize(
    ("command", "option", "registry"),
    [
        ("aggregate", "method", ("aggregate", "METHODS")),
        ("aggregate-numbers", "method", ("aggregate.numeric", "NUMERIC_METHODS")),
        ("aggregate-pairs", "method", ("aggregate.pairwise", "PAIRWISE_METHODS")),
        ("aggregate-texts", "method", ("aggregate.texts", "TEXT_METHODS")),
        ("aggregate-boxes", "method", ("aggregate.boxes", "BOX_METHODS")),
        ("aggregate-tags", "method", ("aggregate.multilabel", "TAG_METHODS")),
        ("audit", "filter_by", ("audit", "FILTERS")),
        ("audit", "rank_by", ("audit", "SCORERS")),
        ("shift", "method", ("shift.priors", "METHODS")),
        ("weak", "model_name", ("weak", "LABEL_MODELS")),
        ("pseudolabel", "selection", ("semi", "SELECTIONS")),
    ],
)
def test_command_offers_every_registered_name(command, option, registry):
    """A command's ``click.Choice`` is exactly its registry's names, read from the light module."""
    params = {p.name: p for p in main.commands[command].params}
    choice = params[option].type
    assert isinstance(choice, click.Choice)
    assert tuple(choice.choices) == tuple(_value(*registry))


def test_light_modules_import_no_heavy_library():
    """A fresh interpreter importing every ``_names`` module imports none of the heavy libraries."""
    imports = "; ".join(f"import labelwise.{m}" for m in LIGHT_MODULES)
    heavy = ["dask", "matplotlib", "pandas", "pyarrow", "scipy", "sklearn"]
    code = f"import sys; {imports}; print(sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r})))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
