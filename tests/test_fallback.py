"""The learned fallback's gate: it may judge only program sentences no entry heard, never a question or a plan,
never the applicant's words; and it speaks only above its threshold. (The fallback is evaluated, not shipped:
benchmarks/fallback/results.md.)"""

from __future__ import annotations

import importlib.util
import sys

from conftest import ROOT

from analyzer.results import Note
from analyzer.speakers import load_role_rules, split_turns

spec = importlib.util.spec_from_file_location("gate", ROOT / "benchmarks" / "fallback" / "gate.py")
fallback = importlib.util.module_from_spec(spec)
sys.modules["gate"] = fallback
spec.loader.exec_module(fallback)

HEARD = "PD: We are like a family here and residents cover nights."
UNHEARD = "The cafeteria closes early on weekends and parking is far away."


def gate(analyzer, text):
    note = Note(source="t", text=text, turns=split_turns(text, load_role_rules(), None))
    return fallback.note_candidates(analyzer, note)[1]


def always(side, p):
    return lambda texts: [{side: p, "neither": 1 - p} for _ in texts]


def test_an_unheard_program_sentence_is_judged_without_the_speaker_label(analyzer):
    cands = gate(analyzer, f"PD: {UNHEARD}")
    assert [c.text for c in cands] == [UNHEARD]
    heard = fallback.model_heard(cands, always("coverage", 0.9), threshold=0.7)
    assert [(h.entry, h.text, p) for h, p in heard] == [("model-coverage", UNHEARD, 0.9)]


def test_it_stays_below_its_threshold(analyzer):
    cands = gate(analyzer, f"PD: {UNHEARD}")
    assert fallback.model_heard(cands, always("outcomes", 0.6), threshold=0.7) == []


def test_silent_where_a_lexicon_entry_speaks(analyzer):
    assert gate(analyzer, HEARD) == []
    assert [c.text for c in gate(analyzer, f"{HEARD}\nPD: {UNHEARD}")] == [UNHEARD]


def test_silent_on_applicant_lines(analyzer):
    assert gate(analyzer, f"Me: {UNHEARD}") == []
    assert gate(analyzer, f"Applicant: {UNHEARD}") == []


def test_silent_under_a_question_or_a_plan(analyzer):
    assert gate(analyzer, "Resident: Do the seniors ever get to leave before the evening sign out?") == []
    assert gate(analyzer, "PD: We hope to start a Friday lunch for the seniors next spring.") == []
    assert gate(analyzer, "PD: We do not have a Friday lunch for the seniors anymore these days.") == []
