"""Journals of resumable transfer jobs (the domain.journal port), stored in sqlite."""
