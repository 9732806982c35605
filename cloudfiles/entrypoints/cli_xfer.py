"""`cloudfiles xfer init|execute|status`: resumable transfer jobs (being built: issue 11)."""
from __future__ import annotations

import click

from .cli_common import HELP


@click.group(context_settings=HELP)
def xfer() -> None:
    """Resumable transfer jobs (not built yet)."""
