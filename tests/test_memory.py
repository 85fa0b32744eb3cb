"""The machine's memory: /proc/meminfo's fields in bytes, MemAvailable as the memory available now, and the
total where the system does not report it."""

from __future__ import annotations

from labelwise import _memory

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
    """On Linux the available memory is MemAvailable, not MemFree nor MemTotal."""
    meminfo = tmp_path / "meminfo"
    meminfo.write_text(SAMPLE)
    monkeypatch.setattr(_memory, "MEMINFO", str(meminfo))
    assert _memory.available_memory() == 23153392 * 1024


def test_available_memory_falls_back_to_the_total(monkeypatch, tmp_path):
    """Without MemAvailable (Linux before 3.14) or without /proc/meminfo (not Linux) the total stands in."""
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
