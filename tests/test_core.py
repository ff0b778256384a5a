"""The analysis core: one service layer, plain results without spaCy, rules handed in and validated, bounded
memory and repeatable loading."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES, run

from analyzer import formats, service
from analyzer.analysis import Analyzer
from analyzer.lexicon import load_lexicon
from analyzer.notes import InputError
from analyzer.rules import RuleError, load_rules, rule_path


def rss_mib() -> float:
    """Resident memory of this process now."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20


def test_results_and_scoring_import_no_spacy():
    code = ("import sys, analyzer.results, analyzer.counting, analyzer.verdict, analyzer.absences, analyzer.service;"
            "print('spacy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_service_analyzes_a_file_and_a_paste_the_same_way():
    path = SAMPLES / "desperate-community-im.txt"
    from_file = service.analyze_file(path)
    pasted = service.analyze_text(path.read_text("utf-8"), source="paste")
    assert from_file.verdict == pasted.verdict
    assert [(h.entry, h.start) for h in from_file.hits] == [(h.entry, h.start) for h in pasted.hits]
    assert pasted.source == "paste" and pasted.to_json()["source_text"] == path.read_text("utf-8")


def test_service_analyze_many_keeps_going_past_a_bad_file(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_text("   \n")
    results = list(service.analyze_many([SAMPLES / "strategic-im.txt", bad, SAMPLES / "mixed-psych.txt"]))
    assert [type(r).__name__ for _, r in results] == ["Analysis", "InputError", "Analysis"]
    assert "empty" in results[1][1].message


def test_input_formats_come_from_one_registry():
    result = run("analyze", "--help")
    for name in formats.names():
        assert name in result.output
    assert formats.by_extension(".MD") == "md" and formats.canonical("Word") == "docx"
    assert formats.canonical("pdf") is None


def test_loading_the_yaml_lexicon_twice_costs_the_same():
    def timed() -> float:  # CPU time of this process: other work on the machine does not count
        start = time.process_time()
        load_lexicon(compiled=False)
        return time.process_time() - start

    first, second = timed(), timed()
    assert second <= 1.2 * first, (first, second)


def test_memory_stays_flat_over_2000_notes():
    rng = random.Random(7)
    lines = [line for name in ("strategic-im.txt", "desperate-community-im.txt", "mixed-psych.txt")
             for line in (SAMPLES / name).read_text("utf-8").splitlines() if line.strip()]

    def note() -> str:
        # unseen words in every note: a pipeline that keeps each note's strings grows without end
        words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 11)))
                 for _ in range(30)]
        return "\n".join(rng.sample(lines, 3)) + f"\nDr. {words[0].title()} (PD): {' '.join(words[1:])}."

    analyzer = Analyzer()
    for _ in range(100):
        analyzer.analyze_text(note())
    after_100 = rss_mib()
    for _ in range(1900):
        analyzer.analyze_text(note())
    after_2000 = rss_mib()
    assert abs(after_2000 - after_100) / after_100 < 0.10, (after_100, after_2000)


def copy_rules(tmp_path: Path) -> Path:
    folder = tmp_path / "phrase_lexicons"
    shutil.copytree(rule_path("rules"), folder / "rules")
    shutil.copytree(rule_path("gazetteers"), folder / "gazetteers")
    return folder


@pytest.mark.parametrize(("name", "old", "new", "message"), [
    ("scoring.yml", "vague_factor: 0.5", "vague_factr: 0.5", "unknown key 'vague_factr'"),
    ("scoring.yml", "  min_hits: 3 ", "  min_hits: three ", "verdict.min_hits: must be a whole number"),
    ("scoring.yml", "repeat_exponent: 0.5 ", "", "missing key 'repeat_exponent'"),
    ("thresholds.yml", "    unit: \"%\"\n    topic: boards", "    unit: \"%\"\n    topc: boards", "unknown key 'topc'"),
    ("thresholds.yml", "{below: 85, status: red", "{below: 85, status: scarlet", "must be one of red"),
    ("topics.yml", "    weight: 2.5\n  graduate", "    weight: lots\n  graduate", "must be a number"),
    ("checklist.yml", "weight: 30}", "weight: -30}", "must be between"),
    ("context.yml", "  - qualifier: hearsay\n", "  - qualifier: rumour\n", "unknown qualifier 'rumour'"),
    ("context.yml", "  hearsay:      {", "  hearsay:      {colour: red, ", "unknown key 'colour'"),
])
def test_a_broken_rule_file_is_one_line_with_file_and_line(tmp_path, name, old, new, message):
    folder = copy_rules(tmp_path)
    path = folder / "rules" / name
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")
    with pytest.raises(RuleError) as caught:
        load_rules(folder)
    error = caught.value
    assert error.path == str(path) and message in error.reason and error.line
    assert "\n" not in error.message


def test_the_command_line_shows_a_broken_rule_file_in_one_line(tmp_path, monkeypatch):
    from analyzer import analysis, rules

    folder = copy_rules(tmp_path)
    path = folder / "rules" / "scoring.yml"
    path.write_text(path.read_text("utf-8").replace("missing_factor: 0.4", "missing_factor: [0.4]"), "utf-8")
    monkeypatch.setattr(rules, "packaged_rules", lambda: load_rules(folder))
    monkeypatch.setattr(analysis, "packaged_rules", lambda: load_rules(folder))
    analysis.get_analyzer.cache_clear()
    try:
        result = run("analyze", str(SAMPLES / "strategic-im.txt"), "--format", "json")
    finally:
        analysis.get_analyzer.cache_clear()
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"redflags: error: {path}:") and "missing_factor" in lines[0]


def test_components_take_their_lexicon_from_the_analyzer_not_a_process_cache(tmp_path):
    extra = tmp_path / "mine.yml"
    extra.write_text(json.dumps({"entries": [{
        "id": "my-pineapple", "side": "coverage", "category": "coverage-talk", "weight": 2,
        "phrases": ["pineapple pizza night"], "meaning": "m", "follow_up": "f?", "source": "s",
        "examples": {"flag": ["PD: pineapple pizza night again"], "pass": ["nothing"]}}]}), "utf-8")
    plain, custom = Analyzer(), Analyzer([extra])
    text = "PD: We have pineapple pizza night every week, you will see a lot of pathology."
    assert "my-pineapple" not in {h.entry for h in plain.analyze_text(text).hits}
    assert "my-pineapple" in {h.entry for h in custom.analyze_text(text).hits}


def test_a_bad_note_through_the_service_is_an_input_error(tmp_path):
    with pytest.raises(InputError):
        service.analyze_file(tmp_path / "missing.txt")
