"""Pipeline stage 1, matching: typo repair, lemmas and lexicon phrase matching as spaCy components."""

from __future__ import annotations

import gzip
import hashlib
import json
import marshal
import os
import re
import tempfile
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from importlib.resources import files
from itertools import pairwise, product
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from spacy import __version__ as spacy_version
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, Token

from . import textclean
from .lexicon import Entry, Near
from .resources import cache_dir

HITS_KEY = "redflags"
QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
# Invisible and bidirectional control characters (textclean's list) are dropped from token norms, so
# "fam\u200bily" is still heard as "family"; the reported text keeps them.
NORMALIZE = {**QUOTES, **dict.fromkeys(map(ord, textclean.INVISIBLE + textclean.BIDI))}

if not Token.has_extension("typo_of"):
    Token.set_extension("typo_of", default=None)
if not Span.has_extension("fuzzy"):
    Span.set_extension("fuzzy", default=None)
if not Span.has_extension("core"):
    Span.set_extension("core", default=None)  # for near hits: the tokens the groups matched, not the gaps


CACHE_FORMAT = 1


def _build_english() -> tuple[dict[str, str], frozenset[str]]:
    data = files("spacy_lookups_data") / "data"
    table: dict[str, str] = json.loads(gzip.decompress((data / "en_lemma_lookup.json.gz").read_bytes()))
    lemmas = {k.lower(): v.lower() for k, v in table.items()}
    words = set(lemmas) | set(lemmas.values())
    for group in json.loads(gzip.decompress((data / "en_lemma_index.json.gz").read_bytes())).values():
        words.update(w.lower() for w in group)
    return lemmas, frozenset(words)


