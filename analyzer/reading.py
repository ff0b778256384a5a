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
from typing import TYPE_CHECKING, Any

from . import formats, safeyaml
from .notes import MAX_BYTES_LIMIT, ROLES, InputError, Note
from .speakers import RoleRules, build_transcript, load_role_rules, resolve_role, split_turns

if TYPE_CHECKING:
    from docx.table import Table

STDIN = "<stdin>"
MAX_MAPPING_BYTES = 1_000_000
MAX_ROLE_LABELS = 1_000
# A .docx is a zip of XML: its parts may inflate to this many times --max-bytes, counted while inflating.
DOCX_EXPANSION = 10
_CHUNK = 1 << 16
_TIMING = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})\s*-->\s*(?:(\d+):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})")

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
    _check_max_bytes(max_bytes)
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
        from .checklist import check_profile

        check_profile(meta, data.source, lambda key: _key_line(text[:body_offset], key))
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


def load_mapping_file(path: str | Path, what: str = "YAML file") -> dict[str, Any]:
    """Read a YAML mapping (a --roles or --profile file); raise InputError with the line on bad YAML."""
    source = str(path)
    raw = _read_bytes(Path(source), MAX_MAPPING_BYTES, limit_name=f"the {what} limit")
    text = _decode(raw, source)
    data = _load_yaml(text, source, first_line=1, what=what)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(source, f"must be a YAML mapping (key: value lines), not a {_yaml_kind(data)}", 1)
    return data


def load_profile(path: str | Path) -> dict[str, Any]:
    """Read a --profile file and check its checklist values (rates 0-100, real years, counts not negative)."""
    from .checklist import check_profile

    data = load_mapping_file(path, "profile")
    text = Path(str(path)).read_text("utf-8", errors="replace")
    check_profile(data, str(path), lambda key: _key_line(text, key))
    return data


def load_role_map(path: str | Path) -> dict[str, str]:
    """Read a --roles file (speaker label: role, optionally under a `roles:` key) into a checked role map."""
    return _check_role_map(_unwrap_roles(load_mapping_file(path, "role map")), str(path), load_role_rules())


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


def _check_size(size: int, max_bytes: int, source: str, limit_name: str = "--max-bytes") -> None:
    """Refuse input over the size limit."""
    if size > max_bytes:
        raise InputError(source, f"file is {size} bytes, over the limit of {max_bytes} ({limit_name})")


def _check_max_bytes(max_bytes: int) -> None:
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or not 1 <= max_bytes <= MAX_BYTES_LIMIT:
        raise InputError("--max-bytes", f"must be a whole number from 1 to {MAX_BYTES_LIMIT}")


def read_limited(stream: Any, max_bytes: int, source: str, limit_name: str = "--max-bytes") -> bytes:
    """Read a binary stream in chunks, refusing it as soon as it passes max_bytes (a pipe or device has no size)."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(_CHUNK, max_bytes + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise InputError(source, f"input is over the limit of {max_bytes} bytes ({limit_name})")


def _read_bytes(path: Path, max_bytes: int, limit_name: str = "--max-bytes") -> bytes:
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
    _check_size(info.st_size, max_bytes, source, limit_name)
    try:
        with path.open("rb") as handle:
            return read_limited(handle, max_bytes, source, limit_name)
    except PermissionError:
        raise InputError(source, "permission denied") from None
    except OSError as exc:
        raise InputError(source, f"cannot read: {exc.strerror or exc}") from None


def _decode(raw: bytes, source: str) -> str:
    """Decode bytes: BOM-marked UTF-8/16/32, then UTF-8, Windows-1252, then charset-normalizer's best guess."""
    if raw.startswith(_BOMS):
        best = _best_guess(raw)
        if best is None:
            raise InputError(source, "cannot decode the text despite its byte-order mark")
        return str(best).removeprefix("\ufeff")
    for magic, kind in _MAGIC:
        if raw.startswith(magic):
            raise InputError(source, f"binary content ({kind}), not text")
    if b"\x00" in raw:
        utf16 = _utf16_without_bom(raw)
        if utf16 is None:
            raise InputError(source, "binary content (NUL bytes), not text")
        return utf16
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
    best = _best_guess(raw)
    if best is None:
        raise InputError(source, "cannot decode the text (not UTF-8, UTF-16 or Windows-1252)")
    return str(best)


def _best_guess(raw: bytes) -> Any:
    """charset-normalizer's best reading of raw, or None (imported only for text that is not plain UTF-8)."""
    import charset_normalizer

    return charset_normalizer.from_bytes(raw).best()
