"""Scoring, part 1: how each heard phrase and figure counts, given its speaker, context and neighbours."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .results import Heard, Hit, NumberFinding, Turn
from .rules import QualifierEffect
from .speakers import role_at

if TYPE_CHECKING:
    from .lexicon import Entry

FIGURE_SIDES = {"red": "coverage", "caution": "coverage", "healthy": "outcomes"}


def counts_for(side: str, qualifiers: Iterable[str], role: str, effects: Sequence[QualifierEffect],
               overrides: Mapping[str, str | None] | None = None) -> str:
    """The side a hit of this side adds to: the first qualifier (in rule order) that changes it decides."""
    if role == "applicant":
        return "none"
    present = set(qualifiers)
    for effect in effects:
        if effect.name not in present:
            continue
        override = (overrides or {}).get(effect.entry_override or "")
        result = effect.side_for(side, override)
        if result != side or override is not None:
            return result
    return side


def weight_factor(qualifiers: Iterable[str], effects: Sequence[QualifierEffect]) -> float:
    """The product of the weight factors of the qualifiers present (hearsay counts half)."""
    present = set(qualifiers)
    factor = 1.0
    for effect in effects:
        if effect.name in present:
            factor *= effect.factor
    return factor


def count_hits(heard: Sequence[Heard], entries: Mapping[str, Entry], turns: list[Turn],
               effects: Sequence[QualifierEffect], scoring: Mapping[str, Any]) -> list[Hit]:
    """Every heard phrase as a Hit: its speaker, the side it counts for and the weight it adds."""
    hits: list[Hit] = []
    for found in heard:
        entry = entries[found.entry]
        turn = role_at(turns, found.start)
        role = turn.role if turn else "unknown"
        names = [q.name for q in found.qualifiers]
        overrides = {"negated_counts_for": entry.negated_counts_for, "past_counts_for": entry.past_counts_for}
        side = counts_for(entry.side, names, role, effects, overrides)
        weight = entry.weight * weight_factor(names, effects)
        vague = False
        if entry.needs_specifics and side == entry.side == "outcomes":
            vague = not found.specifics
            weight *= scoring["vague_factor"] if vague else 1.0
        hits.append(Hit(
            entry=entry.id, side=entry.side, category=entry.category, text=found.text, start=found.start,
            end=found.end, weight=round(weight, 3), counted=side != "none", counts_for=side,
            base_weight=entry.weight, qualifiers=list(found.qualifiers), speaker=turn.speaker if turn else None,
            role=role, fuzzy=found.fuzzy, vague=vague, specifics=list(found.specifics) if side == "outcomes" else [],
            topic=entry.topic, timestamp=turn.timestamp if turn else None,
        ))
    return hits


def count_numbers(numbers: Iterable[NumberFinding], turns: list[Turn],
                  effects: Sequence[QualifierEffect]) -> list[NumberFinding]:
    """Figures count as evidence only when a program speaker states them as a fact about this program."""
    ignored = {e.name for e in effects if e.figures == "ignore"}
    out = []
    for finding in numbers:
        turn = role_at(turns, finding.start)
        role = turn.role if turn else "unknown"
        counted = role != "applicant" and not {q.name for q in finding.qualifiers} & ignored
        out.append(replace(finding, role=role, counted=counted))
    return out


def resolve_overlaps(hits: list[Hit], numbers: Sequence[NumberFinding], fallbacks: frozenset[str] = frozenset()
                     ) -> list[Hit]:
    """One reading per stretch of text: a judged figure decides the phrase it sits in, and where two counted
    hits on opposite sides overlap, the cautious (coverage) reading wins, as a program director would read a
    warning inside a boast ("3rd PD since 2021" is not "PD since 2021"), unless a listed outcomes entry wholly
    holds a broad fallback rule's coverage hit ("hospitalists absorb the overflow")."""
    figures = sorted((n.start, n.end, FIGURE_SIDES[n.status], n) for n in numbers
                     if n.counted and n.status in FIGURE_SIDES)
    out = list(hits)
    order = sorted(range(len(out)), key=lambda i: (out[i].start, out[i].end))
    f = 0
    for i in order:
        hit = out[i]
        while f < len(figures) and figures[f][1] <= hit.start:
            f += 1
        j = f
        while hit.counted and j < len(figures) and figures[j][0] < hit.end:
            figure = figures[j][3]
            if figures[j][2] != hit.counts_for:
                out[i] = hit = replace(hit, counted=False, counts_for="none",
                                       overruled_by=f"the figure '{figure.text}' ({figure.status})")
            j += 1
    active: list[int] = []
    for i in order:
        if not out[i].counted:
            continue
        active = [a for a in active if out[a].end > out[i].start and out[a].counted]
        for a in active:
            if out[a].counts_for == out[i].counts_for or not out[i].counted:
                continue
            cov, out_ = (i, a) if out[i].counts_for == "coverage" else (a, i)
            holds = out[out_].start <= out[cov].start and out[cov].end <= out[out_].end
            win, lose = (out_, cov) if holds and out[cov].entry in fallbacks and out[out_].entry not in fallbacks \
                else (cov, out_)
            out[lose] = replace(out[lose], counted=False, counts_for="none", overruled_by=f"'{out[win].text}'")
        if out[i].counted:
            active.append(i)
    return out


