"""The subcommands of the ``labelwise`` group, each imported the first time it is looked up.

``labelwise --help`` lists every command from its registered one-line help and ``labelwise --version``
or a misspelt command name import none of them, so they do not wait for scikit-learn, scipy and
pandas; the command a user runs is imported when click resolves its name. This is click's "lazily
loading subcommands" pattern, kept behind the group's ``commands`` mapping so that
``main.commands[name]`` still gives the command itself.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping

import click


class LazyCommands(MutableMapping[str, click.Command]):
    """A name -> command mapping that imports a registered command's module on first lookup.

    Parameters
    ----------
    package : str
        The package the registered modules are relative to.
    registry : Mapping[str, tuple[str, str]]
        Each command's name -> ``("module:attribute", one-line help)``; the help is what the group's
        listing shows until the command is imported (a test checks it against the command's own).
    """

    def __init__(self, package: str, registry: Mapping[str, tuple[str, str]]) -> None:
        self._package = package
        self._registry = dict(registry)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            where, _ = self._registry[name]  # an unknown name raises KeyError, as a dict does
            module, _, attribute = where.partition(":")
            self._loaded[name] = getattr(importlib.import_module(f".{module}", self._package), attribute)
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._registry.pop(name, None)
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self._registry, *self._loaded]))

    def __len__(self) -> int:
        return len(self._registry.keys() | self._loaded.keys())

    def __contains__(self, name: object) -> bool:
        return name in self._registry or name in self._loaded

    def listing(self, name: str) -> click.Command:
        """The command if it is imported, else a stand-in with its registered help (imports nothing)."""
        if name in self._loaded:
            return self._loaded[name]
        return click.Command(name, help=self._registry[name][1])
