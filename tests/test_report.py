"""The HTML report as a reader gets it: self-contained, plain words first, figures read from the rules files."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from analyzer.matching import cached_lexicon
from analyzer.report import (
    build_note_report,
    css_string,
    highlight_segments,
    render_html,
    render_lexicon_docs,
)
from analyzer.textclean import escape_controls, neutralize

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
RULES = ROOT / "phrase_lexicons" / "rules"


class _Visible(HTMLParser):
    """The text a reader sees outside the folded technical details, scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0
        self.stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("meta", "input", "br", "link"):
            return
        hide = tag in ("script", "style", "template") or dict(attrs).get("id") == "details"
        self.stack.append(hide)
        self.skip += hide

    def handle_endtag(self, tag):
        if self.stack and tag not in ("meta", "input", "br", "link"):
            self.skip -= self.stack.pop()

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "".join(parser.parts)


def long_note(words: int) -> str:
    """A long note made by repeating the samples' lines with numbered days."""
    lines = [line for p in sorted(SAMPLES.glob("*.txt")) for line in p.read_text("utf-8").splitlines() if line.strip()]
    out, count, day = [], 0, 0
    while count < words:
        line = f"{lines[day % len(lines)]} (day {day})"
        out.append(line)
        count += len(line.split())
        day += 1
    return "\n".join(out) + "\n"


def test_a_5000_word_note_report_is_small_and_self_contained(analyzer):
    text = long_note(5000)
    analysis = analyzer.analyze_text(text, source="long.txt")
    assert analysis.words >= 5000 and len(analysis.hits) > 100
    html = render_html(analysis)
    assert len(html.encode("utf-8")) < 300_000, len(html.encode("utf-8"))
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", html)
    assert not re.search(r"@import|url\(\s*['\"]?(?!data:)", html)
    assert "<link" not in html and not re.search(r"<script[^>]*\bsrc=", html)
    assert "default-src 'none'" in html  # the page itself forbids fetching anything


def test_reasons_are_deduplicated_with_counts_and_questions_folded(analyzer):
    analysis = analyzer.analyze_text(long_note(3000), source="long.txt")
    report = build_note_report(analysis, cached_lexicon(()))
    lines = [r for r, _ in report.reasons]
    assert len(lines) == len(set(lines))
    assert sum(n for _, n in report.reasons) == len(analysis.verdict.reasons)
    html = render_html(analysis)
    assert len(report.questions) > 3
    folded = html.split("<details class=\"screen-only\">", 1)[1].split("</details>", 1)[0]
    assert report.questions[3][0] in folded and report.questions[0][0] not in folded


def test_hits_are_grouped_by_entry_with_links_back_to_the_note(analyzer):
    analysis = analyzer.analyze_path(SAMPLES / "desperate-community-im.txt")
    report = build_note_report(analysis, cached_lexicon(()))
    assert sum(g.count for g in report.groups) == len(analysis.hits)
    assert len({g.entry for g in report.groups}) == len(report.groups)
    html = render_html(analysis)
    for group in report.groups:
        for _, anchor in group.anchors:
            assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html


def test_no_internal_ids_or_weights_in_what_a_reader_sees(analyzer):
    analysis = analyzer.analyze_path(SAMPLES / "desperate-community-im.txt")
    text = visible_text(render_html(analysis))
    for hit in analysis.hits:
        assert hit.entry not in text, hit.entry
    assert "weight" not in text.lower() and "plain claim" not in text.lower()
    lexicon = cached_lexicon(())
    html = render_html(analysis)
    for hit in analysis.hits:  # each popover's meaning and question, written once per entry in the styles
        entry = lexicon.entries[hit.entry]
        assert str(css_string(entry.meaning)) in html and str(css_string(entry.follow_up)) in html


def test_gauge_lines_come_from_the_scoring_rules(analyzer, monkeypatch):
    from analyzer import scoring

    analysis = analyzer.analyze_path(SAMPLES / "desperate-community-im.txt")
    rules = yaml.safe_load((RULES / "scoring.yml").read_text("utf-8"))
    html = render_html(analysis)
    for key in ("desperate_below", "strategic_at"):
        assert f">{rules['verdict'][key] * 100:.0f}%</text>" in html
    changed = {**rules, "verdict": {**rules["verdict"], "desperate_below": 0.25, "strategic_at": 0.7}}
    monkeypatch.setattr(scoring, "scoring_rules", lambda: changed)
    html = render_html(analysis)
    assert ">25%</text>" in html and ">70%</text>" in html and ">30%</text>" not in html
    share = analysis.verdict.share
    assert share is not None and f'width="{398 * share:.1f}"' in html  # the bar is the verdict's share


