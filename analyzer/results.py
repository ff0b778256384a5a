"""What an analysis returns: plain dataclasses that each explain themselves."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .context import Qualifier
from .specifics import NumberFinding

SCHEMA = 1


@dataclass
class Hit:
    """One coded phrase heard in the note: the entry, the span, who said it, how, and what it adds."""

    entry: str
    side: str
    category: str
    text: str
    start: int
    end: int
    weight: float
    counted: bool
    counts_for: str
    base_weight: float
    qualifiers: list[Qualifier] = field(default_factory=list)
    speaker: str | None = None
    role: str = "unknown"
    fuzzy: float | None = None
    vague: bool = False
    specifics: list[str] = field(default_factory=list)
    repeat: int = 1
    times: int = 1
    topic: str | None = None
    timestamp: str | None = None

    @property
    def cue(self) -> str | None:
        """How context changed this hit, e.g. "negated by 'no'"."""
        parts = [f"{q.name} by '{q.cue}'" for q in self.qualifiers]
        if self.role == "applicant":
            parts.append("said by the applicant")
        return "; ".join(parts) or None


@dataclass
class Verdict:
    """The bucket, how sure, and why."""

    bucket: str
    confidence: float
    reasons: list[str]
    share: float | None = None


@dataclass
class Missing:
    """An outcomes topic the program never talked about."""

    topic: str
    label: str
    question: str
    weight: float


@dataclass
class FollowUp:
    """A question to ask residents privately, and what prompted it."""

    question: str
    weight: float
    because: str


@dataclass
class ChecklistItem:
    """One public-data checklist item, answered yes, no or unknown."""

    key: str
    label: str
    weight: float
    answer: str
    points: float
    detail: str


@dataclass
class Checklist:
    """The public-data checklist scored with the article's weights."""

    items: list[ChecklistItem]
    score: float | None
    known_weight: float


@dataclass
class Analysis:
    """Everything the tool heard and judged in one note."""

    source: str
    text: str
    words: int
    signals: dict[str, float]
    ratio: float | None
    balance: float | None
    per_1000_words: dict[str, float]
    verdict: Verdict
    hits: list[Hit]
    by_role: dict[str, dict[str, float]]
    specifics: list[dict[str, Any]]
    numbers: list[NumberFinding]
    missing: list[Missing]
    missing_note: str | None
    follow_up: list[FollowUp]
    checklist: Checklist | None
    meta: dict[str, Any] = field(default_factory=dict)
    format: str = "txt"

    def to_json(self) -> dict[str, Any]:
        """The stable JSON contract (schema 1); keys may be added, never removed or renamed."""
        return {
            "schema": SCHEMA,
            "source": self.source,
            "format": self.format,
            "words": self.words,
            "signals": self.signals,
            "ratio": self.ratio,
            "balance": self.balance,
            "per_1000_words": self.per_1000_words,
            "verdict": asdict(self.verdict),
            "hits": [
                {
                    "entry": h.entry,
                    "side": h.side,
                    "category": h.category,
                    "text": h.text,
                    "start": h.start,
                    "end": h.end,
                    "weight": h.weight,
                    "counted": h.counted,
                    "counts_for": h.counts_for,
                    "qualifiers": [asdict(q) for q in h.qualifiers],
                    "cue": h.cue,
                    "speaker": h.speaker,
                    "role": h.role,
                    "fuzzy": h.fuzzy,
                    "vague": h.vague,
                    "specifics": h.specifics,
                    "repeat": h.repeat,
                    "times": h.times,
                    "topic": h.topic,
                    "timestamp": h.timestamp,
                }
                for h in self.hits
            ],
            "by_role": self.by_role,
            "specifics": self.specifics,
            "numbers": [asdict(n) for n in self.numbers],
            "missing": [asdict(m) for m in self.missing],
            "missing_note": self.missing_note,
            "follow_up": [asdict(f) for f in self.follow_up],
            "checklist": asdict(self.checklist) if self.checklist else None,
            "meta": self.meta,
        }
