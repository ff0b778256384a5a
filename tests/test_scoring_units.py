"""Unit tests of the scoring rules on hand-built plain inputs: each fails when its rule is removed."""

from __future__ import annotations

import copy

import pytest

from analyzer import absences, counting, verdict
from analyzer.results import Checklist, ChecklistItem, Heard, Hit, Missing, NumberFinding, Qualifier, Turn
from analyzer.rules import QualifierEffect, packaged_rules

SCORING = {
    "vague_factor": 0.5,
    "repeat_exponent": 0.5,
    "specifics_window": 1,
    "number_weights": {"red": 2.0, "caution": 1.0, "healthy": 2.0},
    "checklist_caution_share": 0.5,
    "missing_factor": 0.4,
    "verdict": {"min_words": 40, "min_hits": 3, "strategic_at": 0.62, "desperate_below": 0.3,
                "checklist_min_known": 40, "checklist_strategic_at": 75, "checklist_desperate_below": 40},
    "confidence": {"full_at_pieces": 12, "base": 0.5, "margin_bonus_max": 0.5, "margin_scale": 2.5,
                   "public_only": 0.5, "disagreement_factor": 0.7, "borderline_factor": 0.5},
    "reasons": {"top_entries": 6},
}
EFFECTS = (
    QualifierEffect("question", "neither", "neither", "ignore"),
    QualifierEffect("hypothetical", "neither", "neither", "ignore"),
    QualifierEffect("general", "neither", "neither", "ignore"),
    QualifierEffect("historical", "neither", "other_side", "ignore", entry_override="past_counts_for"),
    QualifierEffect("negated", "neither", "other_side", "ignore", entry_override="negated_counts_for"),
    QualifierEffect("hearsay", "as_is", "as_is", "count", factor=0.5),
)
TOPICS = {"min_words": 150, "topics": {
    "teaching": {"label": "Teaching specifics", "question": "When is didactic time?", "weight": 2.5},
    "boards": {"label": "Board results", "question": "What is the pass rate?", "weight": 2.5},
}}


class Entry:
    """A stand-in lexicon entry with only what counting reads."""

    def __init__(self, id, side="coverage", weight=2.0, needs_specifics=False, topic=None,
                 negated_counts_for=None, past_counts_for=None, fallback=False):
        self.id, self.side, self.weight, self.category = id, side, weight, f"{side}-talk"
        self.needs_specifics, self.topic, self.fallback = needs_specifics, topic, fallback
        self.negated_counts_for, self.past_counts_for = negated_counts_for, past_counts_for


def hit(side="coverage", weight=2.0, entry=None, start=0, end=5, counted=True, role="program_director", text=None,
        topic=None, counts_for=None):
    return Hit(entry=entry or f"{side}-{start}", side=side, category=f"{side}-talk", text=text or f"t{start}",
               start=start, end=end, weight=weight, counted=counted, counts_for=counts_for or
               (side if counted else "none"), base_weight=weight, role=role, topic=topic)


def number(status, start=100, end=110, counted=True, topic="boards", value=82.0):
    return NumberFinding("board_pass_rate", "Board pass rate", value, "%", status, "note", "82%", start, end,
                         topic, counted=counted)


def q(name):
    return Qualifier(name, "cue", 0, 3)


# --- counting: which side a hit adds to ---------------------------------------------------------------------

@pytest.mark.parametrize(("side", "names", "role", "expected"), [
    ("outcomes", [], "program_director", "outcomes"),
    ("outcomes", [], "applicant", "none"),
    ("coverage", [], "applicant", "none"),
    ("outcomes", ["question"], "resident", "none"),
    ("outcomes", ["hypothetical"], "resident", "none"),
    ("coverage", ["general"], "resident", "none"),
    ("outcomes", ["negated"], "resident", "coverage"),
    ("coverage", ["negated"], "resident", "none"),
    ("outcomes", ["historical"], "resident", "coverage"),
    ("coverage", ["historical"], "resident", "none"),
    ("outcomes", ["hearsay"], "resident", "outcomes"),
    ("outcomes", ["negated", "question"], "resident", "none"),  # the first listed qualifier decides
    ("outcomes", ["hearsay", "negated"], "resident", "coverage"),
])
def test_counts_for(side, names, role, expected):
    assert counting.counts_for(side, names, role, EFFECTS) == expected


