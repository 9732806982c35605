"""Connecting to a Dask cluster for commands that take `--dask ADDRESS` (cp -r, xfer execute).

distributed is an optional extra, imported only when a cluster is asked for.
"""
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import AbstractContextManager, contextmanager, nullcontext

import click

from ..domain.errors import CloudFilesError

DASK_INSTALL_HINT = "pip install cloudfiles[dask]"


class DaskUnavailableError(CloudFilesError):
    """A Dask cluster was asked for, but distributed is missing or the scheduler is not there."""


def _distributed():
    try:
        import distributed
    except ImportError as error:
        raise DaskUnavailableError(
            f"running on Dask needs the distributed package, which is not installed: "
            f"{DASK_INSTALL_HINT}"
        ) from error
    return distributed


@contextmanager
def dask_executor(address: str, timeout: float | None = None) -> Iterator[Executor]:
    """The concurrent.futures Executor of a Dask client connected to the scheduler at
    `address` (e.g. tcp://10.0.0.5:8786); the client is closed on the way out.

    `timeout` (seconds) bounds the wait for the scheduler; None takes Dask's setting
    (distributed.comm.timeouts.connect, $DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT).
    The workers must have cloudfiles installed; they open storages with their own
    credentials (unless secrets= travel in the CloudFiles), and local paths on their own
    machines.
    """
    distributed = _distributed()
    options = {} if timeout is None else {"timeout": timeout}
    try:
        # A malformed address is refused before a Client exists: a Client failing on one
        # hangs the exit of the program for a minute while it closes itself.
        distributed.comm.resolve_address(address)
        client = distributed.Client(address, set_as_default=False, **options)
    except (OSError, TimeoutError, ValueError) as error:
        raise DaskUnavailableError(
            f"cannot reach the Dask scheduler at {address!r}: {error}") from None
    try:
        yield client.get_executor()
    finally:
        client.close()


def dask_executor_or_none(address: str | None) -> AbstractContextManager[Executor | None]:
    """dask_executor(address), or None (run here) when no address is given."""
    return nullcontext() if address is None else dask_executor(address)


#: The --dask option of commands that can run their transfer on a Dask cluster.
dask_option = click.option(
    "--dask", "dask_address", metavar="ADDRESS", default=None,
    help="Run the transfer on the Dask cluster whose scheduler is at ADDRESS "
         "(e.g. tcp://host:8786). Workers need cloudfiles installed and open local paths "
         f"on their own machines (share them, e.g. over NFS). Needs {DASK_INSTALL_HINT}.")
