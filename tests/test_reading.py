"""Reading notes in every supported format, and refusing bad input with a clear InputError."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest

from analyzer.notes import InputError, Note
from analyzer.reading import load_mapping_file, load_role_map, read_note


def turns_of(note: Note) -> list[tuple[str | None, str, str]]:
    """Return (speaker, role, words) for each turn of a note."""
    return [(t.speaker, t.role, note.text[t.start:t.end]) for t in note.turns]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    """Write a file in tmp_path and return its path."""
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def refused(path: Path | str | None, **kwargs: object) -> InputError:
    """Return the InputError that reading raises, checking it names the file."""
    with pytest.raises(InputError) as caught:
        read_note(path, **kwargs)  # type: ignore[arg-type]
    expected = "<stdin>" if path in (None, "-") else str(path)
    assert caught.value.path == expected
    assert str(caught.value).startswith(expected)
    return caught.value


TRANSCRIPT = "PD: We\u2019re \u201clike a family\u201d here.\nMe: What about call?\nResident (PGY-2): It\u2019s q4.\n"


# --- formats ---------------------------------------------------------------------------------------------


def test_plain_text(tmp_path: Path) -> None:
    note = read_note(write(tmp_path, "day.txt", TRANSCRIPT))
    assert note.format == "txt"
    assert note.text == TRANSCRIPT
    assert turns_of(note) == [
        ("PD", "program_director", "We\u2019re \u201clike a family\u201d here."),
        ("Me", "applicant", "What about call?"),
        ("Resident (PGY-2)", "resident", "It\u2019s q4."),
    ]


def test_windows_1252_smart_quotes(tmp_path: Path) -> None:
    text = "Chief: We\u2019re \u201cone big family\u201d \u2014 na\u00efve r\u00e9sum\u00e9 talk.\r\nA: Yes.\r\n"
    note = read_note(write(tmp_path, "cp.txt", text.encode("cp1252")))
    assert note.text == text
    assert turns_of(note)[0] == ("Chief", "chief", "We\u2019re \u201cone big family\u201d \u2014 na\u00efve r\u00e9sum\u00e9 talk.")
    assert turns_of(note)[1] == ("A", "chief", "Yes.")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_unicode_with_byte_order_mark(tmp_path: Path, encoding: str) -> None:
    raw = TRANSCRIPT.encode(encoding)
    if encoding == "utf-16-be":
        raw = b"\xfe\xff" + raw
    note = read_note(write(tmp_path, "bom.txt", raw))
    assert note.text == TRANSCRIPT
    assert [role for _, role, _ in turns_of(note)] == ["program_director", "applicant", "resident"]


def test_markdown_front_matter(tmp_path: Path) -> None:
    content = (
        "---\nprogram: St. Elsewhere IM\ndate: 2025-11-02\nroles:\n  Dr. Lee: program_director\n  Kim: PD\n---\n"
        "# Interview day\n\n- Dr. Lee (faculty): Our residents are workhorses.\n- Kim: Welcome.\n"
    )
    path = write(tmp_path, "day.md", content)
    note = read_note(path)
    assert note.format == "md"
    assert note.meta["program"] == "St. Elsewhere IM"
    assert note.text == content[note.body_offset:]
    assert note.text.startswith("# Interview day")
    assert turns_of(note)[-2:] == [
        ("Dr. Lee (faculty)", "program_director", "Our residents are workhorses."),
        ("Kim", "program_director", "Welcome."),
    ]
    # an explicit role map wins over the front matter, whatever the case of the label
    note = read_note(path, role_map={"dr. lee": "faculty"})
    assert turns_of(note)[-2][1] == "faculty"
    assert turns_of(note)[-1][1] == "program_director"


def test_markdown_without_front_matter(tmp_path: Path) -> None:
    note = read_note(write(tmp_path, "plain.md", "**PD:** We are like a family.\n"))
    assert note.meta == {} and note.body_offset == 0
    assert turns_of(note) == [("PD", "program_director", "We are like a family.")]


VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Dr. Patel (PD)>We are like a family.</v>

00:00:04.000 --> 00:00:06.000
<v Dr. Patel (PD)>Everyone covers for everyone.

00:00:07.000 --> 00:00:09.500
Me: What about protected didactics?

00:00:10.000 --> 00:00:12.000
<v.loud Sarah Jones>We have them, mostly.
"""


