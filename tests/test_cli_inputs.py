"""Every input format analyzes through the CLI with speakers and roles; every bad input is one line, exit 2."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from conftest import SAMPLES, analyze_json, run

VTT = """WEBVTT

00:00:01.000 --> 00:00:05.000
<v Dr. Rao (PD)>Our residents have 3 hours of protected didactics every Wednesday.</v>

00:00:06.000 --> 00:00:09.000
<v Me>Do you have protected didactics for interns too?</v>

00:00:10.000 --> 00:00:14.000
Resident (PGY-2): Honestly we are like a family, but we are short-staffed.
"""
SRT = """1
00:00:01,000 --> 00:00:04,000
PD: You will see a lot of pathology here.

2
00:00:05,000 --> 00:00:08,000
Me: Is there protected didactics?
"""


def roles_of(data):
    return {(h["text"].lower(), h["role"], h["counts_for"]) for h in data["hits"]}


def test_vtt_voices_become_roles(tmp_path):
    path = tmp_path / "day.vtt"
    path.write_text(VTT)
    hits = analyze_json(path)["hits"]
    didactics = [h for h in hits if "didactic" in h["text"].lower()]
    assert {h["role"] for h in didactics} == {"program_director", "applicant"}
    assert {h["timestamp"] for h in didactics} == {"00:00:01.000", "00:00:06.000"}
    assert [h["counts_for"] for h in didactics if h["role"] == "applicant"] == ["none"]
    assert any(h["role"] == "resident" and h["counts_for"] == "coverage" for h in hits)


def test_srt(tmp_path):
    path = tmp_path / "day.srt"
    path.write_text(SRT)
    data = analyze_json(path)
    assert ("a lot of pathology", "program_director", "coverage") in roles_of(data)
    assert all(h["counts_for"] == "none" for h in data["hits"] if h["role"] == "applicant")


def test_docx_paragraphs_and_tables(tmp_path):
    document = docx.Document()
    document.add_paragraph("PD: Our residents are very independent.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Resident (PGY-1)"
    table.rows[0].cells[1].text = "We are like a family, it is what it is."
    path = tmp_path / "notes.docx"
    document.save(path)
    data = analyze_json(path)
    assert data["format"] == "docx"
    assert any(h["role"] == "program_director" and "independent" in h["text"] for h in data["hits"])
    assert any(h["role"] == "resident" and "family" in h["text"] for h in data["hits"])


def test_markdown_front_matter_profile_and_roles():
    data = analyze_json(SAMPLES / "dependent-neuro.md")
    assert data["meta"]["program"].startswith("Eastbrook")
    assert data["checklist"]["known_weight"] == 100


def test_role_map_file(tmp_path):
    note = tmp_path / "n.txt"
    note.write_text("Dr. Okafor: Our residents are very independent.\n")
    roles = tmp_path / "roles.yml"
    roles.write_text('"Dr. Okafor": program_director\n')
    data = analyze_json(note, "--roles", str(roles))
    assert data["hits"][0]["role"] == "program_director"


def test_windows_1252_smart_quotes_match(tmp_path):
    path = tmp_path / "cp.txt"
    path.write_bytes("PD: \u201cWe\u2019re like a family here\u201d \u2014 you\u2019ll see a lot of pathology.\n".encode("cp1252"))
    data = analyze_json(path)
    texts = {h["text"] for h in data["hits"] if h["counted"]}
    assert "like a family" in texts and "a lot of pathology" in texts
    raw = path.read_bytes().decode("cp1252")
    for hit in data["hits"]:
        assert raw[hit["start"]:hit["end"]] == hit["text"]


def test_utf16_note(tmp_path):
    path = tmp_path / "u16.txt"
    path.write_bytes("PD: We are like a family.\n".encode("utf-16"))
    assert analyze_json(path)["hits"]


def _corrupt_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<not really xml")
    return buffer.getvalue()


BAD = {
    "empty.txt": (b"", "empty"),
    "blank.txt": (b"  \n\t\n", "empty"),
    "image.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
    "paper.txt": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    "broken.vtt": (b"WEBVTT\n\n00:00:01.000 --> garbage\nPD: hello\n", ""),
    "broken.docx": (_corrupt_docx(), ""),
    "front.md": (b"---\nprogram: [unclosed\n---\nPD: We are like a family.\n", ":2"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_one_line_exit_2(tmp_path, name):
    content, expected = BAD[name]
    path = tmp_path / name
    path.write_bytes(content)
    result = run("analyze", str(path))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"redflags: error: {path}")
    assert expected in lines[0]
    assert "Traceback" not in result.output


def test_missing_file_and_folder(tmp_path):
    for target in (tmp_path / "nope.txt", tmp_path):
        result = run("analyze", str(target))
        assert result.exit_code == 2 and result.output.startswith(f"redflags: error: {target}")


def test_file_over_the_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("PD: We are like a family. " * 100)
    result = run("analyze", str(path), "--max-bytes", "500")
    assert result.exit_code == 2 and "over the limit" in result.output


def test_no_report_left_behind_on_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.txt").write_bytes(b"")
    run("analyze", "empty.txt")
    assert not list(tmp_path.glob("*.html"))
