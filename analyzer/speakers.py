"""Split a note into speaker turns and tell who each speaker is (program director, resident, applicant...)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .notes import ROLES, InputError, Turn
from .resources import data_path, load_yaml

ANSWER = "answer"

# A speaker line: optional bullets, list numbers or a timestamp, a short label, a colon, then the words.
# The colon must be followed by a space or the end of the line, which keeps out "10:30" and "https://".
# Only labels the role rules know ("PD", "PGY3", "Me") open a turn mid-line, and only after a sentence ends.
_INLINE_LABEL = re.compile(r"(?<=[.?!\"'”)\]])[ \t]+(?P<label>[A-Z][\w.\-]*(?:[ \t][\w.\-()]+){0,3}?):[ \t]+")
_SPEAKER_LINE = re.compile(
    r"""
    (?P<lead>[ \t]*(?:(?:[-*+>•·–—]|\d{1,3}[.)](?=[ \t]))[ \t]*)*)
    (?:[\[(]?(?P<time>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)[\])]?[ \t]+)?
    (?:\*\*|__)?
    (?P<label>[^\s:*_<>\[\]{}?!;"“”][^:*<>\[\]{}?!;"“”]{0,80}?)
    [ \t]*(?:\*\*|__)?[ \t]*:(?:\*\*|__)?
    (?=\s|$)
    """,
    re.VERBOSE,
)
_PARENS = re.compile(r"\([^)]*\)")
_WORD = re.compile(r"[^\W_][\w'’.\-]*")
_TRAILING_NUMBER = re.compile(r"[\s\-#]*\d+[a-z]?$")

MAX_LABEL_WORDS = 6
MAX_LABEL_CHARS = 60


@dataclass(frozen=True)
class RoleRule:
    """One rule of roles.yml: labels, words or patterns that give a role."""

    role: str
    labels: frozenset[str]
    pattern: re.Pattern[str] | None


@dataclass(frozen=True)
class RoleRules:
    """Everything roles.yml says: the ordered rules, titles, the default role and the non-speaker labels."""

    rules: tuple[RoleRule, ...]
    title_role: str
    title_pattern: re.Pattern[str] | None
    default_role: str
    not_speaker_labels: frozenset[str]
    not_speaker_pattern: re.Pattern[str] | None
    lowercase_ok: frozenset[str]


@dataclass(frozen=True)
class SpeakerLine:
    """A parsed `Label: text` line: the label and where, in the line, the label and the words start."""

    label: str
    label_start: int
    content_start: int
    timestamp: str | None = None


def _phrase_regex(phrases: Iterable[str]) -> str | None:
    """Return a regex matching any of the phrases as whole words, spaces also matching - . _."""
    alternatives = sorted({p.strip().lower() for p in phrases if p and p.strip()}, key=len, reverse=True)
    if not alternatives:
        return None
    parts = [r"[\s\-_.]+".join(re.escape(w) for w in phrase.split()) for phrase in alternatives]
    return r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])"


def _compile(sources: Iterable[str | None], where: str, path: Path) -> re.Pattern[str] | None:
    """Join regex sources into one case-insensitive pattern, or None when there are none."""
    parts = [s for s in sources if s]
    if not parts:
        return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)
    except re.error as exc:
        raise InputError(str(path), f"bad regular expression in {where}: {exc}") from None


def _strings(value: Any, where: str, path: Path) -> list[str]:
    """Return a YAML list of strings, or raise InputError naming the key."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(str(path), f"{where} must be a list of strings")
    return [str(v) for v in value]


def _section(raw: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    """Return a mapping section of roles.yml ({} when absent)."""
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        raise InputError(str(path), f"{key} must be a mapping")
    return value


def _role(value: Any, where: str, path: Path, extra: tuple[str, ...] = ()) -> str:
    """Return a role name from roles.yml, checked against ROLES."""
    if value not in ROLES + extra:
        raise InputError(str(path), f"{where}: unknown role {value!r}; expected one of {', '.join(ROLES + extra)}")
    return str(value)


@lru_cache(maxsize=8)
def load_role_rules(path: Path | None = None) -> RoleRules:
    """Read roles.yml (the shipped one unless a path is given) into RoleRules."""
    path = path or data_path("phrase_lexicons", "rules", "roles.yml")
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(str(path), f"cannot read role rules: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(str(path), f"invalid YAML: {getattr(exc, 'problem', None) or exc}",
                         mark.line + 1 if mark else None) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("rules"), list):
        raise InputError(str(path), "role rules must be a mapping with a list under 'rules:'")

    rules = []
    keywords: set[str] = set()
    for i, entry in enumerate(raw["rules"], 1):
        if not isinstance(entry, dict):
            raise InputError(str(path), f"rule {i} must be a mapping")
        where = f"rule {i}"
        labels = _strings(entry.get("labels"), f"{where} labels", path)
        words = _strings(entry.get("words"), f"{where} words", path)
        patterns = _strings(entry.get("patterns"), f"{where} patterns", path)
        rules.append(RoleRule(
            role=_role(entry.get("role"), where, path, (ANSWER,)),
            labels=frozenset(label.strip().lower() for label in labels),
            pattern=_compile([_phrase_regex(words), *patterns], f"{where}", path),
        ))
        for phrase in (*labels, *words):
            keywords.update(phrase.lower().split())

    titles = _section(raw, "titles", path)
    title_words = _strings(titles.get("words"), "titles words", path)
    keywords.update(w.lower() for w in title_words)
    not_speakers = _section(raw, "not_speakers", path)
    return RoleRules(
        rules=tuple(rules),
        title_role=_role(titles.get("role", "faculty"), "titles", path),
        title_pattern=_compile([_phrase_regex(title_words)], "titles", path),
        default_role=_role(raw.get("default_role", "unknown"), "default_role", path),
        not_speaker_labels=frozenset(
            s.strip().lower().rstrip(".") for s in _strings(not_speakers.get("labels"), "not_speakers labels", path)),
        not_speaker_pattern=_compile(_strings(not_speakers.get("patterns"), "not_speakers patterns", path),
                                     "not_speakers patterns", path),
        lowercase_ok=frozenset(keywords | {w.lower() for w in _strings(raw.get("lowercase_ok"), "lowercase_ok", path)}),
    )


