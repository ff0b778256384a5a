"""Read a note from a .txt, .md, .vtt, .srt or .docx file or standard input into a Note with speaker turns."""

from __future__ import annotations

import codecs
import io
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import charset_normalizer
import docx
import webvtt
import yaml
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from lxml import etree
from webvtt.errors import MalformedCaptionError, MalformedFileError

from . import formats
from .notes import ROLES, InputError, Note, yaml_error
from .speakers import RoleRules, build_transcript, load_role_rules, resolve_role, split_turns

STDIN = "<stdin>"
MAX_MAPPING_BYTES = 1_000_000
# A .docx is a zip: refuse one whose parts unpack to far more than the size limit allows (a zip bomb).
DOCX_EXPANSION = 50

_MAGIC = (
    (b"%PDF-", "a PDF file"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old-style .doc file"),
    (b"{\\rtf", "an RTF document"),
)
_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_SRT_START = re.compile(r"\s*\d+[ \t]*\r?\n[ \t]*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}[ \t]*-->")
_FRONT_MATTER_OPEN = "---"
_FRONT_MATTER_CLOSE = ("---", "...")


def read_note(
    path: str | Path | None,
    *,
    input_format: str | None = None,
    max_bytes: int = 2_000_000,
    role_map: dict[str, Any] | None = None,
    stdin_text: str | bytes | None = None,
    source: str | None = None,
) -> Note:
    """Read a note from a file, or from stdin_text when path is None or "-" (named source, "<stdin>" by
    default); raise InputError on bad input."""
    stdin = path is None or str(path) == "-"
    source = source or (STDIN if stdin else str(path))
    fmt = _check_format(input_format, source)
    rules = load_role_rules()
    explicit = _check_role_map(_unwrap_roles(role_map or {}), "role map", rules)

    if stdin:
        if stdin_text is None:
            raise InputError(source, "no input: give a file, or pipe the note into standard input")
        raw = _stdin_bytes(stdin_text, source)
        _check_size(len(raw), max_bytes, source)
        suffix = ""
    else:
        raw = _read_bytes(Path(str(path)), max_bytes)
        suffix = Path(str(path)).suffix

    fmt = fmt or formats.by_extension(suffix)
    if fmt is None and _is_docx(raw):
        fmt = "docx"
    reader = globals()[formats.FORMATS[fmt].reader] if fmt else read_plain
    note: Note = reader(_Input(source, raw, fmt, max_bytes, rules, explicit))
    note.from_file = not stdin
    return note


@dataclass
class _Input:
    """What a format reader gets: the raw bytes and what is known about them."""

    source: str
    raw: bytes
    fmt: str | None
    max_bytes: int
    rules: RoleRules
    role_map: dict[str, str]

    def text(self) -> str:
        """The bytes decoded, checked for binary content and emptiness."""
        text = _decode(self.raw, self.source)
        if "\x00" in text:
            raise InputError(self.source, "binary content (NUL bytes), not text")
        if not text.strip():
            raise InputError(self.source, "note is empty")
        return text


def read_docx(data: _Input) -> Note:
    """A Word document: its paragraphs and table rows, speaker lines found in them."""
    text = _docx_text(data.raw, data.source, data.max_bytes)
    return _finish(Note(source=data.source, text=text, format="docx"), data.rules, data.role_map)


def read_captions(data: _Input) -> Note:
    """A WebVTT or SRT transcript: cues become `Speaker: words` lines with turns and timestamps."""
    text = data.text()
    fmt = data.fmt or _sniff(text)
    transcript, turns = build_transcript(_captions(text, fmt, data.source), data.rules, data.role_map)
    if not transcript.strip():
        raise InputError(data.source, f"no captions with text in this {fmt.upper()} file")
    return Note(source=data.source, text=transcript, format=fmt, turns=turns)


def read_plain(data: _Input) -> Note:
    """Plain text or Markdown (with front matter), or a transcript recognised by its first line."""
    text = data.text()
    fmt = data.fmt or _sniff(text)
    if fmt != data.fmt and formats.FORMATS[fmt].reader != "read_plain":
        return read_captions(_Input(data.source, data.raw, fmt, data.max_bytes, data.rules, data.role_map))
    meta: dict[str, Any] = {}
    body_offset = 0
    explicit = data.role_map
    if fmt == "md":
        meta, body_offset = _front_matter(text, data.source)
        front_roles = meta.get("roles")
        if front_roles is not None:
            line = _key_line(text[:body_offset], "roles")
            if not isinstance(front_roles, dict):
                raise InputError(data.source, "front matter 'roles' must map speaker labels to roles", line)
            explicit = _merge_role_maps(_check_role_map(front_roles, data.source, data.rules, line), explicit)
    note = Note(source=data.source, text=text[body_offset:], format=fmt, meta=meta, body_offset=body_offset,
                source_text=text)
    return _finish(note, data.rules, explicit)


def _finish(note: Note, rules: RoleRules, role_map: dict[str, str]) -> Note:
    """Refuse an empty note, else split it into turns."""
    if not note.text.strip():
        reason = "note is empty (front matter only)" if note.meta else "note is empty"
        raise InputError(note.source, reason)
    note.turns = split_turns(note.text, rules, role_map)
    return note


def load_mapping_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping (a --roles or --profile file); raise InputError with the line on bad YAML."""
    source = str(path)
    raw = _read_bytes(Path(source), MAX_MAPPING_BYTES)
    text = _decode(raw, source)
    data = _load_yaml(text, source, first_line=1)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(source, f"must be a YAML mapping (key: value lines), not a {_yaml_kind(data)}", 1)
    return data


def load_role_map(path: str | Path) -> dict[str, str]:
    """Read a --roles file (speaker label: role, optionally under a `roles:` key) into a checked role map."""
    return _check_role_map(_unwrap_roles(load_mapping_file(path)), str(path), load_role_rules())


def _unwrap_roles(data: dict[Any, Any]) -> dict[Any, Any]:
    """Accept a role map written bare or under a single `roles:` key."""
    if set(data) == {"roles"} and isinstance(data["roles"], dict):
        return data["roles"]
    return data


def _stdin_bytes(stdin_text: str | bytes, source: str) -> bytes:
    """Return standard input as bytes, so text and bytes go through the same checks and decoding."""
    if isinstance(stdin_text, bytes):
        return stdin_text
    try:
        # surrogateescape gives back the bytes a text-mode stdin could not decode
        return stdin_text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raise InputError(source, "cannot decode the text (it holds lone surrogates)") from None


def _check_format(input_format: str | None, source: str) -> str | None:
    """Return the forced format in canonical form, or None when it is to be guessed."""
    if input_format is None:
        return None
    fmt = formats.canonical(input_format)
    if fmt is None:
        raise InputError(source, f"unknown input format {input_format!r}; expected one of "
                                 f"{', '.join(formats.names())}")
    return fmt


def _check_size(size: int, max_bytes: int, source: str) -> None:
    """Refuse input over the size limit."""
    if size > max_bytes:
        raise InputError(source, f"file is {size} bytes, over the limit of {max_bytes} (--max-bytes)")


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read a whole file, turning every OS failure into an InputError."""
    source = str(path)
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(source, "no such file") from None
    except PermissionError:
        raise InputError(source, "permission denied") from None
    except OSError as exc:
        raise InputError(source, f"cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(source, "is a folder, not a file")
    _check_size(info.st_size, max_bytes, source)
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)  # a pipe or device reports no size
    except PermissionError:
        raise InputError(source, "permission denied") from None
    except OSError as exc:
        raise InputError(source, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise InputError(source, f"file is over the limit of {max_bytes} bytes (--max-bytes)")
    return raw


def _decode(raw: bytes, source: str) -> str:
    """Decode bytes: BOM-marked UTF-8/16/32, then UTF-8, Windows-1252, then charset-normalizer's best guess."""
    if raw.startswith(_BOMS):
        best = charset_normalizer.from_bytes(raw).best()
        if best is None:
            raise InputError(source, "cannot decode the text despite its byte-order mark")
        return str(best).removeprefix("\ufeff")
    for magic, kind in _MAGIC:
        if raw.startswith(magic):
            raise InputError(source, f"binary content ({kind}), not text")
    if b"\x00" in raw:
        raise InputError(source, "binary content (NUL bytes), not text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # charset-normalizer guesses cp1250 or even Cyrillic code pages for short English Windows text with
    # smart quotes, so Windows-1252 goes first; it only fails on five unused bytes.
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(raw).best()
    if best is None:
        raise InputError(source, "cannot decode the text (not UTF-8, UTF-16 or Windows-1252)")
    return str(best)


def _is_docx(raw: bytes) -> bool:
    """Tell whether bytes are a zip holding word/document.xml."""
    if not raw.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _sniff(text: str) -> str:
    """Guess the format of text whose extension says nothing."""
    if text.startswith("WEBVTT"):
        return "vtt"
    if _SRT_START.match(text):
        return "srt"
    if text.split("\n", 1)[0].rstrip() == _FRONT_MATTER_OPEN:
        return "md"
    return "txt"


def _captions(text: str, fmt: str, source: str) -> list[tuple[str | None, str, str | None]]:
    """Parse VTT or SRT with webvtt-py into (speaker, text, start) cues."""
    try:
        if fmt == "vtt":
            captions = webvtt.from_string(text, strict=True).captions
        else:
            captions = webvtt.from_buffer(io.StringIO(text), format="srt").captions
    except MalformedFileError:
        if fmt == "vtt":
            raise InputError(source, "not a WebVTT file: the first line must start with WEBVTT", 1) from None
        raise InputError(source, "not an SRT file: it must start with a cue number and a timing line", 1) from None
    except (MalformedCaptionError, ValueError) as exc:
        quoted = re.search(r"'([^'\n]+)'|\"([^\"\n]+)\"", str(exc))
        snippet = (quoted.group(1) or quoted.group(2)) if quoted else None
        line = _line_containing(text, snippet) if snippet else None
        reason = f"invalid {'WebVTT' if fmt == 'vtt' else 'SRT'} cue" + (f": {snippet[:60]!r}" if snippet else "")
        raise InputError(source, reason, line) from None
    cues: list[tuple[str | None, str, str | None]] = []
    last = ""
    for caption in captions:
        kept = []
        for row in caption.text.split("\n"):
            row = row.strip()
            # rolling captions (YouTube) repeat the previous line at the top of the next cue
            if row and row != last:
                kept.append(row)
                last = row
        if kept:
            cues.append((caption.voice, " ".join(kept), caption.start))
    return cues


def _line_containing(text: str, snippet: str) -> int | None:
    """Return the 1-based number of the first line containing snippet."""
    for number, line in enumerate(text.splitlines(), 1):
        if snippet in line:
            return number
    return None


def _docx_text(raw: bytes, source: str, max_bytes: int) -> str:
    """Return a Word document's paragraphs and table rows in order, a blank line between each."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > DOCX_EXPANSION * max_bytes:
            raise InputError(source, f"the .docx unpacks to {unpacked} bytes, too much for its size")
        document = docx.Document(io.BytesIO(raw))
        blocks: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                blocks.extend(_table_lines(block))
            elif block.text.strip():
                blocks.append(block.text)
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, etree.XMLSyntaxError,
            zlib.error, EOFError):
        raise InputError(source, "not a readable .docx file (corrupt, or not a Word document)") from None
    # A Word paragraph is a unit on its own: one without a label is not the previous speaker's words.
    return "\n\n".join(blocks)


def _table_lines(table: Table) -> list[str]:
    """Return one line per table row: "cell1: cell2" for two cells, else the cells joined by " | "."""
    lines = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if previous is not None and cell._tc is previous._tc:  # a merged cell repeats
                continue
            previous = cell
            cells.append(" ".join(cell.text.split()))
        filled = [c for c in cells if c]
        if len(cells) == 2 and len(filled) == 2:
            lines.append(f"{cells[0]}: {cells[1]}")
        elif filled:
            lines.append(" | ".join(filled))
    return lines


def _front_matter(text: str, source: str) -> tuple[dict[str, Any], int]:
    """Return the YAML front matter of a Markdown note as a mapping, and the offset where the body starts."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != _FRONT_MATTER_OPEN:
        return {}, 0
    for number, line in enumerate(lines[1:], 1):
        if line.rstrip() in _FRONT_MATTER_CLOSE:
            data = _load_yaml("".join(lines[1:number]), source, first_line=2)
            if data is None:
                data = {}
            if not isinstance(data, dict):
                raise InputError(source, f"front matter must be a mapping (key: value lines), not a "
                                         f"{_yaml_kind(data)}", 2)
            return data, sum(len(part) for part in lines[: number + 1])
    raise InputError(source, "front matter opened with '---' is never closed by a '---' line", 1)


def _load_yaml(text: str, source: str, first_line: int) -> Any:
    """Parse YAML, reporting errors with the file line (first_line is the file line of the text's first line)."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise yaml_error(exc, source, first_line) from None


def _yaml_kind(data: Any) -> str:
    """Name a YAML value's kind for an error message."""
    return {list: "list", str: "string", int: "number", float: "number", bool: "true/false"}.get(
        type(data), type(data).__name__)


def _key_line(front: str, key: str) -> int | None:
    """Return the 1-based file line of a top-level key in front matter text."""
    for number, line in enumerate(front.splitlines(), 1):
        if line.startswith(f"{key}:"):
            return number
    return None


def _check_role_map(mapping: dict[Any, Any], source: str, rules: RoleRules, line: int | None = None) -> dict[str, str]:
    """Return a role map with every role resolved ("PD" -> program_director); InputError on an unknown role."""
    checked: dict[str, str] = {}
    for label, value in mapping.items():
        role = resolve_role(value, rules) if isinstance(value, str) else None
        if role is None:
            raise InputError(source, f"unknown role {value!r} for {str(label)!r}; use one of {', '.join(ROLES)}",
                             line)
        checked[str(label)] = role
    return checked


def _merge_role_maps(base: dict[str, str], override: dict[str, str]) -> dict[str, str]:
    """Merge role maps, labels compared case-insensitively, the override winning."""
    taken = {label.casefold() for label in override}
    merged = {label: role for label, role in base.items() if label.casefold() not in taken}
    merged.update(override)
    return merged
