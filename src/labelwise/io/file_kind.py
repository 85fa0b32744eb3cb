"""What a data file that labelwise cannot read as text is, and what to do: the words of the messages.

A compressed table whose name says so (``data.csv.gz``) and UTF-16 text, with a byte order mark or
without, are read (:mod:`labelwise.io.plain_text`). Other files come from spreadsheets and tools in forms
a text table reader cannot take: a workbook (``.xlsx``, a ZIP archive; ``.xls``,
an OLE file), compressed bytes under a plain name (gzip in ``data.csv``), a ``.7z`` archive, or a
Parquet file under a ``.csv`` name. Their first bytes tell them apart (:func:`content_hint`), and so
does their suffix (:func:`suffix_hint`); the readers add the hint to their refusal, so the user
learns what the file is and how to save it as UTF-8 text, not only that it is not.
"""

from __future__ import annotations

from pathlib import Path

from .plain_text import COMPRESSIONS

__all__ = ["content_hint", "parquet_fix", "suffix_hint"]

#: The first bytes of the files a text reader is handed by mistake, and what to say of each.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "it is UTF-32 text: save it as UTF-8, or run: iconv -f UTF-32 -t UTF-8 IN > OUT"),
    (
        b"\xff\xfe",
        "it is UTF-16 text (a spreadsheet's 'Unicode Text'): save it as 'CSV UTF-8' instead, "
        "or run: iconv -f UTF-16 -t UTF-8 IN > OUT",
    ),
    (b"\xfe\xff", "it is UTF-16 text: save it as 'CSV UTF-8' instead, or run: iconv -f UTF-16 -t UTF-8 IN > OUT"),
    (
        b"PK\x03\x04",
        "it is a ZIP archive (an Excel .xlsx workbook, or a zipped file): save the sheet as 'CSV UTF-8', "
        "or unzip it and give the file inside",
    ),
    (b"\xd0\xcf\x11\xe0", "it is an Excel .xls workbook (an OLE file): save the sheet as 'CSV UTF-8'"),
    (b"\x1f\x8b", "it is gzip-compressed: decompress it first (gunzip -k FILE) and give the file inside"),
    (b"BZh", "it is bzip2-compressed: decompress it first (bunzip2 -k FILE)"),
    (b"\xfd7zXZ\x00", "it is xz-compressed: decompress it first (unxz -k FILE)"),
    (b"\x28\xb5\x2f\xfd", "it is zstd-compressed: decompress it first (unzstd FILE)"),
    (b"PAR1", "it is a Parquet file: give it a .parquet suffix"),
)

_COMPRESSED = {".gz", ".zip", ".bz2", ".xz", ".zst", ".7z", ".tgz"}
_WORKBOOKS = {".xlsx", ".xlsm", ".xls", ".ods", ".numbers"}


def content_hint(path: str | Path) -> str | None:
    """What the first bytes of ``path`` say it is (UTF-16 text, a workbook, a compressed file, a
    Parquet file) and how to make it a UTF-8 text table; None if they say nothing or it cannot be read."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return None
    return next((hint for magic, hint in _MAGIC if head.startswith(magic)), None)


def suffix_hint(path: str | Path) -> str:
    """What to do with a file whose suffix no table reader takes: ``"; ..."`` for a compressed file
    or a spreadsheet workbook, else ``""``."""
    suffix = Path(path).suffix.lower()
    inner = Path(Path(path).stem).suffix.lower()
    if suffix in COMPRESSIONS and inner:  # lab.npy.gz: renaming does not make it a table
        return f"; a compressed {inner} file is not read: decompress it first and give the file inside"
    if suffix in COMPRESSIONS:
        return (
            f"; a compressed table is read when its name gives the table's format before {suffix} "
            f"(data.csv{suffix}, data.jsonl{suffix}): rename it"
        )
    if suffix in _COMPRESSED:
        return f"; {suffix} files are not read compressed: decompress it first and give the file inside"
    if suffix in _WORKBOOKS:
        return "; a spreadsheet workbook is not read: save the sheet as 'CSV UTF-8' (.csv)"
    return ""


def parquet_fix(path: str | Path) -> str:
    """How to make ``path`` the Parquet file a reader by partitions needs: ``"write it as Parquet"``, or
    for Parquet under an outer compression (``answers.parquet.gz``), to remove that: Parquet compresses
    its columns inside, and a reader by partitions reads the file where it lies."""
    p = Path(path)
    if p.suffix.lower() in COMPRESSIONS and Path(p.stem).suffix.lower() in (".parquet", ".pq"):
        return (
            f"it is Parquet already, which compresses its columns inside: remove the outer {p.suffix} "
            f"(decompress it and give {Path(p.stem).name})"
        )
    return "write it as Parquet"
