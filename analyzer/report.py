"""Stage 5, report: build the report's data first, then render it with Jinja2 (as coverage.py's html.py)."""

from __future__ import annotations

import itertools
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from . import __version__
from .lexicon import CATEGORIES, Entry, Lexicon
from .results import Analysis, Hit
from .rules import Rules, packaged_rules

BUCKET_LABELS = {
    "strategic": "Strategically IMG-friendly",
    "dependent": "Dependent but stable",
    "desperate": "Desperate for bodies",
    "insufficient": "Not enough to judge",
}
SIDE_LABELS = {
    "coverage": "Coverage talk (service first)",
    "outcomes": "Outcomes talk (training first)",
    "none": "Heard, not counted",
    "mixed": "Heard on both sides",
}
BADGES = {"coverage": "\u25b2", "outcomes": "\u25cf", "none": "\u25cb", "mixed": "\u25c6"}
ROLE_GROUPS = {
    "program_director": "leadership", "faculty": "leadership", "coordinator": "leadership",
    "resident": "residents", "chief": "residents",
}
TOP_QUESTIONS = 3
T = TypeVar("T")
_HEADING = re.compile(r"^(#{1,6})[ \t]+", re.MULTILINE)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")


@dataclass
class Explanation:
    """One hit explained in plain words: which side, what it often means, what to ask, what context did."""

    index: int
    side: str
    side_label: str
    badge: str
    phrase: str
    meaning: str
    question: str
    cues: list[str]
    speaker: str | None
    role_group: str
    entry: str = ""
    entry_class: str = ""


@dataclass
class Segment:
    """A run of the note's text and the hits that cover it, ready for the highlight macros."""

    text: str
    hits: list[int] = field(default_factory=list)
    tone: str = ""
    title: str = ""
    start: int = 0
    end: int = 0
    anchor: str | None = None
    badge: str = ""
    role_group: str = "other"
    strong: bool = False
    heading: bool = False
    markup: bool = False
    explanations: list[Explanation] = field(default_factory=list)


@dataclass
class EntryGroup:
    """Every hit of one lexicon entry: how often, for which side, where in the note."""

    entry: str
    phrase: str
    side: str
    badge: str
    count: int
    sides: list[tuple[str, int]]
    meaning: str
    question: str
    anchors: list[tuple[int, str]]
    role_groups: list[str]


@dataclass
class Gauge:
    """The outcomes share that decides the verdict, and the two threshold lines it is read against."""

    share: float | None
    desperate_below: float
    strategic_at: float
    active: bool


@dataclass
class NoteReport:
    """Everything the note template shows."""

    analysis: Analysis
    bucket_label: str
    segments: list[Segment]
    groups: list[EntryGroup]
    reasons: list[tuple[str, int]]
    questions: list[tuple[str, str]]
    gauge: Gauge
    checklist_weights: list[tuple[str, float]]
    topic_labels: list[str]
    repeats: list[tuple[str, int]]
    anchors: dict[int, str]
    version: str = __version__

    @property
    def top_questions(self) -> list[tuple[str, str]]:
        """The questions shown first; the rest are folded."""
        return self.questions[:TOP_QUESTIONS]

    @property
    def more_questions(self) -> list[tuple[str, str]]:
        """The questions folded under the first few."""
        return self.questions[TOP_QUESTIONS:]


def tone_of(hits: list[Hit]) -> str:
    """The highlight class of a stretch of text: which side its hits count for."""
    sides = {h.counts_for for h in hits}
    if sides >= {"coverage", "outcomes"}:
        return "mixed"
    if "coverage" in sides:
        return "coverage"
    if "outcomes" in sides:
        return "outcomes"
    return "none"


def role_group(role: str) -> str:
    """The role filter a speaker role falls under: leadership, residents or other."""
    return ROLE_GROUPS.get(role, "other")


def _typo_of(hit: Hit, lexicon: Lexicon) -> str | None:
    """The lexicon phrase a fuzzy hit most likely misspelled."""
    entry = lexicon.entries.get(hit.entry)
    if entry is None or not entry.phrases:
        return None
    from rapidfuzz import fuzz, process

    best = process.extractOne(hit.text.lower(), list(entry.phrases), scorer=fuzz.ratio)
    return str(best[0]) if best else None


