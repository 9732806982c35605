"""Every error cloudfiles raises on purpose, and which of them are worth retrying."""
from __future__ import annotations


class CloudFilesError(Exception):
    """Base class of every error cloudfiles raises on purpose."""


class UnsupportedProtocolError(CloudFilesError, ValueError):
    """A cloud path names a protocol or format we do not know, or is malformed."""


class InvalidKeyError(CloudFilesError, ValueError):
    """A key cannot be stored safely (e.g. it would escape the root of file://)."""


class CompressionError(CloudFilesError):
    """Content could not be compressed."""


class UnsupportedCompressionType(CompressionError, ValueError):
    """A compression method we do not know or cannot load was asked for."""


class DecompressionError(CloudFilesError):
    """Stored bytes could not be decoded with their declared encoding (corrupt data)."""


class CredentialsError(CloudFilesError):
    """Credentials are missing, malformed or rejected."""


class UnsupportedOperationError(CloudFilesError, NotImplementedError):
    """The storage cannot do this (e.g. writing to http://, listing a plain web server)."""


class StorageError(CloudFilesError):
    """A storage refused a request for a reason retrying will not fix."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code


class RetryableError(CloudFilesError):
    """A failure that may pass if the same request is sent again."""


class TransientStorageError(RetryableError):
    """Connection dropped, timed out, truncated body, 429 or 5xx."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class IntegrityError(RetryableError):
    """Received or stored bytes do not match their checksum."""


class MD5IntegrityError(IntegrityError):
    """The md5 of the bytes does not match the one the storage reported."""


class CRC32CIntegrityError(IntegrityError):
    """The crc32c of the bytes does not match the one the storage reported."""


class BatchError(CloudFilesError):
    """Some files of a batch failed; the rest were done. `errors` maps each path to its error."""

    def __init__(self, action: str, errors: dict):
        self.action = action
        self.errors = errors
        shown = "; ".join(f"{path}: {error}" for path, error in list(errors.items())[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(f"{action} failed for {len(errors)} file(s): {shown}{more}")

    def __reduce__(self):
        return (type(self), (self.action, self.errors))


def is_retryable(error: BaseException) -> bool:
    """Whether sending the same request again may succeed.

    Domain errors say so by subclassing RetryableError. A raw connection failure or timeout
    that an adapter let through (ConnectionError covers reset, refused, aborted and broken
    pipe) is retryable too, so a missed mapping costs a retry rather than a failed file.
    """
    return isinstance(error, (RetryableError, ConnectionError, TimeoutError))
