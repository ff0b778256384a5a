"""The season batch: a folder of notes in every format becomes reports, one comparison page, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import docx

from conftest import SAMPLES, run

SRT = "1\n00:00:01,000 --> 00:00:04,000\nPD: {line}\n\n2\n00:00:05,000 --> 00:00:08,000\nMe: Is there protected didactics?\n"
VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n<v Dr. Rao (PD)>{line}</v>\n"


def make_season(root: Path, programs: int = 40) -> int:
    """programs x 5 notes in every format (folders, front matter and file names name the programs), plus two
    broken files; returns the number of good notes."""
    texts = [(SAMPLES / n).read_text("utf-8") for n in ("strategic-im.txt", "desperate-community-im.txt",
                                                        "mixed-psych.txt", "resident-social.txt")]
    lines = [line for t in texts for line in t.splitlines() if len(line) > 60]
    count = 0
    for p in range(programs):
        folder = root / f"program-{p:02d}"
        folder.mkdir(parents=True)
        text = texts[p % len(texts)]
        (folder / "pd-interview.txt").write_text(text, "utf-8")
        (folder / "social.md").write_text(f"---\ndate: 2026-11-0{1 + p % 9}\n---\n{texts[(p + 1) % 4]}", "utf-8")
        (folder / "second-look.vtt").write_text(VTT.format(line=lines[p % len(lines)]), "utf-8")
        (folder / "captions.srt").write_text(SRT.format(line=lines[(p * 7) % len(lines)]), "utf-8")
        document = docx.Document()
        for line in text.splitlines()[:12]:
            document.add_paragraph(line)
        document.save(folder / "notes.docx")
        count += 5
    (root / "program-00" / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (root / "empty.txt").write_text("   \n")
    return count


def test_a_season_of_200_notes_with_two_broken_files(tmp_path):
    notes = tmp_path / "interview-notes"
    good = make_season(notes)
    assert good == 200
    out = tmp_path / "season"
    result = run("batch", str(notes), "-o", str(out))
    assert result.exit_code == 1, result.output
    assert "200 analyzed, 0 unchanged, 2 failed (40 programs)" in result.output
    reports = sorted((out / "notes").glob("*.html"))
    assert len(reports) == 200
    index = (out / "index.html").read_text("utf-8")
    assert "broken.docx" in index and "empty.txt" in index and "note is empty" in index
    for link in ("notes/program-07__social.md.html", "season.csv", "season.json"):
        assert f'href="{link}"' in index
    assert "http://" not in index and "https://" not in index and "<svg" in index
    rows = list(csv.DictReader(io.StringIO((out / "season.csv").read_text("utf-8"))))
    assert len(rows) == 40 and {r["program"] for r in rows} == {f"program-{p:02d}" for p in range(40)}
    assert all(r["verdict"] in {"strategic", "dependent", "desperate", "insufficient"} for r in rows)
    data = json.loads((out / "season.json").read_text("utf-8"))
    assert len(data["programs"]) == 40 and len(data["failed"]) == 2
    first = data["programs"][0]
    assert len(first["notes"]) == 5 and first["notes"][0]["analysis"]["schema"] == 1
    assert (notes / "program-00" / "pd-interview.txt").read_text("utf-8").startswith(
        (SAMPLES / "strategic-im.txt").read_text("utf-8")[:40])  # notes are never touched

    again = run("batch", str(notes), "-o", str(out))
    assert again.exit_code == 1
    assert "0 analyzed, 200 unchanged, 2 failed" in again.output
    (notes / "empty.txt").unlink()
    shutil.rmtree(notes / "program-00")
    (notes / "program-01" / "social.md").write_text("---\nprogram: Renamed IM\n---\nPD: we are like a family, "
                                                    "you will see a lot of pathology, not afraid of hard work. " * 5,
                                                    "utf-8")
    third = run("batch", str(notes), "-o", str(out))
    assert third.exit_code == 0, third.output
    assert "1 analyzed, 194 unchanged, 0 failed (40 programs)" in third.output
    fourth = run("batch", str(notes), "-o", str(out))
    assert "nothing to analyze: 195 notes unchanged" in fourth.output


def test_a_program_is_judged_on_all_its_notes(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    for name, sample in (("pd.md", "strategic-im.txt"), ("social.md", "resident-social.txt")):
        (notes / name).write_text("---\nprogram: Lakeside IM\n---\n" + (SAMPLES / sample).read_text("utf-8"))
    (notes / "other.txt").write_text((SAMPLES / "desperate-community-im.txt").read_text("utf-8"))
    out = tmp_path / "out"
    assert run("batch", str(notes), "-o", str(out), "--quiet").exit_code == 0
    data = {p["program"]: p for p in json.loads((out / "season.json").read_text("utf-8"))["programs"]}
    assert set(data) == {"Lakeside IM", "other"}
    lakeside = data["Lakeside IM"]
    buckets = {n["name"]: n["analysis"]["verdict"]["bucket"] for n in lakeside["notes"]}
    assert buckets == {"pd.md": "strategic", "social.md": "desperate"}
    assert lakeside["verdict"]["bucket"] not in {"strategic", "insufficient"}  # the social pulls it down
    assert len(lakeside["notes"]) == 2 and lakeside["words"] > 900


def test_jobs_give_the_same_season(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    for sample in ("strategic-im.txt", "desperate-community-im.txt", "mixed-psych.txt", "resident-social.txt"):
        shutil.copy(SAMPLES / sample, notes / sample)
    one, two = tmp_path / "one", tmp_path / "two"
    assert run("batch", str(notes), "-o", str(one)).exit_code == 0
    assert run("batch", str(notes), "-o", str(two), "--jobs", "2").exit_code == 0
    assert (one / "season.json").read_text("utf-8") == (two / "season.json").read_text("utf-8")
    assert (one / "index.html").read_text("utf-8") == (two / "index.html").read_text("utf-8")


def test_no_notes_is_one_line(tmp_path):
    (tmp_path / "empty-folder").mkdir()
    result = run("batch", str(tmp_path / "empty-folder"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "no notes found" in result.output


def test_the_batch_never_replaces_a_file_it_did_not_write(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copy(SAMPLES / "strategic-im.txt", notes / "a.txt")
    out = tmp_path / "out"
    out.mkdir()
    mine = out / "index.html"
    mine.write_text("<html>my own page</html>")
    refused = run("batch", str(notes), "-o", str(out))
    assert refused.exit_code == 2 and "not a redflags report" in refused.output
    assert mine.read_text() == "<html>my own page</html>"
    assert run("batch", str(notes), "-o", str(out), "--overwrite").exit_code == 0
    assert "generator: interview-redflags" in mine.read_text()
    into_notes = run("batch", str(notes), "-o", str(notes))
    assert (notes / "a.txt").read_text("utf-8") == (SAMPLES / "strategic-im.txt").read_text("utf-8")
    assert into_notes.exit_code == 0  # outputs go beside the notes, never over them
