"""Arbitrary text never breaks the pipeline, and every hit, figure and specific quotes the text it points at."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SEEDS = ["PD: We are like a family.", "no protected didactics", "Me: do you have protected didactics?",
         "independant", "96% pass rate", "board pass rate 82%", "2–3 hours of protected didactics", "\n", "\r\n",
         "\x00", "  ", "\t", "Dr. Lee (PD): our grads went to cards at Mayo in 2023."]
# Drawn into every example: curly quotes, dashes, zero-width characters, a byte-order mark, a bidi override.
SPECIALS = ["\u2019", "\u2018", "\u201c", "\u201d", "\u2013", "\u2014", "\u200b", "\u200d", "\ufeff", "\u202e"]

pieces = st.lists(st.one_of(st.text(), st.sampled_from(SEEDS), st.text(min_size=300, max_size=2000)),
                  max_size=6).map("".join)


@st.composite
def texts(draw: st.DrawFn) -> str:
    """Text with every special character inserted somewhere."""
    text = draw(pieces)
    for special in draw(st.permutations(SPECIALS)):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + special + text[at:]
    return text


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(text=texts())
def test_pipeline_never_raises_and_offsets_hold(analyzer, text):
    result = analyzer.analyze_text(text)
    assert result.source_text == text
    for hit in result.hits:
        assert 0 <= hit.start <= hit.end <= len(text)
        assert text[hit.start:hit.end] == hit.text
        for qualifier in hit.qualifiers:
            assert text[qualifier.start:qualifier.end] == qualifier.cue
    for finding in result.numbers:
        assert text[finding.start:finding.end] == finding.text
    for specific in result.specifics:
        assert text[specific.start:specific.end] == specific.text
    assert result.verdict.bucket in {"strategic", "dependent", "desperate", "insufficient"}
    result.to_json()