def _is_speaker_label(label: str, rules: RoleRules, role_map: Mapping[str, str] | None) -> bool:
    """Tell whether a short `Label:` reads like a speaker rather than a heading or prose."""
    if len(label) > MAX_LABEL_CHARS or len(label.split()) > MAX_LABEL_WORDS:
        return False
    if not any(c.isalpha() for c in label):
        return False
    if role_map and label.casefold() in {str(key).strip().casefold() for key in role_map}:
        return True
    low = label.lower().rstrip(".")
    bare = _TRAILING_NUMBER.sub("", low)
    if low in rules.not_speaker_labels or bare in rules.not_speaker_labels:
        return False
    if rules.not_speaker_pattern and rules.not_speaker_pattern.fullmatch(low):
        return False
    # only the name before a comma must read like one: "PD, about visas:" is the PD speaking
    for word in _WORD.findall(_PARENS.sub(" ", label).split(",")[0]):
        if not (word[0].isupper() or word[0].isdigit() or word.lower().strip(".") in rules.lowercase_ok):
            return False
    return True


def parse_speaker_line(
    line: str, rules: RoleRules, role_map: Mapping[str, str] | None = None
) -> SpeakerLine | None:
    """Return the speaker label of a `Label: text` line, or None when the line is not a speaker line."""
    match = _SPEAKER_LINE.match(line)
    if not match:
        return None
    label = match.group("label").strip()
    if not _is_speaker_label(label, rules, role_map):
        return None
    content_start = match.end()
    while content_start < len(line) and line[content_start] in " \t":
        content_start += 1
    return SpeakerLine(label, match.start("label"), content_start, match.group("time"))


def _mapped_role(label: str, role_map: Mapping[str, str]) -> str | None:
    """Return the user's role for a label: exact, case-insensitive, then the longest key found inside it."""
    low = label.casefold()
    found: tuple[int, str] | None = None
    for key, role in role_map.items():
        k = str(key).strip().casefold()
        if not k:
            continue
        if k == low:
            return role
        if re.search(r"(?<!\w)" + re.escape(k) + r"(?!\w)", low) and (found is None or len(k) > found[0]):
            found = (len(k), role)
    return found[1] if found else None


def resolve_role(value: str, rules: RoleRules) -> str | None:
    """Return the role a user wrote in a role map ("program_director", "PD", "chief resident"), or None."""
    text = value.strip()
    key = text.lower().replace(" ", "_").replace("-", "_")
    if key in ROLES:
        return key
    role = _rule_role(text, rules)
    return role if role in ROLES else None


def _rule_role(label: str, rules: RoleRules) -> str | None:
    """Return the role the rules give a label (possibly ANSWER), or None when no rule or title matches."""
    low = label.strip().lower()
    for rule in rules.rules:
        if low in rule.labels or (rule.pattern is not None and rule.pattern.search(low)):
            return rule.role
    if rules.title_pattern is not None and rules.title_pattern.search(low):
        return rules.title_role
    return None


def role_for(
    label: str | None, rules: RoleRules, role_map: Mapping[str, str] | None = None, last_role: str = "unknown"
) -> str:
    """Return the role of a speaker label; `last_role` is the last non-applicant role, for "A:"."""
    if label is None:
        return "unknown"
    role: str | None = None
    if role_map:
        mapped = _mapped_role(label, role_map)
        role = resolve_role(mapped, rules) if isinstance(mapped, str) else None
    if role is None:
        role = _rule_role(label, rules) or rules.default_role
    return last_role if role == ANSWER else role


