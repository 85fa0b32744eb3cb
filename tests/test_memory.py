"""The machine's memory: /proc/meminfo's fields in bytes, MemAvailable as the memory available now, the
total where the system does not report it, and the headroom of a cgroup memory limit (v2 and v1, the
process's cgroup and its parents) where that is smaller."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import _memory

GIB = 1 << 30
#: cgroup v1's "no limit" on 4 KiB pages: the largest page count in bytes.
V1_UNLIMITED = 9223372036854771712

SAMPLE = """MemTotal:       24683772 kB
MemFree:        19562976 kB
MemAvailable:   23153392 kB
Buffers:          190596 kB
HugePages_Total:       0
Hugepagesize:       2048 kB
DirectMap4k:      bad kB
Weird line without a colon
"""


def test_parse_meminfo_reads_fields_in_bytes():
    """kB fields are multiplied by 1024, unitless counts kept, lines that are not 'name: number [unit]' skipped."""
    fields = _memory.parse_meminfo(SAMPLE)
    assert fields["MemTotal"] == 24683772 * 1024
    assert fields["MemAvailable"] == 23153392 * 1024
    assert fields["HugePages_Total"] == 0
    assert "DirectMap4k" not in fields and len(fields) == 6


def test_available_memory_is_memavailable(monkeypatch, tmp_path):
    """On Linux without a cgroup limit the available memory is MemAvailable, not MemFree nor MemTotal."""
    monkeypatch.setattr(_memory, "cgroup_memory", lambda: None, raising=False)
    meminfo = tmp_path / "meminfo"
    meminfo.write_text(SAMPLE)
    monkeypatch.setattr(_memory, "MEMINFO", str(meminfo))
    assert _memory.available_memory() == 23153392 * 1024


def test_available_memory_falls_back_to_the_total(monkeypatch, tmp_path):
    """Without MemAvailable (Linux before 3.14) or without /proc/meminfo (not Linux) the total stands in."""
    monkeypatch.setattr(_memory, "cgroup_memory", lambda: None, raising=False)
    monkeypatch.setattr(_memory, "total_memory", lambda: 12345)
    old = tmp_path / "old"
    old.write_text("MemTotal:       24683772 kB\nMemFree:        19562976 kB\n")
    monkeypatch.setattr(_memory, "MEMINFO", str(old))
    assert _memory.available_memory() == 12345
    monkeypatch.setattr(_memory, "MEMINFO", str(tmp_path / "missing"))
    assert _memory.available_memory() == 12345


def test_the_real_machine_reports_some_memory():
    """On this machine both numbers are positive and the available memory is at most the total."""
    total, available = _memory.total_memory(), _memory.available_memory()
    assert total > 0 and 0 < available <= total


def _cgroup(root, path: str, **files: object) -> None:
    """Write cgroup files (``memory_max=...`` is ``memory.max``) into ``root/path``."""
    directory = root.joinpath(*path.strip("/").split("/")) if path.strip("/") else root
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        directory.joinpath(name.replace("_", ".", 1)).write_text(f"{text}\n")


def _proc(tmp_path, text: str) -> str:
    proc = tmp_path / "cgroup"
    proc.write_text(text)
    return str(proc)


def _read_cgroup(tmp_path, text: str):
    return _memory.cgroup_memory(_proc(tmp_path, text), str(tmp_path / "v2"), str(tmp_path / "v1"))


@pytest.mark.parametrize(
    ("root", "text", "files", "reclaimable"),
    [
        ("v2", "0::/job/step\n", ("memory.max", "memory.current"), "inactive_file"),
        (
            "v1",
            "9:name=systemd:/\n4:cpu,memory:/job/step\n0::/\n",
            ("memory.limit_in_bytes", "memory.usage_in_bytes"),
            "total_inactive_file",
        ),
    ],
    ids=["v2", "v1"],
)
def test_cgroup_limit_gives_headroom_with_inactive_file_reclaimable(tmp_path, root, text, files, reclaimable):
    """A 4 GiB limit, 3 GiB used of which 1 GiB inactive file cache: 2 GiB headroom. v2 reads the ``0::``
    line and ``inactive_file``; v1 the memory controller's line and ``total_inactive_file`` (its
    ``inactive_file`` is the cgroup's own, without its children)."""
    own, total = (GIB, 5) if root == "v2" else (5, GIB)
    stat = f"anon 123\ninactive_file {own}\ntotal_inactive_file {total}\nactive_file 7"
    limit, usage = (name.replace(".", "_", 1) for name in files)
    _cgroup(tmp_path / root, "/job/step", **{limit: 4 * GIB, usage: 3 * GIB, "memory_stat": stat})
    assert _read_cgroup(tmp_path, text) == (2 * GIB, 4 * GIB)


