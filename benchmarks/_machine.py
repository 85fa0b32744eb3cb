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
