"""The one place a spaCy Doc becomes plain findings: heard phrases, figures and specifics, with source offsets."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Span

from .context import Sentences
from .matching import HITS_KEY
from .results import Findings, Heard, NumberFinding, Qualifier, Specific, Turn
from .speakers import role_at
from .specifics import SPECIFIC_LABELS

if TYPE_CHECKING:
    from .lexicon import Entry


def _placed(q: Qualifier, offset: int, source: str) -> Qualifier:
    start, end = q.start + offset, q.end + offset
    return replace(q, start=start, end=end, cue=source[start:end])


class _Specifics:
    """The entities that make a claim specific, found by token range with a binary search."""

    def __init__(self, doc: Doc):
        self.ents = [e for e in doc.ents if e.label_ in SPECIFIC_LABELS]
        self.starts = [e.start for e in self.ents]

    def within(self, start: int, end: int) -> tuple[str, ...]:
        """Entity texts wholly inside tokens [start, end)."""
        out = []
        for i in range(bisect_left(self.starts, start), len(self.ents)):
            ent = self.ents[i]
            if ent.start >= end:
                break
            if ent.end <= end:
                out.append(ent.text)  # the copy differs from the source only in quotes and dashes
        return tuple(out)


def _window(span: Span, sents: Sentences, turn: Turn | None, sentences: int, offset: int) -> tuple[int, int]:
    """The token range where a claim's specifics may stand: its sentence and the next ones by the same speaker."""
    doc = span.doc
    start, end = sents.bounds(span.start, span.end)
    for _ in range(sentences):
        if end >= len(doc):
            break
        if turn is not None and doc[end].idx + offset >= turn.end:
            break
        end = sents.bounds(end, end + 1)[1]
    return start, end


def findings_from_doc(doc: Doc, entries: Mapping[str, Entry], turns: list[Turn], window: int, source: str,
                      offset: int = 0) -> Findings:
    """Plain findings from a processed Doc. The Doc's text is a one-for-one normalized copy of the source text
    from offset on, so every reported text is sliced from the source, never from the Doc."""
    specifics = _Specifics(doc)
    sents = Sentences(doc)
    heard = []
    for span in doc.spans.get(HITS_KEY, ()):
        start = span.start_char + offset
        near: tuple[str, ...] = ()
        if entries[span.label_].needs_specifics:
            near = specifics.within(*_window(span, sents, role_at(turns, start), window, offset))
        heard.append(Heard(
            entry=span.label_, start=start, end=span.end_char + offset, text=source[start : span.end_char + offset],
            qualifiers=tuple(_placed(q, offset, source) for q in span._.qualifiers or ()), fuzzy=span._.fuzzy,
            specifics=near,
        ))
    numbers: list[NumberFinding] = [
        replace(n, start=n.start + offset, end=n.end + offset, text=source[n.start + offset : n.end + offset],
                qualifiers=tuple(_placed(q, offset, source) for q in n.qualifiers))
        for n in doc._.numbers or ()
    ]
    found = tuple(Specific(source[e.start_char + offset : e.end_char + offset], e.label_, e.start_char + offset,
                           e.end_char + offset) for e in doc.ents)
    return Findings(tuple(heard), tuple(numbers), found)
