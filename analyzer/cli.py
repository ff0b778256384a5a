"""The `redflags` command: a thin click layer over the analyzer library."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Self

import click

from . import __version__, formats
from .notes import MAX_BYTES_LIMIT, InputError, one_line


class RedflagsError(click.ClickException):
    """A user-facing error: one line, exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"redflags: error: {one_line(self.message)}", err=True)


def fail(exc: InputError) -> RedflagsError:
    """Turn an input problem into the one-line error."""
    return RedflagsError(exc.message)


def write_atomic(path: Path | str, text: str, protect: list[Path | str], overwrite: bool = False) -> None:
    """Write a report (analyzer.output.write_output): regular files only, never over a note or a stranger's file."""
    from .output import write_output

    try:
        write_output(path, text, protect=protect, overwrite=overwrite)
    except InputError as exc:
        raise fail(exc) from None


def read_stdin(max_bytes: int = 2_000_000) -> bytes:
    """Standard input as bytes (a paste ending with Ctrl-D), read in chunks up to max_bytes."""
    from .reading import STDIN, read_limited

    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise InputError(STDIN, "standard input is closed; give a file, or pipe the note in")
    try:
        return read_limited(stream, max_bytes, STDIN)
    except OSError as exc:
        raise InputError(STDIN, f"cannot read standard input: {exc.strerror or exc}") from None
    except ValueError:  # a closed stream
        raise InputError(STDIN, "standard input is closed; give a file, or pipe the note in") from None


_NO_ARGS_IS_HELP: Any = getattr(click.exceptions, "NoArgsIsHelpError", ())


class OneLineGroup(click.Group):
    """Click's group, with usage errors and bad option values as one line and exit status 2."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("standalone_mode", True) is False:
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.UsageError as exc:
            if isinstance(exc, _NO_ARGS_IS_HELP):  # a bare `redflags`: the help text, as click shows it
                exc.show()
                sys.exit(exc.exit_code)
            click.echo(f"redflags: error: {one_line(' '.join(exc.format_message().split()))}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("redflags: interrupted", err=True)
            sys.exit(130)
        sys.exit(result if isinstance(result, int) else 0)


class LongNoteProgress:
    """A progress bar on standard error while a long note (LONG_NOTE words or more) goes through the stages."""

    LONG_NOTE = 20_000

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar: Any = None

    def __enter__(self) -> Self:
        return self

    def __call__(self, stage: str, words: int, stages: int) -> None:
        if not self.enabled or words < self.LONG_NOTE:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=stages, label=f"analyzing {words:,} words", file=sys.stderr,
                                         item_show_func=lambda s: s)
            self.bar.__enter__()
        self.bar.update(1, stage)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


lexicon_option = click.option(
    "--lexicon", "lexicons", multiple=True, type=click.Path(path_type=Path),
    help="A lexicon file or folder that adds, overrides or switches off entries (repeatable).",
)
model_option = click.option(
    "--model", default=None, metavar="NAME_OR_PATH",
    help="An installed spaCy pipeline to use instead of the rule-based default (e.g. en_core_web_sm).",
)


@click.group(cls=OneLineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="redflags")
def cli() -> None:
    """Hear what a residency program's interview day really said: coverage talk versus outcomes talk."""


@cli.command()
@click.argument("path", type=str)
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to write the report (- for standard output).")
@click.option("--overwrite", is_flag=True, help="Allow -o to replace a file that is not a redflags report.")
@click.option("--format", "fmt", type=click.Choice(["html", "json", "text"]), default="html", show_default=True,
              help="html writes a report file and prints a summary; json and text print to standard output.")
@click.option("--open", "open_report", is_flag=True, help="Open the HTML report in the browser.")
@click.option("--input-format", type=click.Choice(formats.names()), default=None, help="Read PATH as this format.")
@click.option("--profile", type=click.Path(path_type=Path), help="A YAML program profile for the checklist.")
@click.option("--roles", type=click.Path(path_type=Path), help="A YAML map of speaker names to roles.")
@click.option("--max-bytes", type=click.IntRange(min=1, max=MAX_BYTES_LIMIT), default=2_000_000, show_default=True,
              help="Refuse notes larger than this.")
@click.option("--redact", "redact_names", is_flag=True,
              help="Replace people's names with their roles in the report and the JSON.")
