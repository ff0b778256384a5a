"""The rule files (scoring, topics, checklist, thresholds, context, gazetteers): read, validated, typed."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .lexicon import LINE_KEY, _LineLoader
from .lexicon import _strip_lines as strip_lines
from .notes import InputError, yaml_error
from .resources import data_path

Check = Callable[[Any, "Where"], Any]


class RuleError(InputError):
    """A rule file that cannot be used."""


@dataclass(frozen=True)
class Where:
    """The file, the key path and the nearest line of a value being checked."""

    path: str
    key: str
    line: int | None

    def at(self, key: str | int, value: Any = None) -> Where:
        """The place of a child value."""
        line = value.get(LINE_KEY, self.line) if isinstance(value, dict) else self.line
        name = f"{self.key}[{key}]" if isinstance(key, int) else (f"{self.key}.{key}" if self.key else str(key))
        return Where(self.path, name, line)

    def fail(self, reason: str) -> RuleError:
        """The one-line error for a bad value here."""
        return RuleError(self.path, f"{self.key or 'file'}: {reason}", self.line)


def number(lo: float | None = None, hi: float | None = None) -> Check:
    """A finite number, optionally within [lo, hi]."""

    def check(value: Any, where: Where) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise where.fail(f"must be a number, not {value!r}")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise where.fail(f"must be between {lo:g} and {hi:g}, not {value!r}")
        return float(value)

    return check


def whole(lo: int = 0, hi: int = 10**6) -> Check:
    """A whole number within [lo, hi]."""

    def check(value: Any, where: Where) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise where.fail(f"must be a whole number from {lo} to {hi}, not {value!r}")
        return value

    return check


def text(value: Any, where: Where) -> str:
    """Non-empty text (bare numbers read as the text they look like)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise where.fail(f"must be non-empty text, not {value!r}")
    return value


def regex(value: Any, where: Where) -> re.Pattern[str]:
    """A regular expression, compiled case-insensitively."""
    source = text(value, where)
    try:
        return re.compile(source, re.IGNORECASE)
    except re.error as exc:
        raise where.fail(f"invalid regular expression: {exc}") from None


def choice(*values: str | None) -> Check:
    """One of the given values."""

    def check(value: Any, where: Where) -> Any:
        if value not in values:
            raise where.fail(f"must be one of {', '.join(str(v) for v in values)}, not {value!r}")
        return value

    return check


def optional(inner: Check) -> Check:
    """None, or a value inner accepts."""
    return lambda value, where: None if value is None else inner(value, where)


def listof(item: Check, min_len: int = 0) -> Check:
    """A list whose items all pass item."""

    def check(value: Any, where: Where) -> list[Any]:
        if not isinstance(value, list) or len(value) < min_len:
            raise where.fail(f"must be a list of at least {min_len} item(s)" if min_len else "must be a list")
        return [item(v, where.at(i, v)) for i, v in enumerate(value)]

    return check


def raw(value: Any, where: Where) -> Any:
    """Any value, passed on with the line markers removed."""
    return strip_lines(value)


def mapping(required: dict[str, Check], optional_keys: dict[str, Check] | None = None) -> Check:
    """A mapping with exactly these keys: every required one, any of the optional ones, no others."""
    allowed = {**required, **(optional_keys or {})}

    def check(value: Any, where: Where) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise where.fail("must be a mapping of keys to values")
        keys = [k for k in value if k != LINE_KEY]
        for key in keys:
            if not isinstance(key, str) or key not in allowed:
                raise where.fail(f"unknown key {key!r} (expected {', '.join(sorted(allowed))})")
        for key in required:
            if key not in value:
                raise where.fail(f"missing key '{key}'")
        return {k: allowed[k](value[k], where.at(k, value[k])) for k in keys}

    return check


def mapof(inner: Check, key: Check = text) -> Check:
    """A mapping with free keys whose values all pass inner."""

    def check(value: Any, where: Where) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise where.fail("must be a mapping")
        return {key(k, where.at(str(k))): inner(v, where.at(str(k), v)) for k, v in value.items() if k != LINE_KEY}

    return check


SIDE_EFFECTS = ("as_is", "neither", "other_side")
FRACTION = number(0, 1)
POSITIVE = number(0, 100)

SCORING = mapping({
    "vague_factor": FRACTION,
    "repeat_exponent": number(0, 2),
    "specifics_window": whole(0, 10),
    "number_weights": mapping({"red": POSITIVE, "caution": POSITIVE, "healthy": POSITIVE}),
    "missing_factor": number(0, 10),
    "checklist_caution_share": FRACTION,
    "verdict": mapping({
        "min_words": whole(0), "min_hits": whole(0), "strategic_at": FRACTION, "desperate_below": FRACTION,
        "checklist_min_known": number(0, 100), "checklist_strategic_at": number(0, 100),
        "checklist_desperate_below": number(0, 100),
    }),
    "confidence": mapping({
        "full_at_pieces": number(1, 1000), "base": FRACTION, "margin_bonus_max": FRACTION, "margin_scale": number(0, 100),
        "public_only": FRACTION, "disagreement_factor": FRACTION, "borderline_factor": FRACTION,
    }),
    "reasons": mapping({"top_entries": whole(0, 100)}),
})
TOPICS = mapping({
    "min_words": whole(0),
    "topics": mapof(mapping({"label": text, "question": text, "weight": number(0, 100)})),
})
CHECKLIST = mapping({
    "alumni_min_specific": whole(0, 100),
    "items": mapping({
        name: mapping({"label": text, "weight": number(0, 100)})
        for name in ("alumni_outcomes", "board_pass_rates", "soap_history", "leadership_stability", "visa_handling")
    }),
})
BAND = mapping({"status": choice("red", "caution", "healthy", "info"), "note": text},
               {"below": number(), "above": number(), "atleast": number()})
