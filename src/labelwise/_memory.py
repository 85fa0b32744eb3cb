"""The machine's memory: its total, and what a new allocation can take now.

A refusal made before a large allocation compares the need with :func:`available_memory`, not with
the total: on a machine shared with other processes the total is not there to take. On Linux that
is ``MemAvailable`` of ``/proc/meminfo``, the kernel's estimate of the memory a new process can use
without swapping (free pages plus the page cache and reclaimable slabs it can drop). Elsewhere, and on
kernels before 3.14 that do not report it, the total stands in for it.

In a container or a batch job (Docker, Kubernetes, SLURM) the process's control group may hold a
memory limit that ``/proc/meminfo`` does not show; past it the kernel's OOM killer ends the process.
:func:`available_memory` is then the smaller of ``MemAvailable`` and the cgroup's headroom: its limit
less what it uses, the inactive file cache counted as reclaimable (the "working set" of Kubernetes
and ``docker stats``). Every level from the process's cgroup up to the mount's root is read, since a
parent's limit binds its children. Any file missing, unreadable or malformed leaves that level out.

References
----------
.. [1] proc(5), "/proc/meminfo": MemTotal, MemAvailable (since Linux 3.14);
   "/proc/pid/cgroup": ``hierarchy-ID:controller-list:cgroup-path``, hierarchy 0 for cgroup v2.
   https://man7.org/linux/man-pages/man5/proc.5.html
.. [2] Linux kernel documentation, "Control Group v2", section "Memory": ``memory.max`` ("max" when
   unlimited), ``memory.current``, ``memory.stat``'s ``inactive_file``.
   https://docs.kernel.org/admin-guide/cgroup-v2.html
.. [3] Linux kernel documentation, "Memory Resource Controller" (cgroup v1):
   ``memory.limit_in_bytes``, ``memory.usage_in_bytes``, ``memory.stat``'s ``total_inactive_file``.
   https://docs.kernel.org/admin-guide/cgroup-v1/memory.html
"""

from __future__ import annotations

import os
from typing import NamedTuple

__all__ = [
    "CGROUP_V1_ROOT",
    "CGROUP_V2_ROOT",
    "MEMINFO",
    "PROC_CGROUP",
    "CgroupMemory",
    "available_memory",
    "cgroup_memory",
    "describe_available",
    "parse_meminfo",
    "total_memory",
]

#: The file :func:`available_memory` reads (Linux).
MEMINFO = "/proc/meminfo"
#: The process's control groups, one ``hierarchy-ID:controllers:path`` line each (Linux).
PROC_CGROUP = "/proc/self/cgroup"
#: Where the cgroup v2 hierarchy is mounted.
CGROUP_V2_ROOT = "/sys/fs/cgroup"
#: Where the cgroup v1 memory controller is mounted.
CGROUP_V1_ROOT = "/sys/fs/cgroup/memory"

#: A limit at or above this is no limit: cgroup v1 writes "unlimited" as the largest page count in bytes,
#: 2^63 less a page.
_NO_LIMIT = 1 << 62

_UNITS = {"": 1, "B": 1, "kB": 1 << 10, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}

#: cgroup v2 and v1 files: the limit, the usage, and the ``memory.stat`` field counted as reclaimable.
_V2_FILES = ("memory.max", "memory.current", "inactive_file")
_V1_FILES = ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file")


class CgroupMemory(NamedTuple):
    """The tightest cgroup memory limit over the process's cgroup and its parents, in bytes."""

    headroom: int
    """What the cgroup can still take: ``limit`` less its usage, the inactive file cache not counted."""
    limit: int
    """The limit itself (``memory.max`` or ``memory.limit_in_bytes``)."""


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


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read()
    except (OSError, ValueError):
        return None


def _cgroup_paths(text: str) -> tuple[str | None, str | None]:
    """The cgroup v2 path (hierarchy 0, no controllers) and the v1 memory controller's path of a
    ``/proc/self/cgroup`` text; None for one the text does not give."""
    v2 = v1 = None
    for line in text.splitlines():
        hierarchy, _, rest = line.partition(":")
        controllers, sep, path = rest.partition(":")
        if not sep or not path.startswith("/"):
            continue
        if hierarchy == "0" and not controllers:
            v2 = path
        elif "memory" in controllers.split(","):
            v1 = path
    return v2, v1


