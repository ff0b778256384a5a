"""Shared pieces of the browser tests: viewports, a mixed-roles note, where Chromium is, rendering a report."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
MIXED_ROLES = """PD: We are like a family here and our residents are very independent.
PD: Our graduates matched into cardiology and GI fellowships last year.
Resident (PGY-2): Honestly the nights are brutal and we do a lot of scut work.
Chief: We have protected didactics on Thursday afternoons but the pagers still go off.
Me: Do residents get protected time for research?
"""


def chromium_path() -> str | None:
    """Debian's Chromium, or one named by REDFLAGS_CHROMIUM."""
    return os.environ.get("REDFLAGS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def render(text: str, source: str, folder: Path, name: str, **options: object) -> Path:
    """Analyze text and write its HTML report into folder."""
    from analyzer.analysis import get_analyzer
    from analyzer.report import render_html

    analysis = get_analyzer().analyze_text(text, source=source)
    path = folder / f"{name}.html"
    path.write_text(render_html(analysis), encoding="utf-8")
    return path