def test_an_entry_can_say_how_it_counts_when_negated_or_past():
    overrides = {"negated_counts_for": "outcomes", "past_counts_for": "none"}
    assert counting.counts_for("coverage", ["negated"], "pd", EFFECTS, overrides) == "outcomes"
    assert counting.counts_for("outcomes", ["historical"], "pd", EFFECTS, overrides) == "none"
    assert counting.counts_for("outcomes", ["question"], "pd", EFFECTS, overrides) == "none"


def test_hearsay_weighs_half_and_other_qualifiers_do_not_change_weight():
    assert counting.weight_factor(["hearsay"], EFFECTS) == 0.5
    assert counting.weight_factor(["negated"], EFFECTS) == 1.0
    assert counting.weight_factor([], EFFECTS) == 1.0


def count_one(entry, qualifiers=(), specifics=(), turns=None):
    heard = [Heard(entry.id, 0, 10, "said it", tuple(q(n) for n in qualifiers), None, tuple(specifics))]
    turns = turns if turns is not None else [Turn(0, 50, "PD", "program_director")]
    return counting.count_hits(heard, {entry.id: entry}, turns, EFFECTS, SCORING)[0]


def test_a_vague_outcomes_claim_counts_half_and_a_specific_one_in_full():
    entry = Entry("grads", "outcomes", 3.0, needs_specifics=True)
    vague, specific = count_one(entry), count_one(entry, specifics=["Mayo", "2023"])
    assert (vague.vague, vague.weight) == (True, 1.5)
    assert (specific.vague, specific.weight, specific.specifics) == (False, 3.0, ["Mayo", "2023"])
    assert count_one(Entry("fam", "coverage", 3.0, needs_specifics=True)).weight == 3.0


def test_count_hits_takes_speaker_and_context():
    entry = Entry("didactics", "outcomes", 2.0)
    counted = count_one(entry, qualifiers=["negated", "hearsay"])
    assert (counted.counts_for, counted.counted, counted.weight, counted.role) == ("coverage", True, 1.0,
                                                                                     "program_director")
    asked = count_one(entry, turns=[Turn(0, 50, "Me", "applicant")])
    assert (asked.counted, asked.counts_for) == (False, "none")
    assert count_one(entry, turns=[]).role == "unknown"


def test_figures_under_a_plan_question_or_denial_do_not_count_but_hearsay_does():
    plain = number("red")
    asked = NumberFinding(**{**plain.__dict__, "qualifiers": (q("question"),)})
    heard = NumberFinding(**{**plain.__dict__, "qualifiers": (q("hearsay"),)})
    by_me = NumberFinding(**{**plain.__dict__, "start": 60, "end": 65})
    out = counting.count_numbers([plain, asked, heard], [Turn(0, 200, "PD", "program_director")], EFFECTS)
    assert [n.counted for n in out] == [True, False, True]
    mine = counting.count_numbers([by_me], [Turn(0, 50, "PD", "program_director"), Turn(50, 99, "Me", "applicant")],
                                  EFFECTS)
    assert mine[0].counted is False and mine[0].role == "applicant"


def test_repeats_are_damped():
    hits = [hit(entry="fam", weight=4.0, start=i * 10, end=i * 10 + 5) for i in range(4)]
    hits.append(hit(entry="fam", weight=4.0, start=60, end=65, counted=False))
    out = counting.damp_repeats(hits, 0.5)
    assert [h.weight for h in out] == [4.0, round(4 / 2 ** 0.5, 3), round(4 / 3 ** 0.5, 3), 2.0, 0.0]
    assert [h.repeat for h in out[:4]] == [1, 2, 3, 4] and {h.times for h in out} == {4}


