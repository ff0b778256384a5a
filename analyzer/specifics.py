"""Pipeline stage 3, specifics: names, places, years and numbers, and the figures read against thresholds."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from .results import NumberFinding

GAZETTEERS = ("specialties", "institutions", "places", "numbers")
SPECIFIC_LABELS = frozenset(
    {"SPECIALTY", "INSTITUTION", "PLACE", "NUMBER", "ORG", "GPE", "FAC", "LOC", "DATE", "PERCENT", "CARDINAL",
     "QUANTITY", "PERSON", "MONEY", "TIME"}
)
TITLES = re.compile(r"\b(Dr|Mr|Mrs|Ms|Prof|St)\.")
ORDINALS = {"third": 3, "fourth": 4, "fifth": 5, "3rd": 3, "4th": 4, "5th": 5}

if not Doc.has_extension("numbers"):
    Doc.set_extension("numbers", default=None)
if not Doc.has_extension("reference_year"):
    Doc.set_extension("reference_year", default=None)


def gazetteer_patterns(gazetteers: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """EntityRuler patterns built from the validated gazetteer files."""
    patterns: list[dict[str, Any]] = []
    for raw in gazetteers:
        label = raw["label"]
        patterns += [{"label": label, "pattern": str(p)} for p in raw.get("phrases", [])]
        patterns += [{"label": label, "pattern": p} for p in raw.get("patterns", [])]
    return patterns


def add_specifics(nlp: Language, gazetteers: Iterable[dict[str, Any]]) -> None:
    """Adds the rule-based entity ruler (after a model's own NER, without overwriting it)."""
    ruler = nlp.add_pipe(
        "entity_ruler",
        name="redflags_specifics",
        config={"overwrite_ents": False, "phrase_matcher_attr": "LOWER", "validate": True},
    )
    with nlp.select_pipes(disable=nlp.pipe_names):  # patterns need only the tokenizer
        ruler.add_patterns(gazetteer_patterns(gazetteers))  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Band:
    """One threshold band of a metric."""

    status: str
    note: str
    below: float | None = None
    above: float | None = None
    atleast: float | None = None

    def holds(self, value: float) -> bool:
        """Whether value falls in this band."""
        return (
            (self.below is None or value < self.below)
            and (self.above is None or value > self.above)
            and (self.atleast is None or value >= self.atleast)
        )


@dataclass(frozen=True)
class Metric:
    """A figure the note may give, how to read it and how to judge it."""

    key: str
    label: str
    unit: str
    topic: str | None
    patterns: tuple[re.Pattern[str], ...]
    bands: tuple[Band, ...]
    keywords: tuple[str, ...] = ()


def metrics_from(thresholds: dict[str, Any]) -> tuple[dict[str, float], tuple[Metric, ...]]:
    """Number words and metrics from the validated contents of rules/thresholds.yml."""
    metrics = tuple(
        Metric(
            key=key,
            label=m["label"],
            unit=m["unit"],
            topic=m.get("topic"),
            patterns=tuple(m["patterns"]),
            bands=tuple(Band(**b) for b in m["bands"]),
            keywords=tuple(m.get("keywords", ())),
        )
        for key, m in thresholds["metrics"].items()
    )
    return {str(k): float(v) for k, v in thresholds["number_words"].items()}, metrics


def _number(text: str, words: dict[str, float]) -> float | None:
    text = text.strip().lower()
    if text in ORDINALS:
        return float(ORDINALS[text])
    try:
        return float(text)
    except ValueError:
        return words.get(text.replace(" of", ""))


def read_value(match: re.Match[str], words: dict[str, float], reference_year: int) -> float | None:
    """The metric value a regex match stands for."""
    groups = match.groupdict()
    if groups.get("count") and groups.get("year"):  # "3rd PD since 2021": the years so far over the PDs so far
        ordinal = _number(groups["count"], words)
        years = max(1, reference_year - int(groups["year"]))
        return round(years / ordinal, 1) if ordinal else None
    if groups.get("year"):
        return float(max(0, reference_year - int(groups["year"])))
    if groups.get("all"):
        return 100.0
    if groups.get("count") and groups.get("span"):
        count, span = _number(groups["count"], words), _number(groups["span"], words)
        return round(span / count, 1) if count and span else None
    return _number(groups["value"], words) if groups.get("value") else None


def judge(metric: Metric, value: float) -> Band:
    """The first band of metric that holds for value."""
    return next(b for b in metric.bands if b.holds(value))


@Language.factory("redflags_numbers", assigns=["doc._.numbers"], requires=["doc.sents"])
def make_numbers(nlp: Language, name: str) -> Numbers:
    """Reads board pass rates, didactic hours, SOAP years, PD tenure, IMG share and weekly hours; the
    metrics come from set_thresholds."""
    return Numbers()


class Numbers:
    """Runs the threshold patterns on each sentence; writes doc._.numbers."""

    def __init__(self) -> None:
        self.words: dict[str, float] = {}
        self.metrics: tuple[Metric, ...] = ()

    def set_thresholds(self, thresholds: dict[str, Any]) -> None:
        """Read figures with these number words and metrics (the contents of rules/thresholds.yml)."""
        self.words, self.metrics = metrics_from(thresholds)

    def __call__(self, doc: Doc) -> Doc:
        year = doc._.reference_year or date.today().year
        found: list[NumberFinding] = []
        for sent in doc.sents:
            raw = sent.text
            text = TITLES.sub(lambda m: m.group(1) + " ", raw)  # same length, so offsets hold
            taken: list[tuple[int, int]] = []
            low = text.lower()
            for metric in self.metrics:
                if metric.keywords and not any(k in low for k in metric.keywords):
                    continue
                for pattern in metric.patterns:
                    for match in pattern.finditer(text):
                        value = read_value(match, self.words, year)
                        span = match.span()
                        if value is None or any(s < span[1] and span[0] < e for s, e in taken):
                            continue
                        taken.append(span)
                        band = judge(metric, value)
                        start = sent.start_char + span[0]
                        found.append(
                            NumberFinding(metric.key, metric.label, value, metric.unit, band.status, band.note,
                                          raw[span[0] : span[1]], start,
                                          sent.start_char + span[1], metric.topic)
                        )
        doc._.numbers = sorted(found, key=lambda f: (f.start, f.metric))
        return doc
