"""Input errors and the speaker roles a note can have (the note types themselves live in results)."""

from __future__ import annotations

from .results import Note, Turn

__all__ = ["ROLES", "InputError", "Note", "Turn", "yaml_error"]

ROLES = ("program_director", "faculty", "chief", "resident", "coordinator", "applicant", "unknown")


class InputError(Exception):
    """A note, lexicon or profile that cannot be used; names the file and, where known, the line."""

    def __init__(self, path: str, reason: str, line: int | None = None):
        self.path, self.reason, self.line = str(path), reason, line
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


def yaml_error(exc: Exception, source: str, first_line: int = 1) -> InputError:
    """One-line error for a YAML parse failure, at the line where the broken construct opened."""
    mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or "cannot be parsed"
    return InputError(source, f"invalid YAML: {problem}", mark.line + first_line if mark is not None else None)
