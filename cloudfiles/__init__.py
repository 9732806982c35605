"""cloudfiles: fast, reliable access to object storage and local files through one interface."""
from .entrypoints.cloudfiles import CloudFiles, dl

__all__ = ["CloudFiles", "dl"]
__version__ = "0.1.0"
