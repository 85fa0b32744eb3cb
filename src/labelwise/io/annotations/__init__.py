"""Read annotation exports into one long table of answers: ``item, annotator, label``.

Each format is one module of this package: :mod:`.long` (one row per answer), :mod:`.labelstudio`
(Label Studio JSON and JSON_MIN), :mod:`.mturk` (MTurk batch results), :mod:`.votes` (repeated
model samples, LLM votes) and :mod:`.prodigy` (Prodigy ``db-out``). :func:`read_annotations` reads any of them into an :class:`Annotations`
result (the table plus counts of what was read and dropped); ``format="auto"`` asks each module
in :data:`~labelwise.io.annotations.registry.READERS` order whether it recognises the file.

Adding a format
---------------
1. Write ``<name>.py`` here with three things:

   ``NAME: str``
       The value of ``format=`` (and of ``--format`` in the CLI).
   ``recognise(path: Path) -> bool``
       Cheap sniffing: the suffix, a CSV header, the first JSON record
       (``_common.first_record``); a whole ``.json`` document is parsed once through
       ``_common.json_document``, which the reader can call again for free.
   ``read(path: Path, **options) -> Annotations``
       The options are ``item_column``, ``annotator_column`` and ``label_column`` (all may be
       None; ignore those the format does not use). Raise ``DataFileError`` /
       ``MissingColumnError`` / ``AnnotationError`` naming the file and the line or record.
       ``_common`` has the shared helpers (``frame_of``, ``empty_label``, ``require_ids``,
       ``require_key``, ``read_jsonl_records``).

2. Add the module to ``READERS`` in ``registry.py``, before any format that would also
   recognise its files (``long`` stays last). ``FORMATS`` and the CLI choices follow.

3. Add tests in ``tests/io/`` (``test_<name>.py``) and the format to the detection test.
"""

from ._common import COLUMNS, Annotations
from .registry import FORMATS, READERS, detect_format, read_annotations

__all__ = ["COLUMNS", "FORMATS", "READERS", "Annotations", "detect_format", "read_annotations"]
