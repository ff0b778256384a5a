"""Scoring, part 3: what the program never talked about, and the questions to ask residents next."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .results import FollowUp, Hit, Missing, NumberFinding


def missing_topics(hits: Sequence[Hit], numbers: Sequence[NumberFinding], words: int,
                   topic_rules: Mapping[str, Any]) -> tuple[list[Missing], str | None]:
    """Outcomes topics no program speaker touched, or a note that the text is too short to tell."""
    min_words = topic_rules["min_words"]
    if words < min_words:
        return [], f"Not enough text to judge what was never said ({words} words; {min_words} needed)."
    touched = {h.topic for h in hits if h.role != "applicant"} | {n.topic for n in numbers if n.counted}
    missing = [Missing(key, t["label"], t["question"], t["weight"])
               for key, t in topic_rules["topics"].items() if key not in touched]
    return missing, None


def follow_ups(hits: Sequence[Hit], missing: Sequence[Missing], numbers: Sequence[NumberFinding],
               questions: Mapping[str, str], topic_rules: Mapping[str, Any]) -> list[FollowUp]:
    """Questions for residents from each red flag and absence, deduplicated, heaviest first; questions maps
    each lexicon entry to its follow-up question."""
    topics = topic_rules["topics"]
    asked: dict[str, FollowUp] = {}

    def add(question: str, weight: float, because: str) -> None:
        if question not in asked or asked[question].weight < weight:
            asked[question] = FollowUp(question, round(weight, 3), because)

    for hit in hits:
        if hit.counts_for == "coverage":
            add(questions[hit.entry], hit.base_weight, f"they said \"{hit.text}\"")
    for item in missing:
        add(item.question, item.weight, f"nobody talked about {item.label.lower()}")
    for finding in numbers:
        if finding.counted and finding.status in ("red", "caution") and finding.topic in topics:
            topic = topics[finding.topic]
            add(topic["question"], topic["weight"], f"{finding.label.lower()} of {finding.value:g} {finding.unit}")
    return sorted(asked.values(), key=lambda f: (-f.weight, f.question))
