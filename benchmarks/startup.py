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
RSS = ("import resource, atexit; atexit.register(lambda r=resource: (lambda u: print('RSS', u.ru_maxrss, "
       "u.ru_utime + u.ru_stime))(r.getrusage(r.RUSAGE_SELF)))")
BASELINE = f"{RSS}\nimport spacy; spacy.blank('en')"
REDFLAGS = f"{RSS}\nimport sys; from analyzer.cli import cli; cli(sys.argv[1:], standalone_mode=False)"
EMPTY = f"{RSS}\npass"
HELP = f"{RSS}\nimport sys; from analyzer.cli import main; sys.argv[0] = 'redflags'; main()"


def run(code: str, args: list[str]) -> tuple[float, int, float]:
    """Wall seconds, peak resident memory (KiB) and CPU seconds of one fresh Python process."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    _, rss, cpu = next(line.split() for line in out.stdout.splitlines() if line.startswith("RSS "))
    return elapsed, int(rss), float(cpu)


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
        empty.append(run(EMPTY, []))
        helps.append(run(HELP, ["--help"]))
    def med(runs: list[tuple[float, int, float]], field: int) -> float:
        return statistics.median(r[field] for r in runs)

    print(f"medians of {args.runs} runs each; wall time, then CPU time (steadier when the machine is busy)")
    rows = [("python -c \"import spacy; spacy.blank('en')\"", base), (f"redflags analyze {args.note}", ours),
            ("python -c pass", empty), ("redflags --help", helps)]
    for name, runs in rows:
        print(f"  {name:<48} {med(runs, 0):.3f} s  cpu {med(runs, 2):.3f} s  {med(runs, 1) / 1024:.0f} MiB")
    print(f"analyze / spaCy start: wall {med(ours, 0) / med(base, 0):.2f}x  cpu {med(ours, 2) / med(base, 2):.2f}x  "
          f"memory {med(ours, 1) / med(base, 1):.2f}x  (target time <= 1.3x)")
    print(f"--help / python -c pass: wall {med(helps, 0) / med(empty, 0):.2f}x  "
          f"cpu {med(helps, 2) / med(empty, 2):.2f}x  (target <= 3x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
