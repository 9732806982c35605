"""`cloudfiles cat`, `head`, `touch` and `license`: small commands on single files."""
from __future__ import annotations

import json
import sys

import click

from .cli_common import Failures, by_directory, expand_stdin, target_of
from .cloudfiles import CloudFiles

LICENSE = """\
BSD 3-Clause License

Copyright (c) the cloudfiles authors.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this
   list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.

3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE."""


def _files(command: str, paths, failures: Failures) -> list:
    """Targets of file paths; directories are recorded as failures."""
    targets = []
    for path in expand_stdin(paths):
        target = target_of(path)
        failures.attempted += 1
        if target.is_dir:
            failures.add(target.cloudpath, IsADirectoryError(f"is a directory (not a file for "
                                                             f"{command})"))
        else:
            targets.append(target)
    return targets


@click.command()
@click.argument("paths", nargs=-1, required=True)
def cat(paths: tuple[str, ...]) -> None:
    """Print the decoded content of files.

    Files are written in order; '-' alone reads the paths from stdin.
    """
    failures = Failures("cat")
    out = sys.stdout.buffer
    for target in _files("cat", paths, failures):
        content = CloudFiles(target.directory).get(target.name)
        if content is None:
            failures.add(target.cloudpath, FileNotFoundError(target.cloudpath))
            continue
        out.write(content)
        out.flush()
    failures.raise_if_any()


@click.command()
@click.argument("paths", nargs=-1, required=True)
def head(paths: tuple[str, ...]) -> None:
    """Print the metadata of files as JSON.

    One object for one path, {path: metadata} for several.
    """
    failures = Failures("head")
    targets = _files("head", paths, failures)
    found = {}
    for directory, group in by_directory(targets).items():
        infos = CloudFiles(directory).head([target.name for target in group])
        for target in group:
            info = infos.get(target.name)
            if info is None:
                failures.add(target.cloudpath, FileNotFoundError(target.cloudpath))
            else:
                found[target.cloudpath] = info
    if len(paths) == 1 and len(found) == 1:
        found = next(iter(found.values()))
    if found:
        click.echo(json.dumps(found, indent=2, sort_keys=True, default=str))
    failures.raise_if_any()


@click.command()
@click.option("--progress", is_flag=True, help="Show a progress bar.")
@click.argument("paths", nargs=-1, required=True)
def touch(progress: bool, paths: tuple[str, ...]) -> None:
    """Create empty files where files are missing.

    '-' alone reads the paths from stdin.
    """
    failures = Failures("touch")
    for directory, group in by_directory(_files("touch", paths, failures)).items():
        CloudFiles(directory, progress=progress).touch([target.name for target in group])
    failures.raise_if_any()


@click.command(name="license")
def license() -> None:
    """Print the license of cloudfiles."""
    click.echo(LICENSE)

