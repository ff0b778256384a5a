"""Context decides meaning: negation, questions, plans, the past, speakers, repetition and typos (through the CLI)."""

from __future__ import annotations

from conftest import analyze_text_json, counted


def hits_for(data, word):
    return [h for h in data["hits"] if word in h["text"].lower()]


def test_negated_outcomes_claim_is_coverage_evidence(tmp_path):
    data = analyze_text_json("PD: We do not have protected didactics, service comes first.\n", tmp_path)
    hit = hits_for(data, "didactic")[0]
    assert hit["side"] == "outcomes" and hit["counts_for"] == "coverage"
    assert [q["name"] for q in hit["qualifiers"]] == ["negated"]
    assert hit["cue"].startswith("negated by '") and "not" in hit["cue"]
    assert not counted(data, "outcomes")


def test_applicant_question_is_not_a_claim_but_resident_answer_is(tmp_path):
    text = "Me: do you have protected didactics?\nResident (PGY-2): um, it depends on the month honestly.\n"
    data = analyze_text_json(text, tmp_path)
    question = hits_for(data, "didactic")[0]
    assert question["counted"] is False and question["role"] == "applicant"
    answers = [h for h in counted(data) if h["role"] == "resident"]
    assert answers and all(h["counts_for"] == "coverage" for h in answers)


def test_plan_is_not_a_track(tmp_path):
    data = analyze_text_json("APD: We hope to start a research track next year.\n", tmp_path)
    hit = hits_for(data, "research")[0]
    assert hit["counted"] is False and "hypothetical" in [q["name"] for q in hit["qualifiers"]]


def test_lost_benefit_counts_as_coverage(tmp_path):
    data = analyze_text_json("Chief: We used to have noon conference every day.\n", tmp_path)
    hit = hits_for(data, "conference")[0]
    assert hit["counts_for"] == "coverage" and hit["qualifiers"][0]["name"] == "historical"


def test_hearsay_counts_half(tmp_path):
    plain = analyze_text_json("PD: Our residents are very independent.\n", tmp_path, "a.txt")
    heard = analyze_text_json("I heard that residents are very independent.\n", tmp_path, "b.txt")
    p, h = hits_for(plain, "independent")[0], hits_for(heard, "independent")[0]
    assert h["counts_for"] == "coverage" and h["weight"] == p["weight"] / 2


def test_repetition_grows_less_than_linearly(tmp_path):
    once = analyze_text_json("PD: We are like a family.\n", tmp_path, "a.txt")
    thrice = analyze_text_json(
        "PD: We are like a family.\nChief: Honestly we're like a family.\nResident: Yeah, like a family here.\n",
        tmp_path, "b.txt")
    fam = [h for h in thrice["hits"] if "family" in h["text"]]
    assert len(fam) == 3 and all(h["times"] == 3 for h in fam)
    total, single = thrice["signals"]["coverage"], once["signals"]["coverage"]
    assert single < total < 3 * single


def test_typos_in_hurried_notes_are_heard(tmp_path):
    data = analyze_text_json("- PD says like a famly\n- residents very independant\n- 3 hrs protcted didactics weds\n",
                             tmp_path)
    texts = " ".join(h["text"] for h in counted(data))
    assert "famly" in texts and "independant" in texts and "protcted" in texts
    assert all(h["fuzzy"] for h in counted(data) if any(w in h["text"] for w in ("famly", "independant")))


def test_false_friends_are_not_typos(tmp_path):
    data = analyze_text_json("Every independent study block is optional. They never independently admit.\n", tmp_path)
    assert not [h for h in data["hits"] if h["entry"].startswith("cov-") and "independ" in h["text"].lower()]


def test_family_medicine_is_not_like_a_family(tmp_path):
    data = analyze_text_json("The family medicine clinic runs Tuesdays; family planning is covered too.\n", tmp_path)
    assert not [h for h in data["hits"] if "family" in h["text"].lower()]


def test_pseudo_cue_does_not_negate(tmp_path):
    data = analyze_text_json("PD: Not only do we have protected didactics, chiefs hold the pagers.\n", tmp_path)
    assert hits_for(data, "didactic")[0]["counts_for"] == "outcomes"


def test_but_ends_negation_scope(tmp_path):
    data = analyze_text_json("No fellows here, but residents get 4 hours of protected didactics weekly.\n", tmp_path)
    assert hits_for(data, "didactic")[0]["counts_for"] == "outcomes"


def test_per_role_totals(tmp_path):
    text = ("PD: Our grads matched cardiology at Emory in 2024.\n"
            "Resident (PGY-3): We're short-staffed and you will see a lot of pathology.\n")
    data = analyze_text_json(text, tmp_path)
    assert data["by_role"]["program_director"]["outcomes"] > 0
    assert data["by_role"]["resident"]["coverage"] > 0


def test_speaker_label_mid_line_opens_a_new_turn(tmp_path):
    data = analyze_text_json("Me: do you have protected didactics? Chief: Yes, 3 hours of protected didactics "
                             "every Wednesday.\n", tmp_path)
    didactics = [h for h in data["hits"] if "didactic" in h["text"]]
    assert [(h["role"], h["counts_for"]) for h in didactics] == [("applicant", "none"), ("chief", "outcomes")]
