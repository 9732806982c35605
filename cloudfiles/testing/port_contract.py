"""The contract of the Storage port itself: an adapter's answers with no CloudFiles in between.

A test module subclasses `PortContract` and provides the `new_storage` fixture: a function
returning a fresh, empty `Storage` (a new root) on each call, for instance
`lambda: open_storage(f"proto://bucket/{unique_prefix()}")`.

Objects are put already encoded, as the app puts them: `put(key, stored bytes,
PutOptions(encoding=...))`. A get may answer with the stored bytes and their encoding, or
(a service that decodes on the way out) with the decoded bytes and no encoding; a ranged get
with just those bytes (`partial`, unencoded objects only), or with the whole object for the
app to decode and slice. The suite reads answers the way the app does, so any of these passes.

Each behaviour is checked calling the port method by method (a sans-I/O storage runs each of
its operations once, sequentially, on its transport), and one test calls it through the app's
Store, the way CloudFiles does (operations driven many at once over the transport).
"""
from __future__ import annotations

from .extras import require_test_extras

require_test_extras()

import pytest  # after the check naming what to install
from hypothesis import given
from hypothesis import strategies as st

from ..app.store import Store
from ..compression import compress, decompress
from ..domain.byteranges import ByteRange
from ..domain.listing import filter_listing, is_directory_entry
from ..domain.objects import PutOptions
from ..domain.ports import Storage
from ..entrypoints.wiring import codecs
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

_BOUNDED = st.integers(0, 320).flatmap(
    lambda start: st.builds(ByteRange, st.just(start), st.none() | st.integers(start, 340)))
#: Ranges a reader may ask for: [start, end), [start, ...) and the last n bytes.
RANGES = _BOUNDED | st.builds(ByteRange, st.integers(-340, -1))
MISSING = "missing-key"


def stored_form(content: bytes, encoding: str | None) -> bytes:
    """content as a storage holds it in `encoding` (what the app puts)."""
    return compress(content, encoding)


def read(storage: Storage, key: str, byte_range: ByteRange | None = None) -> bytes | None:
    """The decoded bytes (of the range) of key as the app makes them of the port's answer;
    None when the storage says the object is missing."""
    answer = storage.get(key, byte_range)
    if answer is None:
        return None
    if answer.partial:
        assert byte_range is not None, f"{key!r}: a whole read answered as partial"
        if answer.encoding is None:
            return answer.content  # just the range's bytes
        answer = storage.get(key)  # an encoded object's range: the app reads it whole
        assert answer is not None and not answer.partial, f"{key!r}: no whole answer"
    content = decompress(answer.content, answer.encoding, key)
    return content if byte_range is None else byte_range.slice(content)


def assert_holds(storage: Storage, model: dict[str, tuple[bytes, str | None, bytes]]) -> None:
    """The storage holds exactly the model's objects: key -> (content, encoding, stored)."""
    keys = sorted(model)
    assert sorted(storage.list()) == keys
    assert dict(storage.list_sizes()) == {k: len(stored) for k, (_, _, stored) in model.items()}
    for key, (content, encoding, stored) in model.items():
        assert read(storage, key) == content, key
        info = storage.head(key)
        assert info is not None and info.size == len(stored), key
        assert info.encoding == encoding, key
        assert storage.exists(key) is True and storage.size(key) == len(stored), key
    assert_missing(storage, MISSING)
    for prefix in PREFIXES:
        assert sorted(storage.list(prefix)) == sorted(filter_listing(keys, prefix, False))
        level = sorted(filter_listing(keys, prefix, True))
        assert sorted(storage.list(prefix, flat=True)) == level, prefix
        assert dict(storage.list_sizes(prefix, flat=True)) == {
            entry: None if is_directory_entry(entry) else len(model[entry][2])
            for entry in level}, prefix


def assert_missing(storage: Storage, key: str) -> None:
    """Every call on a key that does not exist answers 'missing', none raises."""
    assert storage.get(key) is None
    assert storage.get(key, ByteRange(1, 5)) is None
    assert storage.head(key) is None
    assert storage.exists(key) is False
    assert storage.size(key) is None