def test_webvtt_voices_and_name_cues(tmp_path: Path) -> None:
    note = read_note(write(tmp_path, "call.vtt", VTT), role_map={"Sarah Jones": "resident"})
    assert note.format == "vtt"
    assert note.text.splitlines() == [
        "Dr. Patel (PD): We are like a family. Everyone covers for everyone.",
        "Me: What about protected didactics?",
        "Sarah Jones: We have them, mostly.",
    ]
    assert [(s, r, w, t.timestamp) for (s, r, w), t in zip(turns_of(note), note.turns, strict=True)] == [
        ("Dr. Patel (PD)", "program_director", "We are like a family. Everyone covers for everyone.", "00:00:01.000"),
        ("Me", "applicant", "What about protected didactics?", "00:00:07.000"),
        ("Sarah Jones", "resident", "We have them, mostly.", "00:00:10.000"),
    ]


def test_srt(tmp_path: Path) -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:03,000\nChief: We never go over hours.\n\n"
        "2\n00:00:04,000 --> 00:00:06,000\nMe: Never?\n\n"
        "3\n00:00:06,500 --> 00:00:08,000\nA: Well, rarely.\n"
    )
    note = read_note(write(tmp_path, "call.srt", srt))
    assert note.format == "srt"
    assert [(s, r, w, t.timestamp) for (s, r, w), t in zip(turns_of(note), note.turns, strict=True)] == [
        ("Chief", "chief", "We never go over hours.", "00:00:01.000"),
        ("Me", "applicant", "Never?", "00:00:04.000"),
        ("A", "chief", "Well, rarely.", "00:00:06.500"),
    ]


