"""The one registry of input formats: name, file extensions, other names, and the reader that reads it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    """An input format the tool reads; reader names the function in analyzer.reading that reads it."""

    name: str
    extensions: tuple[str, ...]
    aliases: tuple[str, ...]
    description: str
    reader: str


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("txt", (".txt", ".text", ".log"), ("text",), "plain-text notes", "read_plain"),
    Format("md", (".md", ".markdown", ".mdown"), ("markdown",), "Markdown notes with YAML front matter", "read_plain"),
    Format("vtt", (".vtt", ".webvtt"), ("webvtt",), "WebVTT transcripts (Zoom, Teams, Thalamus)", "read_captions"),
    Format("srt", (".srt",), ("subrip",), "SubRip captions", "read_captions"),
    Format("docx", (".docx",), ("word",), "Word documents", "read_docx"),
)}


def names() -> tuple[str, ...]:
    """The format names, as the command line offers them."""
    return tuple(FORMATS)


def by_extension(suffix: str) -> str | None:
    """The format a file extension stands for, or None."""
    suffix = suffix.lower()
    return next((f.name for f in FORMATS.values() if suffix in f.extensions), None)


def canonical(name: str) -> str | None:
    """The format a name or alias ("markdown", ".md", "Word") stands for, or None."""
    name = name.strip().lower().lstrip(".")
    return next((f.name for f in FORMATS.values() if name == f.name or name in f.aliases), None)


def note_extensions() -> frozenset[str]:
    """Every extension of a note the tool can read (such files are never overwritten by an output)."""
    return frozenset(e for f in FORMATS.values() for e in f.extensions)