def plain_cues(hit: Hit, lexicon: Lexicon) -> list[str]:
    """How context changed a hit, in plain words ("negated by 'no'", "asked by you", "typo of 'family'")."""
    cues = []
    for q in hit.qualifiers:
        if q.name == "negated":
            cues.append(f"negated by '{q.cue}'")
        elif q.name == "hypothetical":
            cues.append(f"only a plan or a hope ('{q.cue}')")
        elif q.name == "historical":
            cues.append(f"in the past ('{q.cue}')")
        elif q.name == "hearsay":
            cues.append(f"heard second-hand ('{q.cue}')")
        elif q.name == "question":
            cues.append("asked by you" if hit.role == "applicant" else "asked as a question")
        else:
            cues.append(f"{q.name.replace('_', ' ')} ('{q.cue}')")
    if hit.role == "applicant" and "asked by you" not in cues:
        cues.append("said by you")
    if hit.fuzzy:
        typo = _typo_of(hit, lexicon)
        if typo and typo != hit.text.lower():
            cues.append(f"typo of '{typo}'")
    if hit.vague:
        cues.append("no specifics given")
    return cues


def explain(index: int, hit: Hit, lexicon: Lexicon) -> Explanation:
    """One hit in plain words, without ids or weights."""
    entry = lexicon.entries.get(hit.entry)
    side = hit.counts_for if hit.counts_for in SIDE_LABELS else "none"
    return Explanation(
        index=index, side=side, side_label=SIDE_LABELS[side], badge=BADGES[side], phrase=hit.text,
        meaning=entry.meaning if entry else "", question=entry.follow_up if entry else "",
        cues=plain_cues(hit, lexicon), speaker=hit.speaker, role_group=role_group(hit.role),
    )


def _markdown_marks(text: str, start: int) -> tuple[set[int], list[tuple[int, int]], list[tuple[int, int]]]:
    """Cut points, hidden marker spans and strong spans of the safe Markdown subset (headings, bold)."""
    hidden: list[tuple[int, int]] = []
    strong: list[tuple[int, int]] = []
    for m in _HEADING.finditer(text, start):
        hidden.append((m.start(), m.end()))
    for m in _STRONG.finditer(text, start):
        if "\n" in m.group(2):
            continue
        hidden += [(m.start(), m.start(2)), (m.end(2), m.end())]
        strong.append((m.start(2), m.end(2)))
    cuts = {p for span in hidden + strong for p in span}
    return cuts, hidden, strong


class _Sweep:
    """Which of a set of ranges cover each stretch, asked in increasing order: a sweep, not a scan per stretch."""

    def __init__(self, ranges: list[tuple[int, int]]):
        self.ranges = ranges
        self.order = sorted(range(len(ranges)), key=lambda i: ranges[i][0])
        self.next = 0
        self.active: set[int] = set()

    def covering(self, a: int, b: int) -> list[int]:
        """The indices of the ranges that hold [a, b), for a no smaller than the last call's."""
        while self.next < len(self.order) and self.ranges[self.order[self.next]][0] <= a:
            self.active.add(self.order[self.next])
            self.next += 1
        self.active = {i for i in self.active if self.ranges[i][1] > a}
        return sorted(i for i in self.active if b <= self.ranges[i][1])


