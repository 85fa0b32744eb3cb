"""The machine's memory: its total, and what a new allocation can take now.

A refusal made before a large allocation compares the need with :func:`available_memory`, not with
the total: on a machine shared with other processes the total is not there to take. On Linux that
is ``MemAvailable`` of ``/proc/meminfo``, the kernel's estimate of the memory a new process can use
without swapping (free pages plus the page cache and reclaimable slabs it can drop). Elsewhere, and on
kernels before 3.14 that do not report it, the total stands in for it.

References
----------
.. [1] proc(5), "/proc/meminfo": MemTotal, MemAvailable (since Linux 3.14).
   https://man7.org/linux/man-pages/man5/proc.5.html
"""

from __future__ import annotations

import os

__all__ = ["MEMINFO", "available_memory", "parse_meminfo", "total_memory"]

#: The file :func:`available_memory` reads (Linux).
MEMINFO = "/proc/meminfo"

_UNITS = {"": 1, "B": 1, "kB": 1 << 10, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}


def parse_meminfo(text: str) -> dict[str, int]:
    """The fields of a ``/proc/meminfo`` text, in bytes (``MemAvailable: 23153392 kB`` -> 23709073408).

    Lines that are not ``name: number [unit]`` with a known unit are skipped.
    """
    fields: dict[str, int] = {}
    for line in text.splitlines():
        name, sep, rest = line.partition(":")
        parts = rest.split()
        if not sep or not parts or len(parts) > 2 or not parts[0].isdigit():
            continue
        unit = _UNITS.get(parts[1] if len(parts) == 2 else "")
        if unit is not None:
            fields[name.strip()] = int(parts[0]) * unit
    return fields


def total_memory() -> int:
    """This machine's physical memory in bytes (0 when the system does not say)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        return 0


def available_memory() -> int:
    """Bytes a new allocation can take now: Linux's ``MemAvailable``; elsewhere :func:`total_memory`
    (0 when neither is known)."""
    try:
        with open(MEMINFO, encoding="ascii", errors="replace") as f:
            available = parse_meminfo(f.read()).get("MemAvailable")
    except OSError:  # not Linux
        available = None
    return total_memory() if available is None else available
