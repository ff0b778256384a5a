"""The season batch: every note of a season analyzed once, grouped by program, compared on one page, exported."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__, absences, counting, formats, service, verdict
from .notes import InputError
from .output import GENERATOR
from .results import Analysis, Hit, Verdict, analysis_from_json
from .rules import Rules

MANIFEST = ".redflags-batch.json"
NOTES_DIR = "notes"
Progress = Callable[[str], None]


@dataclass
class NoteResult:
    """One note of the season: where it is, which program, and its analysis or its one-line error."""

    path: Path
    name: str
    program: str
    status: str  # analyzed, unchanged or failed
    analysis: Analysis | None = None
    error: str | None = None
    report: str | None = None


@dataclass
class ProgramRow:
    """One program: its notes, the combined verdict and what the comparison page shows."""

    program: str
    notes: list[NoteResult]
    verdict: Verdict
    signals: dict[str, float]
    checklist_score: float | None
    words: int
    top_flags: list[str] = field(default_factory=list)
    never: list[str] = field(default_factory=list)


@dataclass
class Season:
    """Everything the batch produced."""

    programs: list[ProgramRow]
    failed: list[NoteResult]
    analyzed: int
    unchanged: int

    @property
    def notes(self) -> list[NoteResult]:
        """Every note, failed ones included."""
        return [n for p in self.programs for n in p.notes] + self.failed


def find_notes(paths: Iterable[str | Path], skip: Path | None = None) -> list[tuple[Path, str]]:
    """Note files under the given files and folders (recursive, hidden files and the output folder skipped),
    each with its name relative to what was given, sorted."""
    extensions = formats.note_extensions()
    given_paths = [Path(p) for p in paths]
    found: dict[Path, str] = {}
    for given in given_paths:
        if given.is_dir():
            for path in sorted(given.rglob("*")):
                rel = path.relative_to(given)
                if any(part.startswith(".") for part in rel.parts) or not path.is_file():
                    continue
                # the output folder is skipped when it sits inside a notes folder (it may also be the notes folder)
                if skip is not None and skip.resolve() != given.resolve() and skip.resolve() in path.resolve().parents:
                    continue
                if path.suffix.lower() in extensions and not path.name.lower().startswith("readme."):
                    found.setdefault(path, f"{given.name}/{rel.as_posix()}" if len(given_paths) > 1
                                     else rel.as_posix())
        else:
            taken = set(found.values())
            found.setdefault(given, given.name if given.name not in taken else given.as_posix().lstrip("/"))
    return sorted(found.items(), key=lambda item: item[1])


def program_of(name: str, meta: dict[str, Any]) -> str:
    """The program a note is about: front matter `program:`, else its folder, else its file name."""
    program = meta.get("program")
    if isinstance(program, str) and program.strip():
        return " ".join(program.split())
    parts = name.split("/")
    if len(parts) > 1:
        return parts[-2]
    return parts[-1].rsplit(".", 1)[0]


def slug(name: str) -> str:
    """A file name for a note's outputs, from its relative name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name.replace("/", "__")).strip("._") or "note"


def content_key(path: Path, fingerprint: str) -> str:
    """What decides whether a note must be analyzed again: its bytes, the options, the lexicons, the version."""
    digest = hashlib.sha256()
    try:
        digest.update(path.read_bytes())
    except OSError:
        digest.update(b"<unreadable>")
    digest.update(fingerprint.encode() + __version__.encode())
    return digest.hexdigest()


def combine_program(analyses: Sequence[Analysis], rules: Rules) -> tuple[Verdict, dict[str, float], list[str]]:
    """One verdict from all of a program's notes: their counted evidence pooled, a topic missing only when no
    note touched it."""
    hits = [h for a in analyses for h in a.hits]
    numbers = [n for a in analyses for n in a.numbers]
    words = sum(a.words for a in analyses)
    missing, _ = absences.missing_topics(hits, numbers, words, rules.topics)
    checklist = next((a.checklist for a in analyses if a.checklist), None)
    judged = verdict.decide(hits, numbers, missing, checklist, words, rules.scoring)
    signals = counting.tally(hits, numbers, rules.scoring["number_weights"])
    return judged, signals, [m.label for m in missing]