def highlight_segments(text: str, hits: list[Hit], lexicon: Lexicon, *, start: int = 0,
                       markdown: bool = True) -> list[Segment]:
    """Cut the text at every hit boundary (and Markdown marker) into segments, each explained in plain words.

    Overlapping hits become one stretch each; a hit's first segment carries its anchor ("h<index>").
    """
    explanations = [explain(i, h, lexicon) for i, h in enumerate(hits)]
    classes: dict[str, str] = {}
    for e, h in zip(explanations, hits, strict=True):
        e.entry = h.entry
        e.entry_class = classes.setdefault(h.entry, f"e{len(classes)}")
    md_cuts, hidden, strong = _markdown_marks(text, start) if markdown else (set(), [], [])
    line_starts = [start] + [m.end() for m in re.finditer("\n", text[start:])]
    headings = {m.start() for m in _HEADING.finditer(text, start)} if markdown else set()
    cuts = sorted({start, len(text), *md_cuts, *(m + start for m in line_starts[1:]),
                   *(h.start for h in hits if h.start >= start), *(h.end for h in hits if h.end > start)})
    segments: list[Segment] = []
    seen: set[int] = set()
    line_heading = False
    over_hits = _Sweep([(h.start, h.end) for h in hits])
    over_hidden, over_strong = _Sweep(hidden), _Sweep(strong)
    for a, b in itertools.pairwise(cuts):
        if a == start or text[a - 1] == "\n":
            line_heading = a in headings
        covering = over_hits.covering(a, b)
        cover_hits = [hits[i] for i in covering]
        seg = Segment(text[a:b], covering, start=a, end=b, heading=line_heading)
        seg.markup = bool(over_hidden.covering(a, b))
        seg.strong = bool(over_strong.covering(a, b))
        if covering:
            seg.tone = tone_of(cover_hits)
            seg.explanations = [explanations[i] for i in covering]
            fresh = [i for i in covering if i not in seen]
            if fresh:
                seg.anchor = f"h{fresh[0]}"
                seg.badge = BADGES[seg.tone]
                seen.update(covering)
            groups = {role_group(h.role) for h in cover_hits}
            seg.role_group = groups.pop() if len(groups) == 1 else "other"
            seg.title = "; ".join(e.side_label for e in seg.explanations)
        segments.append(seg)
    return segments


def entry_styles(segments: list[Segment]) -> list[tuple[str, str, str]]:
    """(css class, meaning, question) once per entry: popovers show them through CSS so a long note stays small."""
    seen: dict[str, tuple[str, str, str]] = {}
    for seg in segments:
        for e in seg.explanations:
            seen.setdefault(e.entry_class, (e.entry_class, e.meaning, e.question))
    return list(seen.values())


def css_string(text: object) -> Markup:
    """A quoted CSS string for text; quotes, backslashes, angle brackets and control characters escaped."""
    body = "".join(f"\\{ord(c):x} " if c in '"\\<>&' or ord(c) < 32 or c == "\x7f" else c for c in str(text))
    return Markup(f'"{body}"')


def dedupe(lines: list[T]) -> list[tuple[T, int]]:
    """Each distinct line once, in first-seen order, with how many times it came."""
    counts: dict[T, int] = {}
    for line in lines:
        counts[line] = counts.get(line, 0) + 1
    return list(counts.items())


def entry_groups(hits: list[Hit], lexicon: Lexicon, anchors: dict[int, str]) -> list[EntryGroup]:
    """Hits grouped by lexicon entry, most frequent first, each with links back to where it stands."""
    by_entry: dict[str, list[int]] = {}
    for i, h in enumerate(hits):
        by_entry.setdefault(h.entry, []).append(i)
    groups = []
    for entry_id, idx in by_entry.items():
        entry = lexicon.entries.get(entry_id)
        sides = Counter(hits[i].counts_for if hits[i].counts_for in SIDE_LABELS else "none" for i in idx)
        side = sides.most_common(1)[0][0]
        phrase = entry.phrases[0] if entry and entry.phrases else Counter(hits[i].text.lower() for i in idx).most_common(1)[0][0]
        groups.append(EntryGroup(
            entry=entry_id, phrase=phrase, side=side, badge=BADGES[side], count=len(idx),
            sides=sorted(sides.items(), key=lambda s: -s[1]), meaning=entry.meaning if entry else "",
            question=entry.follow_up if entry else "", anchors=[(n + 1, anchors[i]) for n, i in enumerate(idx)],
            role_groups=sorted({role_group(hits[i].role) for i in idx}),
        ))
    order = {"coverage": 0, "outcomes": 1, "none": 2}
    return sorted(groups, key=lambda g: (order.get(g.side, 3), -g.count, g.phrase))


def gauge_of(analysis: Analysis, rules: Rules | None = None) -> Gauge:
    """The verdict's outcomes share against the thresholds in rules/scoring.yml."""
    verdict_rules = (rules or packaged_rules()).scoring["verdict"]
    share = analysis.verdict.share
    return Gauge(share=share, desperate_below=float(verdict_rules["desperate_below"]),
                 strategic_at=float(verdict_rules["strategic_at"]),
                 active=analysis.verdict.bucket != "insufficient" and share is not None)


