"""Pure domain of cloudfiles: paths, byte ranges, encodings, retry policy, errors and ports."""
