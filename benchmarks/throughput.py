"""Words per second of the redflags pipeline and of whole analyses, as ratios against the bare tokenizer.

Run: python benchmarks/throughput.py [--words 200000]
The corpus is the samples repeated; the baseline (spacy.blank('en') tokenizer only) runs in the same process.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def corpus(words: int) -> list[str]:
    """Sample notes repeated until they hold about this many words."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "samples").glob("*.txt"))]
    out: list[str] = []
    total = 0
    while total < words:
        for text in texts:
            out.append(text)
            total += len(text.split())
    return out


def rate(fn, docs: list[str]) -> float:  # type: ignore[no-untyped-def]
    """Words per second of fn over docs (best of 3)."""
    words = sum(len(d.split()) for d in docs)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        fn(docs)
        best = min(best, time.perf_counter() - start)
    return words / best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=200_000)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import spacy

    from analyzer.analysis import get_analyzer

    docs = corpus(args.words)
    blank = spacy.blank("en")
    analyzer = get_analyzer()
    base = rate(lambda ds: list(blank.tokenizer.pipe(ds)), docs)
    pipe = rate(lambda ds: list(analyzer.nlp.pipe(ds)), docs)
    full = rate(lambda ds: [analyzer.analyze_text(d) for d in ds], docs)
    print(f"{sum(len(d.split()) for d in docs):,} words in {len(docs)} notes")
    print(f"tokenizer only (baseline)   {base:>10,.0f} words/s  1.00")
    print(f"redflags pipeline           {pipe:>10,.0f} words/s  {pipe / base:.2f}")
    print(f"whole analysis (+ scoring)  {full:>10,.0f} words/s  {full / base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
