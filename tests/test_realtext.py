"""The real-text development set (paraphrased public accounts) holds its floors: hits, qualifiers, dominant talk."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter

import pytest
import yaml
from conftest import ROOT

DEV = ROOT / "benchmarks" / "realtext" / "dev.yml"
spec = importlib.util.spec_from_file_location("accuracy", ROOT / "benchmarks" / "accuracy.py")
accuracy = importlib.util.module_from_spec(spec)
sys.modules.setdefault("accuracy", accuracy)  # dataclasses look their module up while the class is built
spec.loader.exec_module(accuracy)

# a little below the figures measured on the development half (benchmarks/realtext/results-dev.md), so that a
# regression in the lexicons or the context rules fails here
FLOORS = {"precision": 0.77, "recall": 0.89, "dominant": 0.74, "qualifiers": 0.84}


def dominant_talk(signals: dict[str, float]) -> str:
    """Neither when nothing counted; coverage or outcomes with two thirds of the weight or more; else mixed."""
    c, o = signals.get("coverage", 0.0), signals.get("outcomes", 0.0)
    if c + o <= 0:
        return "neither"
    if 3 * c >= 2 * (c + o):
        return "coverage"
    if 3 * o >= 2 * (c + o):
        return "outcomes"
    return "mixed"


@pytest.fixture(scope="module")
def cases():
    return yaml.safe_load(DEV.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def scores(analyzer, cases):
    return accuracy.evaluate(analyzer, cases)


def test_set_is_large_varied_and_well_formed(cases):
    assert len(cases) >= 125
    assert len({c["source"] for c in cases}) >= 25
    assert len({c["id"] for c in cases}) == len(cases)
    talks = Counter(c["dominant"] for c in cases)
    assert set(talks) <= {"coverage", "outcomes", "mixed", "neither"}
    assert talks["neither"] >= len(cases) // 6  # neutral chatter and general advice, not only red flags
    for case in cases:
        assert case["source"].startswith("http"), case["id"]
        for exp in case.get("expect") or []:
            assert exp["phrase"] in case["text"], (case["id"], exp["phrase"])
            assert exp["counts_for"] in ("coverage", "outcomes", "none"), case["id"]


@pytest.mark.parametrize("side", [None, "coverage", "outcomes"])
def test_counted_hits_hold_precision_and_recall(scores, side):
    assert scores.precision(side) >= FLOORS["precision"], accuracy.report(scores)
    assert scores.recall(side) >= FLOORS["recall"], accuracy.report(scores)


def test_qualifier_sets_mostly_right(scores):
    assert scores.qualifier_accuracy() >= FLOORS["qualifiers"], accuracy.report(scores)


def test_dominant_talk_agrees_with_the_labels(analyzer, cases):
    wrong = [(c["id"], c["dominant"], got) for c in cases
             if (got := dominant_talk(analyzer.analyze_text(c["text"], source=c["id"]).signals)) != c["dominant"]]
    assert 1 - len(wrong) / len(cases) >= FLOORS["dominant"], wrong


def test_mood_and_hedges_are_heard_in_plain_words(analyzer):
    def sides(text):
        return {h.entry.split("-")[0] for h in analyzer.analyze_text(text, source="t").hits
                if h.counted and h.counts_for == "coverage"}

    assert "mood" in sides("Resident at dinner: half the interns cry after every call.")
    assert "rtx" in sides("Conference happens if the census allows, honestly.")
    assert not sides("Residents looked relaxed and joked with the PD at lunch.")


def test_figures_in_words_and_bands_are_judged(analyzer):
    def statuses(text):
        return {n.metric: n.status for n in analyzer.analyze_text(text, source="t").numbers}

    assert statuses("ABIM pass rate is ninety-eight percent over three years")["board_pass_rate"] == "healthy"
    assert statuses("Their boards are in the upper eighties lately")["board_pass_rate"] == "caution"
    assert statuses("Interns do 28 hr shifts on trauma")["shift_length"] == "red"
    assert statuses("Surgery interns work six days a week")["days_per_week"] == "caution"
