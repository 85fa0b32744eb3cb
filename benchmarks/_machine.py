"""The CPU model, for the machine line every benchmark prints (scripts run from this folder)."""

from __future__ import annotations


def cpu_model() -> str:
    """The ``model name`` of /proc/cpuinfo, or ``"unknown CPU"`` where it cannot be read."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def machine_line(*packages: str) -> str:
    """``machine: <CPU>, <n> CPUs, Python <v>, numpy <v>, pandas <v>`` and the versions of ``packages``.

    A package that is not installed shows as ``<name> not installed``.
    """
    import os
    import platform
    from importlib.metadata import PackageNotFoundError, version

    parts = [f"machine: {cpu_model()}", f"{os.cpu_count()} CPUs", f"Python {platform.python_version()}"]
    for name in ("numpy", "pandas", *packages):
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} not installed")
    return ", ".join(parts)