def damp_repeats(hits: list[Hit], exponent: float) -> list[Hit]:
    """The k-th counted use of an entry adds weight x k^-exponent; every hit learns how often it was said."""
    times = Counter(h.entry for h in hits if h.counted)
    seen: Counter[str] = Counter()
    out = []
    for hit in hits:
        if not hit.counted:
            out.append(replace(hit, weight=0.0, times=max(times[hit.entry], 1)))
            continue
        seen[hit.entry] += 1
        k = seen[hit.entry]
        out.append(replace(hit, weight=round(hit.weight * k ** -exponent, 3), repeat=k, times=times[hit.entry]))
    return out


def tally(hits: Iterable[Hit], numbers: Iterable[NumberFinding] = (),
          number_weights: Mapping[str, float] | None = None) -> dict[str, float]:
    """Weighted totals per side: counted hits, plus counted judged figures at their weights."""
    totals = {"coverage": 0.0, "outcomes": 0.0}
    for hit in hits:
        if hit.counted:
            totals[hit.counts_for] += hit.weight
    for finding in numbers:
        if number_weights and finding.counted and finding.status in FIGURE_SIDES:
            totals[FIGURE_SIDES[finding.status]] += number_weights[finding.status]
    return {k: round(v, 3) for k, v in totals.items()}


def by_role(hits: Iterable[Hit]) -> dict[str, dict[str, float]]:
    """Weighted totals per side for each speaker role that said something counted."""
    totals: dict[str, dict[str, float]] = defaultdict(lambda: {"coverage": 0.0, "outcomes": 0.0})
    for hit in hits:
        if hit.counted:
            totals[hit.role][hit.counts_for] = round(totals[hit.role][hit.counts_for] + hit.weight, 3)
    return dict(sorted(totals.items()))


def summary_numbers(signals: dict[str, float], hits: Sequence[Hit], words: int
                    ) -> tuple[float | None, float | None, dict[str, float]]:
    """The coverage/outcomes ratio, the balance and rates per 1,000 words."""
    c, o = signals["coverage"], signals["outcomes"]
    ratio = round(c / o, 3) if o else None
    balance = round((c - o) / (c + o), 3) if c + o else None
    scale = 1000 / words if words else 0.0
    counted = [h for h in hits if h.counted]
    rates = {
        "coverage": round(sum(1 for h in counted if h.counts_for == "coverage") * scale, 2),
        "outcomes": round(sum(1 for h in counted if h.counts_for == "outcomes") * scale, 2),
        "hits": round(len(hits) * scale, 2),
    }
    return ratio, balance, rates
