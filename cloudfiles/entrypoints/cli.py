"""The `cloudfiles` command line: the group and its error handling (commands live in cli_*)."""
from __future__ import annotations

import os
import sys

import click

from .. import __version__
from ..domain.errors import CloudFilesError
from . import cli_alias, cli_cp, cli_du, cli_ls, cli_misc, cli_rm
from .cli_common import HELP, CliError, one_line


class CloudFilesGroup(click.Group):
    """A group that turns cloudfiles errors into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CloudFilesError as error:
            command = ctx.invoked_subcommand or "cloudfiles"
            raise CliError(f"{command}: {one_line(error)}") from None
        except BrokenPipeError:  # e.g. `cloudfiles cat big | head`
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(1)


@click.group(cls=CloudFilesGroup, context_settings=HELP)
@click.version_option(__version__, prog_name="cloudfiles")
@click.option("-p", "--parallel", default=1, show_default=True,
              help="Number of processes for bulk operations (<= 0: one per core).")
@click.pass_context
def main(ctx: click.Context, parallel: int) -> None:
    """Fast access to cloud storage and local files: gs://, s3://, file://, mem://, http(s)://.

    Plain paths (no protocol) are local files.
    """
    ctx.ensure_object(dict)
    ctx.obj["parallel"] = parallel if parallel > 0 else (os.cpu_count() or 1)


for _command in (cli_ls.ls, cli_cp.cp, cli_cp.mv, cli_rm.rm, cli_du.du, cli_misc.cat,
                 cli_misc.head, cli_misc.touch, cli_misc.license, cli_alias.alias):
    main.add_command(_command)