class _TurnBuilder:
    """Collects turns line by line, tracking the last non-applicant role for "A:" labels."""

    def __init__(self, rules: RoleRules, role_map: Mapping[str, str] | None):
        self.rules, self.role_map = rules, role_map
        self.turns: list[Turn] = []
        self.current: Turn | None = None
        self.last_role = "unknown"

    def open(self, start: int, label: str | None, timestamp: str | None = None) -> None:
        """Start a turn whose content begins at `start`."""
        self.close()
        role = role_for(label, self.rules, self.role_map, self.last_role)
        if label is not None and role != "applicant":
            self.last_role = role
        self.current = Turn(start=start, end=start, speaker=label, role=role, timestamp=timestamp)

    def extend(self, start: int, end: int) -> None:
        """Add the stretch start..end (non-blank content) to the current turn, opening an unknown one if needed."""
        if self.current is None:
            self.open(start, None)
        assert self.current is not None
        if self.current.end == self.current.start:
            self.current.start = start
        self.current.end = end

    def close(self) -> None:
        """End the current turn, keeping it only if it has words."""
        if self.current is not None and self.current.end > self.current.start:
            self.turns.append(self.current)
        self.current = None


def _content_span(line: str, offset: int, start: int = 0) -> tuple[int, int] | None:
    """Return the text offsets of the line's non-blank content from `start` on, or None if it is blank."""
    content = line[start:]
    stripped = content.strip()
    if not stripped:
        return None
    lead = len(content) - len(content.lstrip())
    begin = offset + start + lead
    return begin, begin + len(stripped)


def split_turns(text: str, rules: RoleRules, role_map: dict[str, str] | None = None) -> list[Turn]:
    """Split text into turns at `Label:` lines; offsets cover each turn's words, after the label."""
    builder = _TurnBuilder(rules, role_map)
    offset = 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        speaker = parse_speaker_line(line, rules, role_map)
        if speaker is not None:
            builder.open(offset + speaker.content_start, speaker.label, speaker.timestamp)
            span = _content_span(line, offset, speaker.content_start)
        else:
            span = _content_span(line, offset)
            current = builder.current
            if span is None and current is not None and current.speaker is not None and current.end > current.start:
                # a blank line ends a speaker's turn; what follows is unattributed until the next label
                builder.close()
        if span is not None:
            start, end = span
            for label, label_start, content_start in _inline_speakers(line, start - offset, rules, role_map):
                before = len(line[:label_start].rstrip())
                if before + offset > start:
                    builder.extend(start, offset + before)
                builder.open(offset + content_start, label)
                start = offset + content_start
            if end > start:
                builder.extend(start, end)
        offset += len(raw)
    builder.close()
    return builder.turns


def _inline_speakers(
    line: str, start: int, rules: RoleRules, role_map: Mapping[str, str] | None
) -> list[tuple[str, int, int]]:
    """Speaker labels that open a new turn mid-line after a sentence end ("...? PGY3: we manage")."""
    found = []
    for match in _INLINE_LABEL.finditer(line, start):
        label = match.group("label").strip()
        known = _rule_role(label, rules) is not None or (role_map and _mapped_role(label, role_map))
        if known and _is_speaker_label(label, rules, role_map):
            found.append((label, match.start("label"), match.end()))
    return found


def build_transcript(
    cues: Iterable[tuple[str | None, str, str | None]],
    rules: RoleRules,
    role_map: dict[str, str] | None = None,
) -> tuple[str, list[Turn]]:
    """Join caption cues (speaker or None, text, start) into "Speaker: text" lines, one per run of a speaker."""
    # A cue without a speaker may still start with a `Label:`; otherwise it continues the previous turn.
    builder = _TurnBuilder(rules, role_map)
    lines: list[str] = []
    size = 0  # length of "\n".join(lines)
    for speaker, words, timestamp in cues:
        words = " ".join(words.split())
        if not words:
            continue
        if speaker is None:
            parsed = parse_speaker_line(words, rules, role_map)
            if parsed is not None:
                speaker, words = parsed.label, words[parsed.content_start:]
        if speaker is not None:
            speaker = " ".join(speaker.replace(":", " ").split()) or None
        current = builder.current
        if speaker is not None and current is not None and current.speaker == speaker and lines:
            if words:
                lines[-1] += " " + words
                size += 1 + len(words)
                builder.extend(current.start, size)
            continue
        sep = 1 if lines else 0
        if speaker is None:
            lines.append(words)
            builder.extend(size + sep, size + sep + len(words))
        else:
            lines.append(f"{speaker}: {words}" if words else f"{speaker}:")
            start = size + sep + len(speaker) + 2
            builder.open(start, speaker, timestamp)
            if words:
                builder.extend(start, start + len(words))
        if builder.current is not None and builder.current.timestamp is None:
            builder.current.timestamp = timestamp
        size += sep + len(lines[-1])
    builder.close()
    return "\n".join(lines), builder.turns


def role_at(turns: list[Turn], offset: int) -> Turn | None:
    """Return the turn covering a character offset, or None (turns sorted by start, as split_turns gives)."""
    i = bisect.bisect_right(turns, offset, key=lambda t: t.start) - 1
    if i >= 0 and turns[i].start <= offset < turns[i].end:
        return turns[i]
    return None