def top_flags(hits: Iterable[Hit], limit: int = 3) -> list[str]:
    """The heaviest coverage phrases across a program's notes, each once."""
    weights: dict[str, float] = {}
    for hit in hits:
        if hit.counts_for == "coverage":
            key = hit.text.strip(" \t\n\"'()[].,;:!?\u201c\u201d\u2018\u2019").lower()
            weights[key] = weights.get(key, 0.0) + hit.weight
    return [text for text, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


def _analyze_all(todo: list[tuple[Path, str]], options: service.Options, jobs: int, progress: Progress | None
                 ) -> Iterator[tuple[Path, str, Analysis | InputError]]:
    """Analyze notes one after another, or across worker processes (forked after the pipeline has loaded)."""
    service.analyzer_for(options)  # load once, before any fork
    if jobs <= 1 or len(todo) < 2:
        for (path, name), (_, result) in zip(todo, service.analyze_many([p for p, _ in todo], options), strict=True):
            if progress:
                progress(name)
            yield path, name, result
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        chunk = max(1, min(16, len(todo) // (jobs * 4)))
        results = pool.map(_analyze_one, [(p, options) for p, _ in todo], chunksize=chunk)
        for (path, name), result in zip(todo, results, strict=True):
            if progress:
                progress(name)
            yield path, name, result


def _analyze_one(job: tuple[Path, service.Options]) -> Analysis | InputError:
    path, options = job
    return next(service.analyze_many([path], options))[1]


def writer(outdir: Path, inputs: Iterable[Path], overwrite: bool = False) -> Callable[[Path, str], None]:
    """How the batch writes: atomically, never over a note or an input, and over an existing file only when it
    is one of our outputs (marked, or in a folder our manifest says we wrote) or overwrite is set."""
    from .output import write_output

    protect = list(inputs)
    ours = overwrite or (outdir / MANIFEST).is_file()

    def write(path: Path, text: str) -> None:
        write_output(path, text, protect=protect, overwrite=ours)

    return write


def run_batch(paths: Sequence[str | Path], outdir: Path, options: service.Options, *, force: bool = False,
              jobs: int = 1, progress: Progress | None = None, rules: Rules | None = None,
              write: Callable[[Path, str], None] | None = None) -> Season:
    """Analyze every note under paths (skipping those unchanged since the last run unless force), write each
    note's report and JSON under outdir/notes, and return the season grouped by program."""
    from .output import mark_html
    from .report import render_html

    options = options.loaded()
    analyzer = service.analyzer_for(options)
    rules = rules or analyzer.rules
    notes = find_notes(paths, skip=outdir)
    write = write or writer(outdir, [p for p, _ in notes])
    manifest = _read_manifest(outdir)
    fingerprint = options.fingerprint()
    keys = {name: content_key(path, fingerprint) for path, name in notes}
    results: dict[str, NoteResult] = {}
    todo = []
    for path, name in notes:
        known = manifest.get(name)
        reused = None if force or not known or known.get("key") != keys[name] else _reuse(path, name, known, outdir)
        if reused is None:
            todo.append((path, name))
        else:
            results[name] = reused
            if progress:
                progress(name)
    analyzed = 0
    for path, name, result in _analyze_all(todo, options, jobs, progress):
        out = slug(name)
        if isinstance(result, InputError):
            results[name] = NoteResult(path, name, program_of(name, {}), "failed", error=result.message)
            continue
        analyzed += 1
        write(outdir / NOTES_DIR / f"{out}.html", mark_html(render_html(result, analyzer.lexicon)))
        write(outdir / NOTES_DIR / f"{out}.json", json.dumps({"generator": GENERATOR, **result.to_json()},
                                                             ensure_ascii=False, default=str, allow_nan=False) + "\n")
        results[name] = NoteResult(path, name, program_of(name, result.meta), "analyzed", result,
                                   report=f"{NOTES_DIR}/{out}.html")
    new_manifest = {
        name: {"key": keys[name], "status": "failed" if r.analysis is None else "analyzed", "error": r.error,
               "report": r.report}
        for name, r in sorted(results.items())
    }
    write(outdir / MANIFEST, json.dumps({"generator": GENERATOR, "version": __version__, "notes": new_manifest},
                                        indent=1))
    for gone in set(manifest) - set(new_manifest):  # outputs of notes no longer in the season
        for suffix in (".html", ".json"):
            (outdir / NOTES_DIR / f"{slug(gone)}{suffix}").unlink(missing_ok=True)
    return build_season(list(results.values()), rules, analyzed)


def _read_manifest(outdir: Path) -> dict[str, Any]:
    try:
        data = json.loads((outdir / MANIFEST).read_text("utf-8"))
        notes: dict[str, Any] = data["notes"] if data.get("version") == __version__ else {}
        return notes
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _reuse(path: Path, name: str, known: dict[str, Any], outdir: Path) -> NoteResult | None:
    """The stored result of an unchanged note, or None when its outputs are gone."""
    if known.get("status") == "failed":
        return NoteResult(path, name, program_of(name, {}), "unchanged", error=known.get("error"))
    report = known.get("report")
    stored = outdir / NOTES_DIR / f"{slug(name)}.json"
    if not report or not (outdir / report).is_file():
        return None
    try:
        data = json.loads(stored.read_text("utf-8"))
        analysis = analysis_from_json(data, "")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return NoteResult(path, name, program_of(name, analysis.meta), "unchanged", analysis, report=report)


def build_season(results: list[NoteResult], rules: Rules, analyzed: int) -> Season:
    """Group the notes by program and judge each program on all its notes."""
    by_program: dict[str, list[NoteResult]] = {}
    failed = []
    for result in sorted(results, key=lambda r: r.name):
        if result.analysis is None:
            failed.append(result)
        else:
            by_program.setdefault(result.program, []).append(result)
    rows = []
    for program, notes in sorted(by_program.items(), key=lambda kv: kv[0].lower()):
        analyses = [n.analysis for n in notes if n.analysis]
        judged, signals, never = combine_program(analyses, rules)
        checklist = next((a.checklist for a in analyses if a.checklist), None)
        rows.append(ProgramRow(program, notes, judged, signals, checklist.score if checklist else None,
                               sum(a.words for a in analyses), top_flags(h for a in analyses for h in a.hits), never))
    unchanged = sum(1 for r in results if r.status == "unchanged" and r.analysis is not None)
    return Season(rows, failed, analyzed, unchanged)


CSV_COLUMNS = ("program", "verdict", "confidence", "outcomes_share", "coverage", "outcomes", "checklist_score",
               "notes", "words", "top_red_flags", "never_talked_about", "note_verdicts")


def season_rows(season: Season) -> list[dict[str, Any]]:
    """One flat row per program, as the CSV and the comparison table show it."""
    return [{
        "program": row.program,
        "verdict": row.verdict.bucket,
        "confidence": row.verdict.confidence,
        "outcomes_share": row.verdict.share,
        "coverage": row.signals["coverage"],
        "outcomes": row.signals["outcomes"],
        "checklist_score": row.checklist_score,
        "notes": len(row.notes),
        "words": row.words,
        "top_red_flags": "; ".join(row.top_flags),
        "never_talked_about": "; ".join(row.never),
        "note_verdicts": "; ".join(f"{n.name}: {n.analysis.verdict.bucket}" for n in row.notes if n.analysis),
    } for row in season.programs]


def season_csv(season: Season) -> str:
    """The comparison table as CSV, one row per program."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in season_rows(season):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()


def season_json(season: Season) -> str:
    """Each program with its combined verdict and its notes' analyses in the schema-1 contract; failed notes
    with their errors."""
    data = {
        "generator": GENERATOR,
        "schema": 1,
        "programs": [{
            **flat,
            "top_red_flags": row.top_flags,
            "never_talked_about": row.never,
            "verdict": {"bucket": row.verdict.bucket, "confidence": row.verdict.confidence,
                        "share": row.verdict.share, "reasons": row.verdict.reasons},
            "notes": [{"name": n.name, "report": n.report, "analysis": n.analysis.to_json() if n.analysis else None}
                      for n in row.notes],
        } for row, flat in zip(season.programs, season_rows(season), strict=True)],
        "failed": [{"name": n.name, "error": n.error} for n in season.failed],
    }
    return json.dumps(data, ensure_ascii=False, indent=1, default=str, allow_nan=False) + "\n"


BUCKETS = ("strategic", "dependent", "desperate", "insufficient")
SYMBOLS = {"strategic": "\u25b2", "dependent": "\u25a0", "desperate": "\u25bc", "insufficient": "\u25cb"}
LABELS = {"strategic": "strategic", "dependent": "dependent but stable", "desperate": "desperate for bodies",
          "insufficient": "not enough to judge"}
COLUMNS = (("Program", "text"), ("Verdict", "number"), ("Outcomes share", "number"), ("Checklist", "number"),
           ("Red flags", "number"), ("Never talked about", "number"), ("Notes", "number"))


def index_page(season: Season, rules: Rules) -> dict[str, Any]:
    """What the comparison page shows, computed before any HTML."""
    lines = rules.scoring["verdict"]
    left, span, step = 190, 560, 24
    rows, bars = [], []
    for i, row in enumerate(season.programs):
        share = row.verdict.share
        bucket = row.verdict.bucket
        rows.append({
            "program": row.program, "bucket": bucket, "bucket_label": LABELS[bucket], "symbol": SYMBOLS[bucket],
            "rank": BUCKETS.index(bucket), "confidence": row.verdict.confidence, "share": share,
            "share_text": "\u2013" if share is None else f"{share:.0%}", "checklist": row.checklist_score,
            "checklist_text": "\u2013" if row.checklist_score is None else f"{row.checklist_score:.0f}/100",
            "flags": row.top_flags, "never": row.never,
            "notes": [{"name": n.name, "report": n.report, "bucket": n.analysis.verdict.bucket,
                       "symbol": SYMBOLS[n.analysis.verdict.bucket]} for n in row.notes if n.analysis],
        })
        label = row.program if len(row.program) <= 26 else row.program[:25] + "\u2026"
        bars.append({"y": 4 + i * step, "label": label, "bucket": bucket,
                     "width": None if share is None else round(span * share, 1),
                     "text": "" if share is None else f"{share:.0%}"})
    height = 4 + len(bars) * step + 20
    return {
        "version": __version__,
        "programs": season.programs,
        "note_count": len(season.notes),
        "failed": [{"name": n.name, "error": n.error} for n in season.failed],
        "rows": rows,
        "buckets": BUCKETS,
        "columns": [{"label": label, "type": kind} for label, kind in COLUMNS],
        "strategic_pct": round(lines["strategic_at"] * 100),
        "desperate_pct": round(lines["desperate_below"] * 100),
        "chart": {"width": left + span + 50, "height": height, "left": left, "span": span, "bars": bars,
                  "lines": [{"x": round(left + span * lines[k], 1), "label": f"{lines[k]:.0%}"}
                            for k in ("desperate_below", "strategic_at")]},
    }


def render_index(season: Season, rules: Rules) -> str:
    """The comparison page: one self-contained HTML file."""
    from .report import environment

    return environment().get_template("season.html.j2").render(page=index_page(season, rules))


def write_season(season: Season, outdir: Path, rules: Rules, write: Callable[[Path, str], None] | None = None
                 ) -> list[Path]:
    """Write index.html, season.csv and season.json into outdir; return their paths."""
    from .output import mark_html

    write = write or writer(outdir, [n.path for n in season.notes])
    outputs = {"index.html": mark_html(render_index(season, rules)), "season.csv": season_csv(season),
               "season.json": season_json(season)}
    for name, text in outputs.items():
        write(outdir / name, text)
    return [outdir / name for name in outputs]