class PortContract:
    """Subclass and provide `new_storage`; set `max_examples` lower for slow storages."""

    max_examples = 30

    @pytest.fixture
    def new_storage(self):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def test_agrees_with_a_dict_model(self, new_storage):
        @examples(self.max_examples)
        @given(OPERATIONS)
        def check(operations):
            storage = new_storage()
            model: dict[str, tuple[bytes, str | None, bytes]] = {}
            for op, key, content, encoding in operations:
                if op == "put" and clashes(model, key):
                    continue
                if op == "put":
                    stored = stored_form(content, encoding)
                    storage.put(key, stored, PutOptions(encoding=encoding))
                    model[key] = (content, encoding, stored)
                else:
                    storage.delete(key)
                    model.pop(key, None)
            assert_holds(storage, model)
            storage.delete_many([*model, MISSING])
            assert list(storage.list()) == [] and list(storage.list_sizes()) == []

        check()

    def test_ranges_read_the_asked_bytes(self, new_storage):
        @examples(self.max_examples)
        @given(CONTENT, st.sampled_from(COMPRESSIONS), RANGES)
        def check(content, encoding, byte_range):
            storage = new_storage()
            stored = stored_form(content, encoding)
            storage.put("obj", stored, PutOptions(encoding=encoding))
            assert read(storage, "obj", byte_range) == byte_range.slice(content)
            answer = storage.get("obj", byte_range)
            if answer.partial and answer.encoding is None:
                assert encoding is None, "a range of encoded bytes passed off as decoded"
                assert answer.content == byte_range.slice(stored)

        check()

    @pytest.mark.parametrize("encoding", COMPRESSIONS)
    def test_empty_objects(self, new_storage, encoding):
        storage = new_storage()
        stored = stored_form(b"", encoding)
        storage.put("empty", stored, PutOptions(encoding=encoding))
        assert read(storage, "empty") == b""
        for byte_range in (ByteRange(0, 10), ByteRange(5), ByteRange(-3), ByteRange(0, 0)):
            assert read(storage, "empty", byte_range) == b"", byte_range
        assert storage.exists("empty") and storage.size("empty") == len(stored)
        assert storage.head("empty").size == len(stored)
        assert list(storage.list()) == ["empty"]
        assert list(storage.list_sizes()) == [("empty", len(stored))]

    def test_missing_keys_answer_missing(self, new_storage):
        storage = new_storage()
        assert_missing(storage, MISSING)
        storage.delete(MISSING)  # a missing key is not an error
        storage.delete_many([MISSING, "dir/missing"])
        assert list(storage.list()) == [] and list(storage.list("m", flat=True)) == []
        assert list(storage.list_sizes()) == []
        storage.put("dir/a", b"a", PutOptions())
        storage.put("dirt", b"t", PutOptions())
        for key in ("dir", "dir/b", "di", "dir/a/b"):
            assert_missing(storage, key)
        assert sorted(storage.list()) == ["dir/a", "dirt"]

    def test_flat_listings_show_directories(self, new_storage):
        storage = new_storage()
        files = {"info1": b"1", "build/info3": b"33", "build2": b"2",
                 "level1/level2/info4": b"4444"}
        for key, content in files.items():
            storage.put(key, content, PutOptions())
        assert set(storage.list("", flat=True)) == {"info1", "build/", "build2", "level1/"}
        assert set(storage.list("build", flat=True)) == {"build/", "build2"}
        assert set(storage.list("build/", flat=True)) == {"build/info3"}
        assert set(storage.list("level1/", flat=True)) == {"level1/level2/"}
        assert list(storage.list("level1/level2/")) == ["level1/level2/info4"]
        assert list(storage.list("nothing/", flat=True)) == []
        assert dict(storage.list_sizes("", flat=True)) == {
            "info1": 1, "build/": None, "build2": 1, "level1/": None}
        assert dict(storage.list_sizes("build")) == {"build/info3": 2, "build2": 1}

    def test_a_put_replaces_the_object_and_its_encoding(self, new_storage):
        storage = new_storage()
        content = b"replace me " * 30
        for encoding in ("gzip", None, "br", "zstd", None):
            stored = stored_form(content + str(encoding).encode(), encoding)
            storage.put("obj", stored, PutOptions(encoding=encoding))
            assert read(storage, "obj") == content + str(encoding).encode()
            assert storage.head("obj").encoding == encoding
            assert storage.size("obj") == len(stored)
            assert list(storage.list()) == ["obj"]

    @pytest.mark.parametrize("key", ODD_KEYS)
    def test_odd_keys_round_trip_or_are_refused(self, new_storage, key):
        storage = new_storage()
        try:
            storage.put(key, b"payload", PutOptions())
        except InvalidKeyError as error:
            assert repr(key) in str(error) or key in str(error)
            assert list(storage.list()) == []
            return
        assert read(storage, key) == b"payload"
        assert list(storage.list()) == [key] and storage.exists(key)
        assert storage.head(key).size == 7
        storage.delete(key)
        assert list(storage.list()) == [] and not storage.exists(key)

    def test_the_app_drives_it_alike(self, new_storage):
        """The calls CloudFiles makes: batches through the app's Store (a sans-I/O storage's
        operations in flight together on its transport), listings page by page."""
        store = Store(new_storage(), codecs())
        files = {f"d{i % 3}/k{i:02d}": (bytes([i]) * i, COMPRESSIONS[i % len(COMPRESSIONS)])
                 for i in range(24)}
        stored = {key: stored_form(content, enc) for key, (content, enc) in files.items()}
        keys = sorted(files)
        puts = list(store.do_many("put", keys, lambda key: (
            key, stored[key], PutOptions(encoding=files[key][1]))))
        assert sorted(item for item, _, error in puts if error is None) == keys

        def outcomes(name, args_of):
            done = {item: (result, error) for item, result, error in
                    store.do_many(name, [*keys, MISSING], args_of)}
            assert all(error is None for _, error in done.values()), done
            return {item: result for item, (result, _) in done.items()}

        gets = outcomes("get", lambda key: (key, None))
        assert gets.pop(MISSING) is None
        assert {key: decompress(answer.content, answer.encoding, key)
                for key, answer in gets.items()} == {k: c for k, (c, _) in files.items()}
        heads = outcomes("head", lambda key: (key,))
        assert heads.pop(MISSING) is None
        assert {key: (info.size, info.encoding) for key, info in heads.items()} == \
            {key: (len(stored[key]), enc) for key, (_, enc) in files.items()}
        assert outcomes("exists", lambda key: (key,)) == {**{k: True for k in keys},
                                                          MISSING: False}
        assert outcomes("size", lambda key: (key,)) == {
            **{k: len(v) for k, v in stored.items()}, MISSING: None}
        assert sorted(store.list("d1/", False)) == [k for k in keys if k.startswith("d1/")]
        assert dict(store.list_sizes("", True)) == {"d0/": None, "d1/": None, "d2/": None}
        store.do("delete_many", [*keys, MISSING])
        assert list(store.list("", False)) == []
