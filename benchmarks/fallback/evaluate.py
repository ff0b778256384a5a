"""Evaluate the learned fallback: before/after figures on dev (out-of-fold), the team sets and the blind sets.

Run: python benchmarks/fallback/evaluate.py [--arch bow] [--folds 5] [--weight 1.0] [--write]
Dev figures are out-of-fold: the dev half is split by source into folds; each fold is scored by a model trained
without it (plus the other training data). The team sets and the blind sets are scored by a model trained on all
training data. The blind sets (benchmarks/realtext/blind.yml, its notes, tests/eval/holdout3.yml) are scored only
in aggregate, by the same functions the team's evaluation scripts use; nothing in them is printed or used to train.
--write LABEL appends the printed tables to benchmarks/fallback/results.md.
--arch wordllama needs `pip install wordllama scikit-learn` (not project dependencies: nothing ships).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "benchmarks" / "fallback"))

import gate as fallback  # benchmarks/fallback/gate.py: the evaluated gate (nothing ships)
import realtext_eval
import train as training
import yaml

from analyzer.analysis import Analyzer, get_analyzer
from analyzer.lexicon import Entry
from analyzer.results import Analysis, Findings, Note
from analyzer.scoring import score

accuracy = realtext_eval.accuracy
BLIND = ROOT / "benchmarks" / "realtext" / "blind.yml"
NOTES = ROOT / "benchmarks" / "realtext" / "notes"
HOLDOUT3 = ROOT / "tests" / "eval" / "holdout3.yml"
RESULTS = ROOT / "benchmarks" / "fallback" / "results.md"
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
Predict = Callable[[list[str]], list[dict[str, float]]]


def model_entries(weight: float) -> dict[str, Entry]:
    """Pseudo lexicon entries the model's hits are scored as."""
    return {f"model-{side}": Entry(id=f"model-{side}", side=side, category="unlisted wording", weight=weight,
                                   meaning="unlisted wording, heard by the learned fallback",
                                   follow_up="Ask a resident, away from leadership, what they meant by this.",
                                   source="model")
            for side in fallback.SIDES}


class FallbackAnalyzer:
    """The team's analyzer plus the learned fallback as a post-step; pipeline work is cached per note."""

    def __init__(self, base: Analyzer, predict: Predict | None, threshold: float, weight: float,
                 silencing: frozenset[str] = fallback.SILENCING):
        self.base, self.predict, self.threshold, self.weight = base, predict, threshold, weight
        self.silencing = silencing
        self.entries = {**base.lexicon.entries, **model_entries(weight)}
        self.questions = {**base.questions, **{k: e.follow_up for k, e in model_entries(weight).items()}}
        self.cache: dict[str, tuple[Findings, list[fallback.Candidate]]] = {}

    def _found(self, note: Note) -> tuple[Findings, list[fallback.Candidate]]:
        key = hashlib.sha1(f"{note.source}\0{note.source_text}\0{note.text}".encode()).hexdigest()
        if key not in self.cache:
            self.cache[key] = fallback.note_candidates(self.base, note, self.silencing)
        return self.cache[key]

    def analyze(self, note: Note, profile: dict[str, Any] | None = None) -> Analysis:
        """The analysis with model hits added (source "model") where the gate lets the model speak."""
        found, cands = self._found(note)
        extra = fallback.model_heard(cands, self.predict, self.threshold) if self.predict else []
        if extra:
            found = replace(found, heard=found.heard + tuple(h for h, _ in extra))
        result = score(found, note, self.questions, self.entries, self.base.rules, profile)
        for hit in result.hits:
            if hit.entry.startswith("model-"):
                hit.source = "model"
        return result

    def analyze_text(self, text: str, source: str = "<text>") -> Analysis:
        """Analyze raw text as the team's analyzer does."""
        from analyzer.speakers import load_role_rules, split_turns

        return self.analyze(Note(source=source, text=text, turns=split_turns(text, load_role_rules(), None)))


