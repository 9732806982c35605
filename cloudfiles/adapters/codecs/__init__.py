"""Content codecs: gzip, brotli, zstd, xz, bzip2."""
