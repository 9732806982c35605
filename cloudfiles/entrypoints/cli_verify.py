"""`cloudfiles verify` and `cloudfiles sync` (being built: issue 11)."""
from __future__ import annotations

import click

from .cli_common import HELP


@click.command(context_settings=HELP)
def verify() -> None:
    """Compare two files or trees (not built yet)."""
    raise click.ClickException("verify: not built yet")


@click.command(context_settings=HELP)
def sync() -> None:
    """Copy what is missing or different (not built yet)."""
    raise click.ClickException("sync: not built yet")