def test_cgroup_v2_max_everywhere_is_no_limit(tmp_path):
    """v2 "max" at the cgroup and its parents (the root has no memory.max): no cgroup limit."""
    _cgroup(tmp_path / "v2", "/a", memory_max="max", memory_current=GIB)
    _cgroup(tmp_path / "v2", "/a/b", memory_max="max", memory_current=GIB)
    assert _read_cgroup(tmp_path, "0::/a/b\n") is None


def test_cgroup_limit_on_a_parent_binds_the_child(tmp_path):
    """The child's own limit is loose (8 GiB, 1 GiB used); its parent's 2 GiB with 1.5 GiB used
    (siblings included) leaves 0.5 GiB, and that is the headroom; a grandparent's "max" adds nothing."""
    v2 = tmp_path / "v2"
    _cgroup(v2, "/slurm", memory_max="max", memory_current=5 * GIB)
    _cgroup(v2, "/slurm/job", memory_max=2 * GIB, memory_current=3 * GIB // 2, memory_stat="inactive_file 0")
    _cgroup(v2, "/slurm/job/task", memory_max=8 * GIB, memory_current=GIB)
    assert _read_cgroup(tmp_path, "0::/slurm/job/task\n") == (GIB // 2, 2 * GIB)


def test_cgroup_v1_without_namespace_reads_the_mounts_root(tmp_path):
    """A container that mounts its own cgroup at the root shows the host's path, absent under the mount:
    the root's files are the container's."""
    _cgroup(tmp_path / "v1", "/", memory_limit_in_bytes=GIB, memory_usage_in_bytes=GIB // 4)
    assert _read_cgroup(tmp_path, "4:memory:/docker/abc\n") == (3 * GIB // 4, GIB)


def test_cgroup_v1_no_limit_value_is_no_limit(tmp_path):
    """v1's "no limit" (2^63 less a page) at the cgroup and the root: no cgroup limit (this machine's case)."""
    _cgroup(tmp_path / "v1", "/", memory_limit_in_bytes=V1_UNLIMITED, memory_usage_in_bytes=7 * GIB)
    _cgroup(tmp_path / "v1", "/process_api/x", memory_limit_in_bytes=V1_UNLIMITED, memory_usage_in_bytes=GIB)
    assert _read_cgroup(tmp_path, "4:memory:/process_api/x\n0::/\n") is None


def test_cgroup_v1_and_v2_lines_take_the_tighter_limit(tmp_path):
    """A hybrid host with a limit on each hierarchy: the smaller headroom is kept."""
    _cgroup(tmp_path / "v1", "/j", memory_limit_in_bytes=3 * GIB, memory_usage_in_bytes=GIB)
    _cgroup(tmp_path / "v2", "/j", memory_max=5 * GIB, memory_current=4 * GIB)
    assert _read_cgroup(tmp_path, "4:memory:/j\n0::/j\n") == (GIB, 5 * GIB)


@pytest.mark.parametrize(
    "files",
    [
        {"memory_max": "4G", "memory_current": GIB},  # not bytes
        {"memory_max": "", "memory_current": GIB},  # empty
        {"memory_max": 4 * GIB, "memory_current": "-1"},  # not a count
        {"memory_max": 4 * GIB},  # memory.current missing
        {"memory_current": GIB},  # memory.max missing
    ],
)
def test_cgroup_malformed_or_missing_file_leaves_the_level_out(tmp_path, files):
    """A limit or usage file missing, empty or not a byte count: that level gives no limit, no error."""
    _cgroup(tmp_path / "v2", "/job", **files)
    assert _read_cgroup(tmp_path, "0::/job\n") is None


def test_cgroup_malformed_memory_stat_counts_nothing_reclaimable(tmp_path):
    """A memory.stat missing or with a malformed inactive_file: the whole usage counts (the smaller headroom)."""
    _cgroup(tmp_path / "v2", "/job", memory_max=4 * GIB, memory_current=GIB, memory_stat="inactive_file lots")
    assert _read_cgroup(tmp_path, "0::/job\n") == (3 * GIB, 4 * GIB)


def test_cgroup_missing_or_malformed_proc_file_is_no_limit(tmp_path):
    """No /proc/self/cgroup (not Linux) or lines that are not hierarchy:controllers:path: no limit, no error."""
    _cgroup(tmp_path / "v2", "/", memory_max=GIB, memory_current=0)
    missing = str(tmp_path / "missing")
    assert _memory.cgroup_memory(missing, str(tmp_path / "v2"), str(tmp_path / "v1")) is None
    assert _read_cgroup(tmp_path, "garbage\n0:/\n") is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.tuples(st.integers(0, 64 * GIB), st.integers(0, 64 * GIB), st.integers(0, 64 * GIB))),
        min_size=1,
        max_size=4,
    )
)
def test_cgroup_headroom_is_the_least_over_the_levels(tmp_path_factory, levels):
    """Over random trees (a level: no limit, or limit, usage, inactive_file), the headroom is the least of
    limit - max(0, usage - inactive_file) clipped at 0, and its limit is that level's."""
    root = tmp_path_factory.mktemp("tree")
    path = ""
    expected = []
    for depth, level in enumerate(levels):
        path = path + f"/l{depth}" if depth else ""
        if level is None:
            _cgroup(root / "v2", path or "/", memory_max="max", memory_current=GIB)
            continue
        limit, usage, inactive = level
        _cgroup(
            root / "v2", path or "/", memory_max=limit, memory_current=usage, memory_stat=f"inactive_file {inactive}"
        )
        expected.append((max(0, limit - max(0, usage - inactive)), limit))
    found = _memory.cgroup_memory(_proc(root, f"0::{path or '/'}\n"), str(root / "v2"), str(root / "v1"))
    assert found == min(expected, default=None)
    assert found is None or 0 <= found.headroom <= found.limit


def test_available_memory_is_the_smaller_of_memavailable_and_the_cgroup_headroom(monkeypatch, tmp_path):
    """A 4 GiB container on a host with 22 GiB MemAvailable is told its headroom; a loose limit changes nothing."""
    meminfo = tmp_path / "meminfo"
    meminfo.write_text(SAMPLE)
    monkeypatch.setattr(_memory, "MEMINFO", str(meminfo))
    monkeypatch.setattr(_memory, "cgroup_memory", lambda: _memory.CgroupMemory(3 * GIB, 4 * GIB))
    assert _memory.available_memory() == 3 * GIB
    monkeypatch.setattr(_memory, "cgroup_memory", lambda: _memory.CgroupMemory(100 * GIB, 128 * GIB))
    assert _memory.available_memory() == 23153392 * 1024
    monkeypatch.setattr(_memory, "MEMINFO", str(tmp_path / "missing"))
    monkeypatch.setattr(_memory, "total_memory", lambda: 0)
    assert _memory.available_memory() == 100 * GIB  # neither MemAvailable nor the total known


def test_describe_available_names_the_cgroup_memory_limit_where_it_decides(monkeypatch):
    """The message names the cgroup memory limit when its headroom is what is available, else the machine's total."""
    monkeypatch.setattr(_memory, "total_memory", lambda: 256 * GIB)
    monkeypatch.setattr(_memory, "cgroup_memory", lambda: _memory.CgroupMemory(3 * GIB, 4 * GIB))
    assert _memory.describe_available(3 * GIB) == "3.0 GiB under this process's cgroup memory limit of 4.0 GiB"
    assert _memory.describe_available(2 * GIB) == "2.0 GiB of this machine's 256.0 GiB"
    monkeypatch.setattr(_memory, "cgroup_memory", lambda: None, raising=False)
    assert _memory.describe_available(3 * GIB) == "3.0 GiB of this machine's 256.0 GiB"


@pytest.mark.skipif(not os.path.exists("/proc/self/cgroup"), reason="no /proc/self/cgroup (not Linux)")
def test_the_real_cgroup_reads_without_error():
    """This machine's cgroups read to no limit or a limit with headroom between 0 and the limit."""
    found = _memory.cgroup_memory()
    assert found is None or 0 <= found.headroom <= found.limit


def test_dense_refusal_reads_a_container_limit_the_host_does_not_show(monkeypatch, tmp_path):
    """A 1 MiB v2 container limit (0.9 MiB used) on a host with 22 GiB MemAvailable: GLAD's 0.3 MiB posterior
    pair is refused, and the message names the cgroup memory limit (main read only MemAvailable and fitted)."""
    import numpy as np
    import pandas as pd

    from labelwise.aggregate import GLAD
    from labelwise.errors import EstimatorError

    meminfo = tmp_path / "meminfo"
    meminfo.write_text(SAMPLE)
    monkeypatch.setattr(_memory, "MEMINFO", str(meminfo))
    _cgroup(tmp_path / "v2", "/pod", memory_max=1 << 20, memory_current=900 << 10, memory_stat="inactive_file 0")
    monkeypatch.setattr(_memory, "PROC_CGROUP", _proc(tmp_path, "0::/pod\n"), raising=False)
    monkeypatch.setattr(_memory, "CGROUP_V2_ROOT", str(tmp_path / "v2"), raising=False)
    monkeypatch.setattr(_memory, "CGROUP_V1_ROOT", str(tmp_path / "v1"), raising=False)
    answers = pd.DataFrame(
        {"item": np.arange(400) // 4, "annotator": np.arange(400) % 4, "label": np.arange(400) % 200}
    )
    with pytest.raises(
        EstimatorError, match=r"memory available now \(0\.0 GiB under this process's cgroup memory limit"
    ):
        GLAD().fit(answers)


def test_a_cgroup_at_its_limit_is_not_read_as_unknown(monkeypatch, tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemAvailable: 20000000 kB\n")
    monkeypatch.setattr(_memory, "MEMINFO", str(meminfo))
    monkeypatch.setattr(_memory, "cgroup_memory", lambda: _memory.CgroupMemory(0, 4 * GIB))
    assert _memory.available_memory() == 1  # callers refuse anything; 0 would mean "unknown" to them