def make_docx(path: Path) -> Path:
    """Write a Word document with paragraphs around a two-column and a three-column table."""
    document = docx.Document()
    document.add_paragraph("Interview day notes")
    document.add_paragraph("PD: We are like a family.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Chief"
    table.cell(0, 1).text = "We cover four hospitals."
    table.cell(1, 0).text = "Resident (PGY-1)"
    table.cell(1, 1).text = "Nights are rough."
    wide = document.add_table(rows=1, cols=3)
    for i, value in enumerate(["Boards", "98%", "3 years"]):
        wide.cell(0, i).text = value
    document.add_paragraph("")
    document.add_paragraph("My own note, not the chief's words.")
    document.add_paragraph("Me: Thanks!")
    document.save(str(path))
    return path


def test_docx_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    note = read_note(make_docx(tmp_path / "day.docx"))
    assert note.format == "docx"
    assert "Chief: We cover four hospitals.\n\nResident (PGY-1): Nights are rough." in note.text
    assert "Boards | 98% | 3 years" in note.text
    assert note.text.index("family") < note.text.index("hospitals") < note.text.index("Thanks")
    assert turns_of(note) == [
        (None, "unknown", "Interview day notes"),
        ("PD", "program_director", "We are like a family."),
        ("Chief", "chief", "We cover four hospitals."),
        ("Resident (PGY-1)", "resident", "Nights are rough."),
        (None, "unknown", "Boards | 98% | 3 years\n\nMy own note, not the chief's words."),
        ("Me", "applicant", "Thanks!"),
    ]


def test_stdin_text_and_bytes() -> None:
    note = read_note("-", stdin_text=TRANSCRIPT)
    assert note.source == "<stdin>" and note.text == TRANSCRIPT
    assert turns_of(note)[0][1] == "program_director"
    note = read_note(None, stdin_text=TRANSCRIPT.encode("cp1252"))
    assert note.text == TRANSCRIPT


def test_format_sniffed_when_extension_says_nothing(tmp_path: Path) -> None:
    assert read_note(write(tmp_path, "a.dat", VTT)).format == "vtt"
    srt = "1\n00:00:01,000 --> 00:00:03,000\nPD: Hi.\n"
    assert read_note(write(tmp_path, "b.dat", srt)).format == "srt"
    assert read_note(write(tmp_path, "c", "---\nk: v\n---\nPD: Hi.\n")).meta == {"k": "v"}
    assert read_note(make_docx(tmp_path / "d.bin")).format == "docx"
    assert read_note(write(tmp_path, "e.dat", "PD: Hi.")).format == "txt"
    assert read_note("-", stdin_text=VTT).format == "vtt"


def test_input_format_forces_the_reader(tmp_path: Path) -> None:
    note = read_note(write(tmp_path, "x.txt", VTT), input_format="vtt")
    assert note.format == "vtt" and note.text.startswith("Dr. Patel (PD): ")
    err = refused(write(tmp_path, "y.txt", "PD: hi"), input_format="pdf")
    assert "unknown input format" in err.reason


def test_mapping_files(tmp_path: Path) -> None:
    path = write(tmp_path, "roles.yml", "Dr. Lee: PD\nSarah: resident\n")
    assert load_mapping_file(path) == {"Dr. Lee": "PD", "Sarah": "resident"}
    assert load_role_map(path) == {"Dr. Lee": "program_director", "Sarah": "resident"}
    assert load_role_map(write(tmp_path, "wrapped.yml", "roles:\n  Kim: chief\n")) == {"Kim": "chief"}
    assert load_mapping_file(write(tmp_path, "empty.yml", "")) == {}
    # what the CLI does: --roles read as a plain mapping, passed to read_note
    note = read_note(write(tmp_path, "n.txt", "Kim: Hi."), role_map=load_mapping_file(tmp_path / "wrapped.yml"))
    assert note.turns[0].role == "chief"


# --- bad input -------------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    assert refused(tmp_path / "nope.txt").reason == "no such file"


def test_folder(tmp_path: Path) -> None:
    assert "folder" in refused(tmp_path).reason


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "locked.txt", "PD: hi")

    def deny(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", deny)  # root ignores chmod 000, so refuse the open itself
    assert refused(path).reason == "permission denied"


@pytest.mark.parametrize("content", ["", "   \n\t\r\n  ", "\ufeff\n"])
@pytest.mark.parametrize("suffix", [".txt", ".md", ".vtt", ".srt"])
def test_empty_or_blank(tmp_path: Path, content: str, suffix: str) -> None:
    assert "empty" in refused(write(tmp_path, "blank" + suffix, content)).reason


def test_front_matter_only_is_empty(tmp_path: Path) -> None:
    assert "empty" in refused(write(tmp_path, "fm.md", "---\nprogram: X\n---\n\n")).reason


def test_empty_stdin() -> None:
    assert "empty" in refused("-", stdin_text="  \n").reason
    assert "no input" in refused(None).reason


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"PK\x03\x04\x14\x00\x00\x00", "ZIP"),
        (b"PD: hello\x00\x00\x01\x02 world", "NUL"),
    ],
)
@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_binary_content(tmp_path: Path, content: bytes, kind: str, suffix: str) -> None:
    reason = refused(write(tmp_path, "bin" + suffix, content)).reason
    assert "binary" in reason and kind in reason


def test_binary_on_stdin() -> None:
    assert "binary" in refused("-", stdin_text=b"%PDF-1.4 ...").reason


def test_undecodable_text(tmp_path: Path) -> None:
    assert "decode" in refused(write(tmp_path, "junk.txt", bytes([0x81, 0x9D, 0xFE, 0xFF, 0x8D]) * 50)).reason


def test_too_big(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", "PD: " + "x" * 100)
    err = refused(path, max_bytes=50)
    assert err.reason == "file is 104 bytes, over the limit of 50 (--max-bytes)"
    assert "--max-bytes" in refused("-", stdin_text="x" * 51, max_bytes=50).reason


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ("00:00:01.000 --> 00:00:02.000\nPD: no header\n", 1),
        ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nPD: fine\n\n00:00:03 --> 00:00:04.000\nbroken\n", 6),
        ("WEBVTT\n\n00:00:01.000 --> 00:99:02.000\nPD: bad minutes\n", 3),
    ],
)
def test_invalid_vtt_names_the_line(tmp_path: Path, content: str, line: int) -> None:
    err = refused(write(tmp_path, "bad.vtt", content))
    assert err.line == line
    assert f"bad.vtt:{line}:" in str(err)