@lexicon_option
@model_option
def analyze(path: str, output: Path | None, overwrite: bool, fmt: str, open_report: bool, input_format: str | None,
            profile: Path | None, roles: Path | None, max_bytes: int, lexicons: tuple[Path, ...],
            model: str | None, redact_names: bool) -> None:
    """Analyze one interview note (a file, or - to paste and end with Ctrl-D)."""
    from . import service
    from .output import is_stdout, mark_html
    from .report import render_html, summary_text

    options = service.Options(input_format=input_format, max_bytes=max_bytes, roles_file=roles,
                              profile_file=profile, lexicons=tuple(str(p) for p in lexicons), model=model)
    try:
        stdin = read_stdin(max_bytes) if path == "-" else None
        with LongNoteProgress(enabled=sys.stderr.isatty()) as progress:
            result = service.analyze_file(path, options, stdin=stdin, progress=progress)
    except InputError as exc:
        raise fail(exc) from None
    if redact_names:
        from .redact import redact

        result = redact(result)
    protect: list[Path | str] = [p for p in (path, profile, roles, *lexicons) if p is not None]
    if fmt == "json":
        text = report_json(result.to_json())
        if output:
            write_atomic(output, text, protect, overwrite)
        else:
            click.echo(text, nl=False)
        return
    if fmt == "text":
        click.echo(summary_text(result, None))
        return
    stem = "stdin" if path == "-" else Path(path).name.rsplit(".", 1)[0]
    target = output or Path(f"{stem}.redflags.html")
    write_atomic(target, mark_html(render_html(result, service.analyzer_for(options).lexicon)), protect, overwrite)
    if is_stdout(target):
        return
    click.echo(summary_text(result, target))
    if open_report:
        import webbrowser

        webbrowser.open(target.resolve().as_uri())


def report_json(data: dict[str, Any]) -> str:
    """The JSON report: marked as ours, strictly valid (no NaN or Infinity), dates and other values as text."""
    import json

    from .output import GENERATOR

    try:
        return json.dumps({"generator": GENERATOR, **data}, indent=2, ensure_ascii=False, default=str,
                          allow_nan=False) + "\n"
    except ValueError:
        raise RedflagsError("the report holds a number that is not finite; this is a bug") from None


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port on 127.0.0.1.")
@click.option("--notes-dir", type=click.Path(path_type=Path), default=None,
              help="Where pasted notes are saved (default: ~/interview-notes).")
def serve(port: int, notes_dir: Path | None) -> None:
    """Open a local paste page: paste notes, name the program, see the report; each note is saved."""
    import socket

    from .serve import default_notes_dir, make_server

    folder = (notes_dir or default_notes_dir()).expanduser()
    try:
        with socket.socket() as probe:  # werkzeug exits on a busy port; say it in one line instead
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))
        server = make_server(folder, port)
    except OSError as exc:
        raise RedflagsError(f"127.0.0.1:{port}: cannot listen: {exc.strerror or exc}") from None
    click.echo(f"notes folder: {folder}")
    click.echo(f"open http://127.0.0.1:{server.port}/  (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", "outdir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The folder for the comparison page, the reports, season.csv and season.json.")
@click.option("--force", is_flag=True, help="Analyze every note again, even those unchanged since the last run.")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (helps on a large season with several cores).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--overwrite", is_flag=True, help="Replace files in OUTDIR that redflags did not write.")
@click.option("--input-format", type=click.Choice(formats.names()), default=None, help="Read every note as this format.")
@click.option("--profile", type=click.Path(path_type=Path), help="A YAML program profile for the checklist.")
@click.option("--roles", type=click.Path(path_type=Path), help="A YAML map of speaker names to roles.")
@click.option("--max-bytes", type=click.IntRange(min=1, max=MAX_BYTES_LIMIT), default=2_000_000, show_default=True,
              help="Refuse notes larger than this.")
