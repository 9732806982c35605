"""`cloudfiles alias add|ls|rm`: the persistent aliases of alternate storage endpoints."""
from __future__ import annotations

import click

from ..domain.aliases import OFFICIAL_ALIASES
from . import aliases
from .cli_common import HELP, CliError


@click.group("alias", context_settings=HELP)
def alias() -> None:
    """Add, list and remove aliases for alternate S3-compatible endpoints.

    An alias names a new protocol: after `cloudfiles alias add example
    s3://https://example.com/`, example://bucket/dir means
    s3://https://example.com/bucket/dir, with keys from example-secret.json.
    Aliases are kept in $CLOUD_FILES_DIR/aliases.json (default ~/.cloudfiles).
    Pick an unusual name: a later release may make it an official alias.
    """


@alias.command("ls")
def alias_ls() -> None:
    """List the aliases: official ones and those of the alias file."""
    try:
        table = aliases.alias_table()
    except ValueError as error:
        raise CliError(f"alias ls: {error}") from None
    for name, target in table.targets().items():
        official = " (official)" if OFFICIAL_ALIASES.get(name) == target else ""
        click.echo(f"{name + '://':15} -> {target}{official}")


@alias.command("add")
@click.argument("name")
@click.argument("host")
def alias_add(name: str, host: str) -> None:
    """Make NAME:// stand for the endpoint HOST (such as s3://https://example.com/)."""
    try:
        if aliases.alias_table().get(name) is not None:
            raise ValueError(f"{name!r} already exists (remove it first).")
        aliases.add_persistent_alias(name, host)
    except ValueError as error:
        raise CliError(f"alias add: {error}") from None


@alias.command("rm")
@click.argument("name")
def alias_rm(name: str) -> None:
    """Remove the alias NAME from the alias file (official aliases stay)."""
    try:
        if name not in aliases.read_alias_file():
            detail = "an official alias" if name in OFFICIAL_ALIASES else "not in the alias file"
            raise ValueError(f"{name!r} is {detail} ({aliases.alias_file()}).")
        aliases.remove_persistent_alias(name)
    except ValueError as error:
        raise CliError(f"alias rm: {error}") from None