def test_invalid_srt(tmp_path: Path) -> None:
    assert "SRT" in refused(write(tmp_path, "bad.srt", "PD: no cues here\nat all\n")).reason


def docx_bytes(tmp_path: Path) -> bytes:
    return make_docx(tmp_path / "good.docx").read_bytes()


def test_corrupt_docx(tmp_path: Path) -> None:
    raw = docx_bytes(tmp_path)
    assert "docx" in refused(write(tmp_path, "cut.docx", raw[: len(raw) // 2])).reason
    assert "docx" in refused(write(tmp_path, "text.docx", "PD: not a zip")).reason
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(buffer, "w") as broken:
        for info in source.infolist():
            data = source.read(info.filename)
            broken.writestr(info, data[:200] if info.filename == "word/document.xml" else data)
    assert "docx" in refused(write(tmp_path, "xml.docx", buffer.getvalue())).reason
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as other:
        other.writestr("hello.txt", "hi")
    assert "docx" in refused(write(tmp_path, "zip.docx", buffer.getvalue())).reason


def test_docx_from_stdin_text_is_refused() -> None:
    assert "docx" in refused("-", stdin_text="PD: hi", input_format="docx").reason


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        ("---\nprogram: [unclosed\n---\nPD: hi\n", 2, "YAML"),
        ("---\ntitle: ok\nroles: {a: b\n---\nPD: hi\n", 3, "YAML"),
        ("---\n- a\n- b\n---\nPD: hi\n", 2, "mapping"),
        ("---\nprogram: X\nPD: hi\n", 1, "never closed"),
        ("---\nroles: [PD]\n---\nPD: hi\n", 2, "roles"),
        ("---\ntitle: t\nroles:\n  Dr. Lee: janitor\n---\nPD: hi\n", 3, "unknown role"),
    ],
)
def test_malformed_front_matter_names_the_line(tmp_path: Path, content: str, line: int, words: str) -> None:
    err = refused(write(tmp_path, "fm.md", content))
    assert err.line == line, err
    assert words in err.reason


def test_bad_role_map_argument(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_note(write(tmp_path, "ok.txt", "PD: hi"), role_map={"Dr. Lee": "boss"})
    assert caught.value.path == "role map"
    assert "unknown role 'boss' for 'Dr. Lee'" in caught.value.reason


def test_bad_mapping_files(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yml", "Dr. Lee: PD\nSarah: [resident\n")
    with pytest.raises(InputError) as caught:
        load_mapping_file(bad)
    assert caught.value.path == str(bad) and caught.value.line == 2
    with pytest.raises(InputError, match="mapping"):
        load_mapping_file(write(tmp_path, "list.yml", "- a\n- b\n"))
    with pytest.raises(InputError, match="no such file"):
        load_mapping_file(tmp_path / "missing.yml")
    with pytest.raises(InputError, match="unknown role"):
        load_role_map(write(tmp_path, "roles.yml", "Dr. Lee: boss\n"))


def test_rolling_captions_are_not_doubled(tmp_path: Path) -> None:
    vtt = (
        "WEBVTT\nKind: captions\n\n"
        "00:00:00.030 --> 00:00:02.669 align:start position:0%\n \n"
        "we're<00:00:00.359><c> like</c><00:00:00.539><c> a</c><00:00:00.659><c> family</c>\n\n"
        "00:00:02.669 --> 00:00:02.679 align:start position:0%\nwe're like a family\n \n\n"
        "00:00:02.679 --> 00:00:05.000 align:start position:0%\nwe're like a family\nhere at<c> General</c>\n"
    )
    note = read_note(write(tmp_path, "auto.vtt", vtt))
    assert note.text == "we're like a family\nhere at General"
    assert note.text.count("family") == 1
