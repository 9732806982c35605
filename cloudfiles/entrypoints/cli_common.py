"""What every `cloudfiles` command shares: path parsing, stdin paths, errors and failure reports."""
from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import click

from ..app.transfer import MissingSourceError
from ..domain.errors import BatchError, CredentialsError, UnsupportedProtocolError
from ..domain.paths import ExtractedPath
from ..domain.targets import Target, child, split_target
from .cloudfiles import CloudFiles
from .wiring import parse_path

#: At most this many failed files are named one by one before the summary line.
SHOWN_FAILURES = 20


#: Every command takes -h as --help (set on each group, as click caches help options).
HELP = {"help_option_names": ["-h", "--help"]}

class CliError(click.ClickException):
    """A command failed: printed as one `cloudfiles: ...` line on stderr, exit code 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"cloudfiles: {self.format_message()}", err=True)


def one_line(error: BaseException) -> str:
    """A one-line description of an error for stderr."""
    if isinstance(error, (MissingSourceError, FileNotFoundError)):
        return "no such file"
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    if not lines:
        return type(error).__name__
    if isinstance(error, UnsupportedProtocolError) and len(lines) > 1:
        return f"{lines[0]} {lines[1]}"
    return lines[0]


def _group_settings(ctx: click.Context | None) -> dict[str, Any]:
    """The options given to the `cloudfiles` group (-p, --retries, ...) of a command."""
    return {} if ctx is None else (ctx.find_root().obj or {})


def parallel_of(ctx: click.Context) -> int:
    """The -p/--parallel value given to the group."""
    return int(_group_settings(ctx).get("parallel", 1))


def parse(text: str) -> ExtractedPath:
    """The ExtractedPath of a command line path (plain paths are local files)."""
    return parse_path(text)


def is_local_dir(epath: ExtractedPath) -> bool:
    """Whether the path is an existing local directory."""
    return epath.protocol == "file" and os.path.isdir(epath.path)


def target_of(text: str) -> Target:
    """A command line path split into (directory, name); existing local dirs are directories."""
    epath = parse(text)
    return split_target(epath, is_dir=is_local_dir(epath))


def read_stdin_paths() -> list[str]:
    """Non-empty lines of stdin, stripped of their line ends."""
    stream = sys.stdin
    return [line.rstrip("\r\n") for line in stream if line.strip()]


def expand_stdin(paths: Iterable[str]) -> list[str]:
    """The paths, with a lone '-' replaced by the paths read from stdin."""
    paths = list(paths)
    return read_stdin_paths() if paths == ["-"] else paths


def by_directory(targets: Iterable[Target]) -> dict[str, list[Target]]:
    """Targets grouped by their directory, in order of first appearance."""
    groups: dict[str, list[Target]] = {}
    for target in targets:
        groups.setdefault(target.directory, []).append(target)
    return groups


def open_files(cloudpath: str, no_sign_request: bool = False, **options: Any) -> CloudFiles:
    """The CloudFiles a command works through: unsigned (anonymous S3) requests when asked,
    and the group's --retries, --connect-timeout and --read-timeout."""
    if no_sign_request:
        options["no_sign_request"] = True
    group = _group_settings(click.get_current_context(silent=True))
    return CloudFiles(cloudpath, **{**group.get("cloudfiles_options", {}), **options})


#: The --no-sign-request flag of the commands that read from anonymous S3 sources.
no_sign_request_option = click.option(
    "--no-sign-request", is_flag=True,
    help="Read the source anonymously (unsigned S3 requests, for public buckets).")


def exists_as_dir(target: Target, no_sign_request: bool = False) -> bool:
    """Whether the target's path is an existing directory: a local directory, or a cloud
    prefix 'path/' holding at least one object."""
    epath = parse(target.cloudpath)
    if epath.protocol == "file":
        return os.path.isdir(epath.path)
    return open_files(target.directory, no_sign_request).isdir(target.name)


class Counted:
    """Iterates over items, counting them (and keeping them when asked)."""

    def __init__(self, items: Iterable[Any], keep: bool = False):
        self._items = items
        self.count = 0
        self.kept: list[Any] = [] if keep else None  # type: ignore[assignment]

    def __iter__(self) -> Iterator[Any]:
        for item in self._items:
            self.count += 1
            if self.kept is not None:
                self.kept.append(item)
            yield item


class Failures:
    """Failed files of a command, reported on stderr once every file was attempted."""

    def __init__(self, command: str):
        self.command = command
        self.errors: dict[str, BaseException] = {}
        self.attempted = 0

    def add(self, path: str, error: BaseException) -> None:
        """Record one failed path (a full cloud path)."""
        self.errors[path] = error

    def add_batch(self, directory: str, error: BatchError) -> None:
        """Record each file of a BatchError; its keys are relative to `directory`."""
        for key, cause in error.errors.items():
            self.add(child(directory, key), cause)

    def raise_if_any(self) -> None:
        """Print the failures and a summary line, then exit non-zero; nothing if all went well."""
        if not self.errors:
            return
        credentials = [e for e in self.errors.values() if isinstance(e, CredentialsError)]
        if credentials:
            click.echo(f"cloudfiles: {self.command}: {one_line(credentials[0])}", err=True)
        others = [(p, e) for p, e in self.errors.items() if not isinstance(e, CredentialsError)]
        for path, error in others[:SHOWN_FAILURES]:
            click.echo(f"cloudfiles: {self.command}: {path}: {one_line(error)}", err=True)
        if len(others) > SHOWN_FAILURES:
            click.echo(f"cloudfiles: {self.command}: ... and {len(others) - SHOWN_FAILURES} "
                       "more", err=True)
        total = max(self.attempted, len(self.errors))
        raise CliError(f"{self.command}: {len(self.errors)} of {total} file(s) failed.")
