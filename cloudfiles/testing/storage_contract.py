"""The contract every storage adapter keeps, written once against the CloudFiles API.

An adapter's test module subclasses `StorageContract` and provides the `new_cloudpath`
fixture: a function returning a fresh, empty cloud path (a unique prefix) on each call.
"""
from __future__ import annotations

from .extras import require_test_extras

require_test_extras()

import pytest  # after the check naming what to install
from hypothesis import given
from hypothesis import strategies as st

from .. import CloudFiles
from ..compression import decompress
from ..domain.listing import filter_listing
from ..exceptions import InvalidKeyError
from .strategies import (
    COMPRESSIONS,
    CONTENT,
    ODD_KEYS,
    OPERATIONS,
    PREFIXES,
    clashes,
    examples,
)


class StorageContract:
    """Subclass and provide `new_cloudpath`; set `max_examples` lower for slow storages."""

    max_examples = 40

    @pytest.fixture
    def new_cloudpath(self):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def test_agrees_with_a_dict_model(self, new_cloudpath):
        @examples(self.max_examples)
        @given(OPERATIONS)
        def check(operations):
            cf = CloudFiles(new_cloudpath())
            model: dict[str, bytes] = {}
            for op, key, content, compress in operations:
                if op == "put" and clashes(model, key):
                    continue
                if op == "put":
                    cf.put(key, content, compress=compress)
                    model[key] = content
                else:
                    cf.delete(key)
                    model.pop(key, None)
            keys = sorted(model)
            assert sorted(cf.list()) == keys
            for key, content in model.items():
                assert cf.get(key) == content
                assert cf.exists(key) is True
                assert cf.size(key) is not None
            results = cf.get(keys + ["missing-key"])
            assert {r["path"]: r["content"] for r in results} == {**model, "missing-key": None}
            assert all(r["error"] is None for r in results)
            assert cf.exists(keys + ["missing-key"]) == {**{k: True for k in keys},
                                                         "missing-key": False}
            for prefix in PREFIXES:
                assert sorted(cf.list(prefix)) == sorted(filter_listing(keys, prefix, False))
                level = sorted(filter_listing(keys, prefix, True))
                assert sorted(cf.list(prefix, flat=True, dirs=True)) == level
                assert sorted(cf.list(prefix, flat=True)) == \
                    [entry for entry in level if not entry.endswith("/")]
            cf.delete(keys)
            assert list(cf.list()) == []

        check()

    def test_raw_and_ranges(self, new_cloudpath):
        @examples(self.max_examples)
        @given(CONTENT, st.sampled_from(COMPRESSIONS), st.integers(0, 320), st.integers(0, 320))
        def check(content, compress, start, length):
            cf = CloudFiles(new_cloudpath())
            cf.put("obj", content, compress=compress)
            raw = cf.get("obj", raw=True)
            assert decompress(raw, compress) == content
            end = start + length
            assert cf["obj", start:end] == content[start:end]
            assert cf.get({"path": "obj", "start": start, "end": end}) == content[start:end]
            assert cf.get({"path": "obj", "start": start}) == content[start:]

        check()

    @pytest.mark.parametrize("compress", COMPRESSIONS)
    def test_zero_byte_files_round_trip(self, new_cloudpath, compress):
        cf = CloudFiles(new_cloudpath())
        cf.put("empty", b"", compress=compress)
        assert cf.get("empty") == b""
        assert cf.exists("empty")
        assert list(cf.list()) == ["empty"]
        assert cf.get(["empty"])[0]["content"] == b""

    def test_directory_prefix_never_touches_a_sibling(self, new_cloudpath):
        cf = CloudFiles(new_cloudpath())
        cf.puts([("test/a", b"1"), ("test/sub/b", b"2"), ("test2/c", b"3"), ("test.txt", b"4")])
        assert sorted(cf.list("test/")) == ["test/a", "test/sub/b"]
        assert sorted(cf.list("test/", flat=True)) == ["test/a"]
        assert sorted(cf.list("test/", flat=True, dirs=True)) == ["test/a", "test/sub/"]
        assert cf.isdir("test") and not cf.isdir("test2/c")
        cf.delete(list(cf.list("test/")))
        assert sorted(cf.list()) == ["test.txt", "test2/c"]

    @pytest.mark.parametrize("key", ODD_KEYS)
    def test_odd_keys_round_trip_or_are_refused(self, new_cloudpath, key):
        root = new_cloudpath()
        cf = CloudFiles(root)
        try:
            cf.put(key, b"payload")
        except InvalidKeyError as error:
            assert repr(key) in str(error) or key in str(error)
            assert list(cf.list()) == []
            return
        assert cf.get(key) == b"payload"
        assert list(cf.list()) == [key]
        assert CloudFiles(root).exists(key)
        cf.delete(key)
        assert list(cf.list()) == []

    def test_flat_listing_is_the_3_1_1_one(self, new_cloudpath):
        """flat=True yields only files at the prefix's own level, never sub-directories."""
        cf = CloudFiles(new_cloudpath())
        cf.puts([("info1", b"1"), ("build/info3", b"3"), ("level1/level2/info4", b"4")])
        assert set(cf.list("", flat=True)) == {"info1"}
        assert set(cf.list("build", flat=True)) == set()
        assert set(cf.list("build/", flat=True)) == {"build/info3"}
        assert set(cf.list("level1/", flat=True)) == set()
        assert set(cf.list("", flat=True, dirs=True)) == {"info1", "build/", "level1/"}
        assert dict(cf.list("build/", size=True)) == {"build/info3": cf.size("build/info3")}

    def test_batch_errors_are_reported_per_file(self, new_cloudpath):
        cf = CloudFiles(new_cloudpath())
        cf.put("good", b"ok")
        with pytest.raises(ValueError, match="path"):  # raise_errors=True: the 3.1.1 default
            cf.get(["good", {"start": 0}])
        results = cf.get(["good", {"start": 0}], raise_errors=False)
        by_error = sorted(results, key=lambda r: r["error"] is not None)
        assert by_error[0]["content"] == b"ok" and by_error[0]["error"] is None
        assert isinstance(by_error[1]["error"], Exception)

    def test_metadata_and_head(self, new_cloudpath):
        cf = CloudFiles(new_cloudpath())
        cf.put_json("doc.json", {"a": [1, 2]}, compress="gzip")
        assert cf.get_json("doc.json") == {"a": [1, 2]}
        head = cf.head("doc.json")
        assert head["Content-Encoding"] == "gzip"
        assert head["Content-Length"] == cf.size("doc.json") > 0
        assert cf.head("missing") is None and cf.size("missing") is None
