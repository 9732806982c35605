"""The vocabulary of cloud paths: built-in protocols, data formats and public endpoints."""
from __future__ import annotations

#: Protocols served by the built-in adapters (aliases and plugins add more).
PROTOCOLS = ("gs", "s3", "file", "mem", "http", "https", "middleauth+https", "ngauth+https")

#: Data formats a path may name in front (`zarr2://gs://b/x`) or behind (`gs://b/x|zarr2:`).
FORMATS = (
    "graphene", "precomputed", "boss",
    "n5", "zarr", "zarr2", "zarr3",
    "brainmaps", "deepzoom", "nggraph",
    "render", "vtk", "nifti", "dvid",
)

#: The format of a path that names none.
DEFAULT_FORMAT = "precomputed"

#: Neuroglancer's tail spelling of "no particular format": `gs://b/x|neuroglancer-precomputed:`.
PRECOMPUTED_TAIL = "neuroglancer-precomputed"

#: Protocols whose first segment is a bucket and that accept an endpoint: s3://https://host/b.
BUCKETED_PROTOCOLS = ("gs", "s3")

#: Protocols whose path starts with a web host; `X+https` is https with X's authentication.
WEB_PROTOCOLS = ("http", "https", "middleauth+https", "ngauth+https")

#: Public https endpoints of the bucketed protocols (to_https_protocol).
HTTPS_ENDPOINTS = {
    "gs": "https://storage.googleapis.com",
    "s3": "https://s3.amazonaws.com",
}

#: The characters of a protocol name, as in `NAME://`.
SCHEME_PATTERN = r"[A-Za-z][A-Za-z0-9+.\-]*"


def web_scheme(protocol: str) -> str:
    """The plain scheme of a web protocol: 'https' for 'middleauth+https'."""
    return protocol.rpartition("+")[2]


def auth_prefix(protocol: str) -> str:
    """What a web protocol puts before its host URL: 'middleauth+' for 'middleauth+https'."""
    return protocol[: len(protocol) - len(web_scheme(protocol))]
