"""Arbitrary text never breaks the pipeline, and every hit points at the text it quotes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SEEDS = ["PD: We are like a family.", "no protected didactics", "Me: do you have protected didactics?",
         "independant", "96% pass rate", "\n", "\r\n", "\x00", "\u2019", "—", "  ", "\t"]

texts = st.lists(st.one_of(st.text(), st.sampled_from(SEEDS), st.text(min_size=300, max_size=2000)),
                 max_size=6).map("".join)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(text=texts)
def test_pipeline_never_raises_and_offsets_hold(analyzer, text):
    result = analyzer.analyze_text(text)
    for hit in result.hits:
        assert 0 <= hit.start <= hit.end <= len(text)
        assert text[hit.start:hit.end] == hit.text
    for finding in result.numbers:
        assert text[finding.start:finding.end] == finding.text
    assert result.verdict.bucket in {"strategic", "dependent", "desperate", "insufficient"}
    result.to_json()
