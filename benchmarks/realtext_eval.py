"""Score the analyzer on the real-text sets: passages (hits, qualifiers, dominant talk) and full notes (bucket).

Run: python benchmarks/realtext_eval.py --set benchmarks/realtext/dev.yml [--misses] [--json] [--record LABEL]
     python benchmarks/realtext_eval.py --notes benchmarks/realtext/notes/ [--json] [--record LABEL]
--misses lists individual misses and refuses for the blind sets (a path with "blind" in a name, or the notes set).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "realtext" / "results.md"
NOTES_DIR = ROOT / "benchmarks" / "realtext" / "notes"
TALKS = ("coverage", "outcomes", "mixed", "neither")
BUCKETS = ("strategic", "dependent", "desperate", "insufficient")
SIDES = ("coverage", "outcomes", "none")
KINDS = ("forum", "residents-post", "blog", "program-page", "interview-feedback", "qa")
KNOWN_QUALIFIERS = ("negated", "question", "hypothetical", "historical", "hearsay", "general")
NOTE_SUFFIXES = (".txt", ".md", ".vtt", ".srt", ".docx")
RESULTS_HEADER = (
    "# Real-text evaluation results\n\n"
    "One line per scored run, appended by `python benchmarks/realtext_eval.py ... --record LABEL`, e.g.\n"
    "`python benchmarks/realtext_eval.py --set benchmarks/realtext/blind.yml --notes benchmarks/realtext/notes/"
    " --record after-round-1`.\n"
    "The blind sets are scored only in aggregate (`--misses` refuses them); never write rules from them.\n"
    "P = counted-hit precision, R = recall (coverage / outcomes / all), qual = exact qualifier-set accuracy,\n"
    "dominant = dominant-talk agreement; notes = share of notes in their expected bucket.\n\n"
)


def _load_accuracy() -> Any:
    """benchmarks/accuracy.py imported by path, as tests/test_eval.py does."""
    if "accuracy" in sys.modules and hasattr(sys.modules["accuracy"], "evaluate"):
        return sys.modules["accuracy"]
    spec = importlib.util.spec_from_file_location("accuracy", ROOT / "benchmarks" / "accuracy.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["accuracy"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


accuracy = _load_accuracy()


class EvalInputError(Exception):
    """A set file or notes folder that cannot be scored; printed as one line."""

    def __init__(self, path: str | Path, reason: str, line: int | None = None):
        self.path, self.reason, self.line = str(path), reason, line
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {reason}")


def _yaml(path: Path) -> tuple[Any, Any]:
    """The parsed YAML and its node tree (for line numbers)."""
    try:
        text = path.read_text(encoding="utf-8")
        return yaml.safe_load(text), yaml.compose(text)
    except OSError as exc:
        raise EvalInputError(path, exc.strerror or "cannot read") from None
    except UnicodeDecodeError:
        raise EvalInputError(path, "not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise EvalInputError(path, f"invalid YAML: {getattr(exc, 'problem', exc)}",
                             mark.line + 1 if mark else None) from None


def load_passages(path: Path) -> list[dict[str, Any]]:
    """The labelled passages of a set file, checked: unique ids, known labels, phrases inside their text."""
    data, tree = _yaml(path)
    if not isinstance(data, list) or not data:
        raise EvalInputError(path, "expected a non-empty YAML list of passages")
    lines = [node.start_mark.line + 1 for node in tree.value]
    seen: set[str] = set()
    for case, line in zip(data, lines, strict=True):
        if not isinstance(case, dict):
            raise EvalInputError(path, "each passage must be a mapping", line)
        for key in ("id", "text", "dominant"):
            if not isinstance(case.get(key), str) or not case[key].strip():
                raise EvalInputError(path, f"passage needs a '{key}' string", line)
        if case["id"] in seen:
            raise EvalInputError(path, f"duplicate id {case['id']!r}", line)
        seen.add(case["id"])
        if case["dominant"] not in TALKS:
            raise EvalInputError(path, f"{case['id']}: dominant must be one of {', '.join(TALKS)}", line)
        if "kind" in case and case["kind"] not in KINDS:
            raise EvalInputError(path, f"{case['id']}: kind must be one of {', '.join(KINDS)}", line)
        expect = case.get("expect") or []
        if not isinstance(expect, list):
            raise EvalInputError(path, f"{case['id']}: expect must be a list", line)
        for exp in expect:
            if not isinstance(exp, dict) or not isinstance(exp.get("phrase"), str):
                raise EvalInputError(path, f"{case['id']}: each expected hit needs a 'phrase'", line)
            if exp["phrase"] not in case["text"]:
                raise EvalInputError(path, f"{case['id']}: phrase {exp['phrase']!r} is not in the text", line)
            if exp.get("counts_for") not in SIDES:
                raise EvalInputError(path, f"{case['id']}: counts_for must be one of {', '.join(SIDES)}", line)
            unknown = set(exp.get("qualifiers") or []) - set(KNOWN_QUALIFIERS)
            if unknown:
                raise EvalInputError(path, f"{case['id']}: unknown qualifier {min(unknown)!r}", line)
    return data


def dominant_talk(signals: dict[str, float]) -> str:
    """The dominant talk read from signals: neither, coverage or outcomes (two thirds or more), else mixed."""
    c, o = float(signals.get("coverage", 0.0)), float(signals.get("outcomes", 0.0))
    total = c + o
    if total <= 0:
        return "neither"
    # compared as 3 * side >= 2 * total so that exactly two thirds counts without float noise
    if 3 * c >= 2 * total - 1e-9:
        return "coverage"
    if 3 * o >= 2 * total - 1e-9:
        return "outcomes"
    return "mixed"


def confusion_table(pairs: list[tuple[str, str]], labels: tuple[str, ...], title: str) -> str:
    """Rows are the expected label, columns the tool's; pairs are (expected, predicted)."""
    counts = Counter(pairs)
    extra = tuple(sorted({p for _, p in pairs} - set(labels)))
    cols = labels + extra
    width = max(len(x) for x in cols + (title,)) + 1
    head = f"{title:<{width}}" + "".join(f"{c:>{max(len(c), 4) + 1}}" for c in cols)
    rows = [head]
    for exp in labels:
        rows.append(f"{exp:<{width}}" + "".join(f"{counts[(exp, c)]:>{max(len(c), 4) + 1}}" for c in cols))
    return "\n".join(rows)


