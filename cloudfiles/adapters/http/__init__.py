"""Web servers and public buckets over http(s)."""
