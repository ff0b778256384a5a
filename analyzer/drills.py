"""The drill bank for teaching sessions: lines a PD or resident might say, as validated data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .lexicon import CATEGORIES, LINE_KEY, _LineLoader, lexicon_files
from .notes import ROLES, InputError, yaml_error
from .resources import data_path

ANSWERS = ("coverage", "outcomes", "neither")
TRAPS = ("none", "negation", "question", "plan", "past", "hearsay", "general", "typo", "evasive")
SPEAKERS = tuple(r for r in ROLES if r != "unknown")
REQUIRED = ("id", "line", "speaker", "answer", "category", "trap", "explanation")
OPTIONAL = ("hint",)
# The speaker label a drill line is analyzed under, so the tool hears who said it as a note would show it.
LABELS = {"program_director": "PD", "faculty": "APD", "chief": "Chief", "resident": "Resident (PGY-2)",
          "coordinator": "Coordinator", "applicant": "Me"}
SPEAKER_NAMES = {"program_director": "Program director", "faculty": "Associate PD", "chief": "Chief resident",
                 "resident": "Resident", "coordinator": "Coordinator", "applicant": "You (the applicant)"}
TRAP_HINTS = {
    "none": "Take the words at face value: what would this line add to the program's file?",
    "negation": "Listen for a 'no', 'not' or 'never': is something the program should have being denied?",
    "question": "Who is asking? A question is not the program's claim.",
    "plan": "Is this something they have today, or something they hope to have?",
    "past": "Is this still true, or something the program used to have?",
    "hearsay": "Second-hand still tells you something, but whose claim is it and which way does it lean?",
    "general": "Is this about this program, or about residency in general?",
    "typo": "Notes are typed fast: read past the misspelling to the phrase underneath.",
    "evasive": "Did the answer actually answer the question?",
}


class DrillError(InputError):
    """A drill file that cannot be used."""


@dataclass(frozen=True)
class Drill:
    """One quiz item: a line, who says it, the expected answer and why."""

    id: str
    line: str
    speaker: str
    answer: str
    category: str
    trap: str
    explanation: str
    hint: str = ""
    origin: str = ""

    @property
    def note_text(self) -> str:
        """The line as a note would record it, with the speaker label the analyzer reads."""
        return f"{LABELS[self.speaker]}: {self.line}"

    @property
    def hint_text(self) -> str:
        """The hint shown on '?': the item's own, or the trap's."""
        return self.hint or TRAP_HINTS[self.trap]


def builtin_drill_files() -> list[Path]:
    """The drill files that ship with the package."""
    return lexicon_files([Path(str(data_path("phrase_lexicons", "drills")))])


def _read(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DrillError(str(path), f"cannot read drill file: {exc.__class__.__name__}") from None
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        error = yaml_error(exc, str(path))
        raise DrillError(error.path, error.reason, error.line) from None
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) - {"drills", LINE_KEY}:
        extra = sorted(set(data) - {"drills", LINE_KEY}) if isinstance(data, dict) else []
        reason = f"unknown top-level key '{extra[0]}' (expected 'drills')" if extra else "expected 'drills:'"
        raise DrillError(str(path), reason, data.get(LINE_KEY) if isinstance(data, dict) else 1)
    items = data.get("drills") or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise DrillError(str(path), "'drills' must be a list of mappings", data.get(LINE_KEY))
    return items


def _build(path: Path, raw: dict[str, Any]) -> Drill:
    line = raw.get(LINE_KEY)

    def fail(reason: str) -> DrillError:
        return DrillError(str(path), reason, line)

    did = raw.get("id")
    keys = set(raw) - {LINE_KEY}
    if not isinstance(did, str) or not did.strip():
        raise fail("drill id must be non-empty text")
    unknown = sorted(keys - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise fail(f"drill '{did}': unknown key '{unknown[0]}'")
    missing = [k for k in REQUIRED if k not in raw]
    if missing:
        raise fail(f"drill '{did}': missing key '{missing[0]}'")
    for key in (*REQUIRED, *OPTIONAL):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            raise fail(f"drill '{did}': '{key}' must be non-empty text")
    choices = {"speaker": SPEAKERS, "answer": ANSWERS, "category": CATEGORIES, "trap": TRAPS}
    for key, allowed in choices.items():
        if raw[key] not in allowed:
            raise fail(f"drill '{did}': {key} must be one of {', '.join(allowed)}")
    text = {k: " ".join(raw[k].split()) for k in (*REQUIRED, *OPTIONAL) if k in raw}
    return Drill(**text, origin=f"{path}:{line}")


def load_drills(paths: list[str | Path] | None = None) -> list[Drill]:
    """The built-in drill bank, or the drills in the given files or folders; ids are unique across them."""
    for path in paths or []:
        if not Path(path).exists():
            raise DrillError(str(path), "no such drill file or folder")
    files = lexicon_files(list(paths)) if paths else builtin_drill_files()
    drills: list[Drill] = []
    seen: dict[str, str] = {}
    for path in files:
        for raw in _read(path):
            drill = _build(path, raw)
            if drill.id in seen:
                raise DrillError(str(path), f"duplicate drill id '{drill.id}' (also at {seen[drill.id]})",
                                 raw.get(LINE_KEY))
            seen[drill.id] = drill.origin
            drills.append(drill)
    return drills
