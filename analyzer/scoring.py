"""Stage 4, scoring: hits with speakers and context become signals, absences, a verdict and questions."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from spacy.tokens import Doc, Span

from .context import Sentences
from .lexicon import Entry, Lexicon
from .matching import HITS_KEY
from .notes import Turn
from .resources import data_path, load_yaml
from .results import Checklist, FollowUp, Hit, Missing, Verdict
from .speakers import role_at
from .specifics import SPECIFIC_LABELS, NumberFinding

# Which qualifier decides how a hit counts when several apply, first wins.
PRECEDENCE = ("question", "hypothetical", "historical", "negated")


@dataclass(frozen=True)
class Topic:
    """An outcomes topic whose absence says something."""

    key: str
    label: str
    question: str
    weight: float


@lru_cache(maxsize=1)
def scoring_rules() -> dict[str, Any]:
    """The weights and verdict thresholds from rules/scoring.yml."""
    rules: dict[str, Any] = load_yaml(data_path("phrase_lexicons", "rules", "scoring.yml").read_text("utf-8"))
    return rules


@lru_cache(maxsize=1)
def load_topics() -> tuple[int, tuple[Topic, ...]]:
    """The minimum words to judge absences, and the topics from rules/topics.yml."""
    raw = load_yaml(data_path("phrase_lexicons", "rules", "topics.yml").read_text("utf-8"))
    topics = tuple(Topic(k, v["label"], v["question"], float(v["weight"])) for k, v in raw["topics"].items())
    return int(raw["min_words"]), topics


def counts_for(entry: Entry, qualifiers: set[str], role: str) -> str:
    """The side a hit adds to, given its qualifiers and speaker."""
    if role == "applicant":
        return "none"
    for name in PRECEDENCE:
        if name in qualifiers:
            if name == "historical":
                return entry.counts_when_past()
            if name == "negated":
                return entry.counts_when_negated()
            return "none"
    return entry.side


class _DocIndex:
    """A Doc's sentences and specific entities, computed once for all of its hits."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.sents = Sentences(doc)
        self.ents = [(e.start, e.end, e.text) for e in doc.ents if e.label_ in SPECIFIC_LABELS]
        self.starts = [e[0] for e in self.ents]


_last_index: list[_DocIndex] = []


def _index(doc: Doc) -> _DocIndex:
    cached = _last_index[0] if _last_index else None
    if cached is None or cached.doc is not doc:
        cached = _DocIndex(doc)
        _last_index[:] = [cached]
    return cached


def specifics_near(span: Span, turn: Turn | None, window: int) -> list[str]:
    """Entity texts that make a claim specific: in its sentence or the next ones by the same speaker."""
    doc = span.doc
    index = _index(doc)
    start, end = index.sents.bounds(span.start, span.end)
    for _ in range(window):
        if end >= len(doc):
            break
        nxt_start, nxt_end = index.sents.bounds(end, end + 1)
        if turn is not None and doc[nxt_start].idx >= turn.end:
            break
        end = nxt_end
    # entities do not overlap, so ordered by start they are ordered by end too
    found = []
    for e_start, e_end, text in index.ents[bisect_left(index.starts, start):]:
        if e_end > end:
            break
        found.append(text)
    return found


def score_hits(doc: Doc, lexicon: Lexicon, turns: list[Turn]) -> list[Hit]:
    """Every lexicon hit in doc, with its speaker, context, specifics and the weight it adds."""
    rules = scoring_rules()
    hits: list[Hit] = []
    for span in doc.spans[HITS_KEY]:
        entry = lexicon.entries[span.label_]
        turn = role_at(turns, span.start_char)
        role = turn.role if turn else "unknown"
        qualifiers = list(span._.qualifiers or [])
        names = {q.name for q in qualifiers}
        side = counts_for(entry, names, role)
        weight = entry.weight
        specifics: list[str] = []
        vague = False
        if entry.needs_specifics and side == entry.side == "outcomes":
            specifics = specifics_near(span, turn, int(rules["specifics_window"]))
            vague = not specifics
            weight *= rules["vague_factor"] if vague else 1.0
        if "hearsay" in names:
            weight *= rules["hearsay_factor"]
        hits.append(
            Hit(
                entry=entry.id, side=entry.side, category=entry.category, text=span.text,
                start=span.start_char, end=span.end_char, weight=round(weight, 3), counted=side != "none",
                counts_for=side, base_weight=entry.weight, qualifiers=qualifiers,
                speaker=turn.speaker if turn else None, role=role, fuzzy=span._.fuzzy, vague=vague,
                specifics=specifics, topic=entry.topic, timestamp=turn.timestamp if turn else None,
            )
        )
    return damp_repeats(hits)


