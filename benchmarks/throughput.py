"""Words per second of whole analyses against the bare tokenizer, per-word cost by note length, peak memory.

Run: python benchmarks/throughput.py [--words 1000000] [--note-words 1000] [--sizes 1000 10000 100000] [--jobs 2]
The notes are made of the samples' and the eval cases' texts, shuffled with a fixed seed, so every run reads
the same words. The batch (tokenizer baseline, then every note analyzed by one analyzer, one after another) runs
in a fresh process that reports its peak memory; single notes of each size run here. Ratios are from one run,
timed in process CPU time (steadier than wall time on a shared machine; nlp.pipe with worker processes is timed
by the wall clock, as their CPU time is not this process's).
Targets: analysis at least 0.25 of the tokenizer's words/s; the largest note's per-word cost within 1.5x the
smallest's; peak memory of 1,000 notes under 400 MB.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 11


def pieces() -> list[str]:
    """The texts notes are made of: the text samples and every eval case, shuffled with a fixed seed."""
    import yaml

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "samples").glob("*.txt"))]
    for path in sorted((ROOT / "tests" / "eval").glob("*.yml")):
        texts += [str(case["text"]) for case in yaml.safe_load(path.read_text(encoding="utf-8"))]
    random.Random(SEED).shuffle(texts)
    return texts


def words_of(text: str) -> int:
    """Words as the benchmarks count them (whitespace-separated)."""
    return len(text.split())


def notes(total: int, size: int) -> list[str]:
    """Notes of about size words each, about total words in all, taking pieces round-robin."""
    source = pieces()
    out: list[str] = []
    parts: list[str] = []
    count = done = 0
    i = 0
    while done + count < total:
        text = source[i % len(source)]
        i += 1
        parts.append(text)
        count += words_of(text)
        if count >= size:
            out.append("\n\n".join(parts))
            done += count
            parts, count = [], 0
    if parts:
        out.append("\n\n".join(parts))
    return out


def batch(args: argparse.Namespace) -> dict[str, float]:
    """Tokenizer-only and full-analysis words/s over the corpus, and this process's peak memory."""
    import spacy

    from analyzer.analysis import get_analyzer

    docs = notes(args.words, args.note_words)
    words = sum(words_of(d) for d in docs)
    blank = spacy.blank("en")
    base = float("inf")
    for _ in range(3):
        start = time.process_time()
        for _doc in blank.tokenizer.pipe(docs):
            pass
        base = min(base, time.process_time() - start)
    analyzer = get_analyzer()
    for text in docs[:20]:  # first use compiles patterns on demand; time the steady state
        analyzer.analyze_text(text)
    start = time.process_time()
    for text in docs:
        analyzer.analyze_text(text)
    full = time.process_time() - start
    result = {"notes": len(docs), "words": words, "tokenizer": words / base, "analysis": words / full,
              "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if args.jobs > 1:
        start = time.perf_counter()
        for _doc in analyzer.nlp.pipe(docs, n_process=args.jobs, batch_size=16):
            pass
        result["pipe_jobs"] = words / (time.perf_counter() - start)
        start = time.perf_counter()
        for _doc in analyzer.nlp.pipe(docs, batch_size=16):
            pass
        result["pipe_one"] = words / (time.perf_counter() - start)
        start = time.perf_counter()
        for _doc in blank.tokenizer.pipe(docs):
            pass
        result["tokenizer_wall"] = words / (time.perf_counter() - start)
    return result


def single(sizes: list[int]) -> list[tuple[int, int, float]]:
    """Seconds for one note of each size (best of a few runs for the small ones)."""
    from analyzer.analysis import get_analyzer

    analyzer = get_analyzer()
    analyzer.analyze_text(notes(2000, 2000)[0])
    out = []
    for size in sizes:
        text = "\n\n".join(notes(size, size)[:1])
        best = float("inf")
        for _ in range(3 if size <= 20_000 else 1):
            start = time.process_time()
            analyzer.analyze_text(text)
            best = min(best, time.process_time() - start)
        out.append((size, words_of(text), best))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000, help="words in the batch corpus")
    parser.add_argument("--note-words", type=int, default=1000, help="words per batch note")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10_000, 100_000],
                        help="single-note sizes in words (none to skip)")
    parser.add_argument("--jobs", type=int, default=1, help="also time nlp.pipe with this many processes")
    parser.add_argument("--skip-batch", action="store_true", help="only the single notes")
    parser.add_argument("--batch-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.batch_only:
        print(json.dumps(batch(args)))
        return 0
    if not args.skip_batch:
        command = [sys.executable, __file__, "--batch-only", "--words", str(args.words),
                   "--note-words", str(args.note_words), "--jobs", str(args.jobs)]
        r = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        print(f"batch: {r['words']:,} words in {r['notes']:,} notes, one analyzer, one process")
        print(f"  tokenizer only (spacy.blank)  {r['tokenizer']:>10,.0f} words/s  1.00")
        print(f"  whole analysis                {r['analysis']:>10,.0f} words/s  {r['analysis'] / r['tokenizer']:.2f}"
              "  (target >= 0.25)")
        if "pipe_jobs" in r:
            wall = r["tokenizer_wall"]
            print(f"  wall clock: tokenizer only        {wall:>10,.0f} words/s  1.00")
            print(f"  wall clock: nlp.pipe, 1 process   {r['pipe_one']:>10,.0f} words/s  {r['pipe_one'] / wall:.2f}")
            print(f"  wall clock: nlp.pipe, {args.jobs} processes {r['pipe_jobs']:>10,.0f} words/s  "
                  f"{r['pipe_jobs'] / wall:.2f}")
        print(f"  peak memory of the batch process  {r['peak_mib']:,.0f} MiB  (target < 400 MB for 1,000 notes)")
    if args.sizes:
        runs = single(args.sizes)
        first = runs[0][2] / runs[0][1]
        print("single notes: seconds, cost per word, against the smallest")
        for size, words, seconds in runs:
            per = seconds / words
            print(f"  {words:>8,} words  {seconds:>8.2f} s  {per * 1e6:>7.1f} us/word  {per / first:.2f}x")
        print(f"  per-word cost of the largest against the smallest: {runs[-1][2] / runs[-1][1] / first:.2f}x"
              "  (target <= 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
