"""`redflags serve`: a local paste page on 127.0.0.1 that saves each note and shows its report beside it."""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .notes import InputError
from .results import Analysis

MAX_BYTES = 1_000_000
HOST = "127.0.0.1"
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
                                "img-src data:; frame-src 'self'; form-action 'self'; base-uri 'none'; "
                                "frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def default_notes_dir() -> Path:
    """Where pasted notes are kept unless --notes-dir says otherwise."""
    return Path.home() / "interview-notes"


def slug(text: str) -> str:
    """A file-name-safe short form of a program name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "note"


def save_note(notes_dir: Path, program: str, text: str, today: dt.date | None = None) -> Path:
    """Write the paste as a dated Markdown note with front matter; never overwrite, add a suffix instead."""
    today = today or dt.date.today()
    notes_dir.mkdir(parents=True, exist_ok=True)
    front = yaml.safe_dump({"program": program or None, "date": today.isoformat()}, allow_unicode=True,
                           sort_keys=False)
    body = f"---\n{front}---\n\n{text.rstrip()}\n"
    stem = f"{today.isoformat()}-{slug(program)}"
    for n in range(1, 10_000):
        path = notes_dir / (f"{stem}.md" if n == 1 else f"{stem}-{n}.md")
        try:
            with path.open("x", encoding="utf-8") as handle:
                handle.write(body)
            return path
        except FileExistsError:
            continue
    raise OSError(f"{notes_dir}: too many notes named {stem}")


def default_analyze(text: str, source: str) -> Analysis:
    """Analyze pasted text with the built-in lexicons."""
    from .service import analyze_text

    return analyze_text(text, source=source)


def create_app(notes_dir: Path, analyze: Callable[[str, str], Analysis] = default_analyze,
               max_bytes: int = MAX_BYTES) -> Any:
    """The Flask app: a paste form, and on submit the saved note's report beside it."""
    from flask import Flask, abort, request

    from .report import environment, render_html
    from .textclean import neutralize

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = max_bytes
    token = secrets.token_urlsafe(32)
    one_at_a_time = threading.Lock()  # one pipeline, and spaCy's memory zones are not for threads

    def page(status: int = 200, **values: Any) -> tuple[str, int]:
        defaults = {"csrf": token, "notes_dir": str(notes_dir), "program": "", "note": "", "error": None,
                    "saved": None, "report_html": None}
        return environment().get_template("serve.html.j2").render(**{**defaults, **values}), status

    @app.before_request
    def same_origin_only() -> None:
        host = request.host.rsplit(":", 1)[0] if not request.host.startswith("[") else request.host
        if host not in (HOST, "localhost"):
            abort(403)
        if request.method == "POST":
            origin = request.headers.get("Origin") or request.headers.get("Referer")
            if not origin or urlsplit(origin).netloc != request.host:
                abort(403)

    @app.after_request
    def headers(response: Any) -> Any:
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.get("/")
    def index() -> tuple[str, int]:
        return page()

    @app.post("/analyze")
    def analyze_paste() -> tuple[str, int]:
        if not hmac.compare_digest(request.form.get("csrf", ""), token):
            abort(403)
        program = request.form.get("program", "").strip()[:200]
        text = request.form.get("note", "").replace("\r\n", "\n")
        if not text.strip():
            return page(400, program=program, error="Paste some notes first.")
        path = save_note(notes_dir, program, text)
        try:
            with one_at_a_time:
                result = analyze(neutralize(text), path.name)
        except InputError as exc:
            return page(400, program=program, note=text, saved=str(path), error=exc.reason)
        if program:
            result.meta = {**result.meta, "program": program}
        return page(program=program, note=text, saved=str(path), report_html=render_html(result))

    @app.errorhandler(413)
    def too_large(_: Any) -> tuple[str, int]:
        return page(413, error=f"That paste is larger than {max_bytes // 1000} KB; split it into several notes.")

    return app


def make_server(notes_dir: Path, port: int = 8765, **options: Any) -> Any:
    """A werkzeug server for the app, bound to 127.0.0.1 only (port 0 picks a free port)."""
    from werkzeug.serving import make_server as werkzeug_server

    return werkzeug_server(HOST, port, create_app(notes_dir, **options), threaded=True)
