"""What context does to meaning, end to end: figures decide their phrase, general advice is about no one here,
middling public data is not a red flag."""

from __future__ import annotations

import pytest


def test_a_red_and_a_healthy_board_pass_rate_give_different_signals_and_ratios(analyzer):
    red = analyzer.analyze_text("PD: Our board pass rate is 82% over the last three years.")
    healthy = analyzer.analyze_text("PD: Our board pass rate is 96% over the last three years.")
    assert red.signals["coverage"] > 0 and red.signals["outcomes"] == 0
    assert healthy.signals["outcomes"] > 0 and healthy.signals["coverage"] == 0
    assert red.ratio is None and red.balance == 1.0
    assert healthy.balance == -1.0
    phrase = [h for h in red.hits if "pass rate" in h.text.lower()]
    assert phrase and all(h.counts_for != "outcomes" for h in phrase)  # the phrase around a red figure


@pytest.mark.parametrize("text", [
    "Advisor said programs that call themselves a family are usually short on residents.",
    "General tip from the webinar: be wary of any program that says you will see a lot of pathology.",
    "At my other interview the PD said we are like a family.",
])
def test_general_advice_counts_for_neither_side(analyzer, text):
    result = analyzer.analyze_text(text)
    assert result.hits, "the coded phrase is still heard"
    assert all(not h.counted for h in result.hits), [(h.text, h.cue) for h in result.hits]
    assert any(q.name == "general" for h in result.hits for q in h.qualifiers)
    assert result.signals == {"coverage": 0.0, "outcomes": 0.0}


def test_the_same_phrase_about_this_program_counts(analyzer):
    result = analyzer.analyze_text("PD: We are like a family here.")
    assert [h.counts_for for h in result.hits] == ["coverage"]


def test_middling_public_data_is_caution_not_red(analyzer):
    from analyzer.checklist import score_profile
    from analyzer.rules import packaged_rules

    middling = {"board_pass_rate": 87, "pd_tenure_years": 3, "alumni": [{"name": "A", "place": "Ohio"}],
                "soap_years": 0}
    red = {"board_pass_rate": 80, "pd_tenure_years": 1, "alumni": [{"name": "A", "place": "Ohio"}], "soap_years": 0}
    caution = score_profile(middling, "p", 2026, packaged_rules())
    bad = score_profile(red, "p", 2026, packaged_rules())
    answers = {i.key: i.answer for i in caution.items}
    assert answers["board_pass_rates"] == "partly" and answers["leadership_stability"] == "partly"
    assert caution.score > bad.score
    dependent_talk = ("PD: We are busy and you will see a lot of pathology, but Wednesday afternoons are protected "
                      "for 3 hours of didactics and faculty hold the pagers. Our grads went to cardiology at Mayo "
                      "in 2024 and GI at Emory in 2023. Residents say nights are heavy and we are like a family. ")
    with_caution = analyzer.analyze(_note(dependent_talk * 2), middling)
    assert with_caution.verdict.bucket != "desperate"


def _note(text):
    from analyzer.results import Note

    return Note(source="n", text=text)


def test_a_third_pd_since_a_year_is_turnover_not_tenure(analyzer):
    result = analyzer.analyze(_note_dated("Interim PD. Old PD left for other opportunities, 3rd PD since 2021."))
    figures = {(n.metric, n.status) for n in result.numbers if n.counted}
    assert ("pd_turnover", "red") in figures and not any(m == "pd_tenure" for m, _ in figures)
    assert all(h.counts_for != "outcomes" for h in result.hits)
    assert any(h.text == "3rd PD since 2021" and h.counts_for == "coverage" for h in result.hits)


def test_an_apd_since_a_year_is_not_the_program_directors_tenure(analyzer):
    result = analyzer.analyze(_note_dated("PD: Dr. Castellano (APD since 2020) is acting PD this year."))
    assert not [n for n in result.numbers if n.metric == "pd_tenure"]


def _note_dated(text):
    from analyzer.results import Note

    return Note(source="n", text=text, meta={"date": "2026-11-01"})


@pytest.mark.parametrize(("text", "counts"), [
    ("At most community programs the interns cover nights, that's just residency.", False),
    ("My old program was a sweatshop, this place is different.", False),
    ("Unlike other programs, we have protected didactics every Wednesday afternoon.", True),
])
def test_other_programs_are_about_no_one_here_unless_contrasted_with_this_one(analyzer, text, counts):
    hits = analyzer.analyze_text(text).hits
    assert hits and any(h.counted for h in hits) is counts


def test_a_denial_ends_at_the_comma(analyzer):
    hits = analyzer.analyze_text("PD: You are never alone overnight, there is an in-house attending and a senior.").hits
    attending = [h for h in hits if "attending" in h.text]
    assert attending and all(h.counts_for == "outcomes" and not h.qualifiers for h in attending)