@lexicon_option
@model_option
def batch(paths: tuple[Path, ...], outdir: Path, force: bool, jobs: int, quiet: bool, overwrite: bool,
          input_format: str | None,
          profile: Path | None, roles: Path | None, max_bytes: int, lexicons: tuple[Path, ...],
          model: str | None) -> None:
    """Analyze a season of notes (files and folders) into one comparison page with a report per note."""
    from . import service
    from .season import find_notes, run_batch, write_season, writer

    options = service.Options(input_format=input_format, max_bytes=max_bytes, roles_file=roles,
                              profile_file=profile, lexicons=tuple(str(p) for p in lexicons), model=model)
    notes = find_notes(paths, skip=outdir)
    total = len(notes)
    write = writer(outdir, [p for p, _ in notes], overwrite)
    if not total:
        raise RedflagsError(f"{paths[0]}: no notes found ({', '.join(sorted(formats.note_extensions()))})")
    show = not quiet and sys.stderr.isatty()
    try:
        if show:
            with click.progressbar(length=total, label="analyzing", file=sys.stderr) as bar:
                season = run_batch(paths, outdir, options, force=force, jobs=jobs, progress=lambda _: bar.update(1),
                                   write=write)
        else:
            season = run_batch(paths, outdir, options, force=force, jobs=jobs, write=write)
        written = write_season(season, outdir, service.analyzer_for(options).rules, write)
    except InputError as exc:
        raise fail(exc) from None
    except OSError as exc:
        raise RedflagsError(f"{outdir}: cannot write: {exc.strerror or exc}") from None
    if season.analyzed == 0 and not season.failed:
        click.echo(f"nothing to analyze: {season.unchanged} notes unchanged since the last run (--force redoes all)")
    else:
        click.echo(f"{season.analyzed} analyzed, {season.unchanged} unchanged, {len(season.failed)} failed "
                   f"({len(season.programs)} programs)")
    for note in season.failed:
        click.echo(f"redflags: error: {note.error}", err=True)
    click.echo(f"comparison: {written[0]}")
    if season.failed:
        sys.exit(1)


@cli.group()
def lexicon() -> None:
    """Read, check and document the phrase lexicons."""


def _load(lexicons: tuple[Path, ...]):  # type: ignore[no-untyped-def]
    from .lexicon import load_lexicon

    try:
        return load_lexicon(list(lexicons))
    except InputError as exc:
        raise fail(exc) from None


@lexicon.command("list")
@click.option("--category", default=None, help="Only this category.")
@click.option("--side", type=click.Choice(["coverage", "outcomes"]), default=None, help="Only this side.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@lexicon_option
def lexicon_list(category: str | None, side: str | None, fmt: str, lexicons: tuple[Path, ...]) -> None:
    """List the entries the tool listens for."""
    import json
    from dataclasses import asdict

    entries = _load(lexicons).select(category, side)
    if fmt == "json":
        rows = [{k: v for k, v in asdict(e).items() if k != "origin"} for e in entries]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for e in entries:
        click.echo(f"{e.id:<40} {e.side:<9} {e.category:<21} {e.weight:>4g}  {e.phrases[0] if e.phrases else '(pattern)'}")
    click.echo(f"{len(entries)} entries")


@lexicon.command("show")
@click.argument("entry_id")
@lexicon_option
def lexicon_show(entry_id: str, lexicons: tuple[Path, ...]) -> None:
    """Show one entry: phrases, meaning, the question to ask, examples."""
    lex = _load(lexicons)
    entry = lex.entries.get(entry_id)
    if entry is None:
        raise RedflagsError(f"no lexicon entry '{entry_id}' (try: redflags lexicon list)")
    click.echo(f"{entry.id}  [{entry.side} / {entry.category}, weight {entry.weight:g}]  {entry.origin}")
    click.echo("They say:    " + "; ".join(entry.phrases or ("(token patterns only)",)))
    click.echo(f"It often means: {entry.meaning}")
    click.echo(f"Ask next:    {entry.follow_up}")
    click.echo(f"Source:      {entry.source}")
    for ex in entry.flag_examples:
        click.echo(f"  flags:     {ex}")
    for ex in entry.pass_examples:
        click.echo(f"  passes:    {ex}")


@lexicon.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def lexicon_check(paths: tuple[Path, ...]) -> None:
    """Run every entry's examples through the pipeline (the built-ins, or the entries in PATHS)."""
    from .analysis import get_analyzer
    from .examples import check_entry
    from .lexicon import lexicon_files

    try:
        analyzer = get_analyzer(tuple(str(p) for p in paths))
        files = {str(p) for p in lexicon_files(list(paths))} if paths else None
    except InputError as exc:
        raise fail(exc) from None
    entries = [e for e in analyzer.lexicon if files is None or e.origin.rpartition(":")[0] in files]
    failures = [f for e in entries for f in check_entry(analyzer, e)]
    for f in failures:
        click.echo(f"{f.origin}: {f.entry}: {f.kind} example {f.example!r}: {f.got}")
    examples = sum(len(e.flag_examples) + len(e.pass_examples) for e in entries)
    click.echo(f"{len(entries)} entries, {examples} examples, {len(failures)} failing")
    if failures:
        sys.exit(1)


@lexicon.command("compile")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Where to write (default: the compiled copy beside the built-in lexicons).")
def lexicon_compile(output: Path | None) -> None:
    """Write the fast-loading compiled copy of the built-in lexicons (after editing their YAML)."""
    from .lexicon import CACHE, compile_builtins
    from .resources import data_path

    try:
        text = compile_builtins()
    except InputError as exc:
        raise fail(exc) from None
    target = output or Path(str(data_path("phrase_lexicons", *CACHE)))
    write_atomic(target, text + "\n", [], overwrite=output is None)
    click.echo(f"wrote {target}")


@lexicon.command("docs")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="The HTML file to write.")
@lexicon_option
def lexicon_docs(output: Path, lexicons: tuple[Path, ...]) -> None:
    """Write a reference page of every entry, grouped by category."""
    from .output import mark_html
    from .report import render_lexicon_docs

    write_atomic(output, mark_html(render_lexicon_docs(_load(lexicons))), list(lexicons))
    click.echo(f"wrote {output}")


