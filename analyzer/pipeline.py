"""The spaCy pipeline: sentences, typo repair, lemmas, lexicon matching, numbers, context, specifics."""

from __future__ import annotations

from collections.abc import Iterable

import spacy
from spacy.language import Language
from spacy.util import compile_suffix_regex

from . import context, matching, specifics  # noqa: F401  (registers the redflags_* factories)
from .context import context_rules
from .lexicon import Entry
from .notes import InputError
from .rules import Rules


def build_pipeline(entries: Iterable[Entry], rules: Rules, model: str | None = None) -> Language:
    """spacy.blank('en') with rule-based components, or an installed pipeline named by model; the lexicon
    entries and rules are handed to the components, never read by them."""
    if model:
        try:
            nlp = spacy.load(model, exclude=["lemmatizer"])
        except (OSError, ImportError, ValueError) as exc:
            raise InputError(model, f"cannot load spaCy pipeline: {str(exc).splitlines()[0][:160]}") from None
    else:
        nlp = spacy.blank("en")
    # "H-1B." ends a sentence; spaCy keeps a period after a capital as an abbreviation ("U.S.").
    suffixes = [*(nlp.Defaults.suffixes or []), r"(?<=\d[A-Za-z])\."]
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search  # type: ignore[union-attr]
    for day in ("wed", "Wed", "WED"):  # notes abbreviate Wednesday; spaCy reads "wed" as "we'd"
        nlp.tokenizer.add_special_case(day, [{"ORTH": day}])  # type: ignore[union-attr]
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
