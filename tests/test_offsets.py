"""The JSON contract holds for every sample and format: each reported text is exactly source_text[start:end]."""

from __future__ import annotations

import codecs

import docx
import pytest
from conftest import SAMPLES, analyze_json

TRICKY = ("Dr. O\u2019Neil (PD): We\u2019re short\u2013staffed \u2014 honestly we\u2019re like a fam\u200bily here.\n"
          "Resident: \u201cprotected\u201d didactics? Not really, board pass rate is 82%\u200b.\n"
          "APD: our grads went to cards at Mayo in 2023 and 2\u20133 hours of protected didactics per week.\n")


def source_of(path, data):
    """The text the offsets index: the decoded file (without a leading BOM) or the built text in the JSON."""
    if data["source_text"] is not None:
        return data["source_text"]
    raw = path.read_bytes()
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(codec)
    return raw.decode("utf-8")


def assert_exact(path, data):
    source = source_of(path, data)
    spans = [(h["start"], h["end"], h["text"]) for h in data["hits"]]
    spans += [(n["start"], n["end"], n["text"]) for n in data["numbers"]]
    spans += [(s["start"], s["end"], s["text"]) for s in data["specifics"]]
    spans += [(q["start"], q["end"], q["cue"]) for h in data["hits"] for q in h["qualifiers"]]
    assert spans, f"{path.name}: nothing heard"
    for start, end, text in spans:
        assert source[start:end] == text, (path.name, start, end, text)


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.iterdir() if p.suffix != ".py"
                                          and p.name != "README.md"))
def test_every_sample(sample):
    path = SAMPLES / sample
    assert_exact(path, analyze_json(path))


def test_markdown_offsets_index_the_file_with_its_front_matter(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("---\nprogram: Lakeside IM\ndate: 2026-11-02\n---\n" + TRICKY, encoding="utf-8")
    data = analyze_json(path)
    assert data["body_start"] == path.read_text("utf-8").index("Dr. O")
    assert_exact(path, data)
    assert any(h["text"] == "We\u2019re short\u2013staffed" for h in data["hits"])


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-8"])
def test_unicode_text_keeps_its_characters(tmp_path, encoding):
    path = tmp_path / "note.txt"
    path.write_bytes(TRICKY.encode(encoding))
    data = analyze_json(path)
    assert_exact(path, data)
    texts = {h["text"] for h in data["hits"]}
    assert "like a fam\u200bily" in texts  # heard through the zero-width space, reported as written
    assert any("\u2019" in t or "\u2013" in t for t in texts)


def test_transcripts_and_word_files_carry_their_built_text(tmp_path):
    vtt = tmp_path / "day.vtt"
    vtt.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n<v Dr. Rao (PD)>" + TRICKY.splitlines()[0].split(": ", 1)[1]
                   + "</v>\n\n00:00:06.000 --> 00:00:09.000\n" + TRICKY.splitlines()[1] + "\n", encoding="utf-8")
    srt = tmp_path / "day.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:04,000\n" + TRICKY.splitlines()[2] + "\n", encoding="utf-8")
    word = tmp_path / "notes.docx"
    document = docx.Document()
    for line in TRICKY.splitlines():
        document.add_paragraph(line)
    document.save(word)
    for path in (vtt, srt, word):
        data = analyze_json(path)
        assert data["source_text"], path.name
        assert_exact(path, data)


def test_pasted_text_carries_its_text(tmp_path):
    from conftest import run

    result = run("analyze", "-", "--format", "json", input=TRICKY)
    import json

    data = json.loads(result.output)
    assert data["source_text"] == TRICKY
    assert_exact(tmp_path, data)
