"""The transport engines: libcurl multi, requests/urllib3, a mock."""
