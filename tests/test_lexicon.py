"""The lexicon is tested data: coverage of the article's signals, valid entries, working examples, user files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from analyzer.examples import check_entry
from analyzer.lexicon import load_lexicon
from conftest import analyze_text_json, run

MINIMUMS = {
    "coverage-talk": 50, "outcomes-talk": 50, "visa-contract": 14, "leadership": 12, "attrition": 12,
    "soap-fill": 8, "boards-accreditation": 12, "website-alumni": 8, "evasive-answers": 14, "screening": 8,
}
BOTH_SIDES = ("visa-contract", "leadership", "attrition", "soap-fill", "boards-accreditation", "website-alumni")


@pytest.fixture(scope="module")
def builtins():
    return load_lexicon()


def test_list_json_has_every_category_with_explanations():
    result = run("lexicon", "list", "--format", "json")
    rows = json.loads(result.output)
    assert len(rows) >= 220
    per_category = Counter(r["category"] for r in rows)
    for category, minimum in MINIMUMS.items():
        assert per_category[category] >= minimum, category
    for category in BOTH_SIDES:
        assert {r["side"] for r in rows if r["category"] == category} == {"coverage", "outcomes"}, category
    assert all(r["meaning"] and r["follow_up"] and r["source"] for r in rows)


def test_every_entry_has_two_flag_and_one_pass_example(builtins):
    thin = [e.id for e in builtins if len(e.flag_examples) < 2 or len(e.pass_examples) < 1]
    assert thin == []


def test_every_builtin_example_behaves(analyzer, builtins):
    failures = [f for e in builtins for f in check_entry(analyzer, e)]
    assert failures == [], "\n".join(f"{f.entry}: {f.kind}: {f.example} -> {f.got}" for f in failures[:20])


def test_check_fails_naming_a_broken_example(tmp_path):
    user = tmp_path / "mine.yml"
    user.write_text(
        "entries:\n"
        "  - id: cov-like-a-family\n"
        "    examples:\n"
        "      flag: ['We are like a family here.', 'The cafeteria has good coffee.']\n"
        "      pass: ['Family medicine clinic on Tuesdays.']\n"
    )
    result = run("lexicon", "check", str(user))
    assert result.exit_code == 1
    assert "cov-like-a-family" in result.output and "The cafeteria has good coffee." in result.output
    assert "1 failing" in result.output


def test_user_lexicon_adds_overrides_and_switches_off(tmp_path):
    user = tmp_path / "neuro.yml"
    user.write_text(
        "entries:\n"
        "  - id: user-stroke-pager\n"
        "    side: coverage\n"
        "    category: coverage-talk\n"
        "    weight: 2\n"
        "    phrases: [hold the stroke pager alone]\n"
        "    meaning: Junior residents run stroke codes without backup.\n"
        "    follow_up: Who answers when the stroke pager goes off at 3 a.m.?\n"
        "    source: our advisor group\n"
        "    examples: {flag: ['Interns hold the stroke pager alone.', 'You hold the stroke pager alone.'], "
        "pass: ['Seniors share the stroke pager.']}\n"
        "  - id: cov-like-a-family\n"
        "    enabled: false\n"
    )
    note = tmp_path / "n.txt"
    note.write_text("PD: Interns hold the stroke pager alone. We are like a family.\n")
    result = run("analyze", str(note), "--format", "json", "--lexicon", str(user))
    entries = {h["entry"] for h in json.loads(result.output)["hits"]}
    assert "user-stroke-pager" in entries and "cov-like-a-family" not in entries
    assert run("lexicon", "check", str(user)).exit_code == 0


@pytest.mark.parametrize(
    "content, expected",
    [
        ("entries:\n  - id: x\n    side: [unclosed\n", ":3: invalid YAML"),
        ("entries:\n  - id: new-entry\n    side: coverage\n", ":2: entry 'new-entry': missing key"),
        ("entries:\n  - id: cov-like-a-family\n    colour: red\n", ":2: entry 'cov-like-a-family': unknown key 'colour'"),
        ("entries:\n  - id: u-a\n    side: coverage\n    category: coverage-talk\n    weight: 1\n    phrases: [zz qq]\n"
         "    meaning: m\n    follow_up: f\n    source: s\n    examples: {flag: [zz qq]}\n"
         "  - id: u-a\n    enabled: false\n", ":11: duplicate entry id 'u-a'"),
        ("entries:\n  - id: u-b\n    side: coverage\n    category: coverage-talk\n    weight: 1\n"
         "    phrases: [like a family]\n    meaning: m\n    follow_up: f\n    source: s\n    examples: {flag: [x]}\n",
         "phrase 'like a family' is in both"),
        ("entries:\n  - id: u-c\n    side: coverage\n    category: coverage-talk\n    weight: 1\n    phrases: []\n"
         "    meaning: m\n    follow_up: f\n    source: s\n    examples: {flag: [x]}\n", "needs at least one phrase"),
    ],
)
def test_malformed_user_lexicon_is_one_line_exit_2(tmp_path, content, expected):
    bad = tmp_path / "bad.yml"
    bad.write_text(content)
    note = tmp_path / "n.txt"
    note.write_text("PD: We are like a family.\n")
    result = run("analyze", str(note), "--lexicon", str(bad))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"redflags: error: {bad}")
    assert expected in lines[0]


def test_show_and_docs(tmp_path):
    shown = run("lexicon", "show", "cov-like-a-family")
    assert shown.exit_code == 0 and "Ask next:" in shown.output and "flags:" in shown.output
    assert run("lexicon", "show", "no-such-entry").exit_code == 2
    out = tmp_path / "docs.html"
    assert run("lexicon", "docs", "-o", str(out)).exit_code == 0
    html = out.read_text()
    assert "It often means" in html and "Ask next" in html and 'id="visa-contract"' in html


def test_matching_uses_lowercase_and_lemmas(tmp_path):
    text = ("We're like a family. Our residents are VERY independent. "
            "You'll see tons of pathology. We want people not afraid of hard work.\n")
    data = analyze_text_json(text, tmp_path)
    assert len([h for h in data["hits"] if h["counts_for"] == "coverage"]) >= 4


def test_yaml_words_and_numbers_in_patterns_stay_words(tmp_path):
    user = tmp_path / "p.yml"
    user.write_text(
        "entries:\n"
        "  - id: user-on-call-count\n"
        "    side: coverage\n"
        "    category: coverage-talk\n"
        "    weight: 1\n"
        "    patterns: [[{LOWER: {IN: [on, off]}}, {LOWER: call}, {LOWER: {IN: [18, 20]}}, {LOWER: nights}]]\n"
        "    meaning: m\n    follow_up: f\n    source: s\n"
        "    examples: {flag: ['Interns are on call 18 nights a month.'], pass: ['on call tonight']}\n"
    )
    assert run("lexicon", "check", str(user)).exit_code == 0


def test_near_rule_matches_words_close_together_in_any_order(tmp_path):
    user = tmp_path / "near.yml"
    user.write_text(
        "entries:\n"
        "  - id: user-paged-in-lecture\n"
        "    side: coverage\n"
        "    category: coverage-talk\n"
        "    weight: 2\n"
        "    near: [{window: 4, groups: [[pager, page, paged], [lecture, conference, didactics]]}]\n"
        "    meaning: m\n    follow_up: f\n    source: s\n"
        "    examples:\n"
        "      flag: ['noon lecture = answering pages the whole hour', 'we get paged all through conference']\n"
        "      pass: ['The pager policy changed. Lecture is at noon.', 'paged about the patient, then a long walk to the old lecture hall',\n"
        "             'Conference is never interrupted by pages.']\n"
    )
    result = run("lexicon", "check", str(user))
    assert result.exit_code == 0, result.output


def test_compiled_copy_is_fresh_and_equal_to_the_yaml():
    from analyzer.lexicon import CACHE, builtin_digest, builtin_files
    from analyzer.resources import data_path

    compiled = json.loads(Path(str(data_path("phrase_lexicons", *CACHE))).read_text("utf-8"))
    assert compiled["digest"] == builtin_digest(builtin_files()), "run: redflags lexicon compile"
    assert load_lexicon().entries == load_lexicon(compiled=False).entries


def test_stale_compiled_copy_is_ignored(tmp_path, monkeypatch):
    from analyzer import lexicon as lex

    monkeypatch.setattr(lex, "builtin_digest", lambda files: "something else")
    assert lex.compiled_builtins(lex.builtin_files()) is None
    assert len(lex.load_lexicon()) >= 220