def _utf16_without_bom(raw: bytes) -> str | None:
    """Text saved as UTF-16 with no byte-order mark: NULs fill every other byte of its Latin characters."""
    if len(raw) < 4 or len(raw) % 2:
        return None
    even, odd = raw[0::2], raw[1::2]
    for zeros, others, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.6 * len(zeros) and others.count(0) <= 0.05 * len(others):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError:
                return None
    return None


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
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    _check_timings(text, fmt, source)
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


def _check_timings(text: str, fmt: str, source: str) -> None:
    """Refuse a cue timing with minute or second 60 and over, or one that ends before it starts."""
    kind = "WebVTT" if fmt == "vtt" else "SRT"
    for number, line in enumerate(text.splitlines(), 1):
        if "-->" not in line:
            continue
        found = _TIMING.match(line)
        if not found:
            continue
        parts = found.groups()
        times = []
        for h, m, s, ms in (parts[:4], parts[4:]):
            if int(m) > 59 or int(s) > 59:
                raise InputError(source, f"invalid {kind} cue timing: minutes and seconds run 00 to 59", number)
            times.append(((int(h or 0) * 60 + int(m)) * 60 + int(s)) * 1000 + int(ms.ljust(3, "0")))
        if times[1] < times[0]:
            raise InputError(source, f"invalid {kind} cue timing: the cue ends before it starts", number)


def _line_containing(text: str, snippet: str) -> int | None:
    """Return the 1-based number of the first line containing snippet."""
    for number, line in enumerate(text.splitlines(), 1):
        if snippet in line:
            return number
    return None


def _check_docx_parts(raw: bytes, source: str, max_bytes: int) -> None:
    """Inflate every part once, counting the real bytes (a zip's declared sizes can lie), before python-docx."""
    limit = DOCX_EXPANSION * max_bytes
    total = 0
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        infos = archive.infolist()
        if len(infos) > 10_000:
            raise InputError(source, f"the .docx holds {len(infos)} parts, too many")
        for info in infos:
            if info.flag_bits & 0x1:
                raise InputError(source, "the .docx is encrypted (password-protected); save an unprotected copy")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise InputError(source, f"the .docx uses an unsupported compression method ({info.compress_type})")
            with archive.open(info) as part:
                while chunk := part.read(_CHUNK):
                    total += len(chunk)
                    if total > limit:
                        raise InputError(source, f"the .docx inflates to over {limit} bytes ({DOCX_EXPANSION} "
                                                 f"times --max-bytes)")


def _docx_text(raw: bytes, source: str, max_bytes: int) -> str:
    """Return a Word document's paragraphs and table rows in order, a blank line between each."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from lxml import etree

    unreadable = "not a readable .docx file (corrupt, or not a Word document)"
    try:
        _check_docx_parts(raw, source, max_bytes)
        document = docx.Document(io.BytesIO(raw))
        if document.element.body is None:
            raise InputError(source, "the .docx has no document body")
        blocks: list[str] = []
        size = 0
        for block in document.iter_inner_content():
            lines = _table_lines(block) if isinstance(block, Table) else [block.text] if block.text.strip() else []
            blocks.extend(lines)
            size += sum(len(line.encode("utf-8")) + 2 for line in lines)
            if size > max_bytes:
                raise InputError(source, f"the .docx text is over the limit of {max_bytes} bytes (--max-bytes)")
    except InputError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, PackageNotFoundError, KeyError, ValueError, TypeError,
            AttributeError, etree.LxmlError, NotImplementedError, RuntimeError, zlib.error, EOFError, OSError,
            RecursionError):
        raise InputError(source, unreadable) from None
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
            data = _load_yaml("".join(lines[1:number]), source, first_line=2, what="note's front matter")
            if data is None:
                data = {}
            if not isinstance(data, dict):
                raise InputError(source, f"front matter must be a mapping (key: value lines), not a "
                                         f"{_yaml_kind(data)}", 2)
            return data, sum(len(part) for part in lines[: number + 1])
    raise InputError(source, "front matter opened with '---' is never closed by a '---' line", 1)


def _load_yaml(text: str, source: str, first_line: int, what: str) -> Any:
    """Parse YAML, reporting errors with the file line (first_line is the file line of the text's first line)."""
    return safeyaml.load(text, source, first_line=first_line, what=what)


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
    if len(mapping) > MAX_ROLE_LABELS:
        raise InputError(source, f"{len(mapping)} speaker labels, over the limit of {MAX_ROLE_LABELS}", line)
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
