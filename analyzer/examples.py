"""Runs every lexicon entry's examples through the real pipeline, as proselint and Vale do."""

from __future__ import annotations

from dataclasses import dataclass

from .analysis import Analyzer
from .lexicon import Entry


@dataclass
class ExampleFailure:
    """An example that did not behave as its entry says."""

    entry: str
    origin: str
    kind: str
    example: str
    got: str


def check_entry(analyzer: Analyzer, entry: Entry) -> list[ExampleFailure]:
    """The flag examples that do not count for the entry's side and the pass examples that do."""
    failures = []
    for kind, examples in (("flag", entry.flag_examples), ("pass", entry.pass_examples)):
        for example in examples:
            hits = [h for h in analyzer.analyze_text(example, source=entry.id).hits if h.entry == entry.id]
            counted = [h for h in hits if h.counts_for == entry.side]
            if (kind == "flag") != bool(counted):
                if kind == "pass":
                    got = f"counted '{counted[0].text}' for {entry.side}"
                elif hits:
                    got = f"matched '{hits[0].text}' but it counts for {hits[0].counts_for} ({hits[0].cue})"
                else:
                    got = "no match"
                failures.append(ExampleFailure(entry.id, entry.origin, kind, example, got))
    return failures