def _levels(root: str, path: str) -> list[str]:
    """The directories from the cgroup ``path`` under ``root`` up to ``root`` itself. Where that
    directory is not there (a container that mounts its own cgroup at the root without a cgroup
    namespace) the root alone."""
    parts = [p for p in path.split("/") if p and p not in (".", "..")]
    if not os.path.isdir(os.path.join(root, *parts)):
        parts = []
    return [os.path.join(root, *parts[:i]) for i in range(len(parts), -1, -1)]


def _stat_field(text: str, name: str) -> int:
    """The ``name value`` field of a ``memory.stat`` text; 0 where it is missing or malformed."""
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if key == name and value.strip().isdigit():
            return int(value)
    return 0


def _level_memory(directory: str, files: tuple[str, str, str]) -> CgroupMemory | None:
    """The limit and headroom of one cgroup directory; None without a limit or a readable usage."""
    limit_file, usage_file, reclaimable = files
    limit, usage = _read(os.path.join(directory, limit_file)), _read(os.path.join(directory, usage_file))
    if limit is None or usage is None or not limit.strip().isdigit() or not usage.strip().isdigit():
        return None  # missing, unreadable, malformed or "max"
    if int(limit) >= _NO_LIMIT:
        return None
    used = max(0, int(usage) - _stat_field(_read(os.path.join(directory, "memory.stat")) or "", reclaimable))
    return CgroupMemory(max(0, int(limit) - used), int(limit))


def cgroup_memory(
    proc_cgroup: str | None = None, v2_root: str | None = None, v1_root: str | None = None
) -> CgroupMemory | None:
    """The cgroup memory limit with the least headroom over the process's cgroups (v2 and v1) and
    their parents; None where no level has a limit or nothing can be read (not Linux, no cgroup).

    Parameters
    ----------
    proc_cgroup, v2_root, v1_root
        The process's ``/proc/self/cgroup`` and where the v2 hierarchy and the v1 memory controller are
        mounted; None for :data:`PROC_CGROUP`, :data:`CGROUP_V2_ROOT` and :data:`CGROUP_V1_ROOT` as they
        are when called.
    """
    text = _read(proc_cgroup or PROC_CGROUP)
    if text is None:
        return None
    found = []
    roots = (v2_root or CGROUP_V2_ROOT, v1_root or CGROUP_V1_ROOT)
    for root, path, files in zip(roots, _cgroup_paths(text), (_V2_FILES, _V1_FILES), strict=True):
        if path is not None:
            found += [m for m in (_level_memory(d, files) for d in _levels(root, path)) if m is not None]
    return min(found, default=None)


def available_memory() -> int:
    """Bytes a new allocation can take now: Linux's ``MemAvailable``, or the process's cgroup headroom
    (:func:`cgroup_memory`) where that is smaller; elsewhere :func:`total_memory` (0 when neither is known). A
    cgroup at its limit gives 1, not 0, so that callers reading 0 as "unknown" still refuse."""
    try:
        with open(MEMINFO, encoding="ascii", errors="replace") as f:
            available = parse_meminfo(f.read()).get("MemAvailable")
    except OSError:  # not Linux
        available = None
    known = [total_memory() if available is None else available]
    cgroup = cgroup_memory()
    if cgroup is not None:
        known = [max(cgroup.headroom, 1), *filter(None, known)]
    return min(known)


def describe_available(available: int) -> str:
    """``available`` bytes in words for a message, naming what bounds them: "3.9 GiB under this process's
    cgroup memory limit of 4.0 GiB" where the cgroup's headroom is the smaller, else "20.3 GiB of this
    machine's 23.5 GiB"."""
    cgroup = cgroup_memory()
    if cgroup is not None and cgroup.headroom <= available:
        return f"{_gib(available)} under this process's cgroup memory limit of {_gib(cgroup.limit)}"
    return f"{_gib(available)} of this machine's {_gib(total_memory())}"


def _gib(n: int) -> str:
    return f"{n / 2**30:,.1f} GiB"
