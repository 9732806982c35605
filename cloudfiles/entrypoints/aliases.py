"""The aliases of this process and the persistent alias file (`$CLOUD_FILES_DIR/aliases.json`).

The process starts with the official aliases; the alias file is read once, on first use, and
its aliases override official ones of the same name. `add_alias`/`remove_alias` change this
process only; the `*_persistent_alias` functions also rewrite the file. The file holds
`{"name": {"host": "s3://https://example.com/"}}`, as cloud-files writes it.
"""
from __future__ import annotations

import json
import os
import tempfile
import threading

from ..adapters.secret_files import cloud_files_dir
from ..domain.aliases import (
    OFFICIAL_ALIASES,
    OFFICIAL_TABLE,
    AliasTable,
    check_alias_name,
    parse_alias,
)
from ..domain.paths import resolve_alias as _resolve_alias
from .registry import known_protocols

ALIAS_FILENAME = "aliases.json"

_lock = threading.RLock()
_table: AliasTable = OFFICIAL_TABLE
_from_file: dict[str, str] | None = None  # the file's aliases once read: name -> target


def alias_file() -> str:
    """Where persistent aliases are kept: $CLOUD_FILES_DIR/aliases.json (~/.cloudfiles/...)."""
    return os.path.join(cloud_files_dir(), ALIAS_FILENAME)


def read_alias_file(path: str | None = None) -> dict[str, str]:
    """Alias name -> target as stored in the alias file; {} when there is none."""
    path = path or alias_file()
    try:
        with open(path, "rb") as file:
            raw = file.read()
    except FileNotFoundError:
        return {}
    if not raw.strip():
        return {}
    try:
        stored = json.loads(raw)
        return {name: entry["host"] for name, entry in stored.items()}
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise ValueError(f"The alias file {path} is not of the form "
                         f'{{"name": {{"host": "s3://https://example.com/"}}}}: {error}') from None


def write_alias_file(aliases: dict[str, str], path: str | None = None) -> None:
    """Replace the alias file with these aliases (name -> target), atomically."""
    path = path or alias_file()
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    content = json.dumps({name: {"host": target} for name, target in aliases.items()}, indent=2)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".aliases-", suffix=".json")
    try:
        with os.fdopen(handle, "w") as file:
            file.write(content + "\n")
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def update_aliases_from_file() -> None:
    """Read the alias file into this process, once; later calls do nothing."""
    global _from_file
    with _lock:
        if _from_file is not None:
            return
        path = alias_file()
        stored = read_alias_file(path)
        for name, target in stored.items():
            try:
                add_alias(name, target)
            except ValueError as error:
                raise ValueError(f"The alias file {path} holds a bad alias: {error}") from None
        _from_file = stored


def alias_table() -> AliasTable:
    """The aliases in force in this process (reads the alias file on first use)."""
    if _from_file is None:
        update_aliases_from_file()
    return _table


def add_alias(name: str, host: str) -> None:
    """Make `name://` stand for the endpoint `host` (e.g. 's3://https://example.com/') here."""
    global _table
    check_alias_name(name)
    protocols = known_protocols()
    with _lock:
        if name in protocols and name not in OFFICIAL_ALIASES and _table.get(name) is None:
            raise ValueError(f"{name!r} is the protocol of an installed adapter "
                             "and cannot be an alias.")
        _table = _table.with_alias(parse_alias(name, host, protocols))


def _refuse_official(name: str) -> None:
    if name in OFFICIAL_ALIASES:
        raise ValueError(f"{name!r} is an official alias and cannot be removed.")


def remove_alias(name: str) -> None:
    """Forget the alias `name` in this process (nothing happens if there is none)."""
    global _table
    _refuse_official(name)
    with _lock:
        _table = _table.without(name)


def add_persistent_alias(name: str, host: str) -> None:
    """add_alias, and record the alias in the alias file for later processes."""
    with _lock:
        update_aliases_from_file()
        add_alias(name, host)
        _from_file[name] = host
        write_alias_file(_from_file)


def remove_persistent_alias(name: str) -> None:
    """Delete the alias from the alias file and from this process.

    An official alias the file overrode gets its official endpoint back.
    """
    global _table
    with _lock:
        update_aliases_from_file()
        if name not in _from_file:
            remove_alias(name)
            return
        del _from_file[name]
        write_alias_file(_from_file)
        official = OFFICIAL_TABLE.get(name)
        _table = _table.with_alias(official) if official else _table.without(name)


def resolve_alias(cloudpath: str) -> tuple[str | None, str]:
    """(alias, path it stands for) if the path is written with an alias, else (None, path)."""
    return _resolve_alias(cloudpath, alias_table())


def reset_aliases() -> None:
    """Back to the official aliases only; the alias file is read again on next use (tests)."""
    global _table, _from_file
    with _lock:
        _table = OFFICIAL_TABLE
        _from_file = None
