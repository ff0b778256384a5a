"""What an analysis holds and returns: plain dataclasses that import no spaCy and each explain themselves."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA = 1


@dataclass
class Turn:
    """A stretch of the note said by one speaker; offsets index into Note.text."""

    start: int
    end: int
    speaker: str | None = None
    role: str = "unknown"
    timestamp: str | None = None


@dataclass
class Note:
    """The text to analyze (the body), the whole decoded source it came from, its turns and front matter."""

    source: str
    text: str
    format: str = "txt"
    meta: dict[str, Any] = field(default_factory=dict)
    turns: list[Turn] = field(default_factory=list)
    body_offset: int = 0
    source_text: str | None = None
    from_file: bool = False

    def __post_init__(self) -> None:
        if self.source_text is None:
            self.source_text = self.text


@dataclass(frozen=True)
class Qualifier:
    """A context qualifier on a hit and the cue that set it; offsets index the source text."""

    name: str
    cue: str
    start: int
    end: int


@dataclass(frozen=True)
class NumberFinding:
    """A number read from the note, judged against its threshold."""

    metric: str
    label: str
    value: float
    unit: str
    status: str
    note: str
    text: str
    start: int
    end: int
    topic: str | None = None
    qualifiers: tuple[Qualifier, ...] = ()
    role: str = "unknown"
    counted: bool = True


@dataclass(frozen=True)
class Specific:
    """A name, place, specialty, year or number that makes a claim specific."""

    text: str
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class Heard:
    """A lexicon entry heard in the note, before scoring: where, with which qualifiers and nearby specifics."""

    entry: str
    start: int
    end: int
    text: str
    qualifiers: tuple[Qualifier, ...] = ()
    fuzzy: float | None = None
    specifics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Findings:
    """Everything the spaCy pipeline found in one note, as plain data with offsets into the source text."""

    heard: tuple[Heard, ...]
    numbers: tuple[NumberFinding, ...]
    specifics: tuple[Specific, ...]


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
    source: str = "lexicon"
    overruled_by: str | None = None

    @property
    def cue(self) -> str | None:
        """How context changed this hit, e.g. "negated by 'no'"."""
        parts = [f"{q.name} by '{q.cue}'" for q in self.qualifiers]
        if self.role == "applicant":
            parts.append("said by the applicant")
        if self.overruled_by:
            parts.append(f"read as {self.overruled_by}")
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


# Formats whose offsets index a text the tool built (speaker lines from cues or paragraphs), not the file itself.
BUILT_TEXT_FORMATS = frozenset({"vtt", "srt", "docx"})


@dataclass
class Analysis:
    """Everything the tool heard and judged in one note; offsets index source_text."""

    source: str
    source_text: str
    words: int
    signals: dict[str, float]
    ratio: float | None
    balance: float | None
    per_1000_words: dict[str, float]
    verdict: Verdict
    hits: list[Hit]
    by_role: dict[str, dict[str, float]]
    specifics: list[Specific]
    numbers: list[NumberFinding]
    missing: list[Missing]
    missing_note: str | None
    follow_up: list[FollowUp]
    checklist: Checklist | None
    meta: dict[str, Any] = field(default_factory=dict)
    format: str = "txt"
    body_start: int = 0
    from_file: bool = False

    @property
    def text(self) -> str:
        """The analyzed body of the note (the source text after any front matter)."""
        return self.source_text[self.body_start :]

    def to_json(self) -> dict[str, Any]:
        """The stable JSON contract (schema 1); keys may be added, never removed or renamed."""
        return finite({
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
                    "base_weight": h.base_weight,
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
                    "source": h.source,
                    "overruled_by": h.overruled_by,
                }
                for h in self.hits
            ],
            "by_role": self.by_role,
            "specifics": [asdict(s) for s in self.specifics],
            "numbers": [asdict(n) for n in self.numbers],
            "missing": [asdict(m) for m in self.missing],
            "missing_note": self.missing_note,
            "follow_up": [asdict(f) for f in self.follow_up],
            "checklist": asdict(self.checklist) if self.checklist else None,
            "meta": self.meta,
            "body_start": self.body_start,
            # offsets index the file itself for txt and md files; otherwise this text (a paste, or the speaker
            # lines built from a transcript's cues or a Word file's paragraphs)
            "source_text": None if self.from_file and self.format not in BUILT_TEXT_FORMATS else self.source_text,
        })


def finite(value: Any) -> Any:
    """The value with every non-finite float replaced by None, so the JSON is strict."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def analysis_from_json(data: dict[str, Any], source_text: str) -> Analysis:
    """An Analysis read back from its JSON contract (source_text given where the JSON leaves it out)."""

    def qualifiers(items: list[dict[str, Any]]) -> list[Qualifier]:
        return [Qualifier(**q) for q in items]

    hit_fields = set(Hit.__dataclass_fields__)
    hits = [Hit(**{**{k: v for k, v in h.items() if k in hit_fields}, "qualifiers": qualifiers(h["qualifiers"])})
            for h in data["hits"]]
    numbers = [NumberFinding(**{**n, "qualifiers": tuple(qualifiers(n["qualifiers"]))}) for n in data["numbers"]]
    checklist = data.get("checklist")
    return Analysis(
        source=data["source"], source_text=data.get("source_text") or source_text, words=data["words"],
        signals=data["signals"], ratio=data["ratio"], balance=data["balance"],
        per_1000_words=data["per_1000_words"], verdict=Verdict(**data["verdict"]), hits=hits,
        by_role=data["by_role"], specifics=[Specific(**s) for s in data["specifics"]], numbers=numbers,
        missing=[Missing(**m) for m in data["missing"]], missing_note=data["missing_note"],
        follow_up=[FollowUp(**f) for f in data["follow_up"]],
        checklist=Checklist([ChecklistItem(**i) for i in checklist["items"]], checklist["score"],
                            checklist["known_weight"]) if checklist else None,
        meta=data.get("meta") or {}, format=data["format"], body_start=data.get("body_start", 0),
        from_file=data.get("source_text") is None,
    )