def test_a_red_figure_silences_the_outcomes_phrase_it_sits_in_and_counts_for_coverage():
    phrase = hit("outcomes", 2.0, start=100, end=120, text="board pass rate is 82%")
    out = counting.resolve_overlaps([phrase], [number("red", 100, 120)])
    assert (out[0].counted, out[0].counts_for) == (False, "none") and "82%" in out[0].overruled_by
    healthy = counting.resolve_overlaps([phrase], [number("healthy", 100, 120)])
    assert healthy[0].counted and healthy[0].counts_for == "outcomes"
    apart = counting.resolve_overlaps([phrase], [number("red", 130, 140)])
    assert apart[0].counted
    asked = counting.resolve_overlaps([phrase], [number("red", 100, 120, counted=False)])
    assert asked[0].counted


def test_red_and_healthy_figures_give_different_signals():
    hits = [hit("outcomes", 2.0)]
    red = counting.tally(hits, [number("red")], SCORING["number_weights"])
    healthy = counting.tally(hits, [number("healthy")], SCORING["number_weights"])
    caution = counting.tally(hits, [number("caution")], SCORING["number_weights"])
    assert red == {"coverage": 2.0, "outcomes": 2.0}
    assert healthy == {"coverage": 0.0, "outcomes": 4.0}
    assert caution == {"coverage": 1.0, "outcomes": 2.0}
    assert counting.tally(hits, [number("red", counted=False)], SCORING["number_weights"])["coverage"] == 0.0


def test_overlapping_hits_on_opposite_sides_resolve_to_one_reading():
    boast = hit("outcomes", 2.0, entry="pd-since", start=4, end=17, text="PD since 2021")
    warning = hit("coverage", 2.0, entry="third-pd", start=0, end=17, text="3rd PD since 2021")
    elsewhere = hit("outcomes", 2.0, entry="grads", start=30, end=40)
    out = counting.resolve_overlaps([warning, boast, elsewhere], [])
    assert [(h.entry, h.counts_for) for h in out] == [("third-pd", "coverage"), ("pd-since", "none"),
                                                      ("grads", "outcomes")]
    # a listed outcomes entry that wholly holds a broad fallback's coverage hit keeps its reading
    broad = hit("coverage", 1.0, entry="absorb", start=13, end=32)
    listed = hit("outcomes", 2.0, entry="hospitalists", start=0, end=32)
    kept = counting.resolve_overlaps([listed, broad], [], frozenset({"absorb"}))
    assert [(h.entry, h.counts_for) for h in kept] == [("hospitalists", "outcomes"), ("absorb", "none")]
    same_side = counting.resolve_overlaps([hit("coverage", start=0, end=9), hit("coverage", start=3, end=12)], [])
    assert all(h.counted for h in same_side)


def test_summary_numbers():
    hits = [hit("coverage", 3.0), hit("outcomes", 1.0, start=10, end=15), hit("outcomes", counted=False)]
    ratio, balance, rates = counting.summary_numbers({"coverage": 3.0, "outcomes": 1.0}, hits, 500)
    assert (ratio, balance) == (3.0, 0.5)
    assert rates == {"coverage": 2.0, "outcomes": 2.0, "hits": 6.0}
    assert counting.summary_numbers({"coverage": 0.0, "outcomes": 0.0}, [], 0) == (None, None,
                                                                                   {"coverage": 0.0,
                                                                                    "outcomes": 0.0, "hits": 0.0})


def test_by_role_totals_only_counted_hits():
    hits = [hit("coverage", 2.0, role="resident"), hit("outcomes", 1.0, role="program_director"),
            hit("outcomes", 5.0, role="resident", counted=False)]
    assert counting.by_role(hits) == {"program_director": {"coverage": 0.0, "outcomes": 1.0},
                                      "resident": {"coverage": 2.0, "outcomes": 0.0}}


