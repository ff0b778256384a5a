"""Pipeline stage 2, context: line-aware sentences and ConText-style qualifiers on every hit."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .matching import HITS_KEY, QUOTES, Lemmas
from .results import Qualifier

if not Span.has_extension("qualifiers"):
    Span.set_extension("qualifiers", default=None)


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
        for token in doc[1:]:
            prev = doc[token.i - 1]
            if "\n" in prev.text or "\n" in prev.whitespace_:
                token.is_sent_start = True
        return doc


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
        lemmas = Lemmas()

        def docs(phrases: tuple[str, ...]) -> list[Doc]:
            return [lemmas(self.nlp.make_doc(p.translate(QUOTES))) for p in phrases]

        self.matcher.add("pseudo", docs(rules.pseudo))
        for i, rule in enumerate(rules.rules):
            if rule.cues:
                self.matcher.add(str(i), docs(rule.cues))
            if rule.patterns:
                self.patterns.add(str(i), [list(p) for p in rule.patterns])

    def cues(self, doc: Doc) -> list[tuple[Rule, Span]]:
        """Every cue in the doc with its rule, longest first within a rule, minus pseudo cues."""
        matches = list(self.matcher(doc, as_spans=True)) + list(self.patterns(doc, as_spans=True))
        pseudo = [s for s in matches if s.label_ == "pseudo"]
        by_rule: dict[int, list[Span]] = {}
        for span in matches:
            if span.label_ != "pseudo" and not any(p.start < span.end and span.start < p.end for p in pseudo):
                by_rule.setdefault(int(span.label_), []).append(span)
        cues = [(self.rules.rules[i], s) for i, spans in by_rule.items() for s in filter_spans(spans)]
        # a cue inside a longer cue of another rule is part of it ("no" in "no longer")
        return [(r, c) for r, c in cues
                if not any(len(o) > len(c) and o.start <= c.start and c.end <= o.end for _, o in cues)]

    @staticmethod
    def _blocked(doc: Doc, start: int, end: int, terminators: frozenset[str]) -> bool:
        return any(doc[i].norm_ in terminators for i in range(start, end))

    @staticmethod
    def _owned(rule: Rule, cue: Span, target: Span, hits: list[Span]) -> bool:
        """A forward cue inside another phrase ("no hard caps") is that phrase's, not a cue for what follows."""
        return rule.direction == "forward" and any(
            h.start < cue.end and cue.start < h.end and not (h.start < target.end and target.start < h.end)
            for h in hits
        )

    def qualify(self, hit: Span, cues: list[tuple[Rule, Span]]) -> list[Qualifier]:
        """The qualifiers that reach this hit, nearest cue per qualifier."""
        doc, sent = hit.doc, hit.sent
        best: dict[str, tuple[int, Span]] = {}
        core = hit._.core
        for rule, cue in cues:
            if cue.start < sent.start or cue.end > sent.end:
                continue
            if cue.start < hit.end and hit.start < cue.end:
                # a cue inside a phrase is the phrase's own ("not afraid of hard work"); inside the gap of a near
                # rule ("afternoons are not sacred") it qualifies the hit
                if core is None or any(i in core for i in range(cue.start, cue.end)):
                    continue
                gap, blocked = 0, False
            elif rule.direction == "forward" and cue.end <= hit.start:
                gap = hit.start - cue.end
                blocked = self._blocked(doc, cue.end, hit.start, rule.terminators)
            elif rule.direction == "backward" and cue.start >= hit.end:
                gap = cue.start - hit.end
                blocked = self._blocked(doc, hit.end, cue.start, rule.terminators)
            else:
                continue
            if gap <= rule.max_scope and not blocked and gap < best.get(rule.qualifier, (10**9, cue))[0]:
                best[rule.qualifier] = (gap, cue)
        last = next((t for t in reversed(sent) if not t.is_space), None)
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
        for hit in hits:
            hit._.qualifiers = self.qualify(hit, [(r, c) for r, c in cues if not self._owned(r, c, hit, hits)])
        qualified = []
        for finding in numbers:
            span = doc.char_span(finding.start, finding.end, alignment_mode="expand")
            own = [] if span is None else self.qualify(span, [(r, c) for r, c in cues if not self._owned(r, c, span, hits)])
            qualified.append(replace(finding, qualifiers=tuple(own)))
        doc._.numbers = qualified
        return doc