class _Once:
    """Wraps an analyzer so each passage is analyzed once for both hits and dominant talk."""

    def __init__(self, analyzer: Any):
        self.analyzer = analyzer
        self.cache: dict[tuple[str, str], Any] = {}

    def analyze_text(self, text: str, source: str = "<text>") -> Any:
        """The analyzer's result for this text, computed on first use."""
        if (text, source) not in self.cache:
            self.cache[(text, source)] = self.analyzer.analyze_text(text, source=source)
        return self.cache[(text, source)]


def score_passages(analyzer: Any, cases: list[dict[str, Any]]) -> dict[str, Any]:
    """Hit precision and recall, qualifier accuracy and dominant-talk agreement on labelled passages."""
    analyzer = _Once(analyzer)
    scores = accuracy.evaluate(analyzer, cases)
    pairs: list[tuple[str, str]] = []
    misses = list(scores.misses)
    for case in cases:
        got = dominant_talk(analyzer.analyze_text(case["text"], source=case["id"]).signals)
        pairs.append((case["dominant"], got))
        if got != case["dominant"]:
            misses.append(f"{case['id']} DOMINANT want {case['dominant']} got {got}: {case['text']!r}")
    agree = sum(e == p for e, p in pairs)
    return {
        "passages": len(cases),
        "sources": len({c.get("source") for c in cases if c.get("source")}),
        "precision": {s: round(scores.precision(s), 3) for s in ("coverage", "outcomes")}
        | {"all": round(scores.precision(), 3)},
        "recall": {s: round(scores.recall(s), 3) for s in ("coverage", "outcomes")}
        | {"all": round(scores.recall(), 3)},
        "counts": {"tp": dict(scores.tp), "fp": dict(scores.fp), "fn": dict(scores.fn)},
        "qualifiers": {name: {"accuracy": round(scores.qualifier_accuracy(name), 3), "n": scores.qual_total[name]}
                       for name in accuracy.QUALIFIERS}
        | {"exact": {"accuracy": round(scores.qualifier_accuracy(), 3), "n": scores.exact_total}},
        "dominant": {"agreement": round(agree / len(pairs), 3) if pairs else 1.0, "agree": agree, "n": len(pairs),
                     "confusion": {e: {p: n for (e2, p), n in Counter(pairs).items() if e2 == e} for e in TALKS}},
        "_pairs": pairs,
        "_misses": misses,
    }