# --- the verdict -------------------------------------------------------------------------------------------

def talk(coverage: float, outcomes: float, pieces: int = 6) -> list[Hit]:
    """Hits adding up to the given totals, split over pieces."""
    n_cov = pieces // 2 if coverage and outcomes else (pieces if coverage else 0)
    n_out = pieces - n_cov if outcomes else 0
    out = [hit("coverage", coverage / n_cov, entry=f"c{i}", start=i * 10, end=i * 10 + 5) for i in range(n_cov)]
    out += [hit("outcomes", outcomes / n_out, entry=f"o{i}", start=500 + i * 10, end=505 + i * 10)
            for i in range(n_out)]
    return out


@pytest.mark.parametrize(("coverage", "outcomes", "bucket"), [
    (3.8, 6.2, "strategic"), (3.9, 6.1, "dependent"), (7.0, 3.0, "dependent"), (7.1, 2.9, "desperate"),
])
def test_thresholds(coverage, outcomes, bucket):
    assert verdict.decide(talk(coverage, outcomes), [], [], None, 200, SCORING).bucket == bucket


def test_minimum_evidence():
    assert verdict.decide(talk(1, 9, pieces=2), [], [], None, 200, SCORING).bucket == "insufficient"
    assert verdict.decide(talk(1, 9, pieces=3), [], [], None, 200, SCORING).bucket == "strategic"
    assert verdict.decide(talk(1, 9, pieces=6), [], [], None, 39, SCORING).bucket == "insufficient"
    assert verdict.decide([], [], [], None, 500, SCORING).bucket == "insufficient"
    short = verdict.decide(talk(1, 9, pieces=2), [], [], None, 200, SCORING)
    assert "2 counted signal(s) in 200 words" in short.reasons[0] and short.share is None


def test_figures_and_absences_are_evidence():
    hits = talk(2, 8, pieces=4)
    assert verdict.decide(hits, [], [], None, 200, SCORING).bucket == "strategic"
    red = [number("red", 900, 910), number("red", 920, 930, value=80.0), number("caution", 940, 950, value=86.0)]
    assert verdict.evidence(hits, red, [], SCORING) == (7.0, 8.0, 7)
    gap = [Missing("teaching", "Teaching", "?", 2.5), Missing("boards", "Boards", "?", 2.5)]
    assert verdict.evidence(hits, [], gap, SCORING) == (4.0, 8.0, 4)
    assert verdict.evidence(hits, [number("info")], [], SCORING)[2] == 4


def test_confidence_grows_with_evidence_and_distance_from_the_lines():
    few = verdict.decide(talk(1, 9, pieces=3), [], [], None, 200, SCORING)
    many = verdict.decide(talk(1, 9, pieces=12), [], [], None, 200, SCORING)
    assert few.confidence == round(3 / 12 * 1.0, 2) and many.confidence == 1.0
    near = verdict.talk_confidence(0.63, 12, SCORING)
    assert near == pytest.approx(0.5 + 0.01 * 2.5)
    assert verdict.talk_confidence(0.9, 24, SCORING) == 1.0


def test_borderline_flip_halves_confidence_and_says_why():
    hits = [hit("outcomes", 6.2, entry="grads", text="our grads")] + talk(3.8, 0, pieces=3)
    judged = verdict.decide(hits, [], [], None, 200, SCORING)
    assert judged.bucket == "strategic"
    assert judged.reasons[-1] == 'Borderline: without "our grads" the talk would sound desperate.'
    steady = verdict.decide(talk(1, 9, pieces=12), [], [], None, 200, SCORING)
    assert not any("Borderline" in r for r in steady.reasons)
    assert judged.confidence == round(verdict.talk_confidence(0.62, 4, SCORING) * 0.5, 2)
    assert verdict.single_phrase_flip([hit("outcomes", counted=False)], 1.0, 9.0, "strategic",
                                      SCORING["verdict"]) is None


