"""The `mdguide` command: a thin click layer over the library.

Only this module and ``cli_docs`` (which renders the commands' help into the
docs) import click; import-linter enforces it. This is the only place where
library errors become messages and exit codes.  Each command's docstring is its
`--help`, and ends with examples.
"""

from __future__ import annotations

import atexit
import functools
import gc
import sys
import time
import unicodedata
from pathlib import Path

import click

from mdguide_build import __version__
from mdguide_build.errors import ContentError, MdguideError

# A command's work is mostly making objects that live until it ends (modules, models, the pandoc
# AST), which the cycle collector scans again and again for nothing: with its default threshold
# (700) it takes ~10 % of a build's Python time.  Collect rarely, as mypy does; memory is bounded
# by the generation-0 threshold, a few MB of young objects.  And when the command is done, the
# interpreter's own collections while it shuts down would scan them all once more (~60 ms after a
# build): freeze them first, as nothing needs collecting in a process that is ending.
gc.set_threshold(200_000, 30, 30)
atexit.register(gc.freeze)

CONTENT_DEFAULT = "content"


# --- the terminal: nothing untrusted reaches it as control characters ----------------------


def terminal_safe(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` with every character that could act on a terminal spelled out as an escape.

    Messages quote content, JSON keys, file names and what servers answered.
    An escape sequence among them could retitle the terminal, hide the lines
    before it or forge new ones, and a bidirectional control reorders what is
    shown.  So controls (C0 and C1), invisible formatting characters and line
    or paragraph separators are written as ``\\u001b`` and the like, which is
    also a valid escape inside the JSON that ``--json`` prints; half a
    surrogate pair (an undecodable file name) too, as ``\\udcff``.
    """
    if all(line.isprintable() for line in (text.split("\n") if keep_newlines else [text])):
        return text  # the common case, fast: nothing but printable characters and spaces
    out = []
    for char in text:
        if char == "\n" and keep_newlines:
            out.append(char)
        elif unicodedata.category(char) in _UNSAFE:
            code = ord(char)
            if code > 0xFFFF:  # as a JSON surrogate pair, so --json output stays valid
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
            else:
                out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


_UNSAFE = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """``click.echo`` for every line mdguide prints: through ``terminal_safe``."""
    click.echo(terminal_safe(text), err=err, nl=nl)


class Failure(click.ClickException):
    """A command's failure: 'Error: …' and exit status 1, its message made terminal-safe."""

    def format_message(self) -> str:
        return terminal_safe(self.message)


def content_option(func):
    return click.option(
        "--content",
        "content_dir",
        default=CONTENT_DEFAULT,
        show_default=True,
        type=click.Path(file_okay=False, path_type=str),
        help="Folder holding the guide's JSON content.",
    )(func)


def _print_diagnostics(diagnostics: list) -> None:
    for diagnostic in diagnostics:
        echo(terminal_safe(diagnostic.format(), keep_newlines=False), err=True)


def friendly_errors(func):
    """Turn mdguide's own errors into a message and exit status 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ContentError as error:
            _print_diagnostics(error.diagnostics)
            raise Failure(f"Aborted: {error}") from None
        except MdguideError as error:
            raise Failure(str(error)) from None
        except KeyboardInterrupt:
            echo("Interrupted; outputs were left as they were.", err=True)
            sys.exit(130)

    return wrapper


class Commands(click.Group):
    """mdguide's commands, with those that only developers need listed apart in --help."""

    # Developers run these in the project folder; an editor never needs them.
    DEVELOPER_COMMANDS = frozenset({"docs", "schema"})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows: dict[bool, list[tuple[str, str]]] = {False: [], True: []}
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                limit = formatter.width - 6 - max(len(n) for n in self.commands)
                rows[name in self.DEVELOPER_COMMANDS].append((name, command.get_short_help_str(limit)))
        for title, developer in (("Commands", False), ("Commands for developers", True)):
            if rows[developer]:
                with formatter.section(title):
                    formatter.write_dl(rows[developer])


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="mdguide")
def main() -> None:
    """Publish 'The medical director's role' from the JSON in content/.

    \b
    Examples:
      mdguide validate                 check the content after an edit
      mdguide build                    publish every format into outputs/
      mdguide build --format html      publish the accessible HTML only
    """


@main.command()
@content_option
@click.option("--json", "as_json", is_flag=True, help="Print the diagnostics as JSON, for tools.")
@friendly_errors
def validate(content_dir: str, as_json: bool) -> None:
    """Check the content: JSON syntax, schemas and cross-references.

    Every problem is reported, one line each, as FILE:LINE:COLUMN: CODE
    PLACE: message (hint: what to do), where PLACE is in the guide's words
    ("Section 3 › Courses and tools › paragraph 2"); a cause comes before
    what it causes. --json also gives each JSON pointer. docs/errors.md lists
    every code. Exit status is 0 when the content is valid and 1 when it is
    not.

    \b
    Examples:
      mdguide validate
      mdguide validate --content ~/drafts/content
    """
    import json

    from mdguide_build.validate.verdict import verdict

    started = time.perf_counter()
    found = verdict(Path(content_dir), content_dir.rstrip("/") or "/")
    elapsed = time.perf_counter() - started
    if as_json:
        echo(json.dumps([d.to_dict() for d in found.diagnostics], indent=2, ensure_ascii=False))
    else:
        _print_diagnostics(found.diagnostics)
    if not found.valid:
        from mdguide_build.validate.diagnostics import summary

        raise Failure(f"Aborted: {summary(found.diagnostics, content_dir)}")
    if not as_json:
        echo(f"{content_dir} is valid: {found.inventory} ({elapsed:.2f} s).")


@main.command("schema")
@click.option("--check", is_flag=True, help="Only report schema files that differ from the models.")
@click.option("--out", "out_dir", default="schema", show_default=True, type=click.Path(file_okay=False))
@friendly_errors
def schema_command(check: bool, out_dir: str) -> None:
    """Write the JSON Schemas in schema/ from the content models.

    The models in src/mdguide_build/models.py are the source of truth; run
    this after changing them.

    \b
    Examples:
      mdguide schema            regenerate schema/*.schema.json
      mdguide schema --check    exit 1 if any schema file is out of date
    """
    from mdguide_build.validate.schema import stale_schemas, write_schemas

    if check:
        stale = stale_schemas(Path(out_dir))
        for path in stale:
            echo(f"{path}: out of date; run 'mdguide schema'", err=True)
        if stale:
            raise Failure(f"{len(stale)} schema file(s) out of date")
        echo("Schemas are up to date.")
        return
    for path in write_schemas(Path(out_dir)):
        echo(f"wrote {path}")


def _progress_printer(verbose: bool):
    """Progress on stderr, one line per output built; with -v, also what is started or up to date."""

    def show(event) -> None:
        if event.kind == "done":
            echo(f"  built   {event.output} ({event.size / 1024:,.0f} KiB, {event.seconds:.2f} s)", err=True)
        elif verbose and event.kind == "skip":
            echo(f"  current {event.output} (unchanged)", err=True)
        elif event.kind == "remove":
            echo(f"  removed {event.output} (no longer current)", err=True)
        elif verbose and event.kind == "start":
            echo(f"  making  {event.output} …", err=True)

    return show


def _unused_options(ctx: click.Context, formats: list[str], roles: tuple[str, ...]) -> list[str]:
    """Warnings for options given for a format this build does not make."""
    from mdguide_build.builders import registry

    chosen = formats or registry.names()
    warnings = []
    if roles and "handouts" not in chosen:
        warnings.append("--role applies only to --format handouts, which this build does not make")
    large_print = [name for name in registry.names() if name.startswith("large-print")]
    given = ctx.get_parameter_source("point_size") is not click.core.ParameterSource.DEFAULT
    if given and not set(large_print) & set(chosen):
        warnings.append(
            f"--point-size applies only to --format {' and '.join(large_print)}, which this build does not make"
        )
    return warnings


@main.command()
@content_option
@click.option(
    "--out",
    "out_dir",
    default="outputs",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder to write the outputs into.",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    metavar="NAME",
    help="Output format to build (repeatable); default: every format. See `mdguide formats`.",
)
@click.option("--role", "roles", multiple=True, metavar="ID", help="Handouts: only these roles (repeatable).")
@click.option(
    "--point-size",
    type=int,
    default=18,
    show_default=True,
    help="Large print: body text size in points (16 or more).",
)
@click.option("--force", is_flag=True, help="Rebuild every output even if it is up to date.")
@click.option(
    "-v", "--verbose", is_flag=True, help="Also say what is started and what is already up to date."
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the paths of the outputs, for scripts.")
@click.pass_context
@friendly_errors
def build(
    ctx: click.Context,
    content_dir: str,
    out_dir: str,
    formats: tuple[str, ...],
    roles: tuple[str, ...],
    point_size: int,
    force: bool,
    verbose: bool,
    quiet: bool,
) -> None:
    """Validate the content and publish it into the output folder.

    Files are written to a staging folder and moved into place only when
    every requested format succeeded, so a failed, interrupted or killed
    build leaves the previous outputs as they were. Outputs that are already
    up to date are not rebuilt. Outputs of earlier builds stay while they
    are current, and are removed once the content they were made from has
    changed, or someone changed them by hand. It prints a line for each
    output it builds or removes, then a summary. The date in the outputs
    comes from the content; SOURCE_DATE_EPOCH, when set, must be a whole
    number of seconds.

    \b
    Examples:
      mdguide build
      mdguide build --format html --format epub
      mdguide build --format large-print-pdf --point-size 24
      mdguide build --format handouts --role consultant
    """
    import os

    from mdguide_build.build import build as run_build
    from mdguide_build.build import parse_source_date_epoch
    from mdguide_build.builders import registry
    from mdguide_build.builders.base import BuildOptions

    registry.check(list(formats))
    if point_size < 16:
        raise click.BadParameter(
            "large print must be at least 16 pt (RNIB clear print guidance)", param_hint="--point-size"
        )
    for warning in _unused_options(ctx, list(formats), roles):
        echo(f"Warning: {warning}; it is ignored.", err=True)
    options = BuildOptions(
        source_date_epoch=parse_source_date_epoch(os.environ.get("SOURCE_DATE_EPOCH")),
        roles=tuple(roles) or None,
        point_size=point_size,
    )
    if verbose and not quiet:
        echo(f"Building {', '.join(formats) or 'every format'} from {content_dir}/ …", err=True)
    content_display, out_display = content_dir.rstrip("/") or "/", out_dir.rstrip("/") or "/"
    try:
        report = run_build(
            Path(content_dir),
            Path(out_dir),
            list(formats) or None,
            options,
            progress=(lambda e: None) if quiet else _progress_printer(verbose),
            force=force,
            content_display=content_display,
            out_display=out_display,
        )
    except ContentError as error:  # ended as `validate` ends, so the two say the same
        from mdguide_build.validate.diagnostics import summary

        _print_diagnostics(error.diagnostics)
        raise click.ClickException(f"Aborted: {summary(error.diagnostics, content_display)}") from None
    except KeyboardInterrupt:
        echo(
            f"Interrupted: {out_display} was left as it was (hint: run the build again to make the outputs).",
            err=True,
        )
        sys.exit(130)
    if quiet:
        for path in report.paths():
            echo(str(path))
        return
    removed = f"{len(report.removed)} removed (no longer current), " if report.removed else ""
    echo(
        f"Done: {len(report.built)} built, {len(report.skipped)} up to date, {removed}in {out_display}/ "
        f"({report.seconds:.2f} s).",
        err=True,
    )


@main.command()
def formats() -> None:
    """List every output format, with who it serves.

    \b
    Example:
      mdguide formats
    """
    from mdguide_build.builders import registry

    for name in registry.names():
        echo(f"{name:<18} {registry.get(name).summary}")


# --- a living document: diff, check-links, serve (issue 6) ------------------------------


@main.command()
@click.argument("old")
@click.argument("new", required=False)
@content_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "html", "json"]),
    default="text",
    show_default=True,
    help="text for reading, markdown for a draft change note, html for a page to share, json for tools.",
)
@friendly_errors
def diff(old: str, new: str | None, content_dir: str, fmt: str) -> None:
    """Say what changed in the guide between OLD and NEW, in the guide's terms.

    OLD and NEW are content folders (editions/1.0 holds edition 1.0) or git
    revisions of the repository holding --content (read with git archive; the
    working tree is not touched). NEW defaults to the --content folder as it
    is now. Added and removed text is shown in full; reworded text as a word
    diff, [-removed-]{+added+}.

    \b
    Examples:
      mdguide diff editions/1.0             everything since edition 1.0
      mdguide diff HEAD                     what the working copy changes
      mdguide diff v1.0 --format markdown > change-note.md
      mdguide diff editions/1.0 --format html > changes.html
      mdguide diff ~/drafts/old-content content --format json
    """
    import json

    from mdguide_build.tools.content_diff import change_note, diff_content, format_text, html_report
    from mdguide_build.tools.revisions import content_version
    from mdguide_build.validate.loader import load_content

    content_path = Path(content_dir)
    with (
        content_version(old, content_path) as (old_root, old_label),
        content_version(new or content_dir, content_path) as (new_root, new_label),
    ):
        if new is None:
            new_label = f"{content_dir.rstrip('/')}/ as it is now"
        try:
            before, _ = load_content(old_root, old)
            after, _ = load_content(new_root, new or content_dir)
        except ContentError as error:
            _print_diagnostics(error.diagnostics)
            raise Failure(
                f"Aborted: {error} (hint: both versions must be valid under today's content models; "
                "a revision from before a change to the models may not be)"
            ) from None
    result = diff_content(before, after, old_label, new_label)
    if fmt == "json":
        echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    elif fmt == "html":
        echo(html_report(result, after.guide.title).decode("utf-8"), nl=False)
    elif fmt == "markdown":
        from mdguide_build.pandoc import runner as pandoc

        note = change_note(
            result, after.guide.edition if after.guide.edition != before.guide.edition else None
        )
        echo(pandoc.convert(note, "gfm", extra_args=["--wrap=none"]).decode("utf-8"), nl=False)
    else:
        echo(format_text(result), nl=False)


@main.command("check-links")
@content_option
@click.option(
    "--json-report", type=click.Path(dir_okay=False, path_type=Path), help="Also write the results as JSON."
)
@click.option(
    "--cache",
    "cache_file",
    default=".cache/link-check.json",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where results are kept between runs.",
)
@click.option("--no-cache", is_flag=True, help="Ask every address again and keep nothing.")
@click.option(
    "--max-age", type=float, default=24.0, show_default=True, help="Hours a cached result stays valid."
)
@click.option("--concurrency", type=int, default=8, show_default=True, help="Requests in flight at once.")
@click.option(
    "--per-host", type=int, default=2, show_default=True, help="Requests in flight to any one host."
)
@click.option(
    "--timeout",
    type=float,
    default=10.0,
    show_default=True,
    help="Longest time for each request, in seconds, from connecting to the end of the answer's headers.",
)
@click.option(
    "--retries",
    type=int,
    default=2,
    show_default=True,
    help="Retries after a timeout, a dropped connection, 429 or a 5xx.",
)
@click.option(
    "--max-wait",
    type=float,
    default=30.0,
    show_default=True,
    help="Longest wait before a retry, in seconds, even if Retry-After asks for more.",
)
@click.option(
    "--backoff",
    type=float,
    default=0.5,
    show_default=True,
    help="First wait before a retry, in seconds; it doubles each time.",
)
@click.option("--strict", is_flag=True, help="Exit 1 if any link is dead (default: always exit 0).")
@click.option(
    "--update-content",
    is_flag=True,
    help="Record in resources.json each resource's status and check date, and where a moved one lives now.",
)
@click.option(
    "--allow-private",
    is_flag=True,
    help="Also ask addresses on this computer or its private network (loopback, link-local, private ranges).",
)
@friendly_errors
def check_links_command(
    content_dir: str,
    json_report: Path | None,
    cache_file: Path,
    no_cache: bool,
    max_age: float,
    concurrency: int,
    per_host: int,
    timeout: float,
    retries: int,
    max_wait: float,
    backoff: float,
    strict: bool,
    update_content: bool,
    allow_private: bool,
) -> None:
    """Check the resources' web addresses and say what to fix.

    Each distinct address is asked once, several at a time but at most
    --per-host at once per host, each request within --timeout seconds.
    Timeouts, dropped connections, 429 and 5xx answers are retried with
    exponential backoff, honouring Retry-After. Redirects are followed and
    reported ("moved permanently to …"), except to addresses on this computer
    or a private network, which are never asked unless --allow-private.
    What was learned is cached (--cache) for --max-age hours. A table lists
    every resource, most urgent first: dead, unknown, moved, ok. A host that
    cannot be reached is "unknown", never "dead"; when none can be reached
    (offline), nothing is cached or recorded. Dead links never fail a build;
    the exit status is 0 unless --strict (or offline).

    \b
    Examples:
      mdguide check-links
      mdguide check-links --json-report outputs/link-report.json
      mdguide check-links --no-cache --timeout 5 --strict
      mdguide check-links --update-content     then add archived_url to dead ones
    """
    from mdguide_build.tools.link_check import (
        CheckOptions,
        LinkCache,
        check_links,
        table,
        update_resources,
        write_report,
    )
    from mdguide_build.validate.loader import load_content

    options = CheckOptions(
        concurrency=concurrency,
        per_host=per_host,
        timeout=timeout,
        retries=retries,
        backoff=backoff,
        max_wait=max_wait,
        allow_private=allow_private,
    )
    content, _ = load_content(Path(content_dir), content_dir.rstrip("/") or "/")
    resources = content.resources.resources
    cache = None if no_cache else LinkCache(cache_file, max_age)
    echo(f"Checking {len(resources)} resources' addresses …", err=True)
    report = check_links(resources, options, cache=cache)
    echo(table(report), nl=False)
    if json_report:
        write_report(report, json_report)
        echo(f"Wrote {json_report}.", err=True)
    if update_content:
        changed = update_resources(Path(content_dir) / "resources.json", report)
        echo(f"Recorded what was learned of {changed} resource(s) in {content_dir}/resources.json.", err=True)
    dead = report.dead()
    if dead:
        echo(
            f"{len(dead)} dead link(s): find each resource's new address, or add an archived_url "
            "(e.g. a web-archive snapshot) to it in resources.json.",
            err=True,
        )
        if strict:
            raise Failure(f"{len(dead)} dead link(s) (--strict)")


@main.command()
@content_option
@click.option(
    "--port", type=int, default=8000, show_default=True, help="Port to serve on; 0 picks a free one."
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Keep the default unless others must see the preview.",
)
@click.option(
    "--edit",
    is_flag=True,
    help="Also edit the guide in the browser: every save is checked as `mdguide validate` checks it.",
)
@friendly_errors
def serve(content_dir: str, port: int, host: str, edit: bool) -> None:
    """Preview the HTML while you edit: rebuilt on save, reloaded in the browser.

    Open the address it prints. Each time a file in the content folder is
    saved the page is rebuilt and the browser reloads it; if the content has
    errors, the page lists them with file and line instead. The preview is
    built in a temporary folder: outputs/ is not touched. Stop with Ctrl+C.

    With --edit the page has an Edit button on each part of the guide, and
    saves your changes into the content folder, only when the whole guide
    stays valid. It then listens on 127.0.0.1 only.

    \b
    Examples:
      mdguide serve                  then open http://127.0.0.1:8000/
      mdguide serve --edit           edit the guide in your browser
      mdguide serve --port 8001
      mdguide serve --content ~/drafts/content
    """
    import signal

    from mdguide_build.tools.serve import Preview

    if host not in ("127.0.0.1", "localhost", "::1") and not edit:
        echo(
            f"Warning: listening on {host}: anyone who can reach this machine can see the preview.", err=True
        )

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # stop as Ctrl+C does, so the temporary folder is removed

    signal.signal(signal.SIGTERM, terminate)
    display = content_dir.rstrip("/") or "/"
    try:
        with Preview(
            Path(content_dir),
            host,
            port,
            content_display=display,
            log=lambda message: echo(message, err=True),
            edit=edit,
        ) as preview:
            echo(f"Serving {preview.url}{' for editing' if edit else ''} (Ctrl+C to stop)")
            sys.stdout.flush()
            preview.wait()
    except KeyboardInterrupt:
        echo("Stopped.", err=True)


# --- reader roles and their handouts --------------------------------------------------------


@main.group()
def role() -> None:
    """Add a reader role, or see what a role's handout holds.

    \b
    Examples:
      mdguide role show consultant
      mdguide role add clinical-director --like senior-medical-leader
    """


@role.command("show")
@click.argument("role_id", metavar="ID")
@content_option
@friendly_errors
def role_show(role_id: str, content_dir: str) -> None:
    """List what role ID's handout will contain, part by part, as the handout groups it.

    \b
    Examples:
      mdguide role show consultant
      mdguide role show new-medical-director
    """
    from mdguide_build.tools.roles import handout_outline
    from mdguide_build.validate.loader import load_content

    content, _ = load_content(Path(content_dir), content_dir.rstrip("/") or "/")
    for line in handout_outline(content, role_id):
        echo(line)


@role.command("add")
@click.argument("role_id", metavar="ID")
@click.option(
    "--like", "like", required=True, metavar="OTHER", help="The role whose handout items it starts with."
)
@click.option("--name", default=None, help="Who the handout is for, e.g. 'Clinical director' (editorial).")
@content_option
@friendly_errors
def role_add(role_id: str, like: str, name: str | None, content_dir: str) -> None:
    """Add role ID to content/roles.json, tagged for every item role OTHER gets.

    The new role copies OTHER's description and basis, and its id is added
    beside OTHER's in every handout tag. Then write its own description and
    basis in content/roles.json, and remove ID from the tags of items that do
    not suit it: until the two handouts differ, validation warns (W321).

    \b
    Examples:
      mdguide role add clinical-director --like senior-medical-leader --name "Clinical director"
      mdguide role show clinical-director
    """
    from mdguide_build.tools.roles import add_role
    from mdguide_build.validate.loader import load_content

    display = content_dir.rstrip("/") or "/"
    content, _ = load_content(Path(content_dir), display)
    added = add_role(content, role_id, like, name)
    echo(
        f"Added role '{added.role}' (order {added.order}) to {display}/roles.json, "
        f"with the {added.tagged} items '{added.like}' gets; changed "
        + ", ".join(f"{display}/{f}" for f in added.files)
        + "."
    )
    fields = "editorial_description and basis" if name else "editorial_name, editorial_description and basis"
    echo(
        f"Next: write its {fields} in {display}/roles.json, untag what does not suit it, "
        f"and check with 'mdguide role show {added.role}'."
    )


# --- the generated parts of the docs (issue 8) -------------------------------------------


@main.command("docs")
@click.option("--check", is_flag=True, help="Only report what is out of date; exit 1 if anything is.")
@content_option
@click.option(
    "--out",
    "out_dir",
    default="outputs",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Output folder of the build the list of outputs is taken from.",
)
@friendly_errors
def docs_command(check: bool, content_dir: str, out_dir: str) -> None:
    """Write the generated parts of the docs: docs/cli.md, docs/errors.md and the README's list of outputs.

    docs/cli.md is every command's --help; docs/errors.md every error and
    warning code. The README lists every file a default build makes, with
    its size, from a real build into --out (brought up to date as `mdguide
    build` does: only what changed is rebuilt). With --check nothing is
    written, and a listed size may differ from the build's by a tenth (or 2
    KiB), so that small edits of the content need no new list. Run it in the
    project folder after changing a command's help, a diagnostic code or an
    output format.

    \b
    Examples:
      mdguide docs            rewrite docs/cli.md, docs/errors.md and the list in README.md
      mdguide docs --check    exit 1 if any is out of date
    """
    from mdguide_build.cli_docs import (
        ERRORS,
        README,
        REFERENCE,
        DocsError,
        cli_reference,
        default_outputs,
        error_reference,
        listing_problems,
        with_outputs_listing,
    )
    from mdguide_build.validate.diagnostics import CATALOGUE

    if not README.is_file():
        raise DocsError(f"{README} not found (hint: run mdguide docs in the project folder)")
    pages = {REFERENCE: cli_reference(main), ERRORS: error_reference()}
    readme = README.read_text(encoding="utf-8")
    files = default_outputs(Path(content_dir), Path(out_dir))
    if check:
        stale = [
            f"{path}: out of date"
            for path, text in pages.items()
            if not path.is_file() or path.read_text(encoding="utf-8") != text
        ]
        stale += [f"{README}: {problem}" for problem in listing_problems(readme, files)]
        for line in stale:
            echo(line, err=True)
        if stale:
            raise Failure("the generated docs are out of date (hint: run 'mdguide docs')")
        echo(f"{REFERENCE}, {ERRORS} and the list of outputs in {README} are up to date.")
        return
    for path, text in pages.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    README.write_text(with_outputs_listing(readme, files), encoding="utf-8")
    echo(f"wrote {REFERENCE} ({len(main.commands)} commands)")
    echo(f"wrote {ERRORS} ({len(CATALOGUE)} codes)")
    echo(f"wrote the list of outputs in {README} ({len(files)} files)")


@main.group()
def review() -> None:
    """Send the guide to reviewers as a Word document, and bring their changes back.

    \b
    Examples:
      mdguide review export review.docx
      mdguide review import review-returned.docx --dry-run
    """


@review.command("export")
@content_option
@click.option("--role", metavar="ID", help="Only this role's handout (see content/roles.json).")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@friendly_errors
def review_export(content_dir: str, role: str | None, out: Path) -> None:
    """Write OUT, a Word document of the guide (or one role's handout) for reviewers.

    It looks like the DOCX that `mdguide build` makes. Each text that comes
    from content/ is anchored to its place there by a bookmark the reviewer
    does not see, so that `mdguide review import` can bring back the
    reviewer's tracked changes and comments.

    \b
    Examples:
      mdguide review export review.docx
      mdguide review export --role consultant consultant-review.docx
    """
    import os

    from mdguide_build.build import parse_source_date_epoch
    from mdguide_build.tools.review.export import export_review
    from mdguide_build.validate.loader import load_content

    content, _ = load_content(Path(content_dir))
    found = export_review(content, out, role, parse_source_date_epoch(os.environ.get("SOURCE_DATE_EPOCH")))
    echo(f"wrote {out} ({len(found)} texts anchored to {content_dir}/)")


@review.command("import")
@content_option
@click.option("--dry-run", is_flag=True, help="Write nothing: print the report and the patch to content/.")
@click.option(
    "--reject-pending", is_flag=True, help="Keep the original words wherever a change is still tracked."
)
@click.argument("source", metavar="IN.docx", type=click.Path(dir_okay=False, path_type=Path))
@friendly_errors
def review_import(content_dir: str, dry_run: bool, reject_pending: bool, source: Path) -> None:
    """Bring a reviewer's changes in IN.docx (from `mdguide review export`) into content/.

    Tracked changes are applied as if accepted (with --reject-pending, as if
    rejected); untracked edits are applied too. The report names each change
    as `mdguide diff` does, lists the comments with their places, and lists
    every change that could not be applied, with its words, to make by hand.
    Nothing is written unless the result is valid content.

    \b
    Examples:
      mdguide review import review-returned.docx --dry-run
      mdguide review import review-returned.docx
    """
    from mdguide_build.tools.review.apply import plan_import, write_import
    from mdguide_build.tools.review.report import format_report
    from mdguide_build.validate.loader import load_content

    content, _ = load_content(Path(content_dir), content_dir)
    result = plan_import(
        content, source, reject_pending=reject_pending, source=str(source), display=content_dir
    )
    if not dry_run:
        write_import(result, Path(content_dir))
    echo(format_report(result, written=not dry_run), nl=False)
    if dry_run and result.files:
        echo(result.patch(), nl=False)
