"""The real-text scorer's arithmetic on a tiny made-up set, with a stand-in analyzer."""

from __future__ import annotations

import importlib.util
import json
import sys
from types import SimpleNamespace

import pytest
from conftest import ROOT

spec = importlib.util.spec_from_file_location("realtext_eval", ROOT / "benchmarks" / "realtext_eval.py")
realtext = importlib.util.module_from_spec(spec)
sys.modules["realtext_eval"] = realtext
spec.loader.exec_module(realtext)

PASSAGES = """\
- id: t1
  source: https://example.org/a
  kind: forum
  dominant: coverage
  text: "Resident said q3 call and nobody leaves before 7."
  expect:
    - {phrase: "q3 call", counts_for: coverage, qualifiers: []}
    - {phrase: "nobody leaves before 7", counts_for: coverage, qualifiers: []}
- id: t2
  source: https://example.org/b
  kind: blog
  dominant: outcomes
  text: "PD: two grads matched cards fellowship last year."
  expect:
    - {phrase: "matched cards fellowship", counts_for: outcomes, qualifiers: [historical]}
- id: t3
  source: https://example.org/b
  kind: qa
  dominant: neither
  text: "Nice cafeteria, parking is free."
  expect: []
- id: t4
  source: https://example.org/c
  kind: forum
  dominant: mixed
  text: "Lots of scut but grads get fellowships."
  expect:
    - {phrase: "Lots of scut", counts_for: coverage, qualifiers: []}
    - {phrase: "grads get fellowships", counts_for: outcomes, qualifiers: []}
"""


def hit(text, phrase, side, qualifiers=()):
    start = text.index(phrase)
    return SimpleNamespace(entry=phrase, counts_for=side, counted=True, start=start, end=start + len(phrase),
                           text=phrase, cue=None, qualifiers=[SimpleNamespace(name=q) for q in qualifiers])


class FakeAnalyzer:
    """Hears a fixed list of (phrase, side, qualifiers) per text; signals add one per counted hit."""

    def __init__(self, heard, buckets=None):
        self.heard, self.buckets, self.calls = heard, buckets or {}, 0

    def analyze_text(self, text, source="x"):
        self.calls += 1
        hits = [hit(text, p, s, q) for p, s, q in self.heard.get(text, [])]
        signals = {"coverage": 0.0, "outcomes": 0.0}
        for h in hits:
            signals[h.counts_for] = signals.get(h.counts_for, 0.0) + 1.0
        return SimpleNamespace(hits=hits, numbers=[], signals=signals)

    def analyze_path(self, path):
        return SimpleNamespace(verdict=SimpleNamespace(bucket=self.buckets[path.name]))


T1 = "Resident said q3 call and nobody leaves before 7."
T2 = "PD: two grads matched cards fellowship last year."
T3 = "Nice cafeteria, parking is free."
T4 = "Lots of scut but grads get fellowships."
HEARD = {
    T1: [("q3 call", "coverage", ())],                                   # 1 TP, 1 FN coverage
    T2: [("matched cards fellowship", "outcomes", ("historical",))],     # TP, qualifiers right
    T3: [("Nice cafeteria", "outcomes", ())],                            # FP outcomes
    T4: [("Lots of scut", "coverage", ("negated",))],                    # TP, wrong qualifier; FN outcomes
}


@pytest.fixture
def passages(tmp_path):
    path = tmp_path / "tiny.yml"
    path.write_text(PASSAGES, encoding="utf-8")
    return path


def test_dominant_talk_thresholds():
    assert realtext.dominant_talk({"coverage": 0.0, "outcomes": 0.0}) == "neither"
    assert realtext.dominant_talk({"coverage": 2.0, "outcomes": 1.0}) == "coverage"  # exactly two thirds
    assert realtext.dominant_talk({"coverage": 1.9, "outcomes": 1.0}) == "mixed"
    assert realtext.dominant_talk({"coverage": 1.0, "outcomes": 2.5}) == "outcomes"
    assert realtext.dominant_talk({"coverage": 0.0, "outcomes": 0.4}) == "outcomes"