def build_note_report(analysis: Analysis, lexicon: Lexicon, rules: Rules | None = None) -> NoteReport:
    """The data the note report shows, computed before any HTML (rules: the packaged ones unless given)."""
    rules = rules or packaged_rules()
    text = analysis.source_text
    body_start = analysis.body_start
    segments = highlight_segments(text, analysis.hits, lexicon, start=body_start)
    anchors: dict[int, str] = {}
    for seg in segments:
        for i in seg.hits:
            anchors.setdefault(i, seg.anchor or f"h{i}")
    questions = [(f.question, f.because) for f in analysis.follow_up]
    asked = {q for q, _ in questions}
    questions += [(m.question, f"never mentioned: {m.label.lower()}") for m in analysis.missing if m.question not in asked]
    repeats = sorted({(h.entry, h.times) for h in analysis.hits if h.times > 1}, key=lambda r: (-r[1], r[0]))
    items = rules.checklist["items"]
    return NoteReport(
        analysis=analysis,
        bucket_label=BUCKET_LABELS[analysis.verdict.bucket],
        segments=segments,
        groups=entry_groups(analysis.hits, lexicon, anchors),
        reasons=dedupe(analysis.verdict.reasons),
        questions=[q for q, _ in dedupe(questions)],
        gauge=gauge_of(analysis, rules),
        checklist_weights=[(str(v["label"]), float(v["weight"])) for v in items.values()],
        topic_labels=[str(t["label"]) for t in rules.topics["topics"].values()],
        repeats=repeats,
        anchors=anchors,
    )


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment over the packaged report templates, autoescaping everything."""
    from .resources import cache_dir, data_path

    compiled = None  # compiled templates kept per user: compiling them is a few percent of one note's start
    try:
        folder = cache_dir() / "templates"
        folder.mkdir(parents=True, exist_ok=True)
        if os.access(folder, os.W_OK):
            compiled = FileSystemBytecodeCache(str(folder))
    except OSError:
        pass
    env = Environment(
        loader=FileSystemLoader(str(data_path("reports"))),
        bytecode_cache=compiled,
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    read = lambda name: Path(str(data_path("reports", name))).read_text("utf-8")
    highlight_css = read("highlight.css")
    env.globals["highlight_css"] = highlight_css
    env.globals["highlight_js"] = read("highlight.js")
    env.globals["stylesheet"] = read("style.css") + "\n" + highlight_css
    env.globals["side_labels"] = SIDE_LABELS
    env.globals["badges"] = BADGES
    env.filters["visible"] = visible_controls
    env.filters["css_string"] = css_string
    env.globals["entry_styles"] = entry_styles
    return env


def visible_controls(text: object) -> Markup:
    """Escape text for HTML and show invisible or bidirectional control characters as visible escapes."""
    from .textclean import control_pieces

    return Markup("").join(
        Markup('<span class="ctl" title="hidden control character">&lt;{}&gt;</span>').format(piece) if ctl
        else escape(piece)
        for piece, ctl in control_pieces("" if text is None else str(text))
    )


def render_html(analysis: Analysis, lexicon: Lexicon | None = None, rules: Rules | None = None) -> str:
    """The self-contained HTML report of one note."""
    from .lexicon import load_lexicon

    data = build_note_report(analysis, lexicon or load_lexicon(), rules)
    return environment().get_template("note.html.j2").render(report=data)


def _alternatives(words: list[str], limit: int = 4) -> str:
    shown = " / ".join(f"\u201c{w}\u201d" for w in words[:limit])
    return f"({shown} \u2026)" if len(words) > limit else (f"({shown})" if len(words) > 1 else shown)


def _describe_token(token: dict[str, Any]) -> str:
    """One token pattern in plain words."""
    words = ""
    for key in ("LOWER", "TEXT", "NORM", "LEMMA"):
        if key not in token:
            continue
        value = token[key]
        if isinstance(value, str):
            words = f"\u201c{value}\u201d"
        elif isinstance(value, dict) and "IN" in value:
            words = _alternatives([str(v) for v in value["IN"]])
        elif isinstance(value, dict) and "NOT_IN" in value:
            words = "a word"
        elif isinstance(value, dict) and "REGEX" in value:
            words = "a word of that shape"
        if key == "LEMMA" and words and words != "a word":
            words += " (any form)"
        break
    if not words:
        if token.get("LIKE_NUM") or token.get("IS_DIGIT"):
            words = "a number"
        elif token.get("IS_TITLE") or token.get("ENT_TYPE"):
            words = "a name"
        elif token.get("IS_PUNCT"):
            words = "a punctuation mark"
        else:
            words = "a word"
    op = str(token.get("OP", ""))
    if op == "?":
        return f"[optional {words}]"
    if op in ("*", "+"):
        return f"[{'any number of' if op == '*' else 'one or more'}: {words}]"
    bounds = re.fullmatch(r"\{(\d*),(\d*)\}", op)
    if bounds:
        few = "words" if words == "a word" else words
        return f"[up to {bounds.group(2)} {few}]" if bounds.group(1) in ("", "0") else f"[{op[1:-1]} \u00d7 {words}]"
    return words


def describe_entry(entry: Entry) -> list[str]:
    """Readable descriptions of an entry's token patterns and near-word rules (for entries without phrases)."""
    lines = [" ".join(_describe_token(t) for t in pattern) for pattern in entry.patterns]
    lines += [
        f" within {n.window} words of ".join(_alternatives(list(g), 5) for g in n.groups) for n in entry.near
    ]
    return lines


