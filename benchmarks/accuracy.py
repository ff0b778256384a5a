"""Precision and recall of counted hits per side, and accuracy per qualifier, on tests/eval/cases.yml.

Run: python benchmarks/accuracy.py [--cases FILE] [--misses]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "eval" / "cases.yml"
sys.path.insert(0, str(ROOT))
from analyzer.rules import packaged_rules  # noqa: E402  (the checkout's analyzer, as for the analysis itself)

# The qualifiers the rules declare (rules/context.yml), so a new one is scored as soon as it exists.
QUALIFIERS = tuple(q.name for q in packaged_rules().qualifiers)
NUMBER_SIDES = {"red": "coverage", "caution": "coverage", "healthy": "outcomes"}


@dataclass
class Scores:
    """Counts behind the figures, and the cases that went wrong."""

    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    qual_right: Counter = field(default_factory=Counter)
    qual_total: Counter = field(default_factory=Counter)
    exact_right: int = 0
    exact_total: int = 0
    misses: list[str] = field(default_factory=list)

    def precision(self, side: str | None = None) -> float:
        tp = self.tp[side] if side else sum(self.tp.values())
        fp = self.fp[side] if side else sum(self.fp.values())
        return tp / (tp + fp) if tp + fp else 1.0

    def recall(self, side: str | None = None) -> float:
        tp = self.tp[side] if side else sum(self.tp.values())
        fn = self.fn[side] if side else sum(self.fn.values())
        return tp / (tp + fn) if tp + fn else 1.0

    def qualifier_accuracy(self, name: str | None = None) -> float:
        if name is None:
            return self.exact_right / self.exact_total if self.exact_total else 1.0
        return self.qual_right[name] / self.qual_total[name] if self.qual_total[name] else 1.0


def load_cases(path: Path = CASES) -> list[dict[str, Any]]:
    """The labeled cases."""
    cases: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return cases


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two character ranges share a character."""
    return a[0] < b[1] and b[0] < a[1]


def evaluate(analyzer: Any, cases: list[dict[str, Any]]) -> Scores:
    """Score the analyzer's counted hits and qualifiers against the labels."""
    scores = Scores()
    for case in cases:
        text = case["text"]
        result = analyzer.analyze_text(text, source=case["id"])
        expected = []
        for exp in case.get("expect") or []:
            start = text.index(exp["phrase"])
            expected.append(((start, start + len(exp["phrase"])), exp))
        predicted = [((h.start, h.end), h) for h in result.hits]
        # numbers judged against thresholds are counted evidence too ("96% over five years"); a number inside a
        # counted hit of its side is the same claim, so it is neither a new hit nor a false one
        hit_signals = [((h.start, h.end), h.counts_for, h.text) for h in result.hits if h.counted]
        number_signals = [((n.start, n.end), NUMBER_SIDES[n.status], n.text) for n in result.numbers
                          if n.counted and n.status in NUMBER_SIDES]
        signals = hit_signals + number_signals
        for span, side, said in signals:
            if any(overlaps(span, es) and e["counts_for"] == side for es, e in expected):
                scores.tp[side] += 1
            elif (span, side, said) in number_signals and any(overlaps(span, s) and sd == side
                                                              for s, sd, _ in hit_signals):
                continue
            else:
                scores.fp[side] += 1
                scores.misses.append(f"{case['id']} FP {side} '{said}': {text!r}")
        for es, exp in expected:
            side = exp["counts_for"]
            near = [h for span, h in predicted if overlaps(span, es)]
            if side != "none" and not any(overlaps(s, es) and sd == side for s, sd, _ in signals):
                scores.fn[side] += 1
                got = ", ".join(f"{h.entry}->{h.counts_for} ({h.cue})" for h in near) or "no hit"
                scores.misses.append(f"{case['id']} FN {side} '{exp['phrase']}' got {got}: {text!r}")
            if near:
                want = set(exp.get("qualifiers") or [])
                have = {q.name for h in near for q in h.qualifiers}
                scores.exact_total += 1
                scores.exact_right += want == have
                for name in QUALIFIERS:
                    if name in want or name in have:
                        scores.qual_total[name] += 1
                        scores.qual_right[name] += (name in want) == (name in have)
                if want != have:
                    scores.misses.append(f"{case['id']} QUAL want {sorted(want)} got {sorted(have)} "
                                         f"'{exp['phrase']}': {text!r}")
    return scores


def report(scores: Scores) -> str:
    """The figures as a small table."""
    lines = ["side      precision  recall"]
    for side in ("coverage", "outcomes"):
        lines.append(f"{side:<9} {scores.precision(side):9.3f} {scores.recall(side):7.3f}")
    lines.append(f"{'all':<9} {scores.precision():9.3f} {scores.recall():7.3f}")
    lines.append("qualifier     accuracy  (n)")
    for name in QUALIFIERS:
        lines.append(f"{name:<13} {scores.qualifier_accuracy(name):8.3f}  ({scores.qual_total[name]})")
    lines.append(f"{'exact set':<13} {scores.qualifier_accuracy():8.3f}  ({scores.exact_total})")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--misses", action="store_true", help="list every false positive, miss and wrong qualifier")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from analyzer.analysis import get_analyzer

    cases = load_cases(args.cases)
    scores = evaluate(get_analyzer(), cases)
    print(f"{len(cases)} cases")
    print(report(scores))
    if args.misses:
        print("\n".join(scores.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
