"""Input errors and the speaker roles a note can have (the note types themselves live in results)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .results import Note, Turn

__all__ = ["MAX_BYTES_LIMIT", "ROLES", "InputError", "Note", "Turn", "one_line", "yaml_error"]

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


def __getattr__(name: str) -> Any:
    """Note and Turn, re-exported from results on first use (so `redflags --help` does not build them)."""
    if name in ("Note", "Turn"):
        from . import results

        return getattr(results, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