def count_numbers(numbers: list[NumberFinding], turns: list[Turn]) -> list[NumberFinding]:
    """Figures count as evidence only when a program speaker states them (not asked, planned, past or denied)."""
    out = []
    for finding in numbers:
        turn = role_at(turns, finding.start)
        role = turn.role if turn else "unknown"
        names = {q.name for q in finding.qualifiers}
        counted = role != "applicant" and not names & set(PRECEDENCE)
        out.append(replace(finding, role=role, counted=counted))
    return out


def damp_repeats(hits: list[Hit]) -> list[Hit]:
    """The k-th counted use of an entry adds weight x k^-exponent; every hit learns how often it was said."""
    exponent = scoring_rules()["repeat_exponent"]
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


def tally(hits: list[Hit]) -> dict[str, float]:
    """Weighted totals per side."""
    totals = {"coverage": 0.0, "outcomes": 0.0}
    for hit in hits:
        if hit.counted:
            totals[hit.counts_for] += hit.weight
    return {k: round(v, 3) for k, v in totals.items()}


def by_role(hits: list[Hit]) -> dict[str, dict[str, float]]:
    """Weighted totals per side for each speaker role that said something counted."""
    totals: dict[str, dict[str, float]] = defaultdict(lambda: {"coverage": 0.0, "outcomes": 0.0})
    for hit in hits:
        if hit.counted:
            totals[hit.role][hit.counts_for] = round(totals[hit.role][hit.counts_for] + hit.weight, 3)
    return dict(sorted(totals.items()))


def missing_topics(hits: list[Hit], numbers: list[NumberFinding], words: int) -> tuple[list[Missing], str | None]:
    """Outcomes topics no program speaker touched, or a note that the text is too short to tell."""
    min_words, topics = load_topics()
    if words < min_words:
        return [], f"Not enough text to judge what was never said ({words} words; {min_words} needed)."
    touched = {h.topic for h in hits if h.role != "applicant"} | {n.topic for n in numbers if n.counted}
    missing = [Missing(t.key, t.label, t.question, t.weight) for t in topics if t.key not in touched]
    return missing, None


def evidence(
    hits: list[Hit], numbers: list[NumberFinding], missing: list[Missing]
) -> tuple[float, float, int]:
    """Coverage and outcomes evidence (talk, numbers, absences) and how many pieces of it there are."""
    rules = scoring_rules()
    totals = tally(hits)
    coverage, outcomes = totals["coverage"], totals["outcomes"]
    weights = rules["number_weights"]
    for finding in numbers:
        if not finding.counted:
            continue
        if finding.status in ("red", "caution"):
            coverage += weights[finding.status]
        elif finding.status == "healthy":
            outcomes += weights["healthy"]
    coverage += sum(m.weight for m in missing) * rules["missing_factor"]
    pieces = sum(1 for h in hits if h.counted) + sum(1 for n in numbers if n.counted and n.status != "info")
    return coverage, outcomes, pieces


def bucket_for(share: float) -> str:
    """The bucket an outcomes share falls in."""
    rules = scoring_rules()["verdict"]
    if share >= rules["strategic_at"]:
        return "strategic"
    if share < rules["desperate_below"]:
        return "desperate"
    return "dependent"


def talk_share(hits: list[Hit], numbers: list[NumberFinding], missing: list[Missing]) -> tuple[float | None, int]:
    """The outcomes share of the evidence in the note itself, and how many pieces of evidence there are."""
    coverage, outcomes, pieces = evidence(hits, numbers, missing)
    return (outcomes / (coverage + outcomes) if coverage + outcomes else None), pieces


def checklist_bucket(checklist: Checklist | None) -> str | None:
    """The bucket the public-data checklist alone points to, when enough of it is known."""
    rules = scoring_rules()["verdict"]
    if not checklist or checklist.score is None or checklist.known_weight < rules["checklist_min_known"]:
        return None
    if checklist.score >= rules["checklist_strategic_at"]:
        return "strategic"
    return "desperate" if checklist.score < rules["checklist_desperate_below"] else "dependent"


def combine(talk: str | None, public: str | None) -> str | None:
    """Talk and public data together: where they disagree, the more cautious reading wins."""
    if talk is None or public is None:
        return talk or public
    order = ("desperate", "dependent", "strategic")
    low, high = sorted((order.index(talk), order.index(public)))
    return "dependent" if (low, high) == (0, 2) else order[low]