def test_passage_figures(passages):
    analyzer = FakeAnalyzer(HEARD)
    fig = realtext.score_passages(analyzer, realtext.load_passages(passages))
    assert analyzer.calls == 4  # each passage analyzed once for both hits and dominant talk
    assert fig["passages"] == 4 and fig["sources"] == 3
    assert fig["precision"] == {"coverage": 1.0, "outcomes": 0.5, "all": 0.75}
    assert fig["recall"] == {"coverage": round(2 / 3, 3), "outcomes": 0.5, "all": 0.6}
    assert fig["qualifiers"]["exact"] == {"accuracy": round(2 / 3, 3), "n": 3}
    # t1 coverage/coverage, t2 outcomes/outcomes, t3 neither->outcomes, t4 mixed->coverage
    assert fig["dominant"]["agree"] == 2 and fig["dominant"]["agreement"] == 0.5
    assert fig["dominant"]["confusion"]["neither"] == {"outcomes": 1}
    assert fig["dominant"]["confusion"]["mixed"] == {"coverage": 1}
    table = realtext.confusion_table(fig["_pairs"], realtext.TALKS, "want\\got").splitlines()
    assert table[0].split() == ["want\\got", "coverage", "outcomes", "mixed", "neither"]
    assert table[3].split() == ["mixed", "1", "0", "0", "0"]


def test_bad_phrase_is_one_line_error(tmp_path, capsys):
    path = tmp_path / "bad.yml"
    path.write_text(PASSAGES.replace('phrase: "q3 call"', 'phrase: "q4 call"'), encoding="utf-8")
    assert realtext.main(["--set", str(path)], analyzer=FakeAnalyzer(HEARD)) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"realtext_eval: error: {path}:1: t1: phrase 'q4 call'") and "\n" not in err


def test_notes_share_and_expected_checks(tmp_path, capsys):
    folder = tmp_path / "few"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.md"):
        (folder / name).write_text("note", encoding="utf-8")
    (folder / "expected.yml").write_text(
        "a.txt: {bucket: strategic, reason: r}\nb.txt: {bucket: desperate, reason: r}\n"
        "c.md: {bucket: dependent, reason: r}\n", encoding="utf-8")
    fake = FakeAnalyzer({}, {"a.txt": "strategic", "b.txt": "dependent", "c.md": "dependent"})
    fig = realtext.score_notes(fake, folder)
    assert (fig["notes"], fig["right"], fig["in_bucket"]) == (3, 2, 0.667)
    assert fig["confusion"]["desperate"] == {"dependent": 1}
    (folder / "d.txt").write_text("note", encoding="utf-8")
    assert realtext.main(["--notes", str(folder)], analyzer=fake) == 2
    assert "d.txt: note has no expected bucket" in capsys.readouterr().err


def test_misses_refused_for_hidden_sets(passages, tmp_path, capsys):
    blind = tmp_path / "blind.yml"
    blind.write_text(PASSAGES, encoding="utf-8")
    assert realtext.main(["--set", str(blind), "--misses"], analyzer=FakeAnalyzer(HEARD)) == 2
    out = capsys.readouterr()
    assert "refused" in out.err and "Resident said" not in out.out + out.err
    assert realtext.main(["--notes", str(realtext.NOTES_DIR), "--misses"], analyzer=FakeAnalyzer(HEARD)) == 2
    assert realtext.main(["--set", str(passages), "--misses"], analyzer=FakeAnalyzer(HEARD)) == 0
    assert "t3 FP outcomes 'Nice cafeteria'" in capsys.readouterr().out


def test_json_and_record(passages, tmp_path, capsys):
    results = tmp_path / "results.md"
    argv = ["--set", str(passages), "--json", "--record", "trial"]
    assert realtext.main(argv, analyzer=FakeAnalyzer(HEARD), results=results) == 0
    data = json.loads(capsys.readouterr().out)
    (fig,) = data.values()
    assert fig["dominant"]["agreement"] == 0.5 and "_misses" not in fig
    assert realtext.main(argv, analyzer=FakeAnalyzer(HEARD), results=results) == 0
    lines = [x for x in results.read_text(encoding="utf-8").splitlines() if x.startswith("- ")]
    assert len(lines) == 2 and "trial" in lines[0] and "dominant 0.500 (2/4)" in lines[0]
    assert "P 1.000/0.500/0.750" in lines[0] and "R 0.667/0.500/0.600" in lines[0]


def test_real_analyzer_scores_a_real_note(analyzer, tmp_path):
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "a.txt").write_text((ROOT / "samples" / "strategic-im.txt").read_text(encoding="utf-8"),
                                  encoding="utf-8")
    (folder / "expected.yml").write_text("a.txt: {bucket: strategic, reason: sample}\n", encoding="utf-8")
    fig = realtext.score_notes(analyzer, folder)
    (want, got), = fig["_pairs"]
    assert want == "strategic" and got in realtext.BUCKETS
    assert fig["right"] == (got == "strategic") and fig["confusion"]["strategic"] == {got: 1}
