"""Turn splitting and role assignment, as a reader of the report would notice them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.notes import ROLES
from analyzer.resources import data_path
from analyzer.speakers import build_transcript, load_role_rules, resolve_role, role_at, split_turns

RULES = load_role_rules()


def said(text: str, role_map: dict[str, str] | None = None) -> list[tuple[str | None, str, str]]:
    """Return (speaker, role, words) for each turn."""
    return [(t.speaker, t.role, text[t.start:t.end]) for t in split_turns(text, RULES, role_map)]


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("PD", "program_director"),
        ("Program Director", "program_director"),
        ("Dr. Patel (PD)", "program_director"),
        ("APD", "faculty"),
        ("Associate program director", "faculty"),
        ("Faculty", "faculty"),
        ("Attending", "faculty"),
        ("Dr. Okafor", "faculty"),
        ("Chief", "chief"),
        ("Chief resident", "chief"),
        ("Resident (PGY-2)", "resident"),
        ("Sarah (PGY3)", "resident"),
        ("PGY-7", "resident"),
        ("Intern", "resident"),
        ("R2", "resident"),
        ("Coordinator", "coordinator"),
        ("Program Coordinator", "coordinator"),
        ("Me", "applicant"),
        ("I", "applicant"),
        ("Applicant", "applicant"),
        ("Q", "applicant"),
        ("Sarah", "unknown"),
        ("Speaker 1", "unknown"),
    ],
)
def test_label_roles(label: str, role: str) -> None:
    assert said(f"{label}: We have a strong fellowship match.") == [
        (label, role, "We have a strong fellowship match.")
    ]


def test_comment_after_a_comma_keeps_the_speaker() -> None:
    assert said('PD, about visas: "Contract renewal depends on attitude."') == [
        ("PD, about visas", "program_director", '"Contract renewal depends on attitude."')
    ]


@pytest.mark.parametrize("prefix", ["- ", "* ", "> ", "• ", "  - ", "1. ", "**", "[00:01:02] "])
def test_labels_after_bullets_quotes_and_timestamps(prefix: str) -> None:
    close = "**" if prefix == "**" else ""
    text = f"{prefix}PD:{close} We are like a family."
    assert said(text) == [("PD", "program_director", "We are like a family.")]


@pytest.mark.parametrize(
    "line",
    [
        "Note: they never mentioned boards.",
        "Notes from the dinner: quiet residents.",
        "Pros: free parking.",
        "Cons: q3 call.",
        "Day 1: tour of the ICU.",
        "Monday: pre-interview social.",
        "10:30 arrived at the hospital.",
        "See https://example.org/program for details.",
        "He said: we are like a family.",
        "The PD said: we are like a family.",
        "This is a very long sentence that happens to contain a colon: here.",
    ],
)
def test_non_speaker_lines_continue_the_turn(line: str) -> None:
    text = f"Resident: It's busy.\n{line}"
    assert said(text) == [("Resident", "resident", f"It's busy.\n{line}")]


def test_text_before_any_label_is_unknown() -> None:
    assert said("Arrived early.\nPD: Welcome.") == [
        (None, "unknown", "Arrived early."),
        ("PD", "program_director", "Welcome."),
    ]


def test_blank_line_ends_a_turn() -> None:
    text = "Chief: We cover three hospitals.\nAnd the VA.\n\nMy own thought: seemed tired.\n"
    assert said(text) == [
        ("Chief", "chief", "We cover three hospitals.\nAnd the VA."),
        (None, "unknown", "My own thought: seemed tired."),
    ]


def test_label_alone_on_its_line_takes_the_next_lines() -> None:
    assert said("Dr. Patel (PD):\n\nWe are like a family.\nEveryone pitches in.") == [
        ("Dr. Patel (PD)", "program_director", "We are like a family.\nEveryone pitches in."),
    ]


def test_answer_takes_the_last_non_applicant_role() -> None:
    text = "PD: Any questions?\nQ: How is call?\nA: Busy but fair.\nResident (PGY-2): Honestly, brutal.\nQ: Why?\nA: Staffing."
    roles = [(speaker, role) for speaker, role, _ in said(text)]
    assert roles == [
        ("PD", "program_director"),
        ("Q", "applicant"),
        ("A", "program_director"),
        ("Resident (PGY-2)", "resident"),
        ("Q", "applicant"),
        ("A", "resident"),
    ]
    assert said("Q: Anything?\nA: Nope.")[1][1] == "unknown"


def test_role_map_overrides_rules_and_matches_the_name_part() -> None:
    role_map = {"Dr. Lee": "program_director", "sarah": "chief"}
    text = "Dr. Lee (faculty): Welcome.\nDR. LEE: Again.\nSarah: Hi.\nDr. Leeds: Not Lee."
    assert [(s, r) for s, r, _ in said(text, role_map)] == [
        ("Dr. Lee (faculty)", "program_director"),
        ("DR. LEE", "program_director"),
        ("Sarah", "chief"),
        ("Dr. Leeds", "faculty"),
    ]


def test_role_map_names_a_lowercase_speaker_but_not_prose_about_them() -> None:
    text = "kim: Hello.\nDr. Lee said: we never cap."
    assert said(text, {"kim": "chief", "Dr. Lee": "program_director"}) == [
        ("kim", "chief", "Hello.\nDr. Lee said: we never cap."),
    ]


def test_role_map_accepts_role_words_as_values() -> None:
    assert said("Kim: Hello.", {"Kim": "PD"})[0][1] == "program_director"
    assert resolve_role("chief resident", RULES) == "chief"
    assert resolve_role("program director", RULES) == "program_director"
    assert resolve_role("janitor", RULES) is None


def test_offsets_index_the_original_text_with_crlf() -> None:
    text = "Intro\r\nPD:   We are a family.  \r\nMe: Okay.\r\n"
    turns = split_turns(text, RULES)
    assert [text[t.start:t.end] for t in turns] == ["Intro", "We are a family.", "Okay."]


def test_role_at_finds_the_turn_around_an_offset() -> None:
    text = "PD: We are like a family.\nMe: What about call?"
    turns = split_turns(text, RULES)
    turn = role_at(turns, text.index("family"))
    assert turn is not None and turn.role == "program_director"
    turn = role_at(turns, text.index("call"))
    assert turn is not None and turn.role == "applicant"
    assert role_at(turns, text.index("PD:")) is None
    assert role_at([], 0) is None


def test_build_transcript_merges_cues_and_keeps_times() -> None:
    cues = [
        ("Dr. Patel", "We are like", "00:00:01.000"),
        ("Dr. Patel", "a family.", "00:00:03.000"),
        (None, "Me: What about call?", "00:00:05.000"),
        (None, "And nights?", "00:00:07.000"),
    ]
    text, turns = build_transcript(cues, RULES, {"Dr. Patel": "program_director"})
    assert text == "Dr. Patel: We are like a family.\nMe: What about call?\nAnd nights?"
    assert [(t.speaker, t.role, t.timestamp, text[t.start:t.end]) for t in turns] == [
        ("Dr. Patel", "program_director", "00:00:01.000", "We are like a family."),
        ("Me", "applicant", "00:00:05.000", "What about call?\nAnd nights?"),
    ]


def test_roles_file_is_found() -> None:
    assert data_path("phrase_lexicons", "rules", "roles.yml").is_file()
    with pytest.raises(ValueError):
        data_path("elsewhere")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(),
            st.sampled_from(["PD: ", "Me:", "A: ", "Q:", "- Dr. X (PD): ", "\n", "\r\n", "\n\n", ": ", "10:30 "]),
            st.text(alphabet="ab :\n-*>", min_size=200, max_size=2000),
        ),
        max_size=30,
    ).map("".join)
)
def test_split_turns_never_fails_and_stays_inside_the_text(text: str) -> None:
    turns = split_turns(text, RULES, {"x": "chief"})
    previous_end = 0
    for turn in turns:
        assert 0 <= turn.start < turn.end <= len(text)
        assert turn.start >= previous_end
        assert turn.role in ROLES
        assert text[turn.start:turn.end].strip() == text[turn.start:turn.end]
        previous_end = turn.end
