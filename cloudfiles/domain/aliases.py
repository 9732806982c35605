"""Protocol aliases as values: `matrix://bucket/dir` stands for `s3://https://host/bucket/dir`.

An alias names an endpoint only (a protocol and, for s3/gs/web protocols, a host): the bucket
and path always follow `NAME://`, so a path keeps its alias when formatted back.
"""
from __future__ import annotations

import re

from attrs import frozen

from .protocols import (
    BUCKETED_PROTOCOLS,
    FORMATS,
    PROTOCOLS,
    SCHEME_PATTERN,
    WEB_PROTOCOLS,
    auth_prefix,
    web_scheme,
)

#: Aliases every installation knows, as their targets (the form `cloudfiles alias add` takes).
OFFICIAL_ALIASES = {
    "matrix": "s3://https://s3-hpcrc.rc.princeton.edu/",
    "tigerdata": "s3://https://td.princeton.edu/",
    "nokura": "s3://https://c10s.pni.princeton.edu/",
}

_NAME_RE = re.compile(SCHEME_PATTERN)
_NETLOC_RE = re.compile(r"[^/\s?#|]+")
_ENDPOINT_RE = re.compile(r"https?://[^/\s?#|]+")


@frozen
class Alias:
    """One alias: `name://rest` means `target + rest`."""

    name: str
    protocol: str
    host: str | None = None

    @property
    def target(self) -> str:
        """The path prefix the alias stands for, e.g. 's3://https://host/'."""
        if self.protocol in WEB_PROTOCOLS:
            return f"{auth_prefix(self.protocol)}{self.host}/"
        if self.host:
            return f"{self.protocol}://{self.host}/"
        return f"{self.protocol}://"

    def expand(self, rest: str) -> str:
        """The path `name://rest` stands for."""
        return self.target + rest


def _invalid(name: str, target: object, why: str) -> ValueError:
    return ValueError(
        f"Cannot alias {name!r} to {target!r}: {why}\n"
        "An alias target is an endpoint, e.g. s3://https://example.com/ "
        "(also gs://http://host:port/, https://host/, mem://)."
    )


def _parse_host(name: str, target: str, protocol: str, rest: str) -> str | None:
    if protocol in WEB_PROTOCOLS:
        if not _NETLOC_RE.fullmatch(rest):
            raise _invalid(name, target, "a web alias names a host and nothing after it.")
        return f"{web_scheme(protocol)}://{rest}"
    if not rest:
        return None
    if protocol not in BUCKETED_PROTOCOLS:
        raise _invalid(name, target, f"{protocol}:// takes no endpoint or bucket in an alias.")
    if not _ENDPOINT_RE.fullmatch(rest):
        raise _invalid(name, target, "the endpoint must be http(s)://HOST[:PORT] with no path; "
                                     "the bucket and path follow NAME:// when the alias is used.")
    return rest


def check_alias_name(name: object) -> str:
    """The name, if it can be an alias; ValueError naming the clash otherwise."""
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise ValueError(f"Alias name {name!r} must be a letter followed by letters, digits, "
                         "'+', '.' or '-', as in NAME://bucket/path.")
    if name in PROTOCOLS:
        raise ValueError(f"{name!r} is a built-in protocol and cannot be an alias.")
    if name in FORMATS:
        raise ValueError(f"{name!r} is a data format (as in {name}://gs://b/x) "
                         "and cannot be an alias.")
    return name


def parse_alias(name: str, target: str, protocols: tuple[str, ...] = PROTOCOLS) -> Alias:
    """An Alias from a name and a target like 's3://https://host/'; ValueError if invalid.

    `protocols` are those a target may use (built-in ones plus plugins); never file://.
    """
    check_alias_name(name)
    if not isinstance(target, str):
        raise _invalid(name, target, f"the target must be a str, not {type(target).__name__}.")
    protocol, sep, rest = target.partition("://")
    if not sep or protocol not in (*PROTOCOLS, *protocols) or protocol == "file":
        raise _invalid(name, target, f"{protocol!r} is not a protocol an alias can stand for.")
    host = _parse_host(name, target, protocol, rest.removesuffix("/"))
    return Alias(name, protocol, host)


@frozen
class AliasTable:
    """The aliases in force, by name; adding or removing one gives a new table."""

    entries: tuple[Alias, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The alias names, in the order they were added."""
        return tuple(alias.name for alias in self.entries)

    def get(self, name: str) -> Alias | None:
        """The alias of that name, or None."""
        for alias in self.entries:
            if alias.name == name:
                return alias
        return None

    def with_alias(self, alias: Alias) -> AliasTable:
        """This table with `alias` added, replacing any alias of the same name."""
        return AliasTable((*self.without(alias.name).entries, alias))

    def without(self, name: str) -> AliasTable:
        """This table without the alias `name` (unchanged if absent)."""
        return AliasTable(tuple(alias for alias in self.entries if alias.name != name))

    def targets(self) -> dict[str, str]:
        """Alias name -> target, e.g. {'matrix': 's3://https://s3-hpcrc.rc.princeton.edu/'}."""
        return {alias.name: alias.target for alias in self.entries}


OFFICIAL_TABLE = AliasTable(tuple(parse_alias(name, target)
                                  for name, target in OFFICIAL_ALIASES.items()))
