"""Replace the names of people in an analysis by their roles, so a report can be shared without naming anyone."""

from __future__ import annotations

import copy
import re
from bisect import bisect_right
from dataclasses import fields, is_dataclass, replace
from typing import Any

from .results import Analysis

ROLE_WORDS = {
    "program_director": "[program director]",
    "faculty": "[faculty member]",
    "chief": "[chief resident]",
    "resident": "[resident]",
    "coordinator": "[coordinator]",
    "applicant": "[me]",
}
TITLE_RE = re.compile(
    r"\b(?:Dr|Doctor|Prof|Professor|Mr|Mrs|Ms|Mx|Miss)\.?[ \t]+[A-Z][\w'\u2019-]+(?:[ \t]+[A-Z][\w'\u2019-]+)?"
)
_TITLE_ONLY = re.compile(r"^(?:Dr|Doctor|Prof|Professor|Mr|Mrs|Ms|Mx|Miss)\.?[ \t]+")


def _role_word(role: str, titled: bool = False) -> str:
    return ROLE_WORDS.get(role, "[a doctor]" if titled else "[a person]")


def find_names(analysis: Analysis) -> dict[str, str]:
    """Every person's name the analysis shows, mapped to the role word that replaces it."""
    from .speakers import _rule_role, load_role_rules, split_turns

    rules = load_role_rules()
    text = analysis.source_text
    names: dict[str, str] = {}

    def add(name: str, word: str) -> None:
        name = name.strip(" \t.,;:")
        if len(name) < 2 or name in names:
            return
        names[name] = word
        bare = _TITLE_ONLY.sub("", name)
        if bare != name and bare not in names:
            names[bare] = word
            parts = bare.split()
            if len(parts) > 1 and len(parts[-1]) > 2:
                names.setdefault(parts[-1], word)

    turns = split_turns(text, rules, None)
    speakers = {t.speaker: t.role for t in turns if t.speaker}
    speakers.update({h.speaker: h.role for h in analysis.hits if h.speaker})
    for label, role in speakers.items():
        name = re.sub(r"\([^)]*\)", "", label).strip(" ,")
        bare = _TITLE_ONLY.sub("", name)
        if not bare or _rule_role(bare, rules) is not None or not any(c.isupper() for c in bare):
            continue
        add(name, _role_word(role, bool(TITLE_RE.match(name))))
    starts = {t.start: t.role for t in turns}
    for m in TITLE_RE.finditer(text):
        add(m.group(), _role_word(starts.get(m.start(), "unknown"), titled=True))
    for ent in analysis.specifics:
        if ent.label in ("PERSON", "PER"):
            add(ent.text, "[a person]")
    return names


def _pattern(names: dict[str, str]) -> re.Pattern[str] | None:
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w]){alternatives}(?![\w])")


class _Shift:
    """Where offsets of the old text land in the redacted text; spans are (start, end, new length), sorted and
    apart. A binary search per offset, not a scan of every replaced name."""

    def __init__(self, spans: list[tuple[int, int, int]]):
        self.spans = spans
        self.ends = [b for _, b, _ in spans]
        self.before = [0]  # length change made by the spans before each one
        for a, b, n in spans:
            self.before.append(self.before[-1] + n - (b - a))

    def __call__(self, pos: int, end: bool) -> int:
        i = bisect_right(self.ends, pos)
        delta = self.before[i]
        if i < len(self.spans):
            a, _, n = self.spans[i]
            if pos > a or (pos == a and end):
                return a + delta + (n if end else 0)
        return pos + delta


def _scrub(value: Any, pattern: re.Pattern[str], names: dict[str, str]) -> Any:
    """Names replaced in every string inside value (dicts, lists, tuples, dataclasses)."""
    if isinstance(value, str):
        return pattern.sub(lambda m: names[m.group()], value)
    if isinstance(value, list):
        return [_scrub(v, pattern, names) for v in value]
    if isinstance(value, tuple):
        return tuple(_scrub(v, pattern, names) for v in value)
    if isinstance(value, dict):
        return {k: _scrub(v, pattern, names) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: _scrub(getattr(value, f.name), pattern, names)  # type: ignore[misc]
                                 for f in fields(value) if f.init})
    return value


def redact(analysis: Analysis, extra_names: dict[str, str] | None = None) -> Analysis:
    """A copy of the analysis with people's names replaced by roles in the text, hits, reasons and metadata.

    Names come from speaker labels, titles ("Dr. Lee") and a loaded model's PERSON entities; offsets are
    moved so every hit still slices the redacted text.
    """
    names = {**find_names(analysis), **(extra_names or {})}
    pattern = _pattern(names)
    if pattern is None:
        return copy.deepcopy(analysis)
    old = analysis.source_text
    shift = _Shift([(m.start(), m.end(), len(names[m.group()])) for m in pattern.finditer(old)])
    new = pattern.sub(lambda m: names[m.group()], old)

    def move(item: Any) -> Any:
        start, end = shift(item.start, False), shift(item.end, True)
        changes: dict[str, Any] = {"start": start, "end": end}
        if hasattr(item, "text"):
            changes["text"] = new[start:end]
        if getattr(item, "qualifiers", None):
            changes["qualifiers"] = type(item.qualifiers)(
                replace(q, start=shift(q.start, False), end=shift(q.end, True)) for q in item.qualifiers
            )
        return replace(item, **changes)

    hits = [_scrub(move(h), pattern, names) for h in analysis.hits]
    numbers = [_scrub(move(n), pattern, names) for n in analysis.numbers]
    specifics = [move(s) for s in analysis.specifics]
    out: Analysis = _scrub(replace(analysis, hits=[], numbers=[], specifics=[], source_text=""), pattern, names)
    return replace(out, hits=hits, numbers=numbers, specifics=specifics, source_text=new,
                   body_start=shift(analysis.body_start, False))