@cli.group()
def teach() -> None:
    """Teaching sessions: a quiz, a printable handout and side-by-side contrasts."""


def _drills(paths: tuple[Path, ...]):  # type: ignore[no-untyped-def]
    from .drills import load_drills

    try:
        return load_drills(list(paths) or None)
    except InputError as exc:
        raise fail(exc) from None


overwrite_option = click.option("--overwrite", is_flag=True,
                                help="Allow -o to replace a file that is not a redflags page.")
drills_option = click.option(
    "--drills", "drill_files", multiple=True, type=click.Path(path_type=Path),
    help="Drill files or folders to use instead of the built-in bank (repeatable).",
)


@teach.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@lexicon_option
def teach_check(paths: tuple[Path, ...], lexicons: tuple[Path, ...]) -> None:
    """List every drill the tool misreads (the built-in bank, or the drills in PATHS); exit 1 if any."""
    from . import service
    from .teach import misreads

    drills = _drills(paths)
    try:
        analyzer = service.analyzer_for(service.Options(lexicons=tuple(str(p) for p in lexicons)))
    except InputError as exc:
        raise fail(exc) from None
    wrong = misreads(analyzer, drills)
    for r in wrong:
        heard = ", ".join(f"{h.entry}->{h.counts_for}" + (f" ({h.cue})" if h.cue else "") for h in r.analysis.hits)
        click.echo(f"{r.drill.origin}: {r.drill.id}: expected {r.drill.answer}, the tool reads {r.got} "
                   f"(coverage {r.analysis.signals['coverage']:g}, outcomes {r.analysis.signals['outcomes']:g}"
                   f"{'; heard ' + heard if heard else ''}): {r.drill.line!r}")
    click.echo(f"{len(drills)} drills, {len(wrong)} misread")
    if wrong:
        sys.exit(1)


@teach.command("quiz")
@click.option("--rounds", type=click.IntRange(min=1), default=10, show_default=True, help="How many lines.")
@click.option("--category", default=None, metavar="CATEGORY",
              help="Only lines of this lexicon category (e.g. visa-contract) or trap (e.g. negation).")
