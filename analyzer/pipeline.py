"""The spaCy pipeline: sentences, typo repair, lemmas, lexicon matching, numbers, context, specifics."""

from __future__ import annotations

from collections.abc import Iterable

import spacy
from spacy.lang.en import English, EnglishDefaults
from spacy.language import Language
from spacy.symbols import ORTH
from spacy.util import compile_suffix_regex

from . import context, matching, specifics  # noqa: F401  (registers the redflags_* factories)
from .context import context_rules
from .lexicon import Entry
from .notes import MAX_BYTES_LIMIT, InputError
from .rules import Rules

# "H-1B." ends a sentence; spaCy keeps a period after a capital as an abbreviation ("U.S.").
SUFFIX = r"(?<=\d[A-Za-z])\."
# notes abbreviate Wednesday; spaCy reads "wed" as "we'd"
DAYS = ("wed", "Wed", "WED")


class NoteDefaults(EnglishDefaults):
    """English tokenizer rules plus the note-specific ones, so the special cases are loaded once, not twice."""

    suffixes = [*(EnglishDefaults.suffixes or []), SUFFIX]  # noqa: RUF012  (spaCy reads class attributes)
    tokenizer_exceptions = {**EnglishDefaults.tokenizer_exceptions, **{d: [{ORTH: d}] for d in DAYS}}  # noqa: RUF012


class NoteEnglish(English):
    """spacy.blank('en') with NoteDefaults."""

    Defaults = NoteDefaults


def build_pipeline(entries: Iterable[Entry], rules: Rules, model: str | None = None) -> Language:
    """spacy.blank('en') with rule-based components, or an installed pipeline named by model; the lexicon
    entries and rules are handed to the components, never read by them."""
    if model:
        try:
            nlp = spacy.load(model, exclude=["lemmatizer"])
        except (OSError, ImportError, ValueError) as exc:
            raise InputError(model, f"cannot load spaCy pipeline: {str(exc).splitlines()[0][:160]}") from None
        suffixes = [*(nlp.Defaults.suffixes or []), SUFFIX]
        nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search  # type: ignore[union-attr]
        for day in DAYS:
            nlp.tokenizer.add_special_case(day, [{"ORTH": day}])  # type: ignore[union-attr]
    else:
        nlp = NoteEnglish()
    nlp.max_length = max(nlp.max_length, MAX_BYTES_LIMIT)  # the longest note --max-bytes allows
    if nlp.has_pipe("parser") or nlp.has_pipe("senter"):
        nlp.add_pipe("redflags_lines", first=True)
    else:
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("redflags_lines")
    specifics.add_specifics(nlp, rules.gazetteers)  # before matching, so lexicon patterns can ask for ENT_TYPE
    entries = list(entries)
    nlp.add_pipe("redflags_typos").add_entries(entries)  # type: ignore[attr-defined]
    nlp.add_pipe("redflags_lemmas")
    nlp.add_pipe("redflags_phrases").add_entries(entries)  # type: ignore[attr-defined]
    nlp.add_pipe("redflags_numbers").set_thresholds(rules.thresholds)  # type: ignore[attr-defined]
    nlp.add_pipe("redflags_context").add_rules(context_rules(rules.context))  # type: ignore[attr-defined]
    return nlp