def checklist(score, known=100):
    return Checklist([ChecklistItem("board_pass_rates", "Boards", 25, "no", 0, "")], score, known)


def test_talk_against_public_data_takes_the_cautious_reading():
    hits = talk(1, 9, pieces=12)
    bad_public = verdict.decide(hits, [], [], checklist(20), 200, SCORING)
    assert bad_public.bucket == "dependent"  # opposite ends meet in the middle
    assert "public data points to desperate" in bad_public.reasons[1]
    assert bad_public.confidence == round(1.0 * 0.7, 2)
    middling = verdict.decide(hits, [], [], checklist(60), 200, SCORING)
    assert middling.bucket == "dependent"
    agree = verdict.decide(hits, [], [], checklist(90), 200, SCORING)
    assert agree.bucket == "strategic" and agree.confidence == 1.0
    unknown = verdict.decide(hits, [], [], checklist(10, known=30), 200, SCORING)
    assert unknown.bucket == "strategic"  # too little of the checklist is known to weigh in


def test_public_data_alone():
    judged = verdict.decide([], [], [], checklist(20), 10, SCORING)
    assert (judged.bucket, judged.confidence) == ("desperate", 0.5)
    assert "checklist alone (20/100)" in judged.reasons[0]
    assert verdict.checklist_bucket(checklist(75), SCORING["verdict"]) == "strategic"
    assert verdict.checklist_bucket(checklist(74.9), SCORING["verdict"]) == "dependent"
    assert verdict.checklist_bucket(checklist(39.9), SCORING["verdict"]) == "desperate"
    assert verdict.checklist_bucket(None, SCORING["verdict"]) is None


@pytest.mark.parametrize(("talk_bucket", "public", "expected"), [
    ("strategic", "desperate", "dependent"), ("desperate", "strategic", "dependent"),
    ("strategic", "dependent", "dependent"), ("dependent", "desperate", "desperate"),
    ("strategic", None, "strategic"), (None, "desperate", "desperate"), (None, None, None),
])
def test_combine(talk_bucket, public, expected):
    assert verdict.combine(talk_bucket, public) == expected


def test_reasons_name_the_heaviest_phrases_once_each_and_the_figures():
    hits = [hit("coverage", 3.0, entry="fam", text="like a family", start=i) for i in range(3)]
    hits += [hit("outcomes", 1.0, entry=f"o{i}", text=f"out{i}", start=100 + i) for i in range(8)]
    reasons = verdict.reasons_for(hits, [number("red"), number("red")], [Missing("boards", "Board results", "?", 2)],
                                  checklist(50), 0.4, "dependent", SCORING)
    assert reasons[0].startswith("Outcomes talk is 40.0% of the evidence (strategic from 62%, desperate below 30%)")
    assert reasons[1] == 'Coverage: "like a family" (said 3 times).'
    assert sum(r.startswith("Outcomes:") for r in reasons) == 5  # six phrases named at most
    assert sum(r.startswith("Board pass rate") for r in reasons) == 1
    assert "Never talked about: board results." in reasons
    assert reasons[-1].endswith("which points to dependent.")


# --- absences and follow-up questions --------------------------------------------------------------------

def test_missing_topics_need_enough_words_and_a_program_speaker():
    none_yet, note = absences.missing_topics([], [], 100, TOPICS)
    assert none_yet == [] and "100 words; 150 needed" in note
    touched = [hit("outcomes", topic="teaching"), hit("outcomes", topic="boards", role="applicant")]
    missing, note = absences.missing_topics(touched, [], 200, TOPICS)
    assert [m.topic for m in missing] == ["boards"] and note is None
    by_figure, _ = absences.missing_topics([], [number("red")], 200, TOPICS)
    assert [m.topic for m in by_figure] == ["teaching"]
    asked_figure, _ = absences.missing_topics([], [number("red", counted=False)], 200, TOPICS)
    assert len(asked_figure) == 2