def test_insufficient_note_greys_the_gauge(analyzer):
    analysis = analyzer.analyze_text("PD: We are like a family.\n", source="short.txt")
    assert analysis.verdict.bucket == "insufficient"
    html = render_html(analysis)
    assert 'class="gauge off"' in html and 'class="fill"' not in html
    assert "balance" not in visible_text(html).lower()


def test_checklist_weights_and_topic_names_come_from_the_rules(analyzer, tmp_path):
    note = tmp_path / "n.md"
    note.write_text("---\nprogram: Test IM\nboard_pass_rate: 95\n---\nPD: We are like a family here.\n")
    html = render_html(analyzer.analyze_path(note))
    items = yaml.safe_load((RULES / "checklist.yml").read_text("utf-8"))["items"]
    for item in items.values():
        assert f"{item['label']} {item['weight']:g}" in html


def test_markdown_renders_as_a_safe_subset(analyzer):
    text = "## Visa\nPD: **Dr. Lee** said we are like a family here. <b>raw</b>\n"
    html = render_html(analyzer.analyze_text(text, source="n.md"))
    note = html.split('class="note"', 1)[1].split("</div>", 1)[0]
    assert "##" not in note and "**" not in note
    assert "<strong>Dr. Lee</strong>" in note and "&lt;b&gt;raw&lt;/b&gt;" in note


def test_highlight_segments_cover_the_text_and_explain_each_hit(analyzer):
    analysis = analyzer.analyze_path(SAMPLES / "dependent-fm.txt")
    segments = highlight_segments(analysis.text, analysis.hits, cached_lexicon(()), markdown=False)
    assert "".join(s.text for s in segments) == analysis.text
    anchored = {s.anchor for s in segments if s.anchor}
    assert len(anchored) >= len({(h.start, h.end) for h in analysis.hits}) // 2
    for seg in segments:
        for e in seg.explanations:
            assert e.side_label and e.badge and e.meaning


def test_plain_cues_for_negation_applicant_and_typo(analyzer):
    text = ("PD: We do not have protected didactics.\nMe: Is it like a famly here?\n"
            "PD: Our residents are like a famly and very independant.\n")
    analysis = analyzer.analyze_text(text, source="c.txt")
    report = build_note_report(analysis, cached_lexicon(()))
    cues = {c for s in report.segments for e in s.explanations for c in e.cues}
    assert any(c.startswith("negated by '") for c in cues), cues
    assert "asked by you" in cues or "said by you" in cues, cues
    assert any(c.startswith("typo of '") for c in cues), cues


def test_control_characters_are_removed_for_matching_and_shown_on_display(analyzer):
    assert neutralize("pro\u200btected\ufeff di\u00addactics\u202e") == "protected didactics"
    heard = analyzer.analyze_text(neutralize("PD: We have pro\u200btected didac\u200dtics every week.\n"), source="z")
    assert any("protected" in h.text for h in heard.hits)
    assert escape_controls("a\u202eb") == "a<U+202E>b"
    html = render_html(analyzer.analyze_text("PD: like a family\u202e here, nights are brutal.\n", source="r"))
    assert "\u202e" not in html and "&lt;U+202E&gt;" in html


def test_lexicon_page_describes_every_entry_and_cites_sources_by_title():
    lexicon = cached_lexicon(())
    html = render_lexicon_docs(lexicon)
    assert "Red rows" not in html and "green rows" not in html
    for entry in lexicon:
        block = html.split(f'id="{entry.id}"', 1)[1].split("</li>", 1)[0]
        assert "They say:</b> " in block and ("\u201c" in block), entry.id
        assert not re.search(r"\bS\d{1,3}\b", block.split("Source:", 1)[1]), entry.id
    assert "<em>pattern</em>" not in html


@pytest.mark.parametrize("name", ["desperate-community-im.txt", "dependent-neuro.md"])
def test_sample_reports_render(analyzer, name):
    html = render_html(analyzer.analyze_path(SAMPLES / name))
    assert "<main" in html and 'aria-label="Contents"' in html and "<thead>" in html
