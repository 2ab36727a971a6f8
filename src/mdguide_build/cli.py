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
from .errors import MdguideError
from .loader import ContentError, read_content

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
