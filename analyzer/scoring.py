"""Stage 4, scoring: plain findings with speakers and context become counted hits, a verdict, absences and
questions (the parts live in counting, verdict and absences; this module puts them together)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from . import absences, counting, verdict
from .checklist import profile_from, reference_year, score_profile
from .results import Analysis, Findings, Note, Turn
from .rules import Rules

WORD_RE = re.compile(r"\w+(?:['’]\w+)*")


def source_turns(note: Note) -> list[Turn]:
    """The note's turns with offsets into its whole source text."""
    if not note.body_offset:
        return note.turns
    return [replace(t, start=t.start + note.body_offset, end=t.end + note.body_offset) for t in note.turns]


def score(findings: Findings, note: Note, questions: Mapping[str, str], entries: Mapping[str, Any], rules: Rules,
          profile: dict[str, Any] | None = None) -> Analysis:
    """Everything judged about one note, from what the pipeline found in it."""
    scoring = rules.scoring
    effects = rules.qualifiers
    turns = source_turns(note)
    words = len(WORD_RE.findall(note.text))
    numbers = counting.count_numbers(findings.numbers, turns, effects)
    hits = counting.count_hits(findings.heard, entries, turns, effects, scoring)
    fallbacks = frozenset(k for k, e in entries.items() if e.fallback)
    hits = counting.damp_repeats(counting.resolve_overlaps(hits, numbers, fallbacks), scoring["repeat_exponent"])
    missing, missing_note = absences.missing_topics(hits, numbers, words, rules.topics)
    merged = {**profile_from(note.meta), **(profile or {})}
    checklist = score_profile(merged, note.source, reference_year(note.meta), rules)
    judged = verdict.decide(hits, numbers, missing, checklist, words, scoring)
    signals = counting.tally(hits, numbers, scoring["number_weights"])
    ratio, balance, rates = counting.summary_numbers(signals, hits, words)
    return Analysis(
        source=note.source,
        source_text=note.source_text or note.text,
        words=words,
        signals=signals,
        ratio=ratio,
        balance=balance,
        per_1000_words=rates,
        verdict=judged,
        hits=hits,
        by_role=counting.by_role(hits),
        specifics=list(findings.specifics),
        numbers=numbers,
        missing=missing,
        missing_note=missing_note,
        follow_up=absences.follow_ups(hits, missing, numbers, questions, rules.topics),
        checklist=checklist,
        meta=note.meta,
        format=note.format,
        body_start=note.body_offset,
        from_file=note.from_file,
    )