@click.option("--seed", type=int, default=None, help="The same seed asks the same lines in the same order.")
@click.option("--html", "html", is_flag=True, help="Write a self-contained quiz page for a projector instead.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Where to write the --html page (default quiz.html).")
@overwrite_option
@drills_option
@lexicon_option
def teach_quiz(rounds: int, category: str | None, seed: int | None, html: bool, output: Path | None,
               overwrite: bool, drill_files: tuple[Path, ...], lexicons: tuple[Path, ...]) -> None:
    """Coverage talk, outcomes talk, or neither? A line at a time, with the explanation after each answer."""
    import random

    from . import service
    from .lexicon import CATEGORIES
    from .output import mark_html
    from .teach import QUIZ_FILTERS, read_drill, run_quiz

    if category is not None and category not in (*CATEGORIES, *QUIZ_FILTERS):
        raise RedflagsError(f"--category: unknown category or trap {category!r} (one of "
                            f"{', '.join((*CATEGORIES, *QUIZ_FILTERS))})")
    drills = _drills(drill_files)
    if seed is None:
        seed = random.SystemRandom().randrange(10_000)
    from .teach import pick

    chosen = pick(drills, rounds, category, seed)
    if not chosen:
        raise RedflagsError(f"no drills for category {category!r}")
    try:
        analyzer = service.analyzer_for(service.Options(lexicons=tuple(str(p) for p in lexicons)))
    except InputError as exc:
        raise fail(exc) from None
    readings = [read_drill(analyzer, d) for d in chosen]
    if html:
        from .teach import render_quiz

        target = output or Path("quiz.html")
        write_atomic(target, mark_html(render_quiz(readings, analyzer.lexicon, seed)),
                     [*drill_files, *lexicons], overwrite)
        click.echo(f"wrote {target} ({len(readings)} cards, seed {seed})")
        return
    piped = not sys.stdin.isatty()

    def ask(prompt: str) -> str | None:
        click.echo(prompt, nl=False)
        if not piped:  # a terminal: one key press answers, Enter is ignored, Ctrl-C or Ctrl-D quits
            try:
                key = ""
                while key in ("", "\r", "\n"):
                    key = click.getchar()
            except (KeyboardInterrupt, EOFError):
                key = "q"
            key = "q" if key in ("\x03", "\x04") else key
            click.echo(key)
            return key
        line = sys.stdin.readline()
        if not line:
            click.echo("")
            return None
        if piped:
            click.echo(line.rstrip("\n"))
        return line

    click.echo(f"Quiz: {len(readings)} lines (seed {seed}). Is each line coverage talk (the program needs you "
               "for service), outcomes talk (it trains you), or neither?")
    run_quiz(readings, analyzer.lexicon, ask, click.echo)


@teach.command("handout")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("handout.html"), show_default=True,
              help="The HTML file to write.")
@click.option("--all", "everything", is_flag=True, help="Also list the broad concept rules (fallback entries).")
@click.option("--category", "categories", multiple=True, metavar="CATEGORY",
              help="Only these lexicon categories (repeatable), for a shorter handout.")
@overwrite_option
@lexicon_option
def teach_handout(output: Path, everything: bool, categories: tuple[str, ...], overwrite: bool,
                  lexicons: tuple[Path, ...]) -> None:
    """A printable handout: what programs say, what it often means, what to ask; checklist weights last."""
    from .lexicon import CATEGORIES, lexicon_files
    from .output import mark_html
    from .teach import build_handout, render_handout

    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown:
        raise RedflagsError(f"--category: unknown category {unknown[0]!r} (one of {', '.join(CATEGORIES)})")

    lex = _load(lexicons)
    try:
        user_files = [str(p) for p in lexicon_files(list(lexicons))]
    except InputError as exc:
        raise fail(exc) from None
    handout = build_handout(lex, user_files, fallbacks=everything, categories=categories or None)
    write_atomic(output, mark_html(render_handout(handout)), list(lexicons), overwrite)
    click.echo(f"wrote {output} ({handout.total} entries in {len(handout.groups)} categories)")


@teach.command("contrast")
@click.argument("left", type=str)
@click.argument("right", type=str)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("contrast.html"), show_default=True,
              help="The HTML file to write.")
@overwrite_option
@lexicon_option
def teach_contrast(left: str, right: str, output: Path, overwrite: bool, lexicons: tuple[Path, ...]) -> None:
    """Two notes side by side: each verdict on top, categories aligned, the report's highlights."""
    from . import service
    from .output import mark_html
    from .report import BUCKET_LABELS
    from .teach import render_contrast

    options = service.Options(lexicons=tuple(str(p) for p in lexicons))
    try:
        results = [service.analyze_file(p, options) for p in (left, right)]
        lexicon = service.analyzer_for(options).lexicon
    except InputError as exc:
        raise fail(exc) from None
    write_atomic(output, mark_html(render_contrast(results[0], results[1], lexicon)), [left, right, *lexicons],
                 overwrite)
    for r in results:
        click.echo(f"{r.source}: {BUCKET_LABELS[r.verdict.bucket]} ({r.verdict.bucket})")
    click.echo(f"wrote {output}")


def main() -> None:
    """Console entry point."""
    cli(prog_name="redflags")