@lru_cache(maxsize=1)
def source_titles() -> dict[str, str]:
    """Readable titles of the research sources lexicon entries cite by code (reports/sources.yml)."""
    import yaml

    from .resources import data_path

    data = yaml.safe_load(Path(str(data_path("reports", "sources.yml"))).read_text("utf-8")) or {}
    return {str(k): str(v) for k, v in data.items()}


def readable_source(source: str) -> list[str]:
    """An entry's source as readable lines: article sections by name, research codes as source titles."""
    titles = source_titles()
    lines = []
    for part in source.split(";"):
        part = part.strip()
        if not part:
            continue
        codes = re.findall(r"\bS\d+\b", part)
        if part.startswith("Article:"):
            lines.append(f"The guide to IMG-friendly programs, section: {part[8:].strip()}")
            continue
        words = re.sub(r"\b(?:[SOCQ]\d+|\u00a7\d+)\b|\u00a7\d+|Research notes?", " ", part)
        words = re.sub(r"[(),]+", " ", words)
        words = re.sub(r"\s+", " ", words).strip(" :-and")
        if part.startswith("Research note"):
            lines.append("Project research notes" + (f" ({words})" if words else ""))
        elif words:
            lines.append(words)
        lines += [titles[c] for c in codes if c in titles]
    return list(dict.fromkeys(lines))


def render_lexicon_docs(lexicon: Lexicon) -> str:
    """A reference page of every entry, grouped by category: they say, it often means, ask next, source."""
    groups = [(c, lexicon.select(category=c)) for c in CATEGORIES]
    described = {e.id: ([] if e.phrases else describe_entry(e), readable_source(e.source)) for e in lexicon}
    return environment().get_template("lexicon.html.j2").render(
        groups=[g for g in groups if g[1]], total=len(lexicon), version=__version__, described=described
    )


def summary_text(analysis: Analysis, written: Path | None) -> str:
    """The few lines printed after an analysis."""
    v = analysis.verdict
    counted = [h for h in analysis.hits if h.counted]
    lines = [
        f"{analysis.source}: {BUCKET_LABELS[v.bucket]} ({v.bucket}, confidence {v.confidence:.2f})",
        (f"  coverage {analysis.signals['coverage']:.1f} | outcomes {analysis.signals['outcomes']:.1f} | "
        f"{len(counted)} counted of {len(analysis.hits)} phrases | {analysis.words} words"),
    ]
    lines += [f"  - {r}" for r in v.reasons[:4]]
    if analysis.missing:
        lines.append("  never mentioned: " + ", ".join(m.label.lower() for m in analysis.missing))
    if analysis.follow_up:
        lines.append(f"  ask residents: {analysis.follow_up[0].question}")
    if written:
        lines.append(f"  report: {written}")
    return "\n".join(lines)


def atomic_write(path: Path, text: str) -> None:
    """Write text to path via a temporary file (analyzer.output.write_output, replacing what is there)."""
    from .output import write_output

    write_output(path, text, overwrite=True)
