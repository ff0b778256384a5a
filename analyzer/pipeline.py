"""The spaCy pipeline: sentences, typo repair, lemmas, lexicon matching, context, specifics, numbers."""

from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.util import compile_suffix_regex

from . import context, matching, specifics  # noqa: F401  (registers the redflags_* factories)
from .notes import MAX_BYTES_LIMIT, InputError


def build_pipeline(lexicon_paths: tuple[str, ...] = (), model: str | None = None) -> Language:
    """spacy.blank('en') with rule-based components, or an installed pipeline named by model."""
    if model:
        try:
            nlp = spacy.load(model, exclude=["lemmatizer"])
        except (OSError, ImportError, ValueError) as exc:
            raise InputError(model, f"cannot load spaCy pipeline: {str(exc).splitlines()[0][:160]}") from None
    else:
        nlp = spacy.blank("en")
    nlp.max_length = max(nlp.max_length, MAX_BYTES_LIMIT)  # the longest note --max-bytes allows
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
    paths = {"lexicon_paths": list(lexicon_paths)}
    specifics.add_specifics(nlp)  # before matching, so lexicon patterns can ask for ENT_TYPE
    nlp.add_pipe("redflags_typos", config=paths)
    nlp.add_pipe("redflags_lemmas")
    nlp.add_pipe("redflags_phrases", config=paths)
    nlp.add_pipe("redflags_numbers")
    nlp.add_pipe("redflags_context")
    return nlp
