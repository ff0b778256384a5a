"""Teaching sessions: the drill bank, its validation, `teach check` and the piped terminal quiz."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import run

from analyzer.drills import ANSWERS, TRAPS, load_drills
from analyzer.lexicon import CATEGORIES
from analyzer.teach import misreads, pick

GOOD = """\
drills:
  - id: my-family
    line: "We're like a family here, everyone steps up."
    speaker: faculty
    answer: coverage
    category: coverage-talk
    trap: none
    explanation: Family talk about covering absences.
"""


@pytest.fixture(scope="module")
def bank():
    return load_drills()


def test_bank_is_large_and_balanced(bank):
    assert len(bank) >= 120
    answers = Counter(d.answer for d in bank)
    assert set(answers) == set(ANSWERS) and min(answers.values()) >= 25
    assert {d.category for d in bank} == set(CATEGORIES)
    traps = Counter(d.trap for d in bank)
    assert set(traps) == set(TRAPS) and min(traps.values()) >= 5
    assert len({d.line for d in bank}) == len(bank)


def test_the_tool_reads_every_drill_as_the_bank_expects(bank, analyzer):
    wrong = [(r.drill.id, r.drill.answer, r.got) for r in misreads(analyzer, bank)]
    assert wrong == []


def test_teach_check_passes_on_the_builtin_bank(bank):
    result = run("teach", "check")
    assert result.exit_code == 0, result.output
    assert f"{len(bank)} drills, 0 misread" in result.output


def test_teach_check_lists_a_misread_and_exits_1(tmp_path):
    path = tmp_path / "mine.yml"
    path.write_text(GOOD.replace("answer: coverage", "answer: outcomes"), encoding="utf-8")
    result = run("teach", "check", str(path))
    assert result.exit_code == 1
    assert f"{path}:2: my-family: expected outcomes, the tool reads coverage" in result.output
    assert "cov-like-a-family" in result.output and "1 drills, 1 misread" in result.output


@pytest.mark.parametrize(("edit", "line", "reason"), [
    (lambda t: t.replace("    trap: none\n", "    trap: none\n    colour: red\n"), 2, "unknown key 'colour'"),
    (lambda t: t.replace("    trap: none\n", ""), 2, "missing key 'trap'"),
    (lambda t: t.replace("answer: coverage", "answer: [coverage]"), 2, "'answer' must be non-empty text"),
    (lambda t: t.replace("answer: coverage", "answer: maybe"), 2, "answer must be one of"),
    (lambda t: t.replace("explanation: Family talk about covering absences.", "explanation: 3"), 2,
     "'explanation' must be non-empty text"),
    (lambda t: t + t.split("drills:\n")[1], 9, "duplicate drill id 'my-family'"),
    (lambda t: t.replace("drills:", "items:"), 1, "unknown top-level key 'items'"),
    (lambda t: t.replace("speaker: faculty", "speaker: [faculty"), 4, "invalid YAML"),
])
def test_a_bad_drill_file_is_one_line_error(tmp_path, edit, line, reason):
    path = tmp_path / "bad.yml"
    path.write_text(edit(GOOD), encoding="utf-8")
    result = run("teach", "check", str(path))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"redflags: error: {path}:{line}: "), lines
    assert reason in lines[0]


def test_a_missing_drill_file_is_one_line_error(tmp_path):
    result = run("teach", "check", str(tmp_path / "nope.yml"))
    assert result.exit_code == 2
    assert result.stderr == f"redflags: error: {tmp_path / 'nope.yml'}: no such drill file or folder\n"


def test_a_drills_subfolder_is_not_read_as_a_lexicon():
    result = run("lexicon", "list", "--format", "json")
    assert result.exit_code == 0 and '"drill' not in result.output


def _quiz(*args: str, answers: list[str]) -> str:
    result = run("teach", "quiz", *args, input="".join(a + "\n" for a in answers))
    assert result.exit_code == 0, result.output
    return result.output


def _asked(output: str, bank) -> list:
    by_line = {d.line: d for d in bank}
    return [by_line[m] for m in re.findall(r'^  "(.*)"$', output, flags=re.MULTILINE)]


def test_piped_quiz_explains_each_answer_and_scores(bank):
    expected = pick(bank, 6, None, 11)
    wrong = {"coverage": "o", "outcomes": "n", "neither": "c"}
    answers = [d.answer[0] if i % 2 == 0 else wrong[d.answer] for i, d in enumerate(expected)]
    answers.insert(1, "?")
    answers.insert(2, "maybe")
    out = _quiz("--rounds", "6", "--seed", "11", answers=answers)
    assert _asked(out, bank) == expected
    for drill in expected:
        assert drill.explanation in out
    assert f"Hint: {expected[1].hint_text}" in out and "Please answer c (coverage)" in out
    assert out.count("  Right: ") == 3 and out.count("  Not quite: ") == 3
    assert "Score: 3/6 (50%)" in out
    missed = Counter(d.category for i, d in enumerate(expected) if i % 2)
    review = next(line for line in out.splitlines() if line.startswith("Categories to review: "))
    for category, n in missed.items():
        assert f"{category} ({n} missed)" in review


def test_quiz_explanation_names_the_entry_meaning_and_qualifier(bank, analyzer):
    out = _quiz("--rounds", "40", "--category", "negation", "--seed", "1", answers=["n"] * 40)
    asked = _asked(out, bank)
    assert asked and all(d.trap == "negation" for d in asked)
    assert "negated by 'no'" in out
    entry = analyzer.lexicon.entries["out-protected-didactics"]
    assert entry.meaning in out


def test_same_seed_same_questions_and_quit_stops(bank):
    first = _quiz("--rounds", "5", "--seed", "42", answers=["q"])
    second = _quiz("--rounds", "5", "--seed", "42", answers=["q"])
    assert first == second
    assert len(_asked(first, bank)) == 1 and "Score: 0/0, 5 not answered" in first
    other = _quiz("--rounds", "5", "--seed", "43", answers=["q"])
    assert _asked(other, bank) != _asked(first, bank)


def test_quiz_ends_cleanly_when_answers_run_out(bank):
    out = _quiz("--rounds", "3", "--seed", "5", answers=["c"])
    assert "Score: " in out and "2 not answered" in out


def test_quiz_unknown_category_is_an_error():
    result = run("teach", "quiz", "--category", "vibes")
    assert result.exit_code == 2 and "unknown category or trap 'vibes'" in result.stderr


def test_builtin_drill_files_ship_with_the_data():
    from analyzer.drills import builtin_drill_files

    names = [Path(p).name for p in builtin_drill_files()]
    assert names and all(n.endswith(".yml") for n in names)


def test_quiz_marks_a_line_the_tool_itself_misreads(tmp_path):
    path = tmp_path / "mine.yml"
    path.write_text(GOOD.replace("answer: coverage", "answer: outcomes"), encoding="utf-8")
    out = _quiz("--drills", str(path), "--seed", "1", answers=["o"])
    assert "Right: outcomes talk" in out
    assert "Marked: the tool itself reads this line as coverage talk, not outcomes talk" in out
    html = tmp_path / "q.html"
    assert run("teach", "quiz", "--html", "--drills", str(path), "-o", str(html)).exit_code == 0
    assert "Marked: the tool itself reads this line as coverage talk" in html.read_text("utf-8")
