"""Hostile and careless input through the installed `redflags`: one line and exit 2, never a traceback or a hang.

Each case runs the real command in a subprocess with an address-space cap and a timeout, in a folder of its own;
every file the case put there must be unchanged afterwards (no note is ever lost) and no temporary file is left.
The cases run two at a time, started once for the module.
"""

from __future__ import annotations

import io
import json
import os
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import docx
import pytest

BIN = Path(sys.executable).parent
REDFLAGS = str(BIN / "redflags") if (BIN / "redflags").exists() else shutil.which("redflags") or "redflags"
MEMORY_CAP = 2 << 30  # bytes of address space for each case
TIMEOUT = 90  # seconds for each case
LONG_TIMEOUT = 240  # seconds for the 1.9-million-character note
NOTE = "PD: Our residents are very independent. We are like a family here.\n"
ENTRY = """entries:
  - id: user-zebra
    side: coverage
    category: coverage-talk
    weight: 1
    meaning: A test entry.
    follow_up: Ask.
    source: test
{body}    examples: {{flag: ["PD: zebra stripes galore"]}}
"""


@dataclass
class Run:
    """What a case runs: the arguments, standard input, files allowed to change or appear."""

    args: list[str]
    stdin: bytes | str | None = None  # bytes, or "zero" (/dev/zero) or "closed"
    creates: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()


@dataclass
class Case:
    """One hostile input: how to build it, the exit status, the words its one error line must hold."""

    id: str
    group: str
    build: Callable[[Path], Run]
    code: int
    reason: str = ""
    names: str | None = None  # the file the error line must name (default: the first argument)
    check: Callable[[Path, subprocess.CompletedProcess[bytes]], None] | None = field(default=None, repr=False)


def note(name: str = "note.txt", text: str | bytes = NOTE, *extra: str, **files: str | bytes) -> Callable[[Path], Run]:
    """A case that analyzes one file written with the given content (plus side files)."""

    def build(folder: Path) -> Run:
        for file_name, content in {name: text, **files}.items():
            path = folder / file_name.replace("__", ".")
            path.write_bytes(content.encode() if isinstance(content, str) else content)
        return Run(["analyze", name, *extra])

    return build


def args(*arguments: str, stdin: bytes | str | None = None, **files: str | bytes) -> Callable[[Path], Run]:
    """A case with the given arguments and files."""

    def build(folder: Path) -> Run:
        for file_name, content in files.items():
            (folder / file_name.replace("__", ".")).write_bytes(content.encode() if isinstance(content, str) else content)
        return Run(list(arguments), stdin=stdin)

    return build


def docx_bytes(**parts: bytes | str) -> bytes:
    """A real Word document, with parts replaced or added."""
    document = docx.Document()
    document.add_paragraph(NOTE)
    buffer = io.BytesIO()
    document.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            name = info.filename.replace("/", "_").replace(".", "__")
            if name not in parts:
                archive.writestr(info, source.read(info))
        for name, content in parts.items():
            archive.writestr(name.replace("__", ".").replace("_", "/"), content)
    return out.getvalue()


def patch_zip(raw: bytes, *, flag: int | None = None, method: int | None = None, size: int | None = None) -> bytes:
    """Rewrite every local and central header: set a flag bit, the compression method or the declared size."""
    data = bytearray(raw)
    for sig, flag_at, method_at, size_at in ((b"PK\x03\x04", 6, 8, 22), (b"PK\x01\x02", 8, 10, 24)):
        at = data.find(sig)
        while at != -1:
            if flag is not None:
                data[at + flag_at] |= flag
            if method is not None:
                data[at + method_at:at + method_at + 2] = method.to_bytes(2, "little")
            if size is not None:
                data[at + size_at:at + size_at + 4] = size.to_bytes(4, "little")
            at = data.find(sig, at + 4)
    return bytes(data)