def decide(
    hits: list[Hit],
    numbers: list[NumberFinding],
    missing: list[Missing],
    checklist: Checklist | None,
    words: int,
) -> Verdict:
    """The verdict with its confidence and the reasons that drove it."""
    rules = scoring_rules()["verdict"]
    share, pieces = talk_share(hits, numbers, missing)
    enough_talk = share is not None and words >= rules["min_words"] and pieces >= rules["min_hits"]
    public = checklist_bucket(checklist)
    bucket = combine(bucket_for(share) if enough_talk and share is not None else None, public)
    if bucket is None:
        return Verdict(
            "insufficient", 0.0,
            [(f"Too little evidence to judge: {pieces} counted signal(s) in {words} words "
             f"(at least {rules['min_hits']} signals and {rules['min_words']} words are needed).")],
            None,
        )
    reasons = reasons_for(hits, numbers, missing, checklist, share, public) if share is not None else []
    confidence = 0.5 if public else 0.0
    if enough_talk and share is not None:
        talk_bucket = bucket_for(share)
        margin = min(abs(share - rules["strategic_at"]), abs(share - rules["desperate_below"]))
        confidence = min(1.0, pieces / 12) * (0.5 + min(0.5, margin * 2.5))
        if public and public != talk_bucket:
            confidence *= 0.7
            reasons.insert(1, f"The talk sounds {talk_bucket} but the public data points to {public}; "
                              f"the more cautious reading, {bucket}, is given.")
        flip = single_phrase_flip(hits, numbers, missing, talk_bucket)
        if flip:
            confidence *= 0.5
            reasons.append(f"Borderline: without \"{flip[0].text}\" the talk would sound {flip[1]}.")
    elif public:
        reasons = [(f"Judged from the public-data checklist alone ({checklist.score:.0f}/100); "  # type: ignore[union-attr]
                   "the note has too little talk to judge.")]
    return Verdict(bucket, round(confidence, 2), reasons, None if share is None else round(share, 3))


def single_phrase_flip(
    hits: list[Hit], numbers: list[NumberFinding], missing: list[Missing], bucket: str
) -> tuple[Hit, str] | None:
    """The first counted hit whose removal alone would change the talk's bucket, if any."""
    coverage, outcomes, _ = evidence(hits, numbers, missing)
    for hit in hits:
        if not hit.counted:
            continue
        c = coverage - hit.weight * (hit.counts_for == "coverage")
        o = outcomes - hit.weight * (hit.counts_for == "outcomes")
        if c + o > 0 and bucket_for(o / (c + o)) != bucket:
            return hit, bucket_for(o / (c + o))
    return None


def reasons_for(
    hits: list[Hit], numbers: list[NumberFinding], missing: list[Missing], checklist: Checklist | None, share: float,
    public: str | None = None,
) -> list[str]:
    """Plain sentences naming what drove the verdict, strongest first."""
    reasons = [(f"Outcomes talk is {share:.1%} of the evidence (strategic from "
               f"{scoring_rules()['verdict']['strategic_at']:.0%}, desperate below "
               f"{scoring_rules()['verdict']['desperate_below']:.0%}).")]
    per_entry: dict[tuple[str, str], list[Hit]] = defaultdict(list)
    for hit in hits:
        if hit.counted:
            per_entry[(hit.entry, hit.counts_for)].append(hit)
    ranked = sorted(per_entry.values(), key=lambda hs: -sum(h.weight for h in hs))
    for group in ranked[:6]:
        first = group[0]
        times = f" (said {len(group)} times)" if len(group) > 1 else ""
        how = f", {first.cue}" if first.cue else ""
        reasons.append(f"{first.counts_for.capitalize()}: \"{first.text}\"{times}{how}.")
    for finding in numbers:
        if finding.counted and finding.status in ("red", "caution", "healthy"):
            reasons.append(f"{finding.label}: {finding.value:g} {finding.unit} is {finding.status} ({finding.note}).")
    if missing:
        reasons.append("Never talked about: " + ", ".join(m.label.lower() for m in missing) + ".")
    if checklist and checklist.score is not None:
        reasons.append(f"Public-data checklist: {checklist.score:.0f}/100 on {checklist.known_weight:.0f} "
                       f"points of known items" + (f", which points to {public}." if public else "."))
    return reasons


def follow_ups(hits: list[Hit], missing: list[Missing], numbers: list[NumberFinding], lexicon: Lexicon) -> list[FollowUp]:
    """Questions for residents from each red flag and absence, deduplicated, heaviest first."""
    _, topics = load_topics()
    by_topic = {t.key: t for t in topics}
    asked: dict[str, FollowUp] = {}

    def add(question: str, weight: float, because: str) -> None:
        if question not in asked or asked[question].weight < weight:
            asked[question] = FollowUp(question, round(weight, 3), because)

    for hit in hits:
        if hit.counts_for == "coverage":
            add(lexicon.entries[hit.entry].follow_up, hit.base_weight, f"they said \"{hit.text}\"")
    for item in missing:
        add(item.question, item.weight, f"nobody talked about {item.label.lower()}")
    for finding in numbers:
        if finding.counted and finding.status in ("red", "caution") and finding.topic in by_topic:
            add(by_topic[finding.topic].question, by_topic[finding.topic].weight,
                f"{finding.label.lower()} of {finding.value:g} {finding.unit}")
    return sorted(asked.values(), key=lambda f: (-f.weight, f.question))


def summary_numbers(hits: list[Hit], words: int) -> tuple[dict[str, float], float | None, float | None, dict[str, float]]:
    """Totals, the coverage/outcomes ratio, the balance and rates per 1,000 words."""
    signals = tally(hits)
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
    return signals, ratio, balance, rates
