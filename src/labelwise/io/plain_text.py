"""Tables as users have them: compressed (``data.csv.gz``, ``.bz2``, ``.xz``, ``.zst``, a ``.zip`` of one
table) or UTF-16 text (Excel's "Unicode Text"), read as the plain UTF-8 file they hold.

Every reader of a table file (pandas, Arrow, the csv module that counts lines, the delimiter guess)
opens it by its path, more than once. :func:`plain_text` gives them one path to open: the file itself
when it is plain (an uncompressed file, UTF-8 with or without a BOM), else a decoded UTF-8 copy made
once per process in a private temporary folder (removed at exit), named as the file inside is
(``data.csv.gz`` -> ``data.csv``), so the suffix rules and every reader work on it unchanged.
Decompressing once costs less than each reader decompressing again. The file's format is the suffix
under the compression one: :func:`table_suffix` (``data.tsv.gz`` is ``.tsv``; ``data.zip`` is its
one member's suffix).

Rules:

* compression is named by the last suffix (:data:`COMPRESSIONS`), as pandas infers it; zstd needs the
  ``zstandard`` package, and a file is refused naming it when it is missing;
* a ``.zip`` must hold exactly one file (folders aside); its name gives the format;
* text is decoded by its byte order mark: UTF-16 (LE or BE) and UTF-32 become UTF-8; a UTF-8 BOM is
  left for the readers, which skip it;
* text without a BOM is UTF-16 when its first KB looks so (:func:`bomless_utf16`: NUL bytes at every
  other position, as some Windows tools write it), else UTF-8 (the readers refuse it otherwise,
  naming the line and byte);
* text that does not decode is refused naming the file, the byte offset and the fix; a copy that does
  not fit in the temporary folder is refused naming the file, the space and ``TMPDIR``.

Messages name the user's file, never the copy: :func:`shown_as` rewrites them.
"""

from __future__ import annotations

import atexit
import codecs
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from ..errors import DataFileError, LabelwiseError

__all__ = [
    "COMPRESSIONS",
    "bomless_utf16",
    "compressed_writer",
    "format_suffix",
    "plain_text",
    "shown_as",
    "table_stem",
    "table_suffix",
]

#: The compression suffixes read, and the codec each names (pandas' names).
COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd", ".zip": "zip"}
#: Byte order marks that make a copy, longest first (UTF-32 LE starts as UTF-16 LE does).
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_BLOCK = 1 << 20
#: How much of a file's start is looked at for its encoding (a BOM, or UTF-16 without one).
_SNIFF = 1024
#: A write refused for want of room (a full disk, a quota, a file size limit).
_NO_ROOM = {getattr(errno, name) for name in ("ENOSPC", "EDQUOT", "EFBIG") if hasattr(errno, name)}  # EDQUOT: POSIX
#: The copies made: (file, size, modification time) -> the copy.
_COPIES: dict[tuple[str, int, int], Path] = {}
_FOLDER: list[Path] = []


