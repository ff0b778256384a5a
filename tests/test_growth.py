"""Guards against superlinear cost returning, and for streaming notes through worker processes."""

from __future__ import annotations

import time
from pathlib import Path

from analyzer.matching import HITS_KEY

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def note_of(words: int) -> str:
    """A note of about this many words made of the text samples, one after another."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    parts: list[str] = []
    count = 0
    while count < words:
        text = texts[len(parts) % len(texts)]
        parts.append(text)
        count += len(text.split())
    return "\n\n".join(parts)


def seconds(analyzer, text: str, runs: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()  # CPU time: other processes on the machine do not count
        analyzer.analyze_text(text)
        best = min(best, time.process_time() - start)
    return best


def test_a_long_note_costs_about_its_length(analyzer):
    """20x the words may take at most 60x the time (it took hours when context scopes were pairwise)."""
    short, long = note_of(1000), note_of(20_000)
    analyzer.analyze_text(short)  # patterns compile on first use
    short_time = seconds(analyzer, short, 3)
    long_time = seconds(analyzer, long, 1)
    assert long_time <= 60 * short_time, f"{long_time:.2f} s for 20,000 words, {short_time:.3f} s for 1,000"


def test_documents_stream_through_worker_processes(analyzer):
    """nlp.pipe with two processes gives the same hits, qualifiers, cores and figures as one process."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))][:4]

    def seen(doc):  # type: ignore[no-untyped-def]
        hits = [(s.label_, s.start, s.end, s._.qualifiers, s._.core) for s in doc.spans[HITS_KEY]]
        return hits, doc._.numbers

    together = [seen(d) for d in analyzer.nlp.pipe(texts, n_process=2, batch_size=1)]
    alone = [seen(d) for d in analyzer.nlp.pipe(texts)]
    assert together == alone
    assert any(q for hits, _ in alone for *_, qualifiers, _core in hits for q in qualifiers or [])
    assert any(numbers for _, numbers in alone)
