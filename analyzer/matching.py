"""Pipeline stage 1, matching: typo repair, lemmas and lexicon phrase matching as spaCy components."""

from __future__ import annotations

import gzip
import json
import re
from functools import lru_cache
from importlib.resources import files
from itertools import permutations
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from .lexicon import Lexicon, Near, load_lexicon

HITS_KEY = "redflags"
QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})

if not Token.has_extension("typo_of"):
    Token.set_extension("typo_of", default=None)
if not Span.has_extension("fuzzy"):
    Span.set_extension("fuzzy", default=None)


@lru_cache(maxsize=8)
def cached_lexicon(paths: tuple[str, ...]) -> Lexicon:
    """The built-in lexicon with the user files in paths, loaded once per process."""
    return load_lexicon(list(paths))


@lru_cache(maxsize=1)
def english_lemmas() -> dict[str, str]:
    """Lowercase word form to lemma, from spacy-lookups-data's English lookup table."""
    data = files("spacy_lookups_data") / "data" / "en_lemma_lookup.json.gz"
    table: dict[str, str] = json.loads(gzip.decompress(data.read_bytes()))
    return {k.lower(): v.lower() for k, v in table.items()}


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Every English word form the lookup tables know, to tell typos from real words."""
    index = files("spacy_lookups_data") / "data" / "en_lemma_index.json.gz"
    words = set(english_lemmas()) | set(english_lemmas().values())
    for group in json.loads(gzip.decompress(index.read_bytes())).values():
        words.update(w.lower() for w in group)
    return frozenset(words)


def lemma_of(norm: str) -> str:
    """The lemma of a lowercased, normalized word."""
    return english_lemmas().get(norm, norm)


@Language.factory("redflags_lemmas")
def make_lemmas(nlp: Language, name: str) -> "Lemmas":
    """Case-insensitive lookup lemmas computed from each token's norm."""
    return Lemmas()


class Lemmas:
    """Sets token.lemma_ from the lookup table, after quotes are normalized and typos repaired."""

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            norm = token.norm_.translate(QUOTES)
            if norm != token.norm_:
                token.norm_ = norm
            token.lemma_ = lemma_of(norm)
        return doc


@Language.factory("redflags_typos", default_config={"lexicon_paths": [], "min_length": 5})
def make_typos(nlp: Language, name: str, lexicon_paths: list[str], min_length: int) -> "Typos":
    """Repairs likely typos of lexicon words before matching."""
    return Typos(cached_lexicon(tuple(lexicon_paths)), min_length)


class Typos:
    """Maps unknown words within one or two edits of a lexicon word onto that word (norm only)."""

    def __init__(self, lexicon: Lexicon, min_length: int):
        words = set()
        for entry in lexicon:
            for phrase in entry.phrases:
                words.update(w for w in re.findall(r"[a-z]+", phrase.lower()) if len(w) >= min_length - 1)
        self.targets = sorted(words)
        self.known = english_words() | words
        self.min_length = min_length

    @lru_cache(maxsize=4096)
    def repair(self, word: str) -> tuple[str, float] | None:
        """The lexicon word a typo stands for and its similarity, or None."""
        cutoff = 2 if len(word) >= 8 else 1
        found = process.extractOne(word, self.targets, scorer=OSA.distance, score_cutoff=cutoff)
        if found is None:
            return None
        return found[0], round(fuzz.ratio(word, found[0]), 1)

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            low = token.lower_
            if len(low) < self.min_length or not token.is_alpha or low in self.known:
                continue
            if token.is_title and not token.is_sent_start:
                continue  # a capitalized unknown word mid-sentence is most likely a name
            fixed = self.repair(low)
            if fixed:
                token._.typo_of = (token.text, fixed[1])
                token.norm_ = fixed[0]
        return doc


def near_patterns(rule: Near) -> list[list[dict[str, Any]]]:
    """Token patterns for a near rule: its groups in every order, at most window tokens apart, in one sentence."""
    groups = [{"LEMMA": {"IN": sorted({lemma_of(w) for w in g})}} for g in rule.groups]
    gap = {"IS_SENT_START": False, "OP": f"{{0,{rule.window}}}"}
    patterns = []
    for order in permutations(groups):
        pattern: list[dict[str, Any]] = [dict(order[0])]
        for group in order[1:]:
            pattern += [dict(gap), {**group, "IS_SENT_START": False}]
        patterns.append(pattern)
    return patterns


@Language.factory("redflags_phrases", default_config={"lexicon_paths": []})
def make_phrases(nlp: Language, name: str, lexicon_paths: list[str]) -> "PhraseHits":
    """Finds lexicon phrases (by lemma) and token patterns; writes doc.spans['redflags']."""
    return PhraseHits(nlp, cached_lexicon(tuple(lexicon_paths)))


class PhraseHits:
    """Lexicon matching on lemmas of normalized words, plus the entries' token patterns."""

    def __init__(self, nlp: Language, lexicon: Lexicon):
        self.phrases = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.patterns = Matcher(nlp.vocab)
        lemmas = Lemmas()
        for entry in lexicon:
            if entry.phrases:
                docs = [lemmas(nlp.make_doc(p.translate(QUOTES))) for p in entry.phrases]
                self.phrases.add(entry.id, docs)
            compiled = [list(p) for p in entry.patterns] + [p for rule in entry.near for p in near_patterns(rule)]
            if compiled:
                self.patterns.add(entry.id, compiled)
        self.lexicon = lexicon

    def __call__(self, doc: Doc) -> Doc:
        found = {
            (match_id, start, end)
            for matcher in (self.phrases, self.patterns)
            for match_id, start, end in matcher(doc)
        }
        spans = [Span(doc, start, end, label=match_id) for match_id, start, end in sorted(found)]
        kept: list[Span] = []
        for side in ("coverage", "outcomes"):
            same = [s for s in spans if self.lexicon.entries[s.label_].side == side]
            primary = filter_spans([s for s in same if not self.lexicon.entries[s.label_].fallback])
            fallback = [s for s in same if self.lexicon.entries[s.label_].fallback
                        and not any(p.start < s.end and s.start < p.end for p in primary)]
            kept += primary + filter_spans(fallback)
        for span in kept:
            typos = [t._.typo_of[1] for t in span if t._.typo_of]
            span._.fuzzy = min(typos) if typos else None
        doc.spans[HITS_KEY] = sorted(kept, key=lambda s: (s.start, s.end, s.label_))
        return doc
