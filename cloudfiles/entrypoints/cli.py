"""The `cloudfiles` command line: the group and its error handling (commands live in cli_*)."""
from __future__ import annotations

import os
import sys

import click

from .. import __version__
from ..domain.errors import CloudFilesError
from . import cli_alias, cli_cp, cli_du, cli_ls, cli_misc, cli_rm, cli_verify, cli_xfer
from .cli_common import HELP, CliError, one_line
from .cli_warnings import warnings_on_stderr


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
@click.option("--retries", type=click.IntRange(min=0), default=None,
              help="Retries of a failed request (0: fail on the first error). "
                   "Default: $CLOUDFILES_RETRIES, else 7.")
@click.option("--connect-timeout", type=click.FloatRange(min=0), default=None,
              help="Seconds to wait for a connection. Default: $CLOUDFILES_CONNECT_TIMEOUT.")
@click.option("--read-timeout", type=click.FloatRange(min=0), default=None,
              help="Seconds to wait for data. Default: $CLOUDFILES_READ_TIMEOUT.")
@click.option("-q", "--quiet", is_flag=True,
              help="Print no warnings (retries, twin files); errors still show.")
@click.pass_context
def main(ctx: click.Context, parallel: int, retries: int | None,
         connect_timeout: float | None, read_timeout: float | None, quiet: bool) -> None:
    """Fast access to cloud storage and local files: gs://, s3://, file://, mem://, http(s)://.

    Plain paths (no protocol) are local files. Each retry of a failed request prints one
    warning line on stderr; -q hides them.
    """
    ctx.ensure_object(dict)
    ctx.obj["parallel"] = parallel if parallel > 0 else (os.cpu_count() or 1)
    given = {"retries": retries, "connect_timeout": connect_timeout,
             "read_timeout": read_timeout}
    ctx.obj["cloudfiles_options"] = {name: value for name, value in given.items()
                                     if value is not None}
    ctx.with_resource(warnings_on_stderr(quiet))


for _command in (cli_ls.ls, cli_cp.cp, cli_cp.mv, cli_rm.rm, cli_du.du, cli_misc.cat,
                 cli_misc.head, cli_misc.touch, cli_misc.license, cli_alias.alias,
                 cli_verify.verify, cli_verify.sync, cli_xfer.xfer):
    main.add_command(_command)