def bomb_docx(declared: int | None = None) -> bytes:
    """A .docx whose document.xml inflates to 100 MB of spaces (declared honestly, or as `declared` bytes)."""
    body = b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/document.xml", "w") as part:
            part.write(body)
            chunk = b" " * (1 << 20)
            for _ in range(100):
                part.write(chunk)
            part.write(b"</w:document>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    raw = buffer.getvalue()
    return patch_zip(raw, size=declared) if declared is not None else raw


def laughs(levels: int = 9) -> str:
    """Billion laughs in YAML: each level lists the previous one ten times."""
    lines = ['a0: &a0 "lol"']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def near_laughs() -> str:
    """A lexicon whose near groups alias a billion words."""
    words = ["- &w0 [zebra]"] + [f"- &w{i} [{', '.join([f'*w{i - 1}'] * 10)}]" for i in range(1, 10)]
    return "anchors:\n  " + "\n  ".join(words) + "\n" + ENTRY.format(
        body="    near: [{window: 3, groups: [*w9, [stripes]]}]\n")


def deep(levels: int) -> str:
    return "x: " + "[" * levels + "]" * levels + "\n"


def front(yaml_text: str) -> str:
    return f"---\n{yaml_text}---\n{NOTE}"


def make_node(kind: str) -> Callable[[Path], Run]:
    """-o aimed at a device node, FIFO or socket made in the case's folder."""

    def build(folder: Path) -> Run:
        (folder / "note.txt").write_text(NOTE)
        target = folder / "target"
        if kind == "device":
            os.mknod(target, stat.S_IFCHR | 0o666, os.makedev(1, 7))  # /dev/full
        elif kind == "fifo":
            os.mkfifo(target)
        else:
            sock = socket.socket(socket.AF_UNIX)
            sock.bind(str(target))
            sock.close()
        return Run(["analyze", "note.txt", "-o", "target"])

    return build


def still(kind: str) -> Callable[[Path, subprocess.CompletedProcess[bytes]], None]:
    tests = {"device": stat.S_ISCHR, "fifo": stat.S_ISFIFO, "socket": stat.S_ISSOCK}

    def check(folder: Path, proc: subprocess.CompletedProcess[bytes]) -> None:
        assert tests[kind](os.lstat(folder / "target").st_mode), f"{kind} was replaced"

    return check


def report_then(*extra: str, foreign: bytes | None = None, readonly: bool = False) -> Callable[[Path], Run]:
    """-o over a file already there: a report of ours (written by a first run), or someone else's file."""

    def build(folder: Path) -> Run:
        (folder / "note.txt").write_text(NOTE)
        target = folder / "out.html"
        if foreign is None:
            subprocess.run([REDFLAGS, "analyze", "note.txt", "-o", "out.html"], cwd=folder, check=True,
                           capture_output=True)
        else:
            target.write_bytes(foreign)
        if readonly:
            target.chmod(0o444)
        return Run(["analyze", "note.txt", "-o", "out.html", *extra], changes=("out.html",))

    return build


def html_report(name: str) -> Callable[[Path, subprocess.CompletedProcess[bytes]], None]:
    def check(folder: Path, proc: subprocess.CompletedProcess[bytes]) -> None:
        text = (folder / name).read_text("utf-8")
        assert text.startswith("<!doctype html>") and "interview-redflags" in text[:200]

    return check


def unchanged(name: str, content: bytes) -> Callable[[Path, subprocess.CompletedProcess[bytes]], None]:
    def check(folder: Path, proc: subprocess.CompletedProcess[bytes]) -> None:
        assert (folder / name).read_bytes() == content

    return check


def strict_json(folder: Path, proc: subprocess.CompletedProcess[bytes]) -> None:
    """Standard output is JSON that JavaScript's JSON.parse accepts: no NaN or Infinity."""
    def refuse(constant: str) -> None:
        raise AssertionError(f"JSON holds {constant}")

    data = json.loads(proc.stdout, parse_constant=refuse)
    assert data["generator"] == "interview-redflags"


def stdout_html(folder: Path, proc: subprocess.CompletedProcess[bytes]) -> None:
    assert proc.stdout.startswith(b"<!doctype html>") and b"</html>" in proc.stdout
    assert not list(folder.glob("*.html"))


def escaped(folder: Path, proc: subprocess.CompletedProcess[bytes]) -> None:
    html = (folder / "x.redflags.html").read_text("utf-8")
    # the report's own inline script is the only script element; nothing from the note becomes markup
    assert html.lower().count("<script") == html.count("<script>(function () {") == 1
    assert "alert(" not in html.split("<script>(function () {", 1)[1].split("</script>", 1)[0]
    assert "<script>alert" not in html.lower() and "<img" not in html.lower() and "<i>" not in html
    assert "&lt;script&gt;" in html


def utf16_heard(folder: Path, proc: subprocess.CompletedProcess[bytes]) -> None:
    data = json.loads(proc.stdout)
    assert {h["text"].lower() for h in data["hits"]} >= {"like a family", "very independent"}


def meta_as_text(folder: Path, proc: subprocess.CompletedProcess[bytes]) -> None:
    strict_json(folder, proc)
    data = json.loads(proc.stdout)
    assert data["meta"]["date"] == "2024-11-05" and data["checklist"]["items"]


def odd_types_as_text(folder: Path, proc: subprocess.CompletedProcess[bytes]) -> None:
    strict_json(folder, proc)
    meta = json.loads(proc.stdout)["meta"]
    assert meta == {"tags": ["alpha", "beta", "gamma"], "seen": "2024-01-01 10:00:00", "blob": "b'hello'"}


LONG_NOTE_CHARS = 1_100_000
PROFILE_OK = "board_pass_rate: 96\nsoap_years: [2023]\npd_since: 2012\nvisa: {sponsored: [J-1], paperwork_on_time: true}\n"

CASES = [
    # 1. -o replaces only what it should
    Case("o-device-node", "1", make_node("device"), 2, "a device", "target", still("device")),
    Case("o-fifo", "1", make_node("fifo"), 2, "a FIFO", "target", still("fifo")),
    Case("o-socket", "1", make_node("socket"), 2, "a socket", "target", still("socket")),
    Case("o-other-note", "1", note("note.txt", NOTE, "-o", "other_note.txt", other_note__txt="PD: mine.\n"), 2,
         "may be a note", "other_note.txt"),
    Case("o-the-note-itself", "1", note("note.txt", NOTE, "-o", "note.txt"), 2, "input given on the command line"),
    Case("o-the-profile", "1", note("note.txt", NOTE, "--profile", "p.html", "-o", "p.html", p__html=PROFILE_OK),
         2, "input given on the command line", "p.html"),
    Case("o-foreign-file", "1", report_then(foreign=b"<html>my own page</html>"), 2, "not a redflags report",
         "out.html", unchanged("out.html", b"<html>my own page</html>")),
    Case("o-read-only-foreign-file", "1", report_then(foreign=b"keep me", readonly=True), 2,
         "not a redflags report", "out.html", unchanged("out.html", b"keep me")),
    Case("o-foreign-file-overwrite", "1", report_then("--overwrite", foreign=b"old"), 0,
         check=html_report("out.html")),
    Case("o-our-own-report", "1", report_then(), 0, check=html_report("out.html")),
    Case("o-dash-into-pipe", "1", note("note.txt", NOTE, "-o", "-"), 0, check=stdout_html),
    Case("o-dev-stdout-into-pipe", "1", note("note.txt", NOTE, "-o", "/dev/stdout"), 0, check=stdout_html),
    Case("o-json-dash", "1", note("note.txt", NOTE, "--format", "json", "-o", "-"), 0, check=strict_json),
    # 2. a note over spaCy's default max_length of 1,000,000 characters (few words, so it stays quick)
    Case("long-note-over-1m-chars", "2",
         note("long.txt", ("PD: " + "x" * 99 + "\n") * (LONG_NOTE_CHARS // 104), "--format", "json"), 0,
         check=strict_json),
    # 4. YAML aliases
    Case("front-matter-billion-laughs", "4", note("n.md", front(laughs()), "--format", "json"), 2,
         "anchors and aliases", "n.md"),
    Case("profile-alias", "4", note("n.txt", NOTE, "--profile", "p.yml", p__yml="a: &x 1\nb: *x\n"), 2,
         "anchors and aliases", "p.yml"),
    Case("roles-alias", "4", note("n.txt", NOTE, "--roles", "r.yml", r__yml="Kim: &r resident\nLee: *r\n"), 2,
         "anchors and aliases", "r.yml"),
    Case("lexicon-near-billion-laughs", "4", note("n.txt", NOTE, "--lexicon", "lex.yml", lex__yml=near_laughs()),
         2, "expand to more than", "lex.yml"),
    Case("lexicon-recursive-alias", "4", note("n.txt", NOTE, "--lexicon", "lex.yml", lex__yml="a: &a [*a]\n"),
         2, "", "lex.yml"),
    # 5. standard input
    Case("stdin-dev-zero", "5", args("analyze", "-", stdin="zero"), 2, "over the limit", "<stdin>"),
    Case("stdin-closed", "5", args("analyze", "-", stdin="closed"), 2, "standard input is closed", "<stdin>"),
    Case("stdin-over-max-bytes", "5", args("analyze", "-", "--max-bytes", "100", stdin=NOTE * 3), 2,
         "over the limit of 100", "<stdin>"),
    Case("stdin-note", "5", args("analyze", "-", "--format", "json", stdin=NOTE), 0, check=strict_json),
    # 6. --max-bytes bounds
    Case("max-bytes-20-digits", "6", note("n.txt", NOTE, "--max-bytes", "99999999999999999999"), 2,
         "--max-bytes", ""),
    Case("max-bytes-100-billion", "6", note("n.txt", NOTE, "--max-bytes", "100000000000"), 2, "--max-bytes", ""),
    Case("max-bytes-zero", "6", note("n.txt", NOTE, "--max-bytes", "0"), 2, "--max-bytes", ""),
    Case("max-bytes-words", "6", note("n.txt", NOTE, "--max-bytes", "lots"), 2, "--max-bytes", ""),
    Case("file-over-max-bytes", "6", note("n.txt", NOTE, "--max-bytes", "10"), 2, "over the limit of 10"),
    # 7. .docx
    Case("docx-not-word-xml", "7", note("d.docx", docx_bytes(word_document__xml="<foo><bar/></foo>")), 2,
         "not a readable .docx"),
    Case("docx-no-body", "7", note("d.docx", docx_bytes(word_document__xml=(
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'))), 2, "no document body"),
    Case("docx-encrypted", "7", note("d.docx", patch_zip(docx_bytes(), flag=1)), 2, "encrypted"),
    Case("docx-unknown-compression", "7", note("d.docx", patch_zip(docx_bytes(), method=99)), 2,
         "unsupported compression"),
    Case("docx-inflation-bomb", "7", note("d.docx", bomb_docx()), 2, "inflates to over"),
    Case("docx-bomb-lying-sizes", "7", note("d.docx", bomb_docx(declared=1000)), 2, "d.docx"),
    Case("docx-text-over-max-bytes", "7", note("d.docx", docx_bytes(), "--max-bytes", "20"), 2, "over the limit"),
    Case("docx-ok", "7", note("d.docx", docx_bytes(), "--format", "json"), 0, check=utf16_heard),
    # 8. values in front matter, --profile and --roles
    Case("fm-date-feb-30", "8", note("n.md", front("date: 2024-02-30\n")), 2, "not a valid date", "n.md:2"),
    Case("fm-date-year-0", "8", note("n.md", front("date: 0000-01-01\n")), 2, "not a valid date", "n.md:2"),
    Case("fm-offset-99-99", "8", note("n.md", front("seen: 2024-01-01 10:00:00 +99:99\n")), 2, "not a valid date",
         "n.md:2"),
    Case("fm-deep-nesting", "8", note("n.md", front(deep(20_000))), 2, "nested deeper than", "n.md:2"),
    Case("fm-500-digits", "8", note("n.md", front("count: " + "9" * 500 + "\n")), 2, "too long", "n.md:2"),
    Case("fm-date-as-key-json", "8", note("n.md", front("2024-01-01: interview\n"), "--format", "json"), 2,
         "keys must be text", "n.md:2"),
    Case("fm-rate-nan", "8", note("n.md", front("board_pass_rate: .nan\n"), "--format", "json"), 2,
         "not a finite number", "n.md:2"),
    Case("fm-rate-1e309", "8", note("n.md", front("board_pass_rate: 1e309\n"), "--format", "json"), 2,
         "board_pass_rate", "n.md:2"),
    Case("fm-float-1.0e309", "8", note("n.md", front("anything: 1.0e+309\n"), "--format", "json"), 2,
         "not a finite number", "n.md:2"),
    Case("fm-inf-deep-in-meta", "8", note("n.md", front("x: {y: [1, -.inf]}\n"), "--format", "json"), 2,
         "'y': '-.inf' is not a finite number", "n.md:2"),
    Case("fm-rate-nan-text", "8", note("n.md", front("board_pass_rate: 'nan'\n"), "--format", "json"), 2,
         "board_pass_rate", "n.md:2"),
    Case("fm-rate-negative", "8", note("n.md", front("board_pass_rate: -5\n")), 2, "board_pass_rate", "n.md:2"),
    Case("profile-visa-sponsored-5", "8", note("n.txt", NOTE, "--profile", "p.yml", p__yml="visa: {sponsored: 5}\n"),
         2, "'visa'", "p.yml:1"),
    Case("profile-tenure-negative", "8", note("n.txt", NOTE, "--profile", "p.yml", p__yml="a: 1\npd_tenure_years: -3\n"),
         2, "pd_tenure_years", "p.yml:2"),
    Case("profile-pd-since-future", "8", note("n.txt", NOTE, "--profile", "p.yml", p__yml="pd_since: 3024\n"), 2,
         "pd_since", "p.yml:1"),
    Case("profile-deep", "8", note("n.txt", NOTE, "--profile", "p.yml", p__yml=deep(20_000)), 2, "nested deeper",
         "p.yml"),
    Case("roles-int-key", "8", note("n.txt", NOTE, "--roles", "r.yml", r__yml="Kim: resident\n7: faculty\n"), 2,
         "keys must be text", "r.yml:2"),
    Case("fm-set-date-binary-as-text", "8", note("n.md", front(
        "tags: !!set {gamma, alpha, beta}\nseen: 2024-01-01 10:00:00\nblob: !!binary aGVsbG8=\n"), "--format", "json"),
         0, check=odd_types_as_text),
    Case("profile-ok-json-strict", "8", note("n.md", front("date: 2024-11-05\nprogram: X\n"), "--format", "json",
                                              "--profile", "p.yml", p__yml=PROFILE_OK), 0, check=meta_as_text),
    # 9. lexicons
    Case("lexicon-bad-regex-analyze", "9", note("n.txt", NOTE, "--lexicon", "lex.yml", lex__yml=ENTRY.format(
        body='    patterns: [[{LOWER: {REGEX: "(unclosed"}}]]\n')), 2, "user-zebra", "lex.yml:2"),
    Case("lexicon-bad-regex-check", "9", args("lexicon", "check", "lex.yml", lex__yml=ENTRY.format(
        body='    patterns: [[{LOWER: {REGEX: "[z-a]"}}]]\n')), 2, "invalid regular expression", "lex.yml:2"),
    Case("lexicon-bad-regex-list", "9", args("lexicon", "list", "--lexicon", "lex.yml", lex__yml=ENTRY.format(
        body='    patterns: [[{LOWER: {REGEX: "*x"}}]]\n')), 2, "invalid regular expression", "lex.yml:2"),
    Case("lexicon-catastrophic-regex", "9", note("n.txt", "PD: " + "a" * 5000 + "!\n", "--lexicon", "lex.yml",
                                                 lex__yml=ENTRY.format(
        body='    patterns: [[{LOWER: {REGEX: "^(a+)+$"}}]]\n')), 2, "can take forever", "lex.yml:2"),
    Case("lexicon-overlapping-alternatives", "9", note("n.txt", "PD: " + "a" * 5000 + "!\n", "--lexicon", "lex.yml",
                                                       lex__yml=ENTRY.format(
        body='    patterns: [[{LOWER: {REGEX: "^(a|aa)+$"}}]]\n')), 2, "can take forever", "lex.yml:2"),
    Case("lexicon-regex-too-long", "9", note("n.txt", NOTE, "--lexicon", "lex.yml", lex__yml=ENTRY.format(
        body=f'    patterns: [[{{LOWER: {{REGEX: "{"a" * 300}"}}}}]]\n')), 2, "longer than", "lex.yml:2"),
    Case("lexicon-empty-attribute", "9", note("n.txt", NOTE, "--lexicon", "lex.yml", lex__yml=ENTRY.format(
        body="    patterns: [[{LOWER: {}}]]\n")), 2, "tests nothing", "lex.yml:2"),
    Case("lexicon-int-key-beside-text", "9", note("n.txt", NOTE, "--lexicon", "lex.yml",
                                                  lex__yml=ENTRY.format(body="    phrases: [zebra stripes galore]\n")
                                                  + "1: x\n"), 2, "keys must be text", "lex.yml"),
    Case("lexicon-too-many-entries", "9", note("n.txt", NOTE, "--lexicon", "lex.yml", lex__yml="entries:\n"
                                               + "- {}\n" * 10_001), 2, "over the limit", "lex.yml"),
    # 10. smaller ones
    Case("utf16-le-no-bom", "10", note("u.txt", NOTE.encode("utf-16-le"), "--format", "json"), 0, check=utf16_heard),
    Case("utf16-be-no-bom", "10", note("u.txt", NOTE.encode("utf-16-be"), "--format", "json"), 0, check=utf16_heard),
    Case("file-name-with-newline", "10", args("analyze", "bad\nname.txt"), 2, "no such file", "bad\\nname.txt"),
    Case("bad-format-value", "10", note("n.txt", NOTE, "--format", "xml"), 2, "--format", ""),
    Case("unknown-option", "10", note("n.txt", NOTE, "--frobnicate"), 2, "--frobnicate", ""),
    Case("no-such-command", "10", args("analyse", "n.txt"), 2, "analyse", ""),
    Case("missing-argument", "10", args("analyze"), 2, "Missing argument 'PATH'", ""),
    Case("profile-over-1mb", "10", note("n.txt", NOTE, "--profile", "p.yml",
                                        p__yml="# " + "x" * 1_000_100 + "\n"), 2, "the profile limit", "p.yml"),
    Case("srt-second-61", "10", note("s.srt", "1\n00:00:61,000 --> 00:01:02,000\nPD: Hello.\n"), 2,
         "minutes and seconds", "s.srt:2"),
    Case("vtt-ends-before-start", "10", note("v.vtt", "WEBVTT\n\n00:00:09.000 --> 00:00:05.000\nPD: Hello.\n"), 2,
         "ends before it starts", "v.vtt:3"),
    Case("roles-40000-labels", "10", note("n.txt", NOTE, "--roles", "r.yml", r__yml="".join(
        f"Speaker {i}: resident\n" for i in range(40_000))), 2, "over the limit", "r.yml"),
    # what already held, and must keep holding
    Case("injection-escaped", "held", note("x.txt", 'PD: <script>alert(1)</script> we are like a family '
                                           '<img src=x onerror=alert(2)>.\n<b>Dr. <i>Evil</i></b>: very independent.\n'),
         0, check=escaped),
    Case("front-matter-injection-escaped", "held", note("x.md", front('program: "<script>alert(1)</script>"\n')),
         0, check=escaped),
    Case("missing-file", "held", args("analyze", "nope.txt"), 2, "no such file"),
    Case("folder", "held", args("analyze", "."), 2, "is a folder"),
    Case("binary-png", "held", note("p.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 2, "PNG image"),
    Case("empty-note", "held", note("e.txt", b""), 2, "empty"),
]


def capped() -> None:
    """In the child, before exec: cap the address space and start a new process group."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    os.setsid()


@dataclass
class Started:
    """A case's process, started and not yet waited for."""

    folder: Path
    run: Run
    before: dict[str, bytes]
    proc: subprocess.Popen[bytes]
    data: bytes | None
    stdin_file: io.BufferedReader | None


def start(case: Case, folder: Path) -> Started:
    """Build the case in its folder and start it (from the main thread: preexec_fn is unsafe beside threads)."""
    run = case.build(folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    stdin: int | io.BufferedReader = subprocess.DEVNULL
    stdin_file = data = None
    if run.stdin == "zero":
        stdin = stdin_file = open("/dev/zero", "rb")  # noqa: SIM115
    elif run.stdin not in (None, "closed"):
        stdin, data = subprocess.PIPE, run.stdin if isinstance(run.stdin, bytes) else str(run.stdin).encode()
    preexec = capped
    if run.stdin == "closed":
        def preexec() -> None:
            capped()
            os.close(0)
    env = {**os.environ, "PYTHONPATH": str(NO_NETWORK)}
    proc = subprocess.Popen([REDFLAGS, *run.args], cwd=folder, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=preexec, stdin=stdin)  # noqa: PLW1509 (no threads)
    return Started(folder, run, before, proc, data, stdin_file)


def finish(started: Started) -> subprocess.CompletedProcess[bytes]:
    """Wait for a started case, killing it (and its group) past the timeout."""
    proc = started.proc
    try:
        out, err = proc.communicate(started.data, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        err += f"\n[killed after {TIMEOUT} s]".encode()
    finally:
        if started.stdin_file is not None:
            started.stdin_file.close()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


NO_NETWORK = Path(tempfile.mkdtemp(prefix="redflags-no-network-"))
(NO_NETWORK / "sitecustomize.py").write_text(
    "import socket\n"
    "def _refuse(*a, **k):\n"
    "    raise SystemExit('redflags: error: tried to open a network connection')\n"
    "socket.socket.connect = _refuse\nsocket.create_connection = _refuse\nsocket.getaddrinfo = _refuse\n"
)


class Battery:
    """Runs the cases two at a time: asking for one case's outcome starts the next case too."""

    def __init__(self, factory: pytest.TempPathFactory):
        self.factory = factory
        self.started: dict[int, Started] = {}
        self.done: dict[int, subprocess.CompletedProcess[bytes]] = {}

    def outcome(self, case: Case) -> tuple[Started, subprocess.CompletedProcess[bytes]]:
        index = CASES.index(case)
        for ahead in range(index, min(index + 2, len(CASES))):
            if ahead not in self.started:
                self.started[ahead] = start(CASES[ahead], self.factory.mktemp(CASES[ahead].id))
        if index not in self.done:
            self.done[index] = finish(self.started[index])
        return self.started[index], self.done[index]

    def close(self) -> None:
        for index, started in self.started.items():
            if index not in self.done:
                started.proc.kill()
                finish(started)


@pytest.fixture(scope="module")
def battery(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    runner = Battery(tmp_path_factory)
    yield runner
    runner.close()


def test_cases_cover_every_group() -> None:
    assert {c.group for c in CASES} == {str(g) for g in range(1, 11) if g != 3} | {"held"}
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, battery: Battery) -> None:
    started, proc = battery.outcome(case)
    folder, run, before = started.folder, started.run, started.before
    stderr = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr and "[killed after" not in stderr, stderr[-2000:]
    assert proc.returncode == case.code, stderr[-2000:]
    if case.code == 2:
        assert stderr.endswith("\n") and stderr.count("\n") == 1, stderr
        assert stderr.startswith("redflags: error: ") and case.reason in stderr
        named = case.names if case.names is not None else run.args[1]
        assert named in stderr, stderr
    else:
        assert stderr == "", stderr
    # no note lost, nothing half-written left behind
    for name, content in before.items():
        if name not in run.changes:
            assert (folder / name).read_bytes() == content, f"{name} was changed"
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    if case.check:
        case.check(folder, proc)


def test_kill_during_the_final_rename_leaves_no_temporary_file(tmp_path: Path) -> None:
    """SIGTERM arriving while the report is renamed into place: the process ends, the temporary file goes."""
    script = (
        "import os, signal, sys\n"
        "from analyzer import output\n"
        "os.replace = lambda a, b: os.kill(os.getpid(), signal.SIGTERM)\n"
        "output.write_output(sys.argv[1], '<!doctype html>\\n<p>x</p>\\n')\n"
        "print('survived')\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "r.html")], capture_output=True, timeout=60, check=False)
    assert proc.returncode == -signal.SIGTERM and b"survived" not in proc.stdout
    assert list(tmp_path.iterdir()) == []


def test_interrupt_during_writing_leaves_no_temporary_file(tmp_path: Path) -> None:
    script = (
        "import os, signal, sys\n"
        "from analyzer import output\n"
        "os.replace = lambda a, b: os.kill(os.getpid(), signal.SIGINT)\n"
        "try:\n"
        "    output.write_output(sys.argv[1], 'x')\n"
        "except KeyboardInterrupt:\n"
        "    sys.exit(130)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "r.html")], capture_output=True, timeout=60, check=False)
    assert proc.returncode == 130 and list(tmp_path.iterdir()) == []



def test_note_of_1_9_million_characters_gets_a_report(tmp_path: Path) -> None:
    """Issue 14's closing condition: a 1,900,000-character note finishes with a report within the memory cap."""
    path = tmp_path / "long.txt"
    path.write_text("PD: we are like a family. " * 73_077)
    assert 1_899_990 < path.stat().st_size < 1_900_010
    proc = subprocess.run([REDFLAGS, "analyze", str(path), "--format", "json"], capture_output=True,
                          preexec_fn=capped, timeout=LONG_TIMEOUT, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    strict_json(tmp_path, proc)
