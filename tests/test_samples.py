"""Every sample analyzes through the CLI, matches the JSON contract and lands in its author's bucket."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT, SAMPLES, analyze_json, run

INTENDED = {
    "strategic-im.txt": "strategic",
    "strategic-im-day.vtt": "strategic",
    "dependent-fm.txt": "dependent",
    "mixed-psych.txt": "dependent",
    "dependent-neuro.md": "dependent",
    "desperate-community-im.txt": "desperate",
    "malignant-prelim-surgery.txt": "desperate",
    "resident-social.txt": "desperate",
    "desperate-fm-notes.docx": "desperate",
}
REVERSED = {
    "strategic-im-reversed.txt": "desperate",
    "desperate-community-im-reversed.txt": "strategic",
    "malignant-prelim-surgery-reversed.txt": "strategic",
    "resident-social-reversed.txt": "strategic",
}
HIT_KEYS = {"entry": str, "side": str, "category": str, "text": str, "start": int, "end": int, "weight": float,
            "counted": bool}


def check_contract(data: dict) -> None:
    assert data["schema"] == 1
    assert isinstance(data["source"], str) and isinstance(data["words"], int) and data["words"] > 0
    assert set(data["signals"]) == {"coverage", "outcomes"}
    assert all(isinstance(v, float) for v in data["signals"].values())
    assert data["ratio"] is None or isinstance(data["ratio"], float)
    assert data["balance"] is None or -1.0 <= data["balance"] <= 1.0
    assert data["verdict"]["bucket"] in {"strategic", "dependent", "desperate", "insufficient"}
    assert data["verdict"]["reasons"] and all(isinstance(r, str) for r in data["verdict"]["reasons"])
    for hit in data["hits"]:
        for key, kind in HIT_KEYS.items():
            assert isinstance(hit[key], kind), key
        assert hit["side"] in {"coverage", "outcomes"}
        assert hit["counts_for"] in {"coverage", "outcomes", "none"}
        assert hit["counted"] == (hit["counts_for"] != "none")


@pytest.mark.parametrize("name", sorted(INTENDED))
def test_sample_gets_intended_bucket_and_contract(name):
    data = analyze_json(SAMPLES / name)
    check_contract(data)
    assert data["verdict"]["bucket"] == INTENDED[name], data["verdict"]["reasons"]
    if INTENDED[name] == "desperate":
        assert data["signals"]["coverage"] > 2 * data["signals"]["outcomes"]
    if INTENDED[name] == "strategic":
        assert data["signals"]["outcomes"] > data["signals"]["coverage"]


@pytest.mark.parametrize("name", sorted(REVERSED))
def test_reversed_note_flips_the_bucket(name):
    data = analyze_json(ROOT / "tests" / "fixtures" / "reversed" / name)
    assert data["verdict"]["bucket"] == REVERSED[name], data["verdict"]["reasons"]


def test_hit_offsets_slice_the_note_text():
    path = SAMPLES / "desperate-community-im.txt"
    text = path.read_text(encoding="utf-8")
    data = analyze_json(path)
    assert data["hits"]
    for hit in data["hits"]:
        assert text[hit["start"]:hit["end"]] == hit["text"]


def test_html_report_written_with_summary(tmp_path):
    out = tmp_path / "r.html"
    result = run("analyze", str(SAMPLES / "desperate-community-im.txt"), "-o", str(out))
    assert result.exit_code == 0
    assert "desperate" in result.output.lower() and str(out) in result.output
    html = out.read_text(encoding="utf-8")
    assert "Desperate for bodies" in html and 'class="hit coverage"' in html
    # self-contained: no external scripts, fonts or stylesheets
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert not re.search(r"<script[^>]*\bsrc=", html)


def test_default_report_name_in_current_folder(tmp_path, monkeypatch):
    note = tmp_path / "notes" / "day1.txt"
    note.parent.mkdir()
    note.write_text("PD: We are like a family here. You will see a lot of pathology. Nights are brutal.\n")
    monkeypatch.chdir(tmp_path)
    assert run("analyze", str(note)).exit_code == 0
    assert (tmp_path / "day1.redflags.html").is_file()


def test_note_text_is_escaped_in_html(tmp_path):
    note = tmp_path / "x.txt"
    note.write_text("PD: <script>alert('x')</script> We are like a family & you will see a lot of pathology.\n")
    out = tmp_path / "x.html"
    assert run("analyze", str(note), "-o", str(out)).exit_code == 0
    html = out.read_text()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html


def test_refuses_to_overwrite_the_note(tmp_path):
    note = tmp_path / "n.txt"
    original = "PD: We are like a family here.\n"
    note.write_text(original)
    result = run("analyze", str(note), "-o", str(note))
    assert result.exit_code == 2 and "refusing to overwrite" in result.output
    assert note.read_text() == original


def test_same_input_same_output():
    first = run("analyze", str(SAMPLES / "mixed-psych.txt"), "--format", "json").output
    second = run("analyze", str(SAMPLES / "mixed-psych.txt"), "--format", "json").output
    assert first == second


def test_stdin_paste():
    result = run("analyze", "-", "--format", "json",
                 input="PD: we're like a family. Our residents are VERY independent.\n")
    assert result.exit_code == 0
    assert '"cov-' in result.output


def test_version_and_help():
    assert run("--version").output.startswith("redflags, version")
    for args in (["--help"], ["analyze", "--help"], ["lexicon", "--help"], ["lexicon", "check", "--help"]):
        result = run(*args)
        assert result.exit_code == 0 and "Usage:" in result.output
