"""Stage 5, report: build the report's data first, then render it with Jinja2 (as coverage.py's html.py)."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, select_autoescape

from . import __version__
from .lexicon import CATEGORIES, Lexicon
from .results import Analysis, Hit

BUCKET_LABELS = {
    "strategic": "Strategically IMG-friendly",
    "dependent": "Dependent but stable",
    "desperate": "Desperate for bodies",
    "insufficient": "Not enough to judge",
}


@dataclass
class Segment:
    """A run of the note's text and the hits that cover it."""

    text: str
    hits: list[int] = field(default_factory=list)
    tone: str = ""
    title: str = ""


@dataclass
class HitRow:
    """A hit as the report lists it, with the entry's explanation."""

    index: int
    hit: Hit
    meaning: str
    follow_up: str


@dataclass
class NoteReport:
    """Everything the note template shows."""

    analysis: Analysis
    bucket_label: str
    segments: list[Segment]
    rows: list[HitRow]
    repeats: list[tuple[str, int]]
    version: str = __version__


def tone_of(hits: list[Hit]) -> str:
    """The colour class of a stretch of text: which side its hits count for."""
    sides = {h.counts_for for h in hits}
    if sides >= {"coverage", "outcomes"}:
        return "mixed"
    if "coverage" in sides:
        return "coverage"
    if "outcomes" in sides:
        return "outcomes"
    return "neutral"


def segments_of(text: str, hits: list[Hit]) -> list[Segment]:
    """Cut the text at every hit boundary so overlapping hits render as one stretch each."""
    cuts = sorted({0, len(text), *(h.start for h in hits), *(h.end for h in hits)})
    starting: dict[int, list[int]] = {}
    for i, h in enumerate(hits):
        starting.setdefault(h.start, []).append(i)
    active: set[int] = set()  # hits open over the current stretch: a sweep over the cuts, not a scan per cut
    segments = []
    for a, b in itertools.pairwise(cuts):
        active.update(starting.get(a, ()))
        active.difference_update([i for i in active if hits[i].end <= a])
        covering = sorted(i for i in active if hits[i].start <= a and b <= hits[i].end)
        cover_hits = [hits[i] for i in covering]
        title = " | ".join(f"{h.entry}: counts for {h.counts_for}" + (f" ({h.cue})" if h.cue else "")
                           for h in cover_hits)
        segments.append(Segment(text[a:b], covering, tone_of(cover_hits) if covering else "", title))
    return segments


def build_note_report(analysis: Analysis, lexicon: Lexicon) -> NoteReport:
    """The data the note report shows, computed before any HTML."""
    rows = [
        HitRow(i, h, lexicon.entries[h.entry].meaning, lexicon.entries[h.entry].follow_up)
        for i, h in enumerate(analysis.hits)
    ]
    repeats = sorted({(h.entry, h.times) for h in analysis.hits if h.times > 1}, key=lambda r: (-r[1], r[0]))
    return NoteReport(
        analysis=analysis,
        bucket_label=BUCKET_LABELS[analysis.verdict.bucket],
        segments=segments_of(analysis.text, [replace(h, start=h.start - analysis.body_start,
                                                     end=h.end - analysis.body_start) for h in analysis.hits]),
        rows=rows,
        repeats=repeats,
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
    env.globals["stylesheet"] = (Path(str(data_path("reports", "style.css")))).read_text("utf-8")
    return env


def render_html(analysis: Analysis, lexicon: Lexicon | None = None) -> str:
    """The self-contained HTML report of one note."""
    from .lexicon import load_lexicon

    data = build_note_report(analysis, lexicon or load_lexicon())
    return environment().get_template("note.html.j2").render(report=data)


def render_lexicon_docs(lexicon: Lexicon) -> str:
    """A reference page of every entry, grouped by category: they say, it often means, ask next."""
    groups = [(c, lexicon.select(category=c)) for c in CATEGORIES]
    return environment().get_template("lexicon.html.j2").render(
        groups=[g for g in groups if g[1]], total=len(lexicon), version=__version__
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