def test_follow_ups_are_deduplicated_and_heaviest_first():
    hits = [hit("coverage", 2.0, entry="fam", text="like a family"),
            hit("coverage", 3.0, entry="fam2", text="we are family"),
            hit("outcomes", 5.0, entry="grads")]
    questions = {"fam": "Who covers sick calls?", "fam2": "Who covers sick calls?", "grads": "Where did they go?"}
    missing = [Missing("teaching", "Teaching specifics", "When is didactic time?", 2.5)]
    asked = absences.follow_ups(hits, missing, [number("red")], questions, TOPICS)
    assert [f.question for f in asked] == ["Who covers sick calls?", "What is the pass rate?",
                                           "When is didactic time?"]
    assert asked[0].weight == 3.0 and asked[0].because == 'they said "we are family"'
    assert asked[1].because == "board pass rate of 82 %"


def test_packaged_rules_hold_the_article_numbers():
    rules = packaged_rules()
    weights = {k: v["weight"] for k, v in rules.checklist["items"].items()}
    assert weights == {"alumni_outcomes": 30, "board_pass_rates": 25, "soap_history": 20,
                       "leadership_stability": 15, "visa_handling": 10}
    assert [e.name for e in rules.qualifiers][:2] == ["question", "hypothetical"]
    effects = {e.name: e for e in rules.qualifiers}
    assert effects["negated"].side_for("outcomes") == "coverage" and effects["hearsay"].factor == 0.5
    assert effects["general"].side_for("coverage") == "none"
    scoring = copy.deepcopy(rules.scoring)
    assert scoring["verdict"]["strategic_at"] == 0.62 and scoring["verdict"]["desperate_below"] == 0.3


# --- the details a user reads: every field of a hit, exact figures ----------------------------------------

def test_count_hits_fills_every_field_a_report_shows():
    entry = Entry("grads", "outcomes", 3.0, needs_specifics=True, topic="graduate-outcomes",
                  negated_counts_for="none")
    heard = [Heard("grads", 4, 20, "grads went to GI", (q("hearsay"),), 91.0, ("GI",)),
             Heard("grads", 30, 40, "no grads", (q("negated"),), None, ())]
    turns = [Turn(0, 25, "Dr. Lee", "program_director", "00:01"), Turn(25, 60, "Sam", "resident")]
    first, second = counting.count_hits(heard, {"grads": entry}, turns, EFFECTS, SCORING)
    assert first == Hit(entry="grads", side="outcomes", category="outcomes-talk", text="grads went to GI", start=4,
                        end=20, weight=1.5, counted=True, counts_for="outcomes", base_weight=3.0,
                        qualifiers=[q("hearsay")], speaker="Dr. Lee", role="program_director", fuzzy=91.0,
                        vague=False, specifics=["GI"], topic="graduate-outcomes", timestamp="00:01")
    assert (second.counts_for, second.counted, second.speaker, second.timestamp, second.vague) == \
        ("none", False, "Sam", None, False)  # the entry says a denial counts for neither side


def test_summary_numbers_exact():
    hits = [hit("coverage", 2.0), hit("outcomes", 3.0, start=9), hit("outcomes", 1.0, start=20),
            hit("coverage", counted=False, start=30)]
    ratio, balance, rates = counting.summary_numbers({"coverage": 2.0, "outcomes": 3.0}, hits, 300)
    assert (ratio, balance) == (0.667, -0.2)
    assert rates == {"coverage": 3.33, "outcomes": 6.67, "hits": 13.33}
    assert counting.summary_numbers({"coverage": 2.0, "outcomes": 0.0}, hits, 300)[:2] == (None, 1.0)


