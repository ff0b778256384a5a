"""Teaching pages as files: the projector quiz, the handout and the contrast page (browser checks: tests/browser)."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import SAMPLES, run

from analyzer.drills import load_drills
from analyzer.teach import CATEGORY_LABELS, pick

PAIR = (SAMPLES / "strategic-im.txt", SAMPLES / "desperate-community-im.txt")
USER_LEXICON = """\
entries:
  - id: my-sweat-equity
    side: coverage
    category: coverage-talk
    weight: 2
    phrases: ["sweat equity <b>now</b>"]
    meaning: Unpaid extra work sold as an investment in your future.
    follow_up: Who decides when the sweat equity is paid back?
    source: a user's own notes
    examples:
      flag: ["PD: it's sweat equity <b>now</b>, you'll thank us"]
"""


def _self_contained(html: str) -> None:
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "<link" not in html and "@import" not in html and "url(" not in html


def test_html_quiz_is_self_contained_and_repeatable(tmp_path):
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    for path in (first, second):
        result = run("teach", "quiz", "--html", "--rounds", "6", "--seed", "9", "-o", str(path))
        assert result.exit_code == 0 and "6 cards, seed 9" in result.output
    html = first.read_text("utf-8")
    assert html == second.read_text("utf-8")
    _self_contained(html)
    chosen = pick(load_drills(), 6, None, 9)
    positions = [html.index(f'data-answer="{d.answer}" data-category="{d.category}" data-trap="{d.trap}"')
                 for d in chosen]
    assert positions == sorted(positions) and html.count('class="qcard card"') == 6
    for drill in chosen:
        assert drill.explanation.replace("'", "&#39;").replace('"', "&#34;") in html


def test_html_quiz_escapes_drill_text(tmp_path):
    drills = tmp_path / "mine.yml"
    drills.write_text("""drills:
  - id: evil
    line: "We're like a family <script>alert(1)</script> here"
    speaker: faculty
    answer: coverage
    category: coverage-talk
    trap: none
    explanation: "<img src=x> family talk"
""", encoding="utf-8")
    out = tmp_path / "quiz.html"
    result = run("teach", "quiz", "--html", "--drills", str(drills), "--seed", "1", "-o", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "<img src=x>" not in html and 'class="hit coverage"' in html


def test_handout_groups_by_category_and_ends_with_weights_and_thresholds(tmp_path):
    lexicon = tmp_path / "mine.yml"
    lexicon.write_text(USER_LEXICON, encoding="utf-8")
    out = tmp_path / "handout.html"
    result = run("teach", "handout", "--lexicon", str(lexicon), "-o", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    _self_contained(html)
    heads = [html.index(f'id="cat-{c}-h"') for c in CATEGORY_LABELS]
    last = html.index('class="last-page"')
    assert all(h < last for h in heads)
    assert "sweat equity &lt;b&gt;now&lt;/b&gt;" in html and "your lexicon" in html
    assert "Unpaid extra work sold as an investment in your future." in html
    assert "Who decides when the sweat equity is paid back?" in html
    tail = html[last:]
    for label, weight in [("Alumni outcomes", 30), ("Board pass rates", 25), ("SOAP history", 20),
                          ("Leadership stability", 15), ("Visa handling", 10)]:
        assert re.search(rf"<td>{label}[^<]*</td><td>{weight}</td>", tail)
    assert "under 85%: red" in tail and "62% or more" in tail and "under 30%" in tail
    assert "They say" in html and "It often means" in html and "Ask next" in html


def test_handout_bad_lexicon_is_one_line_error(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("entries:\n  - id: x\n    side: sideways\n", encoding="utf-8")
    result = run("teach", "handout", "--lexicon", str(bad), "-o", str(tmp_path / "h.html"))
    assert result.exit_code == 2 and result.stderr.startswith(f"redflags: error: {bad}:2: ")
    assert not (tmp_path / "h.html").exists()


def test_contrast_of_the_sample_pair_shows_both_verdicts(tmp_path):
    out = tmp_path / "contrast.html"
    result = run("teach", "contrast", *map(str, PAIR), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "strategic-im.txt: Strategically IMG-friendly (strategic)" in result.output
    assert "desperate-community-im.txt: Desperate for bodies (desperate)" in result.output
    html = out.read_text("utf-8")
    _self_contained(html)
    verdict_a = html[html.index('id="verdict-a"'):html.index('id="verdict-b"')]
    assert "Strategically IMG-friendly" in verdict_a and "Lakeshore Mercy Medical Center" in verdict_a
    assert "Desperate for bodies" in html[html.index('id="verdict-b"'):html.index('id="categories"')]
    assert 'id="a-h0"' in html and 'id="b-h0"' in html and 'href="#b-h0"' in html
    assert html.index('id="cat-coverage-talk-h"') < html.index('id="cat-outcomes-talk-h"')


def test_contrast_escapes_note_text_and_refuses_bad_input(tmp_path):
    note = tmp_path / "n.txt"
    note.write_text("PD: We are like a family <script>x()</script> here, you will cover nights.\n",
                    encoding="utf-8")
    out = tmp_path / "c.html"
    result = run("teach", "contrast", str(note), str(PAIR[0]), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "<script>x()" not in out.read_text("utf-8")
    missing = tmp_path / "nope.txt"
    result = run("teach", "contrast", str(missing), str(PAIR[0]), "-o", str(out))
    assert result.exit_code == 2 and result.stderr.startswith(f"redflags: error: {missing}")
    assert len(result.stderr.strip().splitlines()) == 1


def test_contrast_never_overwrites_a_note(tmp_path):
    note = tmp_path / "n.txt"
    note.write_text("PD: We are like a family here.\n", encoding="utf-8")
    result = run("teach", "contrast", str(note), str(PAIR[0]), "-o", str(note))
    assert result.exit_code == 2 and Path(note).read_text("utf-8") == "PD: We are like a family here.\n"


def test_handout_can_be_limited_to_some_categories(tmp_path):
    out = tmp_path / "visa.html"
    result = run("teach", "handout", "--category", "visa-contract", "--category", "soap-fill", "-o", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    assert 'id="cat-visa-contract-h"' in html and 'id="cat-soap-fill-h"' in html
    assert 'id="cat-coverage-talk-h"' not in html and "Board pass rates" in html
    bad = run("teach", "handout", "--category", "vibes", "-o", str(out))
    assert bad.exit_code == 2 and "unknown category 'vibes'" in bad.stderr


def test_pages_rewrite_their_own_file_but_not_a_stranger(tmp_path):
    page = tmp_path / "handout.html"
    for _ in range(2):
        assert run("teach", "handout", "--category", "leadership", "-o", str(page)).exit_code == 0
    stranger = tmp_path / "mine.html"
    stranger.write_text("<p>my own page</p>", encoding="utf-8")
    result = run("teach", "quiz", "--html", "--seed", "1", "-o", str(stranger))
    assert result.exit_code == 2 and stranger.read_text("utf-8") == "<p>my own page</p>"
    result = run("teach", "quiz", "--html", "--seed", "1", "-o", str(stranger), "--overwrite")
    assert result.exit_code == 0 and 'class="qcard card"' in stranger.read_text("utf-8")