THRESHOLDS = mapping({
    "number_words": mapof(number(0)),
    "metrics": mapof(mapping(
        {"label": text, "unit": text, "patterns": listof(regex, 1), "bands": listof(BAND, 1)},
        {"topic": optional(text), "keywords": listof(text)},
    )),
})
_CONTEXT = mapping(
    {
        "qualifiers": mapof(mapping(
            {"coverage": choice(*SIDE_EFFECTS), "outcomes": choice(*SIDE_EFFECTS), "figures": choice("count", "ignore")},
            {"factor": number(0, 1), "entry_override": text, "label": text},
        )),
        "rules": listof(mapping(
            {"qualifier": text, "direction": choice("forward", "backward"), "max_scope": whole(0, 100)},
            {"cues": listof(text), "terminators": listof(text), "patterns": listof(raw)},
        ), 1),
    },
    {"terminators": listof(text), "pseudo": listof(text), "question_marks": listof(text)},
)


def CONTEXT(value: Any, where: Where) -> dict[str, Any]:  # a schema, named like the others
    """The context rules, each rule naming a declared qualifier."""
    checked: dict[str, Any] = _CONTEXT(value, where)
    declared = list(checked["qualifiers"])
    for i, rule in enumerate(checked["rules"]):
        if rule["qualifier"] not in declared:
            raw_rule = value["rules"][i]
            place = where.at("rules", value["rules"]).at(i, raw_rule).at("qualifier")
            raise place.fail(f"unknown qualifier {rule['qualifier']!r} (declared: {', '.join(declared)})")
    return checked


GAZETTEER = mapping({"label": text}, {"phrases": listof(text), "patterns": listof(raw)})
GAZETTEERS = ("specialties", "institutions", "places", "numbers")


def read_rule_file(path: Path, schema: Check) -> dict[str, Any]:
    """Parse a rule file with line numbers and check it against its schema; RuleError on any problem."""
    source = str(path)
    try:
        data = yaml.load(path.read_text("utf-8"), Loader=_LineLoader)
    except OSError as exc:
        raise RuleError(source, f"cannot read rule file: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise RuleError(source, "rule file is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        error = yaml_error(exc, source)
        raise RuleError(error.path, error.reason, error.line) from None
    checked: dict[str, Any] = schema(data, Where(source, "", 1))
    return checked


@dataclass(frozen=True)
class QualifierEffect:
    """What one context qualifier does to a hit: which side it then counts for, at what factor, and figures."""

    name: str
    coverage: str
    outcomes: str
    figures: str
    factor: float = 1.0
    entry_override: str | None = None
    label: str | None = None

    def side_for(self, side: str, override: str | None = None) -> str:
        """The side a hit of this side counts for under this qualifier ("none" for neither)."""
        if override is not None:
            return override
        effect = self.coverage if side == "coverage" else self.outcomes
        if effect == "as_is":
            return side
        if effect == "other_side":
            return "outcomes" if side == "coverage" else "coverage"
        return "none"


@dataclass(frozen=True)
class Rules:
    """Every rule file, validated: the scoring numbers, topics, checklist, thresholds, context and gazetteers."""

    scoring: dict[str, Any]
    topics: dict[str, Any]
    checklist: dict[str, Any]
    thresholds: dict[str, Any]
    context: dict[str, Any]
    gazetteers: tuple[dict[str, Any], ...]

    @property
    def qualifiers(self) -> tuple[QualifierEffect, ...]:
        """The qualifiers in precedence order (first wins when several reach a hit)."""
        return tuple(QualifierEffect(name, **spec) for name, spec in self.context["qualifiers"].items())


def rule_path(*parts: str) -> Path:
    """The path of a packaged rule file."""
    return Path(str(data_path("phrase_lexicons", *parts)))


def load_rules(folder: Path | None = None) -> Rules:
    """Read and validate every rule file (from the package, or a folder laid out like phrase_lexicons/)."""

    def at(*parts: str) -> Path:
        return folder.joinpath(*parts) if folder else rule_path(*parts)

    return Rules(
        scoring=read_rule_file(at("rules", "scoring.yml"), SCORING),
        topics=read_rule_file(at("rules", "topics.yml"), TOPICS),
        checklist=read_rule_file(at("rules", "checklist.yml"), CHECKLIST),
        thresholds=read_rule_file(at("rules", "thresholds.yml"), THRESHOLDS),
        context=read_rule_file(at("rules", "context.yml"), CONTEXT),
        gazetteers=tuple(read_rule_file(at("gazetteers", f"{name}.yml"), GAZETTEER) for name in GAZETTEERS),
    )


@lru_cache(maxsize=1)
def packaged_rules() -> Rules:
    """The rules that ship with the tool, read once per process."""
    return load_rules()
