"""Teaching sessions: the drill check, the terminal quiz, and the data behind the quiz, handout and contrast pages."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .drills import SPEAKER_NAMES, TRAPS, Drill
from .lexicon import Lexicon
from .resources import data_path
from .results import Analysis, Hit
from .rules import Rules

ANSWER_KEYS = {"c": "coverage", "o": "outcomes", "n": "neither"}
QUIZ_FILTERS = tuple(t for t in TRAPS if t != "none")
SIDE_NAMES = {"coverage": "coverage", "outcomes": "outcomes", "none": "neither side"}
CATEGORY_LABELS = {
    "coverage-talk": "Coverage talk", "outcomes-talk": "Outcomes talk", "visa-contract": "Visas and contracts",
    "leadership": "Leadership", "attrition": "Residents leaving", "soap-fill": "SOAP and filling the Match",
    "boards-accreditation": "Boards and accreditation", "website-alumni": "Website and alumni",
    "evasive-answers": "Evasive answers", "screening": "Who they select",
}
ANSWER_LABELS = {"coverage": "coverage talk", "outcomes": "outcomes talk", "neither": "neither"}


def tool_answer(analysis: Analysis) -> str:
    """The side with the larger counted weight; neither when both are 0 (a tie is reported as such)."""
    cov, out = analysis.signals["coverage"], analysis.signals["outcomes"]
    if cov == 0 and out == 0:
        return "neither"
    if cov == out:
        return "tie"
    return "coverage" if cov > out else "outcomes"


@dataclass
class Reading:
    """A drill and what the analyzer heard in it."""

    drill: Drill
    analysis: Analysis
    got: str

    @property
    def agrees(self) -> bool:
        """Whether the tool's answer is the drill's expected answer."""
        return self.got == self.drill.answer


def read_drill(analyzer, drill: Drill) -> Reading:  # type: ignore[no-untyped-def]
    """Run one drill line through the analyzer, under its speaker's label."""
    analysis = analyzer.analyze_text(drill.note_text, source=drill.id)
    return Reading(drill, analysis, tool_answer(analysis))


def misreads(analyzer, drills: Iterable[Drill]) -> list[Reading]:  # type: ignore[no-untyped-def]
    """Every drill the tool reads differently from its expected answer."""
    return [r for r in (read_drill(analyzer, d) for d in drills) if not r.agrees]


def pick(drills: list[Drill], rounds: int, category: str | None = None, seed: int | None = None) -> list[Drill]:
    """Up to `rounds` drills (of one lexicon category or trap, if given), in an order fixed by the seed."""
    pool = [d for d in drills if category is None or category in (d.category, d.trap)]
    return random.Random(seed).sample(pool, min(rounds, len(pool)))


def hit_line(hit: Hit, lexicon: Lexicon) -> str:
    """One heard phrase: the words, the entry and side, what it often means, and any qualifier cue."""
    entry = lexicon.entries.get(hit.entry)
    meaning = f": {entry.meaning}" if entry else ""
    line = f"The tool hears \"{hit.text}\" ({hit.entry}, {hit.side} talk){meaning}"
    if hit.cue:
        line += f" [{hit.cue}: counts for {SIDE_NAMES[hit.counts_for]}]"
    elif hit.counts_for != hit.side:
        line += f" [counts for {SIDE_NAMES[hit.counts_for]}]"
    return line


def explain(reading: Reading, lexicon: Lexicon) -> list[str]:
    """The lines shown after an answer: the explanation, then what the tool heard and how context changed it."""
    lines = [reading.drill.explanation]
    lines += [hit_line(h, lexicon) for h in reading.analysis.hits]
    if not reading.analysis.hits:
        lines.append("The tool hears no coded phrase in this line.")
    if not reading.agrees:
        lines.append(misread_note(reading))
    return lines


def misread_note(reading: Reading) -> str:
    """The mark on a drill the tool itself reads differently (only user drill files can have one)."""
    return (f"Marked: the tool itself reads this line as {ANSWER_LABELS.get(reading.got, reading.got)}, not "
            f"{ANSWER_LABELS[reading.drill.answer]} (redflags teach check lists such lines).")


@dataclass
class Score:
    """How a quiz went: right answers, answered, and what was missed by category and trap."""

    right: int = 0
    answered: int = 0
    missed: list[Drill] = field(default_factory=list)

    def review(self) -> tuple[list[str], list[str]]:
        """Lexicon categories and context traps to review, most missed first."""
        cats = Counter(d.category for d in self.missed)
        traps = Counter(d.trap for d in self.missed if d.trap != "none")
        return ([f"{name} ({n} missed)" for name, n in cats.most_common()],
                [f"{name} ({n} missed)" for name, n in traps.most_common()])