def load_expected(folder: Path) -> dict[str, dict[str, str]]:
    """expected.yml of a notes folder: file name to bucket and reason, checked against the files present."""
    path = folder / "expected.yml"
    if not folder.is_dir():
        raise EvalInputError(folder, "not a folder")
    if not path.is_file():
        raise EvalInputError(path, "missing: the notes folder needs expected.yml (file name -> bucket, reason)")
    data, tree = _yaml(path)
    if not isinstance(data, dict) or not data:
        raise EvalInputError(path, "expected a mapping of note file name to {bucket, reason}")
    lines = {k.value: k.start_mark.line + 1 for k, _ in tree.value}
    out: dict[str, dict[str, str]] = {}
    for name, entry in data.items():
        line = lines.get(name)
        if isinstance(entry, str):
            entry = {"bucket": entry}
        if not isinstance(entry, dict) or entry.get("bucket") not in BUCKETS:
            raise EvalInputError(path, f"{name}: bucket must be one of {', '.join(BUCKETS)}", line)
        if not (folder / str(name)).is_file():
            raise EvalInputError(path, f"{name}: no such note in {folder}", line)
        out[str(name)] = {"bucket": entry["bucket"], "reason": str(entry.get("reason", ""))}
    unlisted = sorted(p.name for p in folder.iterdir() if p.suffix.lower() in NOTE_SUFFIXES and p.name not in out)
    if unlisted:
        raise EvalInputError(path, f"{unlisted[0]}: note has no expected bucket")
    return out


def _analyze_note(analyzer: Any, path: Path) -> Any:
    """One note file read and analyzed (older analyzers have analyze_path; newer ones analyze a read Note)."""
    if hasattr(analyzer, "analyze_path"):
        return analyzer.analyze_path(path)
    from analyzer.reading import read_note

    return analyzer.analyze(read_note(path))


def score_notes(analyzer: Any, folder: Path) -> dict[str, Any]:
    """The share of notes whose verdict bucket is the expected one."""
    from analyzer.notes import InputError

    expected = load_expected(folder)
    pairs: list[tuple[str, str]] = []
    misses: list[str] = []
    for name in sorted(expected):
        try:
            got = _analyze_note(analyzer, folder / name).verdict.bucket
        except InputError as exc:
            raise EvalInputError(exc.path, exc.reason, exc.line) from None
        want = expected[name]["bucket"]
        pairs.append((want, got))
        if got != want:
            misses.append(f"{name} want {want} got {got} ({expected[name]['reason']})")
    right = sum(e == p for e, p in pairs)
    return {
        "notes": len(pairs),
        "in_bucket": round(right / len(pairs), 3) if pairs else 1.0,
        "right": right,
        "confusion": {e: {p: n for (e2, p), n in Counter(pairs).items() if e2 == e} for e in BUCKETS},
        "_pairs": pairs,
        "_misses": misses,
    }


def passage_report(fig: dict[str, Any]) -> str:
    """The passage figures as small tables."""
    lines = [f"{fig['passages']} passages from {fig['sources']} sources",
             "side      precision  recall"]
    for side in ("coverage", "outcomes", "all"):
        lines.append(f"{side:<9} {fig['precision'][side]:9.3f} {fig['recall'][side]:7.3f}")
    lines.append("qualifier     accuracy  (n)")
    for name, q in fig["qualifiers"].items():
        label = "exact set" if name == "exact" else name
        lines.append(f"{label:<13} {q['accuracy']:8.3f}  ({q['n']})")
    d = fig["dominant"]
    lines.append(f"dominant-talk agreement {d['agreement']:.3f} ({d['agree']}/{d['n']})")
    lines.append(confusion_table(fig["_pairs"], TALKS, "want\\got"))
    return "\n".join(lines)


def notes_report(fig: dict[str, Any]) -> str:
    """The note figures and the bucket confusion table."""
    return "\n".join([f"{fig['notes']} notes: {fig['in_bucket']:.3f} in their bucket ({fig['right']}/{fig['notes']})",
                      confusion_table(fig["_pairs"], BUCKETS, "want\\got")])


