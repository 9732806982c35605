"""Adapters: one module per storage, the HTTP transport, and the codecs."""
