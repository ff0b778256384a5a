"""A learned fallback for wording no lexicon entry hears: which sentences it may speak on, and its hits."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spacy.tokens import Doc

from analyzer.checklist import reference_year
from analyzer.findings import findings_from_doc
from analyzer.matching import HITS_KEY, QUOTES
from analyzer.results import Findings, Heard, Note, Qualifier, Turn
from analyzer.scoring import source_turns

if TYPE_CHECKING:
    from analyzer.analysis import Analyzer

SIDES = ("coverage", "outcomes")
# a question, a plan, a past state or talk about programs in general is not this program's claim
SILENCING = frozenset({"question", "hypothetical", "historical", "general", "negated"})
SILENT_ROLES = frozenset({"applicant"})
MIN_WORDS = 4


@dataclass(frozen=True)
class Candidate:
    """A sentence the fallback may judge: no entry heard in it, not the applicant's, no silencing qualifier."""

    text: str
    start: int
    end: int
    qualifiers: tuple[Qualifier, ...] = ()


def sentence_cues(doc: Doc, context: object) -> dict[int, set[str]]:
    """The qualifier names whose cues stand in each sentence, keyed by the sentence's first token."""
    out: dict[int, set[str]] = {}
    cues = context.cues(doc)  # type: ignore[attr-defined]
    for rule, cue in cues:
        out.setdefault(cue.sent.start, set()).add(rule.qualifier)
    return out


def candidates(doc: Doc, context: object, turns: list[Turn], source: str, offset: int = 0,
               silencing: frozenset[str] = SILENCING) -> list[Candidate]:
    """The sentences of a processed Doc where the fallback may speak, with source offsets."""
    heard = [(s.start_char, s.end_char) for s in doc.spans.get(HITS_KEY, ())]
    numbers = [(n.start, n.end) for n in doc._.numbers or ()]
    cues = sentence_cues(doc, context)
    marks = context.rules.question_marks  # type: ignore[attr-defined]
    out = []
    for sent in doc.sents:
        words = [t for t in sent if t.is_alpha]
        if len(words) < MIN_WORDS:
            continue
        a, b = sent.start_char, sent.end_char
        if any(s < b and a < e for s, e in heard + numbers):
            continue
        said = [t for t in turns if t.start < b + offset and a + offset < t.end]
        if any(t.role in SILENT_ROLES for t in said):
            continue
        if said:  # the speaker's label before the turn is not part of what was said
            a = max(a, said[0].start - offset)
        names = set(cues.get(sent.start, ()))
        last = next((t for t in reversed(sent) if not t.is_space), None)
        if last is not None and last.text in marks:
            names.add("question")
        if names & silencing:
            continue
        quals = tuple(Qualifier(n, "", a + offset, a + offset) for n in sorted(names))
        text = source[a + offset : b + offset].rstrip()
        out.append(Candidate(text, a + offset, a + offset + len(text), quals))
    return out


def note_candidates(analyzer: Analyzer, note: Note, silencing: frozenset[str] = SILENCING
                    ) -> tuple[Findings, list[Candidate]]:
    """The analyzer's findings for a note and the sentences where the fallback may speak."""
    nlp = analyzer.nlp
    with nlp.memory_zone():
        doc = nlp.make_doc(note.text.translate(QUOTES))  # one for one, so offsets hold
        doc._.reference_year = reference_year(note.meta)
        for _, proc in nlp.pipeline:
            doc = proc(doc)
        turns = source_turns(note)
        source = note.source_text or note.text
        found = findings_from_doc(doc, analyzer.lexicon.entries, turns, analyzer.rules.scoring["specifics_window"],
                                  source, note.body_offset)
        return found, candidates(doc, nlp.get_pipe("redflags_context"), turns, source, note.body_offset, silencing)


def model_heard(cands: Sequence[Candidate], predict: Callable[[list[str]], list[dict[str, float]]],
                threshold: float) -> list[tuple[Heard, float]]:
    """Heard findings (entry model-coverage / model-outcomes) for candidates the model is sure enough of."""
    if not cands:
        return []
    out = []
    for cand, probs in zip(cands, predict([c.text for c in cands]), strict=True):
        side = max(SIDES, key=lambda s: probs.get(s, 0.0))
        p = probs.get(side, 0.0)
        if p >= threshold:
            out.append((Heard(entry=f"model-{side}", start=cand.start, end=cand.end, text=cand.text,
                              qualifiers=cand.qualifiers), round(p, 3)))
    return out
