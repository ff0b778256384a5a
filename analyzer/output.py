"""Writing what the tool produces: regular files only, never over a note, atomically, no temporary file left."""

from __future__ import annotations

import os
import signal
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from .notes import InputError

GENERATOR = "interview-redflags"
HTML_MARK = f"<!-- generator: {GENERATOR} -->"
JSON_MARK = f'"generator": "{GENERATOR}"'
STDOUT_NAMES = ("-", "/dev/stdout")
NOTE_SUFFIXES = frozenset({".txt", ".text", ".log", ".md", ".markdown", ".mdown", ".vtt", ".webvtt", ".srt",
                           ".docx", ".doc", ".rtf", ".odt", ".pdf", ".yml", ".yaml"})
# Our reports carry their mark within the first bytes; a file without it is someone else's.
_MARK_WINDOW = 4096
_SIGNALS = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None)


def mark_html(html: str) -> str:
    """Put the generator mark right after the doctype line of an HTML page."""
    head, newline, rest = html.partition("\n")
    if head.lower().startswith("<!doctype"):
        return f"{head}\n{HTML_MARK}\n{rest}" if newline else f"{head}\n{HTML_MARK}\n"
    return f"{HTML_MARK}\n{html}"


def is_stdout(path: str | Path) -> bool:
    """Whether an -o value means standard output."""
    return str(path) in STDOUT_NAMES


def is_our_report(path: Path) -> bool:
    """Whether a file starts like a report this tool wrote."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_MARK_WINDOW).decode("utf-8", "replace")
    except OSError:
        return False
    return HTML_MARK in head or JSON_MARK in head


def write_output(path: str | Path, text: str, *, protect: Iterable[str | Path] = (), overwrite: bool = False) -> None:
    """Write text to path ('-' is standard output) through a temporary file; InputError when it may not.

    Refuses devices, sockets and FIFOs, the files in protect and any file with a note's extension, and a
    file that is not one of our reports unless overwrite is set.
    """
    if is_stdout(path):
        _write_stdout(text)
        return
    source = str(path)
    target = Path(source)
    _check_target(target, source, protect, overwrite)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(source, f"cannot write: {exc.strerror or exc}") from None
    try:
        with _removed_on_signal() as temps:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
            temps.append(tmp)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
    except OSError as exc:
        raise InputError(source, f"cannot write: {exc.strerror or exc}") from None


def _check_target(target: Path, source: str, protect: Iterable[str | Path], overwrite: bool) -> None:
    """Refuse a target that is not, or would not replace, a regular file we may replace."""
    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise InputError(source, f"cannot write: {exc.strerror or exc}") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        kind = ("a folder" if stat.S_ISDIR(info.st_mode) else "a FIFO" if stat.S_ISFIFO(info.st_mode)
                else "a socket" if stat.S_ISSOCK(info.st_mode) else "a device")
        raise InputError(source, f"refusing to write a report over {kind}; -o takes a regular file (or - for "
                                 f"standard output)")
    resolved = target.resolve()
    for note in protect:
        if str(note) != "-" and _same_file(resolved, Path(str(note))):
            raise InputError(source, "refusing to overwrite an input given on the command line")
    if info is None:
        return
    if resolved.suffix.lower() in NOTE_SUFFIXES or target.suffix.lower() in NOTE_SUFFIXES:
        raise InputError(source, f"refusing to overwrite a {target.suffix or resolved.suffix} file: it may be a note")
    if not overwrite and not is_our_report(target):
        raise InputError(source, "refusing to replace a file that is not a redflags report (--overwrite allows it)")


def _same_file(resolved: Path, other: Path) -> bool:
    try:
        return resolved == other.resolve() or (other.exists() and resolved.exists() and resolved.samefile(other))
    except OSError:
        return False


def _write_stdout(text: str) -> None:
    """Write to standard output, a terminal, file or pipe alike."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader went away (| head): nothing more to say, and no traceback at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError) as exc:
        raise InputError("-", f"cannot write to standard output: {exc}") from None


@contextmanager
def _removed_on_signal() -> Iterator[list[str]]:
    """While writing, SIGTERM or SIGHUP first removes the temporary files, then ends the process as it would have."""
    temps: list[str] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        for tmp in temps:
            Path(tmp).unlink(missing_ok=True)
        signal.signal(signum, previous.get(signum) or signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    previous: dict[int, Any] = {}
    try:
        for signum in _SIGNALS:
            previous[signum] = signal.signal(signum, handler)
    except ValueError:  # not the main thread: signals cannot be caught here
        previous.clear()
    try:
        yield temps
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
