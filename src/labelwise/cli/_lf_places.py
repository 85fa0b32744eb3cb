"""Two functions of one name in LFS (or SFS): named as the file names them. The library's error names
``lfs[0]`` and ``lfs[1]`` and where their Python functions are defined, which is one place when one
function is wrapped twice (``LabelingFunction("a", f, resources=...)`` in a list); the command, which
imported the file, says the module-level names bound to each and the line of each entry of the list."""

from __future__ import annotations

import ast
import contextlib
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import DataFileError


def refuse_repeated_names(path: Path, module: ModuleType, found: list[Any], listed: str, kind: str) -> None:
    """Refuse two of ``found`` (the file's list named ``listed``, else its module-level functions) that
    share a name, naming each by its Python names and line in ``path``; plain functions are named by
    ``__name__``, as the library wraps them."""
    names = [getattr(f, "name", None) if hasattr(f, "kind") else getattr(f, "__name__", None) for f in found]
    seen: dict[str, int] = {}
    for position, name in enumerate(names):
        if not isinstance(name, str):
            continue
        if name in seen:
            places = _places(path, module, found, listed, getattr(module, listed, None) is not None)
            if found[seen[name]] is found[position]:  # giving the copy another name would count its votes twice
                raise DataFileError(
                    f"{kind}s must be listed once each: {places[seen[name]]} and {places[position]} in {str(path)!r} "
                    f"are the same {kind} {name!r}; remove one"
                )
            raise DataFileError(
                f"{kind}s must have unique names: {name!r} is the name of {places[seen[name]]} and {places[position]} "
                f"in {str(path)!r}; give one another name (name=... of the decorator or of the {kind})"
            )
        seen[name] = position


def _places(path: Path, module: ModuleType, found: list[Any], listed: str, from_list: bool) -> list[str]:
    """How the file names each of ``found``: ``has_link (line 5)`` for a module-level name, ``lfs[1] (line 12,
    column 4)`` for an entry of the list written in the file, both when both apply."""
    tree = None
    with contextlib.suppress(OSError, SyntaxError, ValueError):
        tree = ast.parse(path.read_text(encoding="utf-8-sig"))
    defined = _defined_lines(tree)
    entries = _list_entries(tree, listed) if from_list else []
    bound: dict[int, list[str]] = {}
    for name, value in vars(module).items():
        if not name.startswith("__") and name != listed:
            bound.setdefault(id(value), []).append(name)
    places = []
    for i, f in enumerate(found):
        entry, at = f"{listed}[{i}]", ""
        if from_list and len(entries) == len(found):
            line, column = entries[i]
            shared = sum(e[0] == line for e in entries) > 1  # a list on one line: the column tells them apart
            at = f"line {line}" + (f", column {column + 1}" if shared else "")
        names = bound.get(id(f), [])
        if not names:
            places.append(f"{entry} ({at})" if at else entry)
            continue
        said = [f"line {defined[names[0]]}"] if names[0] in defined else []
        if from_list:
            said.append(f"{entry} on {at}" if at else entry)
        places.append(f"{' = '.join(names)} ({'; '.join(said)})" if said else " = ".join(names))
    return places


def _defined_lines(tree: ast.Module | None) -> dict[str, int]:
    """The line where each module-level name is defined or last assigned (a ``def``'s own line)."""
    lines: dict[str, int] = {}
    for node in tree.body if tree is not None else []:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            lines[node.name] = node.lineno
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    lines[target.id] = node.lineno
    return lines


def _list_entries(tree: ast.Module | None, listed: str) -> list[tuple[int, int]]:
    """(line, column) of each entry of the last ``listed = [...]`` written at module level; empty when the
    list is built otherwise (a comprehension, ``+=``)."""
    entries: list[tuple[int, int]] = []
    for node in tree.body if tree is not None else []:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == listed for t in node.targets):
            value = node.value
            entries = [(e.lineno, e.col_offset) for e in value.elts] if isinstance(value, (ast.List, ast.Tuple)) else []
    return entries


def import_failure_line(exc: BaseException, path: Path) -> str:
    """`` (line 7 of 'lfs.py')``: the last line of ``path`` in the traceback of ``exc``, raised while
    importing it (the line that imports a missing module, or the call that raised); empty for a
    ``SyntaxError``, whose message names its file and line, or when ``path`` is not in the traceback."""
    if isinstance(exc, SyntaxError):
        return ""
    target = path.resolve()
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).resolve() == target]
    return f" (line {lines[-1]} of {path.name!r})" if lines and lines[-1] else ""
