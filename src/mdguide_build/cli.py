"""The `mdguide` command: a thin click layer over the library.

This is the only module that imports click, and the only place where library
errors become messages and exit codes.  Each command's docstring is its
`--help`, and ends with examples.
"""

from __future__ import annotations

import functools
import sys
import time
from pathlib import Path

import click

from . import __version__
from .diagnostics import Diagnostic, summary
from .errors import ContentError, MdguideError

CONTENT_DEFAULT = "content"


def content_option(func):
    return click.option(
        "--content", "content_dir", default=CONTENT_DEFAULT, show_default=True,
        type=click.Path(file_okay=False, path_type=str),
        help="Folder holding the guide's JSON content.",
    )(func)


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)


def friendly_errors(func):
    """Turn mdguide's own errors into a message and exit status 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ContentError as error:
            _print_diagnostics(error.diagnostics)
            raise click.ClickException(f"Aborted: {error}") from None
        except MdguideError as error:
            raise click.ClickException(str(error)) from None
        except KeyboardInterrupt:
            click.echo("Interrupted; outputs were left as they were.", err=True)
            sys.exit(130)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
    /json/pointer: message (hint: what to do). Exit status is 0 when the
    content is valid and 1 when it is not.

    \b
    Examples:
      mdguide validate
      mdguide validate --content ~/drafts/content
    """
    import json

    from .inventory import take_inventory
    from .loader import read_content

    started = time.perf_counter()
    content, diagnostics = read_content(Path(content_dir), content_dir.rstrip("/") or "/")
    elapsed = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps([d.to_dict() for d in diagnostics], indent=2, ensure_ascii=False))
    else:
        _print_diagnostics(diagnostics)
    if content is None:
        raise click.ClickException(f"Aborted: {summary(diagnostics, content_dir)}")
    if not as_json:
        click.echo(f"{content_dir} is valid: {take_inventory(content).line()} ({elapsed:.2f} s).")


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
    from .schema import stale_schemas, write_schemas

    if check:
        stale = stale_schemas(Path(out_dir))
        for path in stale:
            click.echo(f"{path}: out of date; run 'mdguide schema'", err=True)
        if stale:
            raise click.ClickException(f"{len(stale)} schema file(s) out of date")
        click.echo("Schemas are up to date.")
        return
    for path in write_schemas(Path(out_dir)):
        click.echo(f"wrote {path}")


def _progress_printer(total_hint: str):
    """Progress lines on stderr, so stdout stays the list of files written."""

    def show(event) -> None:
        if event.kind == "done":
            click.echo(f"  built   {event.output} ({event.size / 1024:,.0f} KiB, {event.seconds:.2f} s)", err=True)
        elif event.kind == "skip":
            click.echo(f"  current {event.output} (unchanged)", err=True)
        elif event.kind == "start":
            click.echo(f"  making  {event.output} …", err=True)

    return show


@main.command()
@content_option
@click.option("--out", "out_dir", default="outputs", show_default=True, type=click.Path(file_okay=False),
              help="Folder to write the outputs into.")
@click.option("--format", "formats", multiple=True, metavar="NAME",
              help="Output format to build (repeatable); default: every format. See `mdguide formats`.")
@click.option("--role", "roles", multiple=True, metavar="ID", help="Handouts: only these roles (repeatable).")
@click.option("--point-size", type=int, default=18, show_default=True,
              help="Large print: body text size in points (16 or more).")
@click.option("--force", is_flag=True, help="Rebuild every output even if it is up to date.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the files written.")
@friendly_errors
def build(content_dir: str, out_dir: str, formats: tuple[str, ...], roles: tuple[str, ...],
          point_size: int, force: bool, quiet: bool) -> None:
    """Validate the content and publish it into the output folder.

    Files are written to a staging folder and moved into place only when
    every requested format succeeded, so a failed build leaves the previous
    outputs untouched. Outputs that are already up to date are not rebuilt.
    The date in the outputs comes from the content; SOURCE_DATE_EPOCH, when
    set, must be a whole number of seconds.

    \b
    Examples:
      mdguide build
      mdguide build --format html --format epub
      mdguide build --format large-print-pdf --point-size 24
      mdguide build --format handouts --role consultant
    """
    import os

    from .build import build as run_build
    from .build import parse_source_date_epoch
    from .builders.base import BuildOptions

    if point_size < 16:
        raise click.BadParameter("large print must be at least 16 pt (RNIB clear print guidance)",
                                 param_hint="--point-size")
    options = BuildOptions(
        source_date_epoch=parse_source_date_epoch(os.environ.get("SOURCE_DATE_EPOCH")),
        roles=tuple(roles) or None,
        point_size=point_size,
    )
    if not quiet:
        click.echo(f"Building {', '.join(formats) or 'every format'} from {content_dir}/ …", err=True)
    report = run_build(Path(content_dir), Path(out_dir), list(formats) or None, options,
                       progress=(lambda e: None) if quiet else _progress_printer(""), force=force)
    for path in report.paths():
        click.echo(str(path))
    if not quiet:
        click.echo(f"Done: {len(report.built)} built, {len(report.skipped)} up to date, "
                   f"in {report.seconds:.2f} s.", err=True)


@main.command()
def formats() -> None:
    """List every output format, with who it serves.

    \b
    Example:
      mdguide formats
    """
    from .builders import registry

    for name in registry.names():
        click.echo(f"{name:<18} {registry.get(name).summary}")
