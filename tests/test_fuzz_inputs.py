"""Fuzzing the YAML users give the tool: every value type in front matter, profiles, role maps and lexicon entries.

Whatever the YAML holds, `redflags` exits 0 or prints one error line with exit 2, never a traceback, and the JSON
it prints is strictly valid (JavaScript's JSON.parse would read it: no NaN or Infinity).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.checklist import PROFILE_KEYS
from analyzer.cli import cli

NOTE = "PD: Our residents are very independent. We are like a family here.\n"
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

odd_floats = st.sampled_from([".nan", ".NaN", ".inf", "-.inf", "1.0e+309", "-1.0e+309", "1e309", "0.0", "-0.5",
                              "1_000.5", "6.02e+23", "0.97", "97.5", "150.0", "-5.0", "1:30:00.5"])
odd_ints = st.one_of(st.integers(-(10**30), 10**30).map(str), st.sampled_from(
    ["0x1F", "0o17", "0b101", "-0", "1_000", "190:20:30", "9" * 500, "-" + "9" * 40, "2024", "1899", "3024"]))
timestamps = st.sampled_from(["2024-02-30", "0000-01-01", "2024-01-01 10:00:00 +99:99", "2024-11-05",
                              "2001-12-14t21:59:43.10-05:00", "9999-12-31", "2024-13-01", "1900-01-01 00:00:00"])
words = st.sampled_from(["yes", "no", "on", "off", "true", "False", "null", "~", "''", '""', "y", "n",
                         "PD", "program_director", "resident", "chief", "J-1", "H-1B", "95%", "nan", "inf",
                         "-5", "x" * 300, "<script>alert(1)</script>", "'quoted'"])
tagged = st.sampled_from(["!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1, b: 2]", "!!pairs [a: 1]",
                          "!!python/name:os.system", "!!python/object/apply:os.system [ls]", "!!str 5",
                          "!!int '12'", "!!float 'nan'", "!!timestamp 2024-02-30", "!!null ''", "!custom x",
                          "&a 1", "*a", "&b [1, 2]", "<<: *b", "|", ">", "@", "`", "%"])
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30).map(
    lambda t: json.dumps(t, ensure_ascii=False))
# one_of picks a branch uniformly: repeating the plainer ones keeps most documents valid enough to be analyzed
scalars = st.one_of(odd_floats, odd_ints, odd_ints, timestamps, words, words, texts, texts, tagged)
known_keys = st.sampled_from(sorted(PROFILE_KEYS | {"date", "program", "roles", "sponsored", "paperwork_on_time",
                                                   "place", "year"}))
odd_keys = st.one_of(odd_ints, timestamps, st.sampled_from(["true", "null", "~", "[1, 2]", "{a: 1}", "? x", "1.5"]))
keys = st.one_of(known_keys, known_keys, known_keys, texts, odd_keys)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(keys, inner), max_size=4).map(lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"),
    ),
    max_leaves=12,
)
plain_scalars = st.one_of(odd_floats, odd_ints, timestamps, words, texts)
plain_values = st.one_of(plain_scalars, plain_scalars, st.lists(plain_scalars, max_size=3).map(
    lambda xs: "[" + ", ".join(xs) + "]"), st.lists(st.tuples(st.one_of(known_keys, texts), plain_scalars),
                                                    max_size=3).map(
    lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"))
tame_scalars = st.one_of(st.integers(0, 100).map(str), st.floats(0, 1).map(repr), st.integers(1990, 2025).map(str),
                        st.sampled_from(["2024-11-05", "2019-07-01 08:30:00", "J-1", "true", "null", "95%"]), texts)
tame_values = st.one_of(tame_scalars, tame_scalars, st.lists(tame_scalars, max_size=3).map(
    lambda xs: "[" + ", ".join(xs) + "]"), st.lists(st.tuples(known_keys, tame_scalars), max_size=3).map(
    lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"))
# a third anything at all, a third text keys with plain values, a third in-range values (most of those analyzed)
mappings = st.one_of(
    st.lists(st.tuples(keys, values), min_size=1, max_size=6),
    st.lists(st.tuples(st.one_of(known_keys, known_keys, texts), plain_values), min_size=1, max_size=4),
    st.lists(st.tuples(st.one_of(known_keys, known_keys, texts), tame_values), min_size=1, max_size=4),
).map(lambda kv: "".join(f"{k}: {v}\n" for k, v in kv))
roles = st.sampled_from(["PD", "program_director", "resident", "chief", "apd", "faculty", "Me", "coordinator"])
role_maps = st.lists(st.tuples(st.one_of(texts, texts, texts, texts, texts, odd_keys),
                               st.one_of(*[roles] * 8, values)), min_size=1, max_size=4).map(lambda kv: "".join(f"{k}: {v}\n" for k, v in kv))


def refuse(constant: str) -> Any:
    raise AssertionError(f"the JSON holds {constant}")


def check(arguments: list[str]) -> None:
    """Exit 0 with strictly valid JSON, or exit 2 with one error line; never a traceback."""
    result = CliRunner().invoke(cli, arguments, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 2), (result.exit_code, result.output)
    if result.exit_code == 2:
        assert result.stderr.startswith("redflags: error: ") and result.stderr.count("\n") == 1, result.stderr
    else:
        json.loads(result.stdout, parse_constant=refuse)


@FUZZ
@given(mappings)
def test_front_matter(yaml_text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "note.md"
        path.write_text(f"---\n{yaml_text}---\n{NOTE}", encoding="utf-8")
        check(["analyze", str(path), "--format", "json"])


typed = st.sampled_from(["!!binary aGVsbG8=", "!!set {b, a}", "!!omap [a: 1, b: 2]", "!!pairs [a: 1, a: 2]",
                         "!!str 5", "!!float '1.5'", "2001-12-14t21:59:43.10-05:00", "2024-11-05", "~", "0o17",
                         "0x1F", "1_000", "190:20:30", "-.5e3", ".5", "'multi\\nline'", "|\n  block\n  text"])
typed_mappings = st.lists(st.tuples(st.one_of(texts, st.sampled_from(["program", "date", "interviewer", "notes"])),
                                    st.one_of(typed, tame_values)), min_size=1, max_size=4).map(
    lambda kv: "".join(f"{k}: {v}\n" for k, v in kv))


@FUZZ
@given(typed_mappings)
def test_front_matter_of_every_type_gives_strict_json(yaml_text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "note.md"
        path.write_text(f"---\n{yaml_text}---\n{NOTE}", encoding="utf-8")
        check(["analyze", str(path), "--format", "json"])


@FUZZ
@given(mappings)
def test_profile(yaml_text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        note, profile = Path(folder) / "note.txt", Path(folder) / "profile.yml"
        note.write_text(NOTE, encoding="utf-8")
        profile.write_text(yaml_text, encoding="utf-8")
        check(["analyze", str(note), "--format", "json", "--profile", str(profile)])


@FUZZ
@given(role_maps)
def test_role_map(yaml_text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        note, roles = Path(folder) / "note.txt", Path(folder) / "roles.yml"
        note.write_text(NOTE, encoding="utf-8")
        roles.write_text(yaml_text, encoding="utf-8")
        check(["analyze", str(note), "--format", "json", "--roles", str(roles)])


ENTRY_KEYS = ["id", "side", "category", "weight", "meaning", "follow_up", "source", "phrases", "patterns", "near",
              "topic", "needs_specifics", "negated_counts_for", "past_counts_for", "enabled", "fallback"]
BASE = {"id": "user-fuzz", "side": "coverage", "category": "coverage-talk", "weight": "1", "meaning": "m",
        "follow_up": "f", "source": "s", "phrases": "[zebra stripes galore]",
        "examples": '{flag: ["PD: zebra stripes galore"]}'}
pattern_values = st.one_of(values, st.lists(st.lists(st.one_of(
    st.sampled_from(["{LOWER: {}}", '{LOWER: {REGEX: "(a+)+"}}', '{LOWER: {REGEX: "("}}', "{LOWER: zebra}",
                     '{TEXT: {REGEX: "^z"}}', "{OP: '+'}", "{LENGTH: {'>=': .nan}}", "{LOWER: {IN: [18, 20]}}",
                     "{ENT_TYPE: NUMBER}", "{LEMMA: {NOT_IN: []}}", "{}"]), values), min_size=1, max_size=3).map(
    lambda toks: "[" + ", ".join(toks) + "]"), max_size=3).map(lambda ps: "[" + ", ".join(ps) + "]"))


plausible = st.sampled_from(["coverage", "outcomes", "coverage-talk", "2", "0.5", "true", "false", "null",
                             "[zebra stripes galore, more zebras]", "teaching", "none", "[[{LOWER: zebra}]]",
                             "[{window: 3, groups: [[zebra], [stripes]]}]", "Some text."])


@FUZZ
@given(st.dictionaries(st.sampled_from(ENTRY_KEYS), st.one_of(plausible, plausible, plain_values, values,
                                                              pattern_values), max_size=3),
       st.one_of(st.none(), st.none(), st.none(), keys))
def test_lexicon_entry(changes: dict[str, str], extra_top_key: str | None) -> None:
    entry = {**BASE, **changes}
    body = "entries:\n  - " + "\n    ".join(f"{k}: {v}" for k, v in entry.items()) + "\n"
    if extra_top_key is not None:
        body += f"{extra_top_key}: 1\n"
    with tempfile.TemporaryDirectory() as folder:
        lexicon = Path(folder) / "lex.yml"
        lexicon.write_text(body, encoding="utf-8")
        check(["lexicon", "list", "--format", "json", "--lexicon", str(lexicon)])
