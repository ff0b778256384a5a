"""The service layer: one function per use case, shared by the command line, the batch, the paste page and
the teaching pages. Each takes options and returns plain results; none prints or exits."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .notes import InputError
from .results import Analysis

if TYPE_CHECKING:
    from .analysis import Analyzer

DEFAULT_MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class Options:
    """How to read and analyze notes: format, size limit, speaker roles, program profile, lexicons, model."""

    input_format: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    roles_file: Path | None = None
    profile_file: Path | None = None
    lexicons: tuple[str, ...] = ()
    model: str | None = None
    role_map: dict[str, str] | None = field(default=None, compare=False, hash=False)
    profile: dict[str, Any] | None = field(default=None, compare=False, hash=False)

    def loaded(self) -> Options:
        """These options with the role map and profile files read (InputError when they are bad)."""
        from .reading import load_profile, load_role_map

        role_map = self.role_map
        if role_map is None and self.roles_file is not None:
            role_map = load_role_map(self.roles_file)
        profile = self.profile
        if profile is None and self.profile_file is not None:
            profile = load_profile(self.profile_file)
        return Options(self.input_format, self.max_bytes, self.roles_file, self.profile_file, self.lexicons,
                       self.model, role_map, profile)

    def fingerprint(self) -> str:
        """A digest of everything in these options that can change a result (files by their content)."""
        parts: dict[str, Any] = {
            "input_format": self.input_format, "max_bytes": self.max_bytes, "model": self.model,
            "role_map": self.role_map, "profile": self.profile,
        }
        for name, path in (("roles_file", self.roles_file), ("profile_file", self.profile_file)):
            parts[name] = _file_digest(path) if path else None
        parts["lexicons"] = [_tree_digest(Path(p)) for p in self.lexicons]
        text = json.dumps(parts, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _tree_digest(path: Path) -> str:
    if path.is_dir():
        return hashlib.sha256("".join(_file_digest(p) for p in sorted(path.rglob("*.y*ml"))).encode()).hexdigest()
    return _file_digest(path)


def analyzer_for(options: Options) -> Analyzer:
    """The shared Analyzer for these options' lexicons and model (loaded once per process)."""
    from .analysis import get_analyzer

    return get_analyzer(tuple(str(p) for p in options.lexicons), options.model)


def analyze_file(path: str | Path, options: Options | None = None, stdin: bytes | str | None = None,
                 progress: Callable[[str, int, int], None] | None = None) -> Analysis:
    """Read one note file (or "-" with the standard input given as stdin) and analyze it; progress hears
    (stage, words, stages) for each stage of a note."""
    from .reading import read_note

    options = (options or Options()).loaded()
    note = read_note(path, input_format=options.input_format, max_bytes=options.max_bytes,
                     role_map=options.role_map, stdin_text=stdin)
    analyzer = analyzer_for(options)
    if progress is None:
        return analyzer.analyze(note, options.profile)
    words, stages = len(note.text.split()), analyzer.stages()
    return analyzer.analyze(note, options.profile, lambda stage: progress(stage, words, stages))


def analyze_text(text: str, *, source: str = "<text>", options: Options | None = None) -> Analysis:
    """Analyze pasted text as a note (decoded, front matter and transcripts recognised like a file)."""
    from .reading import read_note

    options = (options or Options()).loaded()
    note = read_note(None, input_format=options.input_format, max_bytes=options.max_bytes,
                     role_map=options.role_map, stdin_text=text, source=source)
    return analyzer_for(options).analyze(note, options.profile)


def analyze_many(paths: Iterable[str | Path], options: Options | None = None
                 ) -> Iterator[tuple[Path, Analysis | InputError]]:
    """Analyze note files one after another; a bad file yields its InputError and never stops the others."""
    options = (options or Options()).loaded()
    analyzer = analyzer_for(options)
    from .reading import read_note

    for path in paths:
        try:
            note = read_note(path, input_format=options.input_format, max_bytes=options.max_bytes,
                             role_map=options.role_map)
            yield Path(path), analyzer.analyze(note, options.profile)
        except InputError as exc:
            yield Path(path), exc
