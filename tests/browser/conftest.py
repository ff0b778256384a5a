"""Real-browser fixtures: Playwright driving Debian's Chromium, reports rendered from the samples."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from .pages import MIXED_ROLES, ROOT, SAMPLES, chromium_path, render


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it with apt-get")
        pytest.skip("browser tests skipped: chromium not installed (apt-get install chromium); CI never skips them")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def shots_dir() -> Path:
    """Where screenshots go: $REDFLAGS_SCREENSHOTS or build/screenshots (git-ignored)."""
    folder = Path(os.environ.get("REDFLAGS_SCREENSHOTS") or ROOT / "build" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """HTML reports of every sample note (all formats), the mixed-roles note and the lexicon page."""
    from analyzer.analysis import get_analyzer
    from analyzer.matching import cached_lexicon
    from analyzer.report import render_html, render_lexicon_docs

    folder = tmp_path_factory.mktemp("reports")
    out = {}
    for note in sorted(SAMPLES.iterdir()):
        if note.suffix not in (".txt", ".md", ".vtt", ".docx") or note.name == "README.md":
            continue
        analysis = get_analyzer().analyze_path(note)
        path = folder / f"{note.stem}.html"
        path.write_text(render_html(analysis), encoding="utf-8")
        out[note.stem] = path
    out["mixed-roles"] = render(MIXED_ROLES, "mixed-roles.txt", folder, "mixed-roles")
    lexicon = folder / "lexicon.html"
    lexicon.write_text(render_lexicon_docs(cached_lexicon(())), encoding="utf-8")
    out["lexicon"] = lexicon
    return out


@pytest.fixture()
def serve_url(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A running `redflags serve` app on a free 127.0.0.1 port, saving notes under tmp_path."""
    from analyzer.serve import make_server

    notes = tmp_path / "notes"
    server = make_server(notes, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}/", notes
    server.shutdown()
    thread.join(5)