def run_quiz(readings: list[Reading], lexicon: Lexicon, ask: Callable[[str], str | None],
             say: Callable[[str], None]) -> Score:
    """The question loop: ask reads one answer (None at end of input), say prints a line."""
    score = Score()
    total = len(readings)
    for number, reading in enumerate(readings, 1):
        drill = reading.drill
        say("")
        say(f"[{number}/{total}] {SPEAKER_NAMES[drill.speaker]}:")
        say(f"  \"{drill.line}\"")
        while True:
            raw = ask("Coverage talk, outcomes talk or neither? [c/o/n, ? hint, q quit] ")
            choice = (raw or "q").strip().lower()[:1]
            if choice == "?":
                say(f"  Hint: {drill.hint_text}")
                continue
            if choice == "q" or choice in ANSWER_KEYS:
                break
            say("  Please answer c (coverage), o (outcomes) or n (neither); ? shows a hint, q quits.")
        if choice == "q":
            break
        given = ANSWER_KEYS[choice]
        score.answered += 1
        if given == drill.answer:
            score.right += 1
            verdict = f"Right: {ANSWER_LABELS[drill.answer]}"
        else:
            score.missed.append(drill)
            verdict = f"Not quite: you said {ANSWER_LABELS[given]}; this is {ANSWER_LABELS[drill.answer]}"
        trap = f", trap: {drill.trap}" if drill.trap != "none" else ""
        say(f"  {verdict} ({drill.category}{trap}).")
        for line in explain(reading, lexicon):
            say(f"  {line}")
    say("")
    percent = f" ({100 * score.right / score.answered:.0f}%)" if score.answered else ""
    say(f"Score: {score.right}/{score.answered}{percent}" + (f", {total - score.answered} not answered"
                                                              if score.answered < total else ""))
    categories, traps = score.review()
    if categories:
        say("Categories to review: " + ", ".join(categories))
        if traps:
            say("Traps to review: " + ", ".join(traps))
    elif score.answered:
        say("Nothing to review: every answer was right.")
    return score


@dataclass
class QuizCard:
    """One card of the projector quiz: the line, then on reveal the answer, why, and the tool's highlights."""

    number: int
    speaker: str
    line: str
    answer: str
    answer_label: str
    category: str
    trap: str
    hint: str
    explanation: str
    segments: list[Any]
    heard: list[Any]
    misread: str = ""


def quiz_cards(readings: list[Reading], lexicon: Lexicon) -> list[QuizCard]:
    """The cards of the projector quiz, each with the note line highlighted the way the report does it."""
    from .report import explain as explain_hit
    from .report import highlight_segments

    cards = []
    for number, r in enumerate(readings, 1):
        d = r.drill
        text = r.analysis.text
        cards.append(QuizCard(number, SPEAKER_NAMES[d.speaker], d.line, d.answer, ANSWER_LABELS[d.answer],
                              d.category, d.trap, d.hint_text, d.explanation,
                              highlight_segments(text, r.analysis.hits, lexicon, markdown=False),
                              [explain_hit(i, h, lexicon) for i, h in enumerate(r.analysis.hits)],
                              "" if r.agrees else misread_note(r)))
    return cards


def _page(template: str, **data: Any) -> str:
    from .report import environment

    env = environment()
    return env.get_template(template).render(
        category_labels=CATEGORY_LABELS, teach_css=Path(str(data_path("reports", "teach", "teach.css"))).read_text("utf-8"),
        version=__version__, **data)


def render_quiz(readings: list[Reading], lexicon: Lexicon, seed: int) -> str:
    """The self-contained projector quiz: one card at a time, reveal by click or key."""
    script = Path(str(data_path("reports", "teach", "quiz.js"))).read_text("utf-8")
    return _page("teach/quiz.html.j2", cards=quiz_cards(readings, lexicon), seed=seed, quiz_js=script,
                 labels=ANSWER_LABELS)


@dataclass
class HandoutEntry:
    """One entry as the handout prints it: they say, it often means, ask next."""

    id: str
    side: str
    weight: float
    says: list[str]
    meaning: str
    ask: str
    user: bool


@dataclass
class Handout:
    """The handout: entries grouped by category, then the checklist weights and thresholds."""

    groups: list[tuple[str, list[HandoutEntry]]]
    checklist: list[tuple[str, float]]
    thresholds: list[tuple[str, str, list[str]]]
    verdict_lines: dict[str, float]
    total: int
    user_files: list[str] = field(default_factory=list)