def test_figure_overlap_needs_a_shared_character_and_checks_every_figure():
    phrase = hit("outcomes", 2.0, start=100, end=120)
    touching = counting.resolve_overlaps([phrase], [number("red", 90, 100), number("red", 120, 130)])
    assert touching[0].counted
    several = counting.resolve_overlaps(
        [hit("outcomes", start=10, end=15), phrase],
        [number("healthy", 0, 5), number("healthy", 104, 106), number("red", 110, 112)])
    assert [h.counted for h in several] == [True, False]


def test_overlap_sweep_handles_unsorted_hits_and_chains():
    later = hit("outcomes", entry="b", start=8, end=14)
    first = hit("coverage", entry="a", start=0, end=10)
    third = hit("outcomes", entry="c", start=20, end=30)
    touching = hit("coverage", entry="d", start=30, end=35)
    out = counting.resolve_overlaps([later, third, first, touching], [])
    assert [(h.entry, h.counted) for h in out] == [("b", False), ("c", True), ("a", True), ("d", True)]
    assert out[0].overruled_by == "'t0'"
    held = counting.resolve_overlaps([hit("coverage", entry="x", start=5, end=12), hit("outcomes", entry="y",
                                                                                   start=0, end=12)], [],
                                     frozenset({"x"}))
    assert [h.counted for h in held] == [False, True]
    not_held = counting.resolve_overlaps([hit("coverage", entry="x", start=5, end=14), hit("outcomes", entry="y",
                                                                                       start=0, end=12)], [],
                                         frozenset({"x"}))
    assert [h.counted for h in not_held] == [True, False]
    both_broad = counting.resolve_overlaps([hit("coverage", entry="x", start=5, end=12),
                                            hit("outcomes", entry="y", start=0, end=12)], [], frozenset({"x", "y"}))
    assert [h.counted for h in both_broad] == [True, False]


def test_borderline_names_the_phrase_and_the_other_bucket():
    hits = talk(7.0, 0, pieces=4) + [hit("outcomes", 3.1, entry="grads", text="our grads", start=900, end=905)]
    coverage, outcomes = 7.0, 3.1
    flip = verdict.single_phrase_flip(hits, coverage, outcomes, "dependent", SCORING["verdict"])
    assert flip is not None and flip[0].text == "our grads" and flip[1] == "desperate"
    cov_flip = verdict.single_phrase_flip([hit("coverage", 1.0, text="nights")], 1.0, 3.0, "dependent",
                                          SCORING["verdict"])
    assert cov_flip is not None and cov_flip[1] == "strategic"


def test_verdict_reports_its_share_and_reasons_in_full():
    hits = talk(3.0, 7.0, pieces=12)
    gap = [Missing("boards", "Board results", "?", 2.5)]
    judged = verdict.decide(hits, [], gap, checklist(80), 40, SCORING)
    assert judged.share == round(7.0 / 11.0, 3)
    assert judged.bucket == "strategic"
    assert "Never talked about: board results." in judged.reasons
    assert any(r.endswith("known items, which points to strategic.") for r in judged.reasons)
    assert judged.reasons[-1] == 'Borderline: without "t500" the talk would sound dependent.'
    assert judged.confidence == round(verdict.talk_confidence(7 / 11, 12, SCORING) * 0.5, 2)
    worse = verdict.decide(talk(5.0, 5.0, pieces=6), [], [], checklist(90), 100, SCORING)
    assert worse.confidence == round(verdict.talk_confidence(0.5, 6, SCORING) * 0.7, 2) and worse.share == 0.5
    public_only = verdict.decide(talk(1.0, 2.0, pieces=2), [], [], checklist(80), 100, SCORING)
    assert public_only.share == 0.667 and public_only.reasons == [
        "Judged from the public-data checklist alone (80/100); the note has too little talk to judge."]
    empty = verdict.decide([], [], [], None, 10, SCORING)
    assert (empty.bucket, empty.confidence, empty.share) == ("insufficient", 0.0, None)
