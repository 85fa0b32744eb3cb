"""Real texts: near-duplicate licence files among the installed packages, by ``near_duplicate_text``.

Usage (from the repository root, in the project's virtual environment)::

    python benchmarks/real_text_near_duplicates.py

The texts: every licence file the environment's packages ship (``*.dist-info/LICENSE*``,
``COPYING*``, ``NOTICE*`` and the files under ``licenses/``), one row per file, read as UTF-8.
Licence files are real near duplicates: one licence (MIT, BSD-3-Clause, Apache-2.0) reused with
other copyright lines, years and names. Each file's package declares its licence in its metadata
(``License-Expression``, else the ``License ::`` classifier, else ``License``), and each file's
text is named by the first phrase of :data:`MARKERS` in it (vendored files carry another licence
than their package's): a set whose texts are different licences mixes licences. Printed: the files, the sets and their sizes, the pairs
found against every pair's exact Jaccard (brute force), the sets' declared licences, and the
time. Run once, after the threshold was chosen (``dev_text_near_duplicates.py``).
"""

from __future__ import annotations

import sys
import sysconfig
import time
from collections import Counter
from email.parser import Parser
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine_line
from bench_text_near_duplicates import brute_force

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from labelwise.checks import find_data_issues  # noqa: E402

PATTERNS = ("LICENSE*", "LICENCE*", "COPYING*", "NOTICE*", "licenses/**/*")
#: A phrase each licence's text has, to name the licence a file's text is (the first found in it).
MARKERS = {
    "Apache-2.0": "apache license",
    "MPL-2.0": "mozilla public license",
    "GPL": "gnu general public license",
    "PSF": "python software foundation",
    "BSD-3": "neither the name",
    "ISC": "permission to use, copy, modify, and/or distribute",
    "MIT": "permission is hereby granted, free of charge",
    "BSD-2": "redistributions of source code must retain",
    "zlib": "altered source versions must be plainly marked",
}


def text_licence(text: str) -> str:
    """The licence a file's text is: the marker found earliest in it (``"other"`` when none)."""
    low = " ".join(text.lower().split())
    at = {name: low.find(phrase) for name, phrase in MARKERS.items() if phrase in low}
    return min(at, key=lambda name: at[name]) if at else "other"


def licence_files(site: Path) -> list[tuple[str, Path]]:
    """``(package, file)`` for every licence file under ``site``'s ``*.dist-info`` folders."""
    out = []
    for info in sorted(site.glob("*.dist-info")):
        seen = set()
        for pattern in PATTERNS:
            for f in sorted(info.glob(pattern)):
                if f.is_file() and f not in seen:
                    seen.add(f)
                    out.append((info.name.split("-")[0].lower(), f))
    return out


def declared(site: Path, package: str) -> str:
    """The licence a package's metadata declares (expression, classifier, or field), or ``"?"``."""
    for info in site.glob("*.dist-info"):
        if info.name.split("-")[0].lower() != package or not (info / "METADATA").exists():
            continue
        meta = Parser().parsestr((info / "METADATA").read_text(encoding="utf-8", errors="replace"), headersonly=True)
        if meta.get("License-Expression"):
            return str(meta["License-Expression"])
        classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License")]
        if classifiers:
            return classifiers[0]
        value = (meta.get("License") or "?").strip().splitlines()
        return value[0][:40] if value else "?"
    return "?"


def main() -> None:
    """Run the check on the licence files and print what it finds."""
    site = Path(sysconfig.get_paths()["purelib"])
    files = licence_files(site)
    texts = [f.read_text(encoding="utf-8", errors="replace") for _, f in files]
    print(machine_line())
    print(f"{len(files)} licence files of {len({p for p, _ in files})} packages under {site}")
    start = time.perf_counter()
    found = find_data_issues(texts=texts, checks="near_duplicate_text")
    took = time.perf_counter() - start
    info = found.info["near_duplicate_text"]
    flagged = np.flatnonzero(found.issues["is_near_duplicate_text_issue"].to_numpy())
    sizes = Counter(len(s) for s in info["sets"])
    print(
        f"near_duplicate_text: {len(flagged)} files in {info['n_sets']} sets (sizes {dict(sorted(sizes.items()))}), {took:.2f} s"
    )
    truth = brute_force(texts)
    in_pair = np.zeros(len(texts), dtype=bool)
    for a, b in truth:
        in_pair[a] = in_pair[b] = True
    print(
        f"brute force: {len(truth)} pairs at Jaccard >= 0.7; rows in a pair {int(in_pair.sum())}, flagged rows "
        f"equal to them: {bool((in_pair == found.issues['is_near_duplicate_text_issue'].to_numpy()).all())}"
    )
    licences = {p: declared(site, p) for p in {p for p, _ in files}}
    mixed = mixed_text = 0
    for s in info["sets"]:
        names = Counter(licences[files[r][0]] for r in s)
        kinds = Counter(text_licence(texts[r]) for r in s)
        mixed += len(names) > 1
        mixed_text += len(kinds) > 1
        where = [files[r][1].relative_to(site).as_posix() for r in s[:2]]
        print(
            f"  set of {len(s)}: texts {dict(kinds.most_common(4))}; declared {dict(names.most_common(3))}; e.g. {where}"
        )
    print(f"sets whose packages declare more than one licence: {mixed} of {len(info['sets'])}")
    print(f"sets whose texts are more than one licence (by MARKERS): {mixed_text} of {len(info['sets'])}")
    alone = Counter(text_licence(texts[r]) for r in np.flatnonzero(~found.issues["is_near_duplicate_text_issue"]))
    print(f"files in no set, by the licence their text is: {dict(alone.most_common())}")


if __name__ == "__main__":
    main()
