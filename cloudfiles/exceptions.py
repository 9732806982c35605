"""Exceptions under their cloud-files 3.x names (facade over cloudfiles.domain.errors)."""
from .domain.errors import (  # noqa: F401
    BatchError,
    CloudFilesError,
    CompressionError,
    CRC32CIntegrityError,
    CredentialsError,
    DecompressionError,
    IntegrityError,
    InvalidKeyError,
    MD5IntegrityError,
    StorageError,
    TransientStorageError,
    UnsupportedCompressionType,
    UnsupportedOperationError,
    UnsupportedProtocolError,
)
from .domain.twins import TwinFilesWarning  # noqa: F401