def f1(p: float, r: float) -> float:
    """The harmonic mean of precision and recall."""
    return 2 * p * r / (p + r) if p + r else 0.0


def passage_figures(analyzer: Any, cases: list[dict[str, Any]]) -> dict[str, Any]:
    """Counted-hit P/R/F1 (all sides) and dominant agreement, in aggregate."""
    scores = accuracy.evaluate(analyzer, cases)
    talk = [c for c in cases if "dominant" in c]
    agree = sum(realtext_eval.dominant_talk(analyzer.analyze_text(c["text"], source=c["id"]).signals)
                == c["dominant"] for c in talk)
    return {"tp": sum(scores.tp.values()), "fp": sum(scores.fp.values()), "fn": sum(scores.fn.values()),
            "agree": agree, "n": len(talk)}


def summarize(c: dict[str, Any]) -> dict[str, float]:
    """P, R, F1 and dominant agreement from summed counts."""
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
    out = {"P": p, "R": r, "F1": f1(p, r)}
    if c.get("n"):
        out["dom"] = c["agree"] / c["n"]
    return out


def add(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Summed counts."""
    return {k: a.get(k, 0) + b.get(k, 0) for k in set(a) | set(b)}


def group_folds(groups: list[str], k: int) -> dict[str, int]:
    """Sources dealt into k folds in a fixed order (by a hash, so the split does not follow the file order)."""
    order = sorted(set(groups), key=lambda g: hashlib.sha1(g.encode()).hexdigest())
    return {g: i % k for i, g in enumerate(order)}


def dev_out_of_fold(base: Analyzer, arch: str, k: int, weight: float, silencing: frozenset[str]
                    ) -> tuple[dict[float | None, dict[str, Any]], list[tuple[str, dict[str, float]]]]:
    """Dev counts per threshold (None = no fallback), each fold scored by a model trained without it; and the
    out-of-fold (label, probabilities) of every dev sentence."""
    dev_rows, other = training.all_rows()
    cases = yaml.safe_load(training.DEV.read_text(encoding="utf-8"))
    folds = group_folds([str(c.get("source") or c["id"]) for c in cases], k)
    totals: dict[float | None, dict[str, Any]] = {}
    sentences: list[tuple[str, dict[str, float]]] = []
    for fold in range(k):
        rows = [r for r in dev_rows if folds[r[2]] != fold] + other
        predict = training.fit(rows, arch)
        own = [r for r in dev_rows if folds[r[2]] == fold]
        sentences += [(r[1], p) for r, p in zip(own, predict([r[0] for r in own]), strict=True)]
        held = [c for c in cases if folds[str(c.get("source") or c["id"])] == fold]
        shared = FallbackAnalyzer(base, None, 1.0, weight, silencing)
        for t in (None, *THRESHOLDS):
            shared.predict, shared.threshold = (predict if t is not None else None), (t or 1.0)
            totals[t] = add(totals.get(t, {}), passage_figures(shared, held))
    return totals, sentences


def sentence_table(sentences: list[tuple[str, dict[str, float]]]) -> tuple[list[str], float | None]:
    """The model alone on out-of-fold dev sentences (all of them, lexicon or not): precision and recall of its
    coverage/outcomes calls per threshold; and the dev-chosen threshold, the lowest whose precision reaches
    the issue's bar of 0.85 (None when none does)."""
    lines = ["**dev sentences, model alone (out-of-fold)**", "",
             "| threshold | calls | P | R (of coverage/outcomes sentences) |", "|---|---|---|---|"]
    chosen = None
    relevant = sum(lab in fallback.SIDES for lab, _ in sentences)
    for t in THRESHOLDS:
        tp = fp = 0
        for lab, probs in sentences:
            side = max(fallback.SIDES, key=lambda s: probs.get(s, 0.0))
            if probs.get(side, 0.0) >= t:
                tp, fp = tp + (lab == side), fp + (lab != side)
        p = tp / (tp + fp) if tp + fp else 1.0
        if chosen is None and p >= 0.85:
            chosen = t
        lines.append(f"| {t:.2f} | {tp + fp} | {p:.3f} | {tp / relevant if relevant else 1.0:.3f} |")
    return lines + ["", f"dev-chosen threshold: {chosen if chosen is not None else 'none reaches 0.85'}", ""], chosen


def scored(base: Analyzer, predict: Predict, weight: float, silencing: frozenset[str], path: Path,
           notes: Path | None = None) -> dict[float | None, dict[str, Any]]:
    """Counts per threshold on one passage set (and bucket agreement on a notes folder), aggregate only."""
    cases = accuracy.load_cases(path) if path.suffix == ".yml" else []
    shared = FallbackAnalyzer(base, None, 1.0, weight, silencing)
    out: dict[float | None, dict[str, Any]] = {}
    for t in (None, *THRESHOLDS):
        shared.predict, shared.threshold = (predict if t is not None else None), (t or 1.0)
        fig = passage_figures(shared, cases)
        if notes is not None:
            nf = realtext_eval.score_notes(shared, notes)
            fig |= {"notes_right": nf["right"], "notes_n": nf["notes"]}
        out[t] = fig
    return out


def table(title: str, rows: dict[float | None, dict[str, Any]]) -> list[str]:
    """One Markdown table: threshold, P, R, F1, dominant agreement (and notes in bucket)."""
    notes = any("notes_n" in c for c in rows.values())
    head = "| threshold | P | R | F1 | dominant |" + (" notes in bucket |" if notes else "")
    lines = [f"**{title}**", "", head, "|" + "---|" * (head.count("|") - 1)]
    for t, c in rows.items():
        s = summarize(c)
        cell = "no fallback" if t is None else f"{t:.2f}"
        line = (f"| {cell} | {s['P']:.3f} | {s['R']:.3f} | {s['F1']:.3f} | "
                f"{s.get('dom', float('nan')):.3f} ({c['agree']}/{c['n']}) |")
        if notes:
            line += f" {c['notes_right'] / c['notes_n']:.3f} ({c['notes_right']}/{c['notes_n']}) |"
        lines.append(line)
    return lines + [""]


def main() -> int:
    parser = argparse.ArgumentParser(prog="evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--arch", choices=[*sorted(training.ARCHS), "wordllama"], default="bow")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--weight", type=float, default=0.75)
    parser.add_argument("--keep-negated", action="store_true", help="let the model speak on negated sentences")
    parser.add_argument("--write", metavar="HEADING", help="append the tables under this heading to results.md")
    args = parser.parse_args()
    silencing = fallback.SILENCING - ({"negated"} if args.keep_negated else set())
    base = get_analyzer()
    out = [(f"### {args.write or 'run'} · arch {args.arch} · weight {args.weight} · silenced by "
           f"{', '.join(sorted(silencing))} · {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"), ""]
    totals, sentences = dev_out_of_fold(base, args.arch, args.folds, args.weight, silencing)
    out += table(f"dev passages, analyzer + fallback (out-of-fold, {args.folds} folds by source)", totals)
    lines, _ = sentence_table(sentences)
    out += lines
    print("\n".join(out), flush=True)
    dev_rows, other = training.all_rows()
    predict = training.fit(dev_rows + other, args.arch)
    more: list[str] = []
    more += table("holdout3 (blind, aggregate)", scored(base, predict, args.weight, silencing, HOLDOUT3))
    more += table("real-text blind passages + notes (blind, aggregate)",
                  scored(base, predict, args.weight, silencing, BLIND, NOTES))
    more += table("tests/eval/cases.yml (in training)", scored(base, predict, args.weight, silencing,
                                                                ROOT / "tests" / "eval" / "cases.yml"))
    print("\n".join(more))
    if args.write:
        with RESULTS.open("a", encoding="utf-8") as fh:
            fh.write("\n".join(out + more) + "\n")
    counts = Counter(y for _, y, _ in dev_rows + other)
    print(f"training sentences: {dict(sorted(counts.items()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
