"""Scoring, part 2: the verdict, how sure it is, and the reasons, from counted evidence and public data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from .counting import tally
from .results import Checklist, Hit, Missing, NumberFinding, Verdict

ORDER = ("desperate", "dependent", "strategic")


def evidence(hits: Sequence[Hit], numbers: Sequence[NumberFinding], missing: Sequence[Missing],
             scoring: Mapping[str, Any]) -> tuple[float, float, int]:
    """Coverage and outcomes evidence (talk, figures, absences) and how many pieces of it there are."""
    totals = tally(hits, numbers, scoring["number_weights"])
    coverage = totals["coverage"] + sum(m.weight for m in missing) * scoring["missing_factor"]
    pieces = sum(1 for h in hits if h.counted) + sum(1 for n in numbers if n.counted and n.status != "info")
    return coverage, totals["outcomes"], pieces


def bucket_for(share: float, verdict_rules: Mapping[str, Any]) -> str:
    """The bucket an outcomes share falls in."""
    if share >= verdict_rules["strategic_at"]:
        return "strategic"
    if share < verdict_rules["desperate_below"]:
        return "desperate"
    return "dependent"


def checklist_bucket(checklist: Checklist | None, verdict_rules: Mapping[str, Any]) -> str | None:
    """The bucket the public-data checklist alone points to, when enough of it is known."""
    if not checklist or checklist.score is None or checklist.known_weight < verdict_rules["checklist_min_known"]:
        return None
    if checklist.score >= verdict_rules["checklist_strategic_at"]:
        return "strategic"
    return "desperate" if checklist.score < verdict_rules["checklist_desperate_below"] else "dependent"


def combine(talk: str | None, public: str | None) -> str | None:
    """Talk and public data together: where they disagree, the more cautious reading wins, never past the middle
    when they point to opposite ends."""
    if talk is None or public is None:
        return talk or public
    low, high = sorted((ORDER.index(talk), ORDER.index(public)))
    return "dependent" if (low, high) == (0, 2) else ORDER[low]


def single_phrase_flip(hits: Sequence[Hit], coverage: float, outcomes: float, bucket: str,
                       verdict_rules: Mapping[str, Any]) -> tuple[Hit, str] | None:
    """The first counted hit whose removal alone would change the talk's bucket, if any."""
    for hit in hits:
        if not hit.counted:
            continue
        c = coverage - hit.weight * (hit.counts_for == "coverage")
        o = outcomes - hit.weight * (hit.counts_for == "outcomes")
        if c + o > 0 and bucket_for(o / (c + o), verdict_rules) != bucket:
            return hit, bucket_for(o / (c + o), verdict_rules)
    return None


def talk_confidence(share: float, pieces: int, scoring: Mapping[str, Any]) -> float:
    """How sure the talk's bucket is: more evidence and a share further from the bucket lines give more."""
    rules, conf = scoring["verdict"], scoring["confidence"]
    margin = min(abs(share - rules["strategic_at"]), abs(share - rules["desperate_below"]))
    amount = min(1.0, pieces / conf["full_at_pieces"])
    return amount * (conf["base"] + min(conf["margin_bonus_max"], margin * conf["margin_scale"]))


def decide(hits: Sequence[Hit], numbers: Sequence[NumberFinding], missing: Sequence[Missing],
           checklist: Checklist | None, words: int, scoring: Mapping[str, Any]) -> Verdict:
    """The verdict with its confidence and the reasons that drove it."""
    rules, conf = scoring["verdict"], scoring["confidence"]
    coverage, outcomes, pieces = evidence(hits, numbers, missing, scoring)
    share = outcomes / (coverage + outcomes) if coverage + outcomes else None
    enough_talk = share is not None and words >= rules["min_words"] and pieces >= rules["min_hits"]
    public = checklist_bucket(checklist, rules)
    talk = bucket_for(share, rules) if enough_talk and share is not None else None
    bucket = combine(talk, public)
    if bucket is None:
        return Verdict(
            "insufficient", 0.0,
            [(f"Too little evidence to judge: {pieces} counted signal(s) in {words} words "
             f"(at least {rules['min_hits']} signals and {rules['min_words']} words are needed).")],
            None,
        )
    if talk is None or share is None:
        score = checklist.score if checklist else 0
        return Verdict(bucket, conf["public_only"],
                       [(f"Judged from the public-data checklist alone ({score:.0f}/100); "
                        "the note has too little talk to judge.")],
                       None if share is None else round(share, 3))
    reasons = reasons_for(hits, numbers, missing, checklist, share, public, scoring)
    confidence = talk_confidence(share, pieces, scoring)
    if public and public != talk:
        confidence *= conf["disagreement_factor"]
        reasons.insert(1, f"The talk sounds {talk} but the public data points to {public}; "
                          f"the more cautious reading, {bucket}, is given.")
    flip = single_phrase_flip(hits, coverage, outcomes, talk, rules)
    if flip:
        confidence *= conf["borderline_factor"]
        reasons.append(f"Borderline: without \"{flip[0].text}\" the talk would sound {flip[1]}.")
    return Verdict(bucket, round(confidence, 2), reasons, round(share, 3))


def reasons_for(hits: Sequence[Hit], numbers: Sequence[NumberFinding], missing: Sequence[Missing],
                checklist: Checklist | None, share: float, public: str | None, scoring: Mapping[str, Any]
                ) -> list[str]:
    """Plain sentences naming what drove the verdict, strongest first."""
    rules = scoring["verdict"]
    reasons = [(f"Outcomes talk is {share:.1%} of the evidence (strategic from {rules['strategic_at']:.0%}, "
               f"desperate below {rules['desperate_below']:.0%}).")]
    per_entry: dict[tuple[str, str], list[Hit]] = defaultdict(list)
    for hit in hits:
        if hit.counted:
            per_entry[(hit.entry, hit.counts_for)].append(hit)
    ranked = sorted(per_entry.values(), key=lambda hs: -sum(h.weight for h in hs))
    for group in ranked[: scoring["reasons"]["top_entries"]]:
        first = group[0]
        times = f" (said {len(group)} times)" if len(group) > 1 else ""
        how = f", {first.cue}" if first.cue else ""
        reasons.append(f"{first.counts_for.capitalize()}: \"{first.text}\"{times}{how}.")
    seen: set[tuple[str, float]] = set()
    for finding in numbers:
        if finding.counted and finding.status in ("red", "caution", "healthy") and \
                (finding.metric, finding.value) not in seen:
            seen.add((finding.metric, finding.value))
            reasons.append(f"{finding.label}: {finding.value:g} {finding.unit} is {finding.status} ({finding.note}).")
    if missing:
        reasons.append("Never talked about: " + ", ".join(m.label.lower() for m in missing) + ".")
    if checklist and checklist.score is not None:
        reasons.append(f"Public-data checklist: {checklist.score:.0f}/100 on {checklist.known_weight:.0f} "
                       f"points of known items" + (f", which points to {public}." if public else "."))
    return reasons