@lru_cache(maxsize=1)
def english_stamp() -> str:
    """Size and date of spacy-lookups-data's English tables, which the caches built from them depend on."""
    data = files("spacy_lookups_data") / "data"
    sources = [Path(str(data / name)) for name in ("en_lemma_lookup.json.gz", "en_lemma_index.json.gz")]
    try:
        return repr([CACHE_FORMAT, *((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in sources)])
    except OSError:
        return ""


@lru_cache(maxsize=1)
def english_tables() -> tuple[dict[str, str], frozenset[str]]:
    """The English lemma table and word list, from a per-user marshal cache of spacy-lookups-data's gzipped
    JSON (rebuilt when those files change size or date)."""
    stamp = english_stamp()
    if not stamp:
        return _build_english()
    cache = cache_dir() / f"english-{hashlib.sha256(stamp.encode()).hexdigest()[:16]}.marshal"
    try:
        lemmas, words = marshal.loads(cache.read_bytes())
        if isinstance(lemmas, dict) and isinstance(words, frozenset):
            return lemmas, words
    except (OSError, ValueError, EOFError, TypeError):
        pass
    tables = _build_english()
    _save(cache, tables)
    return tables


def _save(cache: Path, value: Any) -> None:
    """Write a marshal cache file atomically; a read-only home only costs the rebuild next time."""
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{cache.stem}-", dir=cache.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(marshal.dumps(value))
        os.replace(tmp, cache)
    except OSError:
        pass


_phrase_tables: dict[str, dict[str, tuple[str, ...]]] = {}


@lru_cache(maxsize=1)
def _own_digest() -> str:
    """This module's source, so a change to how lemmas are made retires the cached phrase readings."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def _tokenizer_stamp(nlp: Language) -> str:
    """What decides how the tokenizer and lemmas read a phrase: spaCy, the pipeline, its rules, the tables."""
    tokenizer = nlp.tokenizer
    regexes = [getattr(getattr(tokenizer, f, None), "__self__", None) for f in
               ("prefix_search", "suffix_search", "infix_finditer", "token_match", "url_match")]
    meta = nlp.meta  # built afresh on every access
    return repr([CACHE_FORMAT, spacy_version, _own_digest(), meta.get("name"), meta.get("version"),
                 [getattr(r, "pattern", None) for r in regexes], len(getattr(tokenizer, "rules", None) or ()),
                 english_stamp()])


def phrase_keys(nlp: Language, phrases: list[str] | tuple[str, ...]) -> dict[str, list[int]]:
    """Each phrase as the lemma hashes a PhraseMatcher on LEMMA compares, through a per-user cache of how
    this tokenizer reads them (tokenizing thousands of phrases was a tenth of the start-up)."""
    stamp = _tokenizer_stamp(nlp)
    cache = cache_dir() / f"phrases-{hashlib.sha256(stamp.encode()).hexdigest()[:16]}.marshal"
    table = _phrase_tables.get(str(cache))
    if table is None:
        try:
            table = marshal.loads(cache.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            table = {}
        if not isinstance(table, dict):
            table = {}
        _phrase_tables[str(cache)] = table
    missing = [p for p in dict.fromkeys(phrases) if p not in table]
    if missing:
        lemmas = Lemmas()
        for phrase in missing:
            table[phrase] = tuple(t.lemma_ for t in lemmas(nlp.make_doc(phrase.translate(QUOTES))))
        _save(cache, table)
    strings = nlp.vocab.strings
    return {p: [strings.add(lemma) for lemma in table[p]] for p in phrases}


def english_lemmas() -> dict[str, str]:
    """Lowercase word form to lemma, from spacy-lookups-data's English lookup table."""
    return english_tables()[0]


def english_words() -> frozenset[str]:
    """Every English word form the lookup tables know, to tell typos from real words."""
    return english_tables()[1]


def lemma_of(norm: str) -> str:
    """The lemma of a lowercased, normalized word; unknown plurals ("nocturnists", "pgy1s") lose their s."""
    lemma = english_lemmas().get(norm)
    if lemma is not None:
        return lemma
    if len(norm) > 4 and norm.endswith("s") and not norm.endswith(("ss", "us", "is")) and norm not in english_words():
        return norm[:-1]
    return norm


@Language.factory("redflags_lemmas", assigns=["token.lemma", "token.norm"], requires=["token.norm"])
def make_lemmas(nlp: Language, name: str) -> Lemmas:
    """Case-insensitive lookup lemmas computed from each token's norm."""
    return Lemmas()


class Lemmas:
    """Sets token.lemma_ from the lookup table, after quotes are normalized and typos repaired."""

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            norm = token.norm_.translate(NORMALIZE)
            if norm != token.norm_:
                token.norm_ = norm or token.norm_
            token.lemma_ = lemma_of(norm)
        return doc


@Language.factory("redflags_typos", default_config={"min_length": 5, "memo_size": 50_000},
                  assigns=["token.norm", "token._.typo_of"])
def make_typos(nlp: Language, name: str, min_length: int, memo_size: int) -> Typos:
    """Repairs likely typos of lexicon words before matching; the words come from add_entries."""
    return Typos(min_length, memo_size)


class Typos:
    """Maps unknown words within one or two edits of a lexicon word onto that word (norm only)."""

    def __init__(self, min_length: int = 5, memo_size: int = 50_000):
        self.targets: list[str] = []
        self.english = english_words()
        self.known: frozenset[str] = frozenset()
        self.min_length = min_length
        self.memo_size = memo_size
        self.repaired: dict[str, tuple[str, float] | None] = {}

    def add_entries(self, entries: Iterable[Entry]) -> None:
        """Learn the words of these lexicon entries as repair targets."""
        words: set[str] = set(self.targets)
        for entry in entries:
            texts = [*entry.phrases, *(w for rule in entry.near for group in rule.groups for w in group)]
            texts += [w for pattern in entry.patterns for token in pattern for w in _literal_words(token)]
            for text in texts:
                words.update(w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= self.min_length - 1)
        self.targets = sorted(words)
        self.known = frozenset(words)
        self.repaired.clear()

    def repair(self, word: str) -> tuple[str, float] | None:
        """The lexicon word a typo stands for and its similarity, or None."""
        if word not in self.repaired:
            if len(self.repaired) >= self.memo_size:  # a server runs for hours: the memo must not grow forever
                self.repaired.clear()
            cutoff = 2 if len(word) >= 8 else 1
            found = process.extract(word, self.targets, scorer=OSA.distance, score_cutoff=cutoff, limit=8)
            # among equally close words, the most similar overall ("protectd" is "protected", not "protect")
            ranked = sorted((distance, -fuzz.ratio(word, target), target) for target, distance, _ in found)
            self.repaired[word] = (ranked[0][2], round(-ranked[0][1], 1)) if ranked else None
        return self.repaired[word]

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            low = token.lower_
            if len(low) < self.min_length or not token.is_alpha or low in self.english or low in self.known:
                continue
            if token.is_title and not token.is_sent_start:
                continue  # a capitalized unknown word mid-sentence is most likely a name
            fixed = self.repair(low)
            if fixed:
                token._.typo_of = (token.text, fixed[1])
                token.norm_ = fixed[0]
        return doc


WORD_ATTRS = ("LOWER", "ORTH", "TEXT", "NORM", "LEMMA")


def _literal_words(token: dict[str, Any]) -> list[str]:
    """The literal words a token pattern asks for ("LOWER: x" or "LEMMA: {IN: [...]}")."""
    words: list[str] = []
    for attr in WORD_ATTRS:
        value = token.get(attr)
        if isinstance(value, str):
            words.append(value)
        elif isinstance(value, dict):
            words += [str(v) for v in value.get("IN", [])]
    return words


def anchors(pattern: tuple[dict[str, Any], ...]) -> frozenset[str] | None:
    """The smallest set of words one of which must occur for the pattern to match, or None if it has none."""
    best: frozenset[str] | None = None
    for token in pattern:
        op = str(token.get("OP", "1"))
        if op in ("?", "*") or op.startswith("{0"):
            continue
        found = frozenset(w.lower() for w in _literal_words(token))
        # rare words make the best anchors: a set with a stop word ("the", "be") lets nearly every sentence in
        if found and (best is None or _anchor_cost(found) < _anchor_cost(best)):
            best = found
    return best


def _anchor_cost(words: frozenset[str]) -> tuple[bool, int]:
    return any(w in STOP_WORDS for w in words), len(words)


# not words: what a sentence holds besides its words (an entity type, a number), for required_words
ENT_MARK = "\x00ent:"
NUM_MARK = "\x00num"


def required_words(pattern: tuple[dict[str, Any], ...]) -> tuple[frozenset[str], ...]:
    """For each token the pattern cannot skip, the words one of which a sentence must hold for it to match."""
    needed = []
    for token in pattern:
        op = str(token.get("OP", "1"))
        if op in ("?", "*", "!") or op.startswith(("{0", "{,")):
            continue
        found = frozenset(w.lower() for w in _literal_words(token))
        if found:
            needed.append(found)
        kinds = token.get("ENT_TYPE")
        kinds = [kinds] if isinstance(kinds, str) else kinds.get("IN") if isinstance(kinds, dict) else None
        if kinds:
            needed.append(frozenset(ENT_MARK + str(k).lower() for k in kinds))
        if token.get("LIKE_NUM") is True:
            needed.append(frozenset({NUM_MARK}))
    return tuple(sorted(set(needed), key=len))


def longest_match(pattern: tuple[dict[str, Any], ...]) -> int | None:
    """The most tokens the pattern can match, or None when an operator lets it run on."""
    total = 0
    for token in pattern:
        op = str(token.get("OP", "1"))
        if op in ("+", "*") or op.endswith(",}"):
            return None
        if op.startswith("{"):
            total += int(op.strip("{}").split(",")[-1])
        else:
            total += 1
    return total


class AnchoredPatterns:
    """Token patterns run only on the sentences that hold one of their anchor words (spaCy's Matcher checks
    every token against every set predicate, which is slow across hundreds of patterns); each pattern is
    compiled the first time its anchor word appears."""

    def __init__(self, nlp: Language):
        self.vocab = nlp.vocab
        self.anchored: dict[str, list[int]] = defaultdict(list)
        self.raw: list[tuple[str, list[dict[str, Any]]]] = []
        self.required: list[tuple[frozenset[str], ...]] = []
        self.anchors: list[frozenset[str]] = []
        self.longest: list[int | None] = []
        self.compiled: dict[int, Matcher] = {}
        self.always = Matcher(nlp.vocab)

    def add(self, key: str, patterns: tuple[tuple[dict[str, Any], ...], ...]) -> None:
        """Add an entry's patterns, each under its anchor words."""
        for pattern in patterns:
            words = anchors(pattern)
            if words is None:
                self.always.add(key, [list(pattern)])
                continue
            self.raw.append((key, list(pattern)))
            self.required.append(required_words(pattern))
            self.anchors.append(words)
            self.longest.append(longest_match(pattern))
            for word in words:
                self.anchored[word].append(len(self.raw) - 1)

    def _matcher(self, index: int) -> Matcher:
        if index not in self.compiled:
            matcher = Matcher(self.vocab)
            matcher.add(*self.raw[index][:1], [self.raw[index][1]])
            self.compiled[index] = matcher
        return self.compiled[index]

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        found = list(self.always(doc)) if len(self.always) else []
        for sent in doc.sents:
            forms = [(token.lower_, token.lemma_, token.norm_) for token in sent]
            words = {w for form in forms for w in form}
            todo = {i for word in words for i in self.anchored.get(word, ())}
            if not todo:
                continue
            # a pattern runs only where every word it cannot do without is present (anchors are often ",", "to")
            lowered = {w.lower() for w in words}
            lowered.update(ENT_MARK + t.ent_type_.lower() for t in sent if t.ent_type)
            if any(t.like_num for t in sent):
                lowered.add(NUM_MARK)
            for index in sorted(todo):
                if not all(not need.isdisjoint(lowered) for need in self.required[index]):
                    continue
                for start, end in self._windows(index, forms, sent.start):
                    found += [(m, start + a, start + b) for m, a, b in self._matcher(index)(doc[start:end])]
        return found

    def _windows(self, index: int, forms: list[tuple[str, str, str]], offset: int) -> list[tuple[int, int]]:
        """Where in a sentence the pattern can match: the whole sentence, or, in a long one, the stretches
        within the pattern's longest match of an anchor word (the Matcher's cost grows with the tokens)."""
        longest = self.longest[index]
        if longest is None or len(forms) <= 2 * longest:
            return [(offset, offset + len(forms))]
        anchor = self.anchors[index]
        windows: list[tuple[int, int]] = []
        for i, form in enumerate(forms):
            if anchor.isdisjoint(form):
                continue
            start, end = max(0, i - longest + 1), min(len(forms), i + longest)
            if windows and start <= windows[-1][1]:
                windows[-1] = (windows[-1][0], end)
            else:
                windows.append((start, end))
        return [(offset + a, offset + b) for a, b in windows]


class NearIndex:
    """Finds near rules natively: one pass over each sentence's lemmas, then nearby pairs or triples."""

    def __init__(self, entries: Iterable[Entry]):
        self.by_lemma: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
        self.rules: dict[tuple[str, int], Near] = {}
        self.add_entries(entries)

    def add_entries(self, entries: Iterable[Entry]) -> None:
        """Index the near rules of these entries by the lemmas of their words."""
        for entry in entries:
            for r, rule in enumerate(entry.near):
                self.rules[(entry.id, r)] = rule
                for g, group in enumerate(rule.groups):
                    for lemma in sorted({w for word in group for w in (word, lemma_of(word))}):
                        self.by_lemma[lemma].append((entry.id, r, g))

    def __call__(self, doc: Doc) -> dict[tuple[str, int, int], frozenset[int]]:
        found: dict[tuple[str, int, int], frozenset[int]] = {}
        if not self.rules:
            return found
        for sent in doc.sents:
            seen: dict[tuple[str, int], list[list[int]]] = {}
            for token in sent:
                for eid, r, g in self.by_lemma.get(token.lemma_, ()):
                    groups = seen.setdefault((eid, r), [[] for _ in self.rules[(eid, r)].groups])
                    groups[g].append(token.i)
            for (eid, r), groups in seen.items():
                if all(groups):
                    for (a, b), core in _close(groups, self.rules[(eid, r)].window).items():
                        found[(eid, a, b)] = found.get((eid, a, b), frozenset()) | core
        return found


def _close(groups: list[list[int]], window: int) -> dict[tuple[int, int], frozenset[int]]:
    """Each tight run that takes one distinct token from every group (gaps within window): its start and end,
    and the tokens the groups matched."""
    runs: dict[tuple[int, int], frozenset[int]] = {}
    reach = (len(groups) - 1) * (window + 1)
    for anchor in groups[0]:
        # groups hold token indices in order, so the ones within reach are one slice
        nearby = [group[bisect_left(group, anchor - reach) : bisect_right(group, anchor + reach)]
                  for group in groups[1:]]
        for rest in product(*nearby):
            combo = (anchor, *rest)
            ordered = sorted(combo)
            if len(set(combo)) == len(combo) and all(b - a - 1 <= window for a, b in pairwise(ordered)):
                runs[(ordered[0], ordered[-1] + 1)] = frozenset(combo)
    return runs


@Language.factory("redflags_phrases", assigns=["doc.spans"], requires=["token.lemma"])
def make_phrases(nlp: Language, name: str) -> PhraseHits:
    """Finds lexicon phrases (by lemma), token patterns and near rules; the entries come from add_entries."""
    return PhraseHits(nlp)


class PhraseHits:
    """Lexicon matching on lemmas of normalized words, plus the entries' token patterns and near rules;
    writes doc.spans['redflags']."""

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.phrases = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.patterns = AnchoredPatterns(nlp)
        self.near = NearIndex([])
        self.entries: dict[str, Entry] = {}

    def add_entries(self, entries: Iterable[Entry]) -> None:
        """Listen for these lexicon entries (as spaCy's SpanRuler.add_patterns)."""
        added = list(entries)
        keys = phrase_keys(self.nlp, [p for entry in added for p in entry.phrases])
        for entry in added:
            self.entries[entry.id] = entry
            # added here, outside any memory zone, so labels of patterns compiled later stay readable
            self.nlp.vocab.strings.add(entry.id)
            if entry.phrases:
                self.phrases.add(entry.id, [keys[p] for p in entry.phrases])  # type: ignore[arg-type, misc]
            if entry.patterns:
                self.patterns.add(entry.id, entry.patterns)
        self.near.add_entries(added)

    def __call__(self, doc: Doc) -> Doc:
        # phrases and token patterns speak first (the longest; a phrase on a tie), then near rules, and fallback
        # entries only where nothing else did
        found: list[tuple[int, int, int | str, int, int]] = [(0, 0, m, a, b) for m, a, b in self.phrases(doc)]
        found += [(0, 1, m, a, b) for m, a, b in self.patterns(doc)]
        near = self.near(doc)
        found += [(1, 2, m, a, b) for m, a, b in near]
        kept: list[Span] = []
        for side in ("coverage", "outcomes"):
            ranked = []
            for tier, kind, match_id, a, b in found:
                span = Span(doc, a, b, label=match_id)
                entry = self.entries[span.label_]
                if entry.side == side:
                    ranked.append(((tier + 3 * entry.fallback, a - b, kind, a, span.label_), span))
            used = bytearray(len(doc))
            for _, span in sorted(ranked, key=lambda r: r[0]):
                if not any(used[span.start : span.end]):
                    used[span.start : span.end] = b"\x01" * len(span)
                    kept.append(span)
        for span in kept:
            typos = [t._.typo_of[1] for t in span if t._.typo_of]
            span._.fuzzy = min(typos) if typos else None
            core = near.get((span.label_, span.start, span.end))
            span._.core = None if core is None else sorted(core)  # a list: Docs must serialize for nlp.pipe
        doc.spans[HITS_KEY] = sorted(kept, key=lambda s: (s.start, s.end, s.label_))
        return doc
