"""A note as read from disk or standard input: its text, speaker turns and front matter."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# The largest --max-bytes allowed; spaCy's max_length is set to match.
MAX_BYTES_LIMIT = 50_000_000
ROLES = ("program_director", "faculty", "chief", "resident", "coordinator", "applicant", "unknown")


class InputError(Exception):
    """A note, lexicon or profile that cannot be used; names the file and, where known, the line."""

    def __init__(self, path: str, reason: str, line: int | None = None):
        self.path, self.reason, self.line = str(path), reason, line
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return one_line(f"{where}: {self.reason}")


_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def one_line(text: str) -> str:
    """Escape line breaks and other control characters (a file name may hold them) so a message stays one line."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def yaml_error(exc: Exception, source: str, first_line: int = 1) -> InputError:
    """One-line error for a YAML parse failure, at the line where the broken construct opened."""
    mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or "cannot be parsed"
    return InputError(source, f"invalid YAML: {problem}", mark.line + first_line if mark is not None else None)


@dataclass
class Turn:
    """A stretch of the note said by one speaker; offsets index into Note.text."""

    start: int
    end: int
    speaker: str | None = None
    role: str = "unknown"
    timestamp: str | None = None


@dataclass
class Note:
    """The text to analyze, where it came from, its turns and its front matter."""

    source: str
    text: str
    format: str = "txt"
    meta: dict[str, Any] = field(default_factory=dict)
    turns: list[Turn] = field(default_factory=list)
    body_offset: int = 0
