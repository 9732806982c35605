"""The read-side contract, for every storage including read-only ones (http).

A test module subclasses `ReadableContract` and provides the `publish` fixture: a function
taking {key: (stored_bytes, encoding)} and returning a cloud path where exactly those objects
can be read (written by whatever means the storage has; a web server's files for http).
"""
from __future__ import annotations

from .extras import require_test_extras

require_test_extras()

import pytest  # after the check naming what to install
from hypothesis import given
from hypothesis import strategies as st

from .. import CloudFiles
from ..compression import compress
from .strategies import COMPRESSIONS, examples

KEY = st.lists(st.text(alphabet="ab1 %+é", min_size=1, max_size=3), min_size=1, max_size=3) \
    .map("/".join).filter(lambda k: not any(s.strip() != s for s in k.split("/")))
FILES = st.dictionaries(KEY, st.tuples(st.binary(max_size=200), st.sampled_from(COMPRESSIONS)),
                        max_size=6).filter(
    # a key cannot be both a file and a directory on every storage (file://)
    lambda files: not any(a.startswith(b + "/") for a in files for b in files))


class ReadableContract:
    """Subclass and provide `publish`; set `max_examples` lower for slow storages."""

    max_examples = 25

    @pytest.fixture
    def publish(self):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def test_reads_agree_with_what_was_published(self, publish):
        @examples(self.max_examples)
        @given(FILES, st.integers(0, 210), st.integers(0, 210))
        def check(files, start, length):
            stored = {k: (compress(c, enc), enc) for k, (c, enc) in files.items()}
            cf = CloudFiles(publish(stored))
            for key, (content, _) in files.items():
                raw, encoding = stored[key]
                assert cf.get(key) == content
                assert cf.get(key, raw=True) == raw
                assert cf.exists(key) and cf.size(key) == len(raw)
                assert cf[key, start:start + length] == content[start:start + length]
                assert cf.get({"path": key, "start": start}) == content[start:]
                assert (cf.head(key)["Content-Encoding"] or None) == encoding
            keys = sorted(files) + ["never/published"]
            results = cf.get(keys)
            assert {r["path"]: r["content"] for r in results} == \
                {**{k: c for k, (c, _) in files.items()}, "never/published": None}
            assert cf.exists(keys) == {k: k in files for k in keys}
            assert cf.get("never/published") is None and cf.size("never/published") is None

        check()
