"""Amazon S3 and S3-compatible storage: requests built, signed and read."""
