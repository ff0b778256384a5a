"""Shared fixtures: one analyzer per test session, and the CLI run in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from analyzer.analysis import get_analyzer
from analyzer.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="session")
def analyzer():
    return get_analyzer()


def run(*args: str, input: str | None = None) -> Any:
    """Run the redflags CLI in-process and return click's result."""
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def analyze_json(path: str | Path, *extra: str) -> dict[str, Any]:
    """The JSON the CLI prints for a note file."""
    result = run("analyze", str(path), "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def analyze_text_json(text: str, tmp_path: Path, name: str = "note.txt") -> dict[str, Any]:
    """Write text to a note file and return the CLI's JSON for it."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return analyze_json(path)


def counted(data: dict[str, Any], side: str | None = None) -> list[dict[str, Any]]:
    """Hits that add to a side (any side when side is None)."""
    return [h for h in data["hits"] if h["counted"] and (side is None or h["counts_for"] == side)]
