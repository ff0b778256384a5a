"""Teaching sessions: the drill check, the terminal quiz, and the data behind the quiz, handout and contrast pages."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .drills import SPEAKER_NAMES, TRAPS, Drill
from .lexicon import Lexicon
from .results import Analysis, Hit

ANSWER_KEYS = {"c": "coverage", "o": "outcomes", "n": "neither"}
QUIZ_FILTERS = tuple(t for t in TRAPS if t != "none")
SIDE_NAMES = {"coverage": "coverage", "outcomes": "outcomes", "none": "neither side"}
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
    return lines


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
