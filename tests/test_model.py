"""--model loads an installed or saved spaCy pipeline, whose entities add to the rule-based specifics."""

from __future__ import annotations

import json

import spacy

from conftest import run


def test_saved_pipeline_entities_make_claims_specific(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "ORG", "pattern": "Zenith Meridian"}])
    model = tmp_path / "model"
    nlp.to_disk(model)
    note = tmp_path / "n.txt"
    note.write_text("PD: Our grads do well, one is at Zenith Meridian now.\n")
    plain = json.loads(run("analyze", str(note), "--format", "json").output)
    with_model = json.loads(run("analyze", str(note), "--format", "json", "--model", str(model)).output)
    vague = [h for h in plain["hits"] if h["counts_for"] == "outcomes"][0]
    specific = [h for h in with_model["hits"] if h["counts_for"] == "outcomes"][0]
    assert vague["vague"] is True
    assert specific["vague"] is False and "Zenith Meridian" in specific["specifics"]


def test_missing_model_is_one_line_error(tmp_path):
    note = tmp_path / "n.txt"
    note.write_text("PD: We are like a family.\n")
    result = run("analyze", str(note), "--model", "en_no_such_pipeline")
    assert result.exit_code == 2
    assert result.output.startswith("redflags: error: en_no_such_pipeline: cannot load spaCy pipeline")
