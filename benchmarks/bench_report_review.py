"""How long the report, the review API and the exports take on real audit outputs.

No peer has a report or a review page (cleanlab and crowd-kit stop at arrays), so this prints
labelwise's own timings: the MNIST test-set audit (10,000 examples, the published out-of-sample
probabilities of Northcutt et al.) and the same tiled 10x (100,000 examples), plus the digits demo.

Run from the project root: ``.venv/bin/python benchmarks/bench_report_review.py``.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _machine import cpu_model  # noqa: E402
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "label_errors" / "mnist"


def _machine() -> str:
    cpu = cpu_model()
    return (
        f"nproc {os.cpu_count()}, {cpu}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}"
    )


def _audit(tmp: Path, tiles: int) -> Path:
    from labelwise.cli import main

    labels = np.tile(np.load(DATA / "labels.npy"), tiles)
    probs = np.tile(np.load(DATA / "pred_probs.npy"), (tiles, 1))
    data = tmp / f"mnist_x{tiles}.csv"
    pd.DataFrame({"image_id": np.arange(len(labels)), "label": labels}).to_csv(data, index=False)
    np.save(tmp / f"probs_x{tiles}.npy", probs)
    out = tmp / f"out_x{tiles}"
    args = ["audit", str(data), "--label", "label", "--probs", str(tmp / f"probs_x{tiles}.npy"), "--out", str(out)]
    result = CliRunner().invoke(main, args + ["--top", "0", "--no-report"])
    assert result.exit_code == 0, result.output
    return out


def _demo(tmp: Path) -> Path:
    from labelwise.cli import main

    out = tmp / "demo"
    result = CliRunner().invoke(main, ["audit", "--demo", "--out", str(out), "--top", "0", "--no-report"])
    assert result.exit_code == 0, result.output
    return out


def _best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _median_ms(fn, n: int) -> float:
    times = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def bench(name: str, out: Path) -> dict:
    from starlette.testclient import TestClient

    from labelwise.report import load_audit, write_report
    from labelwise.review import create_app, export_cleaned, label_studio_tasks

    audit = load_audit(out)
    flagged = audit.flagged["row"].tolist()
    report_s = _best(lambda: write_report(out, top=60))
    size_kb = (out / "report.html").stat().st_size / 1024
    (out / "review.sqlite").unlink(missing_ok=True)
    start = time.perf_counter()
    app = create_app(out)
    startup_s = time.perf_counter() - start
    with TestClient(app, base_url="http://127.0.0.1") as client:
        page_ms = _median_ms(lambda i: client.get("/api/examples", params={"page": 1 + i % 3}).raise_for_status(), 20)
        filt_ms = _median_ms(
            lambda i: client.get("/api/examples", params={"decision": "undecided"}).raise_for_status(), 20
        )
        n_post = min(50, len(flagged))
        post_ms = _median_ms(
            lambda i: client.post(
                f"/api/examples/{flagged[i]}/decision", json={"action": "keep" if i % 2 else "exclude", "version": 0}
            ).raise_for_status(),
            n_post,
        )
    with tempfile.TemporaryDirectory() as tmp:
        export_s = _best(lambda: export_cleaned(out, Path(tmp) / "cleaned.csv", force=True))
    ls_s = _best(lambda: label_studio_tasks(out), repeat=1)
    return {
        "output": name,
        "examples": audit.n_examples,
        "flagged": len(flagged),
        "report s": round(report_s, 2),
        "report KiB": round(size_kb),
        "app start s": round(startup_s, 2),
        "page ms": round(page_ms, 1),
        "filtered page ms": round(filt_ms, 1),
        "decision ms": round(post_ms, 1),
        "export s": round(export_s, 2),
        "Label Studio s": round(ls_s, 2),
    }


def main() -> int:
    if not DATA.is_dir():
        print(f"real data not found at {DATA}", file=sys.stderr)
        return 1
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rows.append(bench("digits demo (8x8 thumbnails)", _demo(tmp)))
        rows.append(bench("MNIST test set", _audit(tmp, 1)))
        rows.append(bench("MNIST test set x10", _audit(tmp, 10)))
    table = pd.DataFrame(rows)
    print(_machine())
    print("| " + " | ".join(table.columns) + " |")
    print("|" + "---|" * len(table.columns))
    for rec in table.itertuples(index=False):
        print("| " + " | ".join(f"{v:,}" if isinstance(v, int) else str(v) for v in rec) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
