"""Judge like a program director: specifics, numbers against thresholds, absences, checklist, verdict."""

from __future__ import annotations

import textwrap

from conftest import analyze_json, analyze_text_json, counted, run


def outcome_hits(data):
    return [h for h in data["hits"] if h["counts_for"] == "outcomes"]


def test_named_outcomes_are_specific_and_vague_ones_are_not(tmp_path):
    specific = analyze_text_json("PD: Our grads went to cardiology at Baylor and GI at Mayo in 2024.\n", tmp_path, "a.txt")
    vague = analyze_text_json("PD: Our grads do well.\n", tmp_path, "b.txt")
    s, v = outcome_hits(specific)[0], outcome_hits(vague)[0]
    assert s["vague"] is False and {"Baylor", "Mayo"} <= set(s["specifics"])
    assert v["vague"] is True and v["weight"] < s["weight"]


def test_board_pass_rates_against_thresholds(tmp_path):
    low = analyze_text_json("PD: Our board pass rate is 82%.\n", tmp_path, "a.txt")
    high = analyze_text_json("APD: ABIM first-time pass rate was 96% over 5 years.\n", tmp_path, "b.txt")
    mid = analyze_text_json("PD: boards 87 percent last year\n", tmp_path, "c.txt")
    assert [(n["metric"], n["value"], n["status"]) for n in low["numbers"]] == [("board_pass_rate", 82.0, "red")]
    assert [(n["metric"], n["value"], n["status"]) for n in high["numbers"]] == [("board_pass_rate", 96.0, "healthy")]
    assert mid["numbers"][0]["status"] == "caution"


def test_other_numbers_are_read(tmp_path):
    text = ("We SOAPed 3 years in a row. PD since 2023, third PD in 6 years. Residents work 90 hours a week. "
            "Didactics are 1 hour a week. 95% of residents are IMGs.\n")
    data = analyze_text_json(text, tmp_path)
    found = {n["metric"]: n for n in data["numbers"]}
    assert found["soap_years"]["value"] == 3 and found["soap_years"]["status"] == "red"
    assert found["weekly_hours"]["status"] == "red"
    assert found["didactic_hours"]["status"] == "red"
    assert found["img_share"]["value"] == 95
    assert found["pd_turnover"]["status"] == "red"


def test_absences_listed_for_long_notes_and_not_for_short_ones(tmp_path):
    long_note = ("PD: You will see a lot of pathology. We are like a family. Our residents are very independent. "
                 "We need people who are not afraid of hard work and who can cover nights. ") * 6
    data = analyze_text_json(long_note, tmp_path, "a.txt")
    topics = {m["topic"] for m in data["missing"]}
    assert {"teaching", "graduate-outcomes", "boards", "scholarship"} <= topics
    assert data["follow_up"] and data["follow_up"][0]["weight"] >= data["follow_up"][-1]["weight"]
    short = analyze_text_json("PD: We are like a family.\n", tmp_path, "b.txt")
    assert short["missing"] == [] and "Not enough text" in short["missing_note"]


def test_one_phrase_is_not_a_verdict(tmp_path):
    data = analyze_text_json("PD: We are like a family.\n", tmp_path)
    assert data["verdict"]["bucket"] == "insufficient"


def test_follow_up_questions_are_deduplicated(tmp_path):
    data = analyze_text_json("PD: We are like a family. We are like a family. We are like a family.\n", tmp_path)
    questions = [f["question"] for f in data["follow_up"]]
    assert len(questions) == len(set(questions))


PROFILE = """\
board_pass_rate: 96
soap_years: 0
pd_since: 2012
visa: {sponsored: [J-1, H-1B], paperwork_on_time: true}
alumni:
  - {name: A, outcome: cardiology, place: Henry Ford, year: 2024}
  - {name: B, outcome: hospitalist, place: Ohio, year: 2023}
as_of: 2026
"""


def test_full_profile_scores_with_article_weights(tmp_path):
    note = tmp_path / "n.txt"
    note.write_text("PD: We are like a family.\n")
    profile = tmp_path / "p.yml"
    profile.write_text(PROFILE)
    data = analyze_json(note, "--profile", str(profile))
    items = {i["key"]: i for i in data["checklist"]["items"]}
    assert all(i["answer"] == "yes" for i in items.values())
    assert data["checklist"]["score"] == 100.0
    profile.write_text(PROFILE.replace("board_pass_rate: 96", "board_pass_rate: 80").replace("paperwork_on_time: true",
                                                                                            "paperwork_on_time: false"))
    data = analyze_json(note, "--profile", str(profile))
    assert data["checklist"]["score"] == 65.0  # alumni 30 + SOAP 20 + leadership 15 of 100


def test_missing_profile_items_show_as_unknown(tmp_path):
    note = tmp_path / "n.md"
    note.write_text(textwrap.dedent("""\
        ---
        program: Test
        board_pass_rate: 92
        soap_years: [2024, 2025]
        ---
        PD: We are like a family.
        """))
    data = analyze_json(note)
    items = {i["key"]: i for i in data["checklist"]["items"]}
    assert items["board_pass_rates"]["answer"] == "yes" and items["soap_history"]["answer"] == "no"
    assert {items[k]["answer"] for k in ("alumni_outcomes", "leadership_stability", "visa_handling")} == {"unknown"}
    assert data["checklist"]["known_weight"] == 45
    assert data["checklist"]["score"] == round(100 * 25 / 45, 1)


def test_bad_profile_is_one_line_error(tmp_path):
    note = tmp_path / "n.txt"
    note.write_text("PD: We are like a family.\n")
    profile = tmp_path / "p.yml"
    profile.write_text("board_pass_rate: [unclosed\n")
    result = run("analyze", str(note), "--profile", str(profile))
    assert result.exit_code == 2 and result.output.startswith("redflags: error: ") and str(profile) in result.output


def test_no_single_phrase_flips_a_clear_verdict(tmp_path):
    base = ("PD: Our residents have 3 hours of protected didactics every Wednesday, chiefs hold the pagers. "
            "Last year grads matched cardiology at Emory and GI at Baylor. ABIM pass rate is 96% over 5 years. "
            "The PD has been here for 12 years. Residents presented 9 posters at ACP in 2025.\n")
    strategic = analyze_text_json(base, tmp_path, "a.txt")
    plus_one = analyze_text_json(base + "Resident: We are like a family.\n", tmp_path, "b.txt")
    assert strategic["verdict"]["bucket"] == plus_one["verdict"]["bucket"] == "strategic"
    assert counted(plus_one, "coverage")
