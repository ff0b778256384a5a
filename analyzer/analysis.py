"""The library entry point: a note in, an Analysis out."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language

from . import scoring
from .checklist import profile_from, reference_year, score_profile
from .lexicon import Lexicon
from .matching import QUOTES, cached_lexicon
from .notes import Note
from .pipeline import build_pipeline
from .reading import read_note
from .results import Analysis
from .speakers import load_role_rules, split_turns

WORD_RE = re.compile(r"\w+(?:['’]\w+)*")


class Analyzer:
    """Holds the loaded pipeline and lexicon; analyzes notes one after another."""

    def __init__(self, lexicon_paths: list[str | Path] | tuple[str | Path, ...] = (), model: str | None = None):
        self.lexicon_paths = tuple(str(p) for p in lexicon_paths)
        self.lexicon: Lexicon = cached_lexicon(self.lexicon_paths)
        self.nlp: Language = build_pipeline(self.lexicon_paths, model)

    def analyze_text(self, text: str, source: str = "<text>", role_map: dict[str, str] | None = None) -> Analysis:
        """Analyze raw note text, finding speaker turns in it."""
        note = Note(source=source, text=text, turns=split_turns(text, load_role_rules(), role_map))
        return self.analyze(note)

    def analyze_path(self, path: str | Path, **read_options: Any) -> Analysis:
        """Read a note file (or '-' with stdin_text) and analyze it."""
        return self.analyze(read_note(path, **read_options))

    def analyze(self, note: Note, profile: dict[str, Any] | None = None) -> Analysis:
        """Run the pipeline on a note and score it."""
        year = reference_year(note.meta)
        doc = self.nlp.make_doc(note.text.translate(QUOTES))
        doc._.reference_year = year
        for _, proc in self.nlp.pipeline:
            doc = proc(doc)
        words = len(WORD_RE.findall(note.text))
        hits = scoring.score_hits(doc, self.lexicon, note.turns)
        numbers = scoring.count_numbers(list(doc._.numbers or []), note.turns)
        missing, missing_note = scoring.missing_topics(hits, numbers, words)
        merged = {**profile_from(note.meta), **(profile or {})}
        checklist = score_profile(merged, note.source, year)
        verdict = scoring.decide(hits, numbers, missing, checklist, words)
        signals, ratio, balance, rates = scoring.summary_numbers(hits, words)
        return Analysis(
            source=note.source,
            text=note.text,
            words=words,
            signals=signals,
            ratio=ratio,
            balance=balance,
            per_1000_words=rates,
            verdict=verdict,
            hits=hits,
            by_role=scoring.by_role(hits),
            specifics=[{"text": e.text, "label": e.label_, "start": e.start_char, "end": e.end_char} for e in doc.ents],
            numbers=numbers,
            missing=missing,
            missing_note=missing_note,
            follow_up=scoring.follow_ups(hits, missing, numbers, self.lexicon),
            checklist=checklist,
            meta=note.meta,
            format=note.format,
        )


@lru_cache(maxsize=4)
def get_analyzer(lexicon_paths: tuple[str, ...] = (), model: str | None = None) -> Analyzer:
    """A shared Analyzer per lexicon set and model, so repeated calls load the pipeline once."""
    return Analyzer(lexicon_paths, model)
