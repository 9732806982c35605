"""Application services: get, put, list, delete, transfer, transcode, on threads or processes."""
