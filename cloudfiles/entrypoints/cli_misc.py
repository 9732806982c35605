"""`cloudfiles cat`, `head`, `touch` and `license`: small commands on single files."""
from __future__ import annotations

import json
import sys

import click

from ..domain.byteranges import ByteRange, InvalidByteRangeError
from ..domain.globs import NoMatchError
from ..domain.targets import Target, child
from .cli_common import (
    Failures,
    by_directory,
    expand_stdin,
    no_sign_request_option,
    open_files,
    target_of,
)
from .cli_globs import glob_in, selected_keys

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


class ByteRangeText(click.ParamType):
    """A byte range written START-END, as `cat -r` takes it: bytes START up to END (END not
    included); a missing START is 0, a missing END the end of the file."""

    name = "START-END"

    def convert(self, value, param, ctx) -> ByteRange:
        if isinstance(value, ByteRange):
            return value
        start, dash, end = str(value).strip().partition("-")
        if not dash or not all(bound.isdigit() or bound == "" for bound in (start, end)):
            self.fail(f"{value!r} is not a byte range like 0-100 (START-END, either may be "
                      "left out).", param, ctx)
        try:
            return ByteRange(int(start) if start else 0, int(end) if end else None)
        except InvalidByteRangeError as error:
            self.fail(str(error), param, ctx)


def _files(command: str, paths, failures: Failures, globs: bool = False,
           no_sign_request: bool = False) -> list[Target]:
    """Targets of file paths (and with `globs`, of the files globs match); directories and
    globs matching nothing are recorded as failures."""
    targets = []
    for path in expand_stdin(paths):
        glob = glob_in(path) if globs else None
        if glob is not None:
            cf = open_files(glob.directory, no_sign_request)
            keys = list(selected_keys(glob, cf, recursive=False))
            failures.attempted += max(len(keys), 1)
            if not keys:
                failures.add(path, NoMatchError(path))
            targets.extend(Target(child(glob.directory, key), glob.directory, key)
                           for key in keys)
            continue
        target = target_of(path)
        failures.attempted += 1
        if target.is_dir:
            failures.add(target.cloudpath, IsADirectoryError(f"is a directory (not a file for "
                                                             f"{command})"))
        else:
            targets.append(target)
    return targets


@click.command()
@click.option("-r", "--range", "byte_range", type=ByteRangeText(), default=None,
              help="Print only bytes START up to END (END not included) of a single file; "
                   "START or END may be left out.")
@no_sign_request_option
@click.argument("paths", nargs=-1, required=True)
def cat(byte_range: ByteRange | None, no_sign_request: bool, paths: tuple[str, ...]) -> None:
    """Print the decoded content of files.

    Files are written in order; '-' alone reads the paths from stdin; globs print each
    file they match. `cat -r 10-20 FILE` prints bytes 10 to 19 of FILE.
    """
    failures = Failures("cat")
    targets = _files("cat", paths, failures, globs=True, no_sign_request=no_sign_request)
    if byte_range is not None and failures.attempted > 1:
        raise click.UsageError("a byte range (-r) can only be used with a single file.")
    out = sys.stdout.buffer
    for target in targets:
        cf = open_files(target.directory, no_sign_request)
        if byte_range is None:
            content = cf.get(target.name)
        else:
            content = cf.get({"path": target.name, "start": byte_range.start,
                              "end": byte_range.end})
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

    One object for one file path, {path: metadata} for several or for a glob.
    """
    failures = Failures("head")
    targets = _files("head", paths, failures, globs=True)
    found = {}
    for directory, group in by_directory(targets).items():
        infos = open_files(directory).head([target.name for target in group])
        for target in group:
            info = infos.get(target.name)
            if info is None:
                failures.add(target.cloudpath, FileNotFoundError(target.cloudpath))
            else:
                found[target.cloudpath] = info
    if len(paths) == 1 and glob_in(paths[0]) is None and len(found) == 1:
        found = next(iter(found.values()))
    if found:
        click.echo(json.dumps(found, indent=2, sort_keys=True, default=str))
    failures.raise_if_any()


@click.command()
@click.option("--progress", is_flag=True, help="Show a progress bar.")
@no_sign_request_option
@click.argument("paths", nargs=-1, required=True)
def touch(progress: bool, no_sign_request: bool, paths: tuple[str, ...]) -> None:
    """Create empty files where files are missing.

    '-' alone reads the paths from stdin.
    """
    failures = Failures("touch")
    for directory, group in by_directory(_files("touch", paths, failures)).items():
        cf = open_files(directory, no_sign_request, progress=progress)
        cf.touch([target.name for target in group])
    failures.raise_if_any()


@click.command(name="license")
def license() -> None:
    """Print the license of cloudfiles."""
    click.echo(LICENSE)