def band_text(band: Any, unit: str) -> str:
    """A threshold band in words: its bounds, its status, its note."""
    unit = unit if unit == "%" else f" {unit}"
    bounds = []
    if band.atleast is not None:
        bounds.append(f"{band.atleast:g}{unit} or more")
    if band.above is not None:
        bounds.append(f"over {band.above:g}{unit}")
    if band.below is not None:
        bounds.append(f"under {band.below:g}{unit}")
    return f"{' and '.join(bounds) or 'otherwise'}: {band.status} ({band.note})"


def build_handout(lexicon: Lexicon, user_files: list[str] | None = None, *, fallbacks: bool = False,
                  categories: Iterable[str] | None = None, rules: Rules | None = None) -> Handout:
    """The handout's data: every enabled entry by category, the article's checklist weights and thresholds."""
    from .lexicon import CATEGORIES
    from .report import describe_entry
    from .rules import packaged_rules
    from .specifics import metrics_from

    rules = rules or packaged_rules()

    user = {str(Path(p).resolve()) for p in user_files or []}
    groups = []
    total = 0
    wanted = set(categories or CATEGORIES)
    for category in (c for c in CATEGORIES if c in wanted):
        rows = []
        for e in lexicon.select(category=category):
            where = str(Path(e.origin.rpartition(":")[0]).resolve())
            is_user = any(where == u or where.startswith(u + "/") for u in user)
            if e.fallback and not fallbacks and not is_user:
                continue
            says = list(e.phrases[:3]) or describe_entry(e)[:1]
            rows.append(HandoutEntry(e.id, e.side, e.weight, says, e.meaning, e.follow_up, is_user))
        rows.sort(key=lambda r: (r.side != "coverage", -r.weight, r.id))
        if rows:
            groups.append((category, rows))
            total += len(rows)
    items = rules.checklist["items"]
    checklist = sorted(((str(v["label"]), float(v["weight"])) for v in items.values()), key=lambda x: -x[1])
    thresholds = [(m.label, m.unit, [band_text(b, m.unit) for b in m.bands])
                  for m in metrics_from(rules.thresholds)[1]]
    verdict = rules.scoring["verdict"]
    lines = {"strategic_at": float(verdict["strategic_at"]), "desperate_below": float(verdict["desperate_below"])}
    return Handout(groups, checklist, thresholds, lines, total, sorted(user_files or []))


def render_handout(handout: Handout) -> str:
    """The printable handout page."""
    return _page("teach/handout.html.j2", handout=handout)


@dataclass
class Column:
    """One note of a contrast: its verdict, highlighted text and the phrases heard by category."""

    key: str
    title: str
    filename: str
    analysis: Analysis
    bucket_label: str
    gauge: Any
    segments: list[Any]
    by_category: dict[str, list[Any]]


def contrast_column(key: str, analysis: Analysis, lexicon: Lexicon) -> Column:
    """One side of the contrast page, built on the report's highlight data."""
    from .report import BUCKET_LABELS, entry_groups, gauge_of, highlight_segments

    text = getattr(analysis, "source_text", None) or analysis.text
    start = int(getattr(analysis, "body_start", 0) or 0)
    segments = highlight_segments(text, analysis.hits, lexicon, start=start)
    anchors: dict[int, str] = {}
    for seg in segments:
        for i in seg.hits:
            anchors.setdefault(i, seg.anchor or f"h{i}")
    category = {h.entry: h.category for h in analysis.hits}
    by_category: dict[str, list[Any]] = {}
    for group in entry_groups(analysis.hits, lexicon, anchors):
        by_category.setdefault(category[group.entry], []).append(group)
    first = next((line.strip(" #*-") for line in text[start:].splitlines() if line.strip(" #*-")), "")
    title = str(analysis.meta.get("program") or "") or (first[:87] + "..." if len(first) > 90 else first)
    filename = Path(analysis.source).name
    return Column(key, title or filename, filename, analysis, BUCKET_LABELS[analysis.verdict.bucket], gauge_of(analysis), segments, by_category)


def render_contrast(left: Analysis, right: Analysis, lexicon: Lexicon) -> str:
    """Two notes side by side: verdicts on top, categories aligned, the report's highlights in each column."""
    from .lexicon import CATEGORIES

    columns = [contrast_column("a", left, lexicon), contrast_column("b", right, lexicon)]
    categories = [c for c in CATEGORIES if any(c in col.by_category for col in columns)]
    return _page("teach/contrast.html.j2", columns=columns, categories=categories)