def _zip_member(path: Path) -> str:
    """The one file of the ZIP archive ``path``; DataFileError if it holds none or several."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/") and not n.startswith("__MACOSX/")]
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataFileError(f"data file {str(path)!r} is not a readable ZIP archive ({exc})") from None
    if len(names) != 1:
        raise DataFileError(
            f"data file {str(path)!r} must be a ZIP archive of exactly one table, got {len(names)} files "
            f"{names[:5]}: unzip it and give the table's file"
        )
    return names[0]


def table_suffix(path: str | os.PathLike) -> str:
    """The suffix that says the format of the table ``path`` (lower case): its own, or under a
    compression suffix the one before it (``data.csv.gz`` -> ``.csv``); a ``.zip`` without one is
    its member's (``data.zip`` holding ``data.tsv`` -> ``.tsv``).

    Raises
    ------
    DataFileError
        For a ``.zip`` without a suffix before it that cannot be read or holds other than one file.
    """
    p = Path(path)
    suffixes = [s.lower() for s in p.suffixes]
    if not suffixes or suffixes[-1] not in COMPRESSIONS:
        return p.suffix.lower()
    if len(suffixes) >= 2 and Path(p.stem).suffix:
        return Path(p.stem).suffix.lower()
    if suffixes[-1] == ".zip":
        return Path(_zip_member(p)).suffix.lower() or ".zip"
    return suffixes[-1]


def format_suffix(path: str | os.PathLike) -> str:
    """:func:`table_suffix` where a file is told apart by its format only: a ``.zip`` that cannot be read
    (or holds other than one file) gives ``.zip``, which its reader then refuses naming the file."""
    try:
        return table_suffix(path)
    except DataFileError:
        return Path(path).suffix.lower()


def table_stem(path: str | os.PathLike) -> str:
    """The name of ``path`` without its format suffix nor the compression one under it
    (``model.csv.gz`` -> ``model``, ``model.csv`` -> ``model``, ``model.zip`` -> ``model``)."""
    p = Path(path)
    if p.suffix.lower() in COMPRESSIONS:
        p = Path(p.stem)
    return p.stem


def _open_compressed(path: Path, codec: str) -> Any:
    """``path`` opened for reading its decompressed bytes (a binary file object)."""
    if codec == "gzip":
        import gzip

        return gzip.open(path, "rb")
    if codec == "bz2":
        import bz2

        return bz2.open(path, "rb")
    if codec == "xz":
        import lzma

        return lzma.open(path, "rb")
    if codec == "zstd":
        try:
            import zstandard
        except ImportError:
            raise DataFileError(
                f"data file {str(path)!r} is zstd-compressed, which needs the 'zstandard' package: "
                "pip install zstandard, or decompress it first (unzstd FILE)"
            ) from None
        return zstandard.open(path, "rb")
    import zipfile

    member = _zip_member(path)
    archive = zipfile.ZipFile(path)
    return archive.open(member)  # the member's handle keeps the archive open


@contextmanager
def compressed_writer(raw: IO[bytes], codec: str, member: str) -> Iterator[IO[str]]:
    """A UTF-8 text handle whose writes reach ``raw`` compressed with ``codec`` (one of
    :data:`COMPRESSIONS`' values; ``zip``: an archive of one file named ``member``). Closing it
    finishes the compressed stream and leaves ``raw`` open."""
    import io

    if codec == "gzip":
        import gzip

        stream: Any = gzip.GzipFile(filename=member, fileobj=raw, mode="wb", mtime=0)
    elif codec == "bz2":
        import bz2

        stream = bz2.BZ2File(raw, "wb")
    elif codec == "xz":
        import lzma

        stream = lzma.LZMAFile(raw, "wb")
    elif codec == "zstd":
        import zstandard

        stream = zstandard.ZstdCompressor().stream_writer(raw, closefd=False)
    else:
        import zipfile

        archive = zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED)
        stream = archive.open(member, "w")
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    try:
        yield text
    finally:
        text.flush()
        text.detach().close()
        if codec == "zip":
            archive.close()


def bomless_utf16(head: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when the start of a file ``head`` (its first KB) is UTF-16 text
    without a byte order mark, else None.

    The usual test, NUL bytes at every other position, loosened for text that is not all ASCII: NUL at
    half of the odd (LE) or even (BE) positions at least, where ASCII characters put their zero high
    byte (other scripts, such as Cyrillic, write a high byte there), and at no more than one in 16 of the
    others (a character such as U+4E00 has a zero low byte). UTF-8 text holds no NUL at all. The head
    must then decode to text: no control character but tab, CR and LF (so a binary file is not taken).
    """
    head = head[: len(head) // 2 * 2]
    if len(head) < 4:
        return None
    low, high = head[0::2], head[1::2]
    n = len(low)
    order = None
    if 16 * low.count(0) <= n and 2 * high.count(0) >= n:
        order = "utf-16-le"
    elif 16 * high.count(0) <= n and 2 * low.count(0) >= n:
        order = "utf-16-be"
    if order is None:
        return None
    text = codecs.getincrementaldecoder(order)(errors="surrogatepass").decode(head)  # a cut character waits
    return order if not any(c < " " and c not in "\t\r\n" for c in text) else None


def _encoding(head: bytes) -> str | None:
    bom = next((name for mark, name in _BOMS if head.startswith(mark)), None)
    return bom or bomless_utf16(head)


def _inner_name(path: Path, codec: str | None) -> str:
    if codec is None:
        return path.name
    if codec == "zip" and not Path(path.stem).suffix:
        return Path(_zip_member(path)).name
    return path.stem


def _folder() -> Path:
    if not _FOLDER:
        _FOLDER.append(Path(tempfile.mkdtemp(prefix="labelwise-plain-")))
        atexit.register(shutil.rmtree, _FOLDER[0], True)
    return _FOLDER[0]


class _Undecodable(Exception):
    """The byte offset (in the decompressed text) and reason where ``encoding`` text did not decode."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(offset, reason)
        self.offset, self.reason = offset, reason


def _copy(source: IO[bytes], head: bytes, encoding: str | None, target: Path) -> None:
    """Write the bytes of ``source`` (``head`` read already) to ``target``, as UTF-8 if ``encoding``.

    Raises
    ------
    _Undecodable
        Where the text is not ``encoding`` text.
    """
    decoder = codecs.getincrementaldecoder(encoding)() if encoding else None
    with open(target, "wb") as out:
        chunk, offset = head, 0  # offset: the bytes of the text before ``chunk``
        while chunk:
            if decoder is None:
                out.write(chunk)
            else:
                pending = len(decoder.getstate()[0])  # the start of a character cut by the previous chunk
                try:
                    out.write(decoder.decode(chunk).encode("utf-8"))
                except UnicodeDecodeError as exc:
                    raise _Undecodable(offset - pending + exc.start, exc.reason) from None
            offset += len(chunk)
            chunk = source.read(_BLOCK)
        if decoder:
            pending = len(decoder.getstate()[0])
            try:
                out.write(decoder.decode(b"", final=True).encode("utf-8"))
            except UnicodeDecodeError as exc:
                raise _Undecodable(offset - pending + exc.start, exc.reason) from None


def plain_text(path: str | os.PathLike) -> Path:
    """A path to ``path``'s table as a plain file: ``path`` itself when it is neither compressed nor
    UTF-16/32 text, else its decoded UTF-8 copy (made once per process; see the module's rules).

    Raises
    ------
    DataFileError
        Naming the file: a compressed file that cannot be decompressed (corrupt, cut short, a ZIP of
        several files, zstd without ``zstandard``), or UTF-16 text that does not decode.
    """
    p = Path(path)
    codec = COMPRESSIONS.get(p.suffix.lower())
    if codec is None:
        with open(p, "rb") as fh:
            if _encoding(fh.read(_SNIFF)) is None:
                return p
    stat = p.stat()
    key = (str(p.resolve()), stat.st_size, stat.st_mtime_ns)
    if key in _COPIES and _COPIES[key].exists():
        return _COPIES[key]
    part, encoding = None, None
    try:
        folder = Path(tempfile.mkdtemp(dir=_folder()))
        target, part = folder / _inner_name(p, codec), folder / ".part"
        with _open_compressed(p, codec) if codec else open(p, "rb") as source:
            head = source.read(_SNIFF)
            encoding = _encoding(head)
            _copy(source, head, encoding, part)
        part.replace(target)
    except Exception as exc:
        if part is not None:
            shutil.rmtree(part.parent, ignore_errors=True)
        raise _refusal(p, codec, encoding, exc, part) from None
    _COPIES[key] = target
    return target


def _refusal(p: Path, codec: str | None, encoding: str | None, exc: Exception, part: Path | None) -> Exception:
    """The error :func:`plain_text` raises when the copy of ``p`` failed with ``exc`` (``part``: the copy
    being written, None before its folder was made): a labelwise error as it is, else one naming the file."""
    if isinstance(exc, LabelwiseError) or not isinstance(exc, OSError | EOFError | ValueError | _Undecodable):
        return exc
    if isinstance(exc, _Undecodable):
        if encoding in ("utf-16-le", "utf-16-be"):
            order = encoding[-2:].upper()
            return DataFileError(
                f"data file {str(p)!r} looks like UTF-16 {order} text without a byte order mark (NUL bytes between "
                f"its characters) but is not UTF-16 {order} at byte {exc.offset} ({exc.reason}): save it as UTF-8 "
                f"(from a spreadsheet 'CSV UTF-8', or run: iconv -f UTF-16{order} -t UTF-8 IN > OUT)"
            )
        return DataFileError(
            f"data file {str(p)!r} starts with a {encoding} byte order mark but is not {encoding} text at byte "
            f"{exc.offset} ({exc.reason}): save it as 'CSV UTF-8'"
        )
    if isinstance(exc, OSError) and exc.errno in _NO_ROOM:
        folder = Path(tempfile.gettempdir())
        written = part.stat().st_size if part is not None and part.exists() else 0
        free = shutil.disk_usage(folder).free
        how = "decompressed" if codec else "decoded as UTF-8"
        return DataFileError(
            f"data file {str(p)!r} is read from a copy {how} in the temporary folder {str(folder)!r}, which ran out "
            f"of room ({exc.strerror}) after {_mb(written)} of the copy ({_mb(free)} free, {_mb(p.stat().st_size)} "
            "as stored): set TMPDIR to a folder on a disk with room for the whole "
            + ("decompressed file, or decompress it yourself and give the plain file" if codec else "file as UTF-8")
        )
    what = COMPRESSIONS[p.suffix.lower()] if codec else "text"
    return DataFileError(
        f"data file {str(p)!r} could not be decompressed as {what} ({type(exc).__name__}: {exc}): "
        "is it cut short, or compressed otherwise than its suffix says?"
    )


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def _renamed(exc: LabelwiseError, copy: Path, shown: Path) -> None:
    """``exc``'s message with the copy's path, and its name quoted alone (``'t.csv'``), the user's file's."""
    pairs = [(str(copy), str(shown))]
    if copy.name != shown.name:
        pairs += [(f"{q}{copy.name}{q}", f"{q}{shown.name}{q}") for q in ("'", '"')]

    def renamed(text: str) -> str:
        for old, new in pairs:
            text = text.replace(old, new)
        return text

    exc.args = tuple(renamed(a) if isinstance(a, str) else a for a in exc.args)


@contextmanager
def shown_as(copy: Path, shown: Path) -> Iterator[None]:
    """Within the block, a labelwise error naming the file ``copy`` (:func:`plain_text`'s) names ``shown``
    (the user's file) instead: by its path, or by its name alone when quoted (``'data.csv'`` for the
    copy of ``data.csv.gz`` is ``'data.csv.gz'``)."""
    try:
        yield
    except LabelwiseError as exc:
        if copy != shown:
            _renamed(exc, copy, shown)
        raise
