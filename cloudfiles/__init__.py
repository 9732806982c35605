"""cloudfiles: fast, reliable access to object storage and local files through one interface."""
from .entrypoints.cloudfile import CloudFile
from .entrypoints.cloudfiles import CloudFiles, dl
from .entrypoints.comparing import sync, verify
from .entrypoints.resources import clear_memory, reset_connection_pools
from .entrypoints.resumable import ResumableTransfer

__all__ = [
    "CloudFile", "CloudFiles", "ResumableTransfer", "clear_memory", "dl",
    "reset_connection_pools", "sync", "verify",
]
__version__ = "0.1.0"
