"""The analysis engine: one loaded pipeline, lexicon and rule set that analyzes notes one after another."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language

from .checklist import reference_year
from .findings import findings_from_doc
from .lexicon import Lexicon, load_lexicon
from .matching import QUOTES
from .pipeline import build_pipeline
from .results import Analysis, Findings, Note
from .rules import Rules, packaged_rules
from .scoring import score, source_turns
from .speakers import load_role_rules, split_turns

Progress = Callable[[str], None]


class Analyzer:
    """Holds the loaded pipeline, lexicon and rules; analyzes notes one after another."""

    def __init__(self, lexicon_paths: Iterable[str | Path] = (), model: str | None = None,
                 rules: Rules | None = None):
        self.lexicon_paths = tuple(str(p) for p in lexicon_paths)
        self.model = model
        self.lexicon: Lexicon = load_lexicon(list(self.lexicon_paths))
        self.rules = rules or packaged_rules()
        self.nlp: Language = build_pipeline(self.lexicon, self.rules, model)
        self.questions = {e.id: e.follow_up for e in self.lexicon}

    def analyze_text(self, text: str, source: str = "<text>", role_map: dict[str, str] | None = None) -> Analysis:
        """Analyze raw note text as it is (no decoding, no front matter), finding speaker turns in it."""
        note = Note(source=source, text=text, turns=split_turns(text, load_role_rules(), role_map))
        return self.analyze(note)

    def findings(self, note: Note, progress: Progress | None = None) -> Findings:
        """Run the spaCy pipeline on the note's body and return plain findings with source offsets; progress
        hears each stage's name as it starts."""
        with self.nlp.memory_zone():  # strings and lexemes of this note are freed when it is done
            if progress:
                progress("reading")
            doc = self.nlp.make_doc(note.text.translate(QUOTES))  # one for one, so offsets hold
            doc._.reference_year = reference_year(note.meta)
            for name, proc in self.nlp.pipeline:
                if progress:
                    progress(name)
                doc = proc(doc)
            window = self.rules.scoring["specifics_window"]
            return findings_from_doc(doc, self.lexicon.entries, source_turns(note), window,
                                     note.source_text or note.text, note.body_offset)

    def stages(self) -> int:
        """How many stages progress hears about: reading, each pipeline component, scoring."""
        return len(self.nlp.pipeline) + 2

    def analyze(self, note: Note, profile: dict[str, Any] | None = None, progress: Progress | None = None
                ) -> Analysis:
        """Run the pipeline on a note and score it."""
        found = self.findings(note, progress)
        if progress:
            progress("scoring")
        return score(found, note, self.questions, self.lexicon.entries, self.rules, profile)


@lru_cache(maxsize=4)
def get_analyzer(lexicon_paths: tuple[str, ...] = (), model: str | None = None) -> Analyzer:
    """A shared Analyzer per lexicon set and model, so repeated calls load the pipeline once."""
    return Analyzer(lexicon_paths, model)