def is_blind(path: Path, notes: bool = False) -> bool:
    """Whether a set is blind: any name in its path contains 'blind', or it is the note-level set."""
    resolved = path.resolve()
    try:  # names inside the repository (its own folder may be called anything, even a worktree "blindtext")
        parts = resolved.relative_to(ROOT).parts
    except ValueError:
        parts = resolved.parts[-2:]
    if any("blind" in part.lower() for part in parts):
        return True
    return notes and (resolved == NOTES_DIR.resolve() or resolved.name == "notes")


SCORED_PATHS = ("analyzer", "phrase_lexicons")


def _commit() -> str:
    """The last commit that changed the analyzer or its lexicons, with '+' when they have uncommitted changes."""
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h", "--", *SCORED_PATHS],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "--",
                                *SCORED_PATHS], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return (head or "unknown") + ("+" if dirty else "")


def display_name(path: Path) -> str:
    """The path relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def record_line(label: str, name: str, fig: dict[str, Any], when: dt.datetime, commit: str) -> str:
    """One dated Markdown line of figures for results.md."""
    stamp = when.strftime("%Y-%m-%d %H:%M UTC")
    if "passages" in fig:
        p, r, d = fig["precision"], fig["recall"], fig["dominant"]
        body = (f"{fig['passages']} passages: P {p['coverage']:.3f}/{p['outcomes']:.3f}/{p['all']:.3f}, "
                f"R {r['coverage']:.3f}/{r['outcomes']:.3f}/{r['all']:.3f}, "
                f"qual {fig['qualifiers']['exact']['accuracy']:.3f}, "
                f"dominant {d['agreement']:.3f} ({d['agree']}/{d['n']})")
    else:
        body = f"{fig['notes']} notes: {fig['in_bucket']:.3f} in bucket ({fig['right']}/{fig['notes']})"
    return f"- {stamp} · {label} · `{name}` · analyzer {commit} · {body}\n"


def record(results: Path, lines: list[str]) -> None:
    """Append lines to the results file, creating it with its header."""
    results.parent.mkdir(parents=True, exist_ok=True)
    if not results.exists():
        results.write_text(RESULTS_HEADER, encoding="utf-8")
    with results.open("a", encoding="utf-8") as fh:
        fh.writelines(lines)


def public(fig: dict[str, Any]) -> dict[str, Any]:
    """The figures without the per-item pairs and misses."""
    return {k: v for k, v in fig.items() if not k.startswith("_")}


def main(argv: list[str] | None = None, analyzer: Any = None, results: Path = RESULTS) -> int:
    """Parse arguments, score the sets, print and optionally record the figures."""
    parser = argparse.ArgumentParser(prog="realtext_eval", description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="sets", type=Path, action="append", default=[],
                        help="a passage set (YAML list); may repeat")
    parser.add_argument("--notes", type=Path, help="a notes folder with expected.yml")
    parser.add_argument("--misses", action="store_true", help="list individual misses (refused for blind sets)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--record", metavar="LABEL", help="append a dated line of figures to results.md")
    args = parser.parse_args(argv)
    if not args.sets and not args.notes:
        parser.error("give --set FILE and/or --notes FOLDER")
    if args.misses:
        blind = [str(p) for p in args.sets if is_blind(p)] + ([str(args.notes)] if args.notes and
                                                               is_blind(args.notes, notes=True) else [])
        if blind:
            print(f"realtext_eval: error: {blind[0]}: --misses refused: this is a blind set; "
                  "only its aggregate figures may be shown", file=sys.stderr)
            return 2
    try:
        loaded = [(p, load_passages(p)) for p in args.sets]
        if args.notes:
            load_expected(args.notes)
        if analyzer is None:
            from analyzer.analysis import get_analyzer

            analyzer = get_analyzer()
        figures: dict[str, dict[str, Any]] = {}
        for path, cases in loaded:
            figures[display_name(path)] = score_passages(analyzer, cases)
        if args.notes:
            figures[display_name(args.notes)] = score_notes(analyzer, args.notes)
    except EvalInputError as exc:
        print(f"realtext_eval: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({name: public(fig) for name, fig in figures.items()}, indent=2, sort_keys=True))
    else:
        for name, fig in figures.items():
            print(f"== {name}")
            print(passage_report(fig) if "passages" in fig else notes_report(fig))
            if args.misses:
                print("\n".join(fig["_misses"]))
    if args.record:
        when, commit = dt.datetime.now(dt.UTC), _commit()
        record(results, [record_line(args.record, name, fig, when, commit) for name, fig in figures.items()])
    return 0


if __name__ == "__main__":
    sys.exit(main())
