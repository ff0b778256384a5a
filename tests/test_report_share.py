"""Sharing a report: --redact replaces people's names by roles; `redflags serve` is a local, same-origin paste page."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import SAMPLES, run

from analyzer.redact import redact
from analyzer.report import render_html
from analyzer.results import Specific
from analyzer.serve import create_app, save_note

NAMED = """Dr. Priya Patel (PD): We are like a family here and our residents are very independent.
Sarah Jones (Resident): Nights are brutal. Dr. Okafor covers the ICU but Patel never comes in.
Me: Do you have protected didactics?
PD: Our graduates matched into cardiology fellowships.
"""


def test_redact_flag_removes_names_from_json_and_html(tmp_path):
    sample = SAMPLES / "desperate-community-im.txt"
    plain = run("analyze", str(sample), "--format", "json").output
    assert "Salcedo" in plain or "Salcedo" in sample.read_text()
    out = run("analyze", str(sample), "--format", "json", "--redact").output
    assert "Salcedo" not in out and "Fenwick" not in out
    report = tmp_path / "r.html"
    assert run("analyze", str(sample), "--redact", "-o", str(report)).exit_code == 0
    html = report.read_text("utf-8")
    assert "Salcedo" not in html and "Fenwick" not in html and "[program director]" in html
    data = json.loads(out)
    assert data["hits"] and data["verdict"]["bucket"] == json.loads(plain)["verdict"]["bucket"]


def test_redact_uses_speaker_labels_titles_and_keeps_offsets(analyzer):
    analysis = analyzer.analyze_text(NAMED, source="named.txt")
    clean = redact(analysis)
    for name in ("Priya", "Patel", "Sarah Jones", "Okafor"):
        assert name not in clean.text and name not in json.dumps(clean.to_json())
    assert "[program director]: We are like a family" in clean.text or "[program director] (PD)" in clean.text
    assert "[resident]" in clean.text and "[a doctor] covers the ICU" in clean.text
    assert len(clean.hits) == len(analysis.hits)
    for hit in clean.hits:
        assert clean.text[hit.start:hit.end] == hit.text
        assert hit.speaker is None or not re.search("Patel|Jones", hit.speaker)
    assert "Patel" in analysis.text  # the original is left alone


def test_redact_replaces_a_models_person_entities(analyzer):
    analysis = analyzer.analyze_text(NAMED + "I asked Farida at the social about nights.\n", source="n.txt")
    start = analysis.text.index("Farida")
    with_model = replace(analysis, specifics=[*analysis.specifics, Specific("Farida", "PERSON", start, start + 6)])
    clean = redact(with_model)
    assert "Farida" not in clean.text and "[a person]" in clean.text
    assert "Farida" not in render_html(clean)


def _client(tmp_path, **options):
    app = create_app(tmp_path / "notes", **options)
    client = app.test_client()
    page = client.get("/", base_url="http://127.0.0.1:8765").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    return client, token


ORIGIN = {"Origin": "http://127.0.0.1:8765"}


def test_serve_saves_the_note_and_shows_its_report(tmp_path):
    client, token = _client(tmp_path)
    form = {"csrf": token, "program": "Mercy <b>IM</b>", "note": NAMED}
    response = client.post("/analyze", data=form, headers=ORIGIN, base_url="http://127.0.0.1:8765")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "srcdoc=" in body and "<b>IM</b>" not in body and "Mercy &lt;b&gt;IM&lt;/b&gt;" in body
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    saved = list((tmp_path / "notes").glob("*.md"))
    assert len(saved) == 1 and re.fullmatch(r"\d{4}-\d\d-\d\d-mercy-b-im-b\.md", saved[0].name)
    assert saved[0].read_text("utf-8").startswith("---\nprogram: Mercy <b>IM</b>\ndate: ")
    client.post("/analyze", data=form, headers=ORIGIN, base_url="http://127.0.0.1:8765")
    assert len(list((tmp_path / "notes").glob("*.md"))) == 2


@pytest.mark.parametrize("headers, base", [
    ({}, "http://127.0.0.1:8765"),
    ({"Origin": "http://evil.example"}, "http://127.0.0.1:8765"),
    ({"Origin": "null"}, "http://127.0.0.1:8765"),
    ({"Origin": "http://evil.example:8765"}, "http://evil.example:8765"),
])
def test_serve_refuses_other_origins(tmp_path, headers, base):
    client, token = _client(tmp_path)
    response = client.post("/analyze", data={"csrf": token, "note": NAMED}, headers=headers, base_url=base)
    assert response.status_code == 403
    assert not (tmp_path / "notes").exists()


def test_serve_refuses_a_missing_token_and_a_foreign_host(tmp_path):
    client, _ = _client(tmp_path)
    response = client.post("/analyze", data={"csrf": "guess", "note": NAMED}, headers=ORIGIN,
                           base_url="http://127.0.0.1:8765")
    assert response.status_code == 403
    assert client.get("/", base_url="http://attacker.example:8765").status_code == 403


def test_serve_limits_request_size(tmp_path):
    client, token = _client(tmp_path, max_bytes=5000)
    response = client.post("/analyze", data={"csrf": token, "note": "PD: nights. " * 1000}, headers=ORIGIN,
                           base_url="http://127.0.0.1:8765")
    assert response.status_code == 413 and "larger than" in response.get_data(as_text=True)
    assert not (tmp_path / "notes").exists()


def test_save_note_never_overwrites(tmp_path):
    first = save_note(tmp_path, "Same Program", "one")
    second = save_note(tmp_path, "Same Program", "two")
    assert first != second and second.name.endswith("-2.md")
    assert "one" in first.read_text() and "two" in second.read_text()


def test_serve_reports_a_busy_port_in_one_line(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = run("serve", "--port", str(port), "--notes-dir", str(tmp_path))
    assert result.exit_code == 2
    assert result.output.startswith("redflags: error: 127.0.0.1:") and result.output.count("\n") == 1


def test_the_cli_does_not_import_flask_until_serve():
    code = "import sys, analyzer.cli; print('flask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parent.parent)
    assert out.stdout.strip() == "False"


def test_serve_shows_an_unreadable_paste_as_one_message_and_keeps_the_note(tmp_path):
    client, token = _client(tmp_path)
    broken = "WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nPD: we are like a family\n"
    response = client.post("/analyze", data={"csrf": token, "program": "X", "note": broken}, headers=ORIGIN,
                           base_url="http://127.0.0.1:8765")
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
    assert len(list((tmp_path / "notes").glob("*.md"))) == 1
