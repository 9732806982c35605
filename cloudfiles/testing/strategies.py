"""What the suites generate: keys, contents, encodings and sequences of writes."""
from __future__ import annotations

from .extras import require_test_extras

require_test_extras()

from hypothesis import HealthCheck, settings  # after the check naming the extras
from hypothesis import strategies as st

COMPRESSIONS = [None, "gzip", "br", "zstd"]
SEGMENT = st.text(alphabet="ab1", min_size=1, max_size=3)
KEYS = st.lists(SEGMENT, min_size=1, max_size=3).map("/".join)
CONTENT = st.binary(max_size=300)
PUT = st.tuples(st.just("put"), KEYS, CONTENT, st.sampled_from(COMPRESSIONS))
DELETE = st.tuples(st.just("delete"), KEYS, st.just(b""), st.just(None))
OPERATIONS = st.lists(st.one_of(PUT, DELETE), max_size=12)
#: Keys some storages refuse (InvalidKeyError naming the key); the others keep them as given.
ODD_KEYS = ["with space", "per%cent", "plus+sign", "üñíçødé/文件", "a..b", "x/..y", "q?x=1&y#z",
            "tilde~", "semi;colon", "../escape", "a/../b", "/abs", "dot/./x"]
#: Listing prefixes tried on every generated tree of keys.
PREFIXES = ("", "a", "a/", "b/a", "1")


def examples(count: int) -> settings:
    """Hypothesis settings for a suite: `count` examples, no deadline (storages vary)."""
    return settings(max_examples=count, deadline=None, suppress_health_check=list(HealthCheck))


def clashes(model: dict, key: str) -> bool:
    """Whether key would be both a file and a directory beside the model's keys, which not
    every storage can hold (file://)."""
    return any(k.startswith(key + "/") or key.startswith(k + "/") for k in model)
