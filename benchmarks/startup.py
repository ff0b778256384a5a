"""Start-up of `redflags analyze` on one sample against bare spaCy, and of `redflags --help` against `python -c pass`.

Run: python benchmarks/startup.py [--runs 7] [--note samples/strategic-im.txt]
Each pair runs as fresh processes in the same session, alternating, so machine load affects both alike; the
figures are medians. Targets: analyze at most 1.3x the spaCy start, --help at most 3x an empty Python.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RSS = "import resource, atexit; atexit.register(lambda: print('RSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))"
BASELINE = f"{RSS}\nimport spacy; spacy.blank('en')"
REDFLAGS = f"{RSS}\nimport sys; from analyzer.cli import cli; cli(sys.argv[1:], standalone_mode=False)"
EMPTY = "pass"
HELP = "import sys; from analyzer.cli import main; sys.argv[0] = 'redflags'; main()"


def run(code: str, args: list[str]) -> tuple[float, int]:
    """Seconds and peak resident memory (KiB, 0 when not reported) of one fresh Python process."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    rss = next((int(line.split()[1]) for line in out.stdout.splitlines() if line.startswith("RSS ")), 0)
    return elapsed, rss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--note", default="samples/strategic-im.txt")
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp()) / "report.html"
    base, ours, empty, helps = [], [], [], []
    for _ in range(args.runs):
        base.append(run(BASELINE, []))
        ours.append(run(REDFLAGS, ["analyze", args.note, "-o", str(out)]))
        empty.append(run(EMPTY, [])[0])
        helps.append(run(HELP, ["--help"])[0])
    bt, ot = statistics.median(t for t, _ in base), statistics.median(t for t, _ in ours)
    bm, om = statistics.median(m for _, m in base), statistics.median(m for _, m in ours)
    print(f"median of {args.runs} runs each")
    print(f"baseline  python -c \"import spacy; spacy.blank('en')\"  {bt:.3f} s  {bm / 1024:.0f} MiB")
    print(f"redflags  analyze {args.note}  {ot:.3f} s  {om / 1024:.0f} MiB")
    print(f"ratio     time {ot / bt:.2f}x (target <= 1.3)  memory {om / bm:.2f}x")
    et, ht = statistics.median(empty), statistics.median(helps)
    print(f"baseline  python -c pass  {et:.3f} s")
    print(f"redflags  --help  {ht:.3f} s")
    print(f"ratio     time {ht / et:.2f}x (target <= 3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
