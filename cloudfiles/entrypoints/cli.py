"""The `cloudfiles` command line (commands arrive in cli_* modules)."""
from __future__ import annotations

import click

from .. import __version__


@click.group()
@click.version_option(__version__, prog_name="cloudfiles")
@click.option("-p", "--parallel", default=1, show_default=True,
              help="Number of processes for bulk operations.")
@click.pass_context
def main(ctx: click.Context, parallel: int) -> None:
    """Fast access to cloud storage and local files: gs://, s3://, file://, mem://, http(s)://."""
    ctx.ensure_object(dict)
    ctx.obj["parallel"] = parallel


@main.command()
def license() -> None:
    """Print the license."""
    click.echo("cloudfiles is distributed under the BSD 3-Clause License.")
