"""Pipeline stage 2, context: line-aware sentences and ConText-style qualifiers on every hit."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, TypeVar

import numpy
import srsly
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .matching import HITS_KEY, phrase_keys
from .results import NumberFinding, Qualifier

T = TypeVar("T")

if not Span.has_extension("qualifiers"):
    Span.set_extension("qualifiers", default=None)


_PLAIN: dict[str, type] = {}
_TAG = "__redflags__"


def plain_data(cls: type[T]) -> type[T]:
    """Lets a frozen dataclass stored on Docs travel through Doc.to_bytes (as nlp.pipe(n_process=2) does)."""
    _PLAIN[cls.__name__] = cls
    return cls


def _encode(obj: Any, chain: Any = None) -> Any:
    if _PLAIN.get(type(obj).__name__) is type(obj):
        return {_TAG: type(obj).__name__, "fields": dict(vars(obj))}
    return obj if chain is None else chain(obj)


def _decode(obj: Any, chain: Any = None) -> Any:
    if isinstance(obj, dict) and _TAG in obj:
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in obj["fields"].items()}
        return _PLAIN[obj[_TAG]](**values)
    return obj if chain is None else chain(obj)


srsly.msgpack_encoders.register("redflags", func=_encode)
srsly.msgpack_decoders.register("redflags", func=_decode)


plain_data(Qualifier)
plain_data(NumberFinding)


@dataclass(frozen=True)
class Rule:
    """One family of cues: what they qualify, in which direction, how far."""

    qualifier: str
    direction: str
    max_scope: int
    cues: tuple[str, ...]
    terminators: frozenset[str] = frozenset()
    patterns: tuple[Any, ...] = ()


@dataclass(frozen=True)
class ContextRules:
    """All context rules, as read from rules/context.yml."""

    rules: tuple[Rule, ...]
    pseudo: tuple[str, ...]
    question_marks: frozenset[str]
    qualifiers: tuple[str, ...] = ()


def context_rules(raw: dict[str, Any]) -> ContextRules:
    """Typed context rules from the validated contents of rules/context.yml."""
    shared = frozenset(raw.get("terminators", []))
    rules = tuple(
        Rule(r["qualifier"], r["direction"], r["max_scope"], tuple(r.get("cues", [])),
             shared | frozenset(r.get("terminators", [])), tuple(r.get("patterns", [])))
        for r in raw["rules"]
    )
    return ContextRules(rules, tuple(raw.get("pseudo", [])), frozenset(raw.get("question_marks", ["?"])),
                        tuple(raw["qualifiers"]))


@Language.factory("redflags_lines", assigns=["token.is_sent_start"])
def make_lines(nlp: Language, name: str) -> LineBreaks:
    """Starts a new sentence at every line break, so bullets and speaker lines are their own scope."""
    return LineBreaks()


class LineBreaks:
    """Marks the token after a newline as a sentence start."""

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) < 2:
            return doc
        # one array write: each token.is_sent_start assignment makes spaCy scan the whole Doc
        starts = doc.to_array([SENT_START])
        marked = False
        for token in doc[:-1]:
            if "\n" in token.text or "\n" in token.whitespace_:
                starts[token.i + 1] = 1
                marked = True
        if marked:
            doc.from_array([SENT_START], starts)  # type: ignore[arg-type]
        return doc


class Sentences:
    """Sentence bounds of a Doc computed once: which sentence each token is in, and where each one ends."""

    def __init__(self, doc: Doc):
        flags = doc.to_array([SENT_START]) == 1
        if len(flags):
            flags[0] = True
        self.of: list[int] = (numpy.cumsum(flags) - 1).tolist()
        self.starts: list[int] = numpy.flatnonzero(flags).tolist()
        self.ends: list[int] = [*self.starts[1:], len(doc)]

    def bounds(self, start: int, end: int) -> tuple[int, int]:
        """The token range Span(start, end).sent covers: the sentences of its first and last tokens."""
        return self.starts[self.of[start]], self.ends[self.of[max(start, end - 1)]]


@Language.factory("redflags_context", assigns=["span._.qualifiers", "doc._.numbers"],
                  requires=["doc.spans", "token.lemma", "doc.sents"])
def make_context(nlp: Language, name: str) -> Context:
    """Qualifies each lexicon hit and figure (negated, a question, a plan, past, hearsay...) with its cue;
    the rules come from add_rules."""
    return Context(nlp)


class Context:
    """ConText-lite: cues scoped to their sentence, stopped by terminators, pseudo cues ignored."""

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.rules = ContextRules((), (), frozenset({"?"}))
        self.matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.patterns = Matcher(nlp.vocab, validate=True)

    def add_rules(self, rules: ContextRules) -> None:
        """Use these context rules (replacing any before)."""
        self.rules = rules
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        self.patterns = Matcher(self.nlp.vocab, validate=True)
        keys = phrase_keys(self.nlp, [*rules.pseudo, *(c for rule in rules.rules for c in rule.cues)])

        def docs(phrases: tuple[str, ...]) -> list[list[int]]:
            return [keys[p] for p in phrases]

        self.matcher.add("pseudo", docs(rules.pseudo))  # type: ignore[arg-type]
        for i, rule in enumerate(rules.rules):
            if rule.cues:
                self.matcher.add(str(i), docs(rule.cues))  # type: ignore[arg-type]
            if rule.patterns:
                self.patterns.add(str(i), [list(p) for p in rule.patterns])

    def cues(self, doc: Doc) -> list[tuple[Rule, Span]]:
        """Every cue in the doc with its rule, longest first within a rule, minus pseudo cues."""
        matches = list(self.matcher(doc, as_spans=True)) + list(self.patterns(doc, as_spans=True))
        pseudo_id = doc.vocab.strings["pseudo"]
        # covered[i]: how many tokens before i a pseudo cue covers, so a span overlaps one when its count grows
        inside = [0] * (len(doc) + 1)
        for span in matches:
            if span.label == pseudo_id:
                inside[span.start] += 1
                inside[span.end] -= 1
        covered, depth, total = [0], 0, 0
        for delta in inside[:-1]:
            depth += delta
            total += depth > 0
            covered.append(total)
        by_rule: dict[int, list[Span]] = {}
        for span in matches:
            if span.label != pseudo_id and covered[span.end] == covered[span.start]:
                by_rule.setdefault(int(span.label_), []).append(span)
        cues = [(self.rules.rules[i], s) for i, spans in by_rule.items() for s in filter_spans(spans)]
        # a cue inside a longer cue of another rule is part of it ("no" in "no longer"): a sweep by start, longest
        # first, where a cue is inside when an earlier cue reaches at least as far (and is not the same range)
        order = sorted(range(len(cues)), key=lambda k: (cues[k][1].start, -cues[k][1].end))
        inner: set[int] = set()
        reach, group_start, group_reach = -1, -1, -1
        for k in order:
            cue = cues[k][1]
            if cue.start != group_start:
                reach = max(reach, group_reach)
                group_start, group_reach = cue.start, cue.end
            if reach >= cue.end or group_reach > cue.end:
                inner.add(k)
        return [c for k, c in enumerate(cues) if k not in inner]

    @staticmethod
    def _blocked(doc: Doc, start: int, end: int, terminators: frozenset[str]) -> bool:
        return any(doc[i].norm_ in terminators for i in range(start, end))

    @staticmethod
    def _owned(rule: Rule, cue: Span, target: Span, hits: list[Span]) -> bool:
        """A forward cue inside another phrase ("no hard caps") is that phrase's, not a cue for what follows
        (hits: the hits that overlap the cue)."""
        return rule.direction == "forward" and any(
            h.start < cue.end and cue.start < h.end and not (h.start < target.end and target.start < h.end)
            for h in hits
        )

    def qualify(self, hit: Span, cues: list[tuple[Rule, Span]], sents: Sentences | None = None) -> list[Qualifier]:
        """The qualifiers that reach this hit, nearest cue per qualifier."""
        doc = hit.doc
        sent_start, sent_end = (sents or Sentences(doc)).bounds(hit.start, hit.end)
        best: dict[str, tuple[int, Span]] = {}
        core = hit._.core
        for rule, cue in cues:
            if cue.start < sent_start or cue.end > sent_end:
                continue
            if cue.start < hit.end and hit.start < cue.end:
                # a cue inside a phrase is the phrase's own ("not afraid of hard work"); inside the gap of a near
                # rule ("afternoons are not sacred") it qualifies the hit
                if core is None or any(i in core for i in range(cue.start, cue.end)):
                    continue
                if rule.max_scope >= 0 and 0 < best.get(rule.qualifier, (10**9, cue))[0]:
                    best[rule.qualifier] = (0, cue)
                continue
            if rule.direction == "forward" and cue.end <= hit.start:
                gap, start, end = hit.start - cue.end, cue.end, hit.start
            elif rule.direction == "backward" and cue.start >= hit.end:
                gap, start, end = cue.start - hit.end, hit.end, cue.start
            else:
                continue
            if (gap <= rule.max_scope and gap < best.get(rule.qualifier, (10**9, cue))[0]
                    and not self._blocked(doc, start, end, rule.terminators)):
                best[rule.qualifier] = (gap, cue)
        last = next((doc[i] for i in range(sent_end - 1, sent_start - 1, -1) if not doc[i].is_space), None)
        if last is not None and last.text in self.rules.question_marks and "question" not in best:
            best["question"] = (0, doc[last.i : last.i + 1])
        return [
            Qualifier(name, span.text, span.start_char, span.end_char)
            for name in self.rules.qualifiers
            if name in best
            for span in [best[name][1]]
        ]

    def __call__(self, doc: Doc) -> Doc:
        hits = list(doc.spans[HITS_KEY]) if HITS_KEY in doc.spans else []
        numbers = doc._.numbers or []
        cues = self.cues(doc) if hits or numbers else []
        sents = Sentences(doc)
        # each sentence's cues in cue order, and each token's hits: a target looks only at its own sentences'
        # cues, and a cue only at the hits over its tokens
        by_sent: dict[int, list[int]] = {}
        for k, (_, cue) in enumerate(cues):
            for n in range(sents.of[cue.start], sents.of[max(cue.start, cue.end - 1)] + 1):
                by_sent.setdefault(n, []).append(k)
        over: dict[int, list[Span]] = {}
        for h in hits:
            for i in range(h.start, h.end):
                over.setdefault(i, []).append(h)
        near_cue = []
        for _, cue in cues:
            seen: dict[int, Span] = {}
            for i in range(cue.start, cue.end):
                seen.update((id(h), h) for h in over.get(i, ()))
            near_cue.append(list(seen.values()))

        def reaching(target: Span) -> list[tuple[Rule, Span]]:
            lo, hi = sents.of[target.start], sents.of[max(target.start, target.end - 1)]
            ks = sorted({k for n in range(lo, hi + 1) for k in by_sent.get(n, ())})
            return [cues[k] for k in ks if not self._owned(cues[k][0], cues[k][1], target, near_cue[k])]

        for hit in hits:
            hit._.qualifiers = self.qualify(hit, reaching(hit), sents)
        qualified = []
        for finding in numbers:
            span = doc.char_span(finding.start, finding.end, alignment_mode="expand")
            own = [] if span is None else self.qualify(span, reaching(span), sents)
            qualified.append(replace(finding, qualifiers=tuple(own)))
        doc._.numbers = qualified
        return doc
